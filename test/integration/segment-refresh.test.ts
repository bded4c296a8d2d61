import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Decimal } from "../../src/domain/money.js";
import { createServices, scanCustomerStages, scoreSegmentsIfNeeded, type Rep, type ServiceDeps, type Services } from "../../src/services/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { recordingScheduler, testServiceDeps } from "../support/core.js";

/**
 * Segments are current when asked: a customer's own writes re-score them at once, an install
 * never scored is scored before /segment answers, and the nightly scan still moves stages and
 * alerts exactly once. Real Postgres; the clock is fixed.
 */
const DAY = 86_400_000;
/** 10:00 in Shanghai on 25 November 2026. */
const NOW = new Date("2026-11-25T02:00:00Z");
const ZONE = "Asia/Shanghai";
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

async function craft(db: TestDatabase, name: string, stage: string, ownerId: string | null, orders: [daysAgo: number, amount: number][] = [], interactions: [daysAgo: number, direction: string, body: string][] = []): Promise<string> {
  const id = randomUUID();
  const key = name.toLowerCase().replace(/\s+/g, "");
  await db.sql.query("INSERT INTO customers (id, name, normalized_name, pinyin, pinyin_initials, stage, owner_id, updated_at) VALUES ($1, $2, $3, $3, $3, $4, $5, now())", [id, name, key, stage, ownerId]);
  for (const [days, amount] of orders) {
    await db.sql.query("INSERT INTO orders (id, customer_id, amount, currency, base_amount, rate_to_base, ordered_at) VALUES (gen_random_uuid(), $1, $2, 'CNY', $2, 1, $3)", [id, amount, ago(days)]);
  }
  if (orders.length > 0) {
    await db.sql.query(
      `INSERT INTO customer_stats (customer_id, order_count, total_spent, first_order_at, last_order_at)
       SELECT customer_id, count(*), sum(base_amount), min(ordered_at), max(ordered_at) FROM orders WHERE customer_id = $1 GROUP BY customer_id`,
      [id],
    );
  }
  for (const [days, direction, body] of interactions) {
    await db.sql.query("INSERT INTO interactions (id, customer_id, channel, direction, body, occurred_at) VALUES (gen_random_uuid(), $1, 'WECHAT', $2, $3, $4)", [id, direction, body, ago(days)]);
  }
  return id;
}

async function segmentOf(db: TestDatabase, id: string): Promise<{ segment: string | null; reason: unknown; scored_at: Date | null } | undefined> {
  const { rows } = await db.sql.query<{ segment: string | null; reason: unknown; scored_at: Date | null }>("SELECT segment, segment_reason AS reason, scored_at FROM customer_stats WHERE customer_id = $1", [id]);
  return rows[0];
}

describe("one customer's facts", () => {
  let db: TestDatabase;
  const ids: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    ids.push(await craft(db, "Gap", "ACTIVE", null, [[62, 1], [82, 1], [102, 1], [122, 1]]));
    ids.push(await craft(db, "Slow", "ACTIVE", null, [[10, 1], [100, 1], [110, 1], [120, 1], [130, 1], [140, 1]]));
    ids.push(await craft(db, "Big", "ACTIVE", null, Array.from({ length: 12 }, (_, i): [number, number] => [5 + 10 * i, 5_000])));
    ids.push(await craft(db, "Complainer", "ACTIVE", null, [[5, 20], [25, 20]], [[3, "INBOUND", "服务太差了，我要投诉"], [4, "INBOUND", "Terrible service"]]));
    ids.push(await craft(db, "Prospect", "PROSPECT", null, [], [[10, "INBOUND", "price?"], [40, "OUTBOUND", "here"]]));
    ids.push(await craft(db, "Same Total", "ACTIVE", null, [[5, 20], [25, 20]]));
    ids.push(await craft(db, "Lead", "LEAD", null));
    // A future-dated order: left out of every fact, in both reads.
    ids.push(await craft(db, "Future", "ACTIVE", null, [[-2, 9], [30, 9], [50, 9]]));
  });
  afterAll(() => db.drop());

  it("are exactly what the nightly scan reads for them, ranks included", async () => {
    const all = await db.store.segments.facts(NOW, ZONE);
    expect(all).toHaveLength(ids.length);
    for (const id of ids) {
      const [one] = await db.store.segments.facts(NOW, ZONE, [id]);
      expect(one).toEqual(all.find((row) => row.id === id));
    }
    const two = await db.store.segments.facts(NOW, ZONE, [ids[0]!, ids[3]!]);
    expect(two.map((r) => r.id).sort()).toEqual([ids[0], ids[3]].sort());
    expect(await db.store.segments.facts(NOW, ZONE, [])).toEqual([]);
  });
});

