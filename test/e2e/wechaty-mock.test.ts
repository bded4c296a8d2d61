import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PuppetMock, mock } from "wechaty-puppet-mock";
import { startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { SlackDriver, findButton, visibleText } from "../support/slack-driver.js";
import { eventually } from "../fakes/fake-slack-api.js";
import { contactDetails } from "../support/sealed.js";

/**
 * The generic Wechaty path, driven by wechaty-puppet-mock: any puppet's messages become
 * customer messages, and replies from Slack go out through the same puppet (WECHATY_PUPPET).
 */
const INBOX = "C0MOCKINBOX";
const li = { id: "U0LINA", name: "li.na" };

let t: BotUnderTest;
let slack: SlackDriver;
const mocker = new mock.Mocker();
const puppet = new PuppetMock({ mocker });
/** What the bot said through the puppet: [to whom, text]. */
const said: { to: string; text: string }[] = [];
let self: ReturnType<typeof mocker.createContact>;

beforeAll(async () => {
  t = await startBotUnderTest({ env: { WECHATY_PUPPET: "wechaty-puppet-mock", WECHAT_INBOX_CHANNEL: INBOX }, wechatyPuppet: puppet });
  slack = new SlackDriver(t.base, t.slack);
  t.slack.addUser({ id: li.id, name: li.name, realName: "Li Na", locale: "en-US", tz: "Asia/Shanghai" });
  puppet.on("message", ({ messageId }) => {
    void puppet.messagePayload(messageId).then((payload) => {
      if (payload.talkerId === puppet.currentUserId) said.push({ to: payload.listenerId ?? "", text: payload.text ?? "" });
    });
  });
  self = mocker.createContact({ name: "Acme Service" });
  mocker.login(self);
  await eventually(() => puppet.isLoggedIn);
}, 30_000);
afterAll(() => t.stop());

describe("WeChat through any Wechaty puppet (wechaty-puppet-mock)", () => {
  it("stores a contact's message under their nickname, relays it to Slack, and sends the reply back through the puppet", async () => {
    const customer = mocker.createContact({ name: "张伟" });
    customer.say("你好，我想订购一批货").to(self);

    const stored = await eventually(async () => {
      const { rows } = await t.db.sql.query("SELECT c.name, c.stage, i.direction, i.channel, i.body FROM interactions i JOIN customers c ON c.id = i.customer_id WHERE i.body = '你好，我想订购一批货'");
      return rows.length > 0 ? rows : undefined;
    });
    expect(stored).toEqual([{ name: "张伟", stage: "LEAD", direction: "INBOUND", channel: "WECHAT", body: "你好，我想订购一批货" }]);
    // The talker's id is the contact's WeChat id, stored sealed (encryption at rest).
    const contact = await t.db.sql.query<{ id: string }>("SELECT id FROM contacts WHERE name = '张伟'");
    expect(contact.rows).toHaveLength(1);
    expect((await contactDetails(t.db.sql, contact.rows[0]!.id))?.wechatOpenId).toBe(customer.id);

    const header = await eventually(() => t.slack.callsTo("chat.postMessage").find((c) => c.body.channel === INBOX && !c.body.thread_ts), 15_000);
    expect(visibleText(header.body.blocks as Record<string, unknown>[])).toContain("New WeChat conversation with 张伟");

    const { triggerId } = await slack.press(li, findButton(header.body.blocks as Record<string, unknown>[], "inbox.reply"), INBOX);
    const view = await slack.openedView(triggerId);
    expect((await slack.submit(li, view, { text: "您好张先生，马上为您安排。" })).status).toBe(200);
    await eventually(() => said.find((s) => s.text === "您好张先生，马上为您安排。"), 15_000);
    expect(said.filter((s) => s.text === "您好张先生，马上为您安排。")).toEqual([{ to: customer.id, text: "您好张先生，马上为您安排。" }]);
    // The bot's own message, echoed back by the puppet, is not taken for the customer's.
    const { rows } = await t.db.sql.query("SELECT direction FROM interactions WHERE body = '您好张先生，马上为您安排。'");
    expect(rows).toEqual([{ direction: "OUTBOUND" }]);
  }, 40_000);
});
