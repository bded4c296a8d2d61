import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { SlackDriver, findButton, visibleText, type SlackButton } from "../support/slack-driver.js";
import { postThreadMessage, pushToWechat } from "../support/wechat-push.js";
import { eventually, type FakeSlackApi } from "../fakes/fake-slack-api.js";
import { FakeWechatApi } from "../fakes/fake-wechat-api.js";
import { openIdHash } from "../support/sealed.js";

const TOKEN = "inbox-test-token";
// Safe mode, as README recommends for production: only a signed body may erase an unfollower.
const SAFE = { encodingAesKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", appId: "wxinboxtest" };
const INBOX = "C0INBOX";
const li = { id: "U0LINA", name: "li.na" };
const tom = { id: "U0TOM", name: "tom" };

let t: BotUnderTest;
let wechat: FakeWechatApi;
let slack: SlackDriver;
let msgId = 8_000_000_000_000_000_000n;

beforeAll(async () => {
  wechat = new FakeWechatApi();
  await wechat.start();
  t = await startBotUnderTest({
    env: { WECHAT_APP_ID: SAFE.appId, WECHAT_APP_SECRET: "secret", WECHAT_TOKEN: TOKEN, WECHAT_ENCODING_AES_KEY: SAFE.encodingAesKey, WECHAT_API_BASE_URL: wechat.url, WECHAT_INBOX_CHANNEL: INBOX },
  });
  slack = new SlackDriver(t.base, t.slack);
  t.slack.addUser({ id: li.id, name: li.name, realName: "Li Na", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: tom.id, name: tom.name, realName: "Tom Becker", locale: "en-US", tz: "Europe/Berlin" });
  await slack.ask(li, "/customer", "add Acme Ltd");
}, 30_000);
afterAll(async () => {
  await t.stop();
  await wechat.stop();
});

async function push(fields: Record<string, string>, createdAt = new Date()): Promise<Response> {
  const res = await pushToWechat(t.base, TOKEN, fields, createdAt, SAFE);
  expect(res.status).toBe(200);
  expect(await res.text()).toBe("success");
  return res;
}

const say = (from: string, text: string, at?: Date) => push({ FromUserName: from, MsgType: "text", Content: text, MsgId: String(msgId++) }, at);

type Posted = ReturnType<FakeSlackApi["callsTo"]>[number];
const inboxPosts = (): Posted[] => t.slack.callsTo("chat.postMessage").filter((c) => c.body.channel === INBOX);
const blocksOf = (c: Posted) => c.body.blocks as Record<string, unknown>[];
const postedWith = (text: string, timeoutMs = 15_000) => eventually(() => inboxPosts().find((c) => visibleText(blocksOf(c)).includes(text)), timeoutMs);
/** The Slack ts the fake gave a posted message (its answer is not recorded, so read it back from history). */
function tsOf(call: Posted): string {
  const list = t.slack.channels.get(INBOX) ?? [];
  const found = list.find((m) => m.text === call.body.text && !m.thread_ts);
  if (!found) throw new Error("header not found in the fake channel");
  return found.ts;
}

async function submitModal(user: { id: string; name: string }, button: SlackButton, values: Record<string, string>) {
  const { triggerId } = await slack.press(user, button, INBOX);
  const view = await slack.openedView(triggerId);
  return { view, answer: await slack.submit(user, view, values) };
}

async function threadEvent(user: { id: string }, threadTs: string, text: string, ts: string) {
  const res = await postThreadMessage(t.base, { channel: INBOX, user: user.id, threadTs, text, ts });
  expect(res.status).toBe(200);
}

async function rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.db.sql.query(sql, params)).rows as T[];
}

