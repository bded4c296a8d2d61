import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Decimal } from "../../src/domain/money.js";
import { startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { SlackDriver, buttonsIn, findButton, visibleText } from "../support/slack-driver.js";

/**
 * The words of the answers, through the real bot and the Slack fake: usage hints name the
 * command that was typed, unknown commands say so and list the ones there are, counts take
 * their plural forms, and every list that is cut says how much is shown and how to see the rest.
 */
const li = { id: "U0WORDLI", name: "li.na" };
const wang = { id: "U0WORDWANG", name: "wang.fang" };
let t: BotUnderTest;
let slack: SlackDriver;
/** The bot's clock: nothing here depends on the day the suite runs. */
const NOW = new Date("2026-05-20T04:00:00Z");
/** Reminders far beyond any clock, so no sweep ever fires them while the test reads the list. */
const FAR = new Date("2099-01-01T00:00:00Z");

beforeAll(async () => {
  t = await startBotUnderTest({ now: () => NOW });
  slack = new SlackDriver(t.base, t.slack);
  t.slack.addUser({ id: li.id, name: li.name, realName: "Li Na", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: wang.id, name: wang.name, realName: "王芳", locale: "zh-CN", tz: "Asia/Shanghai" });
  await slack.ask(li, "/crm", "help");
  await slack.ask(wang, "/crm", "help");
}, 30_000);

afterAll(() => t.stop());

async function repId(user: { id: string }): Promise<string> {
  const { rows } = await t.db.sql.query<{ id: string }>("SELECT id FROM users WHERE external_id = $1", [user.id]);
  return rows[0]!.id;
}

/** Open reminders for a rep, due one minute apart from FAR on, about a customer when given. */
async function addReminders(user: { id: string }, count: number, label: string, customerId: string | null = null): Promise<void> {
  const userId = await repId(user);
  await t.db.sql.query(
    `INSERT INTO reminders (id, user_id, customer_id, text, due_at, updated_at)
     SELECT gen_random_uuid(), $1, $2, $3 || ' ' || lpad(n::text, 2, '0'), $4::timestamptz + n * interval '1 minute', now()
     FROM generate_series(1, $5::int) AS n`,
    [userId, customerId, label, FAR, count],
  );
}

/** Sends a DM to the bot and returns the text of its answer in that DM. */
const dm = (user: { id: string; name: string }, text: string): Promise<string> => slack.dm(user, text);

describe("usage hints name the command that was typed", () => {
  it("/history without a name asks for /history <customer>, not /customer, however it was typed", async () => {
    for (const [command, text] of [["/history", ""], ["/crm", "history"], ["/crm", "历史"]] as const) {
      const reply = await slack.ask(li, command, text);
      expect(reply.text, `${command} ${text}`).toContain("Which customer? Write /history <customer>.");
      expect(reply.text, `${command} ${text}`).toContain("/history Acme");
      expect(reply.text, `${command} ${text}`).not.toContain("/customer");
    }
    const zh = await slack.ask(wang, "/crm", "历史");
    expect(zh.text).toContain("哪个客户？请写 /history <customer>。");
    expect(zh.text).not.toContain("/customer");
    // /customer itself still names /customer.
    expect((await slack.ask(li, "/customer", "")).text).toContain("Which customer? Write /customer <name>.");
  });

  it("bare /customer add shows how to add, with the add examples, and adds nothing", async () => {
    for (const [command, text] of [["/customer", "add"], ["/crm", "customer add"], ["/crm", "客户 添加"]] as const) {
      const reply = await slack.ask(li, command, text);
      expect(reply.text, `${command} ${text}`).toContain("What is the new customer called?");
      expect(reply.text, `${command} ${text}`).toContain("Usage: `/customer add <name>`");
      expect(reply.text, `${command} ${text}`).toContain("/customer add Acme Ltd");
      expect(reply.text, `${command} ${text}`).toContain("/customer add 腾讯科技有限公司");
      // Not the examples of showing a card.
      expect(reply.text, `${command} ${text}`).not.toContain("/customer alibaba");
    }
    expect((await t.db.sql.query("SELECT count(*)::int AS n FROM customers")).rows[0]).toEqual({ n: 0 });
  });
});

describe("help in topics", () => {
  it("every topic fits Slack's 50 blocks, every command is in one, and buttons open the others", async () => {
    const first = await slack.ask(li, "/crm", "help");
    expect(first.text).toContain("CRM bot commands: Everyday work");
    const topics = buttonsIn(first.blocks).filter((b) => b.action_id.startsWith("help.show#")).map((b) => b.text.text);
    expect(topics).toEqual(["Reports and answers", "Data: duplicates, import, export", "Admin and privacy"]);
    const pages = [first];
    for (const label of topics) pages.push(await slack.ask(li, "/crm", `help ${label === "Admin and privacy" ? "admin" : label.startsWith("Data") ? "data" : "answers"}`));
    const pressed = await slack.pressAndRead(li, findButton(first.blocks, "help.show", "Admin and privacy"));
    expect(visibleText(pressed.blocks as never)).toContain("/crm erase");
    for (const page of pages) expect(page.blocks.length).toBeLessThanOrEqual(50);
    const all = pages.map((p) => p.text).join("\n");
    for (const usage of ["/customer <name>", "/top [n]", "/crm import", "/crm export", "/crm erase", "/crm role", "/link"]) expect(all).toContain(usage);
    // One command by name; a word that is neither a topic nor a command says so.
    const one = await slack.ask(li, "/crm", "help import");
    expect(one.text).toContain("/crm import");
    expect(one.text).not.toContain("/crm export");
    expect((await slack.ask(li, "/crm", "help bananas")).text).toContain("There is no help topic or command called “bananas”");
    const zh = await slack.ask(wang, "/crm", "帮助 管理");
    expect(zh.text).toContain("管理与隐私");
    expect(zh.text).toContain("/crm erase");
  });
});

describe("unknown commands", () => {
  const commands = ["/customer <name>", "/customer add <name>", "/history <customer>", "/remind <when> <text>", "/crm help"];

  it("a slash command we do not handle says “unknown command” and lists the commands, in the rep's language", async () => {
    const reply = await slack.ask(li, "/frobnicate", "now");
    expect(reply.text).toContain("Unknown command “/frobnicate”.");
    for (const usage of commands) expect(reply.text).toContain(usage);
    const zh = await slack.ask(wang, "/frobnicate", "");
    expect(zh.text).toContain("未知命令“/frobnicate”");
    expect(zh.text).toContain("命令：");
    for (const usage of commands) expect(zh.text).toContain(usage);
  });

  it("/crm <a word that is no command> and a DM starting with an unknown /word say so too", async () => {
    const crm = await slack.ask(li, "/crm", "frobnicate");
    expect(crm.text).toContain("Unknown command “/frobnicate”.");
    for (const usage of commands) expect(crm.text).toContain(usage);
    const direct = await dm(li, "/frobnicate the numbers");
    expect(direct).toContain("Unknown command “/frobnicate”.");
    for (const usage of commands) expect(direct).toContain(usage);
    // A known command in a DM, slash or not, still works; so does "crm <command>" written out.
    expect(await dm(li, "/customer add Dm Co")).toContain("Added Dm Co as a lead");
    expect(await dm(li, "crm customer Dm Co")).toContain("Dm Co");
    // A slash and command word typed with a Chinese input method are the same command.
    expect(await dm(wang, "／ｃｕｓｔｏｍｅｒ　Dm Co")).toContain("Dm Co");
    expect(await dm(wang, "／frobnicate")).toContain("未知命令“/frobnicate”");
    // A question without a slash is still a question, not an unknown command.
    expect(await dm(li, "what's the weather like in Shanghai")).toContain("I didn't understand");
  });
});

describe("counts and articles", () => {
  it("logs “an email” and says “1 answer”-style counts in the right number", async () => {
    await slack.ask(li, "/customer", "add Article Co");
    expect((await slack.ask(li, "/log", "Article Co email: sent the quote")).text).toContain("Logged an email with Article Co.");
    expect((await slack.ask(wang, "/log", "Article Co 邮件：发了报价")).text).toContain("已为 Article Co 记录一封邮件。");
  });
});

describe("lists that are cut say so, and how to see the rest", () => {
  it("/remind list shows 25 of 30 and how to see the rest; /remind list 2 and the More button show the rest", async () => {
    await addReminders(li, 30, "task");
    const first = await slack.ask(li, "/remind", "list");
    expect(first.text).toContain("Showing 1–25 of 30 — /remind list 2 for more.");
    expect(first.text).toContain("task 25");
    expect(first.text).not.toContain("task 26");
    const second = await slack.ask(li, "/remind", "list 2");
    expect(second.text).toContain("Showing 26–30 of 30.");
    for (const n of [26, 27, 28, 29, 30]) expect(second.text).toContain(`task ${n}`);
    expect(second.text).not.toContain("task 25");
    expect(buttonsIn(second.blocks).filter((b) => b.action_id.startsWith("reminder.list#"))).toEqual([]);
    // The More button is the same page 2, and /crm remind list 2 too.
    const pressed = await slack.pressAndRead(li, findButton(first.blocks, "reminder.list"));
    expect(visibleText(pressed.blocks as Record<string, unknown>[])).toContain("Showing 26–30 of 30.");
    expect((await slack.ask(li, "/crm", "remind list 2")).text).toContain("task 30");
    // A page past the end says how many pages there are.
    expect((await slack.ask(li, "/remind", "list 3")).text).toContain("There is no page 3: the list has 30 entries, on 2 pages.");
    const zh = await slack.ask(wang, "/remind", "list");
    expect(zh.text).toContain("你没有待办提醒");
    await addReminders(wang, 26, "任务");
    expect((await slack.ask(wang, "/remind", "列表")).text).toContain("第 1–25 条，共 26 条 — 输入 /remind list 2 查看后面的。");
  });

  it("the card says how many interactions and open reminders it shows of how many, and where the rest are", async () => {
    await slack.ask(li, "/customer", "add Busy Co");
    for (let i = 1; i <= 7; i++) await slack.ask(li, "/log", `Busy Co call: call number ${i}`);
    const { rows } = await t.db.sql.query<{ id: string }>("SELECT id FROM customers WHERE name = 'Busy Co'");
    await addReminders(li, 8, "busy", rows[0]!.id);
    const card = await slack.ask(li, "/customer", "Busy Co");
    expect(card.text).toContain("Showing 5 of 7 — /history Busy Co for all.");
    expect(card.text).toContain("Showing 5 of 8 — “All open reminders” below shows them all.");
    const all = await slack.pressAndRead(li, findButton(card.blocks, "customer.section", "All open reminders"));
    const allText = visibleText(all.blocks as Record<string, unknown>[]);
    expect(allText).toContain("Open reminders about Busy Co");
    for (let n = 1; n <= 8; n++) expect(allText).toContain(`busy 0${n}`);
    const history = await slack.ask(li, "/history", "Busy Co");
    expect(history.text).toContain("Entries 1–7 of 7, newest first. That is everything.");
    // Card sections that fit say nothing about cutting.
    const small = await slack.ask(li, "/customer", "Article Co");
    expect(small.text).not.toContain("Showing");
  });

  it("/top says it shows the top 10 and offers more; the customer picker says when more match than it offers", async () => {
    const services = t.bot.services;
    const rep = await services.registerRep({ platform: "slack", externalId: li.id, displayName: "Li Na" });
    for (let i = 1; i <= 12; i++) {
      const { customer } = await services.addCustomer(rep, `Ranked ${String(i).padStart(2, "0")}`);
      await services.recordOrder(rep, { customer, amount: new Decimal(1000 * i), currency: "CNY", product: null, orderedAt: new Date(NOW.getTime() - 86_400_000) });
    }
    const top = await slack.ask(li, "/top", "by revenue");
    expect(top.text).toContain("Showing the top 10 — “More” below shows the top 20.");
    expect(top.text).not.toContain("Ranked 02");
    const more = visibleText((await slack.pressAndRead(li, findButton(top.blocks, "top.show", "More"))).blocks as Record<string, unknown>[]);
    expect(more).toContain("12. Ranked 01");
    expect(more).not.toContain("Showing the top");

    const picker = await slack.ask(li, "/customer", "ranked");
    expect(picker.text).toContain("Several customers match “ranked”");
    expect(picker.text).toContain("More customers match “ranked” than are shown here: type more of the name to find the others.");
    expect(buttonsIn(picker.blocks).filter((b) => b.action_id.startsWith("customer.pick#"))).toHaveLength(8);
    const fewer = await slack.ask(li, "/customer", "busy");
    expect(fewer.text).not.toContain("More customers match");
  });
});
