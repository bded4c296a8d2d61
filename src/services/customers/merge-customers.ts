import { nameKeys } from "../../domain/language/customer-name.js";
import { AppError } from "../../domain/errors.js";
import { mayChange } from "../../domain/access/write-rights.js";
import type { Rep } from "../../store/index.js";
import type { MergedCustomers } from "../../store/customers/customer-merge.js";
import { refreshSegments } from "../analytics/score-segments.js";
import type { Audience } from "../audience.js";
import { recordRead } from "../audit/record-read.js";
import type { ServiceDeps } from "../deps.js";
import { customerNamesChanged } from "./find-named-customers.js";

/** What a merge would move, for the confirmation before it. */
export interface MergePreview {
  from: { id: string; name: string; orders: number; interactions: number; contacts: number };
  into: { id: string; name: string; orders: number; interactions: number; contacts: number };
}

/**
 * Merges customer `fromId` into `intoId` in one transaction (src/store/customers/customer-merge.ts says
 * what moves): a failure anywhere changes nothing. A rep merges only customers they may change
 * (mayChange on both: their own or nobody's); managers and admins any. The kept customer's
 * segment follows its merged facts at once, and the name dictionary learns the alias.
 */
export async function mergeCustomers(deps: ServiceDeps, rep: Rep, input: { fromId: string; intoId: string }): Promise<MergedCustomers> {
  const merged = await deps.store.transaction(async (tx) => {
    const result = await tx.customerMerge.mergeCustomers({
      fromId: input.fromId,
      intoId: input.intoId,
      actorId: rep.id,
      authorize: async ({ from, into }) => {
        const foreign = [from, into].find((c) => !mayChange(rep, { ownerId: c.ownerId }));
        if (!foreign) return;
        const owner = await tx.users.findById(foreign.ownerId!);
        throw new AppError("FORBIDDEN", "merge.forbidden", { customer: foreign.name, owner: owner?.displayName ?? "?" }, `rep ${rep.id} may not merge ${foreign.name}`);
      },
    });
    await refreshSegments(tx, deps, [result.into.id]);
    return result;
  });
  customerNamesChanged(deps);
  return merged;
}

/**
 * Both customers of a merge as they are now, or "X no longer exists (merged into Y)" for one
 * that is gone. Refuses a customer merged into itself before anything is asked.
 */
export async function previewMerge(deps: ServiceDeps, viewer: Rep, input: { fromId: string; intoId: string }, audience: Audience = "rep"): Promise<MergePreview> {
  if (input.fromId === input.intoId) throw new AppError("INVALID_INPUT", "merge.self");
  const [from, into] = await Promise.all([deps.store.duplicates.mergeSide(input.fromId), deps.store.duplicates.mergeSide(input.intoId)]);
  if (!from) throw await deps.store.customerMerge.goneCustomerError(input.fromId);
  if (!into) throw await deps.store.customerMerge.goneCustomerError(input.intoId);
  await recordRead(deps.store, viewer, "customer.view", { entityId: from.id, customerIds: [from.id, into.id], audience, detail: { form: "merge", into: into.id } });
  return { from, into };
}

/**
 * A typed name that now finds `customer` because a customer of that name was merged into it
 * (its name stayed as an alias): that customer's name, for "X no longer exists (merged into Y)".
 */
export async function mergedAwayName(deps: ServiceDeps, customerId: string, typed: string): Promise<string | null> {
  const keys = nameKeys(typed);
  const names = await deps.store.customerMerge.namesMergedInto(customerId);
  return names.find((n) => {
    const k = nameKeys(n);
    return k.normalizedName === keys.normalizedName || k.pinyin === keys.pinyin;
  }) ?? null;
}
