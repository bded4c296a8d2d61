import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type FakeFile } from "../fakes/fake-slack-api.js";
import { startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { EXPORT_USERS, FORMULA_COMMENT, FORMULA_NAME, seedExportWorld, type ExportWorld } from "../support/export-fixtures.js";
import { SlackDriver, type SlackUser } from "../support/slack-driver.js";

/**
 * /crm export (导出) through the real bot, Postgres, Redis and the fake Slack API. Exports of at
 * most EXPORT_INLINE_MAX_ROWS (3 here) rows are written while the rep waits and uploaded into
 * their DM after the answer; larger ones become a run a BullMQ worker writes and uploads with
 * its message. Private details (email, phone, WeChat id, address) are in a rep's file only for
 * customers they may see privately: their own and unowned ones; a manager's team's too; an
 * admin's all. Formula-like text is escaped; headers follow the reader's language. The bot's
 * clock stands at Friday 20 November 2026, 12:00 in Shanghai.
 */
const NOW = new Date("2026-11-20T04:00:00Z");

let t: BotUnderTest;
let slack: SlackDriver;
let world: ExportWorld;
const admin: SlackUser = { id: EXPORT_USERS.admin, name: "ada" };
const maria: SlackUser = { id: EXPORT_USERS.maria, name: "maria" };
const ann: SlackUser = { id: EXPORT_USERS.ann, name: "ann" };
const bob: SlackUser = { id: EXPORT_USERS.bob, name: "bob" };

beforeAll(async () => {
  t = await startBotUnderTest({ now: () => NOW, env: { EXPORT_INLINE_MAX_ROWS: "3" } });
  slack = new SlackDriver(t.base, t.slack);
  world = await seedExportWorld(t.db);
  t.slack.addUser({ id: admin.id, name: admin.name, realName: "Ada Admin", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: maria.id, name: maria.name, realName: "Maria Manager", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: ann.id, name: ann.name, realName: "Ann Rep", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: bob.id, name: bob.name, realName: "Bob Rep", locale: "zh-CN", tz: "Asia/Shanghai" });
}, 60_000);
afterAll(() => t.stop());

/**
 * The next file of this kind shared into the user's DM after `before` uploads, read back (an
 * earlier answer's file may still be on its way).
 */
async function nextUpload(user: SlackUser, before: number, kind: string): Promise<FakeFile & { bytes: Buffer }> {
  const dm = `D${user.id}`;
  return eventually(() => t.slack.uploads.slice(before).find((f): f is FakeFile & { bytes: Buffer } => f.channel === dm && f.bytes !== undefined && f.filename.startsWith(`crm-${kind}-`)), 30_000);
}

const csvRows = (file: { bytes: Buffer }): string[][] => parse(file.bytes, { bom: true });

/** What a rep's file says about each customer's private details: the rows of `column` by customer name. */
function byCustomer(rows: string[][], nameColumn: number, valueColumns: number[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const row of rows.slice(1)) out.set(row[nameColumn]!, [...(out.get(row[nameColumn]!) ?? []), ...valueColumns.map((i) => row[i]!)]);
  return out;
}

describe("/crm export, written while the rep waits", () => {
  it("answers with the count and puts the file in the DM, formulas escaped", async () => {
    const before = t.slack.uploads.length;
    const reply = await slack.ask(admin, "/crm", "export interactions");
    expect(reply.responseType).toBe("ephemeral");
    expect(reply.text).toContain("Exported 3 interactions (all time) as CSV. The file is in your DM.");
    const file = await nextUpload(admin, before, "interactions");
    expect(file.filename).toBe("crm-interactions-all-2026-11-20.csv");
    const rows = csvRows(file);
    expect(rows[0]).toEqual(["ID", "Customer ID", "Customer", "Contact", "Channel", "Direction", "Text", "Date", "Logged by", "Created"]);
    expect(rows).toHaveLength(4);
    expect(rows.map((r) => r[6])).toEqual(["Text", "'-called back, all fine", "报价 +10%，下周再谈", "line one\r\nline two"]);
    expect(rows[3]![2]).toBe(`'${FORMULA_NAME}`);
    const audit = await t.db.sql.query<{ actor_id: string | null; detail: unknown }>("SELECT actor_id, detail FROM audit_log WHERE action = 'export.run' ORDER BY id DESC LIMIT 1");
    expect(audit.rows[0]!.actor_id).toBe(world.reps.admin);
    expect(audit.rows[0]!.detail).toMatchObject({ kind: "interactions", format: "csv", rows: 3, via: "chat", period: null });
  });

  it("exports a period: this month's surveys", async () => {
    const before = t.slack.uploads.length;
    const reply = await slack.ask(admin, "/crm", "export surveys this month");
    expect(reply.text).toContain("Exported 1 survey (this month) as CSV.");
    const rows = csvRows(await nextUpload(admin, before, "surveys"));
    expect(rows[1]!.slice(4, 8)).toEqual(["CSAT", "ANSWERED", "4", `'${FORMULA_COMMENT}`]);
    const beforeEmpty = t.slack.uploads.length;
    const empty = await slack.ask(admin, "/crm", "export surveys last month");
    expect(empty.text).toContain("There was nothing to export (last month): the file has the headers only. The file is in your DM.");
    const headersOnly = await nextUpload(admin, beforeEmpty, "surveys");
    expect(headersOnly.filename).toBe("crm-surveys-2026-10-01_2026-10-31.csv");
    expect(csvRows(headersOnly)).toEqual([["ID", "Customer ID", "Customer", "Contact", "Survey", "Status", "Score", "Comment", "Served by", "Sent", "Answered"]]);
  });
});

describe("/crm export, written by a worker", () => {
  it("answers at once, and the worker's file arrives in the DM with its message", async () => {
    const before = t.slack.uploads.length;
    const reply = await slack.ask(admin, "/crm", "export orders");
    expect(reply.text).toContain("Preparing 4 orders (all time) as CSV. That takes a moment: the file will arrive in your DM.");
    const file = await nextUpload(admin, before, "orders");
    expect(file.initialComment).toBe("Your export is ready: 4 orders (all time), CSV.");
    const rows = csvRows(file);
    expect(rows).toHaveLength(world.orders + 1);
    expect(rows.map((r) => r[3])).toEqual(["Amount", "10.00", "99.00", "1234.50", "5000.00"]);
    const run = await eventually(async () => (await t.db.sql.query<{ status: string; row_count: number; attempts: number }>("SELECT status, row_count, attempts FROM export_runs WHERE kind = 'orders'")).rows.find((r) => r.status === "delivered"), 10_000);
    expect(run).toEqual({ status: "delivered", row_count: 4, attempts: 1 });
    const audit = await t.db.sql.query<{ actor_id: string | null; detail: unknown }>("SELECT actor_id, entity_id, detail FROM audit_log WHERE action = 'export.run' AND detail->>'via' = 'job'");
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]!.actor_id).toBe(world.reps.admin);
    expect(audit.rows[0]!.detail).toMatchObject({ kind: "orders", rows: 4 });
  });
});

