import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Decimal } from "../../src/domain/money.js";
import { createFormatter, translator } from "../../src/i18n/index.js";
import { digestView } from "../../src/commands/views/digest.js";
import type { Block, Message } from "../../src/reply/reply.js";
import { createServices, reconcileJobs, sendDigest, type Services } from "../../src/services/index.js";
import type { DigestContent } from "../../src/services/digest/build-digest.js";
import type { CustomerSummary, Rep } from "../../src/store/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { recordingScheduler, testServiceDeps } from "../support/core.js";

/**
 * The digest of a fixed day in Shanghai, on crafted data whose every figure is known: the run is
 * 2026-11-23 08:30 local (00:30 UTC), so it reports on Sunday 22 November, which runs from
 * 2026-11-21T16:00Z to 2026-11-22T16:00Z.
 */
const TZ = "Asia/Shanghai";
const RUN = new Date("2026-11-23T00:30:00Z");
const local = (date: string, time: string) => new Date(`${date}T${time}:00+08:00`);

let db: TestDatabase;
let services: Services;
let li: Rep;
let tom: Rep;
const customers: Record<string, CustomerSummary> = {};

async function customer(name: string, owner: Rep, createdAt: Date): Promise<CustomerSummary> {
  const { customer } = await services.addCustomer(owner, name);
  await db.sql.query("UPDATE customers SET created_at = $2 WHERE id = $1", [customer.id, createdAt]);
  customers[name] = customer;
  return customer;
}

async function order(name: string, amount: string, at: Date): Promise<void> {
  const c = customers[name]!;
  await services.recordOrder(li, { customer: (await services.getCustomer(c.id))!, amount: new Decimal(amount), currency: "CNY", product: null, orderedAt: at });
}

async function interaction(name: string, channel: string, direction: string, at: Date): Promise<void> {
  await db.sql.query("INSERT INTO interactions (id, customer_id, channel, direction, body, occurred_at) VALUES (gen_random_uuid(), $1, $2::\"Channel\", $3::\"Direction\", 'x', $4)", [customers[name]!.id, channel, direction, at]);
}

async function reminder(rep: Rep, text: string, due: Date, status = "PENDING", about?: string): Promise<void> {
  await db.sql.query("INSERT INTO reminders (id, user_id, customer_id, text, due_at, status, updated_at) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5::\"ReminderStatus\", now())", [rep.id, about ? customers[about]!.id : null, text, due, status]);
}

async function survey(name: string, score: number, answeredAt: Date, comment: string | null, servedBy: Rep): Promise<void> {
  await db.sql.query(
    "INSERT INTO surveys (id, customer_id, served_by_id, kind, status, score, comment, sent_at, answered_at) VALUES (gen_random_uuid(), $1, $2, 'CSAT', 'ANSWERED', $3, $4, $5, $5)",
    [customers[name]!.id, servedBy.id, score, comment, answeredAt],
  );
}

function text(message: Message): string {
  const parts = (b: Block): string[] => {
    switch (b.type) {
      case "fields":
        return b.fields.map((f) => `${f.label}: ${f.value}`);
      case "list":
        return [b.title ?? "", ...b.items.map((i) => `${i.title} ${i.detail ?? ""}`)];
      case "chart":
        return [b.alt];
      case "header":
      case "text":
      case "context":
        return [b.text];
      default:
        return [];
    }
  };
  return message.blocks.flatMap(parts).join("\n");
}

const render = (content: DigestContent, locale: "en" | "zh-CN") => digestView({ t: translator(locale), f: createFormatter(locale, TZ), now: RUN }, content);

