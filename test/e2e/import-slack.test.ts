import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../fakes/fake-slack-api.js";
import { BOT_TOKEN, SIGNING_SECRET, startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { SlackDriver, buttonsIn, findButton, visibleText, type SlackButton } from "../support/slack-driver.js";
import { postToSlackEndpoint } from "../support/slack-requests.js";

/**
 * Imports through Slack end to end, against the real bot, real Postgres and Redis and the fake
 * Slack API: a rep shares a CSV or XLSX file in the DM with the bot, the adapter downloads it
 * from url_private_download with the bot token, the bot answers with a preview and Import /
 * Cancel buttons, a worker runs the import (progress by chat.update), and the result arrives in
 * the DM with the problem rows as an uploaded CSV. Both languages; refusals.
 */

const FIXTURES = join(import.meta.dirname, "../fixtures/import");
type Blocks = Record<string, unknown>[];

let t: BotUnderTest;
let slack: SlackDriver;
const admin = { id: "U0ADMIN", name: "ada" };
const wang = { id: "U0WANG", name: "wang.wei" };
const rita = { id: "U0RITA", name: "rita" };
let events = 0;

const dmOf = (user: { id: string }) => `D${user.id.slice(1)}`;

async function rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.db.sql.query(sql, params)).rows as T[];
}

/** Shares a file in the user's DM with the bot (message.im, subtype file_share) and returns the bot's answer there. */
async function share(user: { id: string }, name: string, bytes: Buffer): Promise<{ text: string; blocks: Blocks; ts: string }> {
  const id = t.slack.hostFile(name, bytes);
  const channel = dmOf(user);
  const before = t.slack.callsTo("chat.postMessage").filter((c) => c.body.channel === channel).length;
  const body = JSON.stringify({
    token: "x", team_id: "T0001", api_app_id: "A0CRM", type: "event_callback", event_id: `EvFile${randomUUID()}`, event_time: 1763600000,
    event: { type: "message", subtype: "file_share", channel, channel_type: "im", user: user.id, text: "", files: [t.slack.sharedFile(id)], ts: `1763700${String(++events).padStart(3, "0")}.000100`, team: "T0001" },
  });
  const res = await postToSlackEndpoint(`${t.base}/slack/events`, body, "application/json", { secret: SIGNING_SECRET });
  expect(res.status).toBe(200);
  const posted = await eventually(() => t.slack.callsTo("chat.postMessage").filter((c) => c.body.channel === channel)[before], 20_000);
  const answer = t.slack.channels.get(channel)!.at(-1)!;
  return { text: visibleText(posted.body.blocks as Blocks), blocks: posted.body.blocks as Blocks, ts: answer.ts };
}

/** Presses a button of a DM message, as Slack sends it (channel and message ts), and returns what the bot posted to response_url. */
async function press(user: { id: string; name: string }, button: SlackButton): Promise<{ text: string; body: Record<string, unknown> }> {
  const { responseUrl } = await slack.press(user, button, dmOf(user));
  const path = new URL(responseUrl).pathname;
  const posted = await eventually(() => t.slack.responses.find((r) => r.path === path), 20_000);
  return { text: visibleText((posted.body.blocks ?? []) as Blocks), body: posted.body };
}

/** The bot's latest DM to the user containing `text` (the outbox's result message). */
async function dmWith(user: { id: string }, text: string): Promise<{ text: string; blocks: Blocks }> {
  const call = await eventually(() => t.slack.callsTo("chat.postMessage").find((c) => String(c.body.channel).endsWith(user.id.slice(1)) && visibleText((c.body.blocks ?? []) as Blocks).includes(text)), 30_000);
  return { text: visibleText(call.body.blocks as Blocks), blocks: call.body.blocks as Blocks };
}

beforeAll(async () => {
  t = await startBotUnderTest({ env: { ADMIN_SLACK_USER_IDS: `${admin.id},${wang.id}`, IMPORT_MAX_BYTES: "200000" }, now: () => new Date("2026-11-20T04:00:00Z") });
  slack = new SlackDriver(t.base, t.slack);
  t.slack.addUser({ id: admin.id, name: admin.name, realName: "Ada Admin", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: wang.id, name: wang.name, realName: "王伟", locale: "zh-CN", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: rita.id, name: rita.name, realName: "Rita Rep", locale: "en-US", tz: "Asia/Shanghai" });
  // Rita used the bot before the admins' list named anyone else: she is a rep.
  await slack.dm(admin, "help");
  await slack.dm(rita, "help");
}, 60_000);
afterAll(async () => {
  await t?.stop();
});

