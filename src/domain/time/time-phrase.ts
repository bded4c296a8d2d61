/**
 * The time phrase of a reminder, first or last ("/remind tomorrow 9am send the quote", "/remind
 * call Acme tomorrow", "/remind 明天上午9点给王总发报价", "/remind 给华为打电话 明天"), in English and
 * Simplified Chinese.
 *
 * Dates, weekdays and clock times are read by our own narrow grammar (time-words.ts), so that no
 * word of the reminder is taken for time unless it clearly is one, and an explicit "10:00" is
 * never moved by twelve hours. Weekday phrases go through the one rule of relative-weekday.ts,
 * whatever the language. Durations ("in 2 hours", "2小时后") are read here: an elapsed duration
 * must not be re-derived from the wall clock. chrono-node reads what is left ("next month",
 * "下个月") when it claims whole words only, none of them a digit or a word that is also common
 * text.
 *
 * The reading gives wall-clock components in the rep's zone; the instant is derived from them
 * with the zone's offset at the target date, which keeps "tomorrow 9am" at 09:00 across a DST
 * change.
 */
import { en, zh, type ParsedResult } from "chrono-node";
import { addDays, dateInZone, instantOfLocalTime, isCalendarDate, zonedClock } from "./calendar-date.js";
import { relativeWeekday } from "./relative-weekday.js";
import { chineseNumber, mayStartAt, readTimeWords, type Clock, type DayPart, type Reading } from "./time-words.js";

export interface TimePhrase {
  /** The instant the phrase means, in UTC. */
  at: Date;
  /** The words that were read as the time, as typed (for echoing back: "tomorrow 9am"). */
  matched: string;
  /** The text after the time phrase, trimmed ("send the quote"). */
  rest: string;
}

/** A time phrase found first or last in a text; `rest` is then the text without it. */
export interface PlacedTimePhrase extends TimePhrase {
  position: "start" | "end";
}

export interface TimeContext {
  now: Date;
  /** IANA zone the phrase is read in, e.g. "Asia/Shanghai", "Europe/Berlin", "America/New_York". */
  timeZone: string;
}

/** Hour used when a phrase names a day but no time ("tomorrow", "下周一", "2026-12-01"). */
const DEFAULT_HOUR = 9;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** undefined when the text does not start with a time phrase. */
export function parseTimePhrase(text: string, context: TimeContext): TimePhrase | undefined {
  const start = text.length - text.trimStart().length;
  const found = readAt(text, start, context, wallClock(context.now, context.timeZone), true);
  if (!found) return undefined;
  return { at: found.at, matched: text.slice(start, found.end), rest: restAfter(text.slice(found.end)) };
}

/**
 * The time phrase at the start of the text, else the one that ends it ("call Acme tomorrow",
 * "给华为打电话 明天", "给华为打电话明天"). A day first and its time of day last ("tomorrow call Acme
 * at 5pm") are read together. undefined when neither end holds a time phrase.
 */
export function findTimePhrase(text: string, context: TimeContext): PlacedTimePhrase | undefined {
  const start = text.length - text.trimStart().length;
  const wall = wallClock(context.now, context.timeZone);
  const first = readAt(text, start, context, wall, true);
  if (first) {
    const matched = text.slice(start, first.end);
    const rest = restAfter(text.slice(first.end));
    if (rest && first.reading?.day && !first.reading.clock && !first.reading.part) {
      // Only an ending that clearly is a time of day: "at 5pm", "下午3点"; not "prepare for 3pm".
      const last = timeAtEnd(rest, context, wall, false);
      const clearly = last && (/^at\s/i.test(last.matched) || /[\u4e00-\u9fff]/.test(last.matched));
      if (clearly && last.reading && !last.reading.day && (last.reading.clock || last.reading.part)) {
        const at = resolve({ ...last.reading, day: first.reading.day }, context, wall);
        if (at) return { at, matched: `${matched} ${last.matched}`, rest: last.rest, position: "start" };
      }
    }
    return { at: first.at, matched, rest, position: "start" };
  }
  const last = timeAtEnd(text, context, wall, true);
  return last && { at: last.at, matched: last.matched, rest: last.rest, position: "end" };
}

interface Found {
  at: Date;
  /** Index in the text just after the phrase. */
  end: number;
  /** What the grammar read, when it was the grammar. */
  reading?: Reading;
}

