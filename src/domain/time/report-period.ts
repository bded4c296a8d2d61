/**
 * Report periods ("this quarter", "last 30 days", "本季度", "最近三十天") read from chat text and
 * turned into instants in the team's time zone.
 *
 * Calendar periods begin and end at local midnights, found from the calendar date in the zone,
 * so a month or week that contains a DST change is an hour shorter or longer than its nominal
 * length. "Last N days" has no zone: it is N × 24 h of elapsed time up to now.
 */
import { addDays, dateInZone, instantOfLocalTime, zonedClock } from "./calendar-date.js";

export type PeriodUnit = "day" | "week" | "month" | "quarter" | "year";

type LabelKey =
  | "today" | "yesterday" | "thisWeek" | "lastWeek" | "thisMonth" | "lastMonth"
  | "thisQuarter" | "lastQuarter" | "thisYear" | "lastYear" | "lastDays";

export interface ReportPeriod {
  /** Stable description for labels and i18n: */
  label: { key: LabelKey; days?: number };
  /** Start, inclusive. */
  from: Date;
  /** End, exclusive: the next calendar boundary for calendar periods (so "this month" ends at the start of next month), or `now` for "last N days". */
  to: Date;
  /** The period just before, of the same kind and length in calendar terms (last month for this month; the N days before for last N days). */
  previous: { from: Date; to: Date };
}

export const MAX_LAST_DAYS = 3660;

const DAY_MS = 24 * 60 * 60 * 1000;

// ---------------------------------------------------------------------------------------------
// Periods

/** [current, previous]: the label vocabulary names only these two offsets. */
const LABELS: Readonly<Record<PeriodUnit, readonly [LabelKey, LabelKey]>> = {
  day: ["today", "yesterday"],
  week: ["thisWeek", "lastWeek"],
  month: ["thisMonth", "lastMonth"],
  quarter: ["thisQuarter", "lastQuarter"],
  year: ["thisYear", "lastYear"],
};

/**
 * The calendar period containing `now` (offset 0), or `offset` periods before it (-1 = the previous one).
 * Only 0 and -1 are accepted: a period further back would have no label to show it by.
 */
export function calendarPeriod(unit: PeriodUnit, now: Date, timeZone: string, offset = 0): ReportPeriod {
  if (offset !== 0 && offset !== -1) throw new RangeError(`calendarPeriod offset must be 0 or -1, not ${offset}`);
  checkInstant(now);
  const start = shift(unit, firstDateOf(unit, dateInZone(now, timeZone)), offset);
  const from = startOfDay(start, timeZone);
  return {
    label: { key: LABELS[unit][offset === 0 ? 0 : 1] },
    from,
    to: startOfDay(shift(unit, start, 1), timeZone),
    previous: { from: startOfDay(shift(unit, start, -1), timeZone), to: new Date(from.getTime()) },
  };
}

/** The N days up to now: [now - N days, now). */
export function lastDays(days: number, now: Date): ReportPeriod {
  if (!isDayCount(days)) throw new RangeError(`lastDays needs a whole number of days from 1 to ${MAX_LAST_DAYS}, not ${days}`);
  checkInstant(now);
  const span = days * DAY_MS;
  const from = new Date(now.getTime() - span);
  return {
    label: { key: "lastDays", days },
    from,
    to: new Date(now.getTime()),
    previous: { from: new Date(from.getTime() - span), to: new Date(from.getTime()) },
  };
}

function isDayCount(days: number): boolean {
  return Number.isInteger(days) && days >= 1 && days <= MAX_LAST_DAYS;
}

function checkInstant(now: Date): void {
  // An invalid date would otherwise come back as a period of invalid dates, not as an error.
  if (Number.isNaN(now.getTime())) throw new RangeError("now is an invalid date");
}

/** The first calendar date of the period of `unit` that contains `date`. */
function firstDateOf(unit: PeriodUnit, date: string): string {
  const [year, month] = yearMonth(date);
  switch (unit) {
    case "day":
      return date;
    case "week": {
      const sinceMonday = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
      return addDays(date, -sinceMonday);
    }
    case "month":
      return monthStart(year, month);
    case "quarter":
      return monthStart(year, month - ((month - 1) % 3));
    case "year":
      return monthStart(year, 1);
  }
}

/** The first date of the period `count` periods after the one starting on `start`. */
function shift(unit: PeriodUnit, start: string, count: number): string {
  if (unit === "day") return addDays(start, count);
  if (unit === "week") return addDays(start, 7 * count);
  const months = count * (unit === "month" ? 1 : unit === "quarter" ? 3 : 12);
  const [year, month] = yearMonth(start);
  const index = year * 12 + (month - 1) + months;
  return monthStart(Math.floor(index / 12), (index % 12) + 1);
}

