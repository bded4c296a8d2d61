/**
 * Finds every known customer name inside a free text in one pass over the text, however many
 * customers there are: an Aho-Corasick automaton over the folded keys of every customer's names
 * and aliases (see name-forms.ts for which forms and rules). A query per word cannot find
 * "腾讯" in "跟进腾讯合同", which has no words, and costs a round trip per word.
 *
 * The automaton is kept in typed arrays (children of a node side by side, found by binary
 * search; the root's children in a table), about 24 bytes a node. It walks the folded text
 * (folded-text.ts), where spaces and punctuation are gone but remembered, which is what lets
 * "A.C.M.E" meet "acme" and still keep "Acme" out of "Acmeville"; an npm matcher over raw text
 * (modern-ahocorasick 3.3, tried on the same 147,000 keys: as much memory, three times the build
 * time) would need that folding and position mapping around it anyway.
 */
import { nameKeys } from "./customer-name.js";
import { foldText, isUnspacedUnit, type FoldedText } from "./folded-text.js";
import { chineseShortName, freeTextRule, inCapitals, MAX_SHORT_SHARED, TRAILING_SUFFIXES, VIA_RANK, type NameVia } from "./name-forms.js";

/** One customer's names as the store keeps them (keys made by nameKeys). */
export interface CustomerNames {
  id: string;
  names: ReadonlyArray<{ kind: "name" | "alias"; written: string; normalizedName: string; pinyin: string }>;
}

/** For tests and benchmarks: a customer's names from how they are written. */
export function customerNames(id: string, name: string, aliases: readonly string[] = []): CustomerNames {
  const entry = (kind: "name" | "alias", written: string) => ({ kind, written, ...nameKeys(written) });
  return { id, names: [entry("name", name), ...aliases.map((a) => entry("alias", a))] };
}

/** A place in the folded text where a key of one customer ends; positions in `folded` units. */
export interface NameCandidate {
  start: number;
  end: number;
  customerId: string;
  via: NameVia;
}

/** A name found in the text: UTF-16 offsets into the original, end exclusive. */
export interface NameMatch {
  start: number;
  end: number;
  /** The words as written, company suffix included ("Acme Co., Ltd."). */
  matched: string;
  /** Usually one; several when the same words name several customers equally well. */
  customers: Array<{ id: string; via: NameVia }>;
}

const VIAS: readonly NameVia[] = ["name", "alias", "pinyin", "short"];
const [NAME, ALIAS, PINYIN, SHORT] = [0, 1, 2, 3] as const;
const NEEDS_START = 1;
const NEEDS_END = 2;
const CAPITALS = 4;
/** Longer keys are not names anyone writes in a sentence (and key lengths fit 16 bits). */
const MAX_KEY_UNITS = 256;

export interface NameMatcherStats {
  customers: number;
  keys: number;
  nodes: number;
  /** Bytes held in typed arrays (the customer id strings come on top). */
  bytes: number;
}

export class NameMatcher {
  private constructor(
    private readonly customerIds: readonly string[],
    private readonly keys: KeyTable,
    private readonly automaton: Automaton,
  ) {}

