import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { SlackDriver, findButton, visibleText } from "../support/slack-driver.js";
import { postThreadMessage, pushToWechat } from "../support/wechat-push.js";
import { eventually, type FakeSlackApi } from "../fakes/fake-slack-api.js";
import { FakeWechatApi } from "../fakes/fake-wechat-api.js";
import { openIdHash } from "../support/sealed.js";

/**
 * Satisfaction surveys end to end, without a template message: WeChat pushes in (signed), the
 * fake WeChat API taking or refusing what the bot sends, Slack commands and alerts through the
 * fake Slack API, real Postgres and Redis, timers moved by backdating rows and the sweep.
 */
const TOKEN = "survey-test-token";
const INBOX = "C0SURVEYS";
const li = { id: "U0LINA", name: "li.na" };
const tom = { id: "U0TOM", name: "tom" };
const QUESTION = "请问您对我们这次的服务满意吗";
const THANKS = "感谢您的评价";

let t: BotUnderTest;
let wechat: FakeWechatApi;
let slack: SlackDriver;
let msgId = 9_100_000_000_000_000_000n;
let openIds = 0;
/** Every CSAT score this file's customers gave, for the statistics at the end. */
const given: number[] = [];

beforeAll(async () => {
  wechat = new FakeWechatApi();
  await wechat.start();
  t = await startBotUnderTest({
    env: { WECHAT_APP_ID: "wxsurveytest", WECHAT_APP_SECRET: "secret", WECHAT_TOKEN: TOKEN, WECHAT_API_BASE_URL: wechat.url, WECHAT_INBOX_CHANNEL: INBOX, SURVEY_AFTER_IDLE: "2s" },
    sweepEveryMs: 500,
  });
  slack = new SlackDriver(t.base, t.slack);
  t.slack.addUser({ id: li.id, name: li.name, realName: "Li Na", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: tom.id, name: tom.name, realName: "Tom Becker", locale: "en-US", tz: "Europe/Berlin" });
  await slack.ask(li, "/crm", "help");
  await slack.ask(tom, "/crm", "help");
}, 30_000);
afterAll(async () => {
  await t.stop();
  await wechat.stop();
});

async function push(fields: Record<string, string>): Promise<void> {
  const res = await pushToWechat(t.base, TOKEN, fields);
  expect(res.status).toBe(200);
  expect(await res.text()).toBe("success");
}

const say = (from: string, text: string) => push({ FromUserName: from, MsgType: "text", Content: text, MsgId: String(msgId++) });

async function rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.db.sql.query(sql, params)).rows as T[];
}

interface Customer {
  openId: string;
  /** The lead's name, as reps type it. */
  name: string;
}

/** A new WeChat customer who has written (so the window is open), owned by Li Na. */
async function newCustomer(first = "你好"): Promise<Customer> {
  const tail = `S${String(++openIds).padStart(5, "0")}`;
  const openId = `oSurveyCustomer000000000${tail}`;
  await say(openId, first);
  const name = `WeChat user ${tail}`;
  await eventually(async () => (await rows("SELECT 1 FROM customers WHERE name = $1", [name])).length === 1);
  await t.db.sql.query("UPDATE customers SET owner_id = (SELECT id FROM users WHERE external_id = $1) WHERE name = $2", [li.id, name]);
  return { openId, name };
}

interface SurveyRow {
  id: string;
  status: string;
  kind: string;
  via: string | null;
  score: number | null;
  comment: string | null;
  trigger: string;
  served: string | null;
  closed_reason: string | null;
}

async function surveysOf(c: Customer): Promise<SurveyRow[]> {
  return rows<SurveyRow>(
    `SELECT s.id, s.status, s.kind, s.via, s.score, s.comment, s.trigger, u.external_id AS served, s.closed_reason
     FROM surveys s JOIN contacts ct ON ct.id = s.contact_id LEFT JOIN users u ON u.id = s.served_by_id
     WHERE ct.wechat_open_id_hash = $1 ORDER BY s.created_at`,
    [openIdHash(c.openId)],
  );
}

const latest = async (c: Customer) => (await surveysOf(c)).at(-1);
const asked = (c: Customer) => wechat.sentTo(c.openId).filter((m) => m.includes(QUESTION));
const thanked = (c: Customer) => wechat.sentTo(c.openId).filter((m) => m.includes(THANKS));

