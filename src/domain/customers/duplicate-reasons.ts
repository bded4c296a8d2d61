/**
 * Why two customers are likely the same company, and how strongly. The scan (src/store/customers/duplicates.ts)
 * finds the reasons in SQL; this file holds the rules both sides share and the order pairs are listed in.
 */

/** pg_trgm similarity of the two names' pinyin from which a pair counts as "names alike". */
export const SIMILAR_NAMES_FROM = 0.6;

/**
 * How many neighbours each name is compared with, in pinyin order and in the order of the pinyin
 * read backwards (a typo near the start keeps the end, and the other way round). Comparing every
 * name with every other through the trigram index took 12 to 15 minutes at 100k customers; 6 neighbours
 * take 5 s and found 228 of 250 planted typos, 10 took 8 s for 233 (bench/RESULTS.md).
 */
export const SCAN_NEIGHBOURS = 6;

export type DuplicateReason =
  /** A contact of each has this phone number (as stored on the first one). */
  | { kind: "phone"; phone: string }
  | { kind: "email"; email: string }
  /** The names read the same in pinyin ("阿里巴巴" and "Alibaba", or two homophones). */
  | { kind: "pinyin"; pinyin: string }
  /** One customer is also known by the other's name. */
  | { kind: "alias"; alias: string }
  /** Trigram similarity of the names, 0–1. */
  | { kind: "similar"; similarity: number };

export type DuplicateReasonKind = DuplicateReason["kind"];

/** How much each kind of reason alone says; a pair with several reasons scores higher. */
export const REASON_WEIGHTS: Readonly<Record<Exclude<DuplicateReasonKind, "similar">, number>> = {
  email: 0.98,
  phone: 0.97,
  alias: 0.96,
  pinyin: 0.95,
};

export function reasonWeight(reason: DuplicateReason): number {
  return reason.kind === "similar" ? Math.min(reason.similarity, 0.94) : REASON_WEIGHTS[reason.kind];
}

/**
 * A pair's score: the chance that not every reason is wrong, if each were a separate witness.
 * One email alone is 0.98; names 70% alike and the same phone 0.991.
 */
export function pairScore(reasons: readonly DuplicateReason[]): number {
  return 1 - reasons.reduce((doubt, r) => doubt * (1 - reasonWeight(r)), 1);
}

/** Strongest first, as the list shows them. */
export function sortReasons(reasons: readonly DuplicateReason[]): DuplicateReason[] {
  return [...reasons].sort((x, y) => reasonWeight(y) - reasonWeight(x));
}

/** A pair is kept once, smaller id first (the tables check it). */
export function orderedPair(x: string, y: string): [string, string] {
  return x < y ? [x, y] : [y, x];
}

/**
 * A phone number as a duplicate key: its last nine digits, so "+86 138 0013 8000" and
 * "138-0013-8000" meet whatever the region; fewer than seven digits are no key. The SQL
 * function crm_phone_key (migration 20261207130000) is the same rule.
 */
export function phoneKey(phone: string): string | null {
  const digits = phone.replace(/[^0-9]/g, "");
  return digits.length >= 7 ? digits.slice(-9) : null;
}

/** An email as a duplicate key. */
export function emailKey(email: string): string | null {
  const key = email.trim().toLowerCase();
  return key ? key : null;
}

export interface MergeSide {
  orders: number;
  interactions: number;
  createdAt: Date;
}

/**
 * Which of a pair to keep when merging from the list: the one with more history (orders, then
 * interactions), else the older record. The rep may pick the other way round.
 */
export function suggestedSurvivor(a: MergeSide, b: MergeSide): "a" | "b" {
  if (a.orders !== b.orders) return a.orders > b.orders ? "a" : "b";
  if (a.interactions !== b.interactions) return a.interactions > b.interactions ? "a" : "b";
  return a.createdAt.getTime() <= b.createdAt.getTime() ? "a" : "b";
}
