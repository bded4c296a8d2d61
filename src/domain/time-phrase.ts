/**
 * The time phrase at the start of a reminder ("/remind tomorrow 9am send the quote",
 * "/remind 明天上午9点给王总发报价"), in English and Simplified Chinese.
 *
 * chrono-node reads most phrases. Its time-zone support is a fixed UTC offset, so it is only
 * asked for the wall-clock date and time (read against `now` in the zone's offset at `now`);
 * the instant is then derived from those wall-clock components with the zone's offset at the
 * target date, which keeps "tomorrow 9am" at 09:00 across a DST change. Durations ("in 2 hours",
 * "2小时后") are read by a small parser of our own: chrono's Chinese durations are wrong, and an
 * elapsed duration must not be re-derived from the wall clock.
 */
import { en, zh, type ParsedResult } from "chrono-node";
import { addDays, dateInZone, instantOfLocalTime, zonedClock } from "./calendar-date.js";

export interface TimePhrase {
  /** The instant the phrase means, in UTC. */
  at: Date;
  /** The words that were read as the time, as typed (for echoing back: "tomorrow 9am"). */
  matched: string;
  /** The text after the time phrase, trimmed ("send the quote"). */
  rest: string;
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
  const found = readDuration(text, start, context) ?? readWithChrono(text, start, context);
  if (!found) return undefined;
  return { at: found.at, matched: text.slice(start, found.end), rest: restAfter(text.slice(found.end)) };
}

interface Found {
  at: Date;
  /** Index in the text just after the phrase. */
  end: number;
}

function restAfter(tail: string): string {
  return tail.trim().replace(/^(?:to\s+|[:：,，]\s*)/i, "").trim();
}

// ---------------------------------------------------------------------------------------------
// Wall clock

interface WallClock {
  date: string;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** 0 = Sunday. */
  weekday: number;
  /** Offset of the zone from UTC at that instant, in minutes (Shanghai: 480). */
  offsetMinutes: number;
}

