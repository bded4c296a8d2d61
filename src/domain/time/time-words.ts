/**
 * Reads the words of a time phrase, in English and Simplified Chinese, into its parts: a day
 * ("tomorrow", "next friday", "下下周一", "Dec 3", "12月3日"), a clock time ("10:00", "3pm",
 * "下午3点半") and a part of the day ("evening", "晚上"). It says where the phrase ends and
 * nothing about instants: time-phrase.ts turns a reading into one.
 *
 * The grammar is ours, and narrow on purpose: a word is read as time only when it clearly is
 * one, so "past due invoice" keeps its "past", "may call back" its "may", "call Sun Li" its
 * "Sun", "10:00 pending" its "p", and "send the second quote" its "second". chrono-node reads
 * such words greedily (and "10:00 past" as 22:00).
 */
import type { WeekRelation } from "./relative-weekday.js";

export type Day =
  | { kind: "offset"; days: number }
  | { kind: "weekday"; weekday: number; relation: WeekRelation }
  | { kind: "date"; year?: number; month: number; day: number };

export interface Clock {
  hour: number;
  minute: number;
  second: number;
  /** Written "am"/"pm" (or "a.m."/"p.m."). */
  meridiem?: "am" | "pm";
  /** Written as HH:MM ("3:00", "15:30") or named ("noon"): the hour is taken as written, never moved by 12. */
  colon: boolean;
  /** "midnight": the end of the day it belongs to. */
  midnight?: boolean;
}

/** early = 凌晨; night = 夜里/半夜/午夜. */
export type DayPart = "early" | "morning" | "noon" | "afternoon" | "evening" | "night";

export interface Reading {
  day?: Day;
  clock?: Clock;
  part?: DayPart;
  /** Index in the text just after the last word of the phrase. */
  end: number;
}

/** What an English word needs after it: not a letter or digit ("tomorrow" but not "tomorrows"). */
const ENGLISH_END = String.raw`(?![A-Za-z0-9])`;

const EN_WEEKDAYS: Readonly<Record<string, number>> = {
  sunday: 0, sun: 0, monday: 1, mon: 1, tuesday: 2, tues: 2, tue: 2, wednesday: 3, weds: 3, wed: 3,
  thursday: 4, thurs: 4, thur: 4, thu: 4, friday: 5, fri: 5, saturday: 6, sat: 6,
};
/** Abbreviations that are also words or names ("sat down", "Sun Li", "wed", "Thu"). */
const COMMON_WORD_WEEKDAYS = new Set(["sun", "sat", "wed", "thu"]);

const EN_MONTHS: Readonly<Record<string, number>> = {
  january: 1, jan: 1, february: 2, feb: 2, march: 3, mar: 3, april: 4, apr: 4, may: 5, june: 6, jun: 6,
  july: 7, jul: 7, august: 8, aug: 8, september: 9, sept: 9, sep: 9, october: 10, oct: 10,
  november: 11, nov: 11, december: 12, dec: 12,
};

const byLength = (words: Iterable<string>) => [...words].sort((a, b) => b.length - a.length).join("|");
const WEEKDAY_WORDS = byLength(Object.keys(EN_WEEKDAYS));
const MONTH_WORDS = byLength(Object.keys(EN_MONTHS));

const ZH_WEEKDAY: Readonly<Record<string, number>> = { 日: 0, 天: 0, 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6 };
const ZH_DIGITS: Readonly<Record<string, number>> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** "3", "十", "十五", "二十", "二十五", "两" (up to 99). */
export function chineseNumber(text: string): number | undefined {
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text);
  const m = /^([一二两三四五六七八九])?(十)?([一二三四五六七八九])?$/.exec(text);
  if (!m || text === "") return undefined;
  const [, tens, ten, ones] = m;
  if (!ten) return ones === undefined && tens !== undefined ? ZH_DIGITS[tens] : undefined;
  return (tens ? ZH_DIGITS[tens] ?? 0 : 1) * 10 + (ones ? ZH_DIGITS[ones] ?? 0 : 0);
}

