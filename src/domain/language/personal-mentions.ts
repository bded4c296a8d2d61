/**
 * Where a person shows up in text that is not theirs alone (a rep's note about the customer, a
 * reminder, an audit detail written before audit rows stopped holding values): the words that
 * identify them, found however they were written, so an erasure can take them out and leave the
 * rest of the text (and the figures) as it is.
 */
export interface PersonIdentifiers {
  /** Names the person or customer had (current and earlier ones). */
  names: readonly string[];
  emails: readonly string[];
  /** Phones as stored (E.164, "+8613800138000") or as typed. */
  phones: readonly string[];
  /** WeChat openids, Slack user ids and other platform ids. */
  platformIds: readonly string[];
}

/** What stands in for an erased mention. */
export const ERASED_MENTION = "[erased]";

/** Shorter names would take ordinary words with them ("Li" in "Lisa", "AI"). */
const MIN_NAME_LENGTH = 2;
/** Fewer digits than a real number would take ordinary figures (amounts, dates) with them. */
const MIN_PHONE_DIGITS = 6;
/** The tail a WeChat lead is named after ("WeChat user Q7wXyZ"); see store/customers/customer-messages.ts. */
const PLATFORM_ID_TAILS = [6, 10, 16];

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A Latin letter or digit at an edge must not continue a longer word ("Al" never matches "Also"). */
function bounded(source: string, written: string): string {
  const head = /^[A-Za-z0-9]/.test(written) ? "(?<![A-Za-z0-9])" : "";
  const tail = /[A-Za-z0-9]$/.test(written) ? "(?![A-Za-z0-9])" : "";
  return `${head}${source}${tail}`;
}

function unique(values: Iterable<string>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const value of values) {
    const tidy = value.normalize("NFC").trim();
    if (tidy && !seen.has(tidy.toLowerCase())) {
      seen.add(tidy.toLowerCase());
      out.push(tidy);
    }
  }
  // Longest first: "Li Lei Wang" goes before "Li Lei" would leave " Wang" behind.
  return out.sort((a, b) => b.length - a.length);
}

/**
 * The literal strings that identify the person, as stored: what a database can look for before
 * the patterns below decide (SQL `ILIKE`, a prefilter only). Platform ids come with the tails
 * leads are named after.
 */
export function literalMentions(ids: PersonIdentifiers): string[] {
  const tails = ids.platformIds.flatMap((id) => PLATFORM_ID_TAILS.filter((n) => id.length > n).map((n) => id.slice(-n)));
  return unique([
    ...ids.names.filter((n) => n.trim().length >= MIN_NAME_LENGTH),
    ...ids.emails,
    ...ids.phones.filter((p) => p.replace(/\D/g, "").length >= MIN_PHONE_DIGITS),
    ...ids.platformIds,
    ...tails,
  ]);
}

/**
 * Patterns for every way the person is written in free text: names and emails in any case and
 * spacing; phones by their digits with any spaces, dots, dashes or brackets between them, with
 * or without the international prefix; platform ids and their tails as they are.
 */
export function mentionPatterns(ids: PersonIdentifiers): RegExp[] {
  const patterns: RegExp[] = [];
  for (const name of unique(ids.names)) {
    if (name.length < MIN_NAME_LENGTH) continue;
    const source = name.split(/\s+/u).map(escape).join("\\s+");
    patterns.push(new RegExp(bounded(source, name), "giu"));
  }
  for (const email of unique(ids.emails)) patterns.push(new RegExp(escape(email), "giu"));
  for (const phone of unique(ids.phones)) {
    const digits = phone.replace(/\D/g, "");
    if (digits.length < MIN_PHONE_DIGITS) continue;
    const spaced = (d: string) => d.split("").join("[\\s.()-]*");
    patterns.push(new RegExp(`(?<!\\d)\\+?\\(?${spaced(digits)}(?!\\d)`, "gu"));
    // "+86 138 0013 8000" is written "13800138000" at home: the number without a 1-3 digit country code.
    if (phone.trim().startsWith("+")) {
      for (let cc = 1; cc <= 3 && digits.length - cc >= 7; cc++) patterns.push(new RegExp(`(?<!\\d)\\(?${spaced(digits.slice(cc))}(?!\\d)`, "gu"));
    }
  }
  const platformIds = unique(ids.platformIds);
  const tails = unique(platformIds.flatMap((id) => PLATFORM_ID_TAILS.filter((n) => id.length > n).map((n) => id.slice(-n))));
  for (const id of [...platformIds, ...tails]) patterns.push(new RegExp(escape(id), "gu"));
  return patterns;
}

/** The text with every mention replaced; the same text when there is none. */
export function redactMentions(text: string, patterns: readonly RegExp[], replacement = ERASED_MENTION): string {
  let out = text;
  for (const pattern of patterns) out = out.replace(pattern, replacement);
  return out;
}

/** A JSON value with every string in it (keys stay) redacted; the same value when nothing changed. */
export function redactJson(value: unknown, patterns: readonly RegExp[], replacement = ERASED_MENTION): unknown {
  if (typeof value === "string") return redactMentions(value, patterns, replacement);
  if (Array.isArray(value)) return value.map((v) => redactJson(v, patterns, replacement));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, redactJson(v, patterns, replacement)]));
  }
  return value;
}

/** A literal for SQL LIKE/ILIKE, with the default backslash escape. */
export function escapeLike(literal: string): string {
  return literal.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A LIKE/ILIKE pattern for text containing the literal. */
export function likeContaining(literal: string): string {
  return `%${escapeLike(literal)}%`;
}