function wallClock(at: Date, timeZone: string): WallClock {
  const clock = zonedClock(at, timeZone);
  const date = dateInZone(at, timeZone);
  return {
    date,
    hour: clock.hour,
    minute: clock.minute,
    second: clock.second,
    millisecond: at.getTime() - Math.floor(at.getTime() / 1000) * 1000,
    weekday: new Date(`${date}T00:00:00Z`).getUTCDay(),
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
// Durations: "in 2 hours", "in 1h 30m", "in half an hour", "3天后", "一个半小时后"

type Unit = "second" | "minute" | "hour" | "day" | "week";

interface Amount {
  value: number;
  unit: Unit;
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

const EN_AMOUNT = new RegExp(
  String.raw`(\d+(?:\.\d+)?|half\s+an?|${Object.keys(EN_NUMBERS).join("|")})\s*` +
    String.raw`(seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|wks?|w)(?![a-z])(\s+and\s+a\s+half)?`,
  "iy",
);
const EN_JOINER = /(?:\s*,\s*|\s+and\s+|\s*)/iy;

function readEnglishDuration(text: string, start: number): { amounts: Amount[]; end: number } | undefined {
  const lead = /in\s+/iy;
  lead.lastIndex = start;
  if (!lead.test(text)) return undefined;
  const amounts: Amount[] = [];
  let end = lead.lastIndex;
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
    const [, number = "", unitText = "", andAHalf] = m;
    const unit = EN_UNITS.find(([pattern]) => pattern.test(unitText))?.[1];
    if (!unit) break;
    const word = number.toLowerCase();
    let value = /^half\s/.test(word) ? 0.5 : EN_NUMBERS[word] ?? Number(number);
    if (andAHalf) value += 0.5;
    amounts.push({ value, unit });
    end = EN_AMOUNT.lastIndex;
  }
  return amounts.length > 0 ? { amounts, end } : undefined;
}

const ZH_DIGITS: Readonly<Record<string, number>> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** "3", "十", "十五", "二十", "二十五", "两" (up to 99). */
function chineseNumber(text: string): number | undefined {
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text);
  const m = /^([一二两三四五六七八九])?(十)?([一二三四五六七八九])?$/.exec(text);
  if (!m || text === "") return undefined;
  const [, tens, ten, ones] = m;
  if (!ten) return ones === undefined && tens !== undefined ? ZH_DIGITS[tens] : undefined;
  return (tens ? ZH_DIGITS[tens] ?? 0 : 1) * 10 + (ones ? ZH_DIGITS[ones] ?? 0 : 0);
}

const ZH_UNITS: Readonly<Record<string, Unit>> = {
  秒钟: "second", 秒: "second", 分钟: "minute", 分: "minute", 小时: "hour", 钟头: "hour",
  天: "day", 日: "day", 周: "week", 星期: "week", 礼拜: "week",
};

const ZH_AMOUNT = /(\d+(?:\.\d+)?|[零〇一二两三四五六七八九十]+|半)\s*(个)?(半)?\s*(秒钟|秒|分钟|分|小时|钟头|天|日|周|星期|礼拜)(半)?/y;
const ZH_AFTER = /\s*(?:之后|以后|后)/y;

function readChineseDuration(text: string, start: number): { amounts: Amount[]; end: number } | undefined {
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
  ZH_AFTER.lastIndex = end;
  if (!ZH_AFTER.test(text)) return undefined;
  return { amounts, end: ZH_AFTER.lastIndex };
}

const ELAPSED: Readonly<Record<Exclude<Unit, "day" | "week">, number>> = { second: 1000, minute: MINUTE, hour: HOUR };

/**
 * Hours, minutes and seconds are elapsed time ("in 2 hours" is exactly now + 2 h, DST or not);
 * whole days and weeks move the calendar date and keep the wall-clock time ("in 3 days" at
 * 10:00 is 10:00 three days later, even across a DST change).
 */
function readDuration(text: string, start: number, context: TimeContext): Found | undefined {
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
  if (days === 0 && elapsed === 0) return undefined;
  // "in 3 days at 9am", "3天后上午9点": chrono reads the whole phrase with its time of day.
  if (elapsed === 0) {
    const longer = readWithChrono(text, start, context);
    if (longer && longer.end > duration.end && longer.hasTime) return longer;
  }
  let base = context.now;
  if (days !== 0) {
    const wall = wallClock(context.now, context.timeZone);
    base = localInstant(addDays(wall.date, days), context.timeZone, wall.hour, wall.minute, wall.second, wall.millisecond);
  }
  return { at: new Date(base.getTime() + Math.round(elapsed)), end: duration.end };
}

// ---------------------------------------------------------------------------------------------
// Dates and times through chrono

/** Words that may stand before a phrase chrono reads without them ("at noon", "本周五"). */
const PREFIX = /(?:(?:at|on)\s+|本(?=周|星期|礼拜))/iy;

/** Day-parts without a clock time, and the hour they mean. "afternoon" before "noon". */
const DAY_PARTS: ReadonlyArray<readonly [RegExp, number]> = [
  [/midnight|午夜|半夜/i, 0],
  [/tonight|evening|night|今晚|明晚|晚上|傍晚/i, 20],
  [/afternoon|下午/i, 15],
  [/noon|midday|中午/i, 12],
  [/morning|上午|早上|早晨|明早|清早/i, 9],
];

/** Phrases that pin the day to today, so a time already gone is not moved to tomorrow. */
const TODAY = /\b(?:this|today|tonight)\b|今/i;

/** Weekday abbreviations that are also common words ("sun rises"): not a time on their own. */
const AMBIGUOUS_ALONE = /^(?:sun|sat)$/i;

function readWithChrono(text: string, start: number, context: TimeContext): (Found & { hasTime: boolean }) | undefined {
  const wall = wallClock(context.now, context.timeZone);
  // The English parsers honour a reference offset. The Chinese ones read the reference with the
  // system zone's getters (getHours, getDate) and ignore the offset, so they are given a reference
  // whose system-local fields are the wall clock in the zone; their components are then that
  // wall clock too, whatever zone the process runs in.
  const [year, month, day] = wall.date.split("-").map(Number) as [number, number, number];
  const systemLocal = new Date(year, month - 1, day, wall.hour, wall.minute, wall.second, wall.millisecond);
  const candidates = [
    ...en.casual.parse(text, { instant: context.now, timezone: wall.offsetMinutes }, { forwardDate: true }),
    ...zh.hans.casual.parse(text, systemLocal, { forwardDate: true }),
  ];
  PREFIX.lastIndex = start;
  const afterPrefix = PREFIX.test(text) ? PREFIX.lastIndex : start;
  const atStart = candidates
    .filter((r) => r.index === start || r.index === afterPrefix)
    .sort((a, b) => b.index + b.text.length - (a.index + a.text.length));
  const result = atStart[0];
  if (!result) return undefined;
  // chrono keeps a trailing comma ("明天，给王总"): it belongs to the separator, not the time.
  const end = result.index + result.text.replace(/[\s,，:：;；.。]+$/u, "").length;
  const matched = text.slice(start, end);
  const at = instantOf(result, matched, context, wall);
  return at ? { at, end, hasTime: result.start.isCertain("hour") } : undefined;
}

function instantOf(result: ParsedResult, matched: string, context: TimeContext, now: WallClock): Date | undefined {
  const c = result.start;
  const certain = (component: "year" | "month" | "day" | "weekday" | "hour") => c.isCertain(component);
  const relative = result.tags().has("result/relativeDate");
  // "march", "May": a month alone is no time to remind at.
  if ((certain("year") || certain("month")) && !certain("day") && !certain("weekday") && !certain("hour") && !relative) return undefined;
  if (AMBIGUOUS_ALONE.test(matched.trim())) return undefined;
  if (result.tags().has("casualReference/now") || /^(?:现在|立刻|立即|即刻)/.test(matched)) return context.now;
  // "2 hours later", "30 minutes from now": elapsed time. chrono added it in a fixed offset,
  // which is exact elapsed arithmetic; re-deriving it from the wall clock would not be.
  if (result.tags().has("result/relativeDateAndTime")) return result.start.date();

  let hour: number;
  let minute = 0;
  let second = 0;
  if (certain("hour")) {
    hour = c.get("hour") ?? DEFAULT_HOUR;
    minute = c.get("minute") ?? 0;
    second = c.isCertain("second") ? c.get("second") ?? 0 : 0;
  } else {
    hour = DAY_PARTS.find(([pattern]) => pattern.test(matched))?.[1] ?? DEFAULT_HOUR;
  }
  const at = (date: string) => localInstant(date, context.timeZone, hour, minute, second);

  const chineseWeek = /^(上|下|这|本)(?:个)?(?:周|星期|礼拜)/.exec(matched);
  if (certain("weekday") && (chineseWeek || !certain("day"))) {
    // The day is worked out here: chrono's forwardDate puts "Friday 15:30" said on a Friday
    // morning a week ahead and reads "last Monday" as the next one, and its Chinese weeks start
    // on Sunday ("下周一" said on a Sunday would be eight days ahead, not tomorrow).
    const weekday = c.get("weekday") ?? now.weekday;
    const ahead = (weekday - now.weekday + 7) % 7;
    const sinceMonday = (d: number) => (d + 6) % 7;
    let days: number;
    if (chineseWeek) {
      const weeks = chineseWeek[1] === "下" ? 1 : chineseWeek[1] === "上" ? -1 : 0;
      days = 7 * weeks + sinceMonday(weekday) - sinceMonday(now.weekday);
    } else if (/\b(?:last|past|previous)\b/i.test(matched)) days = ahead - 7;
    else if (/\bnext\b/i.test(matched)) days = ahead === 0 ? 7 : ahead;
    else days = ahead === 0 && at(now.date).getTime() <= context.now.getTime() ? 7 : ahead;
    return at(addDays(now.date, days));
  }

  if (!certain("day") && !certain("month") && !certain("year")) {
    // A time of day alone ("5pm", "noon", "8点", "afternoon"): today if still ahead, else
    // tomorrow; "this afternoon" stays today. (chrono's forwardDate moves "this afternoon" said
    // at 16:00 to tomorrow, so its date is not used here.)
    const today = at(now.date);
    if (today.getTime() > context.now.getTime() || TODAY.test(matched)) return today;
    return at(addDays(now.date, 1));
  }

  const year = c.get("year");
  const month = c.get("month");
  const day = c.get("day");
  if (year === null || month === null || day === null) return undefined;
  return at(isoDate(year, month, day));
}
