import { DeliveryError } from "../../domain/errors.js";
import { isTerminalPlatform } from "../../domain/terminal-platform.js";
import { notificationPayload, type NotificationPayload } from "../../domain/notification-payload.js";
import { UNCERTAIN, asksFirst, bookedSlot, type ClaimHolder } from "../../store/index.js";
import type { ServiceDeps } from "../deps.js";
import { scheduleAfterCommit } from "./schedule-after-commit.js";
import { settleDelivery, type DeliveryResult } from "./settle-delivery.js";
import type { Deliverer, RateLimiter } from "../ports.js";

/** Slack allows about one message per second per channel; WeChat has no such per-user rule. */
const MIN_INTERVAL_MS: Readonly<Record<string, number>> = { slack: 1_000 };
/**
 * How long a message is retried through temporary errors and rate limits before it is marked
 * failed (OUTBOX_GIVE_UP_AFTER_HOURS). Bounded by time, not by a count: honest 429s and a
 * platform's short outage would use up any count in minutes.
 */
export const DEFAULT_GIVE_UP_AFTER_MS = 24 * 3_600_000;
/**
 * One rep's Home is published at most this often: every button pressed on it asks again, and
 * Slack limits views.publish per user. Requests meanwhile wait in one row (home/request-home-publish.ts).
 */
export const HOME_PUBLISH_INTERVAL_MS = 3_000;
/** When a 429 comes without Retry-After. */
const DEFAULT_RETRY_AFTER_MS = 1_000;

/** 2 s, 4 s, 8 s ... capped at 10 minutes, with up to 20% jitter so retries do not stampede. */
export function backoffMs(attempt: number, random = Math.random): number {
  const base = Math.min(2 ** attempt * 1_000, 600_000);
  return Math.round(base * (1 + random() * 0.2));
}

/**
 * Messages of one conversation merged into one inbox post at most: a post holds 50 blocks and
 * fails around 12k characters of text, and a WeChat text runs to about 2,000.
 */
export const MAX_MESSAGES_PER_POST = 5;

/** The thread of a Slack inbox message row, the one kind of row merged with others. */
function inboxThreadOf(payload: unknown): string | undefined {
  const parsed = notificationPayload.safeParse(payload);
  return parsed.success && parsed.data.type === "inbox.message" ? parsed.data.threadId : undefined;
}

/** The rep whose Home a row publishes, if it is a Home publish. */
function homePublishOf(payload: unknown): string | undefined {
  const parsed = notificationPayload.safeParse(payload);
  return parsed.success && parsed.data.type === "home.publish" ? parsed.data.repId : undefined;
}

/** One post for the leader's message and the ones it carries, oldest first. */
function mergedInboxPayload(leader: { id: string; payload: unknown; createdAt: Date }, carried: { id: string; payload: unknown; createdAt: Date }[]): NotificationPayload {
  const rows = [leader, ...carried].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const ids: string[] = [];
  for (const row of rows) {
    const parsed = notificationPayload.safeParse(row.payload);
    if (parsed.success && parsed.data.type === "inbox.message") ids.push(...(parsed.data.interactionIds ?? [parsed.data.interactionId]));
  }
  const first = notificationPayload.parse(leader.payload);
  if (first.type !== "inbox.message") return first;
  return { type: "inbox.message", threadId: first.threadId, interactionId: ids[0] ?? first.interactionId, interactionIds: [...new Set(ids)] };
}

export type DeliveryOutcome = "sent" | "postponed" | "retry" | "failed" | "skipped";

export interface DeliveryIo {
  deliverer: Deliverer;
  rateLimiter: RateLimiter;
  /** Temporary errors and rate limits are retried until the row is this old (default 24 h). */
  giveUpAfterMs?: number;
  /** Send interval per destination by platform, instead of the platforms' own (a benchmark's scaled clock). */
  minIntervalMs?: Readonly<Record<string, number>>;
  /** False: one post per inbox message, as before coalescing (the benchmark's "before"). */
  coalesceInbox?: boolean;
}

