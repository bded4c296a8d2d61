import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { SlackDriver, buttonsIn, findButton, visibleText } from "../support/slack-driver.js";
import { eventually, type FakeSlackApi } from "../fakes/fake-slack-api.js";
import { FakeWechatApi } from "../fakes/fake-wechat-api.js";
import { pushToWechat } from "../support/wechat-push.js";
import { openIdHash } from "../support/sealed.js";

/**
 * Surveys where WeChat's window is closed and a template message is set up
 * (WECHAT_SURVEY_TEMPLATE_ID), and surveys to customers on Slack (Slack Connect) with buttons.
 */
const TOKEN = "survey-template-token";
const TEMPLATE = "tmpl_SurveyRating_0001";
const li = { id: "U0LINA", name: "li.na" };
const jane = { id: "U0EXTJANE", name: "jane" };
const stranger = { id: "U0EXTOTHER", name: "other" };

let t: BotUnderTest;
let wechat: FakeWechatApi;
let slack: SlackDriver;
let msgId = 9_200_000_000_000_000_000n;

beforeAll(async () => {
  wechat = new FakeWechatApi();
  wechat.templateIds.add(TEMPLATE);
  await wechat.start();
  t = await startBotUnderTest({
    env: { WECHAT_APP_ID: "wxtemplatetest", WECHAT_APP_SECRET: "secret", WECHAT_TOKEN: TOKEN, WECHAT_API_BASE_URL: wechat.url, WECHAT_SURVEY_TEMPLATE_ID: TEMPLATE },
  });
  slack = new SlackDriver(t.base, t.slack);
  t.slack.addUser({ id: li.id, name: li.name, realName: "Li Na", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: jane.id, name: jane.name, realName: "Jane Doe", locale: "en-US", tz: "America/New_York" });
  t.slack.addUser({ id: stranger.id, name: stranger.name, realName: "Someone Else", locale: "en-US", tz: "America/New_York" });
  await slack.ask(li, "/customer", "add Globex Corporation");
}, 30_000);
afterAll(async () => {
  await t.stop();
  await wechat.stop();
});

async function say(from: string, text: string): Promise<void> {
  const res = await pushToWechat(t.base, TOKEN, { FromUserName: from, MsgType: "text", Content: text, MsgId: String(msgId++) });
  expect(await res.text()).toBe("success");
}

async function rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.db.sql.query(sql, params)).rows as T[];
}

const surveyOf = async (openId: string) =>
  (await rows<{ id: string; status: string; via: string | null; score: number | null }>(
    "SELECT s.id, s.status, s.via, s.score FROM surveys s JOIN contacts c ON c.id = s.contact_id WHERE c.wechat_open_id_hash = $1 ORDER BY s.created_at DESC LIMIT 1",
    [openIdHash(openId)],
  ))[0];

describe("template messages outside the 48-hour window", () => {
  it("sends the survey as a template message at once, and the answer in the chat counts", async () => {
    const openId = "oTemplateCustomer00000000T00001";
    await say(openId, "你好");
    await eventually(async () => (await rows("SELECT 1 FROM contacts WHERE wechat_open_id_hash = $1", [openIdHash(openId)])).length === 1);
    await t.db.sql.query("UPDATE interactions SET occurred_at = now() - interval '3 days' WHERE contact_id = (SELECT id FROM contacts WHERE wechat_open_id_hash = $1)", [openIdHash(openId)]);
    const answer = await slack.ask(li, "/survey", "WeChat user T00001");
    expect(answer.text).toContain("goes out as a template message");
    await eventually(async () => (await surveyOf(openId))?.status === "SENT", 15_000);
    const sent = wechat.templates.filter((m) => m.touser === openId);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.templateId).toBe(TEMPLATE);
    expect(sent[0]!.data.first?.value).toContain("请问您对我们这次的服务满意吗");
    expect(sent[0]!.data.remark?.value).toContain("1-5");
    // The outbox row's id goes along, so a retried send is dropped by WeChat rather than doubled.
    expect(sent[0]!.clientMsgId).toMatch(/^[0-9a-f]{32}$/);
    expect(wechat.sentTo(openId)).toHaveLength(0);
    await say(openId, "5");
    await eventually(async () => (await surveyOf(openId))?.status === "ANSWERED", 15_000);
    expect((await surveyOf(openId))?.score).toBe(5);
    await eventually(() => wechat.sentTo(openId).some((m) => m.includes("感谢您的评价")), 15_000);
  }, 30_000);

  it("falls back to the template when WeChat refuses the chat message with 45015", async () => {
    const openId = "oTemplateCustomer00000000T00002";
    await say(openId, "在吗");
    await eventually(async () => (await rows("SELECT 1 FROM contacts WHERE wechat_open_id_hash = $1", [openIdHash(openId)])).length === 1);
    wechat.refuse(openId, { errcode: 45015, errmsg: "response out of time limit or subscription is canceled" });
    const answer = await slack.ask(li, "/survey", "WeChat user T00002");
    expect(answer.text).toContain("on WeChat");
    await eventually(async () => (await surveyOf(openId))?.status === "SENT", 15_000);
    expect((await surveyOf(openId))?.via).toBe("template");
    expect(wechat.templates.filter((m) => m.touser === openId)).toHaveLength(1);
    wechat.refuse(openId, undefined);
  }, 30_000);
});

