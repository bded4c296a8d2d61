import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Decimal } from "../../src/domain/money.js";
import { startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { SlackDriver, findButton, visibleText } from "../support/slack-driver.js";
import { eventually } from "../fakes/fake-slack-api.js";

/**
 * /report and /top through the running bot (HTTP, Bolt, core, Postgres, Redis) and the fake
 * Slack API, on a clock fixed at Friday 20 March 2026, 12:00 in Shanghai. This month so far is
 * Mar 1 – Mar 20 12:00 and is compared with Feb 1 – Feb 20 12:00.
 */
const NOW = new Date("2026-03-20T04:00:00Z");
const li = { id: "U0LINA", name: "li.na" };
const wang = { id: "U0WANG", name: "wang" };

let t: BotUnderTest;
let slack: SlackDriver;

beforeAll(async () => {
  t = await startBotUnderTest({ now: () => NOW });
  slack = new SlackDriver(t.base, t.slack);
  t.slack.addUser({ id: li.id, name: li.name, realName: "Li Na", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: wang.id, name: wang.name, realName: "王伟", locale: "zh-CN", tz: "Asia/Shanghai" });
  await slack.ask(li, "/crm", "help");
  await slack.ask(wang, "/crm", "help");

  const services = t.bot.services;
  const rep = await services.registerRep({ platform: "slack", externalId: li.id, displayName: "Li Na" });
  const buys = async (name: string, orders: [string, string][]) => {
    const { customer } = await services.addCustomer(rep, name);
    for (const [amount, at] of orders) {
      await services.recordOrder(rep, { customer, amount: new Decimal(amount), currency: "CNY", product: null, orderedAt: new Date(at) });
    }
  };
  await buys("Alpha Trading", [["100", "2026-02-10T03:00:00Z"], ["200", "2026-03-05T03:00:00Z"], ["300", "2026-03-10T03:00:00Z"]]);
  // Midnight of March 1 in Shanghai: the month's first instant.
  await buys("Beta Foods", [["50", "2026-02-28T16:00:00Z"]]);
  await buys("Epsilon Supply", [["500", "2026-02-15T03:00:00Z"]]);
}, 60_000);
afterAll(async () => {
  await t.stop();
});

describe("/report", () => {
  it("gives this month so far against the same span of last month, with changes and both charts, in English", async () => {
    const before = t.slack.uploads.length;
    const reply = await slack.ask(li, "/report", "monthly");
    expect(reply.text).toContain("Monthly report · this month");
    expect(reply.text).toContain("Mar 1, 2026 – Mar 20, 2026, 12:00 compared with Feb 1, 2026 – Feb 20, 2026, 12:00");
    // 200 + 300 + 50 against 100 + 500.
    expect(reply.text).toContain("CNY 550.00 · −8.3% (before: CNY 600.00)");
    expect(reply.text).toContain("3 · +50.0% (before: 2)");
    expect(reply.text).toContain("Repeat-purchase rate");
    expect(reply.text).toContain("No survey was answered in this period");
    expect(reply.text).toContain("No customer WeChat message waited for an answer in this period.");
    // Without images the charts read as one line of figures each.
    expect(reply.text).toContain("Revenue by day (CNY). Mar 1, 2026 – Mar 20, 2026, 12:00: 1 50, 2 0");
    expect(reply.text).toContain("Interactions by channel (count).");
    const files = await eventually(() => t.slack.uploads.length >= before + 2 && t.slack.uploads.slice(before), 20_000);
    expect(files.map((f) => f.title).sort()).toEqual(["Interactions by channel", "Revenue by day"]);

    const shared = await slack.pressAndRead(li, findButton(reply.blocks, "share"));
    expect(shared.response_type).toBe("in_channel");
    expect(visibleText(shared.blocks as Record<string, unknown>[])).toContain("CNY 550.00 · −8.3%");
  });

  it("speaks Chinese to a Chinese reader, and takes 月报 for the kind", async () => {
    const reply = await slack.ask(wang, "/report", "月报");
    expect(reply.text).toContain("月报 · 本月");
    expect(reply.text).toContain("收入");
    expect(reply.text).toContain("CNY 550.00 · −8.3%（上期 CNY 600.00）");
    expect(reply.text).toContain("复购率");
    expect(reply.text).toContain("本期没有人回答满意度调查");
    expect(reply.text).toContain("每日收入（CNY）");
  });

  it("gives the last complete period for 'last', and explains a kind it does not know", async () => {
    const last = await slack.ask(li, "/report", "monthly last");
    expect(last.text).toContain("Monthly report · last month");
    expect(last.text).toContain("Feb 1, 2026 – Feb 28, 2026 compared with Jan 1, 2026 – Jan 31, 2026");
    expect(last.text).toContain("CNY 600.00 · new (before: CNY 0.00)");
    const bad = await slack.ask(li, "/report", "daily");
    expect(bad.text).toContain("I don't know the report “daily”");
    expect(bad.text).toContain("Try:");
  });
});

describe("/top", () => {
  it("ranks this quarter's customers by revenue", async () => {
    const reply = await slack.ask(li, "/top", "5 by revenue this quarter");
    expect(reply.text).toContain("Top customers by revenue · this quarter");
    const text = reply.text;
    expect(text.indexOf("1. Alpha Trading")).toBeGreaterThan(-1);
    expect(text.indexOf("1. Alpha Trading")).toBeLessThan(text.indexOf("2. Epsilon Supply"));
    expect(text.indexOf("2. Epsilon Supply")).toBeLessThan(text.indexOf("3. Beta Foods"));
    expect(text).toContain("revenue CNY 600.00 · orders: 3");
    expect(findButton(reply.blocks, "share")).toBeDefined();
  });

  it("keeps the lifetime-value default and answers bad input with examples", async () => {
    const plain = await slack.ask(li, "/top", "");
    expect(plain.text).toContain("Top customers by lifetime value");
    for (const [text, expected] of [
      ["5 by profit", "“profit” is not something I rank by"],
      ["5 next week", "I couldn't read “next week”"],
      ["0", "is not a number of customers"],
    ]) {
      const reply = await slack.ask(li, "/top", text!);
      expect(reply.text, text).toContain(expected!);
      expect(reply.text).toContain("/top 5 by revenue this quarter");
    }
  });
});
