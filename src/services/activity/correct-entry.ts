import type { Channel } from "../../domain/interaction-channel.js";
import { AppError } from "../../domain/errors.js";
import { Decimal, toBase } from "../../domain/money.js";
import { mayChange } from "../../domain/access/write-rights.js";
import { entryStamp, type EntryKind, type InteractionEntry, type LockedCustomer, type OrderEntry, type Rep, type Repositories } from "../../store/index.js";
import { refreshSegments } from "../analytics/score-segments.js";
import { auditedChange, isNonPersonalField } from "../../domain/access/audit-actions.js";
import { recordRead } from "../audit/record-read.js";
import type { ServiceDeps } from "../deps.js";
import { rateOf, reviewOrder, type OrderReview } from "./record-order.js";

/**
 * Correcting an order or a logged interaction. Rights (mayChange: the entry's author, the
 * customer's owner, managers and admins) are checked on the locked customer, so an owner change
 * cannot slip between the check and the write; the entry's every aggregate is recomputed in the
 * same transaction (store/activity/entry-corrections.ts) and the change is audit-logged with before and
 * after. A correction names the form's `stamp`: if the entry changed since the form was opened
 * (another correction, a deletion, a merge) it is refused, never silently overwritten.
 *
 * An order keeps its customer: the form has no customer field, and an order recorded for the
 * wrong customer is deleted and recorded again for the right one (two audit rows saying so).
 * An interaction's channel and text can be corrected, not its time. Messages exchanged with a
 * customer (WeChat, inbound or outbound) are records of what was said: they are neither
 * corrected nor deleted here (erasing a person's data is a separate path).
 */

export interface OrderTermsSnapshot {
  amount: string;
  currency: string;
  baseAmount: string;
  product: string | null;
  orderedAt: Date;
}

export interface InteractionSnapshot {
  channel: Channel;
  body: string;
  occurredAt: Date;
}

export type EntrySnapshot = ({ kind: "order" } & OrderTermsSnapshot) | ({ kind: "interaction" } & InteractionSnapshot);

export interface EntryCustomer {
  id: string;
  name: string;
  ownerId: string | null;
  stage: string;
}

/** An entry as a correction form opens on it. */
export type EditableEntry =
  | { kind: "order"; id: string; customer: EntryCustomer; stamp: string; order: OrderTermsSnapshot }
  | { kind: "interaction"; id: string; customer: EntryCustomer; stamp: string; interaction: InteractionSnapshot };

export type CorrectionResult<T> =
  | { changed: true; id: string; customer: EntryCustomer; before: T; after: T }
  | { changed: false; id: string; customer: EntryCustomer; before: T };

export interface DeletionResult {
  /** False: it already was deleted (or, for a restore, was not): nothing was written. */
  changed: boolean;
  id: string;
  customer: EntryCustomer;
  entry: EntrySnapshot;
  /**
   * Set when deleting left the customer without orders in a stage that a purchase (or the
   * nightly scan) set: the stage is not moved back on its own, and the answer says so.
   */
  stageKept?: string;
}

/** How far back `/order undo` and `/log undo` reach. */
export const UNDO_WINDOW_HOURS = 24;

const orderSnapshot = (o: OrderEntry): OrderTermsSnapshot => ({ amount: o.amount, currency: o.currency, baseAmount: o.baseAmount, product: o.product, orderedAt: o.orderedAt });
const interactionSnapshot = (i: InteractionEntry): InteractionSnapshot => ({ channel: i.channel, body: i.body, occurredAt: i.occurredAt });
const snapshotOf = (kind: EntryKind, entry: OrderEntry | InteractionEntry): EntrySnapshot =>
  kind === "order" ? { kind, ...orderSnapshot(entry as OrderEntry) } : { kind, ...interactionSnapshot(entry as InteractionEntry) };
const customerOf = (c: LockedCustomer): EntryCustomer => ({ id: c.id, name: c.name, ownerId: c.ownerId, stage: c.stage });
const authorOf = (entry: OrderEntry | InteractionEntry): string | null => ("createdById" in entry ? entry.createdById : entry.authorId);

/** An entry as the audit log may show it: its non-personal fields (an order's terms; a note's channel and time, not its text). */
const audited = (s: OrderTermsSnapshot | InteractionSnapshot | EntrySnapshot): Record<string, unknown> =>
  Object.fromEntries(Object.entries(s).filter(([k]) => isNonPersonalField(k)).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));

/** Refuses what the rep may not change, naming who may; checked on the locked customer. */
async function authorize(tx: Pick<Repositories, "entryCorrections">, rep: Rep, customer: { ownerId: string | null }, authorId: string | null): Promise<void> {
  if (mayChange(rep, { ownerId: customer.ownerId, authorId })) return;
  const names = await tx.entryCorrections.repNames([authorId, customer.ownerId]);
  throw new AppError("FORBIDDEN", "correction.forbidden", {
    author: (authorId && names.get(authorId)) || "—",
    owner: (customer.ownerId && names.get(customer.ownerId)) || "—",
  });
}