/** /survey from Li Na, and the survey's question arriving on WeChat. */
async function survey(c: Customer, kind = ""): Promise<string> {
  const answer = await slack.ask(li, "/survey", `${c.name} ${kind}`.trim());
  await eventually(async () => (await latest(c))?.status === "SENT", 15_000);
  return answer.text;
}

type Posted = ReturnType<FakeSlackApi["callsTo"]>[number];
const dmsTo = (user: string): Posted[] => t.slack.callsTo("chat.postMessage").filter((c) => c.body.channel === user);
const blocksOf = (c: Posted) => c.body.blocks as Record<string, unknown>[];

async function threadEvent(user: { id: string }, threadTs: string, text: string, ts: string) {
  const res = await postThreadMessage(t.base, { channel: INBOX, user: user.id, threadTs, text, ts });
  expect(res.status).toBe(200);
}

/** The Slack ts of the inbox thread of a customer's conversation, once its header is in Slack. */
async function threadOf(c: Customer): Promise<string> {
  return eventually(async () => (await rows<{ thread_ts: string | null }>("SELECT t.thread_ts FROM inbox_threads t JOIN contacts ct ON ct.id = t.contact_id WHERE ct.wechat_open_id_hash = $1", [openIdHash(c.openId)]))[0]?.thread_ts ?? undefined, 20_000);
}

describe("before any survey", () => {
  it("an empty period says so in one line (asked before this file sends any survey, so on any day)", async () => {
    expect(await rows("SELECT 1 FROM surveys")).toHaveLength(0);
    const zh = await slack.ask(li, "/crm", "满意度 上个季度");
    expect(zh.text).toContain("No surveys were sent or answered last quarter.");
  });
});

// Conversations that need their inbox thread come first: the channel takes one post a second.
describe("automatic surveys", () => {
  it("ask once a conversation a rep answered goes quiet, credit that rep for good, and respect the cooldown", async () => {
    const c = await newCustomer("请问发票怎么开？");
    const threadTs = await threadOf(c);
    await threadEvent(tom, threadTs, "回复：您好，发票会随货寄出。", `${Math.floor(Date.now() / 1000)}.000301`);
    await eventually(() => wechat.sentTo(c.openId).includes("您好，发票会随货寄出。"), 15_000);
    // The customer keeps talking: the survey waits for the quiet.
    await say(c.openId, "好的，谢谢");
    expect(await surveysOf(c)).toHaveLength(0);
    await eventually(() => asked(c).length === 1, 20_000);
    expect(await latest(c)).toMatchObject({ trigger: "AUTO", kind: "CSAT", served: tom.id });
    // Reassigning the customer does not move the credit.
    await t.db.sql.query("UPDATE customers SET owner_id = (SELECT id FROM users WHERE external_id = $1) WHERE name = $2", [tom.id, c.name]);
    await say(c.openId, "五星");
    given.push(5);
    await eventually(async () => (await latest(c))?.status === "ANSWERED", 15_000);
    expect((await latest(c))?.served).toBe(tom.id);

    // Another answered conversation within the cooldown gets no second survey.
    await threadEvent(tom, threadTs, "reply: 不客气！", `${Math.floor(Date.now() / 1000)}.000302`);
    await eventually(() => wechat.sentTo(c.openId).includes("不客气！"), 15_000);
    await new Promise((r) => setTimeout(r, 3_500));
    expect(await surveysOf(c)).toHaveLength(1);
  }, 60_000);

  it("does not survey a conversation nobody answered", async () => {
    const c = await newCustomer("只是看看");
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await surveysOf(c)).toHaveLength(0);
  }, 30_000);
});

