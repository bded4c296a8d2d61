import { createHash } from "node:crypto";
import type { Channel, Direction, Stage } from "@prisma/client";
import { recomputeCustomerStats } from "../customers/customer-merge.js";
import { Prisma, type Db } from "../prisma.js";
import type { NewOrder } from "./orders.js";
import { unroll } from "../analytics/rollups.js";

/**
 * Correcting and (softly) deleting orders and interactions, and keeping every aggregate that
 * is derived from them exact in the same transaction.
 *
 * Aggregates are recomputed from the customer's rows rather than adjusted by a difference:
 * customer_stats and the purchase months (recomputeCustomerStats), the rollup hours the entry
 * left and entered (un-rolled, so readers count them live until the job rolls them again), and
 * the segment facts (the service re-scores the customer). A difference would need the old
 * values to be exactly what the aggregates once added, which a backfill or an import need not
 * have kept; a recomputation is right whatever came before, and one customer's rows are few.
 *
 * Concurrency: the entry's customer is locked FOR UPDATE before the entry, so corrections of one
 * customer's entries run one after the other, and a new order or interaction of that customer
 * (whose insert takes a key-share lock on the customer) waits for the correction to commit. The
 * recomputation therefore reads every row there is. Run all of it inside one transaction.
 */

export interface LockedCustomer {
  id: string;
  name: string;
  ownerId: string | null;
  stage: Stage;
}

export interface OrderEntry extends Required<Pick<NewOrder, "id">>, Omit<NewOrder, "id"> {
  createdAt: Date;
  deletedAt: Date | null;
}

export interface InteractionEntry {
  id: string;
  customerId: string;
  authorId: string | null;
  channel: Channel;
  direction: Direction;
  body: string;
  occurredAt: Date;
  createdAt: Date;
  deletedAt: Date | null;
}

export type EntryKind = "order" | "interaction";

interface OrderRow {
  id: string;
  customer_id: string;
  created_by_id: string | null;
  amount: string;
  currency: string;
  base_amount: string;
  rate_to_base: string;
  product: string | null;
  ordered_at: Date;
  created_at: Date;
  deleted_at: Date | null;
}

interface InteractionRow {
  id: string;
  customer_id: string;
  author_id: string | null;
  channel: Channel;
  direction: Direction;
  body: string;
  occurred_at: Date;
  created_at: Date;
  deleted_at: Date | null;
}

const toOrder = (r: OrderRow): OrderEntry => ({
  id: r.id,
  customerId: r.customer_id,
  createdById: r.created_by_id,
  amount: r.amount,
  currency: r.currency.trim(),
  baseAmount: r.base_amount,
  rateToBase: r.rate_to_base,
  product: r.product,
  orderedAt: r.ordered_at,
  createdAt: r.created_at,
  deletedAt: r.deleted_at,
});

const toInteraction = (r: InteractionRow): InteractionEntry => ({
  id: r.id,
  customerId: r.customer_id,
  authorId: r.author_id,
  channel: r.channel,
  direction: r.direction,
  body: r.body,
  occurredAt: r.occurred_at,
  createdAt: r.created_at,
  deletedAt: r.deleted_at,
});

/**
 * What a correction form was opened on: a short digest of the values it can change (and of
 * the customer and deletion), so a submission made after someone else changed the entry is
 * refused instead of silently overwriting that change.
 */
