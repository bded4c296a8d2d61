import { nameKeys, tidyDisplayName } from "../../domain/language/customer-name.js";
import { orderedPair, suggestedSurvivor, type DuplicateReason } from "../../domain/customers/duplicate-reasons.js";
import { AppError } from "../../domain/errors.js";
import { mayChange } from "../../domain/access/write-rights.js";
import type { LikelyDuplicate, PairSide, Rep, ScanState } from "../../store/index.js";
import { maySeePrivate, type Audience } from "../audience.js";
import { recordListed } from "../audit/record-read.js";
import type { ServiceDeps } from "../deps.js";

/** How many pairs /crm duplicates shows a page. */
export const DUPLICATES_PAGE_SIZE = 8;
/** How many look-alikes adding a customer names. */
const LIKELY_SHOWN = 3;

/** A reason as the reader may see it: a phone or email of a customer they may not see is left out. */
export type ShownReason = DuplicateReason | { kind: "phone" | "email"; hidden: true };

export interface DuplicatePairView {
  a: PairSide;
  b: PairSide;
  reasons: ShownReason[];
  /** Which to keep when merging from the list (more history, else older). */
  keep: "a" | "b";
  /** The reader may merge them (or mark them as two customers). */
  mayMerge: boolean;
}

export interface DuplicateListing {
  pairs: DuplicatePairView[];
  total: number;
  page: number;
  pageSize: number;
  scan: ScanState;
}

/**
 * The kept pairs, found again first when customers, aliases or contacts changed since the last
 * scan (seconds at 100k customers; at once when nothing changed).
 */
export async function freshDuplicateScan(deps: ServiceDeps): Promise<ScanState> {
  const [fingerprint, last] = await Promise.all([deps.store.duplicates.fingerprint(), deps.store.duplicates.lastScan()]);
  if (last && last.fingerprint === fingerprint) return last;
  return deps.store.duplicates.scan(deps.now());
}

/** Private details stay with those who may see both customers' (maySeePrivate). */
function shownReasons(viewer: Rep, a: PairSide, b: PairSide, reasons: readonly DuplicateReason[], audience: Audience): ShownReason[] {
  const mayShow = maySeePrivate(viewer, a.ownerId, audience) && maySeePrivate(viewer, b.ownerId, audience);
  return reasons.map((r) => ((r.kind === "phone" || r.kind === "email") && !mayShow ? { kind: r.kind, hidden: true } : r));
}

/** A page (from 1) of the likely duplicates, strongest first; everyone may list them. */
export async function listDuplicates(deps: ServiceDeps, viewer: Rep, page: number, audience: Audience): Promise<DuplicateListing> {
  const scan = await freshDuplicateScan(deps);
  const { pairs, total } = await deps.store.duplicates.listPairs(DUPLICATES_PAGE_SIZE, (page - 1) * DUPLICATES_PAGE_SIZE);
  await recordListed(deps.store, viewer, "duplicates", [...new Set(pairs.flatMap((p) => [p.a.id, p.b.id]))], audience, { page, pairs: pairs.length });
  return {
    pairs: pairs.map((p) => ({
      a: p.a,
      b: p.b,
      reasons: shownReasons(viewer, p.a, p.b, p.reasons, audience),
      keep: suggestedSurvivor(p.a, p.b),
      mayMerge: mayChange(viewer, { ownerId: p.a.ownerId }) && mayChange(viewer, { ownerId: p.b.ownerId }),
    })),
    total,
    page,
    pageSize: DUPLICATES_PAGE_SIZE,
    scan,
  };
}

/**
 * Marks two customers as different companies: the pair is never listed again (until one of them
 * is merged with a third). Like a merge, it needs the right to change both; audited.
 */
export async function dismissDuplicate(deps: ServiceDeps, rep: Rep, input: { x: string; y: string }): Promise<{ dismissed: boolean; names: [string, string] }> {
  if (input.x === input.y) throw new AppError("INVALID_INPUT", "merge.self");
  const [a, b] = orderedPair(input.x, input.y);
  return deps.store.transaction(async (tx) => {
    const found = await tx.duplicates.lockExisting([a, b]);
    for (const id of [a, b]) if (!found.some((c) => c.id === id)) throw await tx.customerMerge.goneCustomerError(id);
    const owners = await Promise.all([tx.customers.getSummary(a), tx.customers.getSummary(b)]);
    for (const c of owners) {
      if (c && !mayChange(rep, { ownerId: c.ownerId })) {
        throw new AppError("FORBIDDEN", "duplicates.dismissForbidden", { customer: c.name, owner: c.ownerName ?? "?" }, `rep ${rep.id} may not mark ${c.name}`);
      }
    }
    const nameOf = (id: string) => found.find((c) => c.id === id)!.name;
    const dismissed = await tx.duplicates.dismiss(a, b, rep.id);
    if (dismissed) {
      await tx.audit.write({ actorId: rep.id, action: "duplicate.dismiss", entityId: a, customerIds: [a, b], detail: { customers: [a, b] } });
    }
    return { dismissed, names: [nameOf(input.x), nameOf(input.y)] };
  });
}

/**
 * Customers a name about to be added would likely duplicate (the same pinyin, an alias, or a
 * name alike), strongest first. None when a customer has exactly this name: adding answers
 * with that one's card anyway.
 */
export async function likelyDuplicatesOf(deps: ServiceDeps, viewer: Rep, name: string, audience: Audience = "rep"): Promise<LikelyDuplicate[]> {
  const keys = nameKeys(tidyDisplayName(name));
  const likely = await deps.store.duplicates.likelyDuplicatesOf(keys, LIKELY_SHOWN);
  await recordListed(deps.store, viewer, "likely-duplicates", likely.map((c) => c.id), audience);
  return likely;
}
