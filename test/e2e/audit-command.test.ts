import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../fakes/fake-slack-api.js";
import { startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { SlackDriver, buttonsIn, findButton, visibleText, type SlackButton, type SlackUser } from "../support/slack-driver.js";

/**
 * /crm audit (审计) through the real bot and the fake Slack API: who did what to a customer or
 * what a person did, newest first, 15 a page with Previous and Next, periods as the reports
 * read them, the Export button's CSV in the reader's DM, and who may read which trail (admins
 * all; a manager their team's customers and people; reps nothing), in English and Chinese.
 * The bot's clock stands at Friday 20 November 2026, 12:00 in Shanghai (moving a millisecond a
 * reading), so "this month" is 1–20 November and "last month" October.
 */
const NOW = new Date("2026-11-20T04:00:00Z");

let t: BotUnderTest;
let slack: SlackDriver;
const boss: SlackUser = { id: "U0CBOSS", name: "boss" };
const wang: SlackUser = { id: "U0CWANG", name: "wang.wei" };
const mia: SlackUser = { id: "U0CMIA", name: "mia" };
const li: SlackUser = { id: "U0CLINA", name: "li.na" };
const tom: SlackUser = { id: "U0CTOM", name: "tom" };

type Blocks = Record<string, unknown>[];

async function rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.db.sql.query(sql, params)).rows as T[];
}
const userId = async (user: SlackUser) => (await rows<{ id: string }>("SELECT id FROM users WHERE external_id = $1", [user.id]))[0]!.id;
const customerId = async (name: string) => (await rows<{ id: string }>("SELECT id FROM customers WHERE name = $1", [name]))[0]!.id;

async function press(user: SlackUser, button: SlackButton): Promise<{ blocks: Blocks; text: string }> {
  const body = await slack.pressAndRead(user, button);
  const blocks = (body.blocks ?? []) as Blocks;
  return { blocks, text: visibleText(blocks) };
}

/** The entries of a trail page, as their title lines read ("time · who · what"). */
function entries(blocks: Blocks): string[] {
  return visibleText(blocks).split("\n").map((line) => line.replace(/^\*|\*$/g, "")).filter((line) => /^\S.* · .* · /.test(line) && !line.includes("Showing"));
}

beforeAll(async () => {
  // The clock moves a millisecond each time it is read, so entries keep their order by time.
  let tick = 0;
  t = await startBotUnderTest({ now: () => new Date(NOW.getTime() + tick++), env: { ADMIN_SLACK_USER_IDS: `${boss.id},${wang.id}` } });
  slack = new SlackDriver(t.base, t.slack);
  t.slack.addUser({ id: boss.id, name: boss.name, realName: "The Boss", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: wang.id, name: wang.name, realName: "王伟", locale: "zh-CN", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: mia.id, name: mia.name, realName: "Mia Manager", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: li.id, name: li.name, realName: "Li Na", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: tom.id, name: tom.name, realName: "Tom Becker", locale: "en-US", tz: "Asia/Shanghai" });
  for (const user of [boss, wang, mia, li, tom]) await slack.ask(user, "/crm", "help");
  // Mia manages a team with Li in it; Tom is in no team.
  const team = randomUUID();
  await t.db.sql.query("UPDATE users SET role = 'MANAGER', role_source = 'COMMAND' WHERE external_id = $1", [mia.id]);
  await t.db.sql.query("INSERT INTO sales_teams (id, name, name_key, lead_id, updated_at) VALUES ($1, 'East', 'east', $2, now())", [team, await userId(mia)]);
  await t.db.sql.query("UPDATE users SET sales_team_id = $1 WHERE external_id = $2", [team, li.id]);

  await slack.ask(li, "/customer", "add Acme Ltd");
  await slack.ask(tom, "/customer", "add Tom Traders");
  await slack.ask(li, "/customer", "add 阿里巴巴");
  await slack.ask(li, "/customer", "add =Evil Formula Co");
  await slack.ask(li, "/order", "Acme Ltd 1200 CNY widgets");
  await slack.ask(tom, "/log", "Acme Ltd call: asked about the renewal");
  for (let i = 0; i < 18; i++) await slack.ask(tom, "/customer", "Acme Ltd");
  // Older entries: last month and two months ago.
  const acme = await customerId("Acme Ltd");
  for (const at of ["2026-10-05T02:00:00Z", "2026-10-28T09:00:00Z", "2026-09-10T02:00:00Z"]) {
    await t.db.sql.query("INSERT INTO audit_log (actor_id, action, entity, entity_id, customer_ids, detail, at) VALUES ($1, 'customer.view', 'customer', $2, ARRAY[$3::uuid], '{}', $4)", [await userId(tom), acme, acme, at]);
  }
}, 120_000);
afterAll(() => t.stop());

