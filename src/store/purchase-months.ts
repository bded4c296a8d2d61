import { Prisma, type Db } from "./prisma.js";

/**
 * Per-customer purchases as running totals by UTC month (customer_order_months), kept on the
 * order write path. A period's orders and revenue per customer are then the difference of two
 * running totals plus the customer's orders in the partial months at the period's edges, so a
 * year costs one pass over the customers (about 100k rows) instead of a million orders.
 *
 * Measured on 100k customers / 2M orders (2 CPUs): distinct buyers in a year from the orders
 * took 400–700 ms and a GROUP BY of per-(customer, month) rows 160–250 ms; one pass over these
 * rows with the edges read live takes 70–120 ms.
 */

/** A UTC month as year × 12 + month − 1 (the stored `first_month`). */
export function monthIndex(at: Date): number {
  return at.getUTCFullYear() * 12 + at.getUTCMonth();
}

export function monthStart(index: number): Date {
  return new Date(Date.UTC(Math.floor(index / 12), index % 12, 1));
}

/** The SQL for a timestamp's month index, the same as monthIndex. */
const MONTH_OF = (column: string) =>
  `(extract(year FROM ${column} AT TIME ZONE 'UTC') * 12 + extract(month FROM ${column} AT TIME ZONE 'UTC') - 1)::int`;

/**
 * Rebuilds the rows of every customer with orders (all of them, or those in $1::uuid[]) from the
 * orders, set-based: bulk loads, merges, and the migration that introduced the table.
 */
export function rebuildPurchaseMonthsSql(scope: "all" | "listed"): string {
  const only = scope === "all" ? "" : "WHERE customer_id = ANY($1::uuid[])";
  return `
    INSERT INTO customer_order_months (customer_id, first_order_at, second_order_at, first_month, orders, revenue)
    WITH months AS (
      SELECT customer_id, ${MONTH_OF("ordered_at")} AS month, count(*)::int AS n, sum(base_amount) AS r, min(ordered_at) AS first_at
      FROM orders ${only} GROUP BY 1, 2
    ), spans AS (
      SELECT customer_id, min(month) AS low, max(month) AS high, min(first_at) AS first_at FROM months GROUP BY 1
    ), running AS (
      SELECT s.customer_id, g.month, sum(coalesce(m.n, 0)) OVER w AS n, sum(coalesce(m.r, 0)) OVER w AS r
      FROM spans s
      CROSS JOIN LATERAL generate_series(s.low, s.high) AS g(month)
      LEFT JOIN months m ON m.customer_id = s.customer_id AND m.month = g.month
      WINDOW w AS (PARTITION BY s.customer_id ORDER BY g.month)
    ), arrays AS (
      SELECT customer_id, array_agg(n::int ORDER BY month) AS orders, array_agg(r ORDER BY month) AS revenue FROM running GROUP BY 1
    )
    SELECT s.customer_id, s.first_at,
           (SELECT o.ordered_at FROM orders o WHERE o.customer_id = s.customer_id ORDER BY o.ordered_at OFFSET 1 LIMIT 1),
           s.low, a.orders, a.revenue
    FROM spans s JOIN arrays a ON a.customer_id = s.customer_id
    ON CONFLICT (customer_id) DO UPDATE SET
      first_order_at = EXCLUDED.first_order_at, second_order_at = EXCLUDED.second_order_at,
      first_month = EXCLUDED.first_month, orders = EXCLUDED.orders, revenue = EXCLUDED.revenue`;
}

/** Folds one new order into its customer's running totals (an older order shifts every later month). */
export async function addPurchase(db: Db, order: { customerId: string; orderedAt: Date; baseAmount: string }): Promise<void> {
  const month = monthIndex(order.orderedAt);
  // Each array is rebuilt over the union of the old span and the new month: the old running
  // total at each month (0 before the first, the total after the last) plus the order from its
  // month on. Subscripts below 1 read NULL in Postgres, hence the coalesce.
  await db.$executeRaw`
    INSERT INTO customer_order_months AS m (customer_id, first_order_at, second_order_at, first_month, orders, revenue)
    VALUES (${order.customerId}::uuid, ${order.orderedAt}, NULL, ${month}::int, ARRAY[1], ARRAY[${order.baseAmount}::numeric])
    ON CONFLICT (customer_id) DO UPDATE SET
      first_order_at = LEAST(m.first_order_at, EXCLUDED.first_order_at),
      second_order_at = CASE
        WHEN EXCLUDED.first_order_at < m.first_order_at THEN m.first_order_at
        WHEN m.second_order_at IS NULL OR EXCLUDED.first_order_at < m.second_order_at THEN EXCLUDED.first_order_at
        ELSE m.second_order_at END,
      first_month = LEAST(m.first_month, EXCLUDED.first_month),
      orders = ARRAY(
        SELECT coalesce(m.orders[LEAST(g - m.first_month + 1, cardinality(m.orders))], 0) + CASE WHEN g >= EXCLUDED.first_month THEN 1 ELSE 0 END
        FROM generate_series(LEAST(m.first_month, EXCLUDED.first_month), GREATEST(m.first_month + cardinality(m.orders) - 1, EXCLUDED.first_month)) AS g
        ORDER BY g),
      revenue = ARRAY(
        SELECT coalesce(m.revenue[LEAST(g - m.first_month + 1, cardinality(m.revenue))], 0) + CASE WHEN g >= EXCLUDED.first_month THEN EXCLUDED.revenue[1] ELSE 0 END
        FROM generate_series(LEAST(m.first_month, EXCLUDED.first_month), GREATEST(m.first_month + cardinality(m.revenue) - 1, EXCLUDED.first_month)) AS g
        ORDER BY g)`;
}

