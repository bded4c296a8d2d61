/**
 * Reads a customer's chat reply to a satisfaction survey (CSAT 1-5, NPS 0-10), in Chinese or
 * English. Every message sent while a survey is open passes through here, so the reader is
 * deliberately strict: a message it is unsure of stays an ordinary message and the survey stays
 * open. A missed answer costs a reminder; a false one files a wrong score and may page the owner.
 */

export type SurveyKind = "CSAT" | "NPS";

export const SURVEY_SCALE: Readonly<Record<SurveyKind, { min: number; max: number }>> = Object.freeze({
  CSAT: Object.freeze({ min: 1, max: 5 }),
  NPS: Object.freeze({ min: 0, max: 10 }),
});

export type SurveyReading =
  | { kind: "answer"; score: number; comment?: string }
  | { kind: "opt-out" }
  | { kind: "none" };

export const MAX_COMMENT_CHARS = 1000;

/**
 * UTF-16 units of a message that are read at all. A score sits at the very start and a comment
 * is cut to MAX_COMMENT_CHARS code points, so nothing past this can change the result, and
 * NFKC plus the scans below stay cheap on a pasted megabyte.
 */
const INPUT_LIMIT = 8 * MAX_COMMENT_CHARS;

/** Longer than any opt-out word with some punctuation around it. */
const OPT_OUT_LIMIT = 64;

/** What may follow a score before its comment. "/" and "?" are left out: "5/6", "5?" are not answers. */
const SEPARATOR = /[\s,.。!、:;~〜\-—–―]/u;
const LEADING_SEPARATORS = /^[\s,.。!、:;~〜\-—–―]+/u;
const ONLY_SEPARATORS = /^[\s,.。!、:;~〜\-—–―]*$/u;

interface Score {
  score: number;
  /** Index just after the score form. */
  end: number;
}

/** Reads one customer message against an open survey of this kind. */
export function readSurveyAnswer(text: string, kind: SurveyKind): SurveyReading {
  if (isSurveyOptOut(text)) return { kind: "opt-out" };
  const message = prepare(text);
  const found = readScore(message, kind);
  if (!found) return { kind: "none" };
  const { min, max } = SURVEY_SCALE[kind];
  if (found.score < min || found.score > max) return { kind: "none" };
  if (found.end === message.length) return { kind: "answer", score: found.score };
  // "5点", "5号楼", "满意度": the score form is only the start of a longer word.
  if (!SEPARATOR.test(message.charAt(found.end))) return { kind: "none" };
  const rest = message.slice(found.end).replace(LEADING_SEPARATORS, "");
  return rest ? { kind: "answer", score: found.score, comment: cutComment(asTyped(text, rest)) } : { kind: "answer", score: found.score };
}

/** How far into a message a score form (with the separators after it) can reach. */
const SCORE_FORM_LIMIT = 80;

/**
 * The comment as the customer typed it ("物流太慢，谢谢" keeps its full-width comma): the tail of
 * the original text that normalises to what was read; the normalised text if none does.
 */
function asTyped(original: string, rest: string): string {
  const head = original.trimStart().slice(0, INPUT_LIMIT);
  for (let k = 0; k <= Math.min(SCORE_FORM_LIMIT, head.length); k++) {
    const tail = head.slice(k);
    if (tail.normalize("NFKC").trim() === rest) return tail.trim();
  }
  return rest;
}

const OPT_OUT_WORDS: ReadonlySet<string> = new Set([
  "退订", "取消订阅", "不要再发了", "不要再发", "别再发了", "td", "stop", "unsubscribe", "opt out", "opt-out",
]);

/** The whole message asks to stop receiving surveys ("退订", "stop", "unsubscribe", ...). */
export function isSurveyOptOut(text: string): boolean {
  const trimmed = text.trim();
  if (trimmed.length > OPT_OUT_LIMIT) return false;
  const bare = trimmed
    .normalize("NFKC")
    .toLowerCase()
    .replace(/\s+/gu, " ")
    // "Stop!", "退订。", "不要再发了😡"
    .replace(/^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$/gu, "");
  return OPT_OUT_WORDS.has(bare);
}