/** "二〇二六" -> 2026. */
function chineseYear(text: string): number | undefined {
  if (/^\d{4}$/.test(text)) return Number(text);
  const digits = [...text].map((c) => ZH_DIGITS[c]);
  return digits.length === 4 && digits.every((d) => d !== undefined) ? Number(digits.join("")) : undefined;
}

const CN_NUMBER = "[零〇一二两三四五六七八九十]+";

type Piece = Partial<Omit<Reading, "end">> & { end: number };

/** How the piece before was joined to this one: "at" and "on" change what a bare word means. */
interface Joint {
  at: boolean;
  on: boolean;
}

type PieceReader = (text: string, pos: number, joint: Joint) => Piece | undefined;

function sticky(source: string): RegExp {
  return new RegExp(source, "iy");
}

function exec(re: RegExp, text: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(text);
}

function validClock(hour: number, minute: number, second = 0): boolean {
  return Number.isInteger(hour) && hour >= 0 && hour <= 24 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59 && (hour < 24 || minute + second === 0);
}

// ---------------------------------------------------------------------------------------------
// English

const MERIDIEM = String.raw`(a\.m\.|p\.m\.|am|pm)${ENGLISH_END}`;
const EN_COLON_TIME = sticky(String.raw`(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*${MERIDIEM})?${ENGLISH_END}`);
const EN_MERIDIEM_TIME = sticky(String.raw`(\d{1,2})(?:\.(\d{2}))?\s*${MERIDIEM}`);
const EN_OCLOCK = sticky(String.raw`(\d{1,2})\s*o['’]?clock${ENGLISH_END}`);
const EN_NAMED_TIME = sticky(String.raw`(?:12\s+)?(noon|midday|midnight)${ENGLISH_END}`);
/** "at 3": an hour alone is a time only after "at". */
const EN_BARE_HOUR = sticky(String.raw`(\d{1,2})(?![A-Za-z0-9:]|\.\d)`);

function meridiemOf(word: string | undefined): "am" | "pm" | undefined {
  if (!word) return undefined;
  return word.toLowerCase().startsWith("a") ? "am" : "pm";
}

const readEnglishClock: PieceReader = (text, pos, joint) => {
  let m = exec(EN_COLON_TIME, text, pos);
  if (m) {
    const [hour, minute, second] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
    const meridiem = meridiemOf(m[4]);
    if (!validClock(hour, minute, second) || (meridiem && (hour === 0 || hour > 12))) return undefined;
    return { clock: { hour, minute, second, colon: true, ...(meridiem ? { meridiem } : {}) }, end: pos + m[0].length };
  }
  m = exec(EN_MERIDIEM_TIME, text, pos);
  if (m) {
    const [hour, minute] = [Number(m[1]), Number(m[2] ?? 0)];
    if (hour < 1 || hour > 12 || minute > 59) return undefined;
    return { clock: { hour, minute, second: 0, colon: false, meridiem: meridiemOf(m[3]) ?? "am" }, end: pos + m[0].length };
  }
  m = exec(EN_OCLOCK, text, pos);
  if (m) {
    const hour = Number(m[1]);
    return hour <= 24 ? { clock: { hour, minute: 0, second: 0, colon: false }, end: pos + m[0].length } : undefined;
  }
  m = exec(EN_NAMED_TIME, text, pos);
  if (m) {
    const midnight = m[1]!.toLowerCase() === "midnight";
    return { clock: { hour: midnight ? 0 : 12, minute: 0, second: 0, colon: true, ...(midnight ? { midnight } : {}) }, end: pos + m[0].length };
  }
  if (joint.at) {
    m = exec(EN_BARE_HOUR, text, pos);
    if (m && Number(m[1]) <= 24) return { clock: { hour: Number(m[1]), minute: 0, second: 0, colon: false }, end: pos + m[0].length };
  }
  return undefined;
};

