import type { Stage } from "../../domain/customers/customer-stage.js";
import { AppError } from "../../domain/errors.js";
import { MAX_TAGS } from "../../domain/customers/customer-fields.js";
import { FILLED_FROM_MERGED, mergedStage } from "../../domain/customers/merge-rules.js";
import { auditedChange } from "../../domain/access/audit-actions.js";
import { createAuditStore } from "../audit.js";
import { liveInteractions, liveOrders } from "../live-rows.js";
import { Prisma, type Db } from "../prisma.js";
import { recomputePurchaseMonths } from "../analytics/purchase-months.js";

export interface LinkedContact {
  /** The contact's whole lead customer was absorbed into the target (and deleted). */
  merged: boolean;
  fromCustomerId: string;
  fromCustomerName: string;
  movedInteractions: number;
  movedOrders: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a merge moved from the customer merged away to the one kept. */
export interface MovedRows {
  contacts: number;
  interactions: number;
  orders: number;
  deals: number;
  reminders: number;
  surveys: number;
  stageChanges: number;
  aliases: number;
}

export interface MergedCustomers {
  from: { id: string; name: string };
  into: { id: string; name: string };
  moved: MovedRows;
  /** The kept customer's own fields before and after (stage, owner, the fields it took, tags). */
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

/** A customer row as a merge reads it, locked. */
interface LockedCustomer {
  id: string;
  name: string;
  normalized_name: string;
  pinyin: string;
  stage: Stage;
  owner_id: string | null;
  source: string | null;
  industry: string | null;
  website: string | null;
  /** Sealed as stored (address_enc): a merge moves it without opening it. */
  address: string | null;
  about: string | null;
  tags: string[];
}

/** Locks customers FOR UPDATE in id order (so two merges of the same pair, either way round, queue instead of deadlocking). */
async function lockCustomers(db: Db, ids: readonly string[]): Promise<LockedCustomer[]> {
  const list = Prisma.join(ids.map((id) => Prisma.sql`${id}::uuid`));
  return db.$queryRaw<LockedCustomer[]>`
    SELECT id, name, normalized_name, pinyin, stage::text AS stage, owner_id, source, industry, website, address_enc AS address, about, tags
    FROM customers WHERE id IN (${list}) ORDER BY id FOR UPDATE`;
}

/**
 * The error for a customer that is not there: "X no longer exists (merged into Y)" when a merge
 * took it (the kept customer's current name), else plain "gone".
 */
export async function goneCustomerError(db: Db, id: string): Promise<AppError> {
  if (!UUID.test(id)) return new AppError("NOT_FOUND", "customer.gone", {}, `customer ${id.slice(0, 40)} is no id`);
  const merged = (await db.$queryRaw<{ from_name: string; into_name: string }[]>`
    SELECT m.from_name, c.name AS into_name FROM customer_merges m JOIN customers c ON c.id = m.into_id WHERE m.from_id = ${id}::uuid`)[0];
  return merged
    ? new AppError("NOT_FOUND", "merge.mergedAway", { customer: merged.from_name, into: merged.into_name }, `customer ${id} was merged into ${merged.into_name}`)
    : new AppError("NOT_FOUND", "customer.gone", {}, `customer ${id} does not exist`);
}

/**
 * Moves everything of `source` to `target` and deletes `source`, both locked by the caller. Rows
 * move whether deleted (softly) or not, so an undo after the merge restores them on the kept
 * customer. Aliases the target already has (by key) go with the source; its pairs and "not a
 * duplicate" marks too. Where the source went is recorded (customer_merges), and earlier merges
 * into the source now point at the target. Stats and purchase months of both are recomputed.
 */
async function absorb(db: Db, source: LockedCustomer, target: LockedCustomer, actorId: string | null, keepNameAsAlias: boolean): Promise<MovedRows> {
  const from = source.id;
  const to = target.id;
  const contacts = await db.$executeRaw`UPDATE contacts SET customer_id = ${to}::uuid, updated_at = now() WHERE customer_id = ${from}::uuid`;
  const interactions = await db.$executeRaw`UPDATE interactions SET customer_id = ${to}::uuid WHERE customer_id = ${from}::uuid`;
  const orders = await db.$executeRaw`UPDATE orders SET customer_id = ${to}::uuid WHERE customer_id = ${from}::uuid`;
  const deals = await db.$executeRaw`UPDATE deals SET customer_id = ${to}::uuid, updated_at = now() WHERE customer_id = ${from}::uuid`;
  const reminders = await db.$executeRaw`UPDATE reminders SET customer_id = ${to}::uuid, updated_at = now() WHERE customer_id = ${from}::uuid`;
  const surveys = await db.$executeRaw`UPDATE surveys SET customer_id = ${to}::uuid WHERE customer_id = ${from}::uuid`;
  const stageChanges = await db.$executeRaw`UPDATE customer_stage_changes SET customer_id = ${to}::uuid WHERE customer_id = ${from}::uuid`;
  const aliases = await db.$executeRaw`
    UPDATE customer_aliases a SET customer_id = ${to}::uuid
    WHERE a.customer_id = ${from}::uuid
      AND NOT EXISTS (SELECT 1 FROM customer_aliases t WHERE t.customer_id = ${to}::uuid AND t.normalized_name = a.normalized_name)`;
  if (keepNameAsAlias) {
    // The merged name keeps finding the customer ("Acme Intl" typed after it was merged into "Acme Ltd").
    await db.$executeRaw`
      INSERT INTO customer_aliases (id, customer_id, alias, normalized_name, pinyin, created_at)
      VALUES (gen_random_uuid(), ${to}::uuid, ${source.name}, ${source.normalized_name}, ${source.pinyin}, now())
      ON CONFLICT (customer_id, normalized_name) DO NOTHING`;
  }
  await db.$executeRaw`DELETE FROM duplicate_pairs WHERE customer_a = ${from}::uuid OR customer_b = ${from}::uuid`;
  await db.$executeRaw`UPDATE customer_merges SET into_id = ${to}::uuid WHERE into_id = ${from}::uuid`;
  await db.$executeRaw`DELETE FROM customers WHERE id = ${from}::uuid`;
  await db.$executeRaw`
    INSERT INTO customer_merges (from_id, from_name, into_id, merged_by_id, merged_at)
    VALUES (${from}::uuid, ${source.name}, ${to}::uuid, ${actorId}::uuid, now())
    ON CONFLICT (from_id) DO UPDATE SET into_id = EXCLUDED.into_id, from_name = EXCLUDED.from_name, merged_by_id = EXCLUDED.merged_by_id, merged_at = EXCLUDED.merged_at`;
  // The source's id too: its analytics running totals (no foreign key) go with it.
  await recomputeCustomerStats(db, [to, from]);
  return { contacts, interactions, orders, deals, reminders, surveys, stageChanges, aliases };
}

/** The kept customer's own fields after a merge: gaps filled from the other, tags joined, stage as mergedStage says. */
async function mergeFields(db: Db, source: LockedCustomer, target: LockedCustomer): Promise<{ before: Record<string, unknown>; after: Record<string, unknown> }> {
  const stage = mergedStage(target.stage, source.stage);
  const fill = Object.fromEntries(FILLED_FROM_MERGED.map((f) => [f, target[f] ?? source[f]]));
  // Tags of both, the kept customer's first, as many as a customer may have (the table's check).
  const tags = [...new Set([...target.tags, ...source.tags])].slice(0, MAX_TAGS);
  await db.$executeRaw`
    UPDATE customers SET
      stage = ${stage}::"Stage", owner_id = ${fill.owner_id ?? null}::uuid, source = ${fill.source ?? null}, industry = ${fill.industry ?? null},
      website = ${fill.website ?? null}, address_enc = ${fill.address ?? null}, about = ${fill.about ?? null}, tags = ${tags}::text[], updated_at = now()
    WHERE id = ${target.id}::uuid`;
  const before: Record<string, unknown> = { stage: target.stage, tags: target.tags };
  const after: Record<string, unknown> = { stage, tags };
  for (const f of FILLED_FROM_MERGED) {
    // The address is personal data, and sealed: the audit row says only that it was filled.
    if (f === "address") {
      if (target.address === null && source.address !== null) after.addressFilled = true;
      continue;
    }
    before[f] = target[f];
    after[f] = fill[f] ?? null;
  }
  return { before, after };
}


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
               FROM ${liveOrders} o WHERE customer_id IN (${ids}) GROUP BY customer_id) o ON o.customer_id = c.id
    LEFT JOIN (SELECT customer_id, count(*)::int AS n, max(occurred_at) AS last
               FROM ${liveInteractions} i WHERE customer_id IN (${ids}) GROUP BY customer_id) i ON i.customer_id = c.id
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
export function createCustomerMergeStore(db: Db, now?: () => Date) {
  const audit = createAuditStore(db, now);
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

      const customers = await lockCustomers(db, [sourceId, targetId]);
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
        // A WeChat lead's name is made from the sender's openid, personal data that erasure must
        // still find: it does not live on as an alias of the customer.
        const moved = await absorb(db, source, target, input.actorId, false);
        movedInteractions = moved.interactions;
        movedOrders = moved.orders;
      } else {
        await db.contact.update({ where: { id: contactId }, data: { customerId: targetId } });
        movedInteractions = await db.$executeRaw`
          UPDATE interactions SET customer_id = ${targetId}::uuid WHERE contact_id = ${contactId}::uuid AND customer_id <> ${targetId}::uuid`;
        await db.$executeRaw`
          UPDATE surveys SET customer_id = ${targetId}::uuid WHERE contact_id = ${contactId}::uuid AND customer_id <> ${targetId}::uuid`;
        await recomputeCustomerStats(db, [targetId, sourceId]);
      }