describe("low scores", () => {
  it("alert the owner at once with a button to the conversation thread, then the comment that follows", async () => {
    const c = await newCustomer("东西还没到");
    const threadTs = await threadOf(c);
    await survey(c);
    const before = dmsTo(li.id).length;
    await say(c.openId, "2");
    given.push(2);
    const alert = await eventually(() => dmsTo(li.id).slice(before).find((d) => visibleText(blocksOf(d)).includes("Low satisfaction")), 15_000);
    const text = visibleText(blocksOf(alert));
    expect(text).toContain(`Low satisfaction: ${c.name}`);
    expect(text).toContain("rated 2/5 (CSAT)");
    expect(text).toContain("No comment yet");
    const open = findButton(blocksOf(alert), "link.open");
    expect((open as unknown as { url?: string }).url).toBe(`https://acme-sales.slack.com/archives/${INBOX}/p${threadTs.replace(".", "")}`);
    // The apology is the thanks: said once.
    await eventually(() => wechat.sentTo(c.openId).some((m) => m.includes("很抱歉")), 15_000);

    await say(c.openId, "快递员态度很差，包装也破了");
    const followUp = await eventually(() => dmsTo(li.id).slice(before).find((d) => visibleText(blocksOf(d)).includes("Comment on a low score")), 15_000);
    expect(visibleText(blocksOf(followUp))).toContain("快递员态度很差，包装也破了");
    expect(await latest(c)).toMatchObject({ score: 2, comment: "快递员态度很差，包装也破了" });
    await new Promise((r) => setTimeout(r, 300));
    expect(thanked(c)).toHaveLength(1);
  }, 40_000);

  it("alerts with the comment given along with the score", async () => {
    const c = await newCustomer();
    await survey(c);
    const before = dmsTo(li.id).length;
    await say(c.openId, "非常不满意 一直没人回复");
    given.push(1);
    const alert = await eventually(() => dmsTo(li.id).slice(before).find((d) => visibleText(blocksOf(d)).includes(c.name)), 15_000);
    expect(visibleText(blocksOf(alert))).toContain("rated 1/5 (CSAT)");
    expect(visibleText(blocksOf(alert))).toContain("一直没人回复");
  }, 30_000);
});

describe("a rep's /survey on WeChat", () => {
  it("asks in Chinese through the outbox, credits the owner, and answers the rep in their language", async () => {
    const c = await newCustomer();
    const answer = await survey(c);
    expect(answer).toContain(`Sending the CSAT survey to ${c.name}`);
    expect(asked(c)).toHaveLength(1);
    expect(asked(c)[0]).toContain("1-5");
    expect(asked(c)[0]).toContain("退订");
    expect(await latest(c)).toMatchObject({ status: "SENT", kind: "CSAT", via: "chat", trigger: "MANUAL", served: li.id });
    // A second /survey while one is open is refused plainly, and sends nothing.
    const again = await slack.ask(li, "/survey", c.name);
    expect(again.text).toContain("already waiting for an answer");
    expect(asked(c)).toHaveLength(1);
  }, 30_000);

  it("explains how to use it, and what is wrong with a customer who cannot be asked", async () => {
    expect((await slack.ask(li, "/survey", "")).text).toContain("Who should get the survey?");
    await slack.ask(li, "/customer", "add Offline Trading Co");
    expect((await slack.ask(li, "/survey", "Offline Trading Co")).text).toContain("has no contact on WeChat or Slack");
    expect(await rows("SELECT 1 FROM surveys s JOIN customers c ON c.id = s.customer_id WHERE c.name = 'Offline Trading Co'")).toHaveLength(0);
  }, 30_000);

  it.each([
    ["5", 5, null],
    ["5分", 5, null],
    ["五星", 5, null],
    ["⭐⭐⭐⭐", 4, null],
    ["非常满意", 5, null],
    ["满意", 4, null],
    ["一般", 3, null],
    ["very satisfied", 5, null],
    ["4 物流太慢", 4, "物流太慢"],
  ])("reads %j as %i and thanks the customer once", async (text, score, comment) => {
    const c = await newCustomer();
    await survey(c);
    await say(c.openId, text);
    await eventually(async () => (await latest(c))?.status === "ANSWERED", 15_000);
    expect(await latest(c)).toMatchObject({ score, comment });
    given.push(score);
    await eventually(() => thanked(c).length === 1, 15_000);
    // The answer is also an ordinary message on the timeline.
    expect(await rows("SELECT 1 FROM interactions i JOIN contacts ct ON ct.id = i.contact_id WHERE ct.wechat_open_id_hash = $1 AND i.body = $2", [openIdHash(c.openId), text])).toHaveLength(1);
    await say(c.openId, "好的");
    await new Promise((r) => setTimeout(r, 300));
    expect(thanked(c)).toHaveLength(1);
  }, 30_000);

  it("leaves near-misses as ordinary messages and keeps the survey open until a real answer", async () => {
    const c = await newCustomer();
    await survey(c);
    for (const text of ["6", "我5点到", "5号楼", "满意度调查是什么", "3.5"]) await say(c.openId, text);
    await new Promise((r) => setTimeout(r, 500));
    expect(await latest(c)).toMatchObject({ status: "SENT", score: null });
    expect(thanked(c)).toHaveLength(0);
    await say(c.openId, "4");
    await eventually(async () => (await latest(c))?.status === "ANSWERED", 15_000);
    expect((await latest(c))?.score).toBe(4);
    given.push(4);
  }, 30_000);

  it("reads NPS 0-10 and refuses 11", async () => {
    const c = await newCustomer();
    await survey(c, "nps");
    expect(wechat.sentTo(c.openId).some((m) => m.includes("推荐给朋友或同事") && m.includes("0-10"))).toBe(true);
    await say(c.openId, "11");
    await say(c.openId, "9分");
    await eventually(async () => (await latest(c))?.status === "ANSWERED", 15_000);
    expect(await latest(c)).toMatchObject({ kind: "NPS", score: 9 });
  }, 30_000);
});

