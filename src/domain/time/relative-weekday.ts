/**
 * What a weekday phrase means, once, for every language: "friday" / "周五", "this friday" /
 * "本周五" / "这周五", "next friday" / "下周五", "friday after next" / "下下周五", "last friday" /
 * "上周五". English and Chinese readers both land here, so the two languages cannot disagree.
 *
 * The rule (README, "Reminders"):
 * - Weeks run Monday to Sunday, as China counts them (and ISO 8601).
 * - A bare weekday ("friday", "on friday", "周五") is the next such day whose time is still
 *   ahead: today when the time has not passed yet ("friday 3pm" said on Friday morning), else
 *   the one after.
 * - "this X" is X of the current week, "next X" X of next week, "X after next" X of the week
 *   after that, "last X" X of the previous week. These never roll forward: "this monday" said on
 *   a Wednesday is two days ago (and a reminder then answers that the time has passed).
 * - "next week" alone is the Monday of next week ("this week" alone is no time).
 */
import { addDays } from "./calendar-date.js";

/** Which week a weekday phrase points into; "coming" is the bare weekday. */
export type WeekRelation = "coming" | "last" | "this" | "next" | "afterNext";

const WEEKS_AHEAD: Readonly<Record<Exclude<WeekRelation, "coming">, number>> = { last: -1, this: 0, next: 1, afterNext: 2 };

/** 0 = Sunday ... 6 = Saturday, as Date.getUTCDay counts. */
export function weekdayOf(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/** Days since Monday: Monday 0 ... Sunday 6. */
function sinceMonday(weekday: number): number {
  return (weekday + 6) % 7;
}

/**
 * The calendar date a weekday phrase means, said on `today` (YYYY-MM-DD in the rep's zone).
 * `stillAheadToday` only matters for the bare weekday: whether the phrase's time of day is
 * still to come today.
 */
export function relativeWeekday(today: string, weekday: number, relation: WeekRelation, stillAheadToday = true): string {
  const todayWeekday = weekdayOf(today);
  if (relation === "coming") {
    const ahead = (weekday - todayWeekday + 7) % 7;
    return addDays(today, ahead === 0 && !stillAheadToday ? 7 : ahead);
  }
  return addDays(today, 7 * WEEKS_AHEAD[relation] + sinceMonday(weekday) - sinceMonday(todayWeekday));
}
