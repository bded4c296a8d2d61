import { randomUUID } from "node:crypto";
import { auditedChange, type AuditAction } from "../../domain/access/audit-actions.js";
import { fingerprint, MAX_TAGS, type TextField } from "../../domain/customers/customer-fields.js";
import { nameKeys, tidyDisplayName } from "../../domain/language/customer-name.js";
import type { Stage } from "../../domain/customers/customer-stage.js";
import { AppError, type MessageParams } from "../../domain/errors.js";
import type { NotificationPayload } from "../../domain/notification-payload.js";
import { mayChange } from "../../domain/access/write-rights.js";
import type { EditableCustomer, Rep, Repositories } from "../../store/index.js";
import { deliveriesNow, scheduleAfterCommit } from "../delivery/schedule-after-commit.js";
import { recordRead } from "../audit/record-read.js";
import type { ServiceDeps } from "../deps.js";
import { customerNamesChanged } from "./find-named-customers.js";

/** Every field the edit paths change; the form's fields have these ids. */
export type EditableField = "name" | "stage" | "owner" | TextField | "tags";

export type CustomerChange =
  | { field: "name"; name: string }
  | { field: "stage"; stage: Stage }
  /** Null: nobody's. */
  | { field: "owner"; owner: Rep | null }
  | { field: TextField; value: string | null }
  /**
   * Tags are added and removed in SQL, never written back from a copy: see CustomerFieldStore.
   * `replace` makes them exactly these (what is there and not among them is removed).
   */
  | { field: "tags"; add: readonly string[]; remove: readonly string[]; replace?: readonly string[] };

export interface EditRequest {
  customerId: string;
  changes: readonly CustomerChange[];
  /**
   * Fingerprints (domain/customers/customer-fields.ts) of the values a form showed, by field. A field
   * whose value is no longer what the form showed was changed by someone else meanwhile: it is
   * not overwritten but reported back with its current value. Commands leave this out (the
   * last one wins, and each is audited).
   */
  expected?: Partial<Record<EditableField, string>>;
  /** The audit action ("customer.rename", "customer.edit" ...). */
  action: AuditAction;
}

export interface EditResult {
  before: EditableCustomer;
  after: EditableCustomer;
  /** Fields that now hold another value. */
  changed: EditableField[];
  /** Fields left alone because someone changed them after the form was opened. */
  conflicts: EditableField[];
  /** The new owner was told in a direct message (an outbox row). */
  ownerNotified: boolean;
}

/** A refused edit, tied to the field it is about, so a form can show it there. Nothing was changed. */
export class FieldError extends AppError {
  constructor(readonly field: EditableField | "_form", code: AppError["code"], userKey: string, params: MessageParams = {}) {
    super(code, userKey, params, `edit refused (${field}): ${userKey}`);
  }
}

/** The value of a field as stored, as text, for fingerprints and the audit. */
export function fieldValue(customer: EditableCustomer, field: EditableField): string | null {
  switch (field) {
    case "name":
      return customer.name;
    case "stage":
      return customer.stage;
    case "owner":
      return customer.ownerId;
    case "tags":
      return customer.tags.join(", ");
    default:
      return customer[field];
  }
}

/** What a form shows of a customer, by field, for `expected`. */
export function fingerprints(customer: EditableCustomer): Record<EditableField, string> {
  const fields: EditableField[] = ["name", "stage", "owner", "industry", "website", "address", "source", "about", "tags"];
  return Object.fromEntries(fields.map((f) => [f, fingerprint(fieldValue(customer, f))])) as Record<EditableField, string>;
}

const isUniqueViolation = (error: unknown): boolean => {
  const text = error instanceof Error ? `${error.message} ${JSON.stringify((error as { meta?: unknown }).meta ?? {})}` : "";
  return /23505|unique constraint/i.test(text);
};

/**
 * Changes a customer's own fields, in one transaction that first locks the customer: edits of
 * one customer run one after the other, and each writes only the columns it changes. The rep
 * needs the write right (domain/access/write-rights.ts); a refusal names the owner and changes
 * nothing. One audit row (before and after of what changed) commits with the change. A new
 * owner is told in a direct message through the outbox, written in the same transaction.
 *
 * A rename keeps the old name as an alias, so old look-ups still find the customer, and is
 * refused when another customer already answers to the new name. Changing to the value already
 * there changes nothing and writes no audit row.
 */
