/**
 * Text as Postgres can store it. A `text` column refuses the NUL character outright ("invalid
 * byte sequence for encoding UTF8: 0x00"), and a lone UTF-16 surrogate has no UTF-8 form at all.
 * A platform delivers such a message again and again while we answer "try later", so it must be
 * cleaned where it comes in, never refused: both become U+FFFD (the replacement character), so
 * the timeline still shows that something stood there. Everything else is kept exactly.
 */

export const REPLACEMENT_CHARACTER = "\uFFFD";

// NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
// eslint-disable-next-line no-control-regex -- NUL is exactly what must be found
const NOT_STORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function storableText(text: string): string {
  return text.replace(NOT_STORABLE, REPLACEMENT_CHARACTER);
}

/** Every value of a record of strings (a parsed WeChat push), cleaned the same way. */
export function storableFields(fields: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([name, value]) => [storableText(name), storableText(value)]));
}
