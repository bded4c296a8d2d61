import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reportView } from "../../src/commands/views/report.js";
import { createFormatter, translator } from "../../src/i18n/index.js";
import { Decimal } from "../../src/domain/money.js";
import { calendarPeriod } from "../../src/domain/time/report-period.js";
import { createServices, type Report, type Services } from "../../src/services/index.js";
import { REBUILD_WECHAT_WAITS_SQL, rebuildPurchaseMonthsSql, type Rep } from "../../src/store/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { testServiceDeps } from "../support/core.js";
import { openIdHash } from "../support/sealed.js";

/**
 * Every period measure on crafted rows with hand-computed answers, in Postgres: March 2026 and
 * February 2026 in Shanghai, a New York week across the end of DST, the edges of a period, and
 * the rollups (identical answers before and after the job, and after a backdated write into a
 * rolled bucket). All dates are long past, so the job rolls every hour and day of them.
 */
let db: TestDatabase;
let services: Services;
let rep: Rep;
const now = new Date("2026-04-10T00:00:00Z");

const SHANGHAI = "Asia/Shanghai";
const NEW_YORK = "America/New_York";
const at = (iso: string) => new Date(iso);

async function customer(name: string, createdAt: string) {
  const { customer: c } = await services.addCustomer(rep, name);
  // Set before any order: the analytics keep a copy of when a customer was created.
  await db.sql.query("UPDATE customers SET created_at = $1 WHERE id = $2", [createdAt, c.id]);
  return c;
}

async function order(c: { id: string }, amount: string, orderedAt: string): Promise<void> {
  const summary = await services.getCustomer(c.id);
  await services.recordOrder(rep, { customer: summary!, amount: new Decimal(amount), currency: "CNY", product: null, orderedAt: at(orderedAt) });
}

let messageId = 0;
async function customerSays(senderId: string, when: string): Promise<{ contactId: string; customerId: string }> {
  const stored = await services.recordCustomerMessage({ platform: "wechat", senderId, id: `msg-${++messageId}`, at: at(when), kind: "text", body: "hello" });
  return { contactId: stored.contactId, customerId: stored.customerId };
}

async function teamAnswers(to: { contactId: string; customerId: string }, when: string): Promise<void> {
  // What relay-wechat does when a rep answers from Slack.
  await db.store.transaction((tx) => tx.interactions.record({ customerId: to.customerId, contactId: to.contactId, authorId: rep.id, channel: "WECHAT", direction: "OUTBOUND", body: "reply", occurredAt: at(when) }));
}

async function logged(c: { id: string }, channel: "CALL" | "EMAIL" | "NOTE" | "MEETING", when: string): Promise<void> {
  const summary = await services.getCustomer(c.id);
  await services.recordInteraction(rep, { customer: summary!, channel, body: `${channel.toLowerCase()} about the order`, occurredAt: at(when) });
}

async function survey(customerId: string, score: number, answeredAt: string): Promise<void> {
  await db.sql.query(
    `INSERT INTO surveys (id, customer_id, kind, status, score, sent_at, answered_at) VALUES (gen_random_uuid(), $1, 'CSAT', 'ANSWERED', $2, $3::timestamptz - interval '1 hour', $3)`,
    [customerId, score, answeredAt],
  );
}

const march = () => services.getReport("monthly", "last", { timeZone: SHANGHAI, now: at("2026-04-10T00:00:00Z") });
const nyWeek = () => services.getReport("weekly", "last", { timeZone: NEW_YORK, now: at("2025-11-05T12:00:00Z") });
const shanghaiWeek = () => services.getReport("weekly", "last", { timeZone: SHANGHAI, now: at("2025-11-05T12:00:00Z") });

/** What a report says, without the Maps and Dates that make equality noisy. */
function figures(report: Report) {
  const period = (p: Report["current"]) => ({ ...p, span: [p.span.from.toISOString(), p.span.to.toISOString()] });
  return JSON.parse(JSON.stringify({ current: period(report.current), previous: period(report.previous) })) as unknown;
}

