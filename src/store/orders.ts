import type { Db } from "./prisma.js";
import { addPurchase } from "./purchase-months.js";
import { unroll } from "./rollups.js";

export interface NewOrder {
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
    /** Records an order and folds it into the customer's running stats and analytics in the same statement batch. */
    async record(input: NewOrder): Promise<{ id: string }> {
      const order = await db.order.create({
        data: {
          customerId: input.customerId,
          createdById: input.createdById,
          amount: input.amount,
          currency: input.currency,
          baseAmount: input.baseAmount,
          rateToBase: input.rateToBase,
          product: input.product,
          orderedAt: input.orderedAt,
        },
        select: { id: true },
      });
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
      return order;
    },
  };
}

export type OrderStore = ReturnType<typeof createOrderStore>;
