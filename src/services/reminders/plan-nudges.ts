import type { ServiceDeps } from "../deps.js";

/** DEAL_STALE_DAYS' default (src/config.ts). */
const DEFAULT_DEAL_STALE_DAYS = 14;

/**
 * Reminders the bot makes itself, planned by an hourly job:
 * - follow-up: an active customer nobody has talked to for `quietDays` reminds its owner, once
 *   per quiet spell (the spell is named by the last interaction, so a new one starts a new spell);
 * - care dates: a contact's birthday or anniversary reminds the owner at 09:00 that day in the
 *   owner's time zone (at once if the hour has passed); 29 February counts on the 28th otherwise.
 * - deals: an open deal with no activity for `dealStaleDays` (DEAL_STALE_DAYS, default 14) nudges
 *   its owner once per quiet spell; one past its expected close date asks the owner to move the
 *   date or close it, once per close date (store/deals/deals.ts planNudges).
 * Dedupe keys make a second run (or a second worker) a no-op. Returns the new reminders' ids.
 */
export async function planNudges(deps: ServiceDeps, settings: { quietDays: number; defaultTimezone: string; dealStaleDays?: number }): Promise<number> {
  const now = deps.now();
  const created = [
    ...(await deps.store.reminders.planNudges(now, settings.quietDays, settings.defaultTimezone)),
    ...(await deps.store.deals.planNudges(now, settings.dealStaleDays ?? DEFAULT_DEAL_STALE_DAYS)),
  ];
  for (const r of created) await deps.jobs.scheduleReminder(r.id, r.dueAt);
  return created.length;
}
