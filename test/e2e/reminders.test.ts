import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServices } from "../../src/services/index.js";
import { startBot, startBotUnderTest, useDatabaseAndSlack, type BotUnderTest } from "../support/bot.js";
import { deleteKeys } from "../support/redis.js";
import { SlackDriver, findButton, visibleText } from "../support/slack-driver.js";
import { eventually, type FakeSlackApi } from "../fakes/fake-slack-api.js";
import { testServiceDeps } from "../support/core.js";
import { TEST_REDIS_URL } from "../support/env.js";
import { Redis } from "ioredis";

const li = { id: "U0LINA", name: "li.na" };

/** Messages the bot posted to a user's DM (chat.postMessage with the user id as channel). */
const dmsTo = (slack: FakeSlackApi, userId: string) => slack.callsTo("chat.postMessage").filter((c) => c.body.channel === userId);

describe("/remind end to end", () => {
  let t: BotUnderTest;
  let slack: SlackDriver;
  beforeAll(async () => {
    t = await startBotUnderTest();
    slack = new SlackDriver(t.base, t.slack);
    t.slack.addUser({ id: li.id, name: li.name, realName: "Li Na", locale: "en-US", tz: "Asia/Shanghai" });
    await slack.ask(li, "/customer", "add Acme Ltd");
  });
  afterAll(() => t.stop());

  it("sends the due reminder as a DM with Done, Snooze and Tomorrow buttons, and the buttons work", async () => {
    const reply = await slack.ask(li, "/remind", "in 3 seconds call Acme about the renewal");
    expect(reply.text).toContain("I'll remind you");
    expect(reply.text).toContain("about Acme Ltd: call Acme about the renewal");
    const dm = await eventually(() => dmsTo(t.slack, li.id)[0], 10_000);
    const blocks = dm.body.blocks as Record<string, unknown>[];
    expect(visibleText(blocks)).toContain("Reminder: call Acme about the renewal");
    expect(visibleText(blocks)).toContain("About Acme Ltd");
    const { rows } = await t.db.sql.query("SELECT id, status, late FROM reminders");
    expect(rows).toMatchObject([{ status: "FIRED", late: false }]);

    const snoozed = await slack.pressAndRead(li, findButton(blocks, "reminder.snooze"));
    expect(snoozed.replace_original).toBe(true);
    expect(visibleText(snoozed.blocks as Record<string, unknown>[])).toContain("Snoozed until");
    const after = await t.db.sql.query<{ status: string; due_at: Date }>("SELECT status, due_at FROM reminders");
    expect(after.rows[0]!.status).toBe("PENDING");
    expect(after.rows[0]!.due_at.getTime()).toBeGreaterThan(Date.now() + 59 * 60_000);

    const tomorrow = await slack.pressAndRead(li, findButton(blocks, "reminder.tomorrow"));
    expect(visibleText(tomorrow.blocks as Record<string, unknown>[])).toContain("Snoozed until");
    const nextMorning = await t.db.sql.query<{ local: string }>("SELECT to_char(due_at AT TIME ZONE 'Asia/Shanghai', 'HH24:MI') AS local, due_at > now() AS ahead FROM reminders");
    expect(nextMorning.rows[0]).toEqual({ local: "09:00", ahead: true });

    const done = await slack.pressAndRead(li, findButton(blocks, "reminder.done"));
    expect(visibleText(done.blocks as Record<string, unknown>[])).toContain("Done: call Acme about the renewal");
    expect((await t.db.sql.query("SELECT status FROM reminders")).rows).toEqual([{ status: "DONE" }]);
    expect(dmsTo(t.slack, li.id)).toHaveLength(1);
  });

  it("refuses a past time or a phrase that is not a time, and saves nothing", async () => {
    const before = (await t.db.sql.query("SELECT count(*)::int AS n FROM reminders")).rows[0] as { n: number };
    expect((await slack.ask(li, "/remind", "2020-01-01 10:00 too late")).text).toContain("has already passed");
    expect((await slack.ask(li, "/remind", "someday call Acme")).text).toContain("I could not read a time");
    expect((await slack.ask(li, "/remind", "tomorrow 9am")).text).toContain("Remind you of what");
    expect((await t.db.sql.query("SELECT count(*)::int AS n FROM reminders")).rows[0]).toEqual(before);
  });

  it("links a reminder to a customer named before the time", async () => {
    const reply = await slack.ask(li, "/remind", "Acme tomorrow 9am send the quote");
    expect(reply.text).toContain("about Acme Ltd: send the quote");
    const { rows } = await t.db.sql.query("SELECT c.name FROM reminders r JOIN customers c ON c.id = r.customer_id WHERE r.text = 'send the quote'");
    expect(rows).toEqual([{ name: "Acme Ltd" }]);
  });

  it("links a customer named anywhere in the text, in Chinese too, and links none when the words fit several", async () => {
    await slack.ask(li, "/customer", "add 阿里巴巴");
    await slack.ask(li, "/customer", "add 深圳市腾讯计算机系统有限公司");
    await slack.ask(li, "/customer", "add 北京星辰科技有限公司");
    await slack.ask(li, "/customer", "add 上海星辰贸易有限公司");
    const linked = async (text: string) => {
      await slack.ask(li, "/remind", text);
      const { rows } = await t.db.sql.query<{ name: string | null }>("SELECT c.name FROM reminders r LEFT JOIN customers c ON c.id = r.customer_id ORDER BY r.created_at DESC LIMIT 1");
      return rows[0]?.name ?? null;
    };
    expect(await linked("明天上午10点 给阿里巴巴打电话")).toBe("阿里巴巴");
    expect(await linked("给阿里巴巴打电话 明天")).toBe("阿里巴巴");
    expect(await linked("跟进腾讯合同 下周一")).toBe("深圳市腾讯计算机系统有限公司");
    expect(await linked("tomorrow 9am review the contract with acme ltd")).toBe("Acme Ltd");
    // 星辰 is the short name of two customers: no guess; the full name links.
    expect(await linked("给星辰打电话 明天")).toBeNull();
    expect(await linked("明天 给上海星辰贸易有限公司发合同")).toBe("上海星辰贸易有限公司");
    expect(await linked("tomorrow 9am plan the week")).toBeNull();
  });

  it("shows admins what could not be delivered, with a retry that queues it again; other reps may not", async () => {
    await t.db.sql.query(
      `INSERT INTO outbox (id, platform, destination, payload, dedupe_key, status, attempts, last_error, updated_at)
       VALUES (gen_random_uuid(), 'slack', 'C0GONE', '{"type":"reminder.due","reminderId":"00000000-0000-4000-8000-000000000000"}', 'test:failed', 'FAILED', 8, 'channel_not_found', now())`,
    );
    const list = await slack.ask(li, "/crm", "outbox");
    expect(list.text).toContain("Messages that could not be delivered");
    expect(list.text).toContain("slack to C0GONE · 8 attempts · channel_not_found");
    const retried = await slack.pressAndRead(li, findButton(list.blocks, "outbox.retry"));
    expect(visibleText(retried.blocks as Record<string, unknown>[])).toContain("Queued again");
    // The reminder it was about does not exist: the retry ends failed again, with that reason.
    await eventually(async () => {
      const { rows } = await t.db.sql.query<{ status: string; last_error: string }>("SELECT status, last_error FROM outbox WHERE dedupe_key = 'test:failed'");
      return rows[0]?.status === "FAILED" && rows[0].last_error.includes("no longer exists");
    }, 10_000);
    const other = { id: "U0NOTADMIN", name: "rep" };
    expect((await slack.ask(other, "/crm", "outbox")).text).toContain("You are not allowed to do that.");
  });

  /** How a reminder's due time reads in a zone, by Postgres' own clock arithmetic. */
  async function dueIn(text: string, timeZone: string): Promise<string | undefined> {
    const { rows } = await t.db.sql.query<{ due: string }>("SELECT to_char(due_at AT TIME ZONE $2, 'YYYY-MM-DD HH24:MI') AS due FROM reminders WHERE text = $1", [text, timeZone]);
    return rows[0]?.due;
  }

  /** "Thu 3 Dec 2027, 10:00" / "2027年12月3日 周五 10:00" for a local date and time, built apart from the bot's formatter. */
  function shown(local: string, locale: "en" | "zh-CN"): string {
    const [date = "", time = ""] = local.split(" ");
    const [y, m, d] = date.split("-").map(Number) as [number, number, number];
    const noon = new Date(Date.UTC(y, m - 1, d, 12));
    const weekday = new Intl.DateTimeFormat(locale, { weekday: "short", timeZone: "UTC" }).format(noon);
    if (locale === "zh-CN") return `${y}年${m}月${d}日 ${weekday} ${time}`;
    return `${weekday} ${d} ${new Intl.DateTimeFormat("en", { month: "short", timeZone: "UTC" }).format(noon)} ${y}, ${time}`;
  }

  it("saves an explicit date and time as that local time, and the confirmation shows weekday and date", async () => {
    // Next year, so the date is ahead whenever the test runs.
    const year = new Date().getUTCFullYear() + 1;
    const reply = await slack.ask(li, "/remind", `${year}-12-03 10:00 past due invoice for Acme`);
    expect(await dueIn("past due invoice for Acme", "Asia/Shanghai")).toBe(`${year}-12-03 10:00`);
    expect(reply.text).toContain(`I'll remind you on ${shown(`${year}-12-03 10:00`, "en")} (Asia/Shanghai, `);
    expect(reply.text).toContain("about Acme Ltd: past due invoice for Acme");

    const ny = { id: "U0NYC", name: "sam" };
    t.slack.addUser({ ...ny, realName: "Sam", locale: "en-US", tz: "America/New_York" });
    const summer = await slack.ask(ny, "/remind", `Jul 4 ${year} 10am may call back`);
    expect(await dueIn("may call back", "America/New_York")).toBe(`${year}-07-04 10:00`);
    expect(await dueIn("may call back", "UTC")).toBe(`${year}-07-04 14:00`);
    expect(summer.text).toContain(`on ${shown(`${year}-07-04 10:00`, "en")} (America/New_York, `);
  });

  it("reads the time at the end and \"next friday\" as the Friday of next week", async () => {
    const reply = await slack.ask(li, "/remind", "call Acme about the second quote next friday 3pm");
    const { rows } = await t.db.sql.query<{ expected: string }>(
      "SELECT to_char(date_trunc('week', now() AT TIME ZONE 'Asia/Shanghai') + interval '11 days 15 hours', 'YYYY-MM-DD HH24:MI') AS expected",
    );
    const expected = rows[0]!.expected;
    expect(await dueIn("call Acme about the second quote", "Asia/Shanghai")).toBe(expected);
    expect(reply.text).toContain(`I'll remind you on ${shown(expected, "en")} (Asia/Shanghai, `);
    expect(reply.text).toContain("about Acme Ltd: call Acme about the second quote");
  });

  it("gives a Chinese-speaking rep the same day and time, confirmed in Chinese", async () => {
    const wang = { id: "U0WANG", name: "wang" };
    t.slack.addUser({ ...wang, realName: "王伟", locale: "zh-CN", tz: "Asia/Shanghai" });
    const reply = await slack.ask(wang, "/remind", "给Acme发第二份报价 下周五下午3点");
    const { rows } = await t.db.sql.query<{ expected: string }>(
      "SELECT to_char(date_trunc('week', now() AT TIME ZONE 'Asia/Shanghai') + interval '11 days 15 hours', 'YYYY-MM-DD HH24:MI') AS expected",
    );
    const expected = rows[0]!.expected;
    expect(await dueIn("给Acme发第二份报价", "Asia/Shanghai")).toBe(expected);
    expect(reply.text).toContain(`好的，${shown(expected, "zh-CN")}（Asia/Shanghai，`);
    // The customer named inside the Chinese text is linked.
    expect(reply.text).toContain("提醒你（Acme Ltd）：给Acme发第二份报价");

    const year = new Date().getUTCFullYear() + 1;
    const dated = await slack.ask(wang, "/remind", `${year}年12月3日 上午10点 续约`);
    expect(await dueIn("续约", "Asia/Shanghai")).toBe(`${year}-12-03 10:00`);
    expect(dated.text).toContain(shown(`${year}-12-03 10:00`, "zh-CN"));
  });

  it("lists open reminders with cancel buttons", async () => {
    await slack.ask(li, "/remind", "明天上午9点 给王总发报价");
    const list = await slack.ask(li, "/remind", "list");
    expect(list.text).toContain("给王总发报价");
    const item = list.blocks.find((b) => JSON.stringify(b).includes("给王总发报价")) as { accessory: Parameters<typeof slack.pressAndRead>[1] };
    const cancelled = await slack.pressAndRead(li, item.accessory);
    expect(visibleText(cancelled.blocks as Record<string, unknown>[])).toContain("Cancelled: 给王总发报价");
  });
});