describe("importing a file shared in the DM", () => {
  it("previews a Chinese customer list in Chinese, imports it on Import through a worker, and reports in the DM", async () => {
    const preview = await share(wang, "客户名单.csv", await readFile(join(FIXTURES, "customers-zh.csv")));
    // The adapter fetched the file with the bot token as a bearer.
    expect(t.slack.downloads.at(-1)).toMatchObject({ token: BOT_TOKEN });
    expect(preview.text).toContain("导入 客户名单.csv");
    expect(preview.text).toContain("按客户读取");
    expect(preview.text).toContain("客户名称 ← “客户名称”");
    expect(preview.text).toContain("将新建");
    // Nothing is written by a preview.
    expect(await rows("SELECT id FROM customers")).toHaveLength(0);
    const run = (await rows<{ status: string; id: string }>("SELECT id, status FROM import_runs"))[0]!;
    expect(run.status).toBe("previewed");
    const importButton = findButton(preview.blocks, "import.run", "导入");
    // The button carries the run's id, not the file or its rows.
    expect(importButton.value).toBe(run.id);

    const pressed = await press(wang, importButton);
    expect(pressed.text).toContain("正在导入 客户名单.csv");
    expect(pressed.body.replace_original).toBe(true);
    const done = await dmWith(wang, "导入完成");
    expect(done.text).toMatch(/将新建\*?\s*3/);
    expect((await rows<{ name: string }>("SELECT name FROM customers ORDER BY name")).map((r) => r.name)).toEqual(["华为技术有限公司", "腾讯", "阿里巴巴集团"].sort());
    // Progress replaced the message the button was on.
    expect(t.slack.updates.some((u) => u.channel === dmOf(wang) && String(u.text).includes("100%"))).toBe(true);
    const finished = (await rows<{ status: string; created: number; chunks: number }>("SELECT status, created, (SELECT count(*)::int FROM import_file_chunks) AS chunks FROM import_runs WHERE id = $1", [run.id]))[0]!;
    expect(finished).toEqual({ status: "done", created: 3, chunks: 0 });
    const audit = await rows<{ actor: string; detail: Record<string, unknown> }>("SELECT u.external_id AS actor, a.detail FROM audit_log a JOIN users u ON u.id = a.actor_id WHERE a.action = 'import.run'");
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: wang.id, detail: { file: "客户名单.csv", kind: "customers", created: 3 } });

    // The same file again: nothing to import, no Import button.
    const again = await share(wang, "客户名单.csv", await readFile(join(FIXTURES, "customers-zh.csv")));
    expect(again.text).toContain("没有可导入的内容");
    expect(buttonsIn(again.blocks).some((b) => b.action_id.startsWith("import.run"))).toBe(false);
  }, 60_000);

  it("imports an XLSX of orders in English and sends the problem rows as a CSV file", async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet("Orders");
    sheet.addRow(["Customer", "Amount", "Currency", "Order date", "Product"]);
    sheet.addRow(["alibaba", 1200, "CNY", new Date(Date.UTC(2026, 2, 5)), "Cloud"]);
    sheet.addRow(["tengxun", 99.5, "USD", "2026-03-06", "Games"]);
    sheet.addRow(["Nobody Ltd", 5, "CNY", "2026-03-06", "x"]);
    sheet.addRow(["腾讯", { formula: "1+1", result: 2 }, "CNY", "2026-03-07", "y"]);
    const preview = await share(admin, "orders.xlsx", Buffer.from(await workbook.xlsx.writeBuffer()));
    expect(preview.text).toContain("Read as orders (from the headers");
    expect(preview.text).toContain("Row 4: Customer: no customer called “Nobody Ltd”");
    expect(preview.text).toContain("Row 5: Amount: “=1+1” is a spreadsheet formula");
    await press(admin, findButton(preview.blocks, "import.run", "Import"));
    const done = await dmWith(admin, "Import of orders.xlsx (orders) finished");
    expect(done.text).toMatch(/To create\*?\s*2/);
    const upload = await eventually(() => t.slack.uploads.find((f) => f.filename === "orders-problems.csv"), 20_000);
    // In the admin's DM with the bot (the outbox posts to their user id).
    expect(upload.channel).toBe(t.slack.channelOf(admin.id));
    const csv = upload.bytes!.toString("utf8");
    expect(csv.startsWith("\uFEFFCustomer,Amount,Currency,Order date,Product,Row,Problem")).toBe(true);
    expect(csv).toContain("Nobody Ltd,5,CNY,2026-03-06,x,4,");
    // A formula is written back escaped, never as a live formula.
    expect(csv).toContain("'=1+1");
    const orders = await rows<{ amount: string; currency: string }>("SELECT amount::text, currency FROM orders ORDER BY base_amount");
    expect(orders).toEqual([{ amount: "99.50", currency: "USD" }, { amount: "1200.00", currency: "CNY" }]);
  }, 60_000);

  it("reads a file as another kind when asked, and Cancel drops it with nothing written", async () => {
    const csv = Buffer.from("Company,Person,Mobile\r\nInitech,Peter Gibbons,+1 415 555 0101\r\n");
    const preview = await share(admin, "people.csv", csv);
    expect(preview.text).toContain("Read as customers");
    const asContacts = await press(admin, findButton(preview.blocks, "import.as", "Read as contacts"));
    expect(asContacts.text).toContain("Read as contacts.");
    // Initech is no customer yet: as contacts the row has a problem.
    expect(asContacts.text).toContain("no customer called “Initech”");
    const cancelled = await press(admin, findButton(asContacts.body.blocks as Blocks, "import.cancel"));
    expect(cancelled.text).toContain("Import of people.csv cancelled");
    expect(await rows("SELECT id FROM customers WHERE name = 'Initech'")).toHaveLength(0);
    const run = (await rows<{ status: string; chunks: number }>("SELECT status, (SELECT count(*)::int FROM import_file_chunks c WHERE c.run_id = r.id) AS chunks FROM import_runs r WHERE file_name = 'people.csv'"))[0]!;
    expect(run).toEqual({ status: "cancelled", chunks: 0 });
  }, 60_000);

  it("lets the rep change how columns are read in a form", async () => {
    const preview = await share(admin, "vendors.csv", Buffer.from("Vendor,Sector\r\nUmbrella Corp,Pharma\r\n"));
    // "Vendor" is no header the bot knows: it asks what the file holds.
    expect(preview.text).toContain("What does this file hold?");
    const asCustomers = await press(admin, findButton(preview.blocks, "import.as", "Read as customers"));
    expect(asCustomers.text).toContain("No column gives the Customer");
    const { triggerId } = await slack.press(admin, findButton(asCustomers.body.blocks as Blocks, "import.columns"), dmOf(admin));
    const view = await slack.openedView(triggerId);
    expect(view.callback_id).toBe("import.mapping");
    const submitted = await slack.submitForm(admin, view, { c0: "name", c1: "industry" });
    expect(submitted.status).toBe(200);
    // The new preview comes where the form was opened from, the DM (as an ephemeral message there).
    const confirmation = await eventually(() => [...t.slack.callsTo("chat.postEphemeral"), ...t.slack.callsTo("chat.postMessage")].find((c) => visibleText((c.body.blocks ?? []) as Blocks).includes("Industry ← “Sector”")), 20_000);
    expect(visibleText(confirmation.body.blocks as Blocks)).toMatch(/To create\*?\s*1/);
    expect(buttonsIn(confirmation.body.blocks as Blocks).some((b) => b.action_id.startsWith("import.run"))).toBe(true);
  }, 60_000);
});