beforeAll(async () => {
  db = await createTestDatabase();
  services = createServices(testServiceDeps(db.store, { now: () => RUN }));
  li = await services.registerRep({ platform: "slack", externalId: "U0DLI", displayName: "Li Na", timezone: TZ, locale: "en" });
  tom = await services.registerRep({ platform: "slack", externalId: "U0DTOM", displayName: "Tom", timezone: TZ, locale: "en" });

  await customer("Gamma Trading", li, local("2026-01-05", "10:00"));
  await customer("Acme", li, local("2026-11-22", "09:00")); // a new lead yesterday, no order
  await customer("Beta Foods", tom, local("2026-11-22", "11:00")); // new yesterday, and bought
  await customer("Old Lead", tom, local("2026-11-21", "23:59")); // the day before: not yesterday's

  await order("Gamma Trading", "800", local("2026-11-15", "10:00")); // same weekday last week
  await order("Gamma Trading", "500", local("2026-11-21", "15:00")); // the day before
  await order("Beta Foods", "300", local("2026-11-22", "00:00")); // yesterday, first instant
  await order("Gamma Trading", "700", local("2026-11-22", "23:59")); // yesterday, last minute
  await order("Gamma Trading", "9999", local("2026-11-23", "00:00")); // today: not yesterday's

  await interaction("Acme", "WECHAT", "INBOUND", local("2026-11-22", "09:00"));
  await interaction("Acme", "WECHAT", "INBOUND", local("2026-11-22", "09:05"));
  await interaction("Acme", "WECHAT", "OUTBOUND", local("2026-11-22", "09:30"));
  await interaction("Gamma Trading", "CALL", "INTERNAL", local("2026-11-22", "14:00"));
  await interaction("Gamma Trading", "CALL", "INTERNAL", local("2026-11-23", "07:00")); // today

  await reminder(li, "send the quote", local("2026-11-23", "09:00"), "PENDING", "Acme");
  await reminder(li, "call back", local("2026-11-23", "16:00"), "FIRED", "Gamma Trading");
  await reminder(li, "done already", local("2026-11-23", "10:00"), "DONE");
  await reminder(tom, "visit", local("2026-11-23", "23:59"));
  await reminder(tom, "tomorrow's", local("2026-11-24", "00:00"));

  await db.sql.query(
    "INSERT INTO customer_stage_changes (id, customer_id, from_stage, to_stage, reason, owner_id, changed_at) VALUES (gen_random_uuid(), $1, 'ACTIVE', 'AT_RISK', $2, $3, $4)",
    [customers["Gamma Trading"]!.id, JSON.stringify({ rule: "gap", daysSince: 62, medianGapDays: 20 }), li.id, local("2026-11-23", "02:00")],
  );
  await survey("Acme", 5, local("2026-11-22", "10:00"), null, li);
  await survey("Beta Foods", 2, local("2026-11-22", "12:00"), "物流太慢", tom);
  await survey("Gamma Trading", 1, local("2026-11-21", "12:00"), "not yesterday", li);
}, 60_000);

afterAll(() => db.drop());

