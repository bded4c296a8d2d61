import { foldText } from "../../domain/language/folded-text.js";
import { NameMatcher, pickMatches, type CustomerNames, type NameMatch } from "../../domain/language/name-matcher.js";
import type { CustomerNameStore } from "../../store/index.js";

/**
 * The process's dictionary of customer names for finding them in free text: loaded from
 * Postgres on first use, then kept current without reloading it.
 *
 * - The base matcher is built from every customer (read and build take one to two seconds at
 *   100,000 customers on our 2-core machine, see bench/RESULTS.md; the build holds the event
 *   loop, so a process may warm it at start-up with `customersNamedIn("")`).
 * - At most every `checkEveryMs` (5 s) a lookup first asks Postgres which customers changed
 *   (added, renamed, given an alias; any row update counts) since the base was read; those
 *   customers' current names go into a small overlay matcher, and the base's matches of them are
 *   ignored. So other processes' changes cost nothing until a lookup, and one lookup at most a
 *   check (two sequential scans, about 15 ms at 100,000) and an overlay build (up to
 *   `overlayLimit` customers, about 15 ms at 2,000).
 * - "Since the base was read" is the database's time when loading began, moved back to the
 *   start of the oldest transaction then open (its rows carry that time but were not visible to
 *   the load) and by `skewMs` (Prisma stamps `updatedAt` with the app server's clock), at most
 *   `maxLookbackMs` back.
 * - More than `overlayLimit` changed customers rebuild the base in the background, at most once
 *   per `minRebuildGapMs`, while the old base and overlay answer; so does a base older than
 *   `rebuildEveryMs`, which also catches what the check cannot see: aliases removed or moved to
 *   another customer, transactions older than `maxLookbackMs`, writers of another database role.
 *   Customers deleted since (merged, erased) are dropped by the caller, whose summaries no longer
 *   find them.
 *
 * Staleness bound: a change committed by any process (as the same database role) is found by
 * lookups starting `checkEveryMs` (5 s) after its commit; after more than `overlayLimit`
 * customers changed at once, within `minRebuildGapMs` plus one rebuild; anything else within
 * `rebuildEveryMs` (15 minutes) plus one rebuild. `markStale()` makes the next lookup check at
 * once, so this process's own writes are seen by its next lookup.
 */
export interface NameIndexOptions {
  checkEveryMs: number;
  rebuildEveryMs: number;
  minRebuildGapMs: number;
  skewMs: number;
  maxLookbackMs: number;
  overlayLimit: number;
  pageSize: number;
  /** Milliseconds from a monotonic clock. */
  clock: () => number;
}

const DEFAULTS: NameIndexOptions = {
  checkEveryMs: 5_000,
  rebuildEveryMs: 15 * 60_000,
  minRebuildGapMs: 60_000,
  skewMs: 5_000,
  maxLookbackMs: 10 * 60_000,
  overlayLimit: 2_000,
  pageSize: 10_000,
  clock: () => performance.now(),
};

interface Base {
  matcher: NameMatcher;
  /** Rows changed after this may be missing from the base: they go to the overlay. */
  since: Date;
  builtAt: number;
}

interface Overlay {
  matcher: NameMatcher;
  changed: ReadonlySet<string>;
}

const NO_OVERLAY: Overlay = { matcher: NameMatcher.build([]), changed: new Set() };

export interface CustomerNameIndex {
  /** The names in a text (see pickMatches): customers' ids, not yet checked to exist. */
  find(text: string): Promise<NameMatch[]>;
  /** The next lookup asks Postgres for changes first (after this process added or renamed one). */
  markStale(): void;
  /** For benchmarks and tests: the base and overlay sizes, and the last background failure. */
  stats(): { base?: ReturnType<NameMatcher["stats"]>; overlay: number; lastError?: unknown };
}

type NameSource = Pick<CustomerNameStore, "clock" | "page" | "changedSince">;

export function createCustomerNameIndex(store: NameSource, options: Partial<NameIndexOptions> = {}): CustomerNameIndex {
  const o: NameIndexOptions = { ...DEFAULTS, ...options };
  let base: Base | undefined;
  let overlay = NO_OVERLAY;
  let checkedAt = -Infinity;
  let loading: Promise<Base> | undefined;
  let checking: Promise<void> | undefined;
  let lastError: unknown;
  let rebuildStartedAt = -Infinity;

  async function load(): Promise<Base> {
    rebuildStartedAt = o.clock();
    const { now, oldestOpen } = await store.clock();
    const horizon = Math.min(now.getTime(), oldestOpen?.getTime() ?? Infinity) - o.skewMs;
    const since = new Date(Math.max(horizon, now.getTime() - o.maxLookbackMs));
    const pages: CustomerNames[][] = [];
    for (let after: string | null = null; ; ) {
      const page = await store.page(after, o.pageSize);
      pages.push(page);
      if (page.length < o.pageSize) break;
      after = page[page.length - 1]!.id;
    }
    return { matcher: NameMatcher.build(pages.flat()), since, builtAt: o.clock() };
  }

  /** One load at a time; when it lands it replaces base and overlay, and the next lookup checks. */
  function rebuild(): Promise<Base> {
    loading ??= load()
      .then((fresh) => {
        base = fresh;
        overlay = NO_OVERLAY;
        checkedAt = -Infinity;
        return fresh;
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  }

  function rebuildInBackground(): void {
    rebuild().catch((error: unknown) => {
      lastError = error; // the old base keeps answering; a later lookup tries again
    });
  }

  async function check(of: Base): Promise<void> {
    checkedAt = o.clock();
    try {
      const changed = await store.changedSince(of.since, o.overlayLimit + 1);
      if (of !== base) return; // a rebuild landed meanwhile and is newer
      if (changed.length > o.overlayLimit) {
        if (o.clock() - rebuildStartedAt >= o.minRebuildGapMs) rebuildInBackground();
      } else overlay = changed.length === 0 ? NO_OVERLAY : { matcher: NameMatcher.build(changed), changed: new Set(changed.map((c) => c.id)) };
    } catch (error) {
      checkedAt = -Infinity;
      throw error;
    }
  }

  async function current(): Promise<{ base: Base; overlay: Overlay }> {
    const known = base ?? (await rebuild());
    if (o.clock() - known.builtAt >= o.rebuildEveryMs) rebuildInBackground();
    if (o.clock() - checkedAt >= o.checkEveryMs) {
      checking ??= check(known).finally(() => {
        checking = undefined;
      });
      await checking;
    }
    return { base: base ?? known, overlay };
  }

  return {
    async find(text) {
      const view = await current();
      const folded = foldText(text);
      const fromBase = view.base.matcher.candidates(folded).filter((c) => !view.overlay.changed.has(c.customerId));
      return pickMatches(folded, [...fromBase, ...view.overlay.matcher.candidates(folded)]);
    },
    markStale() {
      checkedAt = -Infinity;
    },
    stats() {
      return { ...(base ? { base: base.matcher.stats() } : {}), overlay: overlay.changed.size, ...(lastError !== undefined ? { lastError } : {}) };
    },
  };
}

/**
 * One index per store, that is per process (services for a channel share their rep's): made on
 * first use, loaded on its first lookup.
 */
const indexes = new WeakMap<NameSource, CustomerNameIndex>();
export function customerNameIndexOf(store: NameSource): CustomerNameIndex {
  let index = indexes.get(store);
  if (!index) indexes.set(store, (index = createCustomerNameIndex(store)));
  return index;
}