const EN_OFFSETS: ReadonlyArray<readonly [RegExp, Omit<Piece, "end">]> = [
  [sticky(String.raw`(?:the\s+)?day\s+after\s+tomorrow${ENGLISH_END}`), { day: { kind: "offset", days: 2 } }],
  [sticky(String.raw`(?:the\s+)?day\s+before\s+yesterday${ENGLISH_END}`), { day: { kind: "offset", days: -2 } }],
  [sticky(String.raw`(?:tomorrow|tmrw|tmr)${ENGLISH_END}`), { day: { kind: "offset", days: 1 } }],
  [sticky(String.raw`today${ENGLISH_END}`), { day: { kind: "offset", days: 0 } }],
  [sticky(String.raw`yesterday${ENGLISH_END}`), { day: { kind: "offset", days: -1 } }],
  [sticky(String.raw`tonight${ENGLISH_END}`), { day: { kind: "offset", days: 0 }, part: "evening" }],
  [sticky(String.raw`this\s+morning${ENGLISH_END}`), { day: { kind: "offset", days: 0 }, part: "morning" }],
  [sticky(String.raw`this\s+afternoon${ENGLISH_END}`), { day: { kind: "offset", days: 0 }, part: "afternoon" }],
  [sticky(String.raw`this\s+evening${ENGLISH_END}`), { day: { kind: "offset", days: 0 }, part: "evening" }],
];

const readEnglishOffset: PieceReader = (text, pos) => {
  for (const [re, piece] of EN_OFFSETS) {
    const m = exec(re, text, pos);
    if (m) return { ...piece, end: pos + m[0].length };
  }
  return undefined;
};

const RELATIONS: Readonly<Record<string, WeekRelation>> = {
  this: "this", next: "next", coming: "coming", last: "last", past: "last", previous: "last",
};

const EN_WEEKDAY = sticky(
  String.raw`(?:(this|next|coming|last|past|previous)\s+(?:week(?:'s)?\s+(?:on\s+)?)?)?(${WEEKDAY_WORDS})\.?` +
    String.raw`(?:\s+(after\s+next|(?:this|next|last)\s+week))?${ENGLISH_END}`,
);
const EN_WEEK = sticky(String.raw`(next|last)\s+week${ENGLISH_END}(?!'|’)`);
/** What may follow a weekday abbreviation that is also a word, for it to count as a day. */
const CLOCK_AFTER = /\s*(?:,\s*)?(?:(at)\s+)?/iy;

const readEnglishWeekday: PieceReader = (text, pos, joint) => {
  const m = exec(EN_WEEKDAY, text, pos);
  if (m) {
    const [, before, word = "", after] = m;
    const weekday = EN_WEEKDAYS[word.toLowerCase()];
    if (weekday === undefined) return undefined;
    let relation: WeekRelation = before ? RELATIONS[before.toLowerCase()] ?? "coming" : "coming";
    if (after) {
      const a = after.toLowerCase().replace(/\s+/g, " ");
      relation = a === "after next" ? "afterNext" : a.startsWith("this") ? "this" : a.startsWith("next") ? "next" : "last";
    }
    const end = pos + m[0].length;
    if (!before && !after && !joint.on && COMMON_WORD_WEEKDAYS.has(word.toLowerCase())) {
      // "sat down", "Sun Li": only a day when a clock time follows ("sat 10am") or "on" came before.
      const gap = exec(CLOCK_AFTER, text, end);
      if (!gap || !readEnglishClock(text, end + gap[0].length, { at: gap[1] !== undefined, on: false })) return undefined;
    }
    return { day: { kind: "weekday", weekday, relation }, end };
  }
  const week = exec(EN_WEEK, text, pos);
  if (week) return { day: { kind: "weekday", weekday: 1, relation: RELATIONS[week[1]!.toLowerCase()] ?? "next" }, end: pos + week[0].length };
  return undefined;
};