describe("the morning digest of a fixed day", () => {
  it("counts yesterday's leads, customers, revenue, interactions, surveys, and today's reminders", async () => {
    const digest = await services.buildDigest(RUN, TZ);
    expect(digest).toMatchObject({ day: "2026-11-22", runDate: "2026-11-23", newLeads: 2, newCustomers: 1, quiet: false, currency: "CNY" });
    expect(digest.revenue).toEqual({ day: { orders: 2, revenue: 1000 }, dayBefore: { orders: 1, revenue: 500 }, sameWeekdayLastWeek: { orders: 1, revenue: 800 } });
    expect(digest.interactions).toEqual([
      { channel: "CALL", count: 1 },
      { channel: "WECHAT", count: 3 },
    ]);
    expect(digest.reminders.map((r) => ({ name: r.name, count: r.count, first: r.first.map((f) => f.text) }))).toEqual([
      { name: "Li Na", count: 2, first: ["send the quote", "call back"] },
      { name: "Tom", count: 1, first: ["visit"] },
    ]);
    expect(digest.atRisk.total).toBe(1);
    expect(digest.atRisk.items[0]).toMatchObject({ customerName: "Gamma Trading", ownerName: "Li Na" });
    expect(digest.surveys.csat).toMatchObject({ answers: 2, percent: 50, average: 3.5 });
    expect(digest.lowScores).toEqual([{ customerId: expect.any(String) as string, customerName: "Beta Foods", kind: "CSAT", score: 2, comment: "物流太慢", servedByName: "Tom" }]);
    expect(digest.trend).toHaveLength(14);
    expect(digest.trend.at(-1)).toEqual({ day: "2026-11-22", revenue: 1000 });
    expect(digest.trend.at(-2)).toEqual({ day: "2026-11-21", revenue: 500 });
    expect(digest.trend.at(-8)).toEqual({ day: "2026-11-15", revenue: 800 });
  });

  it("reads as one message with the changes and one chart, in English and Chinese", async () => {
    const digest = await services.buildDigest(RUN, TZ);
    const en = render(digest, "en");
    const body = text(en);
    expect(body).toContain("Morning digest");
    expect(body).toContain("New leads: 2");
    expect(body).toContain("New paying customers: 1");
    expect(body).toMatch(/Revenue: .*1,000\.00, orders: 2 · day before .*500\.00 \(\+100\.0%\) · same day last week .*800\.00 \(\+25\.0%\)/);
    expect(body).toContain("Interactions: Calls 1 · WeChat 3");
    expect(body).toContain("Li Na: 2 due Acme · Gamma Trading");
    expect(body).not.toContain("send the quote"); // a reminder's words stay the rep's
    expect(body).toContain("Turned at risk (1)");
    expect(body).toContain("Gamma Trading");
    expect(body).toContain("Beta Foods: CSAT 2 “物流太慢” · served by Tom");
    const charts = en.blocks.filter((b) => b.type === "chart");
    expect(charts).toHaveLength(1);
    expect(charts[0]).toMatchObject({ chart: { kind: "line", valueFormat: "money", currency: "CNY" } });
    const zh = text(render(digest, "zh-CN"));
    expect(zh).toContain("晨报");
    expect(zh).toContain("新线索: 2");
    expect(zh).toContain("互动: 电话 1 · 微信 3");
    expect(zh).toContain("转为流失风险（1）");
  });

  it("reports a customer turned at risk on one morning's digest only", async () => {
    const day = 86_400_000;
    expect((await services.buildDigest(new Date(RUN.getTime() - day), TZ)).atRisk.total).toBe(0);
    expect((await services.buildDigest(RUN, TZ)).atRisk.total).toBe(1);
    expect((await services.buildDigest(new Date(RUN.getTime() + day), TZ)).atRisk.total).toBe(0);
  });

  it("queues one digest per subscription and local day, and a new day when the zone moves west", async () => {
    const jobs = recordingScheduler();
    const deps = testServiceDeps(db.store, { now: () => RUN, jobs });
    const { row } = await db.store.digests.subscribe({ platform: "slack", channel: "C0DIGTEST", localTime: "08:30", timezone: TZ, locale: "en", createdById: li.id });
    expect(await sendDigest(deps, row.id, RUN)).toBe("queued");
    expect(await sendDigest(deps, row.id, new Date(RUN.getTime() + 60_000))).toBe("already-sent");
    expect(jobs.deliveries).toHaveLength(1);
    // Moved to Los Angeles after Shanghai's 23 November run: LA's 23 November is still owed.
    await db.store.digests.subscribe({ platform: "slack", channel: "C0DIGTEST", localTime: "08:30", timezone: "America/Los_Angeles", locale: "en", createdById: li.id });
    const laRun = new Date("2026-11-23T16:30:00Z");
    expect(await sendDigest(deps, row.id, laRun)).toBe("queued");
    expect(await sendDigest(deps, row.id, laRun)).toBe("already-sent");
    const payloads = (await db.sql.query<{ payload: { runDate: string; firedAt: string } }>("SELECT payload FROM outbox WHERE dedupe_key LIKE $1 ORDER BY created_at", [`digest:${row.id}:%`])).rows.map((r) => r.payload);
    expect(payloads.map((p) => [p.runDate, p.firedAt])).toEqual([["2026-11-23", RUN.toISOString()], ["2026-11-23", laRun.toISOString()]]);
    expect(await sendDigest(deps, "00000000-0000-4000-8000-000000000000", RUN)).toBe("gone");
  });

  it("is sent late by the sweep when its schedule missed today's run, once, and not for a run before it was subscribed", async () => {
    const { row } = await db.store.digests.subscribe({ platform: "slack", channel: "C0DIGLATE", localTime: "07:00", timezone: TZ, locale: "zh-CN", createdById: li.id });
    await db.sql.query("UPDATE digest_subscriptions SET updated_at = $2 WHERE id = $1", [row.id, local("2026-11-20", "12:00")]);
    const fresh = await db.store.digests.subscribe({ platform: "slack", channel: "C0DIGFRESH", localTime: "07:00", timezone: TZ, locale: "en", createdById: li.id });
    const jobs = recordingScheduler();
    // 08:30 in Shanghai: 07:00 passed with no digest sent (Redis had lost the schedule).
    const deps = testServiceDeps(db.store, { now: () => RUN, jobs });
    await reconcileJobs(deps, RUN);
    await reconcileJobs(deps, RUN);
    expect([...jobs.digests.keys()]).toEqual(expect.arrayContaining([row.id, fresh.row.id]));
    const sent = async (id: string) => (await db.sql.query<{ payload: { firedAt: string } }>("SELECT payload FROM outbox WHERE dedupe_key LIKE $1", [`digest:${id}:%`])).rows.map((r) => r.payload.firedAt);
    expect(await sent(row.id)).toEqual([local("2026-11-23", "07:00").toISOString()]);
    // Subscribed at 08:30 today, after 07:00: today's run was never owed.
    expect(await sent(fresh.row.id)).toEqual([]);
  });

  it("says a quiet day in one line", async () => {
    const quietRun = new Date("2026-10-08T00:30:00Z");
    const digest = await services.buildDigest(quietRun, TZ);
    expect(digest.quiet).toBe(true);
    const message = render(digest, "en");
    expect(message.blocks).toHaveLength(1);
    expect(message.blocks[0]).toMatchObject({ type: "text" });
    expect(text(message)).toMatch(/^A quiet day on .*: no new leads, orders, conversations or survey answers, and nothing due today\.$/);
  });
});
