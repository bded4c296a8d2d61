import type { ClaimHolder } from "../../store/index.js";
import type { ServiceDeps } from "../deps.js";

/** A reminder that fires more than this after its time is marked late in the message. */
export const LATE_AFTER_MS = 60_000;

/**
 * The reminder job: claims the row (only one worker can) and writes the direct message to the
 * rep into the outbox in the same statement. A job for a reminder that was snoozed, done or
 * already fired does nothing.
 *
 * With `deliverNow`, the same job sends the DM at once instead of handing it to a delivery job:
 * one BullMQ hop less, which is most of a reminder's lateness under load (bench/RESULTS.md). The
 * outbox row still guards the send (delivery claims it; a retry or a second worker finds it taken
 * or sent), and a temporary failure is retried by the delivery itself, from the row. Should the
 * attempt itself break (Postgres gone between the two steps), a delivery job takes over (and may
 * take back the row the broken attempt left SENDING, by its claim token); a worker
 * killed in between leaves a pending row that the reconcile pass schedules.
 */
export async function fireReminder(
  deps: ServiceDeps,
  reminderId: string,
  deliverNow?: (outboxId: string, holder: ClaimHolder) => Promise<unknown>,
): Promise<{ fired: boolean; outboxId?: string }> {
  const now = deps.now();
  const fired = await deps.store.reminders.fireDue(reminderId, now, LATE_AFTER_MS);
  if (!fired) return { fired: false };
  if (!deliverNow) {
    await deps.jobs.scheduleDelivery(fired.outboxId, now);
    return { fired: true, outboxId: fired.outboxId };
  }
  // The delivery job that takes over from a broken send may take the row back from it at once.
  const holder = { token: `reminder:${reminderId}` };
  try {
    await deliverNow(fired.outboxId, holder);
  } catch (error) {
    await deps.jobs.scheduleDelivery(fired.outboxId, deps.now(), holder.token);
    throw error;
  }
  return { fired: true, outboxId: fired.outboxId };
}
