/**
 * A free text folded the way customer names are keyed (src/domain/language/customer-name.ts): NFKC
 * (full-width to half-width), accents dropped, lower case, and nothing but letters and digits,
 * with a way back from every folded character to the characters it came from. The name matcher
 * walks the folded text, so "A.C.M.E", "ＡＣＭＥ" and "acme" all meet the key "acme", and still
 * reports where in the original text a name stood.
 */

export interface FoldedText {
  readonly original: string;
  /** Letters and digits only, folded. */
  readonly folded: string;
  /** For each UTF-16 unit of `folded`, where its source character starts in `original`. */
  readonly from: readonly number[];
  /** ... and where it ends (exclusive). */
  readonly to: readonly number[];
  /**
   * 1 where something that is not a letter or digit (space, punctuation, an emoji) stood just
   * before this unit; one entry more than `folded` has, for the end of the text.
   */
  readonly gapBefore: readonly number[];
}

const NOT_WORD = /[^\p{L}\p{N}]+/gu;
const MARK = /^\p{M}+$/u;

/**
 * Folded form of one code point outside ASCII, or null for a combining mark (which belongs to
 * the letter before it and so is neither a character nor a gap). Cached: chat text reuses few.
 */
const foldCache = new Map<number, string | null>();
function foldCodePoint(cp: number): string | null {
  const cached = foldCache.get(cp);
  if (cached !== undefined) return cached;
  const char = String.fromCodePoint(cp);
  const folded = MARK.test(char)
    ? null
    : char.normalize("NFKC").normalize("NFKD").replace(/\p{M}/gu, "").normalize("NFC").toLowerCase().replace(NOT_WORD, "");
  if (foldCache.size < 65_536) foldCache.set(cp, folded);
  return folded;
}

export function foldText(text: string): FoldedText {
  let folded = "";
  const from: number[] = [];
  const to: number[] = [];
  const gapBefore: number[] = [];
  let gap = 0;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    let part: string | null;
    if (cp < 0x80) {
      // ASCII, most of every text: no normalisation needed.
      if (cp >= 0x41 && cp <= 0x5a) part = String.fromCharCode(cp + 32);
      else if ((cp >= 0x61 && cp <= 0x7a) || (cp >= 0x30 && cp <= 0x39)) part = String.fromCharCode(cp);
      else part = "";
    } else {
      part = foldCodePoint(cp);
    }
    if (part === "") gap = 1;
    else if (part !== null) {
      for (let k = 0; k < part.length; k++) {
        from.push(i);
        to.push(i + width);
        gapBefore.push(k === 0 ? gap : 0);
      }
      folded += part;
      gap = 0;
    }
    i += width;
  }
  gapBefore.push(1);
  return { original: text, folded, from, to, gapBefore };
}

/**
 * Characters of scripts written without spaces between words (Han, kana, Hangul, and the
 * surrogate halves of the rarer ideographs): a name in them may stand anywhere, and a Latin name
 * next to one ("给Acme打电话") has a word boundary there.
 */
export function isUnspacedUnit(unit: number): boolean {
  return (
    (unit >= 0x4e00 && unit <= 0x9fff) ||
    (unit >= 0x3400 && unit <= 0x4dbf) ||
    (unit >= 0x3040 && unit <= 0x30ff) ||
    (unit >= 0x3005 && unit <= 0x3007) ||
    (unit >= 0xac00 && unit <= 0xd7af) ||
    (unit >= 0xd800 && unit <= 0xdfff) ||
    (unit >= 0xf900 && unit <= 0xfaff)
  );
}

export function hasUnspacedScript(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isUnspacedUnit(text.charCodeAt(i))) return true;
  return false;
}

export function hasLetter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i) | 0x20; // ASCII upper case to lower
    if (unit >= 0x61 && unit <= 0x7a) return true;
  }
  return /\p{L}/u.test(text);
}
