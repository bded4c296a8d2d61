import { MS_PER_MONTH } from "../domain/clv.js";
import type { Db } from "./prisma.js";

export interface RankedCustomer {
  id: string;
  name: string;
  ownerName: string | null;
  totalSpent: number;
  orderCount: number;
  firstOrderAt: Date;
  clv: number;
}

interface Row {
  id: string;
  name: string;
  owner_name: string | null;
  total_spent: string;
  order_count: number;
  first_order_at: Date;
  clv: string;
}

export function createRankingStore(db: Db) {
  return {
    /**
     * Customers by lifetime value, read from the maintained per-customer stats (never from
     * orders). CLV = total ÷ months since the first order × lifespan, which is DESIGN's
     * average value × frequency × lifespan with the order count cancelled out.
     */
    async topByClv(limit: number, now: Date, lifespanMonths: number): Promise<RankedCustomer[]> {
      const rows = await db.$queryRaw<Row[]>`
        SELECT c.id, c.name, u.display_name AS owner_name, s.total_spent::text AS total_spent, s.order_count,
               s.first_order_at,
               (s.total_spent / GREATEST(1, (EXTRACT(EPOCH FROM (${now}::timestamptz - s.first_order_at)) * 1000) / ${MS_PER_MONTH})
                 * ${lifespanMonths})::text AS clv
        FROM customer_stats s
        JOIN customers c ON c.id = s.customer_id
        LEFT JOIN users u ON u.id = c.owner_id
        WHERE s.order_count > 0
        ORDER BY (s.total_spent / GREATEST(1, (EXTRACT(EPOCH FROM (${now}::timestamptz - s.first_order_at)) * 1000) / ${MS_PER_MONTH})) DESC,
                 c.name
        LIMIT ${limit}`;
      return rows.map((r) => ({
        id: r.id,
        name: r.name,
        ownerName: r.owner_name,
        totalSpent: Number(r.total_spent),
        orderCount: r.order_count,
        firstOrderAt: r.first_order_at,
        clv: Number(r.clv),
      }));
    },
  };
}

export type RankingStore = ReturnType<typeof createRankingStore>;
