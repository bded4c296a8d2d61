import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "@prisma/client";
import { createCore } from "../../src/core/index.js";
import { isComplaint } from "../../src/domain/customers/customer-segments.js";
import { Decimal } from "../../src/domain/money.js";
import { createServices, scanCustomerStages, type ServiceDeps, type Services } from "../../src/services/index.js";
import { complaintSql } from "../../src/store/customers/segments.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { recordingScheduler, testServiceDeps, textOf } from "../support/core.js";

const DAY = 86_400_000;
/** 02:00 in Shanghai on 25 November 2026: the scan's time. */
const NOW = new Date("2026-11-24T18:00:00Z");
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

interface Crafted {
  /** [days ago or the instant, amount] */
  orders?: [daysAgo: number | Date, amount: number][];
  /** [days ago, direction, text] */
  interactions?: [number, "INBOUND" | "OUTBOUND" | "INTERNAL", string][];
  surveys?: [daysAgo: number, kind: "CSAT" | "NPS", score: number][];
}

async function craft(db: TestDatabase, name: string, stage: string, ownerId: string | null, data: Crafted = {}): Promise<string> {
  const id = randomUUID();
  const key = name.toLowerCase().replace(/\s+/g, "");
  await db.sql.query(
    "INSERT INTO customers (id, name, normalized_name, pinyin, pinyin_initials, stage, owner_id, updated_at) VALUES ($1, $2, $3, $3, $3, $4, $5, now())",
    [id, name, key, stage, ownerId],
  );
  for (const [days, amount] of data.orders ?? []) {
    await db.sql.query("INSERT INTO orders (id, customer_id, amount, currency, base_amount, rate_to_base, ordered_at) VALUES (gen_random_uuid(), $1, $2, 'CNY', $2, 1, $3)", [id, amount, days instanceof Date ? days : ago(days)]);
  }
  if (data.orders?.length) {
    await db.sql.query(
      `INSERT INTO customer_stats (customer_id, order_count, total_spent, first_order_at, last_order_at)
       SELECT customer_id, count(*), sum(base_amount), min(ordered_at), max(ordered_at) FROM orders WHERE customer_id = $1 GROUP BY customer_id`,
      [id],
    );
  }
  for (const [days, direction, body] of data.interactions ?? []) {
    await db.sql.query("INSERT INTO interactions (id, customer_id, channel, direction, body, occurred_at) VALUES (gen_random_uuid(), $1, 'WECHAT', $2, $3, $4)", [id, direction, body, ago(days)]);
  }
  for (const [days, kind, score] of data.surveys ?? []) {
    await db.sql.query("INSERT INTO surveys (id, customer_id, kind, status, score, sent_at, answered_at) VALUES (gen_random_uuid(), $1, $2, 'ANSWERED', $3, $4, $4)", [id, kind, score, ago(days)]);
  }
  return id;
}

/** The record of an earlier scan's move to AT_RISK. */
async function movedToAtRisk(db: TestDatabase, id: string, at: Date): Promise<void> {
  await db.sql.query(
    `INSERT INTO customer_stage_changes (id, customer_id, from_stage, to_stage, reason, changed_at)
     VALUES (gen_random_uuid(), $1, 'ACTIVE', 'AT_RISK', '{"rule":"complaints","complaints":1,"lowScores":1}', $2)`,
    [id, at],
  );
}

/** Orders at these days ago, each of `amount`. */
const at = (days: number[], amount = 1): [number, number][] => days.map((d) => [d, amount]);

async function statsOf(db: TestDatabase, id: string) {
  const { rows } = await db.sql.query("SELECT rfm_recency AS r, rfm_frequency AS f, rfm_monetary AS m, segment, segment_reason AS reason, scored_at FROM customer_stats WHERE customer_id = $1", [id]);
  return rows[0] as { r: number | null; f: number | null; m: number | null; segment: string | null; reason: unknown; scored_at: Date | null } | undefined;
}

