/**
 * What a report compares and how its trend is cut, in the reader's time zone.
 *
 * - The current report ("/report monthly") covers the calendar period up to now and compares it
 *   with the previous period over the same elapsed span: Nov 1 – Nov 23 14:00 against Oct 1 –
 *   Oct 23 14:00 (the same day of the period and time of day). A day the shifted month lacks is
 *   clamped to its last day (a quarterly report on Jul 31 compares with Apr 1 – Apr 30 at the
 *   same time of day); only when that month is the previous period's last one (Mar 31 against
 *   February) is the whole previous period taken, because the current span has passed its length.
 * - "last" ("/report monthly last", 上月) is the last complete period against the one before it.
 * - The revenue trend is by day for a week or a month, by week (seven-day blocks from the start)
 *   for a quarter, and by month for a year; the two periods' buckets line up by position. A
 *   quarter's last block takes in a remainder shorter than half a week (a 92-day quarter ends in
 *   an eight-day block), so a one-day stub never reads as a drop in revenue.
 */
import { addDays, dateInZone, instantOfLocalTime, zonedClock } from "./calendar-date.js";
import { calendarPeriod, type PeriodUnit } from "./report-period.js";

export type ReportKind = "weekly" | "monthly" | "quarterly" | "yearly";
export type ReportWhich = "current" | "last";

export const REPORT_UNITS: Readonly<Record<ReportKind, Exclude<PeriodUnit, "day">>> = {
  weekly: "week",
  monthly: "month",
  quarterly: "quarter",
  yearly: "year",
};

export interface Span {
  from: Date;
  /** Exclusive. */
  to: Date;
}

export interface ReportSpans {
  current: Span;
  previous: Span;
  /** The calendar periods the spans lie in (the whole month, even when the span stops at now). */
  currentPeriod: Span;
  previousPeriod: Span;
}

export function reportSpans(kind: ReportKind, which: ReportWhich, now: Date, timeZone: string): ReportSpans {
  const unit = REPORT_UNITS[kind];
  if (which === "last") {
    const last = calendarPeriod(unit, now, timeZone, -1);
    const before = calendarPeriod(unit, last.previous.from, timeZone, 0);
    const currentPeriod = { from: last.from, to: last.to };
    const previousPeriod = { from: before.from, to: before.to };
    return { current: currentPeriod, previous: previousPeriod, currentPeriod, previousPeriod };
  }
  const period = calendarPeriod(unit, now, timeZone, 0);
  const currentPeriod = { from: period.from, to: period.to };
  const previousPeriod = { from: period.previous.from, to: period.previous.to };
  return {
    current: { from: period.from, to: now },
    previous: { from: previousPeriod.from, to: sameElapsed(unit, now, previousPeriod, timeZone) },
    currentPeriod,
    previousPeriod,
  };
}

/** The instant in the previous period at the same day of the period and time of day as `now`. */
function sameElapsed(unit: Exclude<PeriodUnit, "day">, now: Date, previous: Span, timeZone: string): Date {
  const today = dateInZone(now, timeZone);
  const clock = zonedClock(now, timeZone);
  if (unit === "week") return sameTimeOn(addDays(today, -7), now, clock, previous, timeZone);
  const shifted = shiftMonths(today, unit === "month" ? -1 : unit === "quarter" ? -3 : -12);
  // Past the end of the previous period's last month, the current span is longer than the whole
  // previous period; past the end of an earlier month (Apr 31), the day is clamped (Apr 30).
  const lastMonth = dateInZone(new Date(previous.to.getTime() - 1), timeZone).slice(0, 7);
  if (shifted.clamped && shifted.date.slice(0, 7) === lastMonth) return previous.to;
  return sameTimeOn(shifted.date, now, clock, previous, timeZone);
}

function sameTimeOn(date: string, now: Date, clock: { hour: number; minute: number; second: number }, previous: Span, timeZone: string): Date {
  const at = new Date(instantOfLocalTime(date, timeZone, clock.hour, clock.minute).getTime() + clock.second * 1000 + (now.getTime() % 1000));
  return at.getTime() > previous.to.getTime() ? previous.to : at;
}

/** The same day of the month `months` away, clamped to that month's last day (`clamped` then). */
function shiftMonths(date: string, months: number): { date: string; clamped: boolean } {
  const [year, month, day] = [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
  const index = year * 12 + (month - 1) + months;
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  const length = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const d = Math.min(day, length);
  return { date: `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`, clamped: day > length };
}

export type TrendStep = "day" | "week" | "month";

export const TREND_STEP: Readonly<Record<ReportKind, TrendStep>> = { weekly: "day", monthly: "day", quarterly: "week", yearly: "month" };

export interface TrendBucket extends Span {
  /** 1-based position in its period: day 3, week 2, month 11. */
  position: number;
  /** The local calendar date the bucket starts on. */
  date: string;
}

/** The local start of a calendar date (calendarPeriod finds it even where midnight does not exist). */
export function startOfDate(date: string, timeZone: string): Date {
  return calendarPeriod("day", instantOfLocalTime(date, timeZone, 12, 0), timeZone).from;
}

/** A remainder of fewer days than this joins a quarter's last seven-day block. */
const SHORT_REMAINDER_DAYS = 4;

/**
 * The trend buckets of a span that starts at a period start, cut at the span's end. `periodEnd`
 * (the end of the calendar period the span lies in) lets the last seven-day block take in a
 * short remainder.
 */
export function trendBuckets(step: TrendStep, span: Span, timeZone: string, periodEnd?: Date): TrendBucket[] {
  const buckets: TrendBucket[] = [];
  const endDate = periodEnd ? dateInZone(periodEnd, timeZone) : undefined;
  let date = dateInZone(span.from, timeZone);
  let from = span.from;
  for (let position = 1; from.getTime() < span.to.getTime(); position++) {
    let next = step === "day" ? addDays(date, 1) : step === "week" ? addDays(date, 7) : shiftMonths(`${date.slice(0, 8)}01`, 1).date;
    if (step === "week" && endDate && next < endDate && addDays(next, SHORT_REMAINDER_DAYS) > endDate) next = endDate;
    const to = new Date(Math.min(startOfDate(next, timeZone).getTime(), span.to.getTime()));
    buckets.push({ from, to, position, date });
    date = next;
    from = to;
  }
  return buckets;
}

/** Local days [fromDate, toDate] (inclusive) as spans, for a daily trend. */
export function daySpans(fromDate: string, toDate: string, timeZone: string): (Span & { date: string })[] {
  const spans: (Span & { date: string })[] = [];
  for (let date = fromDate; date <= toDate; date = addDays(date, 1)) {
    spans.push({ date, from: startOfDate(date, timeZone), to: startOfDate(addDays(date, 1), timeZone) });
  }
  return spans;
}