describe("WeChat conversations in the Slack inbox channel", () => {
  const openId = "oInboxCustomer00000000Q7wXyZ";
  let header: Posted;
  let headerTs: string;

  it("posts a header for a new conversation and puts every later message into its thread", async () => {
    await say(openId, "你好，我想问一下 <!channel> 报价");
    header = await postedWith("New WeChat conversation with WeChat user Q7wXyZ");
    const text = visibleText(blocksOf(header));
    expect(text).toContain("Nobody owns this customer yet");
    expect(text).toMatch(/\*Stage\*\s*lead/);
    expect(text).toMatch(/\*Reply window\*\s*open, closes in 2 days; 5 of 5 replies left/);
    expect(header.body.thread_ts).toBeUndefined();
    headerTs = tsOf(header);

    const first = await postedWith("我想问一下");
    expect(first.body.thread_ts).toBe(headerTs);
    // Customer text is data: Slack's special mentions are escaped, never pings.
    expect(JSON.stringify(first.body.blocks)).not.toContain("<!channel>");
    await say(openId, "能便宜一点吗？");
    const second = await postedWith("能便宜一点吗");
    expect(second.body.thread_ts).toBe(headerTs);
    expect(inboxPosts().filter((c) => c.body.thread_ts === undefined)).toHaveLength(1);
  }, 30_000);

  it("sends a reply written in the Reply modal to the customer and logs it as an outbound interaction", async () => {
    const { view, answer } = await submitModal(li, findButton(blocksOf(header), "inbox.reply"), { text: "您好，报价单稍后发给您。" });
    expect(JSON.stringify(view)).toContain("Message to WeChat user Q7wXyZ");
    expect(answer.status).toBe(200);
    await eventually(() => wechat.sentTo(openId).includes("您好，报价单稍后发给您。"), 15_000);
    const status = await postedWith("Li Na replied to WeChat user Q7wXyZ on WeChat");
    expect(status.body.thread_ts).toBe(headerTs);
    expect(await rows("SELECT direction, channel, body, undelivered FROM interactions WHERE body = '您好，报价单稍后发给您。'")).toEqual([
      { direction: "OUTBOUND", channel: "WECHAT", body: "您好，报价单稍后发给您。", undelivered: null },
    ]);
  }, 30_000);

  it("keeps colleagues' talk in the thread as a note and sends only what starts with reply:", async () => {
    const before = wechat.sent.length;
    await threadEvent(tom, headerTs, "I think we can offer 10% off", "1763600100.000200");
    await eventually(async () => (await rows("SELECT 1 FROM interactions WHERE body = 'I think we can offer 10% off' AND channel = 'NOTE' AND direction = 'INTERNAL'")).length === 1);
    await threadEvent(tom, headerTs, "回复：可以给您九折优惠。", "1763600101.000200");
    await eventually(() => wechat.sentTo(openId).includes("可以给您九折优惠。"), 15_000);
    expect(wechat.sent.slice(before).map((s) => s.content)).toEqual(["可以给您九折优惠。"]);
    // The reply prefix was not a note; the prefixed text went to the customer as the reply.
    expect(await rows("SELECT direction FROM interactions WHERE body LIKE '%九折%'")).toEqual([{ direction: "OUTBOUND" }]);
  }, 30_000);

  it("recovers from an expired token (42001), an invalid one (40001) and a WeChat 500 without losing or doubling the reply", async () => {
    // Expired token, then WeChat calling the fresh one invalid (40001) once more, then a 500.
    wechat.script = [{ errcode: 42001, errmsg: "access_token expired" }, { errcode: 40001, errmsg: "invalid credential" }, { status: 500 }];
    const before = wechat.tokensIssued;
    await threadEvent(li, headerTs, "reply: 我们明天联系您", "1763600102.000200");
    await eventually(() => wechat.sentTo(openId).includes("我们明天联系您"), 20_000);
    expect(wechat.tokensIssued).toBe(before + 1);
    expect(wechat.sentTo(openId).filter((s) => s === "我们明天联系您")).toHaveLength(1);
  }, 30_000);

  it("tells the thread plainly when WeChat refuses a reply outside the window (45015), and keeps the text", async () => {
    wechat.refuse(openId, { errcode: 45015, errmsg: "response out of time limit or subscription is canceled" });
    const { answer } = await submitModal(li, findButton(blocksOf(header), "inbox.reply"), { text: "还在吗？" });
    expect(answer.status).toBe(200);
    const notice = await postedWith("Not delivered to the customer");
    expect(visibleText(blocksOf(notice))).toContain("48-hour reply window has closed (45015)");
    expect(visibleText(blocksOf(notice))).toContain("还在吗？");
    expect(notice.body.thread_ts).toBe(headerTs);
    const [logged] = await rows<{ undelivered: string }>("SELECT undelivered FROM interactions WHERE body = '还在吗？'");
    expect(logged!.undelivered).toContain("45015");
    wechat.refuse(openId, undefined);
  }, 30_000);

  it("links the lead to an existing customer with the Link button, merging its conversation", async () => {
    const { answer } = await submitModal(li, findButton(blocksOf(header), "inbox.link"), { customer: "acme" });
    expect(answer.status).toBe(200);
    await postedWith("Li Na linked this conversation to Acme Ltd.");
    const contact = await rows<{ customer: string }>("SELECT c.name AS customer FROM contacts ct JOIN customers c ON c.id = ct.customer_id WHERE ct.wechat_open_id_hash = $1", [openIdHash(openId)]);
    expect(contact).toEqual([{ customer: "Acme Ltd" }]);
    expect(await rows("SELECT 1 FROM customers WHERE name = 'WeChat user Q7wXyZ'")).toEqual([]);
    const moved = await rows<{ n: number }>("SELECT count(*)::int AS n FROM interactions i JOIN customers c ON c.id = i.customer_id WHERE c.name = 'Acme Ltd' AND i.channel = 'WECHAT'");
    expect(moved[0]!.n).toBeGreaterThanOrEqual(6);
  }, 30_000);

  it("opens a new thread after a quiet spell, mentioning the owner, and /link merges another lead", async () => {
    const other = "oInboxSecond0000000000Lm3Np7";
    await say(other, "三天前的消息", new Date(Date.now() - 3 * 86_400_000));
    await postedWith("三天前的消息");
    const linked = await slack.ask(li, "/link", "Lm3Np7 to Acme Ltd");
    expect(linked.text).toContain("Merged the lead WeChat user Lm3Np7 into Acme Ltd");
    const headersBefore = inboxPosts().filter((c) => c.body.thread_ts === undefined).length;
    await say(other, "今天又来问了");
    const newHeader = await eventually(() => inboxPosts().filter((c) => c.body.thread_ts === undefined)[headersBefore], 15_000);
    // The owner is mentioned so Slack notifies them.
    expect(JSON.stringify(newHeader.body.blocks)).toContain(`<@${li.id}>`);
    expect(visibleText(blocksOf(newHeader))).toContain("Acme Ltd");
    const message = await postedWith("今天又来问了");
    expect(message.body.thread_ts).toBe(tsOf(newHeader));
  }, 40_000);

  it("answers /link without two names with how to write it, and changes nothing", async () => {
    const reply = await slack.ask(li, "/link", "Acme Ltd");
    expect(reply.text).toContain("/link <lead> to <customer>");
  });

  it("erases an unfollower's personal data once, keeps the unfollow on the timeline and says so in the thread", async () => {
    const leaver = "oInboxLeaver00000000000Zz9Yy";
    await say(leaver, "我的手机号是 13800000000");
    await postedWith("我的手机号是");
    // WeChat's retry of the same event carries the same CreateTime (seconds apart on a busy machine otherwise).
    const unfollowedAt = new Date();
    await push({ FromUserName: leaver, MsgType: "event", Event: "unsubscribe" }, unfollowedAt);
    await push({ FromUserName: leaver, MsgType: "event", Event: "unsubscribe" }, unfollowedAt);
    const erased = await rows<{ name: string; wechat_open_id_enc: string | null; erased: boolean; unsubscribed: boolean }>(
      "SELECT name, wechat_open_id_enc, erased_at IS NOT NULL AS erased, unsubscribed_at IS NOT NULL AS unsubscribed FROM contacts WHERE name = 'Erased contact' ORDER BY created_at DESC LIMIT 1",
    );
    expect(erased).toEqual([{ name: "Erased contact", wechat_open_id_enc: null, erased: true, unsubscribed: true }]);
    expect(await rows("SELECT 1 FROM interactions WHERE body LIKE '%13800000000%'")).toEqual([]);
    expect(await rows<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'contact.erase'")).toEqual([{ n: 1 }]);
    const unsubscribed = await postedWith("[event unsubscribe]");
    expect(unsubscribed.body.thread_ts).toBeDefined();

    // Replying to someone who left is refused in the form, in plain words, and sends nothing.
    const leaverHeader = await postedWith("conversation with WeChat user 0Zz9Yy");
    const sentBefore = wechat.sent.length;
    const { answer } = await submitModal(li, findButton(blocksOf(leaverHeader), "inbox.reply"), { text: "您还在吗？" });
    expect(answer.json()).toMatchObject({ response_action: "errors" });
    expect(answer.text).toContain("unfollowed the Official Account");
    expect(await rows("SELECT 1 FROM interactions WHERE body = '您还在吗？'")).toEqual([]);
    expect(wechat.sent.length).toBe(sentBefore);
  }, 30_000);

  it("ignores talk in threads that are not WeChat conversations, registering nobody", async () => {
    const stranger = { id: "U0STRANGER" };
    await threadEvent(stranger, "1763000000.000100", "lunch at noon?", "1763600200.000300");
    await new Promise((r) => setTimeout(r, 300));
    expect(await rows("SELECT 1 FROM interactions WHERE body = 'lunch at noon?'")).toEqual([]);
    expect(await rows("SELECT 1 FROM users WHERE external_id = 'U0STRANGER'")).toEqual([]);
  });

  it("still shows the message, at the top level, when Slack refuses the thread's header for good", async () => {
    // Only the header of this conversation: earlier tests' messages may still be on their way.
    const isHeader = (args: Record<string, unknown>) => JSON.stringify(args).includes("conversation with WeChat user 0Hd4Xx");
    t.slack.overrides.set("chat.postMessage", [{ status: 200, body: { ok: false, error: "msg_blocks_too_long" }, when: isHeader }]);
    await say("oInboxNoHeader000000000Hd4Xx", "头部发不出去也要看到我");
    const message = await postedWith("头部发不出去也要看到我");
    expect(message.body.thread_ts).toBeUndefined();
    expect(await rows("SELECT o.status FROM inbox_threads t JOIN outbox o ON o.id = t.header_outbox_id JOIN contacts c ON c.id = t.contact_id WHERE c.wechat_open_id_hash = $1", [openIdHash("oInboxNoHeader000000000Hd4Xx")])).toEqual([{ status: "FAILED" }]);
  }, 30_000);

  it("explains the inbox and /link in /crm help", async () => {
    const help = await slack.ask(li, "/crm", "help link");
    expect(help.text).toContain("/link <WeChat lead> to <customer>");
    expect(help.text).toContain("reply:");
  });
});