async function rows(sql: string, params: unknown[] = []): Promise<unknown[]> {
  return (await db.sql.query<Record<string, unknown>>(sql, params)).rows;
}

beforeAll(async () => {
  db = await createTestDatabase();
  services = createServices(testServiceDeps(db.store, { now: () => now }));
  rep = await services.registerRep({ platform: "slack", externalId: "UANALYTICS", displayName: "Analytics Rep" });

  // Shanghai: March 2026 is [Feb 28 16:00Z, Mar 31 16:00Z), February [Jan 31 16:00Z, Feb 28 16:00Z).
  const alpha = await customer("Alpha Trading", "2025-12-01T00:00:00Z");
  await order(alpha, "100", "2026-02-10T03:00:00Z");
  await order(alpha, "200", "2026-03-05T03:00:00Z");
  await order(alpha, "300", "2026-03-20T03:00:00Z");
  const beta = await customer("Beta Foods", "2026-03-02T02:00:00Z");
  await order(beta, "50", "2026-02-28T16:00:00Z"); // exactly March's start: in March
  const gamma = await customer("Gamma Tools", "2026-03-10T02:00:00Z");
  await order(gamma, "70", "2026-03-31T16:00:00Z"); // exactly March's end: in April
  const delta = await customer("Delta Parts", "2026-02-15T02:00:00Z");
  await order(delta, "40", "2026-03-12T03:00:00Z");
  await order(delta, "60", "2026-03-13T03:00:00Z");
  const epsilon = await customer("Epsilon Supply", "2025-06-01T00:00:00Z");
  await order(epsilon, "500", "2026-02-20T03:00:00Z");

  await logged(alpha, "CALL", "2026-03-05T04:00:00Z");
  await logged(beta, "CALL", "2026-03-06T04:00:00Z");
  await logged(delta, "EMAIL", "2026-03-07T04:00:00Z");
  await logged(alpha, "NOTE", "2026-03-08T04:00:00Z");
  await logged(epsilon, "MEETING", "2026-02-18T04:00:00Z");

  // WeChat: W1 waits 40 min, then 3 h 30 min, then is not answered; W2 waits 5 min 30 s.
  const w1 = await customerSays("oAnalyticsW1", "2026-03-03T01:00:00Z");
  await customerSays("oAnalyticsW1", "2026-03-03T01:10:00Z");
  await teamAnswers(w1, "2026-03-03T01:40:00Z");
  await customerSays("oAnalyticsW1", "2026-03-04T02:00:00Z");
  await teamAnswers(w1, "2026-03-04T05:30:00Z");
  await teamAnswers(w1, "2026-03-05T00:00:00Z");
  await customerSays("oAnalyticsW1", "2026-03-29T10:00:00Z");
  const w2 = await customerSays("oAnalyticsW2", "2026-03-10T03:00:00Z");
  await teamAnswers(w2, "2026-03-10T03:05:30Z");

  await survey(alpha.id, 5, "2026-03-06T03:00:00Z");
  await survey(delta.id, 3, "2026-03-16T03:00:00Z");

  // New York, the week of Oct 27 – Nov 2 2025 (DST ends Sunday Nov 2): [Oct 27 04:00Z, Nov 3 05:00Z).
  const zeta = await customer("Zeta Imports", "2025-01-01T00:00:00Z");
  await order(zeta, "1", "2025-10-27T03:59:00Z"); // Sunday 23:59 EDT: the week before in New York; Monday 11:59 in Shanghai
  await order(zeta, "10", "2025-10-27T04:00:00Z"); // Monday 00:00 EDT
  await order(zeta, "100", "2025-11-03T04:59:00Z"); // Sunday 23:59 EST, the 25-hour day
  await order(zeta, "1000", "2025-11-03T05:00:00Z"); // Monday 00:00 EST: the next week
}, 60_000);
afterAll(() => db.drop());

