import { createHash } from "node:crypto";
import type { Sightings } from "../../src/core/index.js";

/**
 * How far a push's `timestamp` may be from our clock, either way. WeChat retries within about
 * 15 s; the rest is room for clock drift. Outside it a captured request is refused outright.
 */
export const PUSH_WINDOW_MS = 5 * 60_000;

/**
 * - `first`: this signed query string has not been seen in the window.
 * - `repeat`: seen before with the same body. WeChat's documentation does not say whether a
 *   retry carries a new timestamp and nonce, so a retry may well be the very same request: it is
 *   accepted, and changes nothing (messages are stored once per MsgId, events once per sender +
 *   CreateTime).
 * - `forged`: seen before with a different body. In plain mode the `signature` covers only the
 *   token, timestamp and nonce, so this is someone reusing a captured query string to inject
 *   their own message: refused.
 */
export type ReplayVerdict = "first" | "repeat" | "forged";

export interface PushIdentity {
  timestamp: string;
  nonce: string;
  /** `signature` in plain mode, `msg_signature` in safe mode. */
  signature: string;
  /** What the signature is meant to vouch for: the raw body (plain mode) or `Encrypt` (safe mode). */
  signed: string;
}

export interface ReplayGuard {
  check(push: PushIdentity): Promise<ReplayVerdict>;
}

export interface ReplayGuardOptions {
  /** Pushes seen by any web process of the install (Redis, with this process's memory as fallback). */
  sightings: Sightings;
  windowMs?: number;
}

/**
 * Remembers every push's signed query string for twice the window (a request is usable from
 * `timestamp - window` to `timestamp + window`) together with a digest of its body. While Redis
 * is away only this process remembers (src/jobs/first-sightings.ts): a captured request could
 * then be replayed at another process for those minutes; the damage is bounded because nothing
 * destructive is done for a plain-mode body (see record-customer-message.ts) and safe mode's
 * `msg_signature` covers the body anyway.
 */
export function createReplayGuard(options: ReplayGuardOptions): ReplayGuard {
  const ttlMs = 2 * (options.windowMs ?? PUSH_WINDOW_MS);
  return {
    async check(push) {
      const digest = createHash("sha256").update(push.signed, "utf8").digest("base64url");
      const first = await options.sightings.sight(`wechat:push:${push.timestamp}:${push.nonce}:${push.signature}`, digest, ttlMs);
      if (first === undefined) return "first";
      return first === digest ? "repeat" : "forged";
    },
  };
}
