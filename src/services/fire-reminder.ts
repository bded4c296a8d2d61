import type { ServiceDeps } from "./deps.js";

/** A reminder that fires more than this after its time is marked late in the message. */
export const LATE_AFTER_MS = 60_000;

/**
 * The reminder job: claims the row (only one worker can), and in the same transaction writes
 * the direct message to the rep into the outbox; delivery is scheduled after commit. A job
 * for a reminder that was snoozed, done or already fired does nothing.
 */
export async function fireReminder(deps: ServiceDeps, reminderId: string): Promise<{ fired: boolean; outboxId?: string }> {
  const now = deps.now();
  const result = await deps.store.transaction(async (tx) => {
    const reminder = await tx.reminders.claimDue(reminderId, now, LATE_AFTER_MS);
    if (!reminder) return null;
    const rep = await tx.users.findById(reminder.userId);
    if (!rep) return null;
    return tx.outbox.enqueue({
      platform: rep.platform,
      destination: rep.externalId,
      payload: { type: "reminder.due", reminderId: reminder.id },
      // One message per firing: a snoozed reminder fires again at its new time.
      dedupeKey: `reminder:${reminder.id}:${reminder.dueAt.toISOString()}`,
      at: now,
    });
  });
  if (!result) return { fired: false };
  await deps.jobs.scheduleDelivery(result.id, now);
  return { fired: true, outboxId: result.id };
}