function restAfter(tail: string): string {
  return tail.trim().replace(/^(?:to\s+|[:：,，;；]\s*)/i, "").trim();
}

/** The earliest phrase that runs to the end of the text, with the text before it as the rest. */
function timeAtEnd(text: string, context: TimeContext, wall: WallClock, useChrono: boolean): (Found & { matched: string; rest: string }) | undefined {
  const body = text.replace(/[\s,，.。;；!！?？]+$/u, "");
  const from = body.length - body.trimStart().length;
  let best: (Found & { start: number }) | undefined;
  for (let s = from + 1; s < body.length && !best; s++) {
    if (/\s/.test(body[s]!) || !mayStartAt(body, s)) continue;
    const found = readAt(body, s, context, wall, false);
    if (found && found.end === body.length) best = { ...found, start: s };
  }
  if (useChrono) {
    const byChrono = chronoAtEnd(body, from, context, wall);
    if (byChrono && (!best || byChrono.start < best.start)) best = byChrono;
  }
  if (!best) return undefined;
  const rest = body.slice(0, best.start).replace(/[\s,，:：;；]+$/u, "").trim();
  return rest ? { ...best, matched: body.slice(best.start, best.end), rest } : undefined;
}

function readAt(text: string, start: number, context: TimeContext, wall: WallClock, useChrono: boolean): Found | undefined {
  const duration = readDuration(text, start, context, wall);
  if (duration) return duration;
  const reading = readTimeWords(text, start);
  if (reading) {
    const at = resolve(reading, context, wall);
    return at ? { at, end: reading.end, reading } : undefined;
  }
  return useChrono ? readWithChrono(text, start, context, wall) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Wall clock

interface WallClock {
  date: string;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** Offset of the zone from UTC at that instant, in minutes (Shanghai: 480). */
  offsetMinutes: number;
}

function wallClock(at: Date, timeZone: string): WallClock {
  const clock = zonedClock(at, timeZone);
  return {
    date: dateInZone(at, timeZone),
    hour: clock.hour,
    minute: clock.minute,
    second: clock.second,
    millisecond: at.getTime() - Math.floor(at.getTime() / 1000) * 1000,
    offsetMinutes: Math.round(clock.offsetMs / MINUTE),
  };
}

function localInstant(date: string, timeZone: string, hour: number, minute: number, second = 0, millisecond = 0): Date {
  return new Date(instantOfLocalTime(date, timeZone, hour, minute).getTime() + second * 1000 + millisecond);
}

function isoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

// ---------------------------------------------------------------------------------------------
// From a reading to an instant

/** The hour a part of the day means when no clock time is given ("tomorrow evening", "下午"). */
const PART_HOURS: Readonly<Record<DayPart, number>> = { early: 6, morning: 9, noon: 12, afternoon: 15, evening: 20, night: 24 };

/**
 * The 24-hour clock of a reading; hours of 24 and more fall on the next day ("晚上12点",
 * "midnight"). An HH:MM is taken as written unless am/pm or a part of the day says otherwise:
 * "10:00" is 10:00, "下午3:30" 15:30. An hour without minutes and without am/pm or a part of the
 * day ("at 3", "3点", "3点半") is read in working hours: 1 to 6 mean the afternoon.
 */
function timeOfDay(clock: Clock | undefined, part: DayPart | undefined): { hour: number; minute: number; second: number; days: number } {
  let hour: number;
  if (!clock) hour = part ? PART_HOURS[part] : DEFAULT_HOUR;
  else if (clock.midnight) hour = 24;
  else if (clock.meridiem === "am") hour = clock.hour === 12 ? 0 : clock.hour;
  else if (clock.meridiem === "pm") hour = clock.hour < 12 ? clock.hour + 12 : clock.hour;
  else if (part && clock.hour <= 12) hour = hourInPart(clock.hour, part);
  else if (!part && !clock.colon && clock.hour >= 1 && clock.hour <= 6) hour = clock.hour + 12;
  else hour = clock.hour;
  return { hour: hour % 24, minute: clock?.minute ?? 0, second: clock?.second ?? 0, days: Math.floor(hour / 24) };
}

/** "下午3点" 15:00, "晚上12点" midnight, "晚上1点" 01:00 the next day, "中午1点" 13:00, "凌晨12点" 00:00. */
function hourInPart(hour: number, part: DayPart): number {
  switch (part) {
    case "early": return hour === 12 ? 0 : hour;
    case "morning": return hour;
    case "noon": return hour <= 3 ? hour + 12 : hour;
    case "afternoon": return hour === 12 ? 12 : hour + 12;
    case "evening": return hour === 12 ? 24 : hour < 5 ? 24 + hour : hour + 12;
    case "night": return hour === 12 ? 24 : hour < 9 ? 24 + hour : hour + 12;
  }
}

function resolve(reading: Omit<Reading, "end">, context: TimeContext, now: WallClock): Date | undefined {
  const time = timeOfDay(reading.clock, reading.part);
  const on = (date: string) => localInstant(addDays(date, time.days), context.timeZone, time.hour, time.minute, time.second);
  const aheadToday = () => on(now.date).getTime() > context.now.getTime();
  const day = reading.day;
  if (!day) {
    if (!reading.clock && !reading.part) return undefined;
    // A time of day alone ("5pm", "noon", "8点", "afternoon"): today if still ahead, else tomorrow.
    return aheadToday() ? on(now.date) : on(addDays(now.date, 1));
  }
  switch (day.kind) {
    case "offset":
      return on(addDays(now.date, day.days));
    case "weekday":
      return on(relativeWeekday(now.date, day.weekday, day.relation, aheadToday()));
    case "date": {
      // A month and day without a year is the next such day (today included).
      const thisYear = Number(now.date.slice(0, 4));
      let date = isoDate(day.year ?? thisYear, day.month, day.day);
      if (day.year === undefined && date < now.date) date = isoDate(thisYear + 1, day.month, day.day);
      return isCalendarDate(date) ? on(date) : undefined;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Durations: "in 2 hours", "in 1h 30m", "in half an hour", "2 hours from now", "3 days ago",
// "3天后", "一个半小时后", "两天前"

type Unit = "second" | "minute" | "hour" | "day" | "week";

interface Amount {
  value: number;
  unit: Unit;
}

interface Amounts {
  amounts: Amount[];
  /** +1 ahead, -1 back ("ago", "前"). */
  sign: 1 | -1;
  end: number;
}

const EN_NUMBERS: Readonly<Record<string, number>> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, fifteen: 15, twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60,
};

const EN_UNITS: ReadonlyArray<readonly [RegExp, Unit]> = [
  [/^(?:s|secs?|seconds?)$/i, "second"],
  [/^(?:m|mins?|minutes?)$/i, "minute"],
  [/^(?:h|hrs?|hours?)$/i, "hour"],
  [/^(?:d|days?)$/i, "day"],
  [/^(?:w|wks?|weeks?)$/i, "week"],
];

// A number in words needs a space before its unit: "a minute", but "am" is not "a m".
const EN_AMOUNT = new RegExp(
  String.raw`(?:(\d+(?:\.\d+)?)\s*|(half\s+an?|${Object.keys(EN_NUMBERS).join("|")})\s+)` +
    String.raw`(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|wks?|w)(?![a-z])(\s+and\s+a\s+half)?`,
  "iy",
);
const EN_JOINER = /(?:\s*,\s*|\s+and\s+|\s*)/iy;
const EN_IN = /in\s+/iy;
const EN_AFTER_AMOUNTS = /\s+(from\s+now|later|ago)(?![A-Za-z0-9])/iy;

function readEnglishAmounts(text: string, start: number): { amounts: Amount[]; end: number } | undefined {
  const amounts: Amount[] = [];
  let end = start;
  for (;;) {
    let at = end;
    if (amounts.length > 0) {
      EN_JOINER.lastIndex = end;
      if (!EN_JOINER.test(text)) break;
      at = EN_JOINER.lastIndex;
    }
    EN_AMOUNT.lastIndex = at;
    const m = EN_AMOUNT.exec(text);
    if (!m) break;
    const [, digits, word, unitText = "", andAHalf] = m;
    const unit = EN_UNITS.find(([pattern]) => pattern.test(unitText))?.[1];
    if (!unit) break;
    const w = (word ?? "").toLowerCase();
    let value = digits !== undefined ? Number(digits) : /^half\s/.test(w) ? 0.5 : EN_NUMBERS[w] ?? NaN;
    if (Number.isNaN(value)) break;
    if (andAHalf) value += 0.5;
    amounts.push({ value, unit });
    end = EN_AMOUNT.lastIndex;
  }
  return amounts.length > 0 ? { amounts, end } : undefined;
}

function readEnglishDuration(text: string, start: number): Amounts | undefined {
  EN_IN.lastIndex = start;
  if (EN_IN.test(text)) {
    const read = readEnglishAmounts(text, EN_IN.lastIndex);
    return read ? { ...read, sign: 1 } : undefined;
  }
  const read = readEnglishAmounts(text, start);
  if (!read) return undefined;
  EN_AFTER_AMOUNTS.lastIndex = read.end;
  const m = EN_AFTER_AMOUNTS.exec(text);
  if (!m) return undefined;
  return { amounts: read.amounts, sign: /^ago$/i.test(m[1]!) ? -1 : 1, end: EN_AFTER_AMOUNTS.lastIndex };
}

const ZH_UNITS: Readonly<Record<string, Unit>> = {
  秒钟: "second", 秒: "second", 分钟: "minute", 分: "minute", 小时: "hour", 钟头: "hour",
  天: "day", 日: "day", 周: "week", 星期: "week", 礼拜: "week",
};

const ZH_AMOUNT = /(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十]+|半)\s*(个)?(半)?\s*(秒钟|秒|分钟|分|小时|钟头|天|日|周|星期|礼拜)(半)?/y;
const ZH_DIRECTION = /\s*(之后|以后|后|之前|以前|前)/y;

function readChineseDuration(text: string, start: number): Amounts | undefined {
  const amounts: Amount[] = [];
  let end = start;
  for (;;) {
    ZH_AMOUNT.lastIndex = end;
    const m = ZH_AMOUNT.exec(text);
    if (!m) break;
    const [, number = "", , halfBefore, unitText = "", halfAfter] = m;
    const unit = ZH_UNITS[unitText];
    const base = number === "半" ? 0.5 : chineseNumber(number);
    if (base === undefined || unit === undefined || (number === "半" && (halfBefore || halfAfter))) break;
    amounts.push({ value: base + (halfBefore ? 0.5 : 0) + (halfAfter ? 0.5 : 0), unit });
    end = ZH_AMOUNT.lastIndex;
  }
  if (amounts.length === 0) return undefined;
  ZH_DIRECTION.lastIndex = end;
  const direction = ZH_DIRECTION.exec(text);
  if (!direction) return undefined;
  return { amounts, sign: direction[1]!.endsWith("前") ? -1 : 1, end: ZH_DIRECTION.lastIndex };
}

const ELAPSED: Readonly<Record<Exclude<Unit, "day" | "week">, number>> = { second: 1000, minute: MINUTE, hour: HOUR };
const SPACES = /\s*/y;

/**
 * Hours, minutes and seconds are elapsed time ("in 2 hours" is exactly now + 2 h, DST or not);
 * whole days and weeks move the calendar date and keep the wall-clock time ("in 3 days" at
 * 10:00 is 10:00 three days later, even across a DST change), or take the time of day that
 * follows ("in 3 days at 9am", "3天后上午9点").
 */
function readDuration(text: string, start: number, context: TimeContext, wall: WallClock): Found | undefined {
  const duration = readEnglishDuration(text, start) ?? readChineseDuration(text, start);
  if (!duration) return undefined;
  let days = 0;
  let elapsed = 0;
  for (const { value, unit } of duration.amounts) {
    if (unit === "day" || unit === "week") {
      const total = value * (unit === "week" ? 7 : 1);
      days += Math.trunc(total);
      elapsed += (total - Math.trunc(total)) * 24 * HOUR;
    } else {
      elapsed += value * ELAPSED[unit];
    }
  }
  days *= duration.sign;
  elapsed *= duration.sign;
  if (days === 0 && elapsed === 0) return undefined;
  if (elapsed === 0) {
    SPACES.lastIndex = duration.end;
    SPACES.test(text);
    const then = readTimeWords(text, SPACES.lastIndex);
    if (then && !then.day && (then.clock || then.part)) {
      const at = resolve({ ...then, day: { kind: "offset", days } }, context, wall);
      if (at) return { at, end: then.end };
    }
  }
  let base = context.now;
  if (days !== 0) base = localInstant(addDays(wall.date, days), context.timeZone, wall.hour, wall.minute, wall.second, wall.millisecond);
  return { at: new Date(base.getTime() + Math.round(elapsed)), end: duration.end };
}

// ---------------------------------------------------------------------------------------------
// What the grammar does not know, through chrono ("next month", "下个月")

/** Words chrono takes for time that are common text too; a phrase with one is not read. */
const COMMON_WORDS = /\b(?:this|past|due|second|sat|sun|wed|mar|may|a|p|at|on)\b/i;

function chronoResults(text: string, context: TimeContext, wall: WallClock): ParsedResult[] {
  // The English parsers honour a reference offset. The Chinese ones read the reference with the
  // system zone's getters (getHours, getDate) and ignore the offset, so they are given a reference
  // whose system-local fields are the wall clock in the zone; their components are then that
  // wall clock too, whatever zone the process runs in.
  const [year, month, day] = wall.date.split("-").map(Number) as [number, number, number];
  const systemLocal = new Date(year, month - 1, day, wall.hour, wall.minute, wall.second, wall.millisecond);
  return [
    ...en.casual.parse(text, { instant: context.now, timezone: wall.offsetMinutes }, { forwardDate: true }),
    ...zh.hans.casual.parse(text, systemLocal, { forwardDate: true }),
  ];
}

/** chrono reads only this much text around where a phrase may be: phrases are short, texts long. */
const CHRONO_WINDOW = 80;

/** A chrono result (found at `offset + result.index` in the text) we trust; undefined for the rest. */
function trusted(text: string, offset: number, result: ParsedResult, context: TimeContext): Found | undefined {
  const start = offset + result.index;
  // chrono keeps a trailing comma ("明天，给王总"): it belongs to the separator, not the time.
  const end = start + result.text.replace(/[\s,，:：;；.。]+$/u, "").length;
  const matched = text.slice(start, end);
  const c = result.start;
  const wordy = (ch: string | undefined) => ch !== undefined && /[A-Za-z0-9]/.test(ch);
  if (wordy(text[end]) && wordy(text[end - 1])) return undefined;
  if (/[\d零〇一二两三四五六七八九十]/.test(matched) || COMMON_WORDS.test(matched)) return undefined;
  if (result.tags().has("casualReference/now") || /^(?:现在|立刻|立即|即刻)$/.test(matched)) return { at: context.now, end };
  // Weekdays and clock times are the grammar's: what chrono adds there is what we refuse.
  if (c.isCertain("weekday") || c.isCertain("hour") || result.tags().has("result/relativeDateAndTime")) return undefined;
  // "march", "May": a month alone is no time to remind at.
  if (!c.isCertain("day") && !result.tags().has("result/relativeDate")) return undefined;
  const y = c.get("year");
  const m = c.get("month");
  const d = c.get("day");
  if (y === null || m === null || d === null) return undefined;
  const date = isoDate(y, m, d);
  if (!isCalendarDate(date)) return undefined;
  return { at: localInstant(date, context.timeZone, DEFAULT_HOUR, 0), end };
}

/** Words that may stand before a phrase chrono reads without them ("on …"). */
const PREFIX = /(?:(?:at|on)\s+)/iy;

function readWithChrono(text: string, start: number, context: TimeContext, wall: WallClock): Found | undefined {
  PREFIX.lastIndex = start;
  const afterPrefix = PREFIX.test(text) ? PREFIX.lastIndex : start;
  const atStart = chronoResults(text.slice(0, afterPrefix + CHRONO_WINDOW), context, wall)
    .filter((r) => r.index === start || r.index === afterPrefix)
    .sort((a, b) => b.index + b.text.length - (a.index + a.text.length));
  const result = atStart[0];
  return result ? trusted(text, 0, result, context) : undefined;
}

function chronoAtEnd(text: string, from: number, context: TimeContext, wall: WallClock): (Found & { start: number }) | undefined {
  // Cut the window at a space, so chrono does not see half a word.
  let offset = Math.max(from, text.length - CHRONO_WINDOW);
  while (offset > from && !/\s/.test(text[offset - 1]!) && /[A-Za-z0-9]/.test(text[offset]!)) offset--;
  let best: (Found & { start: number }) | undefined;
  for (const result of chronoResults(text.slice(offset), context, wall)) {
    const start = offset + result.index;
    if (start <= from || !mayStartAt(text, start)) continue;
    const found = trusted(text, offset, result, context);
    if (!found || found.end !== text.length) continue;
    if (!best || start < best.start) best = { ...found, start };
  }
  return best;
}
