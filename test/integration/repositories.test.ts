import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Decimal } from "../../src/domain/money.js";
import { createServices, type Services } from "../../src/services/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { testServiceDeps } from "../support/core.js";
import { insertContact } from "../support/sealed.js";

let db: TestDatabase;
let services: Services;
const NOW = new Date("2026-11-20T04:00:00Z");

beforeAll(async () => {
  db = await createTestDatabase();
  services = createServices(testServiceDeps(db.store, { now: () => NOW }));
});
afterAll(() => db.drop());

describe("reps", () => {
  it("makes exactly one admin when the first reps arrive at once", async () => {
    const reps = await Promise.all(Array.from({ length: 8 }, (_, i) => services.registerRep({ platform: "slack", externalId: `UFIRST${i}`, displayName: `Rep ${i}` })));
    expect(reps.filter((r) => r.role === "ADMIN")).toHaveLength(1);
  });

  it("refreshes name, locale and time zone from the profile without duplicating the rep", async () => {
    await services.registerRep({ platform: "slack", externalId: "UPROFILE", displayName: "Old Name", locale: "en-US", timezone: "Europe/London" });
    const updated = await services.registerRep({ platform: "slack", externalId: "UPROFILE", displayName: "New Name", locale: "zh-CN", timezone: "Asia/Shanghai" });
    expect(updated).toMatchObject({ displayName: "New Name", locale: "zh-CN", timezone: "Asia/Shanghai", role: "REP" });
    const { rows } = await db.sql.query("SELECT count(*)::int AS n FROM users WHERE external_id = 'UPROFILE'");
    expect(rows[0]).toEqual({ n: 1 });
  });

  it("promotes users named in ADMIN_SLACK_USER_IDS", async () => {
    const withAdmins = createServices(testServiceDeps(db.store, { settings: { adminUserIds: ["UBOSS"] }, now: () => NOW }));
    expect((await withAdmins.registerRep({ platform: "slack", externalId: "UBOSS", displayName: "Boss" })).role).toBe("ADMIN");
    await withAdmins.registerRep({ platform: "local", externalId: "first-local", displayName: "First Local" });
    expect((await withAdmins.registerRep({ platform: "local", externalId: "UBOSS", displayName: "Not Slack" })).role).toBe("REP");
  });
});

