import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Core } from "../../src/core/index.js";
import { customerValue, valueAsOf } from "../../src/domain/customers/clv.js";
import { SEGMENT_CODES, classifyCustomer } from "../../src/domain/customers/customer-segments.js";
import type { Channel } from "../../src/domain/interaction-channel.js";
import { Decimal } from "../../src/domain/money.js";
import { factsOf } from "../../src/services/analytics/score-segments.js";
import type { CustomerSummary, Rep, Services } from "../../src/services/index.js";
import { actor, createTestCore, textOf } from "../support/core.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

/**
 * Every aggregate follows a correction or deletion, exactly: a varied data set (several
 * customers, currencies, months and hours, rolled up by the analytics job) is corrected, deleted
 * and restored, then customer_stats, the purchase months, the hourly rollups, the segment facts,
 * /top, the card and /report are compared with a recomputation from the live rows. Also
 * concurrent corrections of one customer's orders. The clock is frozen at 5 December 2026, 12:00
 * in Shanghai; the data lies before it (and before the database's clock, so the job rolls it).
 */
const ZONE = "Asia/Shanghai";
const NOW = new Date("2026-12-05T04:00:00Z");
const CURRENCIES = ["CNY", "USD", "EUR", "JPY", "HKD"] as const;
const CHANNELS: Channel[] = ["CALL", "MEETING", "EMAIL", "NOTE", "WECHAT"];

let db: TestDatabase;
let services: Services;
let core: Core;
let rep: Rep;
const customers = new Map<string, CustomerSummary>();
/** Order and interaction ids by customer name, in the order they were recorded. */
const orderIds = new Map<string, string[]>();
const interactionIds = new Map<string, string[]>();

/** A small deterministic generator, so the data set is the same on every run. */
function generator(seed: number) {
  let state = seed;
  return (n: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state % n;
  };
}

async function sql<T extends Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  return (await db.sql.query<T>(text, params)).rows;
}

async function stamp(kind: "order" | "interaction", id: string): Promise<string> {
  return (await services.openEntry(rep, kind, id)).stamp;
}

async function correctOrder(id: string, change: { amount?: string; currency?: string; orderedAt?: Date }) {
  const entry = await services.openEntry(rep, "order", id);
  if (entry.kind !== "order") throw new Error("not an order");
  return services.correctOrder(rep, {
    orderId: id,
    stamp: entry.stamp,
    amount: new Decimal(change.amount ?? entry.order.amount),
    currency: change.currency ?? entry.order.currency,
    product: entry.order.product,
    orderedAt: change.orderedAt ?? entry.order.orderedAt,
  });
}

// ---------------------------------------------------------------------------------------------
// From scratch

type Live = {
  customer_id: string;
  base_amount: string;
  ordered_at: Date;
};

const liveOrders = () => sql<Live>("SELECT customer_id, base_amount::text, ordered_at FROM orders WHERE deleted_at IS NULL ORDER BY ordered_at, id");

async function expectStatsExact(): Promise<void> {
  const kept = await sql(`
    SELECT customer_id, order_count, total_spent::text AS total, first_order_at, last_order_at, interaction_count, last_interaction_at
    FROM customer_stats ORDER BY customer_id`);
  const scratch = await sql(`
    SELECT c.id AS customer_id, coalesce(o.n, 0) AS order_count, coalesce(o.total, 0)::numeric(16,2)::text AS total, o.first AS first_order_at, o.last AS last_order_at,
           coalesce(i.n, 0) AS interaction_count, i.last AS last_interaction_at
    FROM customers c
    LEFT JOIN (SELECT customer_id, count(*)::int AS n, sum(base_amount) AS total, min(ordered_at) AS first, max(ordered_at) AS last
               FROM orders WHERE deleted_at IS NULL GROUP BY customer_id) o ON o.customer_id = c.id
    LEFT JOIN (SELECT customer_id, count(*)::int AS n, max(occurred_at) AS last FROM interactions WHERE deleted_at IS NULL GROUP BY customer_id) i ON i.customer_id = c.id
    WHERE c.id IN (SELECT customer_id FROM customer_stats)
    ORDER BY c.id`);
  expect(kept).toEqual(scratch);
}