describe("whose private details are in the file", () => {
  /** The contacts file a user gets: emails, phones and WeChat ids by customer. */
  async function contactsOf(user: SlackUser): Promise<Map<string, string[]>> {
    const before = t.slack.uploads.length;
    await slack.ask(user, "/crm", "export contacts");
    return byCustomer(csvRows(await nextUpload(user, before, "contacts")), 2, [5, 6, 7]);
  }
  /** The customers file a user gets: addresses by customer. */
  async function addressesOf(user: SlackUser): Promise<Map<string, string[]>> {
    const before = t.slack.uploads.length;
    await slack.ask(user, "/crm", "export customers");
    return byCustomer(csvRows(await nextUpload(user, before, "customers")), 1, [6]);
  }
  const shown = (values: string[] | undefined) => (values ?? []).filter((v) => v !== "");
  const unescape = (v: string) => v.replace(/^'/, "");

  it("a rep: their own customers' and unowned ones', not another rep's", async () => {
    const contacts = await contactsOf(ann);
    expect(contacts.size).toBe(4);
    expect(shown(contacts.get("Acme Ltd")).map(unescape)).toEqual(world.secrets.acme.slice(1));
    expect(shown(contacts.get("Nobody's Co"))).toEqual(["nemo@nobody.example"]);
    expect(shown(contacts.get("阿里巴巴"))).toEqual([]);
    expect(shown(contacts.get(`'${FORMULA_NAME}`))).toEqual([]);
    const addresses = await addressesOf(ann);
    expect(addresses.get("Acme Ltd")).toEqual(["1 Acme Road, Springfield"]);
    expect(addresses.get("Nobody's Co")).toEqual(["7 Lonely St"]);
    expect(addresses.get("阿里巴巴")).toEqual([""]);
  });

  it("the other rep sees the other way round", async () => {
    const contacts = await contactsOf(bob);
    expect(shown(contacts.get("Acme Ltd"))).toEqual([]);
    expect(shown(contacts.get("阿里巴巴")).map(unescape)).toEqual(world.secrets.alibaba.slice(1));
  });

  it("a manager: their team's customers too, not a rep's outside the team", async () => {
    const contacts = await contactsOf(maria);
    expect(shown(contacts.get("Acme Ltd")).map(unescape)).toEqual(world.secrets.acme.slice(1));
    expect(shown(contacts.get("阿里巴巴"))).toEqual([]);
  });

  it("an admin: everyone's", async () => {
    const contacts = await contactsOf(admin);
    for (const name of ["Acme Ltd", "阿里巴巴", `'${FORMULA_NAME}`, "Nobody's Co"]) expect(shown(contacts.get(name)).length).toBeGreaterThan(0);
    const addresses = await addressesOf(admin);
    expect(addresses.get("阿里巴巴")).toEqual(["杭州市余杭区文一西路969号"]);
  });

  it("never puts a private value into an audit row", async () => {
    const { rows } = await t.db.sql.query<{ d: string }>("SELECT detail::text AS d FROM audit_log WHERE action = 'export.run'");
    expect(rows.length).toBeGreaterThan(5);
    for (const secret of Object.values(world.secrets).flat()) for (const row of rows) expect(row.d).not.toContain(secret);
  });
});

describe("/crm 导出, in Chinese", () => {
  it("answers in Chinese and writes Chinese headers, XLSX read back with exceljs", async () => {
    const before = t.slack.uploads.length;
    const reply = await slack.ask(bob, "/crm", "导出 订单 2026 xlsx");
    expect(reply.text).toContain("正在准备4 个订单（2026年），格式为 Excel (xlsx)。");
    const file = await nextUpload(bob, before, "orders");
    expect(file.filename).toBe("crm-orders-2026-01-01_2026-12-31.xlsx");
    expect(file.initialComment).toBe("导出完成：4 个订单（2026年），Excel (xlsx)。");
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(file.bytes as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.name).toBe("订单");
    expect((sheet.getRow(1).values as unknown[]).slice(1, 8)).toEqual(["编号", "客户编号", "客户名称", "金额", "币种", "产品", "日期"]);
    expect(sheet.getRow(5).getCell(4).value).toBe(5000);
    expect(sheet.getRow(2).getCell(3).value).toBe(`'${FORMULA_NAME}`);
  });

  it("exports this month's interactions glued to the kind word", async () => {
    const before = t.slack.uploads.length;
    const reply = await slack.ask(bob, "/crm", "导出 沟通记录本月");
    expect(reply.text).toContain("已导出3 条沟通记录（本月），格式为 CSV。文件已发到你的私信。");
    const rows = csvRows(await nextUpload(bob, before, "interactions"));
    expect(rows[0]!.slice(0, 3)).toEqual(["编号", "客户编号", "客户名称"]);
  });
});

describe("bad input is answered clearly and changes nothing", () => {
  const cases: [SlackUser, string, string][] = [
    [admin, "export", "Say what to export: /crm export customers, contacts, orders, interactions or surveys"],
    [admin, "export invoices", "I cannot export “invoices”. Choose customers, contacts, orders, interactions or surveys"],
    [admin, "export orders csv xlsx", "Choose one format, not both “csv” and “xlsx”: csv or xlsx."],
    [admin, "export orders someday soon", "I could not read “someday soon” as a period or a format."],
    [bob, "导出", "请说明要导出什么：/crm 导出 客户、联系人、订单、沟通记录 或 调查"],
    [bob, "导出 发票", "无法导出“发票”。请选择 客户、联系人、订单、沟通记录 或 调查"],
    [bob, "导出 订单 下个世纪", "“下个世纪”不是能识别的时间段或格式。"],
  ];
  const count = async (sql: string) => (await t.db.sql.query<{ n: number }>(sql)).rows[0]!.n;
  it.each(cases)("%s: /crm %s", async (user, text, expected) => {
    const audits = await count("SELECT count(*)::int AS n FROM audit_log WHERE action = 'export.run'");
    const runs = await count("SELECT count(*)::int AS n FROM export_runs");
    const uploads = t.slack.uploads.length;
    const reply = await slack.ask(user, "/crm", text);
    expect(reply.text).toContain(expected);
    // The usage line comes with it.
    expect(reply.text).toContain("/crm export customers|contacts|orders|interactions|surveys [period] [csv|xlsx]");
    expect(await count("SELECT count(*)::int AS n FROM audit_log WHERE action = 'export.run'")).toBe(audits);
    expect(await count("SELECT count(*)::int AS n FROM export_runs")).toBe(runs);
    await new Promise((r) => setTimeout(r, 200));
    expect(t.slack.uploads.length).toBe(uploads);
  });

  it("help lists /crm export in both languages", async () => {
    expect((await slack.ask(admin, "/crm", "help data")).text).toContain("/crm export customers|contacts|orders|interactions|surveys [period] [csv|xlsx]");
    expect((await slack.ask(bob, "/crm", "帮助 数据")).text).toContain("把 CRM 数据导出为文件发到你的私信");
  });
});
