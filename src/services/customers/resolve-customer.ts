import { nameKeys } from "../../domain/language/customer-name.js";
import type { CustomerSummary } from "../../store/index.js";
import type { ServiceDeps } from "../deps.js";

/** How many customers a rep is offered to pick from. */
export const MAX_CANDIDATES = 8;

export type CustomerResolution =
  | { kind: "found"; customer: CustomerSummary }
  /** Several customers fit equally well: the user picks; `more` when others fit too and are not among them. */
  | { kind: "ambiguous"; candidates: CustomerSummary[]; more: boolean }
  /** Nothing fits; `suggestions` are names that look alike (typos). */
  | { kind: "none"; suggestions: CustomerSummary[] };

/**
 * Finds the customer a rep means by a name typed in chat. An exact key (case, spacing,
 * punctuation, company suffixes, aliases, pinyin) wins; otherwise one prefix/substring match
 * wins; several are offered as candidates; look-alikes are only ever suggested, never picked.
 */
export async function resolveCustomer(deps: ServiceDeps, query: string): Promise<CustomerResolution> {
  // One more than offered tells whether the candidates are all there are.
  const { tier, candidates } = await deps.store.customers.search(nameKeys(query), MAX_CANDIDATES + 1);
  if ((tier === "exact" || tier === "partial") && candidates.length === 1) {
    return { kind: "found", customer: candidates[0]! };
  }
  if (tier === "exact" || tier === "partial") return { kind: "ambiguous", candidates: candidates.slice(0, MAX_CANDIDATES), more: candidates.length > MAX_CANDIDATES };
  return { kind: "none", suggestions: candidates };
}

export interface LeadingCustomer {
  resolution: CustomerResolution;
  /** The name as the rep typed it. */
  query: string;
  /** The words after the name. */
  rest: string;
}

/**
 * Splits "Acme Ltd call: discussed renewal" into the customer and the rest when the command
 * gives no other separator: the longest run of leading words that names exactly one customer
 * wins; failing that, the first word is the name.
 */
export async function resolveLeadingCustomer(deps: ServiceDeps, words: readonly string[], maxNameWords = 6): Promise<LeadingCustomer> {
  for (let n = Math.min(maxNameWords, words.length); n >= 2; n--) {
    const query = words.slice(0, n).join(" ");
    const { tier, candidates } = await deps.store.customers.search(nameKeys(query), 2);
    if (tier === "exact" && candidates.length === 1) {
      return { resolution: { kind: "found", customer: candidates[0]! }, query, rest: words.slice(n).join(" ") };
    }
  }
  const query = words[0] ?? "";
  return { resolution: await resolveCustomer(deps, query), query, rest: words.slice(1).join(" ") };
}

/**
 * The customer a text names, if exactly one: runs of one to three words are looked up by their
 * exact key (name, alias, pinyin), longest first, among the first dozen words.
 */
export async function findNamedCustomer(deps: ServiceDeps, words: readonly string[]): Promise<CustomerSummary | undefined> {
  const scanned = words.slice(0, 12).map((w) => w.replace(/^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu, "")).filter(Boolean);
  for (let size = 3; size >= 1; size--) {
    for (let i = 0; i + size <= scanned.length; i++) {
      const keys = nameKeys(scanned.slice(i, i + size).join(" "));
      if ([...keys.normalizedName].length < 2) continue;
      const candidates = await deps.store.customers.findExact(keys, 2);
      if (candidates.length === 1) return candidates[0];
    }
  }
  return undefined;
}
