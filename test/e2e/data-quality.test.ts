import { randomUUID } from "node:crypto";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTerminal } from "../../adapters/local/terminal.js";
import { nameKeys } from "../../src/domain/language/customer-name.js";
import { eventually } from "../fakes/fake-slack-api.js";
import { startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { actor, createTestCore } from "../support/core.js";
import { SlackDriver, buttonsIn, visibleText, type SlackUser } from "../support/slack-driver.js";
import { insertContact } from "../support/sealed.js";

/**
 * /crm quality (issue 13, data quality) and the digest's line when quality fell, through the real
 * bot with signed Slack requests against the fake Slack API, and the terminal adapter, on real
 * Postgres and Redis, in English and Chinese. The clock is the test's: Friday 20 November 2026,
 * 12:00 in Shanghai, moved a day at a time for the digest.
 */
const START = new Date("2026-11-20T04:00:00Z");
let clock = START;
const daysAgo = (d: number) => new Date(START.getTime() - d * 86_400_000);

let t: BotUnderTest;
let slack: SlackDriver;
const boss = { id: "U0QBOSS", name: "boss" };
const li = { id: "U0QLINA", name: "li.na" };
const tom = { id: "U0QTOM", name: "tom" };
const wang = { id: "U0QWANG", name: "wang.wei" };

type Blocks = Record<string, unknown>[];
const ids = {} as Record<"alpha" | "beta" | "gamma" | "gammma" | "delta", string>;

async function rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.db.sql.query(sql, params)).rows as T[];
}

async function userId(slackId: string): Promise<string> {
  return (await rows<{ id: string }>("SELECT id FROM users WHERE external_id = $1", [slackId]))[0]!.id;
}

async function customer(name: string, o: { owner: SlackUser | null; industry: string | null; stage: string; createdDaysAgo: number }): Promise<string> {
  const keys = nameKeys(name);
  const id = randomUUID();
  await t.db.sql.query(
    `INSERT INTO customers (id, name, normalized_name, pinyin, pinyin_initials, stage, owner_id, industry, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6::"Stage", $7, $8, $9, now())`,
    [id, name, keys.normalizedName, keys.pinyin, keys.pinyinInitials, o.stage, o.owner ? await userId(o.owner.id) : null, o.industry, daysAgo(o.createdDaysAgo)],
  );
  return id;
}

async function contact(customerId: string, values: { email?: string; phone?: string } = {}): Promise<void> {
  await insertContact(t.db.sql, { id: randomUUID(), customerId, email: values.email ?? null, phone: values.phone ?? null });
}

async function order(customerId: string, product: string | null, daysBack: number): Promise<void> {
  await t.db.store.orders.record({ customerId, createdById: null, amount: "100", currency: "CNY", baseAmount: "100", rateToBase: "1", product, orderedAt: daysAgo(daysBack) });
}

async function interaction(customerId: string, daysBack: number): Promise<void> {
  await t.db.store.interactions.record({ customerId, authorId: null, channel: "CALL", direction: "INTERNAL", body: "call", occurredAt: daysAgo(daysBack) });
}

/** The value of a field (label in bold, value under it) in Slack's text. */
function field(text: string, label: string): string {
  const m = new RegExp(`\\*${label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\*\\n(.+)`).exec(text);
  if (!m) throw new Error(`no field ${label} in ${text}`);
  return m[1]!;
}

beforeAll(async () => {
  t = await startBotUnderTest({ now: () => clock, env: { ADMIN_SLACK_USER_IDS: boss.id } });
  slack = new SlackDriver(t.base, t.slack);
  t.slack.addUser({ id: boss.id, name: boss.name, realName: "The Boss", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: li.id, name: li.name, realName: "Li Na", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: tom.id, name: tom.name, realName: "Tom Becker", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: wang.id, name: wang.name, realName: "王伟", locale: "zh-CN", tz: "Asia/Shanghai" });
  for (const user of [boss, li, tom, wang]) await slack.ask(user, "/crm", "help");
  // Complete and valid.
  ids.alpha = await customer("Quality Alpha", { owner: li, industry: "Software", stage: "ACTIVE", createdDaysAgo: 400 });
  await contact(ids.alpha, { email: "a@alpha.example", phone: "+86 138 0013 8001" });
  await order(ids.alpha, "licence", 10);
  await interaction(ids.alpha, 5);
  // No industry, a lead who bought, an invalid phone and email, an order without a product.
  ids.beta = await customer("Quality Beta", { owner: li, industry: null, stage: "LEAD", createdDaysAgo: 400 });
  await contact(ids.beta, { email: "beta@nowhere", phone: "12ab34" });
  await order(ids.beta, null, 20);
  // Nobody to reach, untouched for over a year, and a typo twin.
  ids.gamma = await customer("Quality Gamma", { owner: tom, industry: "Retail", stage: "ACTIVE", createdDaysAgo: 400 });
  ids.gammma = await customer("Quality Gammma", { owner: tom, industry: "Retail", stage: "ACTIVE", createdDaysAgo: 400 });
  await contact(ids.gammma, { phone: "+86 139 1111 2222" });
  await interaction(ids.gammma, 100);
  // Nobody's, new, and a contact without email or phone.
  ids.delta = await customer("Quality Delta", { owner: null, industry: "Retail", stage: "ACTIVE", createdDaysAgo: 10 });
  await contact(ids.delta);
});
afterAll(() => t.stop());