/** Letters of any script (CJK included) and digits: what makes a follow-up worth keeping. */
const HAS_WORD = /[\p{L}\p{N}]/u;
/** WeChat sends its built-in emoji and media as bracketed names: "[微笑]", "[表情]", "[图片]". */
const WECHAT_CODE = /\[[^[\]\n]{1,10}\]/gu;

/**
 * A follow-up message taken as the comment on an answer already given: trimmed text with at
 * least one letter, digit or CJK character, cut to MAX_COMMENT_CHARS; undefined otherwise
 * (stickers, "[表情]"-only, empty, an opt-out).
 */
export function readSurveyComment(text: string): string | undefined {
  if (isSurveyOptOut(text)) return undefined;
  const message = prepare(text);
  if (!HAS_WORD.test(message.replace(WECHAT_CODE, ""))) return undefined;
  return cutComment(text.trimStart().slice(0, INPUT_LIMIT).trim());
}

/** The highest score that counts as low, per kind (the SQL of reports and segments uses it too). */
export const LOW_SCORE_MAX: Readonly<Record<SurveyKind, number>> = { CSAT: 2, NPS: 6 };

/** CSAT <= 2, NPS <= 6: alert the owner. */
export function isLowScore(kind: SurveyKind, score: number): boolean {
  return score <= LOW_SCORE_MAX[kind];
}

// ---------------------------------------------------------------------------------------------
// Score forms

/**
 * NFKC folds full-width digits and punctuation ("５，好" -> "5,好"). Whitespace inside is kept,
 * because a comment keeps its line breaks; the matchers accept any run of whitespace instead.
 */
function prepare(text: string): string {
  const head = text.length > INPUT_LIMIT ? text.trimStart().slice(0, INPUT_LIMIT) : text;
  return head.normalize("NFKC").trim();
}

function readScore(message: string, kind: SurveyKind): Score | undefined {
  const first = message.charAt(0);
  if (first >= "0" && first <= "9") return readArabic(message, kind);
  if (first === "⭐" || first === "★") return kind === "CSAT" ? readStars(message) : undefined;
  // Phrases come first so "十分满意" is "very satisfied" rather than the numeral "十分".
  return (kind === "CSAT" ? readPhrase(message) : undefined) ?? readChineseNumeral(message);
}

/** Sticky match of `pattern` (which must have the y flag) at `index`. */
function matchAt(pattern: RegExp, text: string, index: number): RegExpExecArray | null {
  pattern.lastIndex = index;
  return pattern.exec(text);
}

interface Unit {
  pattern: RegExp;
  /** Set for fractions: "4/10" is no CSAT answer and "8/5" no NPS one. */
  only?: SurveyKind;
}

const UNITS: readonly Unit[] = [
  { pattern: /\s*颗星/y },
  { pattern: /\s*颗⭐\uFE0F?/uy },
  { pattern: /\s*[分星]/y },
  { pattern: /\s*(?:stars?|points?)/iy },
  { pattern: /\s*\/\s*10(?:\s*(?:stars?|points?))?/iy, only: "NPS" },
  { pattern: /\s*\/\s*5(?:\s*(?:stars?|points?))?/iy, only: "CSAT" },
  { pattern: /\s+out\s+of\s+10(?:\s*(?:stars?|points?))?/iy, only: "NPS" },
  { pattern: /\s+out\s+of\s+5(?:\s*(?:stars?|points?))?/iy, only: "CSAT" },
];

/**
 * Words that make a number a time, a count or an amount even after a space ("5 pm", "5 点到",
 * "3 days"). Without the space the separator rule already rejects them.
 */
