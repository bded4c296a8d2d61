import type { ServiceDeps } from "../deps.js";

/**
 * Reminders the bot makes itself, planned by an hourly job:
 * - follow-up: an active customer nobody has talked to for `quietDays` reminds its owner, once
 *   per quiet spell (the spell is named by the last interaction, so a new one starts a new spell);
 * - care dates: a contact's birthday or anniversary reminds the owner at 09:00 that day in the
 *   owner's time zone (at once if the hour has passed); 29 February counts on the 28th otherwise.
 * Dedupe keys make a second run (or a second worker) a no-op. Returns the new reminders' ids.
 */
export async function planNudges(deps: ServiceDeps, settings: { quietDays: number; defaultTimezone: string }): Promise<number> {
  const now = deps.now();
  const created = await deps.store.reminders.planNudges(now, settings.quietDays, settings.defaultTimezone);
  for (const r of created) await deps.jobs.scheduleReminder(r.id, r.dueAt);
  return created.length;
}