      const result: LinkedContact = { merged, fromCustomerId: sourceId, fromCustomerName: source.name, movedInteractions, movedOrders };
      // Ids and counts only: the lead's name may be a person's (a WeChat sender's).
      await audit.write({
        actorId: input.actorId, action: "contact.link", entityId: targetId, customerIds: [targetId, sourceId],
        detail: { contactId, merged, fromCustomerId: sourceId, movedInteractions, movedOrders },
      });
      return result;
    },

    /**
     * Merges one customer into another: everything of `fromId` moves to `intoId` (see absorb),
     * the merged name stays as an alias of the kept customer, the kept customer fills its empty
     * fields from the other and joins their tags, and one audit row records both ids and names,
     * what moved and the kept customer's fields before and after. Must run inside a transaction:
     * both customers are locked in id order first, so two merges of one pair (either way round)
     * run one after the other, and the second finds the first's result ("X no longer exists
     * (merged into Y)"). `authorize` sees both once locked and throws to refuse.
     */
    async mergeCustomers(input: {
      fromId: string;
      intoId: string;
      actorId: string | null;
      authorize?: (customers: { from: { id: string; name: string; ownerId: string | null }; into: { id: string; name: string; ownerId: string | null } }) => void | Promise<void>;
    }): Promise<MergedCustomers> {
      const { fromId, intoId } = input;
      for (const id of [fromId, intoId]) if (!UUID.test(id)) throw new AppError("NOT_FOUND", "customer.gone");
      if (fromId === intoId) throw new AppError("INVALID_INPUT", "merge.self");
      const locked = await lockCustomers(db, [fromId, intoId]);
      const source = locked.find((c) => c.id === fromId);
      const target = locked.find((c) => c.id === intoId);
      if (!source) throw await goneCustomerError(db, fromId);
      if (!target) throw await goneCustomerError(db, intoId);
      await input.authorize?.({ from: { id: source.id, name: source.name, ownerId: source.owner_id }, into: { id: target.id, name: target.name, ownerId: target.owner_id } });
      const fields = await mergeFields(db, source, target);
      const moved = await absorb(db, source, target, input.actorId, true);
      const result: MergedCustomers = { from: { id: source.id, name: source.name }, into: { id: target.id, name: target.name }, moved, ...fields };
      // Ids, counts and the fields that changed (the values of personal ones left out): names stay with the customers.
      await audit.write({
        actorId: input.actorId, action: "customer.merge", entityId: target.id, customerIds: [target.id, source.id],
        detail: { from: source.id, into: target.id, moved, ...auditedChange(fields.before, fields.after) },
      });
      return result;
    },

    /** "X no longer exists (merged into Y)" for a customer id that is gone, or plain "gone". */
    goneCustomerError: (id: string) => goneCustomerError(db, id),

    /** The names of the customers merged into this one (directly or through a later merge). */
    async namesMergedInto(intoId: string): Promise<string[]> {
      const rows = await db.$queryRaw<{ from_name: string }[]>`SELECT from_name FROM customer_merges WHERE into_id = ${intoId}::uuid ORDER BY merged_at DESC`;
      return rows.map((r) => r.from_name);
    },
  };
}

export type CustomerMergeStore = ReturnType<typeof createCustomerMergeStore>;