export function entryStamp(entry: OrderEntry | InteractionEntry): string {
  const values = "amount" in entry
    ? [entry.customerId, entry.amount, entry.currency, entry.product, entry.orderedAt.toISOString(), entry.deletedAt?.toISOString() ?? null]
    : [entry.customerId, entry.channel, entry.body, entry.occurredAt.toISOString(), entry.deletedAt?.toISOString() ?? null];
  return createHash("sha256").update(JSON.stringify(values)).digest("base64url").slice(0, 16);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How often the lock is retried when the entry moved to another customer while we waited. */
const MOVE_RETRIES = 3;

export function createEntryCorrectionStore(db: Db) {
  async function readOrder(id: string, lock: boolean): Promise<OrderEntry | null> {
    if (!UUID.test(id)) return null;
    const rows = await db.$queryRaw<OrderRow[]>`
      SELECT id, customer_id, created_by_id, amount::text AS amount, currency::text AS currency, base_amount::text AS base_amount,
             rate_to_base::text AS rate_to_base, product, ordered_at, created_at, deleted_at
      -- all-rows: the correction path reads an entry whether or not it is deleted (Undo restores it).
      FROM orders WHERE id = ${id}::uuid ${lock ? Prisma.sql`FOR UPDATE` : Prisma.empty}`;
    return rows[0] ? toOrder(rows[0]) : null;
  }

  async function readInteraction(id: string, lock: boolean): Promise<InteractionEntry | null> {
    if (!UUID.test(id)) return null;
    const rows = await db.$queryRaw<InteractionRow[]>`
      SELECT id, customer_id, author_id, channel, direction, body, occurred_at, created_at, deleted_at
      -- all-rows: the correction path reads an entry whether or not it is deleted (Undo restores it).
      FROM interactions WHERE id = ${id}::uuid ${lock ? Prisma.sql`FOR UPDATE` : Prisma.empty}`;
    return rows[0] ? toInteraction(rows[0]) : null;
  }

  async function lockCustomer(id: string): Promise<LockedCustomer | null> {
    const rows = await db.$queryRaw<{ id: string; name: string; owner_id: string | null; stage: Stage }[]>`
      SELECT id, name, owner_id, stage FROM customers WHERE id = ${id}::uuid FOR UPDATE`;
    const c = rows[0];
    return c ? { id: c.id, name: c.name, ownerId: c.owner_id, stage: c.stage } : null;
  }

  /**
   * Locks the entry's customer, then the entry. A merge may move the entry to another customer
   * while this waits for the first lock; then the new customer is locked instead.
   */
  async function lockEntry<T extends { customerId: string }>(read: (lock: boolean) => Promise<T | null>): Promise<{ entry: T; customer: LockedCustomer } | null> {
    let seen = await read(false);
    for (let attempt = 0; seen && attempt < MOVE_RETRIES; attempt++) {
      const customer = await lockCustomer(seen.customerId);
      const entry = await read(true);
      if (!entry) return null;
      if (customer && entry.customerId === customer.id) return { entry, customer };
      seen = entry;
    }
    if (seen) throw new Error(`entry kept moving between customers while being locked (${seen.customerId})`);
    return null;
  }

  /** customer_stats and the purchase months from the customer's live rows, and the hours the entry touched. */
  async function refresh(customerId: string, kind: EntryKind, instants: readonly Date[]): Promise<void> {
    await recomputeCustomerStats(db, [customerId]);
    await unroll(db, kind === "order" ? "orderHours" : "interactionHours", instants);
  }

  return {
    /** An order as it is now, deleted or not (for a correction form or a button). */
    findOrder: (id: string) => readOrder(id, false),
    findInteraction: (id: string) => readInteraction(id, false),

    /** Locks the order and its customer for a correction (null: no such order). Inside a transaction. */
    lockOrder: (id: string) => lockEntry((lock) => readOrder(id, lock)),
    lockInteraction: (id: string) => lockEntry((lock) => readInteraction(id, lock)),

    /** Writes corrected terms (the order is locked) and brings every aggregate up to date. */
    async correctOrder(before: OrderEntry, after: { amount: string; currency: string; baseAmount: string; rateToBase: string; product: string | null; orderedAt: Date }, by: string, at: Date): Promise<void> {
      await db.$executeRaw`
        UPDATE orders SET amount = ${after.amount}::numeric, currency = ${after.currency}, base_amount = ${after.baseAmount}::numeric,
               rate_to_base = ${after.rateToBase}::numeric, product = ${after.product}, ordered_at = ${after.orderedAt},
               corrected_at = ${at}, corrected_by_id = ${by}::uuid
        WHERE id = ${before.id}::uuid`;
      await refresh(before.customerId, "order", [before.orderedAt, after.orderedAt]);
    },

    async correctInteraction(before: InteractionEntry, after: { channel: Channel; body: string }, by: string, at: Date): Promise<void> {
      await db.$executeRaw`
        UPDATE interactions SET channel = ${after.channel}::"Channel", body = ${after.body}, corrected_at = ${at}, corrected_by_id = ${by}::uuid
        WHERE id = ${before.id}::uuid`;
      // The count and the last interaction stay; the hour's counts by channel change.
      await unroll(db, "interactionHours", [before.occurredAt]);
    },

    /**
     * Deletes (deleted: { at, by }) or restores (null) a locked entry and brings the aggregates
     * up to date. Returns false when it already was so (nothing written).
     */
    async setDeleted(kind: EntryKind, entry: OrderEntry | InteractionEntry, deleted: { at: Date; by: string } | null): Promise<boolean> {
      if ((entry.deletedAt !== null) === (deleted !== null)) return false;
      if (kind === "order") {
        await db.$executeRaw`UPDATE orders SET deleted_at = ${deleted?.at ?? null}, deleted_by_id = ${deleted?.by ?? null}::uuid WHERE id = ${entry.id}::uuid`;
      } else {
        await db.$executeRaw`UPDATE interactions SET deleted_at = ${deleted?.at ?? null}, deleted_by_id = ${deleted?.by ?? null}::uuid WHERE id = ${entry.id}::uuid`;
      }
      await refresh(entry.customerId, kind, ["orderedAt" in entry ? entry.orderedAt : entry.occurredAt]);
      return true;
    },

    /**
     * The rep's most recent live entry of a kind, entered within the last `hours` by the
     * database's clock (created_at is written by it). For interactions only what the rep logged
     * (direction INTERNAL): replies sent to customers are not undone.
     */
    async latestOwn(kind: EntryKind, authorId: string, hours: number): Promise<string | null> {
      const rows = kind === "order"
        ? await db.$queryRaw<{ id: string }[]>`
            -- all-rows: the condition is written out here, to match the partial index (created_by_id, created_at).
            SELECT id FROM orders
            WHERE created_by_id = ${authorId}::uuid AND deleted_at IS NULL AND created_at > now() - make_interval(hours => ${hours}::int)
            ORDER BY created_at DESC, id DESC LIMIT 1`
        : await db.$queryRaw<{ id: string }[]>`
            -- all-rows: the condition is written out here, to match the partial index (author_id, created_at).
            SELECT id FROM interactions
            WHERE author_id = ${authorId}::uuid AND deleted_at IS NULL AND direction = 'INTERNAL' AND created_at > now() - make_interval(hours => ${hours}::int)
            ORDER BY created_at DESC, id DESC LIMIT 1`;
      return rows[0]?.id ?? null;
    },

    /** How many live orders the customer has (after a deletion: whether any is left). */
    async liveOrderCount(customerId: string): Promise<number> {
      const rows = await db.$queryRaw<{ n: number }[]>`SELECT order_count AS n FROM customer_stats WHERE customer_id = ${customerId}::uuid`;
      return rows[0]?.n ?? 0;
    },

    /** Display names of reps, for a refusal that says who may change an entry. */
    async repNames(ids: readonly (string | null)[]): Promise<Map<string, string>> {
      const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
      if (wanted.length === 0) return new Map();
      const rows = await db.$queryRaw<{ id: string; display_name: string }[]>`SELECT id, display_name FROM users WHERE id = ANY(${wanted}::uuid[])`;
      return new Map(rows.map((r) => [r.id, r.display_name]));
    },
  };
}

export type EntryCorrectionStore = ReturnType<typeof createEntryCorrectionStore>;