describe("RFM quintiles", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it("scores paying customers 1..5 by rank, equal values equally", async () => {
    // Six payers (five gaps between lowest and highest): quintile = rank, ties share the lowest rank.
    const tie = 10.25;
    const ids = {
      a: await craft(db, "A", "ACTIVE", null, { orders: [[50, 100]] }),
      b: await craft(db, "B", "ACTIVE", null, { orders: [[40, 200]] }),
      c: await craft(db, "C", "ACTIVE", null, { orders: [[30, 200]] }),
      d: await craft(db, "D", "ACTIVE", null, { orders: [[20, 300]] }),
      e: await craft(db, "E", "ACTIVE", null, { orders: [[tie, 200], [40, 200]] }),
      f: await craft(db, "F", "ACTIVE", null, { orders: [[tie, 80], [20, 80], [30, 80], [40, 80], [50, 80]] }),
      buyerless: await craft(db, "G", "LEAD", null, { interactions: [[5, "INBOUND", "hello"]] }),
    };
    const result = await scanCustomerStages(testServiceDeps(db.store, { now: () => NOW }), { now: NOW, batchSize: 4 });
    type Stats = Awaited<ReturnType<typeof statsOf>>;
    const scores: Record<string, Stats> = Object.fromEntries(await Promise.all(Object.entries(ids).map(async ([k, id]): Promise<[string, Stats]> => [k, await statsOf(db, id)])));
    const rfm = (k: string) => (scores[k] ? [scores[k].r, scores[k].f, scores[k].m] : undefined);
    // Recency: older first; frequency 1,1,1,1,2,5; money 100, 200, 200, 300, 400, 400.
    expect(rfm("a")).toEqual([1, 1, 1]);
    expect(rfm("b")).toEqual([2, 1, 2]);
    expect(rfm("c")).toEqual([3, 1, 2]);
    expect(rfm("d")).toEqual([4, 1, 4]);
    expect(rfm("e")).toEqual([5, 5, 5]);
    expect(rfm("f")).toEqual([5, 5, 5]);
    expect(scores.e!.segment).toBe("HIGH_VALUE");
    expect(scores.e!.reason).toEqual({ rule: "rfm", r: 5, f: 5, m: 5 });
    expect(scores.d!.segment).toBe("NEW");
    expect(scores.a!.segment).toBeNull();
    // A customer who never bought and needs no segment gets no stats row.
    expect(scores.buyerless).toBeUndefined();
    expect(result).toMatchObject({ customers: 7, moved: 0, alerts: 0 });
    expect(result.segments).toEqual({ "high-value": 2, potential: 0, new: 1, "churn-risk": 0, lost: 0 });
  });

  it("matches complaints in Postgres exactly as isComplaint does", async () => {
    const texts = [
      "我要投诉", "没有投诉，谢谢", "有没有投诉渠道", "服务太差", "质量不太差", "垃圾邮件", "要求退款", "不要求退款", "Terrible service", "The service was  terrible",
      "No complaints, but the delivery was awful service", "Can’t complain", "ＣＯＭＰＬＡＩＮ", "not happy", "not unhappy", "happy", "worst case", "rip-off", "description",
    ];
    const rows = await db.prisma.$queryRaw<{ text: string; hit: boolean }[]>(
      Prisma.sql`SELECT t AS text, ${complaintSql(Prisma.sql`t`)} AS hit FROM unnest(${texts}::text[]) AS t`,
    );
    expect(rows.map((r) => [r.text, r.hit])).toEqual(texts.map((t) => [t, isComplaint(t)]));
    expect(rows.filter((r) => r.hit).length).toBeGreaterThan(5);
    expect(rows.filter((r) => !r.hit).length).toBeGreaterThan(5);
  });
});