  static build(customers: Iterable<CustomerNames>): NameMatcher {
    const customerIds: string[] = [];
    const byKey = new Map<string, number[]>();
    const add = (key: string, customer: number, via: number) => {
      if (key.length > MAX_KEY_UNITS) return;
      const list = byKey.get(key);
      if (list) list.push(customer * 4 + via);
      else byKey.set(key, [customer * 4 + via]);
    };
    for (const c of customers) {
      const index = customerIds.push(c.id) - 1;
      for (const n of c.names) {
        if (freeTextRule(n.normalizedName, n.written)) add(n.normalizedName, index, n.kind === "name" ? NAME : ALIAS);
        if (n.pinyin !== n.normalizedName && freeTextRule(n.pinyin)) add(n.pinyin, index, PINYIN);
        const short = chineseShortName(n.normalizedName);
        if (short && freeTextRule(short)) add(short, index, SHORT);
      }
    }
    const keys = [...byKey.keys()].sort();
    const keyLength = new Uint16Array(keys.length);
    const keyFlags = new Uint8Array(keys.length);
    const entryStart = new Int32Array(keys.length + 1);
    const entryList: number[] = [];
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k]!;
      entryStart[k] = entryList.length;
      keyLength[k] = key.length;
      const spacedStart = !isUnspacedUnit(key.charCodeAt(0));
      const spacedEnd = !isUnspacedUnit(key.charCodeAt(key.length - 1));
      // Two letters in a spaced script: kept only for customers who write them in capitals.
      keyFlags[k] = (spacedStart ? NEEDS_START : 0) | (spacedEnd ? NEEDS_END : 0) | (key.length === 2 && spacedStart && spacedEnd ? CAPITALS : 0);
      const list = byKey.get(key)!;
      if (list.length === 1) entryList.push(list[0]!);
      else for (const e of bestEntries(list)) entryList.push(e);
    }
    entryStart[keys.length] = entryList.length;
    const table: KeyTable = { keyLength, keyFlags, entryStart, entries: Int32Array.from(entryList) };
    return new NameMatcher(customerIds, table, buildAutomaton(keys));
  }

  stats(): NameMatcherStats {
    const { keyLength, keyFlags, entryStart, entries } = this.keys;
    const { edgeStart, edgeLabel, edgeTarget, rootNext, fail, outLink, terminal } = this.automaton;
    const arrays = [keyLength, keyFlags, entryStart, entries, edgeStart, edgeLabel, edgeTarget, rootNext, fail, outLink, terminal];
    return {
      customers: this.customerIds.length,
      keys: this.keys.keyLength.length,
      nodes: this.automaton.fail.length,
      bytes: arrays.reduce((sum, a) => sum + a.byteLength, 0),
    };
  }

  /** Every place a key ends and may stand there (boundaries, capitals); overlaps included. */
  candidates(text: FoldedText): NameCandidate[] {
    const out: NameCandidate[] = [];
    const { fail, terminal, outLink } = this.automaton;
    const s = text.folded;
    let state = 0;
    for (let i = 0; i < s.length; i++) {
      const unit = s.charCodeAt(i);
      for (;;) {
        const next = step(this.automaton, state, unit);
        if (next >= 0) {
          state = next;
          break;
        }
        if (state === 0) break;
        state = fail[state]!;
      }
      let node = terminal[state]! >= 0 ? state : outLink[state]!;
      while (node !== 0) {
        this.emit(text, terminal[node]!, i + 1, out);
        node = outLink[node]!;
      }
    }
    return out;
  }

  private emit(text: FoldedText, key: number, end: number, out: NameCandidate[]): void {
    const { keyLength, keyFlags, entryStart, entries } = this.keys;
    const start = end - keyLength[key]!;
    const flags = keyFlags[key]!;
    const s = text.folded;
    if (flags & NEEDS_START && start > 0 && !text.gapBefore[start] && !isUnspacedUnit(s.charCodeAt(start - 1))) return;
    if (flags & NEEDS_END && end < s.length && !text.gapBefore[end] && !isUnspacedUnit(s.charCodeAt(end))) return;
    if (flags & CAPITALS && !inCapitals(text.original.slice(text.from[start], text.to[end - 1]))) return;
    for (let e = entryStart[key]!; e < entryStart[key + 1]!; e++) {
      const entry = entries[e]!;
      out.push({ start, end, customerId: this.customerIds[entry >> 2]!, via: VIAS[entry & 3]! });
    }
  }
}

