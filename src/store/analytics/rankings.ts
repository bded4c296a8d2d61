import { MS_PER_MONTH } from "../../domain/customers/clv.js";
import type { RankMetric } from "../../domain/language/question-intent.js";
import { Prisma, type Db } from "../prisma.js";
import { perCustomerSql } from "./purchase-months.js";

export type { RankMetric };

export interface RankedCustomer {
  id: string;
  name: string;
  ownerName: string | null;
  totalSpent: number;
  orderCount: number;
  firstOrderAt: Date;
  clv: number;
  /** The customer's orders and revenue in the period ranked by, when there is one. */
  inPeriod?: { orders: number; revenue: number };
}

interface Row {
  id: string;
  name: string;
  owner_name: string | null;
  total_spent: string;
  order_count: number;
  first_order_at: Date;
  clv: string;
  period_orders: number | null;
  period_revenue: string | null;
}

function ranked(rows: Row[]): RankedCustomer[] {
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    ownerName: r.owner_name,
    totalSpent: Number(r.total_spent),
    orderCount: r.order_count,
    firstOrderAt: r.first_order_at,
    clv: Number(r.clv),
    ...(r.period_orders !== null ? { inPeriod: { orders: r.period_orders, revenue: Number(r.period_revenue ?? 0) } } : {}),
  }));
}

/** How CLV is measured (src/domain/customers/clv.ts): to which instant, over how many months at least, for how long. */
export interface ValueBasis {
  /** valueAsOf: the start of the team's day. */
  asOf: Date;
  lifespanMonths: number;
  minObservationMonths: number;
}

/**
 * CLV = total ÷ max(months since the first order, the observation window) × lifespan, which is
 * DESIGN's average value × frequency × lifespan with the order count cancelled out, exactly as
 * customerValue computes it (src/domain/customers/clv.ts; a test holds the two together).
 */
export function clvSql(basis: ValueBasis): Prisma.Sql {
  return Prisma.sql`(s.total_spent / GREATEST(${basis.minObservationMonths}::numeric, (EXTRACT(EPOCH FROM (${basis.asOf}::timestamptz - s.first_order_at)) * 1000) / ${MS_PER_MONTH}) * ${basis.lifespanMonths}::numeric)`;
}

/**
 * The same in floating point, to rank by: numeric division over 100k rows took twice as long,
 * and the shown CLV stays exact. The lifespan, a positive constant, does not change the order.
 */
function rankValue(basis: ValueBasis): Prisma.Sql {
  return Prisma.sql`(s.total_spent::float8 / GREATEST(${basis.minObservationMonths}::float8, date_part('epoch', ${basis.asOf}::timestamptz - s.first_order_at) * 1000 / ${MS_PER_MONTH}))`;
}

export function createRankingStore(db: Db) {
  /**
   * The best customers by a metric, over their lifetime (customer_stats, kept on the write
   * path) or in a period (its orders per customer, purchase-months.ts). With a period, CLV
   * ranks the customers who bought in it by their lifetime value.
   */
  async function top(input: { metric: RankMetric; limit: number; value: ValueBasis; period?: { from: Date; to: Date }; tags?: readonly string[] }): Promise<RankedCustomer[]> {
    const { metric, limit, period } = input;
    const basis = input.value;
    // Only customers with every one of these tags (customers.tags @> …, the GIN index).
    const tags = input.tags ?? [];
    const tagged = (column: Prisma.Sql) =>
      tags.length > 0 ? Prisma.sql`AND ${column} IN (SELECT id FROM customers WHERE tags @> ${[...tags]}::text[])` : Prisma.empty;
    const columns = Prisma.sql`
      c.id, c.name, u.display_name AS owner_name, s.total_spent::text AS total_spent, s.order_count, s.first_order_at,
      ${clvSql(basis)}::text AS clv`;
    if (!period) {
      const order = metric === "clv" ? Prisma.sql`${rankValue(basis)} DESC` : metric === "revenue" ? Prisma.sql`s.total_spent DESC` : Prisma.sql`s.order_count DESC`;
      return ranked(await db.$queryRaw<Row[]>`
        SELECT ${columns}, NULL::int AS period_orders, NULL::text AS period_revenue
        FROM customer_stats s
        JOIN customers c ON c.id = s.customer_id
        LEFT JOIN users u ON u.id = c.owner_id
        WHERE s.order_count > 0 ${tagged(Prisma.sql`s.customer_id`)}
        ORDER BY ${order}, c.name
        LIMIT ${limit}`);
    }
    const order = metric === "clv" ? Prisma.sql`${rankValue(basis)} DESC` : metric === "revenue" ? Prisma.sql`p.revenue_1 DESC` : Prisma.sql`p.orders_1 DESC, p.revenue_1 DESC`;
    // Ranked on the per-customer figures first, so names and owners are read for the winners only.
    const winners = metric === "clv"
      ? Prisma.sql`SELECT p.customer_id, p.orders_1 AS orders, p.revenue_1 AS revenue FROM per p JOIN customer_stats s ON s.customer_id = p.customer_id
                   WHERE p.orders_1 > 0 ${tagged(Prisma.sql`p.customer_id`)} ORDER BY ${order}, p.customer_id LIMIT ${limit}`
      : Prisma.sql`SELECT p.customer_id, p.orders_1 AS orders, p.revenue_1 AS revenue FROM per p WHERE p.orders_1 > 0 ${tagged(Prisma.sql`p.customer_id`)} ORDER BY ${order}, p.customer_id LIMIT ${limit}`;
    const rows = await db.$queryRaw<Row[]>`
      WITH per AS (${perCustomerSql([period], true)}), winners AS (${winners})
      SELECT ${columns}, w.orders AS period_orders, w.revenue::text AS period_revenue
      FROM winners w
      JOIN customer_stats s ON s.customer_id = w.customer_id
      JOIN customers c ON c.id = w.customer_id
      LEFT JOIN users u ON u.id = c.owner_id`;
    const ranking = ranked(rows);
    const key = (c: RankedCustomer) => (metric === "clv" ? c.clv : metric === "revenue" ? c.inPeriod!.revenue : c.inPeriod!.orders);
    return ranking.sort((a, b) => key(b) - key(a) || (metric === "orders" ? b.inPeriod!.revenue - a.inPeriod!.revenue : 0) || a.name.localeCompare(b.name));
  }

  return {
    top,
    /** Customers by lifetime value, read from the maintained per-customer stats (never from orders). */
    topByClv: (limit: number, value: ValueBasis) => top({ metric: "clv", limit, value }),
  };
}

export type RankingStore = ReturnType<typeof createRankingStore>;
