/** Calendar dates (YYYY-MM-DD) as a person in some time zone means them. */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isCalendarDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/**
 * One formatter per zone and kind, kept: building an Intl.DateTimeFormat costs far more than
 * using one (about half a millisecond here), and these run several times per parsed phrase.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(kind: "date" | "clock", timeZone: string): Intl.DateTimeFormat {
  const key = `${kind} ${timeZone}`;
  let found = formatters.get(key);
  if (!found) {
    found = kind === "date"
      ? new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" })
      : new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
    formatters.set(key, found);
  }
  return found;
}

/** The calendar date of an instant in a time zone: "2026-03-01". */
export function dateInZone(at: Date, timeZone: string): string {
  return formatter("date", timeZone).format(at);
}

export interface ZonedClock {
  hour: number;
  minute: number;
  second: number;
  /** Offset of the zone from UTC at that instant, in milliseconds (Shanghai: +8 h). */
  offsetMs: number;
}

/** What a clock in the zone shows at an instant, and the zone's offset then. */
export function zonedClock(at: Date, timeZone: string): ZonedClock {
  const parts = formatter("clock", timeZone).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return { hour: get("hour"), minute: get("minute"), second: get("second"), offsetMs: asUtc - Math.floor(at.getTime() / 1000) * 1000 };
}

function zoneOffset(at: Date, timeZone: string): number {
  return zonedClock(at, timeZone).offsetMs;
}

/**
 * The instant of a wall-clock time on a calendar date in a zone. Date-only facts (an order
 * "on 2026-03-01") are placed at local noon so no zone or DST shift moves them to another day.
 */
export function instantOfLocalTime(date: string, timeZone: string, hour = 12, minute = 0): Date {
  const m = ISO_DATE.exec(date);
  if (!m) throw new Error(`not a calendar date: ${date}`);
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), hour, minute);
  const first = wall - zoneOffset(new Date(wall), timeZone);
  // A second pass settles the offset when the first guess fell across a DST change.
  const instant = wall - zoneOffset(new Date(first), timeZone);
  if (instant + zoneOffset(new Date(instant), timeZone) === wall) return new Date(instant);
  // The time does not exist that day (the clocks jumped over it, as Santiago's do at midnight):
  // take it with the offset from before the jump, which lands just after the gap, on the same day.
  const before = Math.min(zoneOffset(new Date(instant - 12 * 3_600_000), timeZone), zoneOffset(new Date(instant + 12 * 3_600_000), timeZone));
  return new Date(wall - before);
}

/** The calendar date `days` after `date` ("2026-03-31" + 1 = "2026-04-01"). */
export function addDays(date: string, days: number): string {
  const m = ISO_DATE.exec(date);
  if (!m) throw new Error(`not a calendar date: ${date}`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days)).toISOString().slice(0, 10);
}