describe("the outbox and jobs against real Redis and Postgres", () => {
  /** What a worker killed after claiming a delivery leaves behind: SENDING, long untouched. */
  async function interruptedDelivery(userId: string, text: string): Promise<string> {
    const services = createServices(testServiceDeps(fixture.db.store));
    const rep = await services.registerRep({ platform: "slack", externalId: userId, displayName: userId });
    const reminder = await services.scheduleReminder(rep, { text, dueAt: new Date(Date.now() - 1_000), customerId: null });
    await fixture.db.sql.query("UPDATE reminders SET status = 'FIRED' WHERE id = $1", [reminder.id]);
    const { rows } = await fixture.db.sql.query<{ id: string }>(
      `INSERT INTO outbox (id, platform, destination, payload, dedupe_key, status, attempts, updated_at)
       VALUES (gen_random_uuid(), 'slack', $1, $2, $3, 'SENDING', 1, now() - interval '10 minutes') RETURNING id`,
      [userId, JSON.stringify({ type: "reminder.due", reminderId: reminder.id }), `reminder:${reminder.id}:interrupted`],
    );
    return rows[0]!.id;
  }

  const fixture = useDatabaseAndSlack();

  async function remindIn(ms: number, text: string, userId: string) {
    const services = createServices(testServiceDeps(fixture.db.store));
    const rep = await services.registerRep({ platform: "slack", externalId: userId, displayName: userId });
    // Saved the way /remind saves it, but without a job: the workers must find it from the row.
    return services.scheduleReminder(rep, { text, dueAt: new Date(Date.now() + ms), customerId: null });
  }

  it("fires a reminder exactly once with two worker processes, from the row alone", async () => {
    const prefix = `crmtest-${randomBytes(5).toString("hex")}`;
    const reminder = await remindIn(1_500, "two workers", "U0TWO");
    const a = await startBot(fixture.db, fixture.slack, prefix, { role: "worker", sweepEveryMs: 500 });
    const b = await startBot(fixture.db, fixture.slack, prefix, { role: "worker", sweepEveryMs: 500 });
    try {
      await eventually(() => dmsTo(fixture.slack, "U0TWO").length > 0, 10_000);
      await new Promise((r) => setTimeout(r, 2_000));
      expect(dmsTo(fixture.slack, "U0TWO")).toHaveLength(1);
      expect((await fixture.db.sql.query("SELECT status FROM reminders WHERE id = $1", [reminder.id])).rows).toEqual([{ status: "FIRED" }]);
    } finally {
      await a.stop();
      await b.stop();
      await deleteKeys(prefix);
    }
  });

  it("still fires once after Redis lost every job (FLUSHDB) and the bot restarted", async () => {
    const prefix = `crmtest-${randomBytes(5).toString("hex")}`;
    // A Redis database of this test's own, so flushing it cannot touch other test files' jobs.
    const lonely = new URL(TEST_REDIS_URL);
    lonely.pathname = "/13";
    const env = { REDIS_URL: lonely.toString() };
    const reminder = await remindIn(3_000, "after redis loss", "U0LOSS");
    const first = await startBot(fixture.db, fixture.slack, prefix, { role: "worker", env });
    await new Promise((r) => setTimeout(r, 500)); // the reconcile pass at start has made its job
    await first.stop();
    const redis = new Redis(lonely.toString());
    expect(await redis.dbsize()).toBeGreaterThan(0);
    await redis.flushdb();
    redis.disconnect();
    const second = await startBot(fixture.db, fixture.slack, prefix, { role: "worker", env });
    try {
      const dm = await eventually(() => dmsTo(fixture.slack, "U0LOSS")[0], 10_000);
      expect(visibleText(dm.body.blocks as Record<string, unknown>[])).toContain("after redis loss");
      await new Promise((r) => setTimeout(r, 1_000));
      expect(dmsTo(fixture.slack, "U0LOSS")).toHaveLength(1);
      expect((await fixture.db.sql.query("SELECT status FROM reminders WHERE id = $1", [reminder.id])).rows).toEqual([{ status: "FIRED" }]);
    } finally {
      await second.stop();
      const cleanup = new Redis(lonely.toString());
      await cleanup.flushdb();
      cleanup.disconnect();
    }
  });

  it("fires an overdue reminder once at start-up, marked late", async () => {
    const prefix = `crmtest-${randomBytes(5).toString("hex")}`;
    const reminder = await remindIn(200, "while we were down", "U0LATE");
    await fixture.db.sql.query("UPDATE reminders SET due_at = now() - interval '10 minutes' WHERE id = $1", [reminder.id]);
    const bot = await startBot(fixture.db, fixture.slack, prefix, { role: "worker" });
    try {
      const dm = await eventually(() => dmsTo(fixture.slack, "U0LATE")[0], 10_000);
      expect(visibleText(dm.body.blocks as Record<string, unknown>[])).toContain("This comes late");
      expect((await fixture.db.sql.query("SELECT late FROM reminders WHERE id = $1", [reminder.id])).rows).toEqual([{ late: true }]);
    } finally {
      await bot.stop();
      await deleteKeys(prefix);
    }
  });

  it("waits out Slack's 429 Retry-After and then delivers once", async () => {
    const prefix = `crmtest-${randomBytes(5).toString("hex")}`;
    fixture.slack.overrides.set("chat.postMessage", [{ status: 429, headers: { "retry-after": "1" }, body: { ok: false, error: "ratelimited" } }]);
    const reminder = await remindIn(100, "rate limited", "U0RATE");
    const bot = await startBot(fixture.db, fixture.slack, prefix, { role: "worker" });
    try {
      await eventually(async () => {
        const { rows } = await fixture.db.sql.query<{ status: string }>("SELECT status FROM outbox WHERE payload->>'reminderId' = $1", [reminder.id]);
        return rows[0]?.status === "SENT";
      }, 15_000);
      const calls = dmsTo(fixture.slack, "U0RATE");
      expect(calls).toHaveLength(2); // the refused one and the delivered one
      // A 429 is not a failed attempt: Slack only asked us to wait.
      const { rows } = await fixture.db.sql.query("SELECT attempts, status FROM outbox WHERE payload->>'reminderId' = $1", [reminder.id]);
      expect(rows).toEqual([{ attempts: 1, status: "SENT" }]);
    } finally {
      await bot.stop();
      await deleteKeys(prefix);
    }
  });

  it("ends a message Slack refuses for good as visibly failed, with the reason", async () => {
    const prefix = `crmtest-${randomBytes(5).toString("hex")}`;
    fixture.slack.overrides.set("chat.postMessage", [{ status: 200, body: { ok: false, error: "channel_not_found" } }]);
    const reminder = await remindIn(100, "nowhere to go", "U0GONE");
    const bot = await startBot(fixture.db, fixture.slack, prefix, { role: "worker" });
    try {
      const row = await eventually(async () => {
        const { rows } = await fixture.db.sql.query<{ status: string; last_error: string }>("SELECT status, last_error FROM outbox WHERE payload->>'reminderId' = $1", [reminder.id]);
        return rows[0]?.status === "FAILED" ? rows[0] : undefined;
      }, 10_000);
      expect(row.last_error).toBe("channel_not_found");
      const metrics = await (await fetch(`http://127.0.0.1:${bot.port}/metrics`)).text();
      expect(metrics).toMatch(/crm_outbox_deliveries_total\{outcome="failed"\} 1/);
    } finally {
      await bot.stop();
      await deleteKeys(prefix);
    }
  });

  it("hands a message whose worker died before Slack got it to another attempt, which sends it once", async () => {
    const prefix = `crmtest-${randomBytes(5).toString("hex")}`;
    const outboxId = await interruptedDelivery("U0DIED", "worker died");
    const bot = await startBot(fixture.db, fixture.slack, prefix, { role: "worker" });
    try {
      await eventually(() => dmsTo(fixture.slack, "U0DIED").length > 0, 10_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(dmsTo(fixture.slack, "U0DIED")).toHaveLength(1);
      expect((await fixture.db.sql.query("SELECT status, attempts FROM outbox WHERE id = $1", [outboxId])).rows).toEqual([{ status: "SENT", attempts: 2 }]);
    } finally {
      await bot.stop();
      await deleteKeys(prefix);
    }
  });

  it("does not send again what Slack already got when the worker died before recording it", async () => {
    const prefix = `crmtest-${randomBytes(5).toString("hex")}`;
    const outboxId = await interruptedDelivery("U0SENT", "already delivered");
    // Slack took the message (with the outbox id in its metadata) just before the worker died.
    fixture.slack.channels.set("DU0SENT", [{ ts: "1763000000.000100", text: "Reminder: already delivered", metadata: { event_type: "crm_outbox_message", event_payload: { outbox_id: outboxId } } }]);
    const bot = await startBot(fixture.db, fixture.slack, prefix, { role: "worker" });
    try {
      const row = await eventually(async () => {
        const { rows } = await fixture.db.sql.query<{ status: string; external_id: string }>("SELECT status, external_id FROM outbox WHERE id = $1", [outboxId]);
        return rows[0]?.status === "SENT" ? rows[0] : undefined;
      }, 10_000);
      expect(row.external_id).toBe("1763000000.000100");
      expect(dmsTo(fixture.slack, "U0SENT")).toHaveLength(0);
      expect(fixture.slack.callsTo("conversations.history").some((c) => c.body.channel === "DU0SENT")).toBe(true);
    } finally {
      await bot.stop();
      await deleteKeys(prefix);
    }
  });
});