/** customer_order_months against running totals by UTC month computed here from the live orders. */
async function expectPurchaseMonthsExact(): Promise<void> {
  const byCustomer = new Map<string, Live[]>();
  for (const o of await liveOrders()) byCustomer.set(o.customer_id, [...(byCustomer.get(o.customer_id) ?? []), o]);
  const month = (d: Date) => d.getUTCFullYear() * 12 + d.getUTCMonth();
  const expected = [...byCustomer.entries()].map(([customerId, orders]) => {
    const first = Math.min(...orders.map((o) => month(o.ordered_at)));
    const last = Math.max(...orders.map((o) => month(o.ordered_at)));
    const counts: number[] = [];
    const revenue: string[] = [];
    for (let m = first; m <= last; m++) {
      const upTo = orders.filter((o) => month(o.ordered_at) <= m);
      counts.push(upTo.length);
      revenue.push(upTo.reduce((sum, o) => sum.plus(o.base_amount), new Decimal(0)).toFixed(2));
    }
    return {
      customer_id: customerId, first_month: first, orders: counts, revenue,
      first_order_at: orders[0]!.ordered_at, second_order_at: orders[1]?.ordered_at ?? null, last_order_at: orders.at(-1)!.ordered_at,
    };
  }).sort((a, b) => a.customer_id.localeCompare(b.customer_id));
  const kept = await sql(`
    SELECT customer_id, first_month, orders, revenue::text[] AS revenue, first_order_at, second_order_at, last_order_at
    FROM customer_order_months ORDER BY customer_id`);
  expect(kept).toEqual(expected);
}

/** Every rolled hour holds what its live rows add up to; returns how many hours are rolled. */
async function expectRollupsExact(): Promise<{ orderHours: number; interactionHours: number }> {
  const orders = await sql(`
    SELECT h.hour, h.orders, h.revenue::text AS revenue, l.n AS live_orders, l.r AS live_revenue
    FROM order_hours h
    CROSS JOIN LATERAL (SELECT count(*)::int AS n, coalesce(sum(base_amount), 0)::numeric(18,2)::text AS r FROM orders
                        WHERE deleted_at IS NULL AND ordered_at >= h.hour AND ordered_at < h.hour + interval '1 hour') l
    WHERE h.orders <> l.n OR h.revenue::text <> l.r`);
  expect(orders).toEqual([]);
  const interactions = await sql(`
    SELECT h.hour FROM interaction_hours h
    CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE channel = 'CALL')::int AS calls, count(*) FILTER (WHERE channel = 'MEETING')::int AS meetings,
                               count(*) FILTER (WHERE channel = 'EMAIL')::int AS emails, count(*) FILTER (WHERE channel = 'WECHAT')::int AS wechat,
                               count(*) FILTER (WHERE channel = 'NOTE')::int AS notes
                        FROM interactions WHERE deleted_at IS NULL AND occurred_at >= h.hour AND occurred_at < h.hour + interval '1 hour') l
    WHERE (h.calls, h.meetings, h.emails, h.wechat, h.notes) <> (l.calls, l.meetings, l.emails, l.wechat, l.notes)`);
  expect(interactions).toEqual([]);
  const [counts] = await sql<{ o: number; i: number }>("SELECT (SELECT count(*)::int FROM order_hours WHERE orders > 0) AS o, (SELECT count(*)::int FROM interaction_hours WHERE calls + meetings + emails + wechat + notes > 0) AS i");
  return { orderHours: counts!.o, interactionHours: counts!.i };
}

/** What the nightly scan's facts say of each customer, against the same facts counted here. */
async function expectSegmentFactsExact(): Promise<void> {
  const facts = await db.store.segments.facts(NOW, ZONE);
  const scratch = await sql<{ id: string; n: number; first: Date | null; last: Date | null; last90: number; previous90: number }>(`
    SELECT c.id, count(o.id)::int AS n, min(o.ordered_at) AS first, max(o.ordered_at) AS last,
           count(o.id) FILTER (WHERE o.ordered_at > $1::timestamptz - interval '90 days')::int AS last90,
           count(o.id) FILTER (WHERE o.ordered_at <= $1::timestamptz - interval '90 days' AND o.ordered_at > $1::timestamptz - interval '180 days')::int AS previous90
    FROM customers c LEFT JOIN orders o ON o.customer_id = c.id AND o.deleted_at IS NULL AND o.ordered_at <= $1
    GROUP BY c.id ORDER BY c.id`, [NOW]);
  expect(facts.map((f) => ({ id: f.id, n: f.orderCount, first: f.firstOrderAt, last: f.lastOrderAt, last90: f.ordersLast90, previous90: f.ordersPrevious90 }))).toEqual(scratch);
}