/** One entry per customer for a key: its best form ("name" over "pinyin"); crowded short forms go. */
function bestEntries(entries: readonly number[]): number[] {
  const best: number[] = [];
  for (const e of entries) {
    // A customer's entries are side by side: customers are added one after another.
    const last = best.length - 1;
    if (last < 0 || best[last]! >> 2 !== e >> 2) best.push(e);
    else if (VIA_RANK[VIAS[e & 3]!] < VIA_RANK[VIAS[best[last]! & 3]!]) best[last] = e;
  }
  const shorts = best.filter((e) => (e & 3) === SHORT).length;
  return shorts > MAX_SHORT_SHARED ? best.filter((e) => (e & 3) !== SHORT) : best;
}

interface KeyTable {
  readonly keyLength: Uint16Array;
  /** NEEDS_START | NEEDS_END | CAPITALS */
  readonly keyFlags: Uint8Array;
  /** Entries of key k: entries[entryStart[k] .. entryStart[k + 1]), each customer index * 4 + via. */
  readonly entryStart: Int32Array;
  readonly entries: Int32Array;
}

interface Edges {
  /** Children of node v: edges edgeStart[v] .. edgeStart[v + 1], sorted by label. */
  readonly edgeStart: Int32Array;
  readonly edgeLabel: Uint16Array;
  readonly edgeTarget: Int32Array;
  /** The root's child per UTF-16 unit, or -1: the root has thousands of children in Chinese. */
  readonly rootNext: Int32Array;
}

interface Automaton extends Edges {
  readonly fail: Int32Array;
  /** Nearest node down the failure chain that ends a key (0: none). */
  readonly outLink: Int32Array;
  /** The key a node ends, or -1. */
  readonly terminal: Int32Array;
}

