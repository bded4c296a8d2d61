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

/** 24-hour "08:30", "8:30", "8.30", or as Chinese keyboards type it ("８：３０"). */
const TIME = /^([01]?\d|2[0-3])[:.](\d{2})$/;

export function parseDigestTime(text: string): DigestTime | undefined {
  const m = TIME.exec(text.normalize("NFKC").trim());
  if (!m) return undefined;
  const minute = Number(m[2]);
  if (minute > 59) return undefined;
  return { hour: Number(m[1]), minute };
}

export function formatDigestTime(time: DigestTime): string {
  return `${String(time.hour).padStart(2, "0")}:${String(time.minute).padStart(2, "0")}`;
}

/** Names people use for China's zone, which IANA files under Shanghai. */
const ZONE_ALIASES: Readonly<Record<string, string>> = { "asia/beijing": "Asia/Shanghai", beijing: "Asia/Shanghai", 北京: "Asia/Shanghai", 北京时间: "Asia/Shanghai", utc: "UTC" };

/**
 * A place's IANA zone ("Asia/Shanghai", "america/new_york") in its canonical spelling, or
 * undefined. Abbreviations are refused, not guessed: "CST" is China to some and Chicago to the
 * runtime; fixed offsets ("Etc/GMT-8", "+08:00") have no daylight-saving rules to follow.
 */
export function canonicalTimeZone(text: string): string | undefined {
  const name = text.normalize("NFKC").trim();
  const alias = ZONE_ALIASES[name.toLowerCase()];
  if (alias) return alias;
  if (!/^[A-Za-z]+\/[A-Za-z0-9_+\-/]{2,60}$/.test(name) || /^etc\//i.test(name)) return undefined;
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

/** A run this late is skipped rather than sent: a morning digest in the evening helps nobody. */
export const LATE_DIGEST_LIMIT_MS = 6 * 3_600_000;

/**
 * Today's run of a subscription, if it is due and still worth sending: its local time has
 * passed (less than LATE_DIGEST_LIMIT_MS ago) and the subscription existed then. Sending it is
 * idempotent, so the sweep may ask every minute; the job scheduler normally got there first.
 */
export function owedDigestRun(subscription: { localTime: string; timezone: string; updatedAt: Date }, now: Date): Date | undefined {
  const time = parseDigestTime(subscription.localTime);
  if (!time) return undefined;
  const run = instantOfLocalTime(dateInZone(now, subscription.timezone), subscription.timezone, time.hour, time.minute);
  const late = now.getTime() - run.getTime();
  return late >= 0 && late < LATE_DIGEST_LIMIT_MS && subscription.updatedAt <= run ? run : undefined;
}