describe("/crm quality", () => {
  it("gives a manager the team's completeness and problems as counts, the customers to fix first as buttons, and a chart", async () => {
    const reply = await slack.ask(boss, "/crm", "quality");
    const text = reply.text;
    expect(text).toContain("Data quality");
    expect(text).toContain("All 5 customers of the team.");
    expect(field(text, "Owner")).toBe("80% (4 of 5)");
    expect(field(text, "Contact person")).toBe("80% (4 of 5)");
    expect(field(text, "Email or phone")).toBe("60% (3 of 5)");
    expect(field(text, "Industry")).toBe("80% (4 of 5)");
    expect(field(text, "Stage up to date")).toBe("80% (4 of 5)");
    expect(field(text, "Invalid phone numbers")).toBe("1");
    expect(field(text, "Invalid emails")).toBe("1");
    expect(field(text, "Likely duplicate pairs")).toBe("1");
    expect(field(text, "Nobody touched in 90 days")).toBe("2");
    expect(field(text, "Orders without a product")).toBe("1");
    // Worst first: Beta (five kinds of problem), Gamma (four), then Delta and Gammma (two each, by name).
    const order = ["Quality Beta", "Quality Gamma\n", "Quality Delta", "Quality Gammma"].map((n) => text.indexOf(`*${n.trim()}*`));
    expect(order.every((i) => i > 0)).toBe(true);
    expect(order).toEqual([...order].sort((x, y) => x - y));
    expect(text).toContain("missing: Industry and Stage up to date · 1 invalid phone · 1 invalid email · 1 order without a product · Owner: Li Na");
    expect(text).toContain("missing: Contact person and Email or phone · in 1 duplicate pair · untouched for 90+ days · Owner: Tom Becker");
    expect(text).not.toContain("*Quality Alpha*");
    const opens = buttonsIn(reply.blocks).filter((b) => b.action_id.startsWith("customer.show#")).map((b) => b.value);
    expect(opens).toEqual([ids.beta, ids.gamma, ids.delta, ids.gammma]);
    expect(text).toContain("Completeness by field: Owner 80% · Contact person 80% · Email or phone 60% · Industry 80% · Stage up to date 80%.");
    const duplicates = buttonsIn(reply.blocks).find((b) => b.action_id.startsWith("duplicates.list#"))!;
    expect(visibleText((await slack.pressAndRead(boss, duplicates)).blocks as Blocks)).toMatch(/Quality Gamma {2}↔ {2}Quality Gammma|Quality Gammma {2}↔ {2}Quality Gamma/);
    // The chart itself arrives as a PNG in the asker's DM (the answer was private).
    const upload = await eventually(() => t.slack.uploads.find((f) => f.title === "Completeness by field"), 20_000);
    expect(upload.bytes?.length).toBeGreaterThan(1000);
  });

  it("gives a rep the figures of their own customers only", async () => {
    const reply = await slack.ask(li, "/crm", "quality");
    expect(reply.text).toContain("Data quality of your customers");
    expect(reply.text).toContain("The 2 customers you own; managers and admins see the whole team's.");
    expect(field(reply.text, "Industry")).toBe("50% (1 of 2)");
    expect(field(reply.text, "Likely duplicate pairs")).toBe("0");
    expect(reply.text).not.toContain("Gamma");
    expect(buttonsIn(reply.blocks).filter((b) => b.action_id.startsWith("customer.show#")).map((b) => b.value)).toEqual([ids.beta]);
  });

  it("answers in Chinese, and refuses words after it", async () => {
    const reply = await slack.ask(wang, "/crm", "数据质量");
    expect(reply.text).toContain("你的客户的数据质量");
    expect(reply.text).toContain("还没有可以统计的客户。");
    const bad = await slack.ask(boss, "/crm", "quality everything");
    expect(bad.text).toContain("Write just /crm quality (or /crm 数据质量): it takes no more words.");
  });

  it("works in the terminal demo", async () => {
    const { core } = createTestCore(t.db.store, { now: START });
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = "";
    output.on("data", (chunk: Buffer) => (printed += chunk.toString()));
    const done = runTerminal({ core, actor: actor("U0QTERM", { platform: "local", displayName: "Terminal Rep" }), input, output });
    input.end(["/crm quality", "exit"].join("\n") + "\n");
    await done;
    expect(printed).toMatch(/DATA QUALITY/i);
    expect(printed).toContain("Completeness by field");
  });
});

describe("the digest", () => {
  async function digestText(): Promise<string> {
    return (await slack.ask(boss, "/digest", "now")).text;
  }

  it("says in one line what got worse since the previous digest's figures, and nothing when nothing did", async () => {
    clock = new Date(START.getTime() + 86_400_000);
    expect(await digestText()).not.toContain("Data quality fell");
    // A day later: one more invalid email, and a customer lost its industry.
    await contact(ids.alpha, { email: "not an email" });
    await t.db.sql.query("UPDATE customers SET industry = NULL, updated_at = now() WHERE id = $1", [ids.delta]);
    clock = new Date(START.getTime() + 2 * 86_400_000);
    const fell = await digestText();
    expect(fell).toContain("Data quality fell since");
    expect(fell).toContain("Industry 80% → 60%, Invalid emails 1 → 2. /crm quality has the details.");
    // The same day again (a retry, or /digest now twice): the same line from the same figures.
    expect(await digestText()).toContain("Industry 80% → 60%, Invalid emails 1 → 2.");
    // The next day nothing changed: no line.
    clock = new Date(START.getTime() + 3 * 86_400_000);
    expect(await digestText()).not.toContain("Data quality fell");
    // Fixing things is no fall either.
    await t.db.sql.query("UPDATE customers SET industry = 'Retail', updated_at = now() WHERE id = $1", [ids.delta]);
    clock = new Date(START.getTime() + 4 * 86_400_000);
    expect(await digestText()).not.toContain("Data quality fell");
  });
});
