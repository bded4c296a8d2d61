import { appendFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import type { FakeSlackApi, RecordedCall } from "../fakes/fake-slack-api.js";
import { postToSlackEndpoint, slashCommandBody } from "../support/slack-requests.js";
import { wechatSignature } from "../../adapters/wechat/signature.js";
import { SIGNING_SECRET } from "./harness.js";

/**
 * The suite's load: reminders set from outside with signed /remind slash commands, one rep per
 * reminder (so Slack's one-message-per-second-per-channel pace does not stretch the run), each
 * text carrying a marker `ftag-<scenario>-<n>-end` by which its DM is recognised at the fake
 * Slack API. Counting happens only there: what Slack accepted is what a rep saw.
 */

export const marker = (scenario: string, n: number) => `ftag-${scenario}-${String(n).padStart(4, "0")}-end`;
const MARKER = /ftag-([a-z0-9]+)-(\d{4})-end/g;

export const userOf = (scenario: string, n: number) => `U0F${scenario.toUpperCase()}${String(n).padStart(4, "0")}`;

/** A call the fake answered with an error we scripted (429, 500): the rep saw nothing. */
const REFUSED = Symbol("refused");
export function markRefused(args: Record<string, unknown>): true {
  (args as Record<symbol, boolean>)[REFUSED] = true;
  return true;
}

/** chat.postMessage calls Slack accepted. */
export function acceptedPosts(slack: FakeSlackApi): RecordedCall[] {
  return slack.callsTo("chat.postMessage").filter((c) => !(c.body as Record<symbol, boolean>)[REFUSED]);
}

/** Marker -> the times Slack accepted a DM carrying it. */
export function deliveries(slack: FakeSlackApi, scenario: string): Map<string, number[]> {
  const seen = new Map<string, number[]>();
  for (const call of acceptedPosts(slack)) {
    const found = new Set<string>();
    for (const m of JSON.stringify(call.body).matchAll(MARKER)) if (m[1] === scenario) found.add(m[0]);
    for (const key of found) seen.set(key, [...(seen.get(key) ?? []), call.at]);
  }
  return seen;
}

export interface ReminderLoad {
  scenario: string;
  count: number;
  /** Marker -> when it was set to fall due (ms since the epoch), filled in from the bot's answer time. */
  dueAt: Map<string, number>;
}

/**
 * Sets `count` reminders, due from `fromS` to `toS` seconds after each command, `parallel` commands at a time.
 * Each rep is made known to the fake Slack first (users.info answers for it). A command Bolt did
 * not acknowledge within Slack's 3 s is answered 404 (a busy two-core machine running four files
 * side by side gets there): like the rep who sees Slack's timeout and looks, the load asks
 * Postgres (`stored`) whether the reminder was set all the same, and sends it again only if not.
 */
export async function setReminders(base: string, slack: FakeSlackApi, scenario: string, count: number, stored: (marker: string) => Promise<boolean>, fromS = 10, toS = 25, parallel = 4): Promise<ReminderLoad> {
  const dueAt = new Map<string, number>();
  let next = 0;
  const one = async (n: number) => {
    const userId = userOf(scenario, n);
    slack.addUser({ id: userId, name: userId.toLowerCase(), locale: "en-US", tz: "Asia/Shanghai" });
    const seconds = fromS + Math.floor(((toS - fromS) * n) / Math.max(1, count - 1));
    for (let attempt = 1; ; attempt++) {
      const body = slashCommandBody({ command: "/remind", text: `in ${seconds} seconds call back ${marker(scenario, n)}`, userId, responseUrl: slack.responseUrl(randomUUID()) });
      const sentAt = Date.now();
      const answer = await postToSlackEndpoint(`${base}/slack/events`, body, "application/x-www-form-urlencoded", { secret: SIGNING_SECRET });
      if (answer.status === 200) return void dueAt.set(marker(scenario, n), sentAt + seconds * 1000);
      if (answer.status !== 404 || attempt >= 3) throw new Error(`/remind for ${userId} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
      // Not acknowledged in time: the handler may still finish; give it a moment, then look.
      await new Promise((r) => setTimeout(r, 3_000));
      if (await stored(marker(scenario, n))) return void dueAt.set(marker(scenario, n), sentAt + seconds * 1000);
    }
  };
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) await one(next++);
    }),
  );
  return { scenario, count, dueAt };
}

export interface Tally {
  delivered: number;
  lost: number;
  twice: number;
  maxLatenessMs: number;
}

export function tally(slack: FakeSlackApi, load: ReminderLoad, dueAt: Map<string, number> = load.dueAt): Tally {
  const seen = deliveries(slack, load.scenario);
  let twice = 0;
  let maxLatenessMs = 0;
  for (const [key, times] of seen) {
    if (times.length > 1) twice++;
    const due = dueAt.get(key);
    if (due !== undefined) maxLatenessMs = Math.max(maxLatenessMs, Math.min(...times) - due);
  }
  const delivered = [...load.dueAt.keys()].filter((k) => seen.has(k)).length;
  return { delivered, lost: load.count - delivered, twice, maxLatenessMs };
}

/** Where each run's lines are appended (ignored by git, like the benches' outputs). */
export const REPORT_FILE = "bench/out-faults.md";

export function report(name: string, t: Tally, note = ""): string {
  const line = `${name} | delivered ${t.delivered} | lost ${t.lost} | twice ${t.twice} | max lateness ${t.maxLatenessMs} ms${note ? ` | ${note}` : ""}`;
  // The suite's report: one line per scenario, on stdout.
  process.stdout.write(`${line}\n`);
  appendFileSync(REPORT_FILE, `${line}\n`);
  return line;
}

/**
 * A text push from a WeChat user, signed with the account's token (plain mode), retried the way
 * WeChat retries a push it got no "success" for: up to three more times, each after WeChat's
 * 5-second wait. Resolves with the number of attempts, or 0 if WeChat would have given up.
 */
export async function pushLikeWechat(base: string, token: string, fields: { from: string; text: string; msgId: string; createdAt: number }): Promise<number> {
  const xml = `<xml><ToUserName><![CDATA[gh_faults]]></ToUserName><FromUserName><![CDATA[${fields.from}]]></FromUserName><CreateTime>${Math.floor(fields.createdAt / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${fields.text}]]></Content><MsgId>${fields.msgId}</MsgId></xml>`;
  for (let attempt = 1; attempt <= 4; attempt++) {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = String(Math.floor(Math.random() * 1e9));
    try {
      const res = await fetch(`${base}/wechat?signature=${wechatSignature(token, timestamp, nonce)}&timestamp=${timestamp}&nonce=${nonce}`, { method: "POST", body: xml, signal: AbortSignal.timeout(5_000) });
      if (res.status === 200 && (await res.text()) === "success") return attempt;
    } catch {
      // No answer within 5 s (or none at all): WeChat tries again.
    }
    await new Promise((r) => setTimeout(r, 5_000));
  }
  return 0;
}