export async function editCustomer(deps: ServiceDeps, rep: Rep, request: EditRequest): Promise<EditResult> {
  let outboxId: string | undefined;
  let result: EditResult;
  try {
    result = await deps.store.transaction(async (tx) => {
      const before = await tx.customerFields.lockForEdit(request.customerId);
      if (!before) throw new FieldError("_form", "NOT_FOUND", "customer.gone");
      if (!mayChange(rep, { ownerId: before.ownerId })) {
        throw new FieldError("_form", "FORBIDDEN", "customer.edit.forbidden", { name: before.name, owner: before.ownerName ?? "?" });
      }
      const conflicts: EditableField[] = [];
      const wanted = request.changes.filter((change) => {
        const expected = request.expected?.[change.field];
        if (expected === undefined || change.field === "tags") return true;
        if (fingerprint(fieldValue(before, change.field)) === expected) return true;
        conflicts.push(change.field);
        return false;
      });
      const written = await apply(tx, rep, before, wanted, deps.now());
      outboxId = written.outboxId;
      const after = (await tx.customerFields.get(before.id))!;
      const changed = (["name", "stage", "owner", "industry", "website", "address", "source", "about", "tags"] as const).filter(
        (f) => fieldValue(before, f) !== fieldValue(after, f),
      );
      if (changed.length > 0) {
        // Stage, owner id, tags and industry before and after; a name, address, website or note only by its field's name.
        const pick = (c: EditableCustomer) => Object.fromEntries(changed.map((f) => [f, f === "tags" ? c.tags : fieldValue(c, f)]));
        await tx.audit.write({
          actorId: rep.id, action: request.action, entityId: before.id,
          detail: { ...auditedChange(pick(before), pick(after)), ...(conflicts.length > 0 ? { notOverwritten: conflicts } : {}) },
        });
      }
      return { before, after, changed, conflicts, ownerNotified: outboxId !== undefined };
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Another customer took the name between our check and our write (two renames at once).
    const name = request.changes.find((c) => c.field === "name");
    const taken = name?.field === "name" ? await deps.store.customers.findExact(nameKeys(name.name), 1) : [];
    const wanted = name?.field === "name" ? name.name : "";
    throw new FieldError("name", "CONFLICT", "customer.rename.taken", { name: taken[0]?.name ?? wanted, wanted });
  }
  if (result.changed.includes("name")) customerNamesChanged(deps);
  if (outboxId) await scheduleAfterCommit(deps, deliveriesNow(deps, [outboxId]));
  return result;
}

/**
 * A customer's editable fields as the edit form shows them (every field, the address too); the
 * form opens only for those who may change the customer, and then the read is audited.
 */
export async function editableCustomer(deps: ServiceDeps, viewer: Rep, customerId: string): Promise<EditableCustomer | null> {
  const customer = await deps.store.customerFields.get(customerId);
  if (customer && mayChange(viewer, { ownerId: customer.ownerId })) {
    await recordRead(deps.store, viewer, "customer.view", { entityId: customer.id, detail: { form: "edit" } });
  }
  return customer;
}

/** Writes the changes that differ from what is there; returns the outbox row of an owner's DM. */
async function apply(tx: Repositories, rep: Rep, before: EditableCustomer, changes: readonly CustomerChange[], now: Date): Promise<{ outboxId?: string }> {
  const texts: Partial<Record<TextField, string | null>> = {};
  let outboxId: string | undefined;
  // The name first: a refusal there leaves nothing half-written (the transaction rolls back anyway).
  for (const change of changes) {
    if (change.field !== "name") continue;
    const name = tidyDisplayName(change.name);
    if (name === before.name) continue;
    const keys = nameKeys(name);
    const taken = await tx.customerFields.nameTakenBy(keys, before.id);
    if (taken) throw new FieldError("name", "CONFLICT", "customer.rename.taken", { name: taken.name, wanted: name });
    await tx.customerFields.rename(before.id, name, keys);
    const oldKeys = nameKeys(before.name);
    if (oldKeys.normalizedName !== keys.normalizedName) {
      await tx.customerFields.addAlias(before.id, before.name, oldKeys);
      await tx.customerFields.removeAlias(before.id, keys.normalizedName);
    }
  }
  for (const change of changes) {
    switch (change.field) {
      case "name":
        break;
      case "stage":
        if (change.stage !== before.stage) await tx.customerFields.setStage(before.id, before.stage, change.stage, { id: rep.id, name: rep.displayName }, now);
        break;
      case "owner": {
        const ownerId = change.owner?.id ?? null;
        if (ownerId === before.ownerId) break;
        await tx.customerFields.setOwner(before.id, ownerId);
        // Taking a customer yourself needs no message to yourself.
        if (change.owner && change.owner.id !== rep.id) {
          const row = await tx.outbox.enqueue({
            platform: change.owner.platform,
            destination: change.owner.externalId,
            payload: { type: "customer.assigned", customerId: before.id, ownerId: change.owner.id, byId: rep.id } satisfies NotificationPayload,
            // Each assignment is its own event; the row is written with it, so it cannot repeat.
            dedupeKey: `customer-assigned:${before.id}:${randomUUID()}`,
            at: now,
          });
          outboxId = row.id;
        }
        break;
      }
      case "tags": {
        const remove = change.replace ? before.tags.filter((t) => !change.replace!.includes(t)) : change.remove;
        if (remove.length > 0) await tx.customerFields.removeTags(before.id, remove);
        const add = (change.replace ?? change.add).filter((t) => !remove.includes(t));
        if (add.length > 0 && (await tx.customerFields.addTags(before.id, add, MAX_TAGS)) === null) {
          throw new FieldError("tags", "INVALID_INPUT", "customer.tags.tooMany", { max: MAX_TAGS });
        }
        break;
      }
      default:
        if (change.value !== before[change.field]) texts[change.field] = change.value;
    }
  }
  await tx.customerFields.setText(before.id, texts);
  return outboxId ? { outboxId } : {};
}