describe("a customer's own writes", () => {
  let db: TestDatabase;
  let deps: ServiceDeps;
  let services: Services;
  let jobs: ReturnType<typeof recordingScheduler>;
  let rep: Rep;
  let clock = NOW;
  const ids: Record<string, string> = {};

  const stageChanges = async () => (await db.sql.query<{ reason: { rule: string } }>("SELECT reason FROM customer_stage_changes")).rows.map((r) => r.reason.rule);
  const stageAlerts = async () => (await db.sql.query("SELECT id FROM outbox WHERE payload->>'type' = 'stage.alert'")).rows.length;
  const listed = async (segment: Parameters<Services["listSegment"]>[1]) => (await services.listSegment(rep, segment)).customers.map((c) => c.name);

  beforeAll(async () => {
    db = await createTestDatabase();
    jobs = recordingScheduler();
    deps = testServiceDeps(db.store, { now: () => clock, jobs, settings: { timeZone: ZONE } });
    services = createServices(deps);
    rep = await services.registerRep({ platform: "slack", externalId: "UOWNER", displayName: "Owner", locale: "en-US", timezone: ZONE });
  });
  afterAll(() => db.drop());

  it("an order puts a new buyer in their segment at once, with no stage alert", async () => {
    const { customer } = await services.addCustomer(rep, "First Order Co");
    ids.first = customer.id;
    await services.recordOrder(rep, { customer, amount: new Decimal(300), currency: "CNY", product: null, orderedAt: ago(1) });
    expect(await segmentOf(db, customer.id)).toMatchObject({ segment: "NEW", reason: { rule: "new", firstOrderDays: 1 }, scored_at: NOW });
    expect(await listed("new")).toEqual(["First Order Co"]);
    // The purchase moved the lead to active, as it always did; nothing else moved, nobody is alerted.
    expect(await stageChanges()).toEqual(["purchase"]);
    expect(await stageAlerts()).toBe(0);
  });

  it("logged interactions make someone who never bought potential", async () => {
    const { customer } = await services.addCustomer(rep, "Curious Co");
    ids.curious = customer.id;
    await services.recordInteraction(rep, { customer, channel: "CALL", body: "asked about prices" });
    expect((await segmentOf(db, customer.id))?.segment).toBeNull();
    await services.recordInteraction(rep, { customer, channel: "MEETING", body: "demo" });
    expect(await segmentOf(db, customer.id)).toMatchObject({ segment: "POTENTIAL", reason: { rule: "engaged", interactions: 2 } });
    expect(await listed("potential")).toEqual(["Curious Co"]);
  });

  it("a complaint and a low survey answer make a buyer a churn risk at once; the stage waits for the night", async () => {
    // A customer who wrote on WeChat (a lead), then bought twice.
    const stored = await services.recordCustomerMessage({ platform: "wechat", senderId: "o-complainer", id: "m1", at: ago(60), kind: "text", body: "hello" });
    ids.complainer = stored.customerId;
    await db.sql.query("UPDATE customers SET owner_id = $2 WHERE id = $1", [stored.customerId, rep.id]);
    const customer = (await services.getCustomer(stored.customerId))!;
    await services.recordOrder(rep, { customer, amount: new Decimal(100), currency: "CNY", product: null, orderedAt: ago(50) });
    await services.recordOrder(rep, { customer: { ...customer, stage: "ACTIVE" }, amount: new Decimal(100), currency: "CNY", product: null, orderedAt: ago(20) });
    expect(await segmentOf(db, stored.customerId)).toMatchObject({ segment: null, scored_at: NOW });

    // An ordinary message re-scores nothing (the webhook's hot path); a complaint re-scores.
    clock = new Date(NOW.getTime() + 60_000);
    await services.recordCustomerMessage({ platform: "wechat", senderId: "o-complainer", id: "m2", at: ago(2), kind: "text", body: "when does it ship?" });
    expect((await segmentOf(db, stored.customerId))?.scored_at).toEqual(NOW);
    clock = new Date(NOW.getTime() + 120_000);
    await services.recordCustomerMessage({ platform: "wechat", senderId: "o-complainer", id: "m3", at: ago(1), kind: "text", body: "服务太差了，我要投诉" });
    expect(await segmentOf(db, stored.customerId)).toMatchObject({ segment: null, scored_at: clock });
    clock = NOW;

    // A survey the customer answers with a 1 on Slack.
    const contact = randomUUID();
    await db.sql.query("INSERT INTO contacts (id, customer_id, name, slack_user_id, updated_at) VALUES ($1, $2, 'Buyer', 'UCUSTOMER', now())", [contact, stored.customerId]);
    const survey = randomUUID();
    await db.sql.query("INSERT INTO surveys (id, customer_id, contact_id, kind, status, platform, via, sent_at) VALUES ($1, $2, $3, 'CSAT', 'SENT', 'slack', 'buttons', $4)", [survey, stored.customerId, contact, ago(1)]);
    expect((await services.answerSurveyButton({ surveyId: survey, score: 1, platform: "slack", userId: "UCUSTOMER" })).outcome).toBe("answered");

    expect(await segmentOf(db, stored.customerId)).toMatchObject({ segment: "CHURN_RISK", reason: { rule: "complaints", complaints: 1, lowScores: 1 } });
    const risk = await services.listSegment(rep, "churn-risk");
    expect(risk.count).toBe(1);
    expect(risk.customers.map((c) => c.id)).toEqual([stored.customerId]);
    expect((await services.getCustomer(stored.customerId))!.stage).toBe("ACTIVE");
    expect(await stageAlerts()).toBe(0);
  });

  it("leaves moving stages and alerting to the nightly scan, once", async () => {
    clock = new Date(NOW.getTime() + 16 * 3_600_000); // 02:00 the next night
    const scan = await scanCustomerStages(deps, { now: clock, timeZone: ZONE });
    expect(scan).toMatchObject({ moved: 1, alerts: 1 });
    expect((await services.getCustomer(ids.complainer!))!.stage).toBe("AT_RISK");
    expect(await scanCustomerStages(deps, { now: clock, timeZone: ZONE })).toMatchObject({ moved: 0, alerts: 0 });
    expect(await stageAlerts()).toBe(1);
    // Another write re-scores, and moves and alerts nothing.
    const customer = (await services.getCustomer(ids.complainer!))!;
    await services.recordOrder(rep, { customer, amount: new Decimal(100), currency: "CNY", product: null, orderedAt: clock });
    expect((await segmentOf(db, ids.complainer!))?.segment).toBe("CHURN_RISK");
    expect((await services.getCustomer(ids.complainer!))!.stage).toBe("AT_RISK");
    expect(await stageAlerts()).toBe(1);
  });
});

