import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digestSchedulerId, JOB, QUEUES } from "../../src/jobs/queues.js";
import type { RunningBot } from "../../src/main.js";
import { startBot, startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { TEST_REDIS_URL } from "../support/env.js";
import { SlackDriver, visibleText } from "../support/slack-driver.js";
import { eventually } from "../fakes/fake-slack-api.js";
import { decode } from "fast-png";
import { Decimal } from "../../src/domain/money.js";
import { instantOfLocalTime, dateInZone } from "../../src/domain/time/calendar-date.js";

const startOfTodayInShanghai = () => instantOfLocalTime(dateInZone(new Date(), "Asia/Shanghai"), "Asia/Shanghai", 0, 0);

/**
 * The morning digest through Slack: subscribing a channel makes a BullMQ job scheduler at the
 * channel's local time; the job posts the digest once per local day through the outbox, however
 * many workers take it.
 */
const li = { id: "U0DIGLI", name: "li.na" };
const SALES = "C0DIGSALES";

let t: BotUnderTest;
let slack: SlackDriver;
let redis: Redis;
let digests: Queue;
let secondWorker: RunningBot | undefined;

beforeAll(async () => {
  t = await startBotUnderTest({ sweepEveryMs: 60_000 });
  slack = new SlackDriver(t.base, t.slack);
  t.slack.addUser({ id: li.id, name: li.name, realName: "Li Na", locale: "en-US", tz: "Asia/Shanghai" });
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  digests = new Queue(QUEUES.digests, { connection: redis, prefix: t.prefix });
}, 30_000);

afterAll(async () => {
  await secondWorker?.stop();
  await digests.close();
  redis.disconnect();
  await t.stop();
});

interface Subscription {
  id: string;
  channel: string;
  local_time: string;
  timezone: string;
  locale: string;
}

const subscriptions = async () => (await t.db.sql.query<Subscription>("SELECT id, channel, local_time, timezone, locale FROM digest_subscriptions ORDER BY created_at")).rows;

async function ask(text: string, channel = SALES) {
  const { http } = await slack.command(li, "/digest", text, channel);
  expect(http.status).toBe(200);
  const body = http.json();
  return { text: JSON.stringify(body.blocks ?? body.text ?? ""), body };
}

describe("/digest", () => {
  it("subscribes the channel it is typed in, at the given local time and zone, with one job scheduler", async () => {
    const reply = await ask("subscribe 08:30 America/New_York");
    expect(reply.text).toContain("the morning digest comes to this channel every day at 08:30 (America/New_York)");
    const [row] = await subscriptions();
    expect(row).toMatchObject({ channel: SALES, local_time: "08:30", timezone: "America/New_York", locale: "en" });
    const scheduler = await digests.getJobScheduler(digestSchedulerId(row!.id));
    expect(scheduler).toMatchObject({ pattern: "30 8 * * *", tz: "America/New_York" });

    // Subscribing again moves it; there is still one subscription and one schedule.
    const moved = await ask("subscribe 7:45");
    expect(moved.text).toContain("Updated");
    expect(moved.text).toContain("07:45 (America/New_York)"); // no zone given: the one it had
    expect(await subscriptions()).toHaveLength(1);
    expect(await digests.getJobScheduler(digestSchedulerId(row!.id))).toMatchObject({ pattern: "45 7 * * *", tz: "America/New_York" });
    const zone = await ask("subscribe Asia/Shanghai");
    expect(zone.text).toContain("07:45 (Asia/Shanghai)"); // and the time it had
    expect(await digests.getJobScheduler(digestSchedulerId(row!.id))).toMatchObject({ pattern: "45 7 * * *", tz: "Asia/Shanghai" });
    // Bare /digest shows yesterday's digest and says whether this conversation gets it.
    const bare = await ask("");
    expect(bare.text).toContain("A quiet day on"); // nothing has happened yet in this install
    expect(bare.text).toContain("every day at 07:45 (Asia/Shanghai)");
  });

  it("takes a channel picked from Slack's list, and refuses what it cannot read without changing anything", async () => {
    const named = await ask("subscribe <#C0DIGOPS|ops> 09:00 Europe/Berlin", "D0DIGDM");
    expect(named.text).toContain("the morning digest comes to #ops every day at 09:00 (Europe/Berlin)");
    // Typed in a DM with the bot, it comes to that person's DM.
    const dm = await ask("subscribe 06:00 Asia/Tokyo", "D0DIGDM");
    expect(dm.text).toContain("your direct messages with me");
    expect((await subscriptions()).find((s) => s.channel === li.id)).toMatchObject({ local_time: "06:00", timezone: "Asia/Tokyo" });
    expect((await ask("off", "D0DIGDM")).text).toContain("no longer comes to your direct messages with me");
    const before = await subscriptions();
    for (const bad of ["subscribe 25:00", "subscribe 08:30 Mars/Olympus", "subscribe 08:30 CST", "subscribe #ops", "off #ops", "subscribe 08:30 soon", "weekly please"]) {
      const reply = await ask(bad);
      expect(reply.body.response_type).toBe("ephemeral");
      expect(reply.text).toMatch(/I don't understand|came through as plain text|Use \/digest subscribe/);
    }
    expect(await subscriptions()).toEqual(before);
  });

  it("turns off, and says so when there was nothing to turn off", async () => {
    const [ops] = (await subscriptions()).filter((s) => s.channel === "C0DIGOPS");
    expect((await ask("off <#C0DIGOPS|ops>")).text).toContain("The morning digest no longer comes to #ops");
    expect(await digests.getJobScheduler(digestSchedulerId(ops!.id))).toBeUndefined();
    expect((await ask("off <#C0DIGOPS|ops>")).text).toContain("No morning digest comes to #ops, so nothing changed");
    expect((await subscriptions()).map((s) => s.channel)).toEqual([SALES]);
  });

  it("is posted once per local day when the scheduler fires, even with two workers and repeated fires", async () => {
    secondWorker = await startBot(t.db, t.slack, t.prefix, { role: "worker", sweepEveryMs: 60_000 });
    const [sales] = await subscriptions();
    // Something happened yesterday (Shanghai, the subscription's zone): an order of 4,321.
    const services = t.bot.services;
    const rep = await services.registerRep({ platform: "slack", externalId: li.id, displayName: "Li Na" });
    const { customer } = await services.addCustomer(rep, "Digest Buyer Co");
    await services.recordOrder(rep, { customer, amount: new Decimal("4321"), currency: "CNY", product: null, orderedAt: new Date(startOfTodayInShanghai().getTime() - 3_600_000) });
    // Stand in for 07:45 arriving several times over (a re-fire, a second worker): the same job
    // every 300 ms, from a scheduler of the test's own (the workers' reconcile keeps the real one daily).
    const fast = `test-fast-${sales!.id}`;
    await digests.upsertJobScheduler(fast, { every: 300 }, { name: JOB.digest, data: { subscriptionId: sales!.id } });
    await eventually(() => t.slack.callsTo("chat.postMessage").some((c) => c.body.channel === SALES), 10_000);
    // Let it fire several more times: every later run of the same local day finds the digest sent.
    const firstNext = (await digests.getJobScheduler(fast))?.next ?? 0;
    await eventually(async () => ((await digests.getJobScheduler(fast))?.next ?? 0) >= firstNext + 1_500, 10_000);
    await digests.removeJobScheduler(fast);
    expect(await digests.getJobScheduler(digestSchedulerId(sales!.id))).toMatchObject({ pattern: "45 7 * * *", tz: "Asia/Shanghai" });
    const posts = t.slack.callsTo("chat.postMessage").filter((c) => c.body.channel === SALES);
    expect(posts).toHaveLength(1);
    const outbox = async () => (await t.db.sql.query<{ n: number; status: string }>("SELECT count(*)::int AS n, max(status::text) AS status FROM outbox WHERE dedupe_key LIKE 'digest:%'")).rows[0]!;
    // SENT once its chart is uploaded too.
    await eventually(async () => (await outbox()).status === "SENT");
    expect(await outbox()).toEqual({ n: 1, status: "SENT" });
    const posted = visibleText(posts[0]!.body.blocks as Record<string, unknown>[]);
    expect(posted).toContain("Morning digest");
    expect(posted).toMatch(/4,321\.00, orders: 1/);
    // Its one chart, the revenue of the last 14 days, as a PNG in the same channel.
    const upload = await eventually(() => t.slack.uploads.find((u) => u.channel === SALES));
    expect(upload.title).toBe("Revenue, last 14 days");
    const png = decode(upload.bytes!);
    expect(png.width).toBeGreaterThan(600);
  });

  it("shows yesterday's digest to whoever asks, with its chart in their DM", async () => {
    const reply = await ask("now");
    expect(reply.body.response_type).toBe("ephemeral");
    expect(reply.text).toContain("Morning digest");
    expect(reply.text).toContain("4,321.00");
    const upload = await eventually(() => t.slack.uploads.find((u) => u.channel === `D${li.id}`));
    expect(decode(upload.bytes!).height).toBeGreaterThan(100);
  });
});