/**
 * One delivery attempt of an outbox message. Waits its turn per destination, claims the row
 * (so two workers never both send it), sends, and records the result: SENT; PENDING again with
 * the time of the next attempt; or FAILED with the reason when the platform refuses for good or
 * the row is older than the give-up age. A 429 is not a failure: it pauses the destination for
 * its Retry-After (in Redis, for every worker), and the message waits for the end of the pause
 * without using an attempt; nothing is sent into a pause we know of. A worker that dies between
 * sending and recording leaves the row SENDING; the reconcile pass hands it to another attempt,
 * which first asks the platform whether the message arrived (it carries the row's id).
 */
export async function deliverOutbox(deps: ServiceDeps, io: DeliveryIo, outboxId: string, holder?: ClaimHolder): Promise<DeliveryOutcome> {
  const now = deps.now();
  const terminal = io.deliverer.terminal === true;
  // A job's retry takes back the row its broken attempt left SENDING (see ClaimHolder); without
  // a holder, such a row waits for the stale-row release (reconcile-jobs.ts).
  const claimed = await deps.store.outbox.claim(outboxId, now, terminal, holder);
  if (!claimed) {
    // Not due yet (a job that ran early), or already taken, sent or failed; or for a platform
    // this deliverer leaves alone (the demo's terminal, or anything but it), untouched then.
    const row = await deps.store.outbox.get(outboxId);
    if (row?.status === "PENDING" && isTerminalPlatform(row.platform) === terminal && row.nextAttemptAt.getTime() > now.getTime()) {
      await deps.jobs.scheduleDelivery(row.id, row.nextAttemptAt);
      return "postponed";
    }
    return "skipped";
  }
  // A Home publish is not a message in the DM: it has its own pace, apart from the DM's posts.
  const homeRep = homePublishOf(claimed.payload);
  const home = homeRep !== undefined;
  const key = home ? `${claimed.platform}:home:${claimed.destination}` : `${claimed.platform}:${claimed.destination}`;
  const interval = home ? HOME_PUBLISH_INTERVAL_MS : ((io.minIntervalMs ?? MIN_INTERVAL_MS)[claimed.platform] ?? 0);
  const inboxThread = claimed.platform === "slack" && io.coalesceInbox !== false ? inboxThreadOf(claimed.payload) : undefined;
  /** Back to PENDING without using the attempt, for a slot booked `waitMs` from now (or a pause's end). */
  const waitFor = async (waitMs: number): Promise<DeliveryOutcome> => {
    const at = new Date(deps.now().getTime() + waitMs);
    await deps.store.outbox.release(claimed.id, at, interval > 0);
    await deps.jobs.scheduleDelivery(claimed.id, at);
    return "postponed";
  };
  // A row that comes back for the slot it booked uses it; booking again would push it to the
  // end of the queue each time, and a busy channel would never get to it.
  const slot = bookedSlot(claimed.lastError);
  const ownSlot = slot !== undefined && slot <= now.getTime() + 1_000;
  if (inboxThread && !ownSlot) {
    // An earlier message of the same conversation still waits: its post will carry this one
    // too. Booking a slot of our own would hold the channel's queue for a post that never goes.
    // This one looks again half a slot after that one's turn, in case it was not carried.
    const earlier = await deps.store.outbox.earlierInboxWaiting(claimed.id, claimed.destination, inboxThread);
    if (earlier) {
      const at = new Date(Math.max(earlier.nextAttemptAt.getTime(), now.getTime()) + interval / 2);
      await deps.store.outbox.release(claimed.id, at);
      await deps.jobs.scheduleDelivery(claimed.id, at);
      return "postponed";
    }
  }
  // Every attempt asks whether the destination (or the whole platform) is paused; one that
  // books a slot learns it from the booking, which never lands inside a pause.
  let waitMs = await io.rateLimiter.reserve(key, ownSlot ? 0 : interval, claimed.platform);
  // A slot booked before the pause began lies inside it: give it up for one after it.
  if (waitMs > 0 && ownSlot && interval > 0) waitMs = await io.rateLimiter.reserve(key, interval, claimed.platform);
  if (waitMs > 0) return waitFor(waitMs);
  // A job may run a little early (the claim allows a second); wait for the slot itself.
  if (ownSlot && slot > now.getTime()) await new Promise((resolve) => setTimeout(resolve, slot - now.getTime()));
  // What else waits for this thread goes in the same post, in the order it came. After a worker
  // died mid-send, only the messages that post carried: whether it arrived is asked first.
  const carried = inboxThread ? await deps.store.outbox.coalesceInbox(claimed.id, claimed.destination, inboxThread, asksFirst(claimed.lastError) ? 0 : MAX_MESSAGES_PER_POST - 1) : [];
  // Other requests for this rep's Home waiting now are answered by this publish, rendered after them.
  if (homeRep) await deps.store.home.absorbPublishes(claimed.id, homeRep);
  const merged = inboxThread !== undefined || home;
  const payload = carried.length > 0 ? mergedInboxPayload(claimed, carried) : claimed.payload;
  const outgoing = { id: claimed.id, platform: claimed.platform, destination: claimed.destination, payload };
  // Whether an earlier attempt's message arrived is unknown until the platform was asked. A
  // Home publish replaces the whole view, so it is simply published again.
  const mustAsk = !home && asksFirst(claimed.lastError);
  let asked = false;
  try {
    // A worker that died after the platform took the message must not make us send it twice.
    const earlier = mustAsk ? await io.deliverer.findDelivered(outgoing) : undefined;
    asked = true;
    const { externalId } = earlier ?? (await io.deliverer.deliver(outgoing));
    await settle(deps, claimed, { sent: true, externalId }, merged);
    return "sent";
  } catch (error) {
    const failure = error instanceof DeliveryError ? error : new DeliveryError("temporary", error instanceof Error ? error.message : String(error));
    if (failure.kind === "not-ready") {
      const at = new Date(deps.now().getTime() + (failure.retryAfterMs ?? 2_000));
      await deps.store.outbox.release(claimed.id, at);
      await deps.jobs.scheduleDelivery(claimed.id, at);
      return "postponed";
    }
    const giveUpAfterMs = io.giveUpAfterMs ?? DEFAULT_GIVE_UP_AFTER_MS;
    const tooOld = deps.now().getTime() - claimed.createdAt.getTime() >= giveUpAfterMs;
    if (failure.kind === "permanent" || tooOld) {
      const reason = failure.kind === "permanent" ? failure.reason : `gave up after ${Math.round(giveUpAfterMs / 3_600_000)} h (${claimed.attempts} attempts): ${failure.reason}`;
      await settle(deps, claimed, { sent: false, reason, ...(failure.refusal ? { refusal: failure.refusal } : {}) }, merged);
      return "failed";
    }
    if (failure.kind === "rate-limited") {
      // The platform only asked us to wait: every message to this destination (or, for a limit
      // of the whole token, to any destination on the platform) waits with it.
      await io.rateLimiter.pause(failure.scope === "platform" ? claimed.platform : key, failure.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS);
      return waitFor(await io.rateLimiter.reserve(key, interval, claimed.platform));
    }
    const at = new Date(deps.now().getTime() + backoffMs(claimed.attempts));
    // A send that got no answer may have arrived, and so may an earlier one this attempt could
    // not ask about: the next attempt asks first. Asked (not there) and refused, it is a plain failure.
    const unknown = failure.uncertain || (mustAsk && !asked);
    await deps.store.outbox.markRetry(claimed.id, at, unknown ? `${UNCERTAIN}${failure.reason.replace(/\s+/g, " ")}` : failure.reason);
    await deps.jobs.scheduleDelivery(claimed.id, at);
    return "retry";
  }
}

/** Records the final status and what follows from it (settle-delivery.ts) in one transaction. */
async function settle(deps: ServiceDeps, row: { id: string; payload: unknown }, result: DeliveryResult, coalesced = false): Promise<void> {
  const now = deps.now();
  const followUps = await deps.store.transaction(async (tx) => {
    if (result.sent) await tx.outbox.markSent(row.id, result.externalId, now);
    else await tx.outbox.markFailed(row.id, result.reason);
    // The messages its post carried (or would have) end as it does.
    if (coalesced) await tx.outbox.settleCoalesced(row.id, result.sent ? { sent: true, externalId: result.externalId, at: now } : { sent: false, reason: result.reason });
    return settleDelivery(tx, row, result, deps.settings, now);
  });
  await scheduleAfterCommit(deps, followUps);
}