describe("what is refused", () => {
  it("a rep may not import: told so in their language, and the file is not kept", async () => {
    const before = (await rows("SELECT id FROM import_runs")).length;
    const answer = await share(rita, "customers.csv", await readFile(join(FIXTURES, "customers-en.csv")));
    expect(answer.text).toContain("Only admins and managers may import data; you are a rep.");
    expect(await rows("SELECT id FROM import_runs")).toHaveLength(before);
  }, 30_000);

  it("an oversized file is refused from its stated size, without downloading it", async () => {
    const downloads = t.slack.downloads.length;
    const answer = await share(admin, "huge.csv", Buffer.alloc(300_000, "a"));
    expect(answer.text).toContain("I import files of at most 0.2 MB");
    expect(t.slack.downloads.length).toBe(downloads);
  }, 30_000);

  it("a malformed file and a file that is no spreadsheet get a clear answer, and nothing is written", async () => {
    const before = (await rows("SELECT id FROM import_runs")).length;
    const malformed = await share(wang, "坏文件.csv", await readFile(join(FIXTURES, "malformed.csv")));
    expect(malformed.text).toContain("不是有效的 CSV");
    const pdf = await share(admin, "deck.pdf", Buffer.from("%PDF-1.4"));
    expect(pdf.text).toContain("“deck.pdf” is not a CSV or XLSX file");
    expect(await rows("SELECT id FROM import_runs")).toHaveLength(before);
  }, 30_000);

  it("/crm import explains how, with the columns, in both languages", async () => {
    expect(await slack.dm(admin, "import orders")).toContain("Columns: ID, Customer ID, Customer, Amount, Currency, Product, Date. Needed: Customer or Customer ID, Amount, Date.");
    expect(await slack.dm(wang, "导入")).toContain("在这个私信里发给我一个 CSV 或 XLSX 文件");
    expect(await slack.dm(admin, "import bananas")).toContain("“bananas” is not something I import");
  }, 30_000);
});
