import { eastAsianWidth } from "get-east-asian-width";

/**
 * How many terminal columns text takes: Chinese, Japanese and Korean characters and emoji take
 * two, combining marks and other invisible characters none, everything else one (Unicode's East
 * Asian Width, ambiguous characters as narrow, as a terminal outside a CJK locale shows them).
 * Counted per grapheme, so "é" written as e + accent is one column, and a family emoji two.
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const { segment } of graphemes.segment(text)) width += graphemeWidth(segment);
  return width;
}

/** Pads with spaces on the right to `width` columns (never cuts). */
export function padEndToWidth(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - displayWidth(text)));
}

/** At most `width` columns: longer text is cut at a grapheme and ends in "…". */
export function truncateToWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = "";
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const w = graphemeWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}

const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });

// Emoji shown as pictures (not as text, like a plain "©") are two columns wide. Built from a
// string: the `v` flag is newer than the TypeScript target, though Node 20 has it.
const EMOJI = new RegExp("^\\p{RGI_Emoji}$", "v");
// Nothing on screen: controls, joiners, variation selectors, marks without a base.
const INVISIBLE = /^[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{M}]/u;

function graphemeWidth(grapheme: string): number {
  if (EMOJI.test(grapheme)) return 2;
  if (INVISIBLE.test(grapheme)) return 0;
  // The first code point decides; what follows in the cluster (accents, selectors) adds nothing.
  return eastAsianWidth(grapheme.codePointAt(0)!);
}