/** Only what the team wrote into the CRM is theirs to correct: messages with a customer stay as they were. */
function assertEditable(kind: EntryKind, entry: OrderEntry | InteractionEntry): void {
  if (kind === "interaction" && (entry as InteractionEntry).direction !== "INTERNAL") throw new AppError("FORBIDDEN", "correction.customerMessage");
}

async function read(deps: ServiceDeps, kind: EntryKind, id: string): Promise<OrderEntry | InteractionEntry> {
  const entry = kind === "order" ? await deps.store.entryCorrections.findOrder(id) : await deps.store.entryCorrections.findInteraction(id);
  if (!entry) throw new AppError("NOT_FOUND", "correction.gone");
  return entry;
}

/**
 * The entry a correction form opens on, once the viewer may change it; a deleted entry is not
 * corrected. Opening the form shows the entry: audited. `purpose` "check": the same checks before
 * a submitted form is written, which shows nothing new (the write is audited itself).
 */
export async function openEntry(deps: ServiceDeps, viewer: Rep, kind: EntryKind, id: string, purpose: "form" | "check" = "form"): Promise<EditableEntry> {
  const entry = await read(deps, kind, id);
  const customer = await deps.store.customers.getSummary(entry.customerId);
  if (!customer) throw new AppError("NOT_FOUND", "correction.gone");
  assertEditable(kind, entry);
  await authorize(deps.store, viewer, customer, authorOf(entry));
  if (entry.deletedAt) throw new AppError("CONFLICT", "correction.isDeleted");
  // The form shows the entry's terms or text: reading them is audited.
  if (purpose === "form") await recordRead(deps.store, viewer, kind === "order" ? "order.view" : "interaction.view", { entityId: entry.id, customerIds: [customer.id], detail: { form: "correct" } });
  const base = { id: entry.id, customer: { id: customer.id, name: customer.name, ownerId: customer.ownerId, stage: customer.stage }, stamp: entryStamp(entry) };
  return kind === "order" ? { kind, ...base, order: orderSnapshot(entry as OrderEntry) } : { kind, ...base, interaction: interactionSnapshot(entry as InteractionEntry) };
}

export interface OrderCorrection {
  orderId: string;
  stamp: string;
  amount: Decimal;
  currency: string;
  product: string | null;
  orderedAt: Date;
}

/**
 * The order's base amount after a correction: at the order's own rate while the currency stays
 * (a typo fixed is not an order re-priced at today's rate), at the configured rate when the
 * currency changes.
 */
function rateFor(deps: ServiceDeps, before: { currency: string; rateToBase: string }, currency: string): string {
  return currency === before.currency ? before.rateToBase : rateOf(deps, currency);
}

/** Whether corrected terms are unusual enough to confirm first (the order-guard rules; the order itself left out of what is usual). */
export async function reviewCorrection(deps: ServiceDeps, input: { orderId: string; amount: Decimal; currency: string }): Promise<OrderReview> {
  const order = await deps.store.entryCorrections.findOrder(input.orderId);
  if (!order) throw new AppError("NOT_FOUND", "correction.gone");
  return reviewOrder(deps, { customerId: order.customerId, amount: input.amount, currency: input.currency, rate: rateFor(deps, order, input.currency), except: order.id });
}

export async function correctOrder(deps: ServiceDeps, rep: Rep, input: OrderCorrection): Promise<CorrectionResult<OrderTermsSnapshot>> {
  return deps.store.transaction(async (tx) => {
    const locked = await tx.entryCorrections.lockOrder(input.orderId);
    if (!locked) throw new AppError("NOT_FOUND", "correction.gone");
    const { entry: before, customer } = locked;
    await authorize(tx, rep, customer, before.createdById);
    if (before.deletedAt) throw new AppError("CONFLICT", "correction.isDeleted");
    if (entryStamp(before) !== input.stamp) throw new AppError("CONFLICT", "correction.changed");
    const rate = rateFor(deps, before, input.currency);
    const after = {
      amount: input.amount.toFixed(2),
      currency: input.currency,
      baseAmount: toBase(input.amount, new Decimal(rate)).toFixed(2),
      rateToBase: rate,
      product: input.product,
      orderedAt: input.orderedAt,
    };
    const same = new Decimal(before.amount).eq(input.amount) && before.currency === after.currency && before.product === after.product && before.orderedAt.getTime() === after.orderedAt.getTime();
    if (same) return { changed: false, id: before.id, customer: customerOf(customer), before: orderSnapshot(before) };
    await tx.entryCorrections.correctOrder(before, after, rep.id, deps.now());
    const result = { before: orderSnapshot(before), after: { amount: after.amount, currency: after.currency, baseAmount: after.baseAmount, product: after.product, orderedAt: after.orderedAt } };
    await tx.audit.write({
      actorId: rep.id, action: "order.correct", entityId: before.id, customerIds: [customer.id],
      detail: { customerId: customer.id, ...auditedChange(result.before, result.after) },
    });
    // Revenue, frequency and recency moved: the customer's segment follows now.
    await refreshSegments(tx, deps, [customer.id]);
    return { changed: true, id: before.id, customer: customerOf(customer), ...result };
  });
}