/** The segment a customer has now is the one the rules give their facts as they are (the write re-scored them). */
async function expectSegmentFollows(customerId: string): Promise<void> {
  const [row] = await db.store.segments.facts(NOW, ZONE, [customerId]);
  const [full] = (await db.store.segments.facts(NOW, ZONE)).filter((f) => f.id === customerId);
  expect(row).toEqual(full);
  const classification = classifyCustomer(factsOf(full!, NOW));
  const [stored] = await sql<{ segment: string | null }>("SELECT segment FROM customer_stats WHERE customer_id = $1", [customerId]);
  expect(stored?.segment ?? null).toBe(classification ? SEGMENT_CODES[classification.segment] : null);
}

/** /top (lifetime and in a period) and the card against sums of the live orders. */
async function expectRankingsAndCardsExact(): Promise<void> {
  const totals = await sql<{ id: string; name: string; n: number; total: string; first: Date; interactions: number }>(`
    SELECT c.id, c.name, count(*)::int AS n, sum(o.base_amount)::text AS total, min(o.ordered_at) AS first,
           (SELECT count(*)::int FROM interactions i WHERE i.customer_id = c.id AND i.deleted_at IS NULL) AS interactions
    FROM customers c JOIN orders o ON o.customer_id = c.id AND o.deleted_at IS NULL
    GROUP BY c.id, c.name`);
  const byRevenue = [...totals].sort((a, b) => Number(b.total) - Number(a.total) || a.name.localeCompare(b.name));
  const top = await services.listTopCustomers(rep, { metric: "revenue", count: 50 });
  expect(top.map((c) => [c.name, c.totalSpent.toFixed(2), c.orderCount])).toEqual(byRevenue.map((c) => [c.name, Number(c.total).toFixed(2), c.n]));

  const asOf = valueAsOf(NOW, ZONE);
  const value = (c: (typeof totals)[number]) => customerValue({ totalSpent: Number(c.total), orderCount: c.n, firstOrderAt: c.first }, asOf, { lifespanMonths: 36, minObservationMonths: 3 });
  const byClv = await services.listTopCustomers(rep, { count: 50 });
  expect(byClv.map((c) => c.name)).toEqual([...totals].sort((a, b) => value(b).clv - value(a).clv || a.name.localeCompare(b.name)).map((c) => c.name));
  for (const c of byClv) expect(c.clv).toBeCloseTo(value(totals.find((x) => x.id === c.id)!).clv, 6);

  // A period whose ends fall inside UTC months (the purchase months' edges are read from the orders).
  const period = { from: new Date("2026-08-10T16:00:00Z"), to: new Date("2026-11-20T16:00:00Z") };
  const inPeriod = await sql<{ id: string; n: number; r: string }>(
    "SELECT customer_id AS id, count(*)::int AS n, sum(base_amount)::text AS r FROM orders WHERE deleted_at IS NULL AND ordered_at >= $1 AND ordered_at < $2 GROUP BY customer_id",
    [period.from, period.to],
  );
  const ranked = await services.listTopCustomers(rep, { metric: "orders", count: 50, period });
  expect(ranked.map((c) => [c.id, c.inPeriod!.orders, c.inPeriod!.revenue.toFixed(2)]).sort()).toEqual(inPeriod.map((r) => [r.id, r.n, Number(r.r).toFixed(2)]).sort());

  for (const [name, customer] of customers) {
    const card = (await services.getCustomerCard(rep, customer.id))!;
    const live = totals.find((c) => c.id === customer.id);
    expect([name, card.revenue.toFixed(2), card.orderCount, card.firstOrderAt]).toEqual([name, Number(live?.total ?? 0).toFixed(2), live?.n ?? 0, live?.first ?? null]);
    expect(card.clv).toBeCloseTo(live ? value(live).clv : 0, 6);
    const [interactions] = await sql<{ n: number }>("SELECT count(*)::int AS n FROM interactions WHERE customer_id = $1 AND deleted_at IS NULL", [customer.id]);
    expect(card.totals.interactions).toBe(interactions!.n);
  }

  // The same through the command a rep types.
  const answer = textOf(await core.handle({ type: "command", actor: actor("UAGG"), command: "/top", text: "3 by revenue" }));
  const positions = byRevenue.slice(0, 3).map((c) => answer.indexOf(c.name));
  expect(positions.every((p) => p >= 0)).toBe(true);
  expect([...positions].sort((a, b) => a - b)).toEqual(positions);
}