/** Recomputes the given customers' rows from their orders (after orders moved between customers). */
export async function recomputePurchaseMonths(db: Db, customerIds: readonly string[]): Promise<void> {
  if (customerIds.length === 0) return;
  const ids = [...customerIds];
  await db.$executeRaw`DELETE FROM customer_order_months WHERE customer_id = ANY(${ids}::uuid[])`;
  await db.$executeRawUnsafe(rebuildPurchaseMonthsSql("listed"), ids);
}

// ---------------------------------------------------------------------------------------------
// Reading a period

export interface Span {
  from: Date;
  to: Date;
}

interface Edge extends Span {
  /** +1: the edge's orders are added to the running totals; −1: subtracted. */
  weight: 1 | -1;
}

/** How one customer's orders in [from, to) are found. */
export type PurchasePlan =
  | { kind: "live"; span: Span }
  | { kind: "months"; span: Span; high: number; low: number; edges: Edge[] };

/**
 * Reading the running totals costs one pass over all customers, about what reading two weeks of
 * orders costs, so shorter periods are counted from the orders directly.
 */
const LIVE_MARGIN_MS = 14 * 86_400_000;

/**
 * The orders before an instant t are the running total through a month plus or minus the orders
 * between t and the nearer month boundary: through the month before t's plus [month start, t),
 * or through t's month minus [t, next month start).
 */
function before(t: Date): { month: number; edge: Edge | null; length: number } {
  const month = monthIndex(t);
  const start = monthStart(month).getTime();
  const next = monthStart(month + 1).getTime();
  if (t.getTime() === start) return { month: month - 1, edge: null, length: 0 };
  if (t.getTime() - start <= next - t.getTime()) {
    return { month: month - 1, edge: { from: new Date(start), to: t, weight: 1 }, length: t.getTime() - start };
  }
  return { month, edge: { from: t, to: new Date(next), weight: -1 }, length: next - t.getTime() };
}

export function purchasePlan(span: Span): PurchasePlan {
  const high = before(span.to);
  const low = before(span.from);
  const edgeCost = high.length + low.length;
  if (span.to.getTime() - span.from.getTime() <= edgeCost + LIVE_MARGIN_MS) return { kind: "live", span };
  const edges: Edge[] = [];
  if (high.edge) edges.push(high.edge);
  // Orders before `from` are subtracted, so its edge counts the other way round.
  if (low.edge) edges.push({ ...low.edge, weight: low.edge.weight === 1 ? -1 : 1 });
  return { kind: "months", span, high: high.month, low: low.month, edges };
}

/** Running total through `month` of an array column of customer_order_months `m`. */
function through(column: "orders" | "revenue", month: number): Prisma.Sql {
  const col = Prisma.raw(`m.${column}`);
  return Prisma.sql`coalesce(${col}[LEAST(${month}::int - m.first_month + 1, cardinality(${col}))], 0)`;
}

/**
 * A query of one row per customer who may have ordered in the plan's period:
 * (customer_id, first_order_at, second_order_at, orders, revenue), orders and revenue being the
 * customer's in the period (0 for customers of the running totals who did not buy in it).
 */
export function perCustomerSql(plan: PurchasePlan): Prisma.Sql {
  const { from, to } = plan.span;
  if (plan.kind === "live") {
    return Prisma.sql`
      SELECT m.customer_id, m.first_order_at, m.second_order_at, p.orders, p.revenue
      FROM (SELECT customer_id, count(*)::int AS orders, sum(base_amount) AS revenue
            FROM orders WHERE ordered_at >= ${from} AND ordered_at < ${to} GROUP BY customer_id) p
      JOIN customer_order_months m ON m.customer_id = p.customer_id`;
  }
  const parts = plan.edges.map(
    (e) => Prisma.sql`SELECT customer_id, base_amount, ${e.weight}::int AS w FROM orders WHERE ordered_at >= ${e.from} AND ordered_at < ${e.to}`,
  );
  const edges = parts.length > 0 ? Prisma.join(parts, " UNION ALL ") : Prisma.sql`SELECT NULL::uuid AS customer_id, 0::numeric AS base_amount, 0 AS w WHERE false`;
  // Customers whose first order is at or after `to` cannot have bought in the period.
  return Prisma.sql`
    SELECT m.customer_id, m.first_order_at, m.second_order_at,
           (${through("orders", plan.high)} - ${through("orders", plan.low)} + coalesce(e.orders, 0))::int AS orders,
           ${through("revenue", plan.high)} - ${through("revenue", plan.low)} + coalesce(e.revenue, 0) AS revenue
    FROM customer_order_months m
    LEFT JOIN (SELECT customer_id, sum(w)::int AS orders, sum(w * base_amount) AS revenue FROM (${edges}) x GROUP BY customer_id) e
      ON e.customer_id = m.customer_id
    WHERE m.first_order_at < ${to}`;
}
