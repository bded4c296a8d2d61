import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MS_PER_MONTH, customerValue, valueAsOf } from "../../src/domain/customers/clv.js";
import { Decimal } from "../../src/domain/money.js";
import { createServices, type Rep, type Services } from "../../src/services/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { testServiceDeps } from "../support/core.js";

/**
 * Lifetime value as the card shows it (src/domain/customers/clv.ts) and as /top ranks by it (SQL over
 * customer_stats in src/store/analytics/rankings.ts), on a real database: the two agree, a value from a
 * short history is an early estimate that cannot outrank a long-standing customer, and the
 * figure holds all day.
 */
const ZONE = "Asia/Shanghai";
/** 12:00 in Shanghai; CLV is measured to the start of that day. */
const NOW = new Date("2026-11-20T04:00:00Z");
const AS_OF = new Date("2026-11-19T16:00:00Z");
const DAY = 86_400_000;

let db: TestDatabase;
let services: Services;
let rep: Rep;

const servicesAt = (at: Date) => createServices(testServiceDeps(db.store, { now: () => at, settings: { timeZone: ZONE } }));

async function customerWith(name: string, orders: [at: Date, amount: string][]): Promise<string> {
  const { customer } = await services.addCustomer(rep, name);
  for (const [at, amount] of orders) await services.recordOrder(rep, { customer, amount: new Decimal(amount), currency: "CNY", product: null, orderedAt: at });
  return customer.id;
}

/** `count` orders of `amount`, every `everyDays` days, the last `lastDaysAgo` days before NOW. */
function steady(count: number, amount: string, everyDays: number, lastDaysAgo: number): [Date, string][] {
  return Array.from({ length: count }, (_, i) => [new Date(NOW.getTime() - (lastDaysAgo + i * everyDays) * DAY), amount]);
}

beforeAll(async () => {
  db = await createTestDatabase();
  services = servicesAt(NOW);
  rep = await services.registerRep({ platform: "slack", externalId: "UVALUE", displayName: "Value Rep" });
});
afterAll(() => db.drop());