/** /report's figures for both periods against counts of the live rows in their spans. */
async function expectReportsExact(): Promise<void> {
  for (const [kind, which] of [["monthly", "last"], ["quarterly", "last"], ["yearly", "current"]] as const) {
    const report = await services.getReport(kind, which, { timeZone: ZONE });
    for (const figures of [report.current, report.previous]) {
      const { from, to } = figures.span;
      const [orders] = await sql<{ n: number; r: string; buyers: number }>(
        "SELECT count(*)::int AS n, coalesce(sum(base_amount), 0)::text AS r, count(DISTINCT customer_id)::int AS buyers FROM orders WHERE deleted_at IS NULL AND ordered_at >= $1 AND ordered_at < $2",
        [from, to],
      );
      const [firsts] = await sql<{ n: number }>(
        "SELECT count(*)::int AS n FROM (SELECT customer_id, min(ordered_at) AS first FROM orders WHERE deleted_at IS NULL GROUP BY customer_id) f WHERE first >= $1 AND first < $2",
        [from, to],
      );
      const channels = await sql<{ channel: Channel; n: number }>(
        "SELECT channel::text AS channel, count(*)::int AS n FROM interactions WHERE deleted_at IS NULL AND occurred_at >= $1 AND occurred_at < $2 GROUP BY channel",
        [from, to],
      );
      const label = `${kind} ${which} ${from.toISOString()}`;
      expect([figures.orders, figures.revenue.toFixed(2), figures.buyers, figures.newCustomers], label).toEqual([orders!.n, Number(orders!.r).toFixed(2), orders!.buyers, firsts!.n]);
      for (const c of CHANNELS) expect(figures.interactions[c], `${label} ${c}`).toBe(channels.find((x) => x.channel === c)?.n ?? 0);
    }
  }
  const monthly = await core.handle({ type: "command", actor: actor("UAGG"), command: "/report", text: "monthly last" });
  const report = await services.getReport("monthly", "last", { timeZone: ZONE });
  expect(monthly.kind === "message" && monthly.message.summary.replace(/\u00a0/g, " ")).toContain(`CNY ${report.current.revenue.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);
}

async function expectEverythingExact(): Promise<void> {
  await expectStatsExact();
  await expectPurchaseMonthsExact();
  await expectRollupsExact();
  await expectSegmentFactsExact();
  await expectRankingsAndCardsExact();
  await expectReportsExact();
}

beforeAll(async () => {
  db = await createTestDatabase();
  ({ services, core } = createTestCore(db.store, { now: NOW, settings: { timeZone: ZONE } }));
  rep = await services.registerRep({ platform: "slack", externalId: "UAGG", displayName: "Aggregate Rep", timezone: ZONE });
  const random = generator(20_261_205);
  const names = ["Acme Ltd", "Beta GmbH", "Gamma Trading", "阿里巴巴集团", "Delta Foods", "Epsilon Inc"];
  for (const [k, name] of names.entries()) {
    const { customer } = await services.addCustomer(rep, name);
    customers.set(name, customer);
    orderIds.set(name, []);
    interactionIds.set(name, []);
    // Orders from May to November at odd hours, in several currencies; Delta has only two.
    const count = name === "Delta Foods" ? 2 : 6 + k;
    for (let i = 0; i < count; i++) {
      const orderedAt = new Date(Date.UTC(2026, 4 + random(7), 1 + random(28), random(24), random(60)));
      const currency = CURRENCIES[random(CURRENCIES.length)]!;
      const amount = new Decimal(50 + random(5000)).plus(new Decimal(random(100)).div(100));
      const recorded = await services.recordOrder(rep, { customer, amount: currency === "JPY" ? amount.floor() : amount, currency, product: `p${i}`, orderedAt });
      orderIds.get(name)!.push(recorded.id);
    }
    for (let i = 0; i < 4; i++) {
      const occurredAt = new Date(Date.UTC(2026, 5 + random(6), 1 + random(28), random(24), random(60)));
      const recorded = await services.recordInteraction(rep, { customer, channel: CHANNELS[random(CHANNELS.length)]!, body: `talk ${i}`, occurredAt });
      interactionIds.get(name)!.push(recorded.id);
    }
  }
  await services.rollUpAnalytics();
});
afterAll(() => db.drop());

describe("aggregates after corrections and deletions", () => {
  it("start out exact, with rolled-up hours", async () => {
    await expectEverythingExact();
    const rolled = await expectRollupsExact();
    expect(rolled.orderHours).toBeGreaterThan(20);
    expect(rolled.interactionHours).toBeGreaterThan(10);
  });

  it("stay exact after corrected amounts, currencies and dates, deletions and a restore", async () => {
    const acme = orderIds.get("Acme Ltd")!;
    const changed = await correctOrder(acme[0]!, { amount: "98765.43", currency: "CNY" });
    expect(changed.changed).toBe(true);
    await expectSegmentFollows(customers.get("Acme Ltd")!.id);

    await correctOrder(orderIds.get("Beta GmbH")![1]!, { currency: "EUR" });
    await correctOrder(orderIds.get("Gamma Trading")![2]!, { orderedAt: new Date("2026-03-14T21:30:00Z") });
    await correctOrder(orderIds.get("Gamma Trading")![3]!, { amount: "1", orderedAt: new Date("2026-11-30T23:59:00Z") });
    await expectSegmentFollows(customers.get("Gamma Trading")!.id);

    await services.deleteEntry(rep, "order", orderIds.get("阿里巴巴集团")![0]!);
    for (const id of orderIds.get("Delta Foods")!) await services.deleteEntry(rep, "order", id);
    await expectSegmentFollows(customers.get("Delta Foods")!.id);
    const epsilon = orderIds.get("Epsilon Inc")!;
    await services.deleteEntry(rep, "order", epsilon[0]!);
    await services.deleteEntry(rep, "order", epsilon[1]!);
    await services.restoreEntry(rep, "order", epsilon[0]!);

    await services.deleteEntry(rep, "interaction", interactionIds.get("Acme Ltd")![0]!);
    const beta = interactionIds.get("Beta GmbH")![0]!;
    await services.correctInteraction(rep, { interactionId: beta, stamp: await stamp("interaction", beta), channel: "MEETING", body: "talk corrected" });

    await expectEverythingExact();
    const [delta] = await sql<{ order_count: number }>("SELECT order_count FROM customer_stats WHERE customer_id = $1", [customers.get("Delta Foods")!.id]);
    expect(delta!.order_count).toBe(0);
    expect(await sql("SELECT 1 FROM customer_order_months WHERE customer_id = $1", [customers.get("Delta Foods")!.id])).toEqual([]);

    // The job rolls the hours the corrections un-rolled again, from the live rows.
    await services.rollUpAnalytics();
    await expectEverythingExact();
  });

  it("stay exact when one customer's orders are corrected and deleted at once, with no lost update", async () => {
    const acme = orderIds.get("Acme Ltd")!;
    const sameStamp = await stamp("order", acme[1]!);
    const entry = await services.openEntry(rep, "order", acme[1]!);
    if (entry.kind !== "order") throw new Error("not an order");
    const twice = (amount: string) =>
      services.correctOrder(rep, { orderId: acme[1]!, stamp: sameStamp, amount: new Decimal(amount), currency: "CNY", product: entry.order.product, orderedAt: entry.order.orderedAt });
    const results = await Promise.allSettled([
      twice("111.11"),
      twice("222.22"),
      correctOrder(acme[2]!, { amount: "333.33", orderedAt: new Date("2026-10-31T16:30:00Z") }),
      correctOrder(acme[3]!, { currency: "JPY", amount: "12345" }),
      services.deleteEntry(rep, "order", acme[4]!),
      services.recordOrder(rep, { customer: customers.get("Acme Ltd")!, amount: new Decimal("4321"), currency: "USD", product: null, orderedAt: new Date("2026-09-09T09:09:00Z") }),
    ]);
    const [first, second, ...rest] = results;
    for (const r of rest) expect(r.status).toBe("fulfilled");
    // The two corrections made from one form: one lands, the other is refused as stale.
    expect([first.status, second.status].sort()).toEqual(["fulfilled", "rejected"]);
    const refused = [first, second].find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: "CONFLICT", userKey: "correction.changed" });
    const [row] = await sql<{ amount: string }>("SELECT amount::text FROM orders WHERE id = $1", [acme[1]]);
    expect(["111.11", "222.22"]).toContain(row!.amount);
    await expectEverythingExact();
    await expectSegmentFollows(customers.get("Acme Ltd")!.id);
    const audits = await sql<{ action: string; n: number }>("SELECT action, count(*)::int AS n FROM audit_log WHERE entity_id = ANY($1) GROUP BY action ORDER BY action", [acme.slice(0, 5)]);
    // Each order's creation, each correction form opened (order.view), and each change that landed.
    expect(audits).toEqual([{ action: "order.correct", n: 4 }, { action: "order.create", n: 5 }, { action: "order.delete", n: 1 }, { action: "order.view", n: 5 }]);
  });
});