describe("orders, interactions and the card", () => {
  it("keeps per-customer stats equal to the orders, in the base currency, and computes CLV from them", async () => {
    const rep = await services.registerRep({ platform: "slack", externalId: "UCARD", displayName: "Card Rep" });
    const { customer } = await services.addCustomer(rep, "Steady Buyer Ltd");
    // 100 per purchase, 2 purchases a month for the 6 months before the start of NOW's day in
    // Shanghai (what CLV is measured to): CLV = 100 × 2 × 36 = 7,200.
    const month = 2_629_746_000;
    const dayStart = new Date("2026-11-19T16:00:00Z");
    const first = new Date(dayStart.getTime() - 6 * month);
    for (let i = 0; i < 12; i++) {
      await services.recordOrder(rep, { customer, amount: new Decimal(100), currency: "CNY", product: null, orderedAt: new Date(first.getTime() + (i * month) / 2) });
    }
    const card = await services.getCustomerCard(rep, customer.id);
    expect(card).toMatchObject({ revenue: 1200, orderCount: 12, averageOrderValue: 100, stage: "ACTIVE", clvEarlyEstimate: false });
    expect(card!.purchaseFrequency).toBeCloseTo(2, 9);
    expect(card!.clv).toBeCloseTo(7200, 6);
    const { rows } = await db.sql.query(
      `SELECT s.order_count = o.n AND s.total_spent = o.total AND s.first_order_at = o.first AS consistent
       FROM customer_stats s JOIN (SELECT customer_id, count(*)::int AS n, sum(base_amount) AS total, min(ordered_at) AS first FROM orders GROUP BY customer_id) o USING (customer_id)`,
    );
    expect(rows.every((r: { consistent: boolean }) => r.consistent)).toBe(true);

    const top = await services.listTopCustomers(rep, { count: 5 });
    expect(top[0]).toMatchObject({ name: "Steady Buyer Ltd", totalSpent: 1200, orderCount: 12, earlyEstimate: false });
    expect(top[0]!.clv).toBeCloseTo(7200, 6);
  });

  it("stores exact money and the conversion it used", async () => {
    const rep = await services.registerRep({ platform: "slack", externalId: "UMONEY", displayName: "Money Rep" });
    const { customer } = await services.addCustomer(rep, "Penny Exact GmbH");
    await services.recordOrder(rep, { customer, amount: new Decimal("0.10"), currency: "EUR", product: "sample", orderedAt: NOW });
    await services.recordOrder(rep, { customer, amount: new Decimal("0.20"), currency: "EUR", product: "sample", orderedAt: NOW });
    const { rows } = await db.sql.query("SELECT sum(amount)::text AS amount, sum(base_amount)::text AS base, min(rate_to_base)::text AS rate FROM orders WHERE customer_id = $1", [customer.id]);
    expect(rows[0]).toEqual({ amount: "0.30", base: "2.31", rate: "7.70000000" });
  });

  it("records an interaction once per source event, however often it is delivered", async () => {
    const rep = await services.registerRep({ platform: "slack", externalId: "UONCE", displayName: "Once Rep" });
    const { customer } = await services.addCustomer(rep, "Retry Prone Co");
    const input = { customer, channel: "SLACK" as const, body: "PO signed", source: { platform: "slack", id: "C1:1700000000.0001" } };
    const results = await Promise.all([1, 2, 3].map(() => services.recordInteraction(rep, input)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    const { rows } = await db.sql.query("SELECT interaction_count FROM customer_stats WHERE customer_id = $1", [customer.id]);
    expect(rows[0]).toEqual({ interaction_count: 1 });
  });

  it("shows private contact details only to the owner, admins and managers, and audits each view", async () => {
    const owner = await services.registerRep({ platform: "slack", externalId: "UOWNER", displayName: "Owner" });
    const other = await services.registerRep({ platform: "slack", externalId: "UOTHER", displayName: "Other" });
    const { customer } = await services.addCustomer(owner, "Private Details AG");
    await insertContact(db.sql, { customerId: customer.id, name: "Erika", email: "erika@example.com", phone: "+49 30 1234" });
    const mine = await services.getCustomerCard(owner, customer.id);
    const theirs = await services.getCustomerCard(other, customer.id);
    expect(mine!.contacts[0]).toMatchObject({ name: "Erika", email: "erika@example.com", phone: "+49 30 1234" });
    expect(theirs!.contacts[0]).toMatchObject({ name: "Erika", email: null, phone: null });
    expect(theirs!.showPrivate).toBe(false);
    const { rows } = await db.sql.query("SELECT a.action, u.display_name, a.detail FROM audit_log a JOIN users u ON u.id = a.actor_id WHERE a.entity_id = $1 AND a.action = 'customer.view' ORDER BY a.id", [customer.id]);
    expect(rows).toEqual([
      { action: "customer.view", display_name: "Owner", detail: { private: true } },
      { action: "customer.view", display_name: "Other", detail: { private: false } },
    ]);
  });

  it("pages the timeline newest first without repeats or gaps", async () => {
    const rep = await services.registerRep({ platform: "slack", externalId: "UPAGE", displayName: "Pager" });
    const { customer } = await services.addCustomer(rep, "Timeline Co");
    for (let i = 0; i < 13; i++) {
      const at = new Date(NOW.getTime() - i * 3_600_000);
      if (i % 3 === 0) await services.recordOrder(rep, { customer, amount: new Decimal(10 + i), currency: "CNY", product: `p${i}`, orderedAt: at });
      else await services.recordInteraction(rep, { customer, channel: "NOTE", body: `n${i}`, occurredAt: at });
    }
    const seen: string[] = [];
    let page = await services.listHistory(rep, customer.id);
    seen.push(...page.entries.map((e) => (e.kind === "order" ? e.product! : e.kind === "deal" ? e.title : e.body)));
    while (page.next) {
      page = await services.listHistory(rep, customer.id, page.next);
      seen.push(...page.entries.map((e) => (e.kind === "order" ? e.product! : e.kind === "deal" ? e.title : e.body)));
    }
    expect(seen).toEqual(Array.from({ length: 13 }, (_, i) => (i % 3 === 0 ? `p${i}` : `n${i}`)));
  });

  it("writes nothing when a change fails half-way", async () => {
    const rep = await services.registerRep({ platform: "slack", externalId: "UFAIL", displayName: "Fail" });
    const { customer } = await services.addCustomer(rep, "Half Way Ltd");
    const before = await db.sql.query("SELECT (SELECT count(*) FROM orders)::int AS o, (SELECT count(*) FROM audit_log)::int AS a");
    // An amount beyond Decimal(16,2) fails inside the transaction, after the audit row would be written.
    await expect(services.recordOrder(rep, { customer, amount: new Decimal("1e15"), currency: "CNY", product: null, orderedAt: NOW })).rejects.toThrow();
    const after = await db.sql.query("SELECT (SELECT count(*) FROM orders)::int AS o, (SELECT count(*) FROM audit_log)::int AS a");
    expect(after.rows).toEqual(before.rows);
  });
});