describe("the nightly scan", () => {
  let db: TestDatabase;
  let deps: ServiceDeps;
  let services: Services;
  let jobs: ReturnType<typeof recordingScheduler>;
  const ids: Record<string, string> = {};
  const owners: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    jobs = recordingScheduler();
    deps = testServiceDeps(db.store, { now: () => NOW, jobs });
    services = createServices(deps);
    owners.ann = (await services.registerRep({ platform: "slack", externalId: "UANN", displayName: "Ann", locale: "zh-CN", timezone: "Asia/Shanghai" })).id;
    owners.bob = (await services.registerRep({ platform: "slack", externalId: "UBOB", displayName: "Bob", locale: "en-US", timezone: "Asia/Shanghai" })).id;
    owners.cat = (await services.registerRep({ platform: "slack", externalId: "UCAT", displayName: "Cat", locale: "en-US", timezone: "Asia/Shanghai" })).id;
    owners.lou = (await services.registerRep({ platform: "local", externalId: "rep-lou", displayName: "Lou" })).id;

    // Scenario buyers spend 1 an order; the fillers and Big Co below outspend them all, so none
    // of them is high-value by accident.
    ids.gap = await craft(db, "Gap Co", "ACTIVE", owners.ann, { orders: at([62, 82, 102, 122]) });
    ids.evenGap = await craft(db, "Even Gap", "ACTIVE", owners.ann, { orders: at([40, 60, 80]) });
    ids.slow = await craft(db, "Slow Co", "ACTIVE", owners.ann, { orders: at([10, 100, 110, 120, 130, 140, 150]) });
    ids.half = await craft(db, "Half Co", "ACTIVE", owners.ann, { orders: at([10, 20, 30, 100, 110, 120, 130, 140, 150]) });
    ids.recovering = await craft(db, "Recovering Co", "AT_RISK", owners.ann, { orders: at([3, 23, 43]) });
    await movedToAtRisk(db, ids.recovering, ago(10));
    ids.complaining = await craft(db, "Complain Co", "ACTIVE", owners.bob, {
      orders: at([5, 25, 45]),
      interactions: [
        [3, "INBOUND", "服务太差了，我要投诉"], [4, "INBOUND", "之前的问题没有投诉，谢谢"], [2, "INTERNAL", "电话：客户投诉延迟"],
        [6, "OUTBOUND", "Sorry for the terrible service"], [40, "INBOUND", "再投诉一次"],
      ],
      surveys: [[5, "CSAT", 1], [45, "CSAT", 1]],
    });
    ids.oneComplaint = await craft(db, "One Complaint", "ACTIVE", owners.bob, {
      orders: at([5, 25, 45]),
      interactions: [[3, "INBOUND", "Terrible service this week"]],
      surveys: [[5, "NPS", 7]],
    });
    ids.lost = await craft(db, "Lost Co", "AT_RISK", owners.bob, { orders: at([180, 200]) });
    ids.almostLost = await craft(db, "Almost Lost", "ACTIVE", owners.bob, { orders: at([179.5, 300]) });
    ids.fresh = await craft(db, "Fresh Co", "ACTIVE", owners.ann, { orders: at([12]) });
    ids.month = await craft(db, "Month Co", "ACTIVE", owners.ann, { orders: at([30, 10]) });
    ids.big = await craft(db, "Big Co", "ACTIVE", owners.ann, { orders: at([5, 15, 25, 35, 45, 55, 65, 75, 85, 95, 105, 115], 5_000) });
    ids.prospect = await craft(db, "Prospect Co", "PROSPECT", owners.ann, { interactions: [[10, "INBOUND", "What does it cost?"], [50, "OUTBOUND", "Here is the price list"]] });
    ids.quietLead = await craft(db, "Quiet Lead", "LEAD", owners.ann, { interactions: [[10, "INBOUND", "hi"], [100, "INBOUND", "hello"]] });
    ids.orphan = await craft(db, "Orphan Co", "ACTIVE", null, { orders: at([250]) });
    ids.local = await craft(db, "Local Co", "ACTIVE", owners.lou, { orders: at([62, 82, 102, 122]) });
    for (let i = 1; i <= 10; i++) await craft(db, `Filler ${i}`, "ACTIVE", null, { orders: [[40, 1_000]] });
    // Seventeen of Cat's customers lost at once: her alert names fifteen and points at the rest.
    for (let i = 1; i <= 17; i++) ids[`cat${i}`] = await craft(db, `Cat Customer ${String(i).padStart(2, "0")}`, "ACTIVE", owners.cat, { orders: [[200 + i, 2_000 + i]] });
  });
  afterAll(() => db.drop());

  it("puts every customer in the segment its rules decide, with the reason", async () => {
    const result = await scanCustomerStages(deps, { now: NOW, batchSize: 7 });
    const expected: Record<string, [string | null, unknown]> = {
      gap: ["CHURN_RISK", { rule: "gap", daysSince: 62, medianGapDays: 20 }],
      evenGap: [null, null],
      slow: ["CHURN_RISK", { rule: "slowing", last90: 1, previous90: 6 }],
      half: [null, null],
      recovering: [null, null],
      complaining: ["CHURN_RISK", { rule: "complaints", complaints: 1, lowScores: 1 }],
      oneComplaint: [null, null],
      lost: ["LOST", { rule: "lost", daysSince: 180 }],
      almostLost: ["CHURN_RISK", { rule: "slowing", last90: 0, previous90: 1 }],
      fresh: ["NEW", { rule: "new", firstOrderDays: 12 }],
      month: [null, null],
      prospect: ["POTENTIAL", { rule: "engaged", interactions: 2 }],
      orphan: ["LOST", { rule: "lost", daysSince: 250 }],
      local: ["CHURN_RISK", { rule: "gap", daysSince: 62, medianGapDays: 20 }],
    };
    for (const [key, [segment, reason]] of Object.entries(expected)) {
      const stats = await statsOf(db, ids[key]!);
      expect([key, stats?.segment, stats?.reason]).toEqual([key, segment, reason]);
      expect(stats?.scored_at).toEqual(NOW);
    }
    const big = await statsOf(db, ids.big!);
    expect(big).toMatchObject({ segment: "HIGH_VALUE", f: 5, m: 5, reason: { rule: "rfm", f: 5, m: 5 } });
    expect(await statsOf(db, ids.quietLead!)).toBeUndefined();
    expect((await statsOf(db, ids.prospect!))?.r).toBeNull();
    expect(result.segments).toEqual({ "high-value": 1, potential: 1, new: 1, "churn-risk": 5, lost: 19 });
    expect(result.ownersWithoutDm).toBe(1);
  });

  it("moves stages both ways and records each move with its owner at the time", async () => {
    const stage = async (key: string) => (await db.sql.query<{ stage: string }>("SELECT stage FROM customers WHERE id = $1", [ids[key]])).rows[0]!.stage;
    expect(await stage("gap")).toBe("AT_RISK");
    expect(await stage("slow")).toBe("AT_RISK");
    expect(await stage("complaining")).toBe("AT_RISK");
    expect(await stage("almostLost")).toBe("AT_RISK");
    expect(await stage("lost")).toBe("CHURNED");
    expect(await stage("recovering")).toBe("ACTIVE");
    expect(await stage("orphan")).toBe("CHURNED");
    expect(await stage("evenGap")).toBe("ACTIVE");
    expect(await stage("prospect")).toBe("PROSPECT");

    const { rows } = await db.sql.query(
      `SELECT c.name, ch.from_stage, ch.to_stage, ch.reason, ch.owner_id, ch.changed_at FROM customer_stage_changes ch JOIN customers c ON c.id = ch.customer_id
       WHERE c.name NOT LIKE 'Cat Customer%' AND ch.changed_at = $1 ORDER BY c.name`,
      [NOW],
    );
    expect(rows).toEqual([
      { name: "Almost Lost", from_stage: "ACTIVE", to_stage: "AT_RISK", reason: { rule: "slowing", last90: 0, previous90: 1 }, owner_id: owners.bob, changed_at: NOW },
      { name: "Complain Co", from_stage: "ACTIVE", to_stage: "AT_RISK", reason: { rule: "complaints", complaints: 1, lowScores: 1 }, owner_id: owners.bob, changed_at: NOW },
      { name: "Gap Co", from_stage: "ACTIVE", to_stage: "AT_RISK", reason: { rule: "gap", daysSince: 62, medianGapDays: 20 }, owner_id: owners.ann, changed_at: NOW },
      { name: "Local Co", from_stage: "ACTIVE", to_stage: "AT_RISK", reason: { rule: "gap", daysSince: 62, medianGapDays: 20 }, owner_id: owners.lou, changed_at: NOW },
      { name: "Lost Co", from_stage: "AT_RISK", to_stage: "CHURNED", reason: { rule: "lost", daysSince: 180 }, owner_id: owners.bob, changed_at: NOW },
      { name: "Orphan Co", from_stage: "ACTIVE", to_stage: "CHURNED", reason: { rule: "lost", daysSince: 250 }, owner_id: null, changed_at: NOW },
      { name: "Recovering Co", from_stage: "AT_RISK", to_stage: "ACTIVE", reason: { rule: "recovered", daysSince: 3 }, owner_id: owners.ann, changed_at: NOW },
      { name: "Slow Co", from_stage: "ACTIVE", to_stage: "AT_RISK", reason: { rule: "slowing", last90: 1, previous90: 6 }, owner_id: owners.ann, changed_at: NOW },
    ]);
    const cat = await db.sql.query("SELECT count(*)::int AS n FROM customer_stage_changes WHERE owner_id = $1 AND to_stage = 'CHURNED'", [owners.cat]);
    expect(cat.rows[0]).toEqual({ n: 17 });
  });

  it("alerts each Slack owner exactly once, with every move and why, in their language", async () => {
    const { rows } = await db.sql.query<{ id: string; destination: string; payload: unknown; dedupe_key: string }>(
      "SELECT id, destination, payload, dedupe_key FROM outbox ORDER BY destination",
    );
    expect(rows.map((r) => r.destination)).toEqual(["UANN", "UBOB", "UCAT"]);
    for (const r of rows) {
      expect(r.payload).toMatchObject({ type: "stage.alert", scanAt: NOW.toISOString() });
      expect(r.dedupe_key).toMatch(new RegExp(`^stage-alert:[0-9a-f-]{36}:${NOW.getTime()}$`));
    }
    expect(jobs.deliveries.map((d) => d.id).sort()).toEqual(rows.map((r) => r.id).sort());

    const core = createCore({ services, defaultLocale: "en", defaultTimezone: "Asia/Shanghai" });
    const read = async (destination: string) => textOf({ kind: "message", message: await core.renderNotification(rows.find((r) => r.destination === destination)!.payload) });

    const ann = await read("UANN");
    expect(ann).toContain("您有 3 位客户的阶段发生了变化");
    expect(ann).toContain("Gap Co — 活跃 → 有流失风险 · 距上次下单62天，平常每20天一单");
    expect(ann).toContain("Slow Co — 活跃 → 有流失风险 · 最近 90 天 1 单，之前 90 天 6 单");
    expect(ann).toContain("Recovering Co — 有流失风险 → 活跃 · 恢复购买：3天前下过单");

    const bob = await read("UBOB");
    expect(bob).toContain("Stage changes for 3 of your customers");
    expect(bob).toContain("Complain Co — active → at risk · complaints: 1, low survey scores: 1 in the last 30 days");
    expect(bob).toContain("Almost Lost — active → at risk · orders: 0 in the last 90 days, 1 in the 90 days before");
    expect(bob).toContain("Lost Co — at risk → churned · no order for 180 days");
    // At risk first: what can still be saved comes before what is gone.
    expect(bob.indexOf("Lost Co")).toBeGreaterThan(bob.indexOf("Almost Lost"));

    const cat = await read("UCAT");
    expect(cat).toContain("Stage changes for 17 of your customers");
    // Fifteen by name, the biggest spenders first; the last two only counted.
    expect(cat).toContain("Cat Customer 17 — active → churned · no order for 217 days");
    expect(cat).toContain("Cat Customer 03");
    expect(cat).not.toContain("Cat Customer 02");
    expect(cat).not.toContain("Cat Customer 01");
    expect(cat).toContain("…and 2 more — /segment lost");
  });

  it("moves and alerts nothing twice when the same scan runs again", async () => {
    const before = await db.sql.query("SELECT (SELECT count(*)::int FROM customer_stage_changes) AS changes, (SELECT count(*)::int FROM outbox) AS outbox");
    const again = await scanCustomerStages(deps, { now: NOW });
    expect(again).toMatchObject({ moved: 0, alerts: 0 });
    const after = await db.sql.query("SELECT (SELECT count(*)::int FROM customer_stage_changes) AS changes, (SELECT count(*)::int FROM outbox) AS outbox");
    expect(after.rows[0]).toEqual(before.rows[0]);
  });

  it("finishes the alerts of a scan that was cut short before writing them", async () => {
    // The moves of the scan committed, its alert rows did not (the worker died in between).
    await db.sql.query("DELETE FROM outbox WHERE destination = 'UBOB'");
    const rerun = await scanCustomerStages(deps, { now: NOW });
    expect(rerun).toMatchObject({ moved: 0, alerts: 1 });
    const { rows } = await db.sql.query("SELECT destination FROM outbox ORDER BY destination");
    expect(rows.map((r: { destination: string }) => r.destination)).toEqual(["UANN", "UBOB", "UCAT"]);
  });

  it("records a purchase that brings a churned customer back, without an alert", async () => {
    const bob = (await services.getRep(owners.bob!))!;
    const customer = (await services.getCustomer(ids.lost!))!;
    expect(customer.stage).toBe("CHURNED");
    const later = new Date(NOW.getTime() + 3_600_000);
    const withLater = createServices(testServiceDeps(db.store, { now: () => later, jobs }));
    const order = await withLater.recordOrder(bob, { customer, amount: new Decimal(50), currency: "CNY", product: null, orderedAt: later });
    expect(order.stageChange).toEqual({ from: "CHURNED", to: "ACTIVE" });
    const { rows } = await db.sql.query("SELECT from_stage, to_stage, reason, owner_id, changed_at FROM customer_stage_changes WHERE customer_id = $1 ORDER BY changed_at", [ids.lost]);
    expect(rows.at(-1)).toEqual({ from_stage: "CHURNED", to_stage: "ACTIVE", reason: { rule: "purchase" }, owner_id: owners.bob, changed_at: later });
    // A second order moves nothing and records nothing.
    await withLater.recordOrder(bob, { customer: { ...customer, stage: "ACTIVE" }, amount: new Decimal(5), currency: "CNY", product: null, orderedAt: later });
    const count = await db.sql.query("SELECT count(*)::int AS n FROM customer_stage_changes WHERE customer_id = $1", [ids.lost]);
    expect(count.rows[0]).toEqual({ n: 2 });
    expect((await db.sql.query("SELECT count(*)::int AS n FROM outbox")).rows[0]).toEqual({ n: 3 });
  });

  it("leaves a customer who bought after the facts were read where they are", async () => {
    // Facts read now would call Even Gap churn-risk a day later; a purchase lands in between.
    const tomorrow = new Date(NOW.getTime() + 21 * DAY);
    const facts = await db.store.segments.facts(tomorrow);
    const row = facts.find((f) => f.id === ids.evenGap)!;
    await db.sql.query("INSERT INTO orders (id, customer_id, amount, currency, base_amount, rate_to_base, ordered_at) VALUES (gen_random_uuid(), $1, 1, 'CNY', 1, 1, $2)", [ids.evenGap, tomorrow]);
    await db.sql.query("UPDATE customer_stats SET order_count = order_count + 1, last_order_at = $2 WHERE customer_id = $1", [ids.evenGap, tomorrow]);
    const moved = await db.store.segments.moveStages([{ customerId: row.id, from: "ACTIVE", to: "AT_RISK", reason: { rule: "gap", daysSince: 61, medianGapDays: 20 }, lastOrderAt: row.lastOrderAt }], tomorrow);
    expect(moved).toBe(0);
    expect((await db.sql.query("SELECT stage FROM customers WHERE id = $1", [ids.evenGap])).rows[0]).toEqual({ stage: "ACTIVE" });
  });
});

