import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Decimal } from "../../src/domain/money.js";
import { createServices, type Services } from "../../src/services/index.js";
import type { LeadCounts, Range, Rep } from "../../src/store/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { testServiceDeps } from "../support/core.js";

/**
 * The lead_hours rollup (migration 20261207214000_lead_hours) on crafted customers with
 * hand-computed new, open and converted leads: the same answers before and after the job, after
 * late arrivals and deletes into rolled hours (which the triggers un-roll), and a rebuild equal
 * to counting the raw rows. Every date is long past the frozen clock, so the job rolls them all.
 */
let db: TestDatabase;
let services: Services;
let rep: Rep;
const now = new Date("2026-04-10T00:00:00Z");
const ids: Record<string, string> = {};

const FEBRUARY: Range = { from: new Date("2026-02-01T00:00:00Z"), to: new Date("2026-03-01T00:00:00Z") };
const MARCH: Range = { from: new Date("2026-03-01T00:00:00Z"), to: new Date("2026-04-01T00:00:00Z") };
const QUARTER: Range = { from: new Date("2026-01-01T00:00:00Z"), to: new Date("2026-04-01T00:00:00Z") };
// Cuts hours in the middle, so the edges are counted from the rows even once everything is rolled.
const ODD: Range = { from: new Date("2026-02-10T02:30:00Z"), to: new Date("2026-03-15T08:40:00Z") };

async function customer(key: string, createdAt: string): Promise<void> {
  const { customer: c } = await services.addCustomer(rep, `${key} Lead Co`);
  await db.sql.query("UPDATE customers SET created_at = $1 WHERE id = $2", [createdAt, c.id]);
  ids[key] = c.id;
}

async function order(key: string, orderedAt: string): Promise<void> {
  const summary = await services.getCustomer(ids[key]!);
  await services.recordOrder(rep, { customer: summary!, amount: new Decimal("10"), currency: "CNY", product: null, orderedAt: new Date(orderedAt) });
}

const leads = (ranges: Range[]): Promise<LeadCounts[]> => Promise.all(ranges.map((r) => db.store.analytics.leads(r)));

/** The same three counts straight from the rows, as the definitions in domain/measures.ts read. */
async function counted(range: Range): Promise<LeadCounts> {
  const { rows } = await db.sql.query<{ n: number; o: number; c: number }>(
    `SELECT (SELECT count(*) FROM customers WHERE created_at >= $1 AND created_at < $2)::int AS n,
            (SELECT count(*) FROM customers c WHERE c.created_at < $2
               AND NOT EXISTS (SELECT 1 FROM customer_order_months m WHERE m.customer_id = c.id AND m.first_order_at < $1))::int AS o,
            (SELECT count(*) FROM customer_order_months WHERE first_order_at >= $1 AND first_order_at < $2 AND first_order_at >= customer_created_at)::int AS c`,
    [range.from, range.to],
  );
  return { newLeads: rows[0]!.n, openLeads: rows[0]!.o, converted: rows[0]!.c };
}

async function leadHourRows(): Promise<unknown[]> {
  return (await db.sql.query<Record<string, unknown>>("SELECT hour, created, first_orders, converted FROM lead_hours WHERE created + first_orders > 0 ORDER BY hour")).rows;
}

/** lead_hours as counting the raw rows by UTC hour gives it (non-empty hours). */
async function countedHours(): Promise<unknown[]> {
  return (
    await db.sql.query<Record<string, unknown>>(`
      SELECT hour, sum(created)::int AS created, sum(first_orders)::int AS first_orders, sum(converted)::int AS converted FROM (
        SELECT date_trunc('hour', created_at, 'UTC') AS hour, 1 AS created, 0 AS first_orders, 0 AS converted FROM customers
        UNION ALL
        SELECT date_trunc('hour', first_order_at, 'UTC'), 0, 1, (first_order_at >= customer_created_at)::int FROM customer_order_months
      ) x GROUP BY hour ORDER BY hour`)
  ).rows;
}

const rolledHour = async (hour: string): Promise<boolean> => (await db.sql.query("SELECT 1 FROM lead_hours WHERE hour = $1", [hour])).rows.length > 0;

beforeAll(async () => {
  db = await createTestDatabase();
  services = createServices(testServiceDeps(db.store, { now: () => now }));
  rep = await services.registerRep({ platform: "slack", externalId: "ULEADROLLUP", displayName: "Lead Rep" });
  await customer("A", "2026-01-05T10:20:00Z");
  await order("A", "2026-02-10T03:00:00Z"); // converted in February
  await customer("B", "2026-02-03T05:00:00Z"); // never orders (yet)
  await customer("C", "2026-03-01T01:00:00Z");
  await order("C", "2026-02-20T03:00:00Z"); // an order entered before the customer was: never a converted lead
  await customer("D", "2026-03-15T08:10:00Z");
  await order("D", "2026-03-15T09:00:00Z"); // converted in March
  await customer("E", "2025-12-20T00:00:00Z");
  await order("E", "2025-12-25T00:00:00Z"); // a customer before the quarter began
}, 60_000);
afterAll(() => db.drop());

