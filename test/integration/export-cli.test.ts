import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/crm.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { TEST_DATA_ENCRYPTION_KEY } from "../support/env.js";
import { FORMULA_COMMENT, FORMULA_NAME, MULTILINE_ABOUT, seedExportWorld, type ExportWorld } from "../support/export-fixtures.js";

/**
 * The operator's export: `npm run crm -- export …` against a real Postgres, read back with
 * csv-parse and exceljs. A CLI export is a full admin export: every private detail is in it.
 */
let db: TestDatabase;
let world: ExportWorld;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  world = await seedExportWorld(db);
  dir = await mkdtemp(join(tmpdir(), "crm-export-cli-"));
  // runCli reads its configuration from the environment, as `npm run crm` does.
  Object.assign(process.env, { DATABASE_URL: db.url, DATA_ENCRYPTION_KEY: TEST_DATA_ENCRYPTION_KEY, DEFAULT_TIMEZONE: "Asia/Shanghai", DEFAULT_LOCALE: "en", BASE_CURRENCY: "CNY" });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await db.drop();
});

async function cli(...args: string[]): Promise<{ code: number; out: Buffer; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const outChunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  out.on("data", (c: Buffer) => outChunks.push(c));
  err.on("data", (c: Buffer) => errChunks.push(c));
  const code = await runCli(args, { out, err });
  return { code, out: Buffer.concat(outChunks), err: Buffer.concat(errChunks).toString("utf8") };
}

const rowsOf = (csv: Buffer): string[][] => parse(csv, { bom: true, relax_column_count: false });