const QUANTITY =
  /\s*(?:[点點号號个個块塊元天日月年周岁歲楼樓层層件次位人米斤克折倍%‰$¥]|a\.?m\b|p\.?m\b|o'?clock\b|(?:h|hrs?|hours?|mins?|minutes?|secs?|seconds?|days?|weeks?|months?|years?|yrs?|kg|km|pcs|pieces?|items?|times|x|rmb|yuan|usd|dollars?|percent|th|st|nd|rd)\b)/iy;

function readArabic(message: string, kind: SurveyKind): Score | undefined {
  const digits = /^\d{1,2}(?!\d)/.exec(message)?.[0];
  if (digits === undefined) return undefined;
  const score = Number(digits);
  const at = digits.length;
  for (const unit of UNITS) {
    const found = matchAt(unit.pattern, message, at);
    if (!found) continue;
    return unit.only && unit.only !== kind ? undefined : { score, end: at + found[0].length };
  }
  if (matchAt(QUANTITY, message, at)) return undefined;
  // "3.5", "5,000", "5:30", "5-6", "5/6": punctuation between digits belongs to one number.
  if (/^\S\d/.test(message.slice(at, at + 2))) return undefined;
  return { score, end: at };
}

/** Filled stars, optionally spaced, then empty ones; WeChat appends U+FE0F to "⭐". */
const STAR = /\s*([⭐★☆])\uFE0F?/uy;

function readStars(message: string): Score | undefined {
  let filled = 0;
  let empty = 0;
  let end = 0;
  for (let found = matchAt(STAR, message, 0); found; found = matchAt(STAR, message, end)) {
    if (found[1] === "☆") empty += 1;
    else if (empty > 0) return undefined; // "★☆★" is no rating
    else filled += 1;
    end += found[0].length;
    if (filled + empty > SURVEY_SCALE.CSAT.max) return undefined;
  }
  return filled > 0 ? { score: filled, end } : undefined;
}

const CSAT_PHRASES: ReadonlyArray<readonly [phrase: string, score: number]> = [
  ["非常满意", 5], ["十分满意", 5], ["很满意", 5], ["特别满意", 5], ["超级满意", 5],
  ["满意", 4], ["比较满意", 4], ["挺满意", 4],
  ["一般", 3], ["还行", 3], ["还可以", 3], ["凑合", 3],
  ["不满意", 2], ["不太满意", 2], ["不是很满意", 2],
  ["非常不满意", 1], ["很不满意", 1], ["特别不满意", 1], ["十分不满意", 1], ["极不满意", 1],
  ["very satisfied", 5], ["extremely satisfied", 5],
  ["satisfied", 4],
  ["neutral", 3],
  ["dissatisfied", 2], ["unsatisfied", 2], ["not satisfied", 2],
  ["very dissatisfied", 1], ["very unsatisfied", 1], ["extremely dissatisfied", 1],
];

// Longest first, so a phrase is never cut short by a shorter one it starts with.
const PHRASE_PATTERNS = [...CSAT_PHRASES]
  .sort(([a], [b]) => b.length - a.length)
  .map(([phrase, score]) => ({ pattern: new RegExp(phrase.split(" ").join("\\s+"), "iy"), score }));

function readPhrase(message: string): Score | undefined {
  for (const { pattern, score } of PHRASE_PATTERNS) {
    const found = matchAt(pattern, message, 0);
    if (found) return { score, end: found[0].length };
  }
  return undefined;
}

const CHINESE_DIGITS: ReadonlyMap<string, number> = new Map([
  ["零", 0], ["一", 1], ["二", 2], ["两", 2], ["三", 3], ["四", 4],
  ["五", 5], ["六", 6], ["七", 7], ["八", 8], ["九", 9], ["十", 10],
]);
const CHINESE_UNIT = /颗星|[分星]/y;

/**
 * A Chinese numeral counts only with a unit ("五星", "九分") or as the whole message ("五"):
 * followed by anything else it starts a word ("五一放假", "三点", "一下").
 */
function readChineseNumeral(message: string): Score | undefined {
  const score = CHINESE_DIGITS.get(message.charAt(0));
  if (score === undefined) return undefined;
  const unit = matchAt(CHINESE_UNIT, message, 1);
  if (unit) return { score, end: 1 + unit[0].length };
  return ONLY_SEPARATORS.test(message.slice(1)) ? { score, end: message.length } : undefined;
}

/** Cuts at a code point boundary, so an emoji is never split into a lone surrogate. */
function cutComment(comment: string): string {
  let count = 0;
  let units = 0;
  for (const char of comment) {
    if (count === MAX_COMMENT_CHARS) return comment.slice(0, units).trimEnd();
    count += 1;
    units += char.length;
  }
  return comment;
}