describe("an install never scored", () => {
  let db: TestDatabase;
  let deps: ServiceDeps;

  beforeAll(async () => {
    db = await createTestDatabase();
    deps = testServiceDeps(db.store, { now: () => NOW, settings: { timeZone: ZONE } });
  });
  afterAll(() => db.drop());

  it("is scored before /segment answers, even with no customers yet", async () => {
    const services = createServices(deps);
    const asker = await services.registerRep({ platform: "slack", externalId: "UASKER", displayName: "Asker" });
    const empty = await services.listSegment(asker, "churn-risk");
    expect(empty).toMatchObject({ scoredAt: NOW, count: 0, customers: [] });
  });

  it("is scored once when two processes start at the same time, segments only", async () => {
    await craft(db, "Gap Co", "ACTIVE", null, [[62, 1], [82, 1], [102, 1], [122, 1]]);
    await craft(db, "Lost Co", "ACTIVE", null, [[200, 3]]);
    await craft(db, "Prospect Co", "PROSPECT", null, [], [[10, "INBOUND", "price?"], [40, "OUTBOUND", "here"]]);
    expect(await db.store.segments.needsScoring()).toBe(true);

    const runs = await Promise.all([scoreSegmentsIfNeeded(deps), scoreSegmentsIfNeeded(deps)]);
    expect(runs.filter((r) => r !== null)).toEqual([{ at: NOW, customers: 3 }]);
    expect(await db.store.segments.needsScoring()).toBe(false);
    expect(await scoreSegmentsIfNeeded(deps)).toBeNull();

    const { rows } = await db.sql.query("SELECT c.name, c.stage, s.segment FROM customers c JOIN customer_stats s ON s.customer_id = c.id ORDER BY c.name");
    expect(rows).toEqual([
      { name: "Gap Co", stage: "ACTIVE", segment: "CHURN_RISK" },
      { name: "Lost Co", stage: "ACTIVE", segment: "LOST" },
      { name: "Prospect Co", stage: "PROSPECT", segment: "POTENTIAL" },
    ]);
    expect((await db.sql.query("SELECT 1 FROM customer_stage_changes")).rows).toEqual([]);
    expect((await db.sql.query("SELECT 1 FROM outbox")).rows).toEqual([]);
  });

  it("is scored again at start when buyers came in without a score (a bulk load)", async () => {
    await craft(db, "Imported Co", "ACTIVE", null, [[3, 10]]);
    expect(await db.store.segments.needsScoring()).toBe(true);
    expect(await scoreSegmentsIfNeeded(deps)).toEqual({ at: NOW, customers: 4 });
    expect(await db.store.segments.needsScoring()).toBe(false);
  });
});
