import { AppError } from "../domain/errors.js";
import { createAuditStore } from "./audit.js";
import { Prisma, type Db } from "./prisma.js";
import { recomputePurchaseMonths } from "./purchase-months.js";

export interface LinkedContact {
  /** The contact's whole lead customer was absorbed into the target (and deleted). */
  merged: boolean;
  fromCustomerId: string;
  fromCustomerName: string;
  movedInteractions: number;
  movedOrders: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Recomputes `customer_stats` of the given customers from their rows. The caller holds the
 * customers' rows FOR UPDATE, so no order or interaction of theirs is being written meanwhile
 * (inserting one takes a key-share lock on the customer) and the aggregates are the truth.
 */
export async function recomputeCustomerStats(db: Db, customerIds: readonly string[]): Promise<void> {
  if (customerIds.length === 0) return;
  const ids = Prisma.join(customerIds.map((id) => Prisma.sql`${id}::uuid`));
  await db.$executeRaw`
    INSERT INTO customer_stats (customer_id, order_count, total_spent, first_order_at, last_order_at, interaction_count, last_interaction_at)
    SELECT c.id, coalesce(o.n, 0), coalesce(o.total, 0), o.first, o.last, coalesce(i.n, 0), i.last
    FROM customers c
    LEFT JOIN (SELECT customer_id, count(*)::int AS n, sum(base_amount) AS total, min(ordered_at) AS first, max(ordered_at) AS last
               FROM orders WHERE customer_id IN (${ids}) GROUP BY customer_id) o ON o.customer_id = c.id
    LEFT JOIN (SELECT customer_id, count(*)::int AS n, max(occurred_at) AS last
               FROM interactions WHERE customer_id IN (${ids}) GROUP BY customer_id) i ON i.customer_id = c.id
    WHERE c.id IN (${ids})
    ON CONFLICT (customer_id) DO UPDATE SET
      order_count = EXCLUDED.order_count,
      total_spent = EXCLUDED.total_spent,
      first_order_at = EXCLUDED.first_order_at,
      last_order_at = EXCLUDED.last_order_at,
      interaction_count = EXCLUDED.interaction_count,
      last_interaction_at = EXCLUDED.last_interaction_at`;
  // The per-customer running totals of the analytics follow the orders too.
  await recomputePurchaseMonths(db, customerIds);
}

/**
 * Links a contact (typically a WeChat sender who arrived as a lead) to an existing customer.
 * Must run inside a transaction (`store.transaction(tx => tx.customerMerge.linkContact(...))`):
 * it locks the contact, then both customers in id order, so concurrent links of one contact
 * run one after the other and the second sees where the first left it.
 */
export function createCustomerMergeStore(db: Db) {
  const audit = createAuditStore(db);
  return {
    /**
     * `authorize` sees both customers' owners once they are locked, before anything moves, and
     * throws to refuse (the caller's rule; owners cannot change under it).
     */
    async linkContact(input: {
      contactId: string;
      targetCustomerId: string;
      actorId: string | null;
      authorize?: (customers: { from: { name: string; ownerId: string | null }; to: { name: string; ownerId: string | null } }) => void | Promise<void>;
    }): Promise<LinkedContact> {
      const { contactId, targetCustomerId: targetId } = input;
      if (!UUID.test(contactId)) throw new AppError("NOT_FOUND", "link.contactGone");
      if (!UUID.test(targetId)) throw new AppError("NOT_FOUND", "customer.gone");

      const contact = (await db.$queryRaw<{ id: string; customer_id: string }[]>`
        SELECT id, customer_id FROM contacts WHERE id = ${contactId}::uuid FOR UPDATE`)[0];
      if (!contact) throw new AppError("NOT_FOUND", "link.contactGone");
      const sourceId = contact.customer_id;

      const customers = await db.$queryRaw<{ id: string; name: string; stage: string; owner_id: string | null }[]>`
        SELECT id, name, stage::text AS stage, owner_id FROM customers
        WHERE id IN (${sourceId}::uuid, ${targetId}::uuid) ORDER BY id FOR UPDATE`;
      const target = customers.find((c) => c.id === targetId);
      if (!target) throw new AppError("NOT_FOUND", "customer.gone");
      if (sourceId === targetId) throw new AppError("CONFLICT", "link.already", { customer: target.name });
      const source = customers.find((c) => c.id === sourceId);
      // The contact row is locked and references its customer, so the customer cannot be gone.
      if (!source) throw new Error(`customer ${sourceId} of contact ${contactId} vanished`);
      await input.authorize?.({ from: { name: source.name, ownerId: source.owner_id }, to: { name: target.name, ownerId: target.owner_id } });

      // Counted after the lock: a contact added to the lead meanwhile has committed or waits for us.
      const others = await db.contact.count({ where: { customerId: sourceId, id: { not: contactId } } });
      const merged = source.stage === "LEAD" && others === 0;

      let movedInteractions: number;
      let movedOrders = 0;
      if (merged) {
        await db.$executeRaw`UPDATE contacts SET customer_id = ${targetId}::uuid, updated_at = now() WHERE customer_id = ${sourceId}::uuid`;
        movedInteractions = await db.$executeRaw`UPDATE interactions SET customer_id = ${targetId}::uuid WHERE customer_id = ${sourceId}::uuid`;
        movedOrders = await db.$executeRaw`UPDATE orders SET customer_id = ${targetId}::uuid WHERE customer_id = ${sourceId}::uuid`;
        await db.$executeRaw`UPDATE deals SET customer_id = ${targetId}::uuid, updated_at = now() WHERE customer_id = ${sourceId}::uuid`;
        await db.$executeRaw`UPDATE reminders SET customer_id = ${targetId}::uuid, updated_at = now() WHERE customer_id = ${sourceId}::uuid`;
        await db.$executeRaw`UPDATE surveys SET customer_id = ${targetId}::uuid WHERE customer_id = ${sourceId}::uuid`;
        // An alias the target already has (by key) is dropped with the lead.
        await db.$executeRaw`
          UPDATE customer_aliases a SET customer_id = ${targetId}::uuid
          WHERE a.customer_id = ${sourceId}::uuid
            AND NOT EXISTS (SELECT 1 FROM customer_aliases t WHERE t.customer_id = ${targetId}::uuid AND t.normalized_name = a.normalized_name)`;
        await db.customer.delete({ where: { id: sourceId } });
        // The lead's id too: its analytics running totals (no foreign key) go with it.
        await recomputeCustomerStats(db, [targetId, sourceId]);
      } else {
        await db.contact.update({ where: { id: contactId }, data: { customerId: targetId } });
        movedInteractions = await db.$executeRaw`
          UPDATE interactions SET customer_id = ${targetId}::uuid WHERE contact_id = ${contactId}::uuid AND customer_id <> ${targetId}::uuid`;
        await db.$executeRaw`
          UPDATE surveys SET customer_id = ${targetId}::uuid WHERE contact_id = ${contactId}::uuid AND customer_id <> ${targetId}::uuid`;
        await recomputeCustomerStats(db, [targetId, sourceId]);
      }

      const result: LinkedContact = { merged, fromCustomerId: sourceId, fromCustomerName: source.name, movedInteractions, movedOrders };
      await audit.write({ actorId: input.actorId, action: "contact.link", entity: "customer", entityId: targetId, detail: { contactId, ...result } });
      return result;
    },
  };
}

export type CustomerMergeStore = ReturnType<typeof createCustomerMergeStore>;