const EN_ISO_DATE = sticky(String.raw`(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![A-Za-z0-9]|[-/.:]\d)`);
const EN_SLASH_DATE = sticky(String.raw`(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?(?![A-Za-z0-9/]|[-.:]\d)`);
const ORDINAL = "(?:st|nd|rd|th)?";
const YEAR_AFTER = String.raw`(?:,?\s*(\d{4}))?`;
const EN_MONTH_DAY = sticky(String.raw`(${MONTH_WORDS})\.?\s*(\d{1,2})${ORDINAL}${YEAR_AFTER}(?![A-Za-z0-9:]|\.\d)`);
const EN_DAY_MONTH = sticky(String.raw`(\d{1,2})${ORDINAL}\s*(?:of\s+)?(${MONTH_WORDS})\.?${YEAR_AFTER}${ENGLISH_END}`);

function dateOf(year: number | undefined, month: number, day: number, end: number): Piece | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  return { day: { kind: "date", month, day, ...(year !== undefined ? { year } : {}) }, end };
}

const readEnglishDate: PieceReader = (text, pos) => {
  let m = exec(EN_ISO_DATE, text, pos);
  if (m) return dateOf(Number(m[1]), Number(m[2]), Number(m[3]), pos + m[0].length);
  m = exec(EN_MONTH_DAY, text, pos);
  if (m) return dateOf(m[3] ? Number(m[3]) : undefined, EN_MONTHS[m[1]!.toLowerCase()] ?? 0, Number(m[2]), pos + m[0].length);
  m = exec(EN_DAY_MONTH, text, pos);
  if (m) return dateOf(m[3] ? Number(m[3]) : undefined, EN_MONTHS[m[2]!.toLowerCase()] ?? 0, Number(m[1]), pos + m[0].length);
  m = exec(EN_SLASH_DATE, text, pos);
  if (m) {
    const year = m[3] === undefined ? undefined : m[3].length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
    return dateOf(year, Number(m[1]), Number(m[2]), pos + m[0].length);
  }
  return undefined;
};

const EN_PART = sticky(String.raw`(?:in\s+the\s+|at\s+)?(morning|afternoon|evening|night)${ENGLISH_END}`);
const EN_PARTS: Readonly<Record<string, DayPart>> = { morning: "morning", afternoon: "afternoon", evening: "evening", night: "evening" };

const readEnglishPart: PieceReader = (text, pos) => {
  const m = exec(EN_PART, text, pos);
  const part = m ? EN_PARTS[m[1]!.toLowerCase()] : undefined;
  return m && part ? { part, end: pos + m[0].length } : undefined;
};

// ---------------------------------------------------------------------------------------------
// Chinese

const ZH_OFFSETS: Readonly<Record<string, Omit<Piece, "end">>> = {
  大后天: { day: { kind: "offset", days: 3 } },
  后天: { day: { kind: "offset", days: 2 } },
  明天: { day: { kind: "offset", days: 1 } },
  明日: { day: { kind: "offset", days: 1 } },
  今天: { day: { kind: "offset", days: 0 } },
  今日: { day: { kind: "offset", days: 0 } },
  昨天: { day: { kind: "offset", days: -1 } },
  昨日: { day: { kind: "offset", days: -1 } },
  大前天: { day: { kind: "offset", days: -3 } },
  前天: { day: { kind: "offset", days: -2 } },
  今晚: { day: { kind: "offset", days: 0 }, part: "evening" },
  今夜: { day: { kind: "offset", days: 0 }, part: "evening" },
  明晚: { day: { kind: "offset", days: 1 }, part: "evening" },
  昨晚: { day: { kind: "offset", days: -1 }, part: "evening" },
  今早: { day: { kind: "offset", days: 0 }, part: "morning" },
  明早: { day: { kind: "offset", days: 1 }, part: "morning" },
};
const ZH_OFFSET = sticky(`(${byLength(Object.keys(ZH_OFFSETS))})`);