function yearMonth(date: string): [number, number] {
  return [Number(date.slice(0, 4)), Number(date.slice(5, 7))];
}

function monthStart(year: number, month: number): string {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-01`;
}

/**
 * The first instant of a calendar date in a zone. Usually local midnight; but where a DST change
 * falls at midnight (America/Santiago, America/Havana) midnight does not exist, and
 * `instantOfLocalTime` answers with 23:00 of the day before, so the day's real start is searched
 * for: the first instant whose date in the zone is no longer before `date`.
 */
function startOfDay(date: string, timeZone: string): Date {
  const guess = instantOfLocalTime(date, timeZone, 0, 0);
  const clock = zonedClock(guess, timeZone);
  const isMidnight = clock.hour === 0 && clock.minute === 0 && clock.second === 0;
  if (isMidnight && dateInZone(guess, timeZone) === date && dateInZone(new Date(guess.getTime() - 1), timeZone) < date) return guess;
  // No zone's offset moves by more than a day, so the start lies within a day of the guess.
  let before = guess.getTime() - DAY_MS;
  let atOrAfter = guess.getTime() + DAY_MS;
  while (atOrAfter - before > 1) {
    const middle = Math.floor((before + atOrAfter) / 2);
    if (dateInZone(new Date(middle), timeZone) < date) before = middle;
    else atOrAfter = middle;
  }
  return new Date(atOrAfter);
}

// ---------------------------------------------------------------------------------------------
// Phrases

/** What a phrase names, before it is placed in time. */
type Phrase = { unit: PeriodUnit; offset: 0 | -1 } | { days: number };

interface Matcher {
  /** Finds the phrase anywhere. */
  find: RegExp;
  /** The phrase and nothing after it, from `lastIndex`. */
  whole: RegExp;
  read: (match: RegExpExecArray) => Phrase | undefined;
}

function matcher(source: string, read: (match: RegExpExecArray) => Phrase | undefined): Matcher {
  return { find: new RegExp(source, "giu"), whole: new RegExp(String.raw`(?:${source})$`, "iyu"), read };
}

function fixed(unit: PeriodUnit, offset: 0 | -1): () => Phrase {
  return () => ({ unit, offset });
}

function count(text: string | undefined): Phrase | undefined {
  if (text === undefined) return undefined;
  const days = /^\d+$/.test(text) ? Number(text) : chineseNumeral(text);
  return days !== undefined && isDayCount(days) ? { days } : undefined;
}

/** Chinese words are matched with any spacing between their characters. */
function zh(...words: string[]): string {
  return words.map((word) => [...word].join(String.raw`\s*`)).join("|");
}

/**
 * A Latin word or number goes on through these; an English phrase must not be next to one, so
 * "monthly", "weekly", "year-over-year" and "v30d" are not read. Han characters are not in the
 * set: "last quarter的CSAT" is ordinary mixed writing.
 */
const WORDISH = String.raw`[\p{sc=Latin}\p{Nd}\p{M}_\-]`;
const NOT_AFTER_WORD = String.raw`(?<!${WORDISH})`;
const NOT_BEFORE_WORD = String.raw`(?!${WORDISH})`;
/** A number must not be cut out of "1.5 days" or "2026-30d" either. */
const NOT_AFTER_NUMBER = String.raw`(?<![\p{sc=Latin}\p{Nd}\p{M}_.\-])`;

/**
 * Words before a bare unit that make it some other week or month, or none: "next month", "per year",
 * "a week", "sales by month", the second half of "year over year".
 * Placed after the unit it checks: a lookbehind tried at every position would rescan whitespace runs.
 */
const NOT_THIS_UNIT = String.raw`(?<!\b(?:next|upcoming|coming|following|previous|prior|past|per|a|an|every|each|one|that|same|another|first|over|on|to|by|after)\s+(?:week|month|quarter|year))`;
/** "month over month", "year on year", "week to date", "month of May". */
const NOT_UNIT_IDIOM = String.raw`(?!\s+(?:over|on|to|by|after|of)${NOT_BEFORE_WORD})`;
/** Words before a bare count that make it a span other than the last N days: "next 30 days", "every 7 days". Placed after the count, as above. */
const NOT_PAST_COUNT = String.raw`(?<!\b(?:next|upcoming|coming|following|first|every|each|per|another)\s+\d+)`;
/** "30 days ago" and "3 days later" are points in time, not the days up to now. */
const NOT_POINT = String.raw`(?!\s*(?:ago|later|earlier|before|after|hence|from\s+now)${NOT_BEFORE_WORD})`;

const ZH_NUMERAL = "零〇一二两三四五六七八九十百千";
const ZH_COUNT = String.raw`(\d+|[${ZH_NUMERAL}]+)`;
/**
 * "30天前" (30 days ago) and "3天后" are points in time; but "30天前十大客户" is the top ten of the
 * last 30 days, so 前 followed by a number does not count.
 */
const ZH_NOT_POINT = String.raw`(?!\s*[以之]?[前后後](?!\s*[\d${ZH_NUMERAL}]))`;
/** "上上周" is the week before last, not last week. */
const ZH_NOT_TWICE_BACK = "(?<!上)";
/** "上周五" is last Friday, "本周末" this weekend, "本周期" this cycle: not the whole week. */
const ZH_NOT_WEEKDAY = String.raw`(?!\s*[一二三四五六日天末期])`;

const UNIT_WORDS: Readonly<Record<string, PeriodUnit>> = { week: "week", month: "month", quarter: "quarter", year: "year" };
const TO_DATE: Readonly<Record<string, PeriodUnit>> = { mtd: "month", qtd: "quarter", ytd: "year" };

/**
 * A regex takes the first alternative that fits, not the longest, so within a pattern the longer
 * words come first (本季度 before 本季); across patterns findPeriod keeps the longest.
 */
const MATCHERS: readonly Matcher[] = [
  matcher(String.raw`${NOT_AFTER_WORD}(today|yesterday)${NOT_BEFORE_WORD}`, (m) =>
    ({ unit: "day", offset: m[1]?.toLowerCase() === "today" ? 0 : -1 })),
  matcher(String.raw`${NOT_AFTER_WORD}(this|last)\s+(week|month|quarter|year)${NOT_BEFORE_WORD}`, (m) => {
    const unit = UNIT_WORDS[m[2]?.toLowerCase() ?? ""];
    return unit && { unit, offset: m[1]?.toLowerCase() === "this" ? 0 : -1 };
  }),
  matcher(String.raw`${NOT_AFTER_WORD}(week|month|quarter|year)${NOT_THIS_UNIT}${NOT_BEFORE_WORD}${NOT_UNIT_IDIOM}`, (m) => {
    const unit = UNIT_WORDS[m[1]?.toLowerCase() ?? ""];
    return unit && { unit, offset: 0 };
  }),
  matcher(String.raw`${NOT_AFTER_WORD}(ytd|mtd|qtd)${NOT_BEFORE_WORD}`, (m) => {
    const unit = TO_DATE[m[1]?.toLowerCase() ?? ""];
    return unit && { unit, offset: 0 };
  }),
  matcher(String.raw`${NOT_AFTER_WORD}(?:last|past)\s*(\d+)\s*(?:days?|d)${NOT_BEFORE_WORD}${NOT_POINT}`, (m) => count(m[1])),
  matcher(String.raw`${NOT_AFTER_NUMBER}(\d+)(?!\d)${NOT_PAST_COUNT}\s*(?:days?|d)${NOT_BEFORE_WORD}${NOT_POINT}`, (m) => count(m[1])),

  matcher(zh("今天"), fixed("day", 0)),
  matcher(zh("昨天"), fixed("day", -1)),
  matcher(`(?:${zh("本周", "这周", "这个星期", "本星期", "这星期")})${ZH_NOT_WEEKDAY}`, fixed("week", 0)),
  matcher(`${ZH_NOT_TWICE_BACK}(?:${zh("上周", "上个星期", "上星期")})${ZH_NOT_WEEKDAY}`, fixed("week", -1)),
  matcher(zh("本月", "这个月", "当月"), fixed("month", 0)),
  matcher(`${ZH_NOT_TWICE_BACK}(?:${zh("上个月", "上月")})`, fixed("month", -1)),
  matcher(zh("本季度", "这个季度", "本季"), fixed("quarter", 0)),
  matcher(`${ZH_NOT_TWICE_BACK}(?:${zh("上季度", "上个季度", "上季")})`, fixed("quarter", -1)),
  matcher(zh("今年", "本年度", "本年"), fixed("year", 0)),
  // 上年纪 is "elderly", not last year.
  matcher(`${ZH_NOT_TWICE_BACK}(?:${zh("去年", "上一年", "上年度")}|上\\s*年(?!纪))`, fixed("year", -1)),
  // 接近/将近三十天 is "nearly thirty days"; 日 only after 最近/近/过去, since a bare "5日" is the 5th.
  matcher(String.raw`(?:${zh("最近", "过去")}|(?<![接将附])近)(?:\s*的)?\s*${ZH_COUNT}\s*[天日]${ZH_NOT_POINT}`, (m) => count(m[1])),
  // Not a count that is part of a longer number, an ordinal (第三十天), "every day" (每一天) and the
  // like, "the first/next 30 days" (前/后/头/未来30天), or what the prefixed form above declined.
  matcher(String.raw`(?<![\d.${ZH_NUMERAL}\p{sc=Latin}第每这那哪有前后头来过近])${ZH_COUNT}\s*天${ZH_NOT_POINT}`, (m) => count(m[1])),
];

/** Words that may stand before a phrase that is the whole text: "for last month", "over the past 7 days". */
const LEAD = /(?:(?:in|for|over|during|within)\s+)?(?:the\s+)?/iy;

/** Finds a period phrase anywhere in a text; returns it and where it was (so callers can cut it out), or undefined. */
export function findPeriod(text: string, now: Date, timeZone: string): { period: ReportPeriod; index: number; length: number } | undefined {
  const normal = normalize(text);
  let best: { phrase: Phrase; start: number; end: number } | undefined;
  for (const { find, read } of MATCHERS) {
    find.lastIndex = 0;
    for (let m = find.exec(normal.text); m; m = find.exec(normal.text)) {
      if (best && m.index > best.start) break;
      const phrase = read(m);
      if (phrase) {
        const end = m.index + m[0].length;
        if (!best || m.index < best.start || end > best.end) best = { phrase, start: m.index, end };
        break;
      }
      // A match that is not a period ("last 0 days") may overlap one that is.
      find.lastIndex = m.index + 1;
    }
  }
  if (!best) return undefined;
  return { period: periodOf(best.phrase, now, timeZone), ...normal.inOriginal(best.start, best.end) };
}

/** The whole text (trimmed) is a period phrase; undefined otherwise (including for empty text). */
export function parsePeriod(text: string, now: Date, timeZone: string): ReportPeriod | undefined {
  const normal = normalize(text).text.trim();
  LEAD.lastIndex = 0;
  const start = LEAD.test(normal) ? LEAD.lastIndex : 0;
  if (start === normal.length) return undefined;
  for (const { whole, read } of MATCHERS) {
    whole.lastIndex = start;
    const m = whole.exec(normal);
    const phrase = m ? read(m) : undefined;
    if (phrase) return periodOf(phrase, now, timeZone);
  }
  return undefined;
}

function periodOf(phrase: Phrase, now: Date, timeZone: string): ReportPeriod {
  return "days" in phrase ? lastDays(phrase.days, now) : calendarPeriod(phrase.unit, now, timeZone, phrase.offset);
}

// ---------------------------------------------------------------------------------------------
// Text

interface Normalized {
  text: string;
  /** Where a span of `text` came from in the text as typed, so callers cut out what the user typed. */
  inOriginal(start: number, end: number): { index: number; length: number };
}

/**
 * NFKC, so full-width digits and letters read as ASCII. NFKC can change the length ("㍿" becomes
 * four characters), so each character with its combining marks is normalised on its own and the
 * positions it produced remember where it was.
 */
function normalize(original: string): Normalized {
  if (original.normalize("NFKC") === original) {
    return { text: original, inOriginal: (start, end) => ({ index: start, length: end - start }) };
  }
  let text = "";
  const starts: number[] = [];
  const ends: number[] = [];
  for (const m of original.matchAll(/\P{M}\p{M}*|\p{M}+/gu)) {
    const piece = m[0].normalize("NFKC");
    text += piece;
    for (let i = 0; i < piece.length; i++) {
      starts.push(m.index);
      ends.push(m.index + m[0].length);
    }
  }
  return {
    text,
    inOriginal: (start, end) => {
      const index = starts[start] ?? original.length;
      return { index, length: (ends[end - 1] ?? index) - index };
    },
  };
}

const ZH_DIGITS: Readonly<Record<string, number>> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const ZH_UNITS: Readonly<Record<string, number>> = { 十: 10, 百: 100, 千: 1000 };

/** "七", "十四", "三十", "一百零五", "三百六十五", "一百八" (180); undefined when not a well-formed numeral. */
function chineseNumeral(text: string): number | undefined {
  let total = 0;
  let digit: number | undefined;
  let lastUnit = Infinity;
  let afterZero = false;
  for (const ch of text) {
    const unit = ZH_UNITS[ch];
    if (unit !== undefined) {
      const multiplier = digit ?? (unit === 10 ? 1 : undefined);
      if (multiplier === undefined || unit >= lastUnit) return undefined;
      total += multiplier * unit;
      lastUnit = unit;
      digit = undefined;
      afterZero = false;
      continue;
    }
    const value = ZH_DIGITS[ch];
    if (value === undefined || digit !== undefined) return undefined;
    if (value === 0) {
      // 零 only marks a skipped place inside a number ("一百零五").
      if (total === 0 || afterZero) return undefined;
      afterZero = true;
    } else {
      digit = value;
    }
  }
  if (digit === undefined) return afterZero ? undefined : total;
  // "一百八" is spoken for 180: a last digit straight after 百 or 千 counts in the next place down.
  return total + (lastUnit > 10 && lastUnit !== Infinity && !afterZero ? (digit * lastUnit) / 10 : digit);
}
