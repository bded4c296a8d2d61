/**
 * Floor for the report's lead counts: the best single statement over the raw rows for the same
 * answer (new, open and converted leads of each range), as the bot ran it before lead_hours.
 * Every count reads one index (customers.created_at, customer_order_months.first_order_at and
 * customer_created_at); "created before the end" is written as all customers less those created
 * after it, which reads a short stretch of the index instead of most of it.
 */
import type pg from "pg";

export interface Leads {
  newLeads: number;
  openLeads: number;
  converted: number;
}

const SQL = `
  SELECT (SELECT count(*) FROM customers c WHERE c.created_at >= r.lo AND c.created_at < r.hi)::int AS new_leads,
         ((SELECT count(*) FROM customers) - (SELECT count(*) FROM customers c WHERE c.created_at >= r.hi)
          - (SELECT count(*) FROM customer_order_months m WHERE m.first_order_at < r.lo)
          + (SELECT count(*) FROM customer_order_months m WHERE m.customer_created_at >= r.hi AND m.first_order_at < r.lo))::int AS open_leads,
         (SELECT count(*) FROM customer_order_months m
          WHERE m.first_order_at >= r.lo AND m.first_order_at < r.hi AND m.first_order_at >= m.customer_created_at)::int AS converted
  FROM unnest($1::timestamptz[], $2::timestamptz[]) WITH ORDINALITY AS r(lo, hi, i) ORDER BY r.i`;

export async function leadCountsFloor(pool: pg.Pool, ranges: readonly { from: Date; to: Date }[]): Promise<Leads[]> {
  const { rows } = await pool.query<{ new_leads: number; open_leads: number; converted: number }>(SQL, [ranges.map((r) => r.from), ranges.map((r) => r.to)]);
  return rows.map((r) => ({ newLeads: r.new_leads, openLeads: r.open_leads, converted: r.converted }));
}