const readChineseOffset: PieceReader = (text, pos) => {
  const m = exec(ZH_OFFSET, text, pos);
  const piece = m ? ZH_OFFSETS[m[1]!] : undefined;
  return m && piece ? { ...piece, end: pos + m[0].length } : undefined;
};

const ZH_RELATIONS: Readonly<Record<string, WeekRelation>> = { 上: "last", 这: "this", 本: "this", 下: "next", 下下: "afterNext" };
const ZH_WEEKDAY_RE = sticky("(下下|下|上|这|本)?(?:个)?(?:周|星期|礼拜)([一二三四五六日天])");
/** "下周" alone: the Monday of next week ("本周" alone is no time). */
const ZH_WEEK = sticky("(下下|下|上)(?:个)?(?:周|星期|礼拜)(?![一二三四五六日天末])");

const readChineseWeekday: PieceReader = (text, pos) => {
  const m = exec(ZH_WEEKDAY_RE, text, pos);
  if (m) {
    const weekday = ZH_WEEKDAY[m[2]!];
    if (weekday === undefined) return undefined;
    return { day: { kind: "weekday", weekday, relation: m[1] ? ZH_RELATIONS[m[1]] ?? "coming" : "coming" }, end: pos + m[0].length };
  }
  const week = exec(ZH_WEEK, text, pos);
  if (week) return { day: { kind: "weekday", weekday: 1, relation: ZH_RELATIONS[week[1]!] ?? "next" }, end: pos + week[0].length };
  return undefined;
};

const ZH_DATE = sticky(`(?:(\\d{4}|[〇零一二三四五六七八九]{4})\\s*年\\s*)?(\\d{1,2}|${CN_NUMBER})\\s*月\\s*(\\d{1,2}|${CN_NUMBER})\\s*(?:日|号|號)`);

const readChineseDate: PieceReader = (text, pos) => {
  const m = exec(ZH_DATE, text, pos);
  if (!m) return undefined;
  const year = m[1] ? chineseYear(m[1]) : undefined;
  const month = chineseNumber(m[2]!);
  const day = chineseNumber(m[3]!);
  if ((m[1] && year === undefined) || month === undefined || day === undefined) return undefined;
  return dateOf(year, month, day, pos + m[0].length);
};

const ZH_PARTS: Readonly<Record<string, DayPart>> = {
  凌晨: "early", 清晨: "early", 早上: "morning", 早晨: "morning", 清早: "morning", 上午: "morning",
  中午: "noon", 下午: "afternoon", 傍晚: "evening", 晚上: "evening", 夜里: "night", 夜间: "night", 半夜: "night", 午夜: "night",
};
/** Words that start with a part of the day but are not one: 下午茶 is afternoon tea. */
const ZH_PART = sticky(`(${byLength(Object.keys(ZH_PARTS))})(?!茶)`);

const readChinesePart: PieceReader = (text, pos) => {
  const m = exec(ZH_PART, text, pos);
  const part = m ? ZH_PARTS[m[1]!] : undefined;
  return m && part ? { part, end: pos + m[0].length } : undefined;
};

/**
 * "3点", "三点半", "3点15", "3点15分", "十点一刻", "15时30分", "3点钟". Minutes written without 分 must
 * look like minutes (two digits, or a Chinese number of ten or more), so "9点3个客户" keeps its 3.
 */
const ZH_HOUR = sticky(`(\\d{1,2}|${CN_NUMBER})\\s*(?:点|點|时)钟?`);
const ZH_MINUTES = sticky(`(?:(半)|(一刻)|(三刻)|(\\d{1,2}|${CN_NUMBER})\\s*(分)?)`);
const ZH_SHARP = /整/y;