describe("period measures, counted in Postgres", () => {
  it("gives every measure of March against February as computed by hand", async () => {
    const r = await march();
    expect(r.current.span).toEqual({ from: at("2026-02-28T16:00:00Z"), to: at("2026-03-31T16:00:00Z") });
    expect(r.previous.span).toEqual({ from: at("2026-01-31T16:00:00Z"), to: at("2026-02-28T16:00:00Z") });
    const c = r.current;
    // Alpha 200 + 300, Beta 50 at the very start, Delta 40 + 60; Gamma's order at the very end is April's.
    expect({ revenue: c.revenue, orders: c.orders, aov: c.averageOrderValue }).toEqual({ revenue: 650, orders: 5, aov: 130 });
    expect(c.buyers).toBe(3);
    expect(c.purchaseFrequency).toBeCloseTo(5 / 3, 12);
    // Alpha bought in February, Delta twice in March; Beta once, for the first time.
    expect(c.repeatRate).toBeCloseTo(2 / 3, 12);
    // Open in March: Beta (first order exactly at March's start), Gamma (first order in April) and
    // Delta (created in February, first order in March). Converted: Delta only, a February lead;
    // Beta's first order came before Beta was entered, so Beta was never a lead that converted.
    expect({ newLeads: c.newLeads, newCustomers: c.newCustomers }).toEqual({ newLeads: 2, newCustomers: 2 });
    expect(c.conversionRate).toBeCloseTo(1 / 3, 12);
    expect(c.interactions).toEqual({ CALL: 2, MEETING: 0, EMAIL: 1, WECHAT: 9, SLACK: 0, NOTE: 1, wechatInbound: 5, wechatOutbound: 4 });
    expect(c.interactionTotal).toBe(13);
    expect(c.firstResponse).toEqual({ waits: 4, medianMs: 40 * 60_000, withinTarget: 0.5, unanswered: 1 });
    expect(c.satisfaction.csat).toMatchObject({ answers: 2, percent: 50, average: 4 });

    const p = r.previous;
    expect({ revenue: p.revenue, orders: p.orders, buyers: p.buyers, repeatRate: p.repeatRate }).toEqual({ revenue: 600, orders: 2, buyers: 2, repeatRate: 0 });
    // Open in February: Alpha and Epsilon (created long before, first orders in February) and
    // Delta (created in February, first order in March). Converted: Alpha and Epsilon.
    expect({ newLeads: p.newLeads, newCustomers: p.newCustomers }).toEqual({ newLeads: 1, newCustomers: 2 });
    expect(p.conversionRate).toBeCloseTo(2 / 3, 12);
    expect(p.interactions).toMatchObject({ MEETING: 1, CALL: 0, WECHAT: 0 });
    expect(p.firstResponse).toEqual({ waits: 0, medianMs: null, withinTarget: null, unanswered: 0 });
    expect(p.satisfaction.csat.answers).toBe(0);
  });

  it("counts a lead as converted in the period of its first order, whenever it was created", async () => {
    // Shanghai March and February as ranges: Delta, created Feb 15, converts in March, not February.
    const march = { from: at("2026-02-28T16:00:00Z"), to: at("2026-03-31T16:00:00Z") };
    const february = { from: at("2026-01-31T16:00:00Z"), to: at("2026-02-28T16:00:00Z") };
    expect(await db.store.analytics.leads(march)).toEqual({ newLeads: 2, openLeads: 3, converted: 1 });
    expect(await db.store.analytics.leads(february)).toEqual({ newLeads: 1, openLeads: 3, converted: 2 });
    // A week with no first order: Alpha, Beta, Gamma, Delta and Epsilon are created by then; only
    // Gamma (first order in April) is still open.
    expect(await db.store.analytics.leads({ from: at("2026-03-22T16:00:00Z"), to: at("2026-03-29T16:00:00Z") })).toEqual({ newLeads: 0, openLeads: 1, converted: 0 });
  });

  it("draws the trend by local day, the first one holding the order at the period's first instant", async () => {
    const r = await march();
    expect(r.step).toBe("day");
    expect(r.current.trend).toHaveLength(31);
    expect(r.previous.trend).toHaveLength(28);
    expect(r.current.trend[0]).toEqual({ position: 1, date: "2026-03-01", revenue: 50, orders: 1 });
    expect(r.current.trend.find((t) => t.date === "2026-03-20")).toMatchObject({ revenue: 300, orders: 1 });
    expect(r.current.trend.reduce((s, t) => s + t.revenue, 0)).toBe(650);
  });

  it("cuts a New York week across the end of DST at its local midnights, and a Shanghai week at its own", async () => {
    const ny = await nyWeek();
    expect(ny.current.span).toEqual({ from: at("2025-10-27T04:00:00Z"), to: at("2025-11-03T05:00:00Z") });
    expect({ revenue: ny.current.revenue, orders: ny.current.orders }).toEqual({ revenue: 110, orders: 2 });
    expect(ny.previous.revenue).toBe(1);
    expect(ny.current.trend.map((t) => t.revenue)).toEqual([10, 0, 0, 0, 0, 0, 100]);
    const sh = await shanghaiWeek();
    // Shanghai's week is [Oct 26 16:00Z, Nov 2 16:00Z): the first two orders are in it, the others in the next.
    expect(sh.current.span).toEqual({ from: at("2025-10-26T16:00:00Z"), to: at("2025-11-02T16:00:00Z") });
    expect({ revenue: sh.current.revenue, orders: sh.current.orders }).toEqual({ revenue: 11, orders: 2 });
  });

  it("ranks a period's customers by revenue, by orders, and by lifetime value among its buyers", async () => {
    const period = calendarPeriod("month", at("2026-03-15T00:00:00Z"), SHANGHAI);
    const byRevenue = await services.listTopCustomers(rep, { count: 5, metric: "revenue", period });
    expect(byRevenue.map((c) => [c.name, c.inPeriod])).toEqual([
      ["Alpha Trading", { orders: 2, revenue: 500 }],
      ["Delta Parts", { orders: 2, revenue: 100 }],
      ["Beta Foods", { orders: 1, revenue: 50 }],
    ]);
    const byOrders = await services.listTopCustomers(rep, { count: 2, metric: "orders", period });
    expect(byOrders.map((c) => c.name)).toEqual(["Alpha Trading", "Delta Parts"]);
    const byValue = await services.listTopCustomers(rep, { metric: "clv", period });
    expect(byValue.map((c) => c.name).sort()).toEqual(["Alpha Trading", "Beta Foods", "Delta Parts"]);
    expect(byValue.map((c) => c.clv)).toEqual([...byValue.map((c) => c.clv)].sort((a, b) => b - a));
    const lifetime = await services.listTopCustomers(rep, { metric: "revenue", count: 2 });
    expect(lifetime.map((c) => [c.name, c.totalSpent])).toEqual([["Zeta Imports", 1111], ["Alpha Trading", 600]]);
  });

  it("reads a long period from the running totals with the same answer as counting the orders", async () => {
    // Quarter and year spans are long enough to use the per-customer running totals and edges.
    for (const which of ["current", "last"] as const) {
      const year = await services.getReport("yearly", which, { timeZone: SHANGHAI, now: at("2026-04-10T00:00:00Z") });
      for (const p of [year.current, year.previous]) {
        const { rows: [truth] } = await db.sql.query<{ buyers: number; repeaters: number; new_customers: number }>(
          `SELECT count(DISTINCT o.customer_id)::int AS buyers,
                  count(DISTINCT o.customer_id) FILTER (WHERE s.first_order_at < $1 OR (SELECT count(*) FROM orders x WHERE x.customer_id = o.customer_id AND x.ordered_at >= $1 AND x.ordered_at < $2) >= 2)::int AS repeaters,
                  (SELECT count(*) FROM customer_stats WHERE first_order_at >= $1 AND first_order_at < $2)::int AS new_customers
           FROM orders o JOIN customer_stats s USING (customer_id) WHERE o.ordered_at >= $1 AND o.ordered_at < $2`,
          [p.span.from, p.span.to],
        );
        expect({ buyers: p.buyers, repeaters: Math.round((p.repeatRate ?? 0) * p.buyers), newCustomers: p.newCustomers }).toEqual({ buyers: truth!.buyers, repeaters: truth!.repeaters, newCustomers: truth!.new_customers });
      }
    }
    const year = await services.getReport("yearly", "current", { timeZone: SHANGHAI, now: at("2026-04-10T00:00:00Z") });
    // Every 2026 order of the setup, Gamma's at Mar 31 16:00Z included (April in Shanghai, still this year).
    expect({ buyers: year.current.buyers, revenue: year.current.revenue, orders: year.current.orders }).toEqual({ buyers: 5, revenue: 1320, orders: 8 });
  });

  it("says there were no survey answers instead of showing empty satisfaction figures", async () => {
    const february = await services.getReport("monthly", "last", { timeZone: SHANGHAI, now: at("2026-03-10T00:00:00Z") });
    const ctx = { t: translator("en"), f: createFormatter("en", SHANGHAI), now, locale: "en" as const };
    const text = JSON.stringify(reportView(ctx, february).blocks);
    expect(text).toContain("No survey was answered in this period");
    expect(text).not.toContain("CSAT satisfied");
    const marchText = JSON.stringify(reportView(ctx, await march()).blocks);
    expect(marchText).toContain("CSAT satisfied (2 answers)");
    expect(marchText).toContain("+8.3%");
  });
});

