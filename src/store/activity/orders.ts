import { randomUUID } from "node:crypto";
import { LIVE, liveOrders } from "../live-rows.js";
import type { Db } from "../prisma.js";
import { addPurchase } from "../analytics/purchase-months.js";
import { unroll } from "../analytics/rollups.js";

export interface NewOrder {
  /**
   * Chosen by the caller when the same order may be submitted twice (a confirmation button
   * pressed twice): the second write finds the id taken and changes nothing.
   */
  id?: string;
  customerId: string;
  createdById: string | null;
  /** Decimal strings, exact. */
  amount: string;
  currency: string;
  baseAmount: string;
  rateToBase: string;
  product: string | null;
  orderedAt: Date;
}

export function createOrderStore(db: Db) {
  return {
    /**
     * Records an order and folds it into the customer's running stats and analytics in the same
     * statement batch. An id already taken records nothing (`created: false`).
     */
    async record(input: NewOrder): Promise<{ id: string; created: boolean }> {
      const id = input.id ?? randomUUID();
      // createMany is Prisma's INSERT … ON CONFLICT DO NOTHING: two presses racing on the same
      // id are serialised by the primary key, and the later one inserts nothing.
      const { count } = await db.order.createMany({
        skipDuplicates: true,
        data: {
          id,
          customerId: input.customerId,
          createdById: input.createdById,
          amount: input.amount,
          currency: input.currency,
          baseAmount: input.baseAmount,
          rateToBase: input.rateToBase,
          product: input.product,
          orderedAt: input.orderedAt,
        },
      });
      if (count === 0) return { id, created: false };
      await db.$executeRaw`
        INSERT INTO customer_stats (customer_id, order_count, total_spent, first_order_at, last_order_at)
        VALUES (${input.customerId}::uuid, 1, ${input.baseAmount}::numeric, ${input.orderedAt}, ${input.orderedAt})
        ON CONFLICT (customer_id) DO UPDATE SET
          order_count = customer_stats.order_count + 1,
          total_spent = customer_stats.total_spent + EXCLUDED.total_spent,
          first_order_at = LEAST(customer_stats.first_order_at, EXCLUDED.first_order_at),
          last_order_at = GREATEST(customer_stats.last_order_at, EXCLUDED.last_order_at)`;
      await addPurchase(db, { customerId: input.customerId, orderedAt: input.orderedAt, baseAmount: input.baseAmount });
      // A backdated order lands in an hour the analytics job may have rolled up already.
      await unroll(db, "orderHours", [input.orderedAt]);
      return { id, created: true };
    },

    async get(id: string): Promise<{ id: string; customerId: string; amount: string; currency: string; baseAmount: string; product: string | null; orderedAt: Date } | null> {
      // all-rows: a confirmation pressed again finds its order even after it was deleted ("already recorded").
      const order = await db.order.findUnique({
        where: { id },
        select: { id: true, customerId: true, amount: true, currency: true, baseAmount: true, product: true, orderedAt: true },
      });
      return order ? { ...order, amount: order.amount.toFixed(2), baseAmount: order.baseAmount.toFixed(2) } : null;
    },

    /**
     * How many orders the customer has and the median base amount of the most recent 200 (what
     * is usual for them now, read from the customer's index range, not the whole history).
     * `except` leaves one order out: the one being corrected is not part of what is usual.
     */
    async history(customerId: string, except?: string): Promise<{ orders: number; median: string | null }> {
      const rows = await db.$queryRaw<{ orders: number; median: string | null }[]>`
        SELECT count(*)::int AS orders, (percentile_cont(0.5) WITHIN GROUP (ORDER BY base_amount))::text AS median
        FROM (SELECT base_amount FROM ${liveOrders} o WHERE customer_id = ${customerId}::uuid AND (${except ?? null}::uuid IS NULL OR id <> ${except ?? null}::uuid)
              ORDER BY ordered_at DESC LIMIT 200) recent`;
      return rows[0] ?? { orders: 0, median: null };
    },

    /** The currency of the customer's latest order (by order date, then by entry), if any. */
    async lastCurrency(customerId: string): Promise<string | null> {
      const order = await db.order.findFirst({
        where: { customerId, ...LIVE },
        orderBy: [{ orderedAt: "desc" }, { createdAt: "desc" }],
        select: { currency: true },
      });
      return order?.currency.trim() ?? null;
    },
  };
}

export type OrderStore = ReturnType<typeof createOrderStore>;
