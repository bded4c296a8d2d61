import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { HTTPModuleFunctions, verifySlackRequest } from "@slack/bolt";
import type { Sightings } from "../../src/core/index.js";

/**
 * Slack refuses nothing newer than now, so a timestamp ahead of our clock is clock drift at best.
 * A minute covers real drift; Bolt itself only refuses the stale side.
 */
export const FUTURE_SKEW_SECONDS = 60;

/**
 * How long a signed request is remembered: longer than the 5 minutes Bolt accepts a timestamp
 * for, plus the minute of skew, so a replay cannot outlive its memory.
 */
export const REPLAY_WINDOW_MS = 10 * 60_000;

/** Bolt's own limit, so a body we buffer is one Bolt would have taken. */
const BODY_LIMIT = HTTPModuleFunctions.defaultBodyLimit;

export type Verdict =
  | { kind: "new" }
  /** Signed and fresh, but seen before: acknowledge and do nothing. */
  | { kind: "replay" }
  /** Unsigned, forged, stale or from the future. */
  | { kind: "refused"; status: 401 | 413; reason: string };

export interface RequestGuardOptions {
  signingSecret: string;
  /** Requests seen by any web process of the install (Redis, with this process's memory as fallback). */
  sightings: Sightings;
  now?: () => number;
}

export interface RequestGuard {
  /** Reads and checks one request; the body stays readable for Bolt (it reuses `rawBody`). */
  check(req: IncomingMessage): Promise<Verdict>;
}

/**
 * What every Slack HTTP request passes before Bolt sees it: the signature, a timestamp neither
 * stale nor ahead of us, and a first sighting of that exact signed request. Bolt verifies the
 * signature too but accepts a valid request as often as it comes within 5 minutes, which turned
 * one captured /remind into three reminders.
 *
 * The key is a hash of the signed base string (v0:timestamp:body), shared by every web process
 * of the install (src/jobs/first-sightings.ts, which also says what happens while Redis is
 * away). Slack's own retries of events (a new delivery carrying X-Slack-Retry-Num) are still
 * dropped by the event listeners, as before.
 */
export function createRequestGuard(options: RequestGuardOptions): RequestGuard {
  const { signingSecret, sightings } = options;
  const now = options.now ?? Date.now;

  async function firstSighting(baseString: string): Promise<boolean> {
    const digest = createHash("sha256").update(baseString).digest("hex");
    return (await sightings.sight(`slack:${digest}`, "1", REPLAY_WINDOW_MS)) === undefined;
  }

  return {
    async check(req) {
      let body: string;
      try {
        body = (await HTTPModuleFunctions.bufferIncomingMessage(req, BODY_LIMIT)).rawBody.toString();
      } catch (error) {
        if (HTTPModuleFunctions.isRawBodyError(error) && (error.statusCode === 413 || error.type === "entity.too.large")) {
          return { kind: "refused", status: 413, reason: "body too large" };
        }
        return { kind: "refused", status: 401, reason: "body could not be read" };
      }
      // Slack's SSL check is unsigned by design; Bolt strips anything smuggled with it.
      if (req.headers["content-type"] === "application/x-www-form-urlencoded" && new URLSearchParams(body).get("ssl_check") === "1") return { kind: "new" };

      const signature = req.headers["x-slack-signature"];
      const timestampHeader = req.headers["x-slack-request-timestamp"];
      if (typeof signature !== "string" || typeof timestampHeader !== "string" || !/^\d{1,12}$/.test(timestampHeader)) {
        return { kind: "refused", status: 401, reason: "signature headers missing or malformed" };
      }
      const timestamp = Number(timestampHeader);
      try {
        verifySlackRequest({ signingSecret, body, headers: { "x-slack-signature": signature, "x-slack-request-timestamp": timestamp }, nowMilliseconds: now() });
      } catch (error) {
        return { kind: "refused", status: 401, reason: error instanceof Error ? error.message : String(error) };
      }
      if (timestamp > Math.floor(now() / 1000) + FUTURE_SKEW_SECONDS) {
        return { kind: "refused", status: 401, reason: `x-slack-request-timestamp is more than ${FUTURE_SKEW_SECONDS} s in the future` };
      }
      // Only a verified request is remembered: a forged one must not block the real one later.
      return (await firstSighting(`v0:${timestamp}:${body}`)) ? { kind: "new" } : { kind: "replay" };
    },
  };
}