const readChineseClock: PieceReader = (text, pos) => {
  const h = exec(ZH_HOUR, text, pos);
  const hour = h ? chineseNumber(h[1]!) : undefined;
  if (!h || hour === undefined) return undefined;
  let end = pos + h[0].length;
  let minute = 0;
  const m = exec(ZH_MINUTES, text, end);
  if (m) {
    const [whole, half, quarter, threeQuarters, minuteText, fen] = m;
    const value = minuteText === undefined ? undefined : chineseNumber(minuteText);
    const looksLikeMinutes = minuteText !== undefined && (fen !== undefined || /^\d{2}$/.test(minuteText) || (!/^\d/.test(minuteText) && (value ?? 0) >= 10));
    if (half || quarter || threeQuarters) minute = half ? 30 : quarter ? 15 : 45;
    else if (looksLikeMinutes && value !== undefined) minute = value;
    if (half || quarter || threeQuarters || looksLikeMinutes) end += whole.length;
  }
  if (exec(ZH_SHARP, text, end)) end += 1;
  if (!validClock(hour, minute)) return undefined;
  return { clock: { hour, minute, second: 0, colon: false }, end };
};

// ---------------------------------------------------------------------------------------------
// The phrase: parts in any order ("tomorrow 9am", "9am tomorrow", "Dec 3 at 10:00", "12月3日下午3点")

const READERS: ReadonlyArray<PieceReader> = [
  readEnglishDate, readChineseDate, readEnglishOffset, readChineseOffset, readEnglishWeekday, readChineseWeekday,
  readEnglishClock, readChineseClock, readEnglishPart, readChinesePart,
];

/** Before the first part: "at 5pm", "on friday". */
const LEAD = /(?:(at|on)\s+)?/iy;
/** Between parts: "tomorrow 9am", "friday, 3pm", "Dec 3 at 10:00", "tomorrow on site" (not read). */
const JOIN = /\s*(?:[,，]\s*)?(?:(at|on)\s+)?/iy;

/** The time phrase that starts exactly at `start`, or undefined. */
export function readTimeWords(text: string, start: number): Reading | undefined {
  const reading: Reading = { end: start };
  let pos = start;
  for (let first = true; ; first = false) {
    const joiner = first ? LEAD : JOIN;
    joiner.lastIndex = pos;
    const joined = joiner.exec(text);
    const word = joined?.[1]?.toLowerCase();
    const at = joined ? joiner.lastIndex : pos;
    if (!first && at === pos && /[A-Za-z0-9]/.test(text[pos - 1] ?? "") && /[A-Za-z0-9]/.test(text[pos] ?? "")) break;
    const joint = { at: word === "at", on: word === "on" };
    const piece = readPiece(text, at, joint, reading);
    if (!piece) break;
    if (piece.day) reading.day = piece.day;
    if (piece.clock) reading.clock = piece.clock;
    if (piece.part) reading.part = piece.part;
    reading.end = piece.end;
    pos = piece.end;
  }
  return reading.end > start ? reading : undefined;
}

/** The next part that adds something the phrase does not have yet ("tomorrow at 10 may …": 10:00, not May 10). */
function readPiece(text: string, pos: number, joint: Joint, reading: Reading): Piece | undefined {
  for (const read of READERS) {
    const piece = read(text, pos, joint);
    if (!piece || piece.end <= pos) continue;
    // A weekday before a date ("Thursday, December 3") gives way to the date.
    const dayClash = piece.day && reading.day && !(piece.day.kind === "date" && reading.day.kind === "weekday" && reading.day.relation === "coming");
    if (dayClash || (piece.clock && reading.clock) || (piece.part && (reading.part || reading.clock?.meridiem))) continue;
    return piece;
  }
  return undefined;
}

/** True when a phrase read at `start` may begin there: at a word's start, or among Chinese text. */
export function mayStartAt(text: string, start: number): boolean {
  if (start === 0) return true;
  const before = text[start - 1]!;
  return !/[A-Za-z0-9]/.test(before) || !/[A-Za-z0-9]/.test(text[start] ?? "");
}