describe("/crm audit <customer>", () => {
  it("shows who did what, newest first, 15 a page, with Next, Previous and Export", async () => {
    const first = await slack.ask(boss, "/crm", "audit Acme Ltd");
    expect(first.text).toContain("Audit trail: Acme Ltd");
    // The last 30 days by default: the two October entries and this month's, not September's.
    expect(first.text).toContain("last 30 days");
    expect(first.text).toContain("23 entries, newest first");
    const lines = entries(first.blocks);
    expect(lines).toHaveLength(15);
    expect(lines[0]).toMatch(/Tom Becker · viewed the card$/);
    expect(first.text).toContain("Showing 1–15 of 23");
    expect(buttonsIn(first.blocks).map((b) => b.text.text)).toEqual(["Next", "Export CSV"]);

    const second = await press(boss, findButton(first.blocks, "audit.page", "Next"));
    const rest = entries(second.blocks);
    expect(rest).toHaveLength(8);
    expect(rest.join("\n")).toContain("Li Na · recorded an order");
    expect(second.text).toMatch(/CNY\s1,200\.00/);
    expect(rest.at(-2)).toMatch(/Li Na · added the customer$/);
    expect(rest.at(-1)).toMatch(/^Oct 28, 2026, 17:00 · Tom Becker · viewed the card$/);
    expect(buttonsIn(second.blocks).map((b) => b.text.text)).toEqual(["Previous", "Export CSV"]);
    // Pages stay put while the trail grows: the period's end was fixed by the first page.
    await slack.ask(tom, "/customer", "Acme Ltd");
    const back = await press(boss, findButton(second.blocks, "audit.page", "Previous"));
    expect(entries(back.blocks)).toEqual(lines);
  });

  it("reads periods as the reports do, and refuses one it cannot read", async () => {
    const october = await slack.ask(boss, "/crm", "audit Acme Ltd last month");
    expect(october.text).toContain("2 entries");
    expect(entries(october.blocks).every((line) => line.includes("Oct"))).toBe(true);
    const month = await slack.ask(boss, "/crm", "audit Acme Ltd this month");
    expect(month.text).not.toContain("Oct");
    const quoted = await slack.ask(boss, "/crm", "audit \"Acme Ltd\" the other week");
    expect(quoted.text).toContain("“the other week” is not a period.");
    expect(quoted.text).toContain("/crm audit <customer> [period]");
  });

  it("offers the customers a mistyped name may mean, and keeps the period for the one picked", async () => {
    const which = await slack.ask(boss, "/crm", "audit Acmee last month");
    expect(which.text).toContain("No customer matches “Acmee”");
    expect(which.text).toContain("Acme Ltd");
    const acme = await customerId("Acme Ltd");
    const picked = await press(boss, buttonsIn(which.blocks).find((b) => b.action_id.startsWith("customer.pick#") && b.value.includes(acme))!);
    expect(picked.text).toContain("Audit trail: Acme Ltd");
    expect(picked.text).toContain("2 entries");
  });

  it("exports the trail as a CSV in the reader's DM: the reader's language, formulas defused, and the export audited", async () => {
    await slack.ask(li, "/customer", "=Evil Formula Co");
    const page = await slack.ask(wang, "/crm", "审计 =Evil Formula Co 本月");
    expect(page.text).toContain("审计记录：=Evil Formula Co");
    await press(wang, findButton(page.blocks, "audit.export"));
    const upload = await eventually(() => t.slack.uploads.find((f) => f.filename.startsWith("audit-customer-") && f.bytes), 15_000);
    expect([wang.id, `D${wang.id}`]).toContain(upload.channel);
    const csv = upload.bytes!.toString("utf8");
    const [header, ...lines] = csv.replace(/^\uFEFF/, "").trim().split("\r\n");
    expect(csv.startsWith("\uFEFF")).toBe(true);
    expect(header).toBe("时间,操作人,操作人 ID,操作,说明,对象,对象 ID,客户,客户 ID,详情");
    expect(lines.length).toBeGreaterThanOrEqual(3);
    // A cell that a spreadsheet would run as a formula is written as text.
    expect(lines.every((line) => line.includes(",'=Evil Formula Co,"))).toBe(true);
    expect(csv).toContain("customer.create");
    const [exported] = await rows<{ actor: string; detail: { rows: number } }>(
      "SELECT u.external_id AS actor, a.detail FROM audit_log a JOIN users u ON u.id = a.actor_id WHERE a.action = 'audit.export'",
    );
    expect(exported).toMatchObject({ actor: wang.id, detail: { rows: lines.length } });
  });
});