describe("customers on Slack (Slack Connect)", () => {
  type Posted = ReturnType<FakeSlackApi["callsTo"]>[number];
  let question: Posted;

  it("sends the survey as a DM with score buttons, making the person a contact of the customer", async () => {
    const answer = await slack.ask(li, "/survey", `<@${jane.id}|jane> Globex Corporation`);
    expect(answer.text).toContain("Sent the CSAT survey to jane (Globex Corporation) on Slack");
    question = await eventually(() => t.slack.callsTo("chat.postMessage").find((c) => c.body.channel === jane.id), 15_000);
    const blocks = question.body.blocks as Record<string, unknown>[];
    expect(visibleText(blocks)).toContain("How satisfied are you with our service this time?");
    expect(buttonsIn(blocks).map((b) => b.text.text)).toEqual(["1", "2", "3", "4", "5"]);
    expect(await rows("SELECT c.name FROM contacts ct JOIN customers c ON c.id = ct.customer_id WHERE ct.slack_user_id = $1", [jane.id])).toEqual([{ name: "Globex Corporation" }]);
    // Naming the same person again finds the contact instead of making another.
    expect((await slack.ask(li, "/survey", `<@${jane.id}|jane>`)).text).toContain("already waiting for an answer");
  }, 30_000);

  it("takes only the asked person's press, once, without making them a rep, and alerts the owner of a low score", async () => {
    const blocks = question.body.blocks as Record<string, unknown>[];
    const other = await slack.pressAndRead(stranger, findButton(blocks, "survey.answer", "4"));
    expect(visibleText(other.blocks as Record<string, unknown>[])).toContain("meant for someone else");

    const before = t.slack.callsTo("chat.postMessage").filter((c) => c.body.channel === li.id).length;
    const pressed = await slack.pressAndRead(jane, findButton(blocks, "survey.answer", "2"));
    expect(pressed.replace_original).toBe(true);
    expect(visibleText(pressed.blocks as Record<string, unknown>[])).toContain("Thank you for your feedback! You rated 2/5 (CSAT).");
    const survey = await rows<{ status: string; score: number; served: string }>(
      "SELECT s.status, s.score, u.external_id AS served FROM surveys s JOIN contacts c ON c.id = s.contact_id JOIN users u ON u.id = s.served_by_id WHERE c.slack_user_id = $1",
      [jane.id],
    );
    expect(survey).toEqual([{ status: "ANSWERED", score: 2, served: li.id }]);
    const alert = await eventually(() => t.slack.callsTo("chat.postMessage").filter((c) => c.body.channel === li.id).slice(before).find((c) => visibleText(c.body.blocks as Record<string, unknown>[]).includes("Low satisfaction: Globex Corporation")), 15_000);
    expect(visibleText(alert.body.blocks as Record<string, unknown>[])).toContain("jane rated 2/5 (CSAT).");

    const again = await slack.pressAndRead(jane, findButton(blocks, "survey.answer", "5"));
    expect(visibleText(again.blocks as Record<string, unknown>[])).toContain("already answered");
    expect((await rows<{ score: number }>("SELECT score FROM surveys s JOIN contacts c ON c.id = s.contact_id WHERE c.slack_user_id = $1", [jane.id]))[0]?.score).toBe(2);
    expect(await rows("SELECT 1 FROM users WHERE external_id IN ($1, $2)", [jane.id, stranger.id])).toHaveLength(0);
  }, 30_000);

  it("refuses a forged score outside the scale", async () => {
    const answer = await slack.ask(li, "/survey", `<@${stranger.id}|other> Globex Corporation nps`);
    expect(answer.text).toContain("NPS survey");
    const dm = await eventually(() => t.slack.callsTo("chat.postMessage").find((c) => c.body.channel === stranger.id), 15_000);
    const buttons = buttonsIn(dm.body.blocks as Record<string, unknown>[]);
    expect(buttons.map((b) => b.text.text)).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
    const forged = { ...buttons[0]!, value: buttons[0]!.value.replace(/:0$/, ":11") };
    const pressed = await slack.pressAndRead(stranger, forged);
    expect(visibleText(pressed.blocks as Record<string, unknown>[])).toMatch(/expired|closed/);
    expect((await rows<{ status: string }>("SELECT status FROM surveys s JOIN contacts c ON c.id = s.contact_id WHERE c.slack_user_id = $1", [stranger.id]))[0]?.status).toBe("SENT");
  }, 30_000);
});