/** The child of `state` along `unit`, or -1. */
function step(edges: Edges, state: number, unit: number): number {
  if (state === 0) return edges.rootNext[unit]!;
  let lo = edges.edgeStart[state]!;
  let hi = edges.edgeStart[state + 1]! - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const label = edges.edgeLabel[mid]!;
    if (label === unit) return edges.edgeTarget[mid]!;
    if (label < unit) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * The automaton over sorted, distinct keys. Nodes are made in depth-first order by walking each
 * key from where it parts from the one before, so every node's children are made in label order;
 * then the edges are laid out per node (CSR) and failure links are set breadth-first.
 */
function buildAutomaton(keys: readonly string[]): Automaton {
  const capacity = keys.reduce((n, k) => n + k.length, 1);
  const parent = new Int32Array(capacity);
  const label = new Uint16Array(capacity);
  const terminalAll = new Int32Array(capacity).fill(-1);
  let nodes = 1;
  const path: number[] = [0];
  let previous = "";
  keys.forEach((key, k) => {
    let common = 0;
    while (common < previous.length && common < key.length && previous.charCodeAt(common) === key.charCodeAt(common)) common++;
    path.length = common + 1;
    for (let d = common; d < key.length; d++) {
      parent[nodes] = path[d]!;
      label[nodes] = key.charCodeAt(d);
      path.push(nodes++);
    }
    terminalAll[path[key.length]!] = k;
    previous = key;
  });

  const edgeStart = new Int32Array(nodes + 1);
  for (let v = 1; v < nodes; v++) edgeStart[parent[v]! + 1]!++;
  for (let v = 0; v < nodes; v++) edgeStart[v + 1]! += edgeStart[v]!;
  const edgeLabel = new Uint16Array(Math.max(0, nodes - 1));
  const edgeTarget = new Int32Array(Math.max(0, nodes - 1));
  const filled = edgeStart.slice(0, nodes);
  for (let v = 1; v < nodes; v++) {
    const at = filled[parent[v]!]!++;
    edgeLabel[at] = label[v]!;
    edgeTarget[at] = v;
  }
  const rootNext = new Int32Array(0x10000).fill(-1);
  for (let e = edgeStart[0]!; e < edgeStart[1]!; e++) rootNext[edgeLabel[e]!] = edgeTarget[e]!;

  const terminal = terminalAll.slice(0, nodes);
  const fail = new Int32Array(nodes);
  const outLink = new Int32Array(nodes);
  const queue = new Int32Array(nodes);
  let head = 0;
  let tail = 0;
  const edges: Edges = { edgeStart, edgeLabel, edgeTarget, rootNext };
  for (let e = edgeStart[0]!; e < edgeStart[1]!; e++) queue[tail++] = edgeTarget[e]!;
  while (head < tail) {
    const u = queue[head++]!;
    for (let e = edgeStart[u]!; e < edgeStart[u + 1]!; e++) {
      const v = edgeTarget[e]!;
      const unit = edgeLabel[e]!;
      let f = fail[u]!;
      let target = step(edges, f, unit);
      while (target < 0 && f !== 0) {
        f = fail[f]!;
        target = step(edges, f, unit);
      }
      const link = target < 0 ? 0 : target;
      fail[v] = link;
      outLink[v] = terminal[link]! >= 0 ? link : outLink[link]!;
      queue[tail++] = v;
    }
  }
  return { edgeStart, edgeLabel, edgeTarget, rootNext, fail, outLink, terminal };
}

/**
 * The names a text holds, from candidates of one or more matchers over the same folded text:
 * leftmost first, and of those starting at one place the longest; a candidate overlapping one
 * already taken is dropped. Where several customers cover the same words, the best form wins
 * (a name or alias over pinyin over a short form) and equals are all kept. A company suffix
 * right after a name ("Acme Ltd", "华为公司") is taken into the match.
 */
export function pickMatches(text: FoldedText, candidates: readonly NameCandidate[]): NameMatch[] {
  const sorted = [...candidates].sort((a, b) => a.start - b.start || b.end - a.end || VIA_RANK[a.via] - VIA_RANK[b.via]);
  const matches: NameMatch[] = [];
  let taken = 0;
  for (let i = 0; i < sorted.length; ) {
    const first = sorted[i]!;
    let j = i;
    const customers: NameMatch["customers"] = [];
    while (j < sorted.length && sorted[j]!.start === first.start && sorted[j]!.end === first.end) {
      const c = sorted[j++]!;
      if (VIA_RANK[c.via] === VIA_RANK[first.via] && !customers.some((x) => x.id === c.customerId)) customers.push({ id: c.customerId, via: c.via });
    }
    if (first.start >= taken) {
      // A suffix never swallows the start of another name ("Acme Inc" vs a customer "Inc...").
      let end = withSuffix(text, first.end);
      for (let k = j; k < sorted.length && end > first.end; k++) {
        if (sorted[k]!.start >= first.end && sorted[k]!.start < end) end = first.end;
      }
      const start = text.from[first.start]!;
      const stop = text.to[end - 1]!;
      matches.push({ start, end: stop, matched: text.original.slice(start, stop), customers });
      taken = end;
    }
    i = j;
  }
  return matches;
}

/** Where a match ending at `end` stops once company suffixes written after it are included. */
function withSuffix(text: FoldedText, end: number): number {
  const s = text.folded;
  const boundaryAt = (at: number) => text.gapBefore[at] === 1 || isUnspacedUnit(s.charCodeAt(at)) || isUnspacedUnit(s.charCodeAt(at - 1));
  for (;;) {
    const latin = boundaryAt(end) ? TRAILING_SUFFIXES.latin.find((w) => s.startsWith(w, end) && boundaryAt(end + w.length)) : undefined;
    const suffix = latin ?? TRAILING_SUFFIXES.unspaced.find((w) => s.startsWith(w, end));
    if (!suffix) return end;
    end += suffix.length;
  }
}

/** The names in one text, with one matcher. */
export function findNames(matcher: NameMatcher, text: string): NameMatch[] {
  const folded = foldText(text);
  return pickMatches(folded, matcher.candidates(folded));
}