describe("lead counts from the lead_hours rollup", () => {
  it("gives the hand-computed leads before and after the job, then again after late arrivals and deletes", async () => {
    // February: new B; open A and B (E bought before it, C was created after it); converted A.
    // March: new C and D; open B and D; converted D. The quarter: new A-D; open A-D; converted A and D.
    // The odd span [Feb 10 02:30, Mar 15 08:40): new C, D; open A, B, C, D; converted A (C bought
    // before it was created, D after the span's end).
    const expected: LeadCounts[] = [
      { newLeads: 1, openLeads: 2, converted: 1 },
      { newLeads: 2, openLeads: 2, converted: 1 },
      { newLeads: 4, openLeads: 4, converted: 2 },
      { newLeads: 2, openLeads: 4, converted: 1 },
    ];
    const ranges = [FEBRUARY, MARCH, QUARTER, ODD];
    expect(await leads(ranges)).toEqual(expected);
    expect(await Promise.all(ranges.map(counted))).toEqual(expected);

    const rolled = await services.rollUpAnalytics();
    expect(rolled.leadHours).toBeGreaterThan(24 * 100);
    expect(await rows("SELECT created, first_orders, converted FROM lead_hours WHERE hour = '2026-03-15T08:00:00Z'")).toEqual([{ created: 1, first_orders: 0, converted: 0 }]);
    expect(await rows("SELECT created, first_orders, converted FROM lead_hours WHERE hour = '2026-03-15T09:00:00Z'")).toEqual([{ created: 0, first_orders: 1, converted: 1 }]);
    expect(await rows("SELECT created, first_orders, converted FROM lead_hours WHERE hour = '2026-02-20T03:00:00Z'")).toEqual([{ created: 0, first_orders: 1, converted: 0 }]);
    expect(await leadHourRows()).toEqual(await countedHours());
    expect(await leads(ranges)).toEqual(expected);
    expect((await services.rollUpAnalytics()).leadHours).toBeLessThanOrEqual(1); // an hour of the real clock may just have ended

    // Late arrivals into rolled hours: B's first order is backdated into February, and F is
    // entered as created on March 20. Each write un-rolls the hour it lands in.
    await order("B", "2026-02-25T12:00:00Z");
    expect(await rolledHour("2026-02-25T12:00:00Z")).toBe(false);
    await customer("F", "2026-03-20T05:00:00Z");
    expect(await rolledHour("2026-03-20T05:00:00Z")).toBe(false);
    // A's earlier order moves its first order from February 10 to January 7: both hours un-roll.
    await order("A", "2026-01-07T06:00:00Z");
    expect(await rolledHour("2026-02-10T03:00:00Z")).toBe(false);
    expect(await rolledHour("2026-01-07T06:00:00Z")).toBe(false);
    // Deletes: C goes with its purchase rows, un-rolling its creation hour and its first order's.
    await db.sql.query("DELETE FROM customer_order_months WHERE customer_id = $1", [ids.C]);
    await db.sql.query("DELETE FROM customers WHERE id = $1", [ids.C]);
    expect(await rolledHour("2026-03-01T01:00:00Z")).toBe(false);
    expect(await rolledHour("2026-02-20T03:00:00Z")).toBe(false);
    // An hour nobody touched stays rolled.
    expect(await rolledHour("2026-03-15T09:00:00Z")).toBe(true);

    // February: new B; open B only (A now bought on Jan 7); converted B. March: new D, F; open D, F;
    // converted D. The quarter: new A, B, D, F; open all four; converted A, B, D. The odd span: new
    // D; open B, D (A bought before it, F was created after it); converted B.
    const after: LeadCounts[] = [
      { newLeads: 1, openLeads: 1, converted: 1 },
      { newLeads: 2, openLeads: 2, converted: 1 },
      { newLeads: 4, openLeads: 4, converted: 3 },
      { newLeads: 1, openLeads: 2, converted: 1 },
    ];
    expect(await Promise.all(ranges.map(counted))).toEqual(after);
    expect(await leads(ranges)).toEqual(after);

    // The job re-rolls the six un-rolled hours (and, on the real clock, perhaps one hour that just
    // ended), and the answers stay.
    const rerolled = (await services.rollUpAnalytics()).leadHours;
    expect(rerolled).toBeGreaterThanOrEqual(6);
    expect(rerolled).toBeLessThanOrEqual(7);
    for (const hour of ["2026-02-25T12:00:00Z", "2026-03-20T05:00:00Z", "2026-02-10T03:00:00Z", "2026-01-07T06:00:00Z", "2026-03-01T01:00:00Z", "2026-02-20T03:00:00Z"]) {
      expect(await rolledHour(hour)).toBe(true);
    }
    expect(await leadHourRows()).toEqual(await countedHours());
    expect(await leads(ranges)).toEqual(after);

    // A rebuild from nothing gives the same table.
    await db.sql.query("DELETE FROM lead_hours");
    expect(await leads(ranges)).toEqual(after);
    await services.rollUpAnalytics();
    expect(await leadHourRows()).toEqual(await countedHours());
    expect(await leads(ranges)).toEqual(after);
  });

  it("leaves a customer created in the current, still open hour to the live count and takes no lock for it", async () => {
    const open: Range = { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 3_600_000) };
    const before = (await leads([open]))[0]!;
    // Two minutes ahead: its hour ends more than the clock skew allowed from now, whatever the
    // minute (a write in an hour's last minute takes the lock on purpose).
    const client = await db.sql.connect();
    try {
      await client.query("BEGIN");
      await client.query("INSERT INTO customers (id, name, normalized_name, pinyin, pinyin_initials, created_at, updated_at) VALUES (gen_random_uuid(), 'Open Hour Co', 'open hour', 'open hour', 'oh', now() + interval '2 minutes', now())");
      const locks = await client.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()");
      expect(locks.rows).toEqual([]);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK");
      throw error;
    } finally {
      client.release();
    }
    // A new lead, and open during the span too.
    expect((await leads([open]))[0]).toEqual({ ...before, newLeads: before.newLeads + 1, openLeads: before.openLeads + 1 });
    expect((await leads([open]))[0]).toEqual(await counted(open));
  });
});

async function rows(sql: string): Promise<unknown[]> {
  return (await db.sql.query<Record<string, unknown>>(sql)).rows;
}
