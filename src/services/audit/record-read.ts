import type { AuditAction, AuditedList } from "../../domain/access/audit-actions.js";
import type { Repositories } from "../../store/index.js";
import type { Audience } from "../audience.js";

/**
 * One audit row for one answer that showed someone's or some customer's data: who read it,
 * which customers appeared, and whether it went to a channel (`shared`). Reads are not in a
 * transaction of their own: the row follows the read, one cheap INSERT.
 */
export async function recordRead(
  store: Pick<Repositories, "audit">,
  viewer: { id: string },
  action: AuditAction,
  read: { entityId: string | null; customerIds?: readonly string[]; audience?: Audience; detail?: Record<string, unknown> },
): Promise<void> {
  await store.audit.write({
    actorId: viewer.id,
    action,
    entityId: read.entityId,
    ...(read.customerIds ? { customerIds: read.customerIds } : {}),
    detail: { ...read.detail, ...(read.audience === "channel" ? { shared: true } : {}) },
  });
}

/** A list answer: the customers it named, in the order shown, in one row. */
export async function recordListed(store: Pick<Repositories, "audit">, viewer: { id: string }, list: AuditedList, customerIds: readonly string[], audience?: Audience, detail: Record<string, unknown> = {}): Promise<void> {
  if (customerIds.length === 0) return;
  await recordRead(store, viewer, "customer.list", { entityId: null, customerIds, ...(audience ? { audience } : {}), detail: { list, count: customerIds.length, ...detail } });
}
