/**
 * When a channel's morning digest goes out: a local wall-clock time in an IANA time zone, read
 * from "/digest subscribe [#channel] [08:30] [Asia/Shanghai]". The job system turns it into a
 * daily cron pattern evaluated in that zone, so 08:30 stays 08:30 on both sides of a
 * daylight-saving change.
 */
import { addDays, dateInZone, instantOfLocalTime } from "./calendar-date.js";

export const DEFAULT_DIGEST_TIME = "08:30";

export interface DigestTime {
  hour: number;
  minute: number;
}

/** 24-hour "08:30", "8:30", "8.30" or "8：30" (a full-width colon, as Chinese keyboards type it). */
const TIME = /^([01]?\d|2[0-3])[:：.](\d{2})$/;

export function parseDigestTime(text: string): DigestTime | undefined {
  const m = TIME.exec(text.trim());
  if (!m) return undefined;
  const minute = Number(m[2]);
  if (minute > 59) return undefined;
  return { hour: Number(m[1]), minute };
}

export function formatDigestTime(time: DigestTime): string {
  return `${String(time.hour).padStart(2, "0")}:${String(time.minute).padStart(2, "0")}`;
}

/** An IANA zone name the runtime knows, in its canonical spelling; undefined otherwise. */
export function canonicalTimeZone(text: string): string | undefined {
  const name = text.trim();
  // Offsets like "+08:00" are accepted by Intl but have no DST rules: a digest needs a place.
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{1,60}$/.test(name)) return undefined;
  try {
    return new Intl.DateTimeFormat("en", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** The cron pattern (minute hour day month weekday) for a daily run at this local time. */
export function dailyCronPattern(time: DigestTime): string {
  return `${time.minute} ${time.hour} * * *`;
}

/**
 * The day a digest run reports on: the local calendar day before the one it runs in, as
 * [from, to) instants, and the run's own local date (which names the digest, so a second run
 * on the same local day is the same digest).
 */
export function digestDay(firedAt: Date, timeZone: string): { runDate: string; day: string; from: Date; to: Date } {
  const runDate = dateInZone(firedAt, timeZone);
  const day = addDays(runDate, -1);
  return { runDate, day, from: instantOfLocalTime(day, timeZone, 0, 0), to: instantOfLocalTime(runDate, timeZone, 0, 0) };
}