describe("rollups", () => {
  it("give the same answers before and after the job, and after backdated writes into rolled buckets", async () => {
    const before = [figures(await march()), figures(await nyWeek()), figures(await shanghaiWeek())];
    const rolled = await services.rollUpAnalytics();
    expect(rolled.orderHours).toBeGreaterThan(24 * 300);
    expect(rolled.waitDays).toBeGreaterThan(20);
    expect(await rows("SELECT orders, revenue::text FROM order_hours WHERE hour = '2026-03-20T03:00:00Z'")).toEqual([{ orders: 1, revenue: "300.00" }]);
    expect([figures(await march()), figures(await nyWeek()), figures(await shanghaiWeek())]).toEqual(before);
    expect(await services.rollUpAnalytics()).toEqual({ orderHours: 0, interactionHours: 0, waitDays: 0, leadHours: 0 });

    // A backdated order, a backdated call and a late answer to the wait of March 29 land in rolled buckets.
    const alphaId = ((await rows("SELECT id FROM customers WHERE name = 'Alpha Trading'")) as { id: string }[])[0]!.id;
    await order({ id: alphaId }, "25", "2026-03-15T08:30:00Z");
    await logged({ id: alphaId }, "CALL", "2026-03-15T08:45:00Z");
    const w1 = (await rows("SELECT c.id AS \"contactId\", c.customer_id AS \"customerId\" FROM contacts c WHERE wechat_open_id_hash = $1", [openIdHash("oAnalyticsW1")]))[0] as { contactId: string; customerId: string };
    await teamAnswers(w1, "2026-03-29T10:20:00Z");
    expect(await rows("SELECT hour FROM order_hours WHERE hour = '2026-03-15T08:00:00Z'")).toEqual([]);
    expect(await rows("SELECT hour FROM interaction_hours WHERE hour = '2026-03-15T08:00:00Z'")).toEqual([]);
    expect(await rows("SELECT hour FROM interaction_hours WHERE hour = '2026-03-29T10:00:00Z'")).toEqual([]);
    expect(await rows("SELECT day FROM wechat_wait_days WHERE day = '2026-03-29T00:00:00Z'")).toEqual([]);

    const after = await march();
    expect({ revenue: after.current.revenue, orders: after.current.orders, calls: after.current.interactions.CALL, outbound: after.current.interactions.wechatOutbound }).toEqual({ revenue: 675, orders: 6, calls: 3, outbound: 5 });
    // Waits of 5.5, 20, 40 min and 3 h 30: the lower middle is 20 minutes; three within the hour.
    expect(after.current.firstResponse).toEqual({ waits: 4, medianMs: 20 * 60_000, withinTarget: 0.75, unanswered: 0 });
    expect(after.current.repeatRate).toBeCloseTo(2 / 3, 12);

    const live = figures(after);
    expect(await services.rollUpAnalytics()).toEqual({ orderHours: 1, interactionHours: 2, waitDays: 1, leadHours: 0 });
    expect(figures(await march())).toEqual(live);
  });

  it("keeps the write path's tables equal to a rebuild from the rows, whatever order messages arrive in", async () => {
    // W3's messages arrive out of order: a backdated inbound before an answer, an answer before its message.
    const w3 = await customerSays("oAnalyticsW3", "2026-03-20T05:00:00Z");
    await teamAnswers(w3, "2026-03-20T06:00:00Z");
    await customerSays("oAnalyticsW3", "2026-03-20T05:30:00Z");
    await teamAnswers(w3, "2026-03-20T04:00:00Z");
    await customerSays("oAnalyticsW3", "2026-03-20T03:00:00Z");
    await customerSays("oAnalyticsW3", "2026-03-21T01:00:00Z");
    await teamAnswers(w3, "2026-03-21T01:00:30Z");
    const gamma = (await rows("SELECT id FROM customers WHERE name = 'Gamma Tools'"))[0] as { id: string };
    await order(gamma, "5", "2025-07-01T00:00:00Z"); // before its first order: a new first month
    await order(gamma, "6", "2026-03-31T16:00:00Z"); // a second order at the same instant as the first

    const waits = "SELECT contact_id, started_at, answered_at FROM wechat_waits ORDER BY 1, 2";
    const months = "SELECT * FROM customer_order_months ORDER BY customer_id";
    const [kept, keptMonths] = [await rows(waits), await rows(months)];
    expect(kept.filter((w) => (w as { started_at: Date }).started_at.toISOString().startsWith("2026-03-2"))).toHaveLength(4);
    await db.sql.query("DELETE FROM wechat_waits");
    await db.sql.query(REBUILD_WECHAT_WAITS_SQL);
    await db.sql.query("DELETE FROM customer_order_months");
    await db.sql.query(rebuildPurchaseMonthsSql("all"));
    expect(await rows(waits)).toEqual(kept);
    expect(await rows(months)).toEqual(keptMonths);
    const gammaRow = (await rows(`SELECT first_order_at, second_order_at, first_month, orders FROM customer_order_months WHERE customer_id = '${gamma.id}'`))[0];
    expect(gammaRow).toEqual({ first_order_at: at("2025-07-01T00:00:00Z"), second_order_at: at("2026-03-31T16:00:00Z"), first_month: 2025 * 12 + 6, orders: [1, 1, 1, 1, 1, 1, 1, 1, 3] });
  });
});