describe("lifetime value in the rankings and on the card", () => {
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    // 100 twice a month for the six months before AS_OF: DESIGN's 7,200.
    ids.design = await customerWith("Design Example", Array.from({ length: 12 }, (_, i): [Date, string] => [new Date(AS_OF.getTime() - 6 * MS_PER_MONTH + (i * MS_PER_MONTH) / 2), "100"]));
    ids.threeWeeks = await customerWith("Three Weeks Co", [[new Date(NOW.getTime() - 21 * DAY), "5000"]]);
    ids.sixtySix = await customerWith("Sixty Six Co", steady(66, "1000", 10, 2));
    ids.today = await customerWith("Bought Today", [[new Date(NOW.getTime() - 3_600_000), "800"]]);
    ids.boundary = await customerWith("Boundary Co", [[new Date(AS_OF.getTime() - 3 * MS_PER_MONTH), "300"], [new Date(NOW.getTime() - 40 * DAY), "300"], [new Date(NOW.getTime() - 5 * DAY), "300"]]);
    ids.odd = await customerWith("Odd Amounts", [[new Date(NOW.getTime() - 435 * DAY), "1234.56"], [new Date(NOW.getTime() - 200 * DAY), "99.99"], [new Date(NOW.getTime() - 7 * DAY), "17.01"]]);
  });

  it("ranks by the same CLV the card shows, computed in SQL exactly as customerValue computes it", async () => {
    const ranked = await services.listTopCustomers(rep, { count: 50 });
    expect(ranked).toHaveLength(Object.keys(ids).length);
    for (const row of ranked) {
      const stats = (await db.sql.query<{ total: string; n: number; first: Date }>("SELECT total_spent::text AS total, order_count AS n, first_order_at AS first FROM customer_stats WHERE customer_id = $1", [row.id])).rows[0]!;
      const domain = customerValue({ totalSpent: Number(stats.total), orderCount: stats.n, firstOrderAt: stats.first }, valueAsOf(NOW, ZONE));
      expect(row.clv / domain.clv, row.name).toBeCloseTo(1, 12);
      expect(row.earlyEstimate, row.name).toBe(domain.earlyEstimate);
      const card = await services.getCustomerCard(rep, row.id);
      expect(card!.clv / row.clv, row.name).toBeCloseTo(1, 12);
      expect(card!.clvEarlyEstimate, row.name).toBe(row.earlyEstimate);
    }
    const clvs = ranked.map((c) => c.clv);
    expect(clvs).toEqual([...clvs].sort((a, b) => b - a));
    expect(ranked.find((c) => c.id === ids.design)!.clv).toBeCloseTo(7200, 6);
    expect(Object.fromEntries(ranked.map((c) => [c.name, c.earlyEstimate]))).toEqual({
      "Design Example": false, "Three Weeks Co": true, "Sixty Six Co": false, "Bought Today": true, "Boundary Co": false, "Odd Amounts": false,
    });
  });

  it("does not let one order three weeks ago outrank a customer with 66 orders", async () => {
    const ranked = await services.listTopCustomers(rep, { count: 50 });
    const names = ranked.map((c) => c.name);
    expect(names.indexOf("Sixty Six Co")).toBeLessThan(names.indexOf("Three Weeks Co"));
    const one = ranked.find((c) => c.id === ids.threeWeeks)!;
    const many = ranked.find((c) => c.id === ids.sixtySix)!;
    expect(many.orderCount).toBe(66);
    // Frequency over the 3-month window: worth 12 times its order, not 36 times.
    expect(one.clv).toBeCloseTo(5000 * 12, 6);
    // One month counted as the whole history would have made it worth 180,000, above the 66 orders.
    expect(5000 * 36).toBeGreaterThan(many.clv);
  });

  it("gives the same figures for two calls a minute apart", async () => {
    const minuteLater = servicesAt(new Date(NOW.getTime() + 60_000));
    const first = await services.listTopCustomers(rep, { count: 50 });
    const second = await minuteLater.listTopCustomers(rep, { count: 50 });
    expect(second.map((c) => [c.name, c.clv])).toEqual(first.map((c) => [c.name, c.clv]));
    const cardNow = await services.getCustomerCard(rep, ids.odd!);
    const cardLater = await minuteLater.getCustomerCard(rep, ids.odd!);
    expect(cardLater!.clv).toBe(cardNow!.clv);
    expect(cardLater!.purchaseFrequency).toBe(cardNow!.purchaseFrequency);
  });

  it("measures from the start of the team's day: a new day gives a new figure", async () => {
    const tomorrow = servicesAt(new Date(NOW.getTime() + DAY));
    const today = (await services.listTopCustomers(rep, { count: 50 })).find((c) => c.id === ids.odd)!;
    const next = (await tomorrow.listTopCustomers(rep, { count: 50 })).find((c) => c.id === ids.odd)!;
    expect(next.clv).toBeLessThan(today.clv);
    const stats = (await db.sql.query<{ total: string; first: Date }>("SELECT total_spent::text AS total, first_order_at AS first FROM customer_stats WHERE customer_id = $1", [ids.odd])).rows[0]!;
    expect(next.clv).toBeCloseTo((Number(stats.total) / ((AS_OF.getTime() + DAY - stats.first.getTime()) / MS_PER_MONTH)) * 36, 6);
  });

  it("takes the observation window from the settings", async () => {
    const sixMonths = createServices(testServiceDeps(db.store, { now: () => NOW, settings: { timeZone: ZONE, clvMinObservationMonths: 6 } }));
    const ranked = await sixMonths.listTopCustomers(rep, { count: 50 });
    const boundary = ranked.find((c) => c.id === ids.boundary)!;
    expect(boundary.earlyEstimate).toBe(true);
    expect(boundary.clv).toBeCloseTo((900 / 6) * 36, 6);
    const card = await sixMonths.getCustomerCard(rep, ids.boundary!);
    expect(card!.clv / boundary.clv).toBeCloseTo(1, 12);
  });
});
