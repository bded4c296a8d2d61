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
  const changed = await deps.store.transaction(async (tx) => {
    const done = "close" in change ? await tx.reminders.close(id, rep.id, change.close) : await tx.reminders.reschedule(id, rep.id, change.dueAt);
    if (done) {
      const detail = "close" in change ? { status: change.close } : { dueAt: change.dueAt.toISOString() };
      await tx.audit.write({ actorId: rep.id, action: "reminder.update", entityId: id, detail });
    }
    return done;
  });
  if (changed && "dueAt" in change) await deps.jobs.scheduleReminder(id, change.dueAt);
  return changed;
}
