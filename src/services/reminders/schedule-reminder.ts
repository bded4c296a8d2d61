import type { Rep, ReminderView } from "../../store/index.js";
import type { ServiceDeps } from "../deps.js";

/**
 * Saves a reminder, then asks the job system to fire it. The row is the record: if Redis is
 * away the job is missing, and the reconcile pass or the sweep creates it from the row.
 */
export async function scheduleReminder(deps: ServiceDeps, rep: Rep, input: { text: string; dueAt: Date; customerId: string | null }): Promise<ReminderView> {
  const reminder = await deps.store.transaction(async (tx) => {
    const created = await tx.reminders.create({ userId: rep.id, customerId: input.customerId, text: input.text, dueAt: input.dueAt });
    if (!created) throw new Error("reminder insert returned nothing");
    await tx.audit.write({ actorId: rep.id, action: "reminder.create", entity: "reminder", entityId: created.id, detail: { dueAt: input.dueAt.toISOString() } });
    return created;
  });
  await deps.jobs.scheduleReminder(reminder.id, reminder.dueAt);
  return reminder;
}

/** Done, cancelled, or moved to a new time by its owner; false when it is no longer open. */
export async function updateReminder(deps: ServiceDeps, rep: Rep, id: string, change: { close: "DONE" | "CANCELLED" } | { dueAt: Date }): Promise<boolean> {
  if ("close" in change) return deps.store.reminders.close(id, rep.id, change.close);
  const moved = await deps.store.reminders.reschedule(id, rep.id, change.dueAt);
  if (moved) await deps.jobs.scheduleReminder(id, change.dueAt);
  return moved;
}
