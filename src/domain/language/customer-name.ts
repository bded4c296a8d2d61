import { pinyin } from "pinyin-pro";

/**
 * Company suffixes that do not tell two customers apart. Matched case-insensitively at the end
 * of the name, repeatedly ("Acme Holdings Co., Ltd." -> "acme holdings" -> "acme").
 */
const LATIN_SUFFIXES = [
  "incorporated", "inc", "limited", "ltd", "llc", "llp", "plc", "corporation", "corp",
  "company", "co", "gmbh", "ag", "sa", "sarl", "bv", "nv", "pte", "pty", "kk", "holdings",
  "group",
];
const CHINESE_SUFFIXES = [
  "股份有限公司", "有限责任公司", "有限公司", "集团公司", "控股集团", "集团", "公司", "控股",
];

// A suffix stands after a space or punctuation: "Acme Ltd", "Acme Co.,Ltd." (common in
// Chinese companies' English names).
const latinSuffix = new RegExp(`(?<=^|[\\s\\p{P}])(?:${LATIN_SUFFIXES.join("|")})$`, "u");

/** Letters (any script) and digits only; used after suffixes are gone. */
const NOT_WORD = /[^\p{L}\p{N}]+/gu;

function stripSuffixes(text: string): string {
  let current = text;
  for (;;) {
    const before = current;
    current = current.replace(/[\s\p{P}]+$/u, "");
    current = current.replace(latinSuffix, "");
    for (const suffix of CHINESE_SUFFIXES) {
      if (current.endsWith(suffix) && current.length > suffix.length) {
        current = current.slice(0, -suffix.length);
      }
    }
    if (current === before) return current;
  }
}

/**
 * The key two spellings of one company share: NFKC (full-width to half-width), accents
 * dropped, lower case, company suffixes removed, then everything but letters and digits removed.
 * "ACME Ltd." / "acme" / "A.C.M.E" -> "acme"; "阿里巴巴集团" -> "阿里巴巴".
 * A name that is nothing but a suffix ("Group") keeps it rather than becoming empty.
 */
export function normalizeCustomerName(name: string): string {
  const folded = name
    .normalize("NFKC")
    .normalize("NFKD")
    .replace(/\p{M}/gu, "") // accents: "Lüdenscheid" is found by "ludenscheid"
    .normalize("NFC")
    .toLowerCase()
    .trim()
    .replace(/\s+/g, " ");
  const bare = folded.replace(NOT_WORD, "");
  if (LATIN_SUFFIXES.includes(bare) || CHINESE_SUFFIXES.includes(bare)) return bare;
  return stripSuffixes(folded).replace(NOT_WORD, "") || bare;
}

function syllables(normalized: string): string[] {
  return pinyin(normalized, { toneType: "none", type: "array", nonZh: "consecutive", v: true })
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * Text of printable ASCII has no syllables: pinyin-pro gives it back trimmed and lower-cased, at
 * the cost of its segmenter (a third of an import's time on Latin names). A test holds the two equal.
 */
const PLAIN_ASCII = /^[\x20-\x7e]*$/;

/** Toneless pinyin of a normalised name: "阿里巴巴" -> "alibaba"; Latin text stays as it is. */
export function pinyinKey(normalized: string): string {
  if (PLAIN_ASCII.test(normalized)) return normalized.trim().toLowerCase();
  return syllables(normalized).join("");
}

/** First letters of each Chinese syllable: "阿里巴巴" -> "albb"; Latin text stays whole. */
export function pinyinInitials(normalized: string): string {
  if (PLAIN_ASCII.test(normalized)) return normalized.trim().toLowerCase();
  return pinyin(normalized, { pattern: "first", toneType: "none", type: "array", nonZh: "consecutive" })
    .map((s) => s.trim().toLowerCase())
    .join("");
}

export function hasChinese(text: string): boolean {
  return /\p{Script=Han}/u.test(text);
}

export interface NameKeys {
  normalizedName: string;
  pinyin: string;
  pinyinInitials: string;
}

export function nameKeys(name: string): NameKeys {
  const normalizedName = normalizeCustomerName(name);
  return {
    normalizedName,
    pinyin: pinyinKey(normalizedName),
    pinyinInitials: pinyinInitials(normalizedName),
  };
}

/** Display names are trimmed and have inner runs of white space collapsed, nothing more. */
export function tidyDisplayName(name: string): string {
  return name.normalize("NFC").trim().replace(/\s+/g, " ");
}