describe("/crm audit @person", () => {
  it("shows what a person did, and what was done to their account", async () => {
    const trail = await slack.ask(boss, "/crm", "audit @li.na this month");
    expect(trail.text).toContain("Audit trail: Li Na");
    const lines = entries(trail.blocks).join("\n");
    expect(lines).toContain("Li Na · added the customer");
    expect(lines).toContain("Li Na · used the bot for the first time");
    expect(lines).not.toContain("Tom Becker");
    // A mention as Slack sends it in command text.
    expect((await slack.ask(boss, "/crm", `audit <@${li.id}|li.na>`)).text).toContain("Audit trail: Li Na");
  });

  it("says whom it knows for a person it does not", async () => {
    const reply = await slack.ask(boss, "/crm", "audit @nobody.here");
    expect(reply.text).toContain("I do not know “@nobody.here”");
    expect(reply.text).toContain("Li Na");
  });
});

describe("who may read a trail", () => {
  it("refuses reps, in their language", async () => {
    expect((await slack.ask(li, "/crm", "audit Acme Ltd")).text).toContain("Only admins and managers can read the audit trail; nothing was shown.");
    expect((await slack.ask(li, "/crm", "审计 Acme Ltd")).text).toContain("Only admins and managers");
    const zhang: SlackUser = { id: "U0CZHANG", name: "zhang.san" };
    t.slack.addUser({ id: zhang.id, name: zhang.name, realName: "张三", locale: "zh-CN", tz: "Asia/Shanghai" });
    expect((await slack.ask(zhang, "/crm", "审计 Acme Ltd")).text).toContain("只有管理员和经理可以查看审计记录；未显示任何内容。");
  });

  it("lets a manager read their team's customers and people, and nobody else's", async () => {
    const own = await slack.ask(mia, "/crm", "audit Acme Ltd");
    expect(own.text).toContain("Audit trail: Acme Ltd");
    expect((await slack.ask(mia, "/crm", "audit @li.na")).text).toContain("Audit trail: Li Na");
    const other = await slack.ask(mia, "/crm", "audit Tom Traders");
    expect(other.text).toContain("Tom Traders belongs to Tom Becker, who is not in a team you lead");
    const person = await slack.ask(mia, "/crm", "audit @tom");
    expect(person.text).toContain("Tom Becker is not in a team you lead");
  });

  it("answers usage with examples when nothing is named", async () => {
    const reply = await slack.ask(boss, "/crm", "audit");
    expect(reply.text).toContain("Name a customer or a person");
    expect(reply.text).toContain("/crm audit @li.na last 7 days");
  });

  it("records every page read as audit.view, by whom and of what", async () => {
    const views = await rows<{ actor: string; entity_id: string }>(
      "SELECT u.external_id AS actor, a.entity_id FROM audit_log a JOIN users u ON u.id = a.actor_id WHERE a.action = 'audit.view' ORDER BY a.id",
    );
    expect(views.length).toBeGreaterThanOrEqual(8);
    expect(views[0]).toEqual({ actor: boss.id, entity_id: await customerId("Acme Ltd") });
    expect(views.some((v) => v.actor === mia.id)).toBe(true);
  });
});
