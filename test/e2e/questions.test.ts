import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Decimal } from "../../src/domain/money.js";
import { startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { SlackDriver } from "../support/slack-driver.js";

/**
 * Plain questions in a DM, in English and Chinese, answered by the same views as the commands
 * (domain/language/question-intent.ts reads them, no outside service); one it does not understand gets
 * what it can be asked.
 */
const li = { id: "U0ASKLI", name: "li.na" };
const wang = { id: "U0ASKWANG", name: "wang.fang" };
let t: BotUnderTest;
let slack: SlackDriver;
/** The bot's clock, fixed mid-month and mid-quarter: "this month" holds the orders of an hour ago on any day the suite runs. */
const NOW = new Date("2026-05-20T04:00:00Z");

beforeAll(async () => {
  t = await startBotUnderTest({ now: () => NOW });
  slack = new SlackDriver(t.base, t.slack);
  t.slack.addUser({ id: li.id, name: li.name, realName: "Li Na", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: wang.id, name: wang.name, realName: "王芳", locale: "zh-CN", tz: "Asia/Shanghai" });
  await slack.ask(li, "/crm", "help");
  const services = t.bot.services;
  const rep = await services.registerRep({ platform: "slack", externalId: li.id, displayName: "Li Na" });
  const now = NOW;
  for (const [name, amounts] of [["Acme Ltd", ["1200", "800"]], ["阿里巴巴", ["5000"]], ["Zeta Co", ["90"]]] as const) {
    const { customer } = await services.addCustomer(rep, name);
    for (const amount of amounts) await services.recordOrder(rep, { customer, amount: new Decimal(amount), currency: "CNY", product: null, orderedAt: new Date(now.getTime() - 3_600_000) });
  }
}, 30_000);

afterAll(() => t.stop());

/** Sends a DM to the bot and returns the text of its answer in that DM. */
const ask = (user: { id: string; name: string }, text: string): Promise<string> => slack.dm(user, text);

describe("plain questions in a DM", () => {
  it("answers rankings, history, segments, reports and satisfaction in English", async () => {
    const top = await ask(li, "top 2 clients this month");
    // A ranking over a period ranks by that period's revenue, and says so.
    expect(top).toContain("Top customers by revenue · this month");
    expect(top).toContain("Ranked by revenue this month");
    expect(top).toMatch(/1\. 阿里巴巴[\s\S]*2\. Acme Ltd/);
    expect(top).not.toContain("Zeta Co");

    const byRevenue = await ask(li, "highest revenue customers this year");
    expect(byRevenue).toContain("Top customers by revenue");

    const history = await ask(li, "history of Acme");
    expect(history).toContain("Acme Ltd");
    expect(history).toContain("1,200.00");

    expect(await ask(li, "who is at risk?")).toMatch(/Churn risk|Segments have not been computed yet/);
    expect(await ask(li, "monthly report")).toContain("Monthly report");
    expect(await ask(li, "csat this quarter")).toContain("Customer satisfaction · this quarter");
  });

  it("answers the same questions in Chinese", async () => {
    const top = await ask(wang, "本月前两大客户");
    expect(top).toMatch(/1\. 阿里巴巴[\s\S]*2\. Acme Ltd/);
    expect(await ask(wang, "Acme的历史")).toContain("Acme Ltd");
    expect(await ask(wang, "谁有流失风险")).toMatch(/流失风险|尚未计算|还没有/);
    expect(await ask(wang, "本月报告")).toContain("月报");
  });

  it("answers with what it can be asked when it does not understand, and changes nothing", async () => {
    const count = async () => (await t.db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM customers")).rows[0]!.n;
    const before = await count();
    const reply = await ask(li, "what's the weather like in Shanghai");
    expect(reply).toContain("I didn't understand");
    expect(reply).toContain("top 5 clients this quarter");
    expect(reply).toContain("who is at risk");
    const zh = await ask(wang, "今天天气怎么样");
    expect(zh).toContain("没看懂");
    expect(zh).toContain("本季度前十大客户");
    expect(await count()).toBe(before);
  });

  it("shows last month's report when asked for it, and never takes a note or reminder for a question", async () => {
    expect(await ask(li, "report for last month")).toMatch(/Monthly report · last month/);
    expect(await ask(wang, "上个月报告")).toMatch(/月报 · 上月/);
    const logged = await slack.ask(li, "/crm", "log Acme call: walked through their order history");
    expect(logged.text).not.toContain("No customer matches");
    const notes = await t.db.sql.query<{ body: string }>("SELECT body FROM interactions WHERE body LIKE '%order history%'");
    expect(notes.rows).toHaveLength(1);
    const reminder = await slack.ask(li, "/crm", "remind tomorrow 9am review Acme history");
    expect(reminder.text).not.toContain("No customer matches");
    expect((await t.db.sql.query("SELECT 1 FROM reminders WHERE text LIKE '%history%'")).rows).toHaveLength(1);
  });

  it("takes a slash command's text as a question when the command's own syntax does not fit", async () => {
    const top = await slack.ask(li, "/top", "2 clients this month");
    expect(top.text).toContain("Top customers by revenue · this month");
    expect(top.text).toMatch(/1\. 阿里巴巴[\s\S]*2\. Acme Ltd/);
    expect((await slack.ask(wang, "/top", "本月前两大客户")).text).toContain("1. 阿里巴巴");
    // Text that is no question either keeps the command's own answer.
    expect((await slack.ask(li, "/top", "many")).text).toContain("is not a number of customers");
  });

  it("reads a question after a command word in /crm too", async () => {
    const reply = await slack.ask(li, "/crm", "top 1 customers by revenue this month");
    expect(reply.text).toContain("Top customers by revenue");
    expect(reply.text).toContain("1. 阿里巴巴");
    expect(reply.text).not.toContain("Acme Ltd");
  });
});