describe("facts as of the scan, each counted once", () => {
  let db: TestDatabase;
  let deps: ServiceDeps;
  let services: Services;
  const ids: Record<string, string> = {};
  let dee: string;

  /** `surveyReply` marks the message as the ingest path does when it reads a survey reply in it. */
  async function inbound(customerId: string, at: Date, body: string, contactId: string | null = null, surveyReply: "answer" | "comment" | null = null): Promise<string> {
    const { rows } = await db.sql.query<{ id: string }>(
      "INSERT INTO interactions (id, customer_id, contact_id, channel, direction, body, occurred_at, survey_reply) VALUES (gen_random_uuid(), $1, $2, 'WECHAT', 'INBOUND', $3, $4, $5) RETURNING id",
      [customerId, contactId, body, at, surveyReply],
    );
    return rows[0]!.id;
  }
  async function answered(customerId: string, contactId: string | null, at: Date, score: number, answerId: string, comment: string | null = null): Promise<void> {
    await db.sql.query(
      "INSERT INTO surveys (id, customer_id, contact_id, kind, status, score, comment, answer_interaction_id, sent_at, answered_at) VALUES (gen_random_uuid(), $1, $2, 'CSAT', 'ANSWERED', $3, $4, $5, $6, $6)",
      [customerId, contactId, score, comment, answerId, at],
    );
  }
  const stageOf = async (key: string) => (await db.sql.query<{ stage: string }>("SELECT stage FROM customers WHERE id = $1", [ids[key]])).rows[0]!.stage;
  const changesOf = async (key: string) =>
    (await db.sql.query<{ from_stage: string; to_stage: string; reason: unknown }>("SELECT from_stage, to_stage, reason FROM customer_stage_changes WHERE customer_id = $1 ORDER BY changed_at", [ids[key]])).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    deps = testServiceDeps(db.store, { now: () => NOW, jobs: recordingScheduler() });
    services = createServices(deps);
    dee = (await services.registerRep({ platform: "slack", externalId: "UDEE", displayName: "Dee", locale: "en-US", timezone: "Asia/Shanghai" })).id;

    // A survey answered "不满意" with a 2: one low score, not also a complaint.
    ids.surveyReply = await craft(db, "Survey Reply Co", "ACTIVE", dee, { orders: at([5, 25, 45]) });
    await answered(ids.surveyReply, null, ago(3), 2, await inbound(ids.surveyReply, ago(3), "不满意", null, "answer"));
    // A 1, then its comment in a message of its own; one real complaint besides.
    ids.surveyComment = await craft(db, "Survey Comment Co", "ACTIVE", dee, { orders: at([5, 25, 45]) });
    const contact = randomUUID();
    await db.sql.query("INSERT INTO contacts (id, customer_id, name, updated_at) VALUES ($1, $2, 'Zhang', now())", [contact, ids.surveyComment]);
    const answerId = await inbound(ids.surveyComment, ago(4), "1", contact, "answer");
    await inbound(ids.surveyComment, new Date(ago(4).getTime() + 5 * 60_000), "  服务太差了，我要投诉\n", contact, "comment");
    await answered(ids.surveyComment, contact, ago(4), 1, answerId, "服务太差了，我要投诉");
    await inbound(ids.surveyComment, ago(10), "Terrible service again", contact);

    // Two orders within minutes: one purchase occasion, no rhythm yet.
    ids.sameDay = await craft(db, "Same Day Co", "ACTIVE", dee, { orders: at([2, 2.01]) });
    // Three orders backdated to one date (same instant), and one a month before.
    ids.backdated = await craft(db, "Backdated Co", "ACTIVE", dee, { orders: at([5, 5, 5, 40]) });
    // 07:30 and 09:30 in Shanghai on 22 November: one day there, two UTC dates.
    ids.zone = await craft(db, "Zone Co", "ACTIVE", dee, { orders: [[new Date("2026-11-21T23:30:00Z"), 1], [new Date("2026-11-22T01:30:00Z"), 1]] });

    // The 02:00 scan runs late, after these customers bought at 08:00.
    const late = new Date(NOW.getTime() + 6 * 3_600_000);
    ids.lateBuyer = await craft(db, "Late Buyer", "ACTIVE", dee, { orders: [...at([100, 120, 140]), [late, 1]] });
    ids.lateFirst = await craft(db, "Late First", "LEAD", dee, { orders: [[late, 1]] });

    // Back from AT_RISK: with an order since the move, and without one (complaints aged out).
    ids.back = await craft(db, "Back Co", "AT_RISK", dee, { orders: at([3, 23, 43]) });
    await movedToAtRisk(db, ids.back, ago(10));
    ids.settled = await craft(db, "Settled Co", "AT_RISK", dee, { orders: at([15, 35, 55]) });
    await movedToAtRisk(db, ids.settled, ago(10));

    ids.churned = await craft(db, "Churned Co", "CHURNED", dee, { orders: at([250]) });
    ids.lead = await craft(db, "Old Lead", "LEAD", dee);
    ids.freshLead = await craft(db, "Fresh Lead", "PROSPECT", dee);
  });
  afterAll(() => db.drop());

  it("reads a survey answer and its comment as the score only, not as complaints too", async () => {
    const facts = await db.store.segments.facts(NOW);
    const of = (key: string) => facts.find((f) => f.id === ids[key])!;
    expect([of("surveyReply").complaints30, of("surveyReply").lowScores30]).toEqual([0, 1]);
    expect([of("surveyComment").complaints30, of("surveyComment").lowScores30]).toEqual([1, 1]);
  });

  it("measures the buying rhythm between purchase days, in the team's zone", async () => {
    const shanghai = await db.store.segments.facts(NOW, "Asia/Shanghai");
    const of = (key: string) => shanghai.find((f) => f.id === ids[key])!;
    expect(of("sameDay")).toMatchObject({ orderCount: 2, medianGapDays: null });
    expect(of("backdated")).toMatchObject({ orderCount: 4, medianGapDays: 35 });
    expect(of("zone")).toMatchObject({ orderCount: 2, medianGapDays: null });
    expect(of("back").medianGapDays).toBe(20);
    const utc = await db.store.segments.facts(NOW);
    expect(utc.find((f) => f.id === ids.zone)!.medianGapDays).toBe(1);
  });

  it("reads every fact as of the scan's time, leaving out orders placed after it", async () => {
    const facts = await db.store.segments.facts(NOW);
    const lateBuyer = facts.find((f) => f.id === ids.lateBuyer)!;
    expect(lateBuyer).toMatchObject({ orderCount: 3, lastOrderAt: ago(100), firstOrderAt: ago(140), medianGapDays: 20, ordersLast90: 0, ordersPrevious90: 3 });
    expect(facts.find((f) => f.id === ids.lateFirst)).toMatchObject({ hasStats: true, orderCount: 0, firstOrderAt: null, lastOrderAt: null, recencyRank: null });
    // Ranked among the payers as of NOW: Late First is not one of them.
    expect(lateBuyer.payingCustomers).toBe(facts.filter((f) => f.orderCount > 0).length);
  });

  it("scans with all of it: no false risk, moves only a late buyer's stage the facts allow, and says why they came back", async () => {
    const result = await scanCustomerStages(deps, { now: NOW, timeZone: "Asia/Shanghai" });
    for (const key of ["surveyReply", "sameDay", "backdated", "zone", "lateBuyer"]) expect([key, await stageOf(key)]).toEqual([key, "ACTIVE"]);
    // Its one real complaint and its one low score: at risk, the comment not counted again.
    expect((await changesOf("surveyComment")).at(-1)).toEqual({ from_stage: "ACTIVE", to_stage: "AT_RISK", reason: { rule: "complaints", complaints: 1, lowScores: 1 } });
    expect((await statsOf(db, ids.surveyReply!))?.segment ?? null).toBeNull();
    expect((await statsOf(db, ids.sameDay!))?.reason).toEqual({ rule: "new", firstOrderDays: 2 });
    expect((await statsOf(db, ids.zone!))?.reason).toEqual({ rule: "new", firstOrderDays: 2 });
    // As of 02:00 the late buyer had not ordered for 100 days; the move is left out because they bought since.
    expect((await statsOf(db, ids.lateBuyer!))?.reason).toEqual({ rule: "gap", daysSince: 100, medianGapDays: 20 });
    expect(await changesOf("lateBuyer")).toEqual([]);
    expect((await statsOf(db, ids.lateFirst!))?.segment).toBeNull();

    expect(await stageOf("back")).toBe("ACTIVE");
    expect(await stageOf("settled")).toBe("ACTIVE");
    expect((await changesOf("back")).at(-1)).toEqual({ from_stage: "AT_RISK", to_stage: "ACTIVE", reason: { rule: "recovered", daysSince: 3 } });
    expect((await changesOf("settled")).at(-1)).toEqual({ from_stage: "AT_RISK", to_stage: "ACTIVE", reason: { rule: "settled", daysSince: 15 } });
    expect(result.moved).toBe(3);

    const { rows } = await db.sql.query<{ payload: unknown }>("SELECT payload FROM outbox WHERE destination = 'UDEE'");
    const core = createCore({ services, defaultLocale: "en", defaultTimezone: "Asia/Shanghai" });
    const alert = textOf({ kind: "message", message: await core.renderNotification(rows[0]!.payload) });
    expect(alert).toContain("Back Co — at risk → active · buying again: last order 3 days ago");
    expect(alert).toContain("Settled Co — at risk → active · no longer at risk: last order 15 days ago");
  });

  it("brings a churned customer or a lead to active only for an order fewer than 180 days old", async () => {
    const rep = (await services.getRep(dee))!;
    const order = (key: string, daysAgo: number) =>
      services.getCustomer(ids[key]!).then((customer) => services.recordOrder(rep, { customer: customer!, amount: new Decimal(500), currency: "CNY", product: null, orderedAt: ago(daysAgo) }));

    expect((await order("churned", 200)).stageChange).toBeUndefined();
    expect(await stageOf("churned")).toBe("CHURNED");
    expect((await order("lead", 190)).stageChange).toBeUndefined();
    expect(await stageOf("lead")).toBe("LEAD");
    expect(await changesOf("churned")).toEqual([]);
    // The next scan has nothing to undo.
    await scanCustomerStages(deps, { now: new Date(NOW.getTime() + DAY), timeZone: "Asia/Shanghai" });
    expect(await stageOf("churned")).toBe("CHURNED");
    expect(await stageOf("lead")).toBe("LEAD");
    expect(await changesOf("churned")).toEqual([]);

    expect((await order("churned", 179)).stageChange).toEqual({ from: "CHURNED", to: "ACTIVE" });
    expect((await order("freshLead", 10)).stageChange).toEqual({ from: "PROSPECT", to: "ACTIVE" });
    expect(await changesOf("churned")).toEqual([{ from_stage: "CHURNED", to_stage: "ACTIVE", reason: { rule: "purchase" } }]);
  });
});
