import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JOB, QUEUES } from "../../src/jobs/queues.js";
import type { RunningBot } from "../../src/main.js";
import { eventually } from "../fakes/fake-slack-api.js";
import { startBot, startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { TEST_REDIS_URL } from "../support/env.js";
import { SlackDriver, findButton, visibleText, type SlackUser } from "../support/slack-driver.js";

/**
 * Slack Connect through the fake Slack API: a channel whose conversations.info says
 * `is_ext_shared: true` is read by other organisations, so the bot refuses to subscribe it to the
 * digest and to share answers into it, in the asker's language, until an admin allows it with
 * /crm channel allow (audit-logged); non-admins cannot. A subscribed channel that becomes shared
 * stops getting the digest, checked before each send, and its subscriber is told once.
 */
const admin: SlackUser = { id: "U0SCADMIN", name: "wang.wei" };
const alex: SlackUser = { id: "U0SCALEX", name: "alex.chen" };
const li: SlackUser = { id: "U0SCLINA", name: "li.na" };
const PARTNER = "C0SCPARTNER";
const OPS = "C0SCOPS";
const SALES = "C0SCSALES";

let t: BotUnderTest;
let slack: SlackDriver;
let worker: RunningBot | undefined;
let redis: Redis;
let digests: Queue;

beforeAll(async () => {
  // The web process answers commands; digest jobs run in a worker started later, with its own
  // cache of Slack's answers (as a separate process would have).
  t = await startBotUnderTest({ role: "web", env: { ADMIN_SLACK_USER_IDS: admin.id } });
  slack = new SlackDriver(t.base, t.slack);
  t.slack.addUser({ id: admin.id, name: admin.name, realName: "Wang Wei", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: alex.id, name: alex.name, realName: "Alex Chen", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: li.id, name: li.name, realName: "Li Na", locale: "zh-CN", tz: "Asia/Shanghai" });
  t.slack.externallyShared.add(PARTNER);
  t.slack.channelNames.set(PARTNER, "partner-acme");
  t.slack.channelNames.set(OPS, "ops");
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  digests = new Queue(QUEUES.digests, { connection: redis, prefix: t.prefix });
}, 30_000);

afterAll(async () => {
  await worker?.stop();
  await digests.close();
  redis.disconnect();
  await t.stop();
});

/** A slash command typed in `channel`; the reply the person sees. */
async function run(user: SlackUser, command: string, text: string, channel: string): Promise<{ text: string; responseType: unknown; blocks: Record<string, unknown>[] }> {
  const { http } = await slack.command(user, command, text, channel);
  expect(http.status).toBe(200);
  const body = http.json();
  const blocks = (body.blocks as Record<string, unknown>[]) ?? [];
  return { text: visibleText(blocks), responseType: body.response_type, blocks };
}

/** Presses a message's Share button in `channel`; what the bot posted to the response_url. */
async function share(user: SlackUser, channel: string): Promise<{ text: string; responseType: unknown }> {
  const help = await run(user, "/crm", "help", channel);
  const { responseUrl } = await slack.press(user, findButton(help.blocks, "share"), channel);
  const path = new URL(responseUrl).pathname;
  const posted = await eventually(() => t.slack.responses.find((r) => r.path === path));
  return { text: visibleText((posted.body.blocks as Record<string, unknown>[]) ?? []), responseType: posted.body.response_type };
}

const subscriptions = async () => (await t.db.sql.query<{ id: string; channel: string; withheld_at: Date | null }>("SELECT id, channel, withheld_at FROM digest_subscriptions ORDER BY created_at")).rows;
const allowances = async () => (await t.db.sql.query<{ channel: string; channel_name: string | null }>("SELECT channel, channel_name FROM shared_channel_allowances ORDER BY channel")).rows;
const auditRows = async (action: string) =>
  (await t.db.sql.query<{ actor_id: string | null; entity: string; entity_id: string | null; detail: Record<string, unknown> | null }>("SELECT actor_id, entity, entity_id, detail FROM audit_log WHERE action = $1 ORDER BY id", [action])).rows;
const userId = async (user: SlackUser) => (await t.db.sql.query<{ id: string }>("SELECT id FROM users WHERE external_id = $1", [user.id])).rows[0]!.id;

describe("channels shared with other organisations (Slack Connect)", () => {
  it("refuses a digest subscription there, in the asker's language, and subscribes nothing", async () => {
    const here = await run(alex, "/digest", "subscribe 08:30", PARTNER);
    expect(here.responseType).toBe("ephemeral");
    expect(here.text).toContain("The morning digest was not set up: the channel is shared with other organisations (Slack Connect)");
    expect(here.text).toContain("/crm channel allow");
    // Named from an internal channel, it is the named channel that counts.
    const named = await run(alex, "/digest", `subscribe <#${PARTNER}|partner-acme> 09:00`, SALES);
    expect(named.text).toContain("the channel is shared with other organisations");
    const zh = await run(li, "/digest", "订阅 08:30", PARTNER);
    expect(zh.text).toContain("没有设置每日简报：该频道与其他组织共享（Slack Connect）");
    expect(await subscriptions()).toEqual([]);
    // Slack asked, about that channel.
    expect(t.slack.callsTo("conversations.info").some((c) => c.body.channel === PARTNER)).toBe(true);
  });

  it("refuses a channel Slack will not describe, saying what Slack said", async () => {
    t.slack.unknownChannels.add("C0SCGONE");
    const reply = await run(alex, "/digest", "subscribe <#C0SCGONE|gone> 08:30", SALES);
    expect(reply.text).toContain("I could not check whether the channel is shared with other organisations (Slack said channel_not_found)");
    expect(await subscriptions()).toEqual([]);
  });

  it("refuses to share an answer there, in both languages, and still shares into an internal channel", async () => {
    const refused = await share(alex, PARTNER);
    expect(refused.responseType).toBe("ephemeral");
    expect(refused.text).toContain("Not shared: this channel is shared with other organisations (Slack Connect)");
    const zh = await share(li, PARTNER);
    expect(zh.responseType).toBe("ephemeral");
    expect(zh.text).toContain("没有分享：这个频道与其他组织共享（Slack Connect）");
    const shared = await share(alex, SALES);
    expect(shared.responseType).toBe("in_channel");
    expect(shared.text).toContain("/customer");
  });

  it("lets only an admin allow the channel; the allowance and the audit row are written together", async () => {
    const rep = await run(alex, "/crm", "channel allow", PARTNER);
    expect(rep.text).toContain("Only admins can allow or disallow a channel shared with other organisations; nothing was changed.");
    const zh = await run(li, "/crm", "频道 允许", PARTNER);
    expect(zh.text).toContain("只有管理员可以放行或撤销与其他组织共享的频道");
    expect(await allowances()).toEqual([]);
    expect(await auditRows("channel.allow")).toEqual([]);

    const allowed = await run(admin, "/crm", "channel allow", PARTNER);
    expect(allowed.text).toContain("Allowed: this channel is shared with other organisations, and from now on digests and shared answers may be posted there");
    expect(await allowances()).toEqual([{ channel: PARTNER, channel_name: "partner-acme" }]);
    const [row] = await auditRows("channel.allow");
    expect(row).toMatchObject({ actor_id: await userId(admin), entity: "channel", entity_id: PARTNER });
    expect(row!.detail).toMatchObject({ platform: "slack", reach: "external" });
    expect((await run(admin, "/crm", "channel allow", PARTNER)).text).toContain("was allowed already; nothing changed");
    expect(await auditRows("channel.allow")).toHaveLength(1);

    // Now both work there.
    expect((await share(alex, PARTNER)).responseType).toBe("in_channel");
    const subscribed = await run(alex, "/digest", "subscribe 08:30", PARTNER);
    expect(subscribed.text).toContain("Done: the morning digest comes to this channel every day at 08:30");
    expect((await subscriptions()).map((s) => s.channel)).toEqual([PARTNER]);
    expect((await run(alex, "/digest", "off", PARTNER)).text).toContain("no longer comes to this channel");
  });

  it("lists the channels allowed, for anyone", async () => {
    const list = await run(alex, "/crm", "channel", SALES);
    expect(list.text).toContain("Channels shared with other organisations that may get CRM data");
    expect(list.text).toContain(`#partner-acme (${PARTNER})`);
    expect(list.text).toContain("allowed by Wang Wei on");
    const zh = await run(li, "/crm", "频道", SALES);
    expect(zh.text).toContain("可以接收 CRM 数据的外部共享频道");
    expect(zh.text).toContain("由 Wang Wei 于");
  });

  it("takes an allowance back (admins only, audited), after which sharing there is refused again", async () => {
    expect((await run(alex, "/crm", `channel disallow <#${PARTNER}|partner-acme>`, SALES)).text).toContain("Only admins");
    const done = await run(admin, "/crm", `channel disallow <#${PARTNER}|partner-acme>`, SALES);
    expect(done.text).toContain("Disallowed: #partner-acme gets no digests or shared answers while it is shared with other organisations.");
    expect(await allowances()).toEqual([]);
    expect(await auditRows("channel.disallow")).toMatchObject([{ actor_id: await userId(admin), entity: "channel", entity_id: PARTNER }]);
    expect((await run(admin, "/crm", `channel disallow <#${PARTNER}>`, SALES)).text).toContain("was not on the list, so nothing changed");
    expect((await share(alex, PARTNER)).text).toContain("Not shared");
  });

  it("answers bad input with the usage and changes nothing", async () => {
    const bad = await run(admin, "/crm", "channel open", SALES);
    expect(bad.text).toContain("Use /crm channel allow [#channel], /crm channel disallow [#channel]");
    const plain = await run(admin, "/crm", "channel allow #partner-acme", SALES);
    expect(plain.text).toContain("came through as plain text");
    const dm = await run(admin, "/crm", "channel allow", "D0SCADMIN");
    expect(dm.text).toContain("Which channel?");
    expect(await allowances()).toEqual([]);
  });

  it("stops the digest of a channel that became shared, tells its subscriber once, and sends again once allowed", async () => {
    expect((await run(alex, "/digest", "subscribe 08:30", OPS)).text).toContain("Done: the morning digest comes to this channel");
    const [ops] = await subscriptions();
    expect(ops!.channel).toBe(OPS);
    // Then someone invites another organisation into #ops.
    t.slack.externallyShared.add(OPS);
    worker = await startBot(t.db, t.slack, t.prefix, { role: "worker", env: { ADMIN_SLACK_USER_IDS: admin.id } });

    const fire = async (n: number) => {
      const job = await digests.add(JOB.digest, { subscriptionId: ops!.id }, { jobId: `test-withheld-${n}` });
      await eventually(async () => (await digests.getJob(job.id!))?.finishedOn, 10_000);
    };
    await fire(1);
    const notes = () => t.slack.callsTo("chat.postMessage").filter((c) => c.body.channel === alex.id && String(c.body.text).includes("not posted in #ops"));
    const note = await eventually(() => notes()[0], 10_000);
    expect(visibleText(note.body.blocks as Record<string, unknown>[])).toContain(
      "Today’s morning digest was not posted in #ops: the channel is now shared with other organisations (Slack Connect)",
    );
    expect((await subscriptions())[0]!.withheld_at).not.toBeNull();
    // Fired again: still held back, and the subscriber is not told twice.
    await fire(2);
    await new Promise((r) => setTimeout(r, 500));
    expect(notes()).toHaveLength(1);
    expect(t.slack.callsTo("chat.postMessage").filter((c) => c.body.channel === OPS)).toEqual([]);

    // An admin allows #ops: the next run posts the digest there, and the hold is over.
    expect((await run(admin, "/crm", "channel allow", OPS)).text).toContain("Allowed: this channel is shared with other organisations");
    await fire(3);
    const posted = await eventually(() => t.slack.callsTo("chat.postMessage").find((c) => c.body.channel === OPS), 10_000);
    // Nothing happened in this install yesterday: the digest is its one quiet line.
    expect(visibleText(posted.body.blocks as Record<string, unknown>[])).toContain("A quiet day on");
    expect((await subscriptions())[0]!.withheld_at).toBeNull();
  });
});