export async function correctInteraction(deps: ServiceDeps, rep: Rep, input: { interactionId: string; stamp: string; channel: Channel; body: string }): Promise<CorrectionResult<InteractionSnapshot>> {
  return deps.store.transaction(async (tx) => {
    const locked = await tx.entryCorrections.lockInteraction(input.interactionId);
    if (!locked) throw new AppError("NOT_FOUND", "correction.gone");
    const { entry: before, customer } = locked;
    assertEditable("interaction", before);
    await authorize(tx, rep, customer, before.authorId);
    if (before.deletedAt) throw new AppError("CONFLICT", "correction.isDeleted");
    if (entryStamp(before) !== input.stamp) throw new AppError("CONFLICT", "correction.changed");
    if (before.channel === input.channel && before.body === input.body) return { changed: false, id: before.id, customer: customerOf(customer), before: interactionSnapshot(before) };
    await tx.entryCorrections.correctInteraction(before, { channel: input.channel, body: input.body }, rep.id, deps.now());
    const after: InteractionSnapshot = { channel: input.channel, body: input.body, occurredAt: before.occurredAt };
    await tx.audit.write({
      actorId: rep.id, action: "interaction.correct", entityId: before.id, customerIds: [customer.id],
      detail: { customerId: customer.id, ...auditedChange(interactionSnapshot(before), after) },
    });
    // Segment facts count a rep's notes, not their channel or words: no re-scoring is needed.
    return { changed: true, id: before.id, customer: customerOf(customer), before: interactionSnapshot(before), after };
  });
}

/**
 * Deletes (softly) or restores an entry and brings every aggregate with it. Pressing twice, or
 * deleting what is deleted, writes nothing and says so (`changed: false`).
 */
async function setDeleted(deps: ServiceDeps, rep: Rep, kind: EntryKind, id: string, deleted: boolean, via: "button" | "undo"): Promise<DeletionResult> {
  return deps.store.transaction(async (tx) => {
    const locked = kind === "order" ? await tx.entryCorrections.lockOrder(id) : await tx.entryCorrections.lockInteraction(id);
    if (!locked) throw new AppError("NOT_FOUND", "correction.gone");
    const { entry, customer } = locked;
    assertEditable(kind, entry);
    await authorize(tx, rep, customer, authorOf(entry));
    const at = deps.now();
    const changed = await tx.entryCorrections.setDeleted(kind, entry, deleted ? { at, by: rep.id } : null);
    const result: DeletionResult = { changed, id: entry.id, customer: customerOf(customer), entry: snapshotOf(kind, entry) };
    if (!changed) return result;
    await tx.audit.write({
      actorId: rep.id, action: `${kind}.${deleted ? "delete" : "restore"}`, entityId: entry.id, customerIds: [customer.id],
      detail: {
        customerId: customer.id,
        ...(via === "undo" ? { via } : {}),
        entry: audited(snapshotOf(kind, entry)),
        ...auditedChange({ deletedAt: entry.deletedAt ?? null }, { deletedAt: deleted ? at : null, ...(deleted ? { deletedById: rep.id } : {}) }),
      },
    });
    await refreshSegments(tx, deps, [customer.id]);
    // A stage is never moved back on its own: deleting the order that made a lead active leaves
    // them active (the move is in customer_stage_changes, with its reason); the answer says so.
    if (deleted && kind === "order" && customer.stage !== "LEAD" && customer.stage !== "PROSPECT" && (await tx.entryCorrections.liveOrderCount(customer.id)) === 0) {
      result.stageKept = customer.stage;
    }
    return result;
  });
}

export const deleteEntry = (deps: ServiceDeps, rep: Rep, kind: EntryKind, id: string) => setDeleted(deps, rep, kind, id, true, "button");
export const restoreEntry = (deps: ServiceDeps, rep: Rep, kind: EntryKind, id: string) => setDeleted(deps, rep, kind, id, false, "button");

/** `/order undo`, `/log undo`: deletes the rep's own latest entry of the last 24 hours; null when there is none. */
export async function undoLastEntry(deps: ServiceDeps, rep: Rep, kind: EntryKind): Promise<DeletionResult | null> {
  const id = await deps.store.entryCorrections.latestOwn(kind, rep.id, UNDO_WINDOW_HOURS);
  return id ? setDeleted(deps, rep, kind, id, true, "undo") : null;
}