describe("npm run crm -- export, to standard output", () => {
  it("writes CSV as UTF-8 with a BOM, CRLF records and RFC 4180 quoting, every private detail included", async () => {
    const { code, out, err } = await cli("export", "customers");
    expect(code).toBe(0);
    expect(err).toMatch(/Exported 4 customers \(all time\) as csv/);
    expect([...out.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = out.toString("utf8");
    expect(text).toContain("\r\n");
    // The about text's quotes are doubled inside a quoted field, its line break kept.
    expect(text).toContain('"Said ""hello"", then:\nleft early"');
    const rows = rowsOf(out);
    expect(rows[0]).toEqual(["ID", "Customer", "Stage", "Owner", "Industry", "Website", "Address", "About", "Tags", "Source", "Created"]);
    expect(rows).toHaveLength(5);
    const acme = rows.find((r) => r[1] === "Acme Ltd")!;
    expect(acme[0]).toBe(world.customers.acme);
    expect(acme[3]).toBe("Ann Rep");
    expect(acme[6]).toBe("1 Acme Road, Springfield");
    expect(acme[7]).toBe(MULTILINE_ABOUT);
    expect(acme[8]).toBe("vip, key-account");
    // ISO 8601 with the zone's offset (Asia/Shanghai: +08:00).
    expect(acme[10]).toBe("2026-01-05T10:00:00.000+08:00");
    // Text a spreadsheet would run is prefixed, wherever it stands.
    const evil = rows.find((r) => r[0] === world.customers.evil)!;
    expect(evil[1]).toBe(`'${FORMULA_NAME}`);
    expect(evil[4]).toBe("'+86 hack");
    // Oldest first.
    expect(rows.slice(1).map((r) => r[0])).toEqual([world.customers.acme, world.customers.evil, world.customers.alibaba, world.customers.nobody]);
  });

  it("writes orders with amounts as decimal strings beside their currency, deleted orders left out", async () => {
    const { code, out } = await cli("export", "orders");
    expect(code).toBe(0);
    const [header, ...rows] = rowsOf(out);
    expect(header).toEqual(["ID", "Customer ID", "Customer", "Amount", "Currency", "Product", "Date", "Base amount", "Base currency", "Entered by", "Created"]);
    expect(rows).toHaveLength(world.orders);
    expect(rows.map((r) => [r[2], r[3], r[4], r[5], r[6], r[7], r[8]])).toEqual([
      [`'${FORMULA_NAME}`, "10.00", "CNY", "'@SUM(A1:A9)", "2026-06-01T11:00:00.000+08:00", "10.00", "CNY"],
      ["Acme Ltd", "99.00", "USD", "'-support plan", "2026-10-02T11:00:00.000+08:00", "712.80", "CNY"],
      ["Acme Ltd", "1234.50", "CNY", "licence, 3 seats", "2026-11-05T11:00:00.000+08:00", "1234.50", "CNY"],
      ["阿里巴巴", "5000.00", "CNY", "服务器", "2026-11-10T11:00:00.000+08:00", "5000.00", "CNY"],
    ]);
    expect(rows.every((r) => r[9] === "Ada Admin")).toBe(true);
    expect(rows[2]![1]).toBe(world.customers.acme);
  });

  it("opens sealed contact details for the operator", async () => {
    const { out } = await cli("export", "contacts");
    const [header, ...rows] = rowsOf(out);
    expect(header).toEqual(["ID", "Customer ID", "Customer", "Contact", "Title", "Email", "Phone", "WeChat ID", "Birthday", "Anniversary", "Created"]);
    const li = rows.find((r) => r[3] === "Li Lei")!;
    expect(li.slice(5, 8)).toEqual(["li.lei@acme.example", "'+8613800138000", "oACMElilei0001"]);
  });

  it("writes interactions and surveys, line breaks and formulas in customer text kept as text", async () => {
    const interactions = rowsOf((await cli("export", "interactions")).out);
    expect(interactions).toHaveLength(world.interactions + 1);
    expect(interactions.map((r) => r[6])).toEqual(["Text", "'-called back, all fine", "报价 +10%，下周再谈", "line one\r\nline two"]);
    const surveys = rowsOf((await cli("export", "surveys")).out);
    expect(surveys[0]).toEqual(["ID", "Customer ID", "Customer", "Contact", "Survey", "Status", "Score", "Comment", "Served by", "Sent", "Answered"]);
    expect(surveys[1]!.slice(2)).toEqual(["阿里巴巴", "", "CSAT", "ANSWERED", "4", `'${FORMULA_COMMENT}`, "Bob Rep", "2026-11-08T10:00:00.000+08:00", "2026-11-08T11:00:00.000+08:00"]);
  });

  it("takes a period, Chinese headers and another zone", async () => {
    const { code, out } = await cli("export", "订单", "--period", "2026", "--lang", "zh-CN", "--tz", "UTC");
    expect(code).toBe(0);
    const [header, ...rows] = rowsOf(out);
    expect(header!.slice(0, 7)).toEqual(["编号", "客户编号", "客户名称", "金额", "币种", "产品", "日期"]);
    expect(rows).toHaveLength(4);
    expect(rows[0]![6]).toBe("2026-06-01T03:00:00.000+00:00");
    // A period of several words runs up to the next option; 2025 had no orders.
    const chinese = await cli("export", "orders", "--period", "2025", "年", "--format", "csv");
    expect(chinese.code).toBe(0);
    expect(rowsOf(chinese.out)).toHaveLength(1);
    expect(rowsOf((await cli("export", "orders", "--period=2025")).out)).toHaveLength(1);
  });

  it("audits each export as export.run, with no value of the rows", async () => {
    const count = async () => (await db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'export.run'")).rows[0]!.n;
    const before = await count();
    await cli("export", "contacts", "--format", "csv");
    const { rows } = await db.sql.query<{ actor_id: string | null; detail: unknown }>("SELECT actor_id, detail FROM audit_log WHERE action = 'export.run' ORDER BY id DESC LIMIT 1");
    expect(await count()).toBe(before + 1);
    expect(rows[0]!.actor_id).toBeNull();
    expect(rows[0]!.detail).toEqual({ kind: "contacts", format: "csv", period: null, rows: 4, via: "cli", role: "ADMIN" });
  });

  it("answers bad arguments with the usage and exit code 2, writing nothing", async () => {
    for (const args of [["export"], ["export", "invoices"], ["export", "orders", "--format", "pdf"], ["export", "orders", "--period", "someday"], ["export", "orders", "--lang", "fr"], ["export", "orders", "--bogus"]]) {
      const { code, out, err } = await cli(...args);
      expect(code).toBe(2);
      expect(out.length).toBe(0);
      expect(err).toContain("Usage: npm run crm -- export <kind>");
    }
  });
});

describe("npm run crm -- export --out", () => {
  it("writes an XLSX that exceljs reads back: headers, numbers as numbers, formulas as escaped text", async () => {
    const file = join(dir, "orders.xlsx");
    const { code, err } = await cli("export", "orders", "--out", file);
    expect(code).toBe(0);
    expect(err).toMatch(/Exported 4 orders \(all time\) as xlsx to /);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.name).toBe("Orders");
    expect(sheet.rowCount).toBe(world.orders + 1);
    expect(sheet.getRow(1).values).toEqual([undefined, "ID", "Customer ID", "Customer", "Amount", "Currency", "Product", "Date", "Base amount", "Base currency", "Entered by", "Created"]);
    const evil = sheet.getRow(2);
    expect(evil.getCell(3).value).toBe(`'${FORMULA_NAME}`);
    expect(evil.getCell(4).value).toBe(10);
    expect(evil.getCell(6).value).toBe("'@SUM(A1:A9)");
    expect(sheet.getRow(4).getCell(4).value).toBe(1234.5);
    expect(sheet.getRow(4).getCell(4).numFmt).toBe("0.00");
    // No cell of the sheet is a formula.
    sheet.eachRow((row) => row.eachCell((cell) => expect(cell.type).not.toBe(ExcelJS.ValueType.Formula)));
  });

  it("writes CSV to a file by its extension, and Chinese headers with --lang", async () => {
    const file = join(dir, "客户.csv");
    const { code } = await cli("export", "客户", "--out", file, "--lang", "zh-CN");
    expect(code).toBe(0);
    const rows = rowsOf(await readFile(file));
    expect(rows[0]!.slice(0, 4)).toEqual(["编号", "客户名称", "阶段", "负责人"]);
    expect(rows.map((r) => r[1])).toContain("阿里巴巴");
  });

  it("leaves no file behind when the export fails", async () => {
    const file = join(dir, "nowhere", "orders.csv");
    await expect(cli("export", "orders", "--out", file)).rejects.toThrow();
    await expect(stat(file)).rejects.toThrow();
  });
});