describe("opting out", () => {
  it("closes the open survey, confirms once, and refuses later surveys", async () => {
    const c = await newCustomer();
    await survey(c);
    await say(c.openId, "退订");
    await eventually(async () => (await latest(c))?.status === "CANCELLED", 15_000);
    expect((await latest(c))?.closed_reason).toBe("opted-out");
    await eventually(() => wechat.sentTo(c.openId).some((m) => m.includes("不会再收到")), 15_000);
    const answer = await slack.ask(li, "/survey", c.name);
    expect(answer.text).toContain("asked for no more surveys");
    expect(await surveysOf(c)).toHaveLength(1);
  }, 30_000);
});

describe("the 48-hour window", () => {
  it("keeps a survey waiting while the window is closed and sends it when the customer writes", async () => {
    const c = await newCustomer();
    await t.db.sql.query("UPDATE interactions SET occurred_at = now() - interval '3 days' WHERE contact_id = (SELECT id FROM contacts WHERE wechat_open_id_hash = $1)", [openIdHash(c.openId)]);
    const answer = await slack.ask(li, "/survey", c.name);
    expect(answer.text).toContain("window with");
    expect(answer.text).toContain("waits and goes out when they next write");
    expect(await latest(c)).toMatchObject({ status: "WAITING", via: null });
    expect(asked(c)).toHaveLength(0);
    expect((await slack.ask(li, "/customer", c.name)).text).toContain("waits for the customer to write (WeChat's window is closed)");
    // "5" while nothing was asked yet is not an answer; it opens the window and the survey goes out.
    await say(c.openId, "在吗？");
    await eventually(() => asked(c).length === 1, 15_000);
    await eventually(async () => (await latest(c))?.status === "SENT", 15_000);
    expect((await latest(c))?.via).toBe("chat");
  }, 30_000);

  it("waits when WeChat refuses with 45015, and ends undeliverable, with the reason, when the customer never writes", async () => {
    const c = await newCustomer();
    wechat.refuse(c.openId, { errcode: 45015, errmsg: "response out of time limit or subscription is canceled" });
    await slack.ask(li, "/survey", c.name);
    await eventually(async () => (await latest(c))?.status === "WAITING", 15_000);
    expect(asked(c)).toHaveLength(0);
    // A week later: the sweep finds the timer due and gives up, saying why.
    await t.db.sql.query("UPDATE surveys SET waiting_since = now() - interval '8 days', next_check_at = now() WHERE id = $1", [(await latest(c))!.id]);
    await eventually(async () => (await latest(c))?.status === "UNDELIVERABLE", 15_000);
    expect((await latest(c))?.closed_reason).toBe("window-closed");
    wechat.refuse(c.openId, undefined);
  }, 30_000);

  it("ends undeliverable with WeChat's reason when the person cannot be reached", async () => {
    const c = await newCustomer();
    wechat.refuse(c.openId, { errcode: 43004, errmsg: "require subscribe" });
    await slack.ask(li, "/survey", c.name);
    await eventually(async () => (await latest(c))?.status === "UNDELIVERABLE", 15_000);
    expect((await latest(c))?.closed_reason).toMatch(/^refused: errcode 43004/);
    // The rep sees it on the card, with the reason.
    expect((await slack.ask(li, "/customer", c.name)).text).toMatch(/the survey of .* ended without an answer: the platform refused it \(errcode 43004/);
    wechat.refuse(c.openId, undefined);
  }, 30_000);
});

describe("reminder and expiry", () => {
  it("reminds once after 24 hours and expires after 72", async () => {
    const c = await newCustomer();
    await survey(c);
    const id = (await latest(c))!.id;
    await t.db.sql.query("UPDATE surveys SET sent_at = now() - interval '25 hours', next_check_at = now() WHERE id = $1", [id]);
    await eventually(() => wechat.sentTo(c.openId).some((m) => m.includes("温馨提醒")), 15_000);
    const reminders = () => wechat.sentTo(c.openId).filter((m) => m.includes("温馨提醒"));
    await t.db.sql.query("UPDATE surveys SET next_check_at = now() WHERE id = $1", [id]);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(reminders()).toHaveLength(1);
    expect(await latest(c)).toMatchObject({ status: "SENT" });
    await t.db.sql.query("UPDATE surveys SET sent_at = now() - interval '73 hours', next_check_at = now() WHERE id = $1", [id]);
    await eventually(async () => (await latest(c))?.status === "EXPIRED", 15_000);
    expect((await latest(c))?.closed_reason).toBe("no-answer");
    // An answer after expiry is an ordinary message.
    await say(c.openId, "5");
    await new Promise((r) => setTimeout(r, 500));
    expect(await latest(c)).toMatchObject({ status: "EXPIRED", score: null });
  }, 40_000);
});

describe("what reps see", () => {

  it("shows the latest score and the average on the card", async () => {
    const c = await newCustomer();
    await survey(c);
    await say(c.openId, "3");
    given.push(3);
    await eventually(async () => (await latest(c))?.status === "ANSWERED", 15_000);
    const card = await slack.ask(li, "/customer", c.name);
    expect(card.text).toContain("latest CSAT 3, CSAT average 3 from 1 answer");
    expect(card.text).not.toMatch(/(?<!\d)1 answers/);
  }, 30_000);

  it("/crm csat counts CSAT %, average, NPS, response rate and the distribution", async () => {
    // A rolling period, not "this month": some surveys here are backdated by up to 73 hours, which
    // falls in the month before during the first three days of a month.
    const answer = await slack.ask(li, "/crm", "csat last 30 days");
    const satisfied = given.filter((s) => s >= 4).length;
    const average = given.reduce((a, b) => a + b, 0) / given.length;
    expect(answer.text).toContain("Customer satisfaction · in the last 30 days");
    const oneDecimal = new Intl.NumberFormat("en", { maximumFractionDigits: 1 });
    expect(answer.text).toContain(`${Math.round((100 * satisfied) / given.length)}% satisfied (4-5) · average ${oneDecimal.format(average)}/5 · ${given.length} answers`);
    expect(answer.text).toContain("+100 from 1 answer");
    expect(answer.text).not.toMatch(/(?<![\d,])1 answers/);
    const sent = await rows<{ asked: number; answered: number }>("SELECT count(*)::int AS asked, count(*) FILTER (WHERE status = 'ANSWERED')::int AS answered FROM surveys WHERE sent_at IS NOT NULL");
    expect(answer.text).toContain(`(${sent[0]!.answered} of ${sent[0]!.asked} surveys answered)`);
    for (const score of [1, 2, 3, 4, 5]) {
      const n = given.filter((s) => s === score).length;
      expect(answer.text).toMatch(new RegExp(`${score} ${"★".repeat(score)}\\*\\n█*\\s?${n} \\(`));
    }
    expect((await slack.ask(li, "/crm", "csat whenever")).text).toContain("I don't know the period “whenever”");
  }, 30_000);
});
