import type { ServiceDeps } from "../deps.js";

/** A reminder that fires more than this after its time is marked late in the message. */
export const LATE_AFTER_MS = 60_000;

/**
 * The reminder job: claims the row (only one worker can) and writes the direct message to the
 * rep into the outbox in the same statement; delivery is scheduled after it commits. A job for a
 * reminder that was snoozed, done or already fired does nothing.
 */
export async function fireReminder(deps: ServiceDeps, reminderId: string): Promise<{ fired: boolean; outboxId?: string }> {
  const now = deps.now();
  const fired = await deps.store.reminders.fireDue(reminderId, now, LATE_AFTER_MS);
  if (!fired) return { fired: false };
  await deps.jobs.scheduleDelivery(fired.outboxId, now);
  return { fired: true, outboxId: fired.outboxId };
}
