import { DeliveryError } from "../domain/errors.js";
import { isTerminalPlatform } from "../domain/terminal-platform.js";
import { INTERRUPTED, bookedSlot } from "../store/index.js";
import type { ServiceDeps } from "./deps.js";
import { scheduleAfterCommit } from "./schedule-after-commit.js";
import { settleDelivery, type DeliveryResult } from "./settle-delivery.js";
import type { Deliverer, RateLimiter } from "./ports.js";

/** Slack allows about one message per second per channel; WeChat has no such per-user rule. */
const MIN_INTERVAL_MS: Readonly<Record<string, number>> = { slack: 1_000 };
export const MAX_ATTEMPTS = 8;

/** 2 s, 4 s, 8 s ... capped at 10 minutes, with up to 20% jitter so retries do not stampede. */
export function backoffMs(attempt: number, random = Math.random): number {
  const base = Math.min(2 ** attempt * 1_000, 600_000);
  return Math.round(base * (1 + random() * 0.2));
}

export type DeliveryOutcome = "sent" | "postponed" | "retry" | "failed" | "skipped";

/**
 * One delivery attempt of an outbox message. Waits its turn per destination, claims the row
 * (so two workers never both send it), sends, and records the result: SENT; PENDING again with
 * the time of the next attempt (the platform's Retry-After when it gave one); or FAILED with
 * the reason when the platform refuses for good or attempts run out. A worker that dies between
 * sending and recording leaves the row SENDING; the reconcile pass hands it to another attempt,
 * which first asks the platform whether the message arrived (it carries the row's id).
 */
export async function deliverOutbox(deps: ServiceDeps, io: { deliverer: Deliverer; rateLimiter: RateLimiter }, outboxId: string): Promise<DeliveryOutcome> {
  const now = deps.now();
  const terminal = io.deliverer.terminal === true;
  const claimed = await deps.store.outbox.claim(outboxId, now, terminal);
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
  const interval = MIN_INTERVAL_MS[claimed.platform];
  // A row that comes back for the slot it booked uses it; booking again would push it to the
  // end of the queue each time, and a busy channel would never get to it.
  const slot = bookedSlot(claimed.lastError);
  const ownSlot = slot !== undefined && slot <= now.getTime() + 1_000;
  // A job may run a little early (the claim allows a second); wait for the slot itself.
  if (ownSlot && slot > now.getTime()) await new Promise((resolve) => setTimeout(resolve, slot - now.getTime()));
  if (interval && !ownSlot) {
    const waitMs = await io.rateLimiter.reserve(`${claimed.platform}:${claimed.destination}`, interval);
    if (waitMs > 0) {
      const at = new Date(now.getTime() + waitMs);
      await deps.store.outbox.release(claimed.id, at, true);
      await deps.jobs.scheduleDelivery(claimed.id, at);
      return "postponed";
    }
  }
  const outgoing = { id: claimed.id, platform: claimed.platform, destination: claimed.destination, payload: claimed.payload };
  try {
    // A worker that died after the platform took the message must not make us send it twice.
    const earlier = claimed.lastError === INTERRUPTED ? await io.deliverer.findDelivered(outgoing) : undefined;
    const { externalId } = earlier ?? (await io.deliverer.deliver(outgoing));
    await settle(deps, claimed, { sent: true, externalId });
    return "sent";
  } catch (error) {
    const failure = error instanceof DeliveryError ? error : new DeliveryError("temporary", error instanceof Error ? error.message : String(error));
    if (failure.kind === "not-ready") {
      const at = new Date(deps.now().getTime() + (failure.retryAfterMs ?? 2_000));
      await deps.store.outbox.release(claimed.id, at);
      await deps.jobs.scheduleDelivery(claimed.id, at);
      return "postponed";
    }
    if (failure.kind === "permanent" || claimed.attempts >= MAX_ATTEMPTS) {
      const reason = claimed.attempts >= MAX_ATTEMPTS && failure.kind !== "permanent" ? `gave up after ${claimed.attempts} attempts: ${failure.reason}` : failure.reason;
      await settle(deps, claimed, { sent: false, reason, ...(failure.refusal ? { refusal: failure.refusal } : {}) });
      return "failed";
    }
    const waitMs = failure.kind === "rate-limited" && failure.retryAfterMs !== undefined ? failure.retryAfterMs : backoffMs(claimed.attempts);
    const at = new Date(deps.now().getTime() + waitMs);
    await deps.store.outbox.markRetry(claimed.id, at, failure.reason);
    await deps.jobs.scheduleDelivery(claimed.id, at);
    return "retry";
  }
}

/** Records the final status and what follows from it (settle-delivery.ts) in one transaction. */
async function settle(deps: ServiceDeps, row: { id: string; payload: unknown }, result: DeliveryResult): Promise<void> {
  const now = deps.now();
  const followUps = await deps.store.transaction(async (tx) => {
    if (result.sent) await tx.outbox.markSent(row.id, result.externalId, now);
    else await tx.outbox.markFailed(row.id, result.reason);
    return settleDelivery(tx, row, result, deps.settings, now);
  });
  await scheduleAfterCommit(deps, followUps);
}
