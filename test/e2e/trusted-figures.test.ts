import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dateInZone } from "../../src/domain/time/calendar-date.js";
import { startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { SlackDriver, findButton, visibleText } from "../support/slack-driver.js";
import { insertContact } from "../support/sealed.js";

/**
 * Figures a manager can trust, through the running bot on a fresh database: an answer shared
 * into a channel carries no private contact details, lifetime value from a short history is an
 * early estimate that does not outrank long-standing customers, a period ranking says it ranks
 * by that period's revenue, and segments answer without waiting for the night. Every customer
 * and order comes in through commands; dates are derived from the clock.
 */
const DAY = 86_400_000;
const ZONE = "Asia/Shanghai";
const daysAgo = (days: number) => dateInZone(new Date(Date.now() - days * DAY), ZONE);

const wang = { id: "U0WANG", name: "wang.wei" };
const alex = { id: "U0ALEX", name: "alex" };

const EMAIL = "chen.jing@privacy-co.example";
const PHONE = "+86 138 0013 8000";
const WECHAT_ID = "oPRIVACY1234567890abcdefghij";

let t: BotUnderTest;
let slack: SlackDriver;

async function order(text: string): Promise<void> {
  const reply = await slack.ask(alex, "/order", text);
  expect(reply.text, text).toContain("Recorded an order");
}

beforeAll(async () => {
  t = await startBotUnderTest();
  slack = new SlackDriver(t.base, t.slack);
  t.slack.addUser({ id: wang.id, name: wang.name, realName: "王伟", locale: "zh-CN", tz: ZONE });
  t.slack.addUser({ id: alex.id, name: alex.name, realName: "Alex Chen", locale: "en-US", tz: ZONE });
  // The first rep is the admin; Alex, who owns the customers below, is an ordinary rep.
  await slack.ask(wang, "/crm", "help");
  for (const name of ["Privacy Co", "Long Co", "Fresh Co", "Gap Co", "Quarter Big", "Quarter Small"]) await slack.ask(alex, "/customer", `add ${name}`);
  const { rows } = await t.db.sql.query<{ role: string }>("SELECT role FROM users WHERE external_id = $1", [alex.id]);
  expect(rows[0]!.role).toBe("REP");
}, 60_000);
afterAll(() => t.stop());

describe("an answer shared into a channel", () => {
  beforeAll(async () => {
    const { rows } = await t.db.sql.query<{ id: string }>("SELECT id FROM customers WHERE name = 'Privacy Co'");
    await insertContact(t.db.sql, { customerId: rows[0]!.id, name: "Chen Jing", title: "Buyer", email: EMAIL, phone: PHONE, wechatOpenId: WECHAT_ID });
    const logged = await slack.ask(alex, "/log", `Privacy Co call: reached Chen on 13800138000, the quote goes to ${EMAIL} (WeChat ${WECHAT_ID})`);
    expect(logged.text).toContain("Logged a call with Privacy Co");
  });

  it("shows the owner their customer's private details, and the channel none of them", async () => {
    const card = await slack.ask(alex, "/customer", "Privacy Co");
    expect(card.text).toContain(EMAIL);
    expect(card.text).toContain(PHONE);

    const shared = await slack.pressAndRead(alex, findButton(card.blocks, "share"));
    expect(shared.response_type).toBe("in_channel");
    const text = visibleText(shared.blocks as Record<string, unknown>[]);
    expect(text).toContain("Privacy Co");
    expect(text).toContain("Chen Jing");
    for (const detail of [EMAIL, PHONE, "13800138000", WECHAT_ID]) expect(text).not.toContain(detail);
    expect(text).toContain("Email, phone and WeChat ids are left out of answers shared in a channel.");
    // The note is shared, without the details in it.
    expect(text).toContain("reached Chen on •••, the quote goes to ••• (WeChat •••)");

    // The sharer's own view is unchanged.
    const again = await slack.ask(alex, "/customer", "Privacy Co");
    expect(again.text).toContain(EMAIL);
  });

  it("builds any shared answer for the channel: the history too", async () => {
    const history = await slack.ask(alex, "/history", "Privacy Co");
    expect(history.text).toContain(EMAIL);
    const shared = await slack.pressAndRead(alex, findButton(history.blocks, "share"));
    expect(shared.response_type).toBe("in_channel");
    const text = visibleText(shared.blocks as Record<string, unknown>[]);
    expect(text).toContain("reached Chen on");
    for (const detail of [EMAIL, "13800138000", WECHAT_ID]) expect(text).not.toContain(detail);
  });

  it("records the shared view as one without private details", async () => {
    const { rows } = await t.db.sql.query<{ detail: { private: boolean; shared?: boolean } }>(
      "SELECT detail FROM audit_log WHERE action = 'customer.view' ORDER BY id",
    );
    expect(rows.map((r) => r.detail)).toContainEqual({ private: false, shared: true });
  });
});

describe("lifetime value in /top", () => {
  beforeAll(async () => {
    // Eight orders of 10,000 over a year, none in the last 100 days (so none this quarter).
    for (let i = 0; i < 8; i++) await order(`Long Co 10000 CNY on ${daysAgo(100 + 40 * i)}`);
    // One order of 15,000 three weeks ago: counted as a month, it would be worth 36 of them.
    await order(`Fresh Co 15000 CNY on ${daysAgo(21)}`);
  });

  it("marks a value from a short history as an early estimate, and does not let it outrank a long-standing customer", async () => {
    const reply = await slack.ask(alex, "/top", "");
    expect(reply.text).toContain("Top customers by lifetime value");
    const text = reply.text;
    expect(text.indexOf("Long Co")).toBeGreaterThan(-1);
    expect(text.indexOf("Long Co")).toBeLessThan(text.indexOf("Fresh Co"));
    expect(text).toMatch(/Fresh Co\*\nCLV CNY 180,000\.00 \(early estimate\)/);
    expect(text).not.toMatch(/Long Co\*\nCLV [^\n]*early estimate/);
    expect(text).toContain("An early estimate rests on less than 3 months of purchases");
  });

  it("marks it on the card too", async () => {
    const card = await slack.ask(alex, "/customer", "Fresh Co");
    expect(card.text).toContain("CNY 180,000.00 (early estimate)");
    const long = await slack.ask(alex, "/customer", "Long Co");
    expect(long.text).not.toContain("early estimate");
  });
});

describe("a period ranking", () => {
  beforeAll(async () => {
    // A big lifetime buyer whose order this quarter is small, and a customer with one big order today.
    await order(`Quarter Small 500000 CNY on ${daysAgo(200)}`);
    await order("Quarter Small 1000 CNY");
    await order("Quarter Big 9000 CNY");
  });

  it("\"top 5 clients this quarter\" ranks by this quarter's revenue, and says so", async () => {
    for (const [command, text] of [["/crm", "top 5 clients this quarter"], ["/top", "5 clients this quarter"]] as const) {
      const reply = await slack.ask(alex, command, text);
      expect(reply.text, text).toContain("Top customers by revenue · this quarter");
      expect(reply.text, text).toContain("Ranked by revenue this quarter");
      expect(reply.text.indexOf("Quarter Big"), text).toBeLessThan(reply.text.indexOf("Quarter Small"));
      expect(reply.text, text).toMatch(/Quarter Small\*\nrevenue CNY 1,000\.00 · orders: 1/);
      expect(reply.text, text).not.toContain("Long Co");
    }
    const chinese = await slack.ask(wang, "/crm", "本季度前五大客户");
    expect(chinese.text).toContain("按本季度收入排名");
    expect(chinese.text.indexOf("Quarter Big")).toBeLessThan(chinese.text.indexOf("Quarter Small"));
  });

  it("still ranks by lifetime value when no period is named", async () => {
    const reply = await slack.ask(alex, "/top", "5");
    expect(reply.text).toContain("Top customers by lifetime value");
    expect(reply.text).toMatch(/1\. Quarter Small/);
  });
});

describe("segments on a fresh install", () => {
  beforeAll(async () => {
    for (const days of [122, 102, 82, 62]) await order(`Gap Co 100 CNY on ${daysAgo(days)}`);
  });

  it("answer from the commands' own orders, without waiting for the nightly scan", async () => {
    const risk = await slack.ask(alex, "/segment", "churn-risk");
    expect(risk.text).not.toMatch(/have not been computed|first time/);
    // Long Co's last order was 100 days ago, against its usual 40; Gap Co's 62, against 20.
    expect(risk.text).toContain("Churn risk: 2 customers");
    expect(risk.text).toMatch(/1\. Long Co\*\n(99|100) days since the last order; usually every 40 days/);
    expect(risk.text).toMatch(/2\. Gap Co\*\n6[12] days since the last order; usually every 20 days/);

    const fresh = await slack.ask(alex, "/segment", "new");
    for (const name of ["Fresh Co", "Quarter Big"]) expect(fresh.text).toContain(name);

    const asked = await slack.ask(alex, "/crm", "who is at risk");
    for (const name of ["Long Co", "Gap Co"]) expect(asked.text).toContain(name);
    // Segments only: the stage waits for the nightly scan, which alerts the owner.
    const { rows } = await t.db.sql.query<{ stage: string }>("SELECT stage FROM customers WHERE name IN ('Gap Co', 'Long Co')");
    expect(rows.map((r) => r.stage)).toEqual(["ACTIVE", "ACTIVE"]);
    expect(t.slack.callsTo("chat.postMessage").filter((c) => c.body.channel === alex.id)).toEqual([]);
  });
});