describe("WeChat waits", () => {
  const waitsOf = async (contactId: string) =>
    (await db.sql.query<{ started_at: Date; answered_at: Date | null }>("SELECT started_at, answered_at FROM wechat_waits WHERE contact_id = $1 ORDER BY started_at", [contactId])).rows;

  async function says(senderId: string, when: string, body: string): Promise<void> {
    await services.recordCustomerMessage({ platform: "wechat", senderId, id: `msg-${++messageId}`, at: at(when), kind: "text", body });
  }

  async function rebuiltEqualsKept(): Promise<void> {
    const all = "SELECT contact_id, started_at, answered_at FROM wechat_waits ORDER BY 1, 2";
    const kept = await rows(all);
    await db.sql.query("DELETE FROM wechat_waits");
    await db.sql.query(REBUILD_WECHAT_WAITS_SQL);
    expect(await rows(all)).toEqual(kept);
  }

  it("starts no wait for a survey answer, a comment on it or an opt-out, on the write path or in a rebuild", async () => {
    const w4 = await customerSays("oAnalyticsW4", "2026-04-09T20:00:00Z");
    await teamAnswers(w4, "2026-04-09T20:10:00Z");
    await db.sql.query(
      `INSERT INTO surveys (id, customer_id, contact_id, kind, status, platform, via, sent_at) VALUES (gen_random_uuid(), $1, $2, 'CSAT', 'SENT', 'wechat', 'chat', '2026-04-09T20:20:00Z')`,
      [w4.customerId, w4.contactId],
    );
    // Each reply follows a message of the team's, so each would start a wait of its own.
    await says("oAnalyticsW4", "2026-04-09T23:50:00Z", "5");
    await teamAnswers(w4, "2026-04-09T23:52:00Z");
    await says("oAnalyticsW4", "2026-04-09T23:55:00Z", "物流很快，谢谢");
    await teamAnswers(w4, "2026-04-09T23:56:00Z");
    await says("oAnalyticsW4", "2026-04-09T23:57:00Z", "退订");
    const survey = (await rows(`SELECT status, score, comment FROM surveys WHERE contact_id = '${w4.contactId}'`))[0];
    expect(survey).toEqual({ status: "ANSWERED", score: 5, comment: "物流很快，谢谢" });
    expect(await waitsOf(w4.contactId)).toEqual([{ started_at: at("2026-04-09T20:00:00Z"), answered_at: at("2026-04-09T20:10:00Z") }]);
    // A question after them is a question again.
    await says("oAnalyticsW4", "2026-04-09T23:58:00Z", "还有一个问题");
    expect((await waitsOf(w4.contactId)).map((w) => w.started_at)).toEqual([at("2026-04-09T20:00:00Z"), at("2026-04-09T23:58:00Z")]);
    await rebuiltEqualsKept();
  });

  it("does not count a reply WeChat refused as an answer", async () => {
    const w5 = await customerSays("oAnalyticsW5", "2026-04-09T10:00:00Z");
    const reply = (when: string) =>
      db.store.transaction((tx) => tx.interactions.record({ customerId: w5.customerId, contactId: w5.contactId, authorId: rep.id, channel: "WECHAT", direction: "OUTBOUND", body: "reply", occurredAt: at(when) }));
    const first = await reply("2026-04-09T10:05:00Z");
    const second = await reply("2026-04-09T10:30:00Z");
    expect(await waitsOf(w5.contactId)).toEqual([{ started_at: at("2026-04-09T10:00:00Z"), answered_at: at("2026-04-09T10:05:00Z") }]);
    await db.store.transaction((tx) => tx.interactions.markUndelivered(first.id, "45015 response out of time limit"));
    expect(await waitsOf(w5.contactId)).toEqual([{ started_at: at("2026-04-09T10:00:00Z"), answered_at: at("2026-04-09T10:30:00Z") }]);
    await rebuiltEqualsKept();
    await db.store.transaction((tx) => tx.interactions.markUndelivered(second.id, "45015 response out of time limit"));
    expect(await waitsOf(w5.contactId)).toEqual([{ started_at: at("2026-04-09T10:00:00Z"), answered_at: null }]);
    await rebuiltEqualsKept();
    const april9 = await services.getReport("weekly", "current", { timeZone: SHANGHAI, now: at("2026-04-10T00:00:00Z") });
    expect(april9.current.firstResponse.unanswered).toBeGreaterThanOrEqual(1);
  });
});
