/**
 * The one font every chart is drawn with: a subset of Noto Sans CJK SC that ships in
 * assets/fonts (see the README there), so Latin and Chinese render alike on any host,
 * with or without fonts of its own.
 *
 * This module also reads the font's character map and advance widths, so chart layout can
 * measure text exactly (vega has no canvas here and would otherwise guess 0.8em a character,
 * too wide for Latin and too narrow for Chinese).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The family name inside the font file; the SVG asks for it and resvg finds it. */
export const CHART_FONT_FAMILY = "Chart Sans SC";

/** Absolute path of the font file, found from this module's own location. */
export const CHART_FONT_PATH = fileURLToPath(new URL("../../assets/fonts/chart-sans-sc-regular.otf", import.meta.url));

export interface FontMetrics {
  unitsPerEm: number;
  /** Advance width, in font units, of each code point the font maps. */
  advances: ReadonlyMap<number, number>;
  /** Advance of the glyph drawn for a code point the font lacks (.notdef). */
  missingAdvance: number;
}

let metrics: FontMetrics | undefined;

/** The chart font's metrics, read once. */
export function chartFontMetrics(): FontMetrics {
  metrics ??= readFontMetrics(readFileSync(CHART_FONT_PATH));
  return metrics;
}

/** Width in pixels of one line of text at the given font size, without kerning. */
export function textWidth(text: string, fontSize: number): number {
  const { unitsPerEm, advances, missingAdvance } = chartFontMetrics();
  let units = 0;
  for (const char of text) units += advances.get(char.codePointAt(0)!) ?? missingAdvance;
  return (units * fontSize) / unitsPerEm;
}

/** The distinct characters of `text` the chart font has no glyph for (drawn as boxes). */
export function missingGlyphs(text: string): string[] {
  const { advances } = chartFontMetrics();
  const missing = new Set<string>();
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (!advances.has(code) && !isInvisible(code)) missing.add(char);
  }
  return [...missing];
}

/** Whitespace and format characters, which draw nothing and so are never "missing". */
function isInvisible(code: number): boolean {
  return code <= 0x20 || (code >= 0x7f && code <= 0xa0) || (code >= 0x200b && code <= 0x200f) || (code >= 0xfe00 && code <= 0xfe0f);
}

/**
 * Reads head, hhea, hmtx and cmap of an OpenType/TrueType font: enough for advance widths.
 * Only what our own shipped font needs: a Unicode cmap in format 12 or 4.
 */
export function readFontMetrics(font: Buffer): FontMetrics {
  const tables = new Map<string, number>();
  const numTables = font.readUInt16BE(4);
  for (let i = 0; i < numTables; i++) {
    const record = 12 + i * 16;
    tables.set(font.toString("latin1", record, record + 4), font.readUInt32BE(record + 8));
  }
  const table = (tag: string): number => {
    const offset = tables.get(tag);
    if (offset === undefined) throw new Error(`The chart font has no ${tag} table.`);
    return offset;
  };

  const unitsPerEm = font.readUInt16BE(table("head") + 18);
  const numberOfHMetrics = font.readUInt16BE(table("hhea") + 34);
  const hmtx = table("hmtx");
  const advanceOf = (glyph: number): number => font.readUInt16BE(hmtx + 4 * Math.min(glyph, numberOfHMetrics - 1));

  const glyphs = readCmap(font, table("cmap"));
  const advances = new Map<number, number>();
  for (const [code, glyph] of glyphs) if (glyph !== 0) advances.set(code, advanceOf(glyph));
  return { unitsPerEm, advances, missingAdvance: advanceOf(0) };
}

function readCmap(font: Buffer, cmap: number): Map<number, number> {
  const count = font.readUInt16BE(cmap + 2);
  let format4: number | undefined;
  for (let i = 0; i < count; i++) {
    const record = cmap + 4 + i * 8;
    const platform = font.readUInt16BE(record);
    const encoding = font.readUInt16BE(record + 2);
    const subtable = cmap + font.readUInt32BE(record + 4);
    const format = font.readUInt16BE(subtable);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    if (!unicode) continue;
    if (format === 12) return readFormat12(font, subtable);
    if (format === 4) format4 ??= subtable;
  }
  if (format4 === undefined) throw new Error("The chart font has no Unicode character map.");
  return readFormat4(font, format4);
}

function readFormat12(font: Buffer, at: number): Map<number, number> {
  const glyphs = new Map<number, number>();
  const groups = font.readUInt32BE(at + 12);
  for (let i = 0; i < groups; i++) {
    const group = at + 16 + i * 12;
    const start = font.readUInt32BE(group);
    const end = font.readUInt32BE(group + 4);
    const glyph = font.readUInt32BE(group + 8);
    for (let code = start; code <= end; code++) glyphs.set(code, glyph + code - start);
  }
  return glyphs;
}

function readFormat4(font: Buffer, at: number): Map<number, number> {
  const glyphs = new Map<number, number>();
  const segments = font.readUInt16BE(at + 6) / 2;
  const ends = at + 14;
  const starts = ends + segments * 2 + 2;
  const deltas = starts + segments * 2;
  const rangeOffsets = deltas + segments * 2;
  for (let s = 0; s < segments; s++) {
    const end = font.readUInt16BE(ends + s * 2);
    const start = font.readUInt16BE(starts + s * 2);
    const delta = font.readInt16BE(deltas + s * 2);
    const rangeOffsetAt = rangeOffsets + s * 2;
    const rangeOffset = font.readUInt16BE(rangeOffsetAt);
    for (let code = start; code <= end && code !== 0xffff; code++) {
      let glyph: number;
      if (rangeOffset === 0) {
        glyph = (code + delta) & 0xffff;
      } else {
        const raw = font.readUInt16BE(rangeOffsetAt + rangeOffset + (code - start) * 2);
        glyph = raw === 0 ? 0 : (raw + delta) & 0xffff;
      }
      glyphs.set(code, glyph);
    }
  }
  return glyphs;
}
