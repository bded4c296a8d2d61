import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import iconv from "iconv-lite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/crm.js";
import { importWords } from "../../src/commands/views/import.js";
import { nameKeys } from "../../src/domain/language/customer-name.js";
import { translator } from "../../src/i18n/index.js";
import { importFile, type FileImportResult, type ServiceDeps } from "../../src/services/index.js";
import type { Rep } from "../../src/store/index.js";
import { testServiceDeps } from "../support/core.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { TEST_DATA_ENCRYPTION_KEY } from "../support/env.js";
import { lookupHash, testCipher } from "../support/sealed.js";

/**
 * Imports of files on the server (services/imports, the operator's `npm run crm -- import`)
 * against real Postgres: fixtures in English and Chinese, UTF-8 with and without a BOM,
 * GB18030 and XLSX; idempotent re-imports; ambiguous and unknown customers as problem rows;
 * hostile and malformed files refused with nothing written; the role rule; the CLI's exit codes.
 */

const FIXTURES = join(import.meta.dirname, "../fixtures/import");
const NOW = new Date("2026-11-20T04:00:00Z");

let db: TestDatabase;
let deps: ServiceDeps;
let admin: Rep;
let manager: Rep;
let rep: Rep;
let dir: string;

async function user(externalId: string, name: string, role: "ADMIN" | "MANAGER" | "REP"): Promise<Rep> {
  const id = randomUUID();
  await db.sql.query(`INSERT INTO users (id, platform, external_id, display_name, role, updated_at) VALUES ($1, 'slack', $2, $3, $4::"Role", now())`, [id, externalId, name, role]);
  return (await db.store.users.findById(id))!;
}

const words = importWords(translator("en"));

async function run(path: string, kind: "customers" | "contacts" | "orders" | "interactions", options: { dryRun?: boolean; as?: Rep; wholeRefreshFrom?: number; batchSize?: number } = {}): Promise<FileImportResult> {
  const result = await importFile(deps, options.as ?? admin, path, {
    kind, dryRun: options.dryRun ?? false, timeZone: "Asia/Shanghai", locale: "en", words, ...(options.wholeRefreshFrom !== undefined ? { wholeRefreshFrom: options.wholeRefreshFrom } : {}),
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
  });
  if (!("outcome" in result)) throw new Error(`mapping problems: ${JSON.stringify(result.mappingProblems)}`);
  await result.outcome.problemFile?.remove();
  return result;
}

const counts = (r: FileImportResult) => ({ created: r.outcome.created, updated: r.outcome.updated, unchanged: r.outcome.unchanged, failed: r.outcome.failed });

async function count(table: string): Promise<number> {
  return (await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;
}

async function fileOf(name: string, bytes: Uint8Array | string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

beforeAll(async () => {
  db = await createTestDatabase();
  deps = testServiceDeps(db.store, { now: () => NOW });
  admin = await user("UADMIN", "Ada Admin", "ADMIN");
  manager = await user("UMGR", "Max Manager", "MANAGER");
  rep = await user("UREP", "Rita Rep", "REP");
  dir = await mkdtemp(join(tmpdir(), "import-test-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await db.drop();
});

describe("customers with their contacts", () => {
  it("imports an English UTF-8 file: customers, one contact per row, problem rows reported", async () => {
    const result = await run(join(FIXTURES, "customers-en.csv"), "customers");
    // Acme, Globex (with Hank), Globex again (Marge joins it), Initech; the formula and the bad phone are problems.
    expect(counts(result)).toEqual({ created: 3, updated: 1, unchanged: 0, failed: 2 });
    expect(result.outcome.firstProblems.map((p) => [p.row, p.problems[0]!.key])).toEqual([[6, "import.problem.formula"], [7, "contact.phone.invalid"]]);
    const customers = await db.sql.query<{ name: string; stage: string; external_id: string; tags: string[]; website: string | null }>("SELECT name, stage::text, external_id, tags, website FROM customers ORDER BY name");
    expect(customers.rows.map((c) => [c.name, c.stage, c.external_id])).toEqual([["Acme Ltd", "ACTIVE", "C-001"], ["Globex Corporation", "PROSPECT", "C-002"], ["Initech", "LEAD", "C-003"]]);
    expect(customers.rows[0]!.tags).toEqual(["vip", "key-account"]);
    expect(customers.rows[0]!.website).toBe("https://acme.com");
    // Contacts are sealed: the plaintext is nowhere, the keyed hash finds them.
    const contacts = await db.sql.query<{ name: string; email_hash: string | null; phone_hash: string | null; email_enc: string | null }>("SELECT name, email_hash, phone_hash, email_enc FROM contacts ORDER BY name");
    expect(contacts.rows.map((c) => c.name)).toEqual(["Hank Scorpio", "Li Lei", "Marge Simpson"]);
    const li = contacts.rows.find((c) => c.name === "Li Lei")!;
    expect(li.email_hash).toBe(lookupHash("email", "li.lei@acme.com"));
    expect(li.phone_hash).toBe(lookupHash("phone", "+8613800138000"));
    expect(li.email_enc).not.toContain("acme");
    expect(testCipher().open("contacts.email", li.email_enc!)).toBe("li.lei@acme.com");
    // One audit row for the import, with counts and no cell values.
    const audit = await db.sql.query<{ action: string; detail: Record<string, unknown> }>("SELECT action, detail FROM audit_log WHERE action = 'import.run'");
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]!.detail).toMatchObject({ file: "customers-en.csv", kind: "customers", created: 3, failed: 2 });
    expect(JSON.stringify(audit.rows[0]!.detail)).not.toContain("acme.com");
    // Per-customer stats exist for what was created.
    expect(await count("customer_stats")).toBe(3);
  });

  it("re-importing the same file creates and updates nothing", async () => {
    const before = [await count("customers"), await count("contacts")];
    const again = await run(join(FIXTURES, "customers-en.csv"), "customers");
    expect(counts(again)).toEqual({ created: 0, updated: 0, unchanged: 4, failed: 2 });
    expect([await count("customers"), await count("contacts")]).toEqual(before);
  });

  it("reads a Chinese UTF-8 file with a BOM, and the same text as GB18030 finds the same records", async () => {
    const first = await run(join(FIXTURES, "customers-zh.csv"), "customers");
    expect(first.info.encoding).toBe("utf-8");
    expect(first.info.headers[0]).toBe("客户名称");
    expect(counts(first)).toEqual({ created: 3, updated: 0, unchanged: 0, failed: 0 });
    const about = await db.sql.query<{ about: string; industry: string; stage: string }>("SELECT about, industry, stage::text FROM customers WHERE name = '阿里巴巴集团'");
    expect(about.rows[0]).toEqual({ about: "重点客户", industry: "电子商务", stage: "ACTIVE" });
    const text = (await readFile(join(FIXTURES, "customers-zh.csv"), "utf8")).replace(/^\uFEFF/, "");
    const gb = await fileOf("customers-gbk.csv", iconv.encode(text, "gb18030"));
    const second = await run(gb, "customers");
    expect(second.info.encoding).toBe("gb18030");
    expect(second.info.headers).toEqual(first.info.headers);
    expect(counts(second)).toEqual({ created: 0, updated: 0, unchanged: 3, failed: 0 });
  });

  it("reads XLSX written by exceljs, and updates only what changed", async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet("客户");
    sheet.addRow(["客户名称", "行业", "负责人", "标签"]);
    sheet.addRow(["腾讯", "游戏", "Max Manager", "重点, vip"]);
    sheet.addRow(["Initech", null, null, null]);
    sheet.addRow(["Umbrella", { formula: 'HYPERLINK("http://evil.example","x")', result: "x" }, null, null]);
    const path = await fileOf("customers.xlsx", Buffer.from(await workbook.xlsx.writeBuffer()));
    const result = await run(path, "customers");
    expect(result.info.format).toBe("xlsx");
    expect(counts(result)).toEqual({ created: 0, updated: 1, unchanged: 1, failed: 1 });
    expect(result.outcome.firstProblems[0]).toMatchObject({ row: 4, problems: [{ key: "import.problem.formula" }] });
    const tencent = await db.sql.query<{ industry: string; owner_id: string; tags: string[] }>("SELECT industry, owner_id, tags FROM customers WHERE name = '腾讯'");
    expect(tencent.rows[0]).toEqual({ industry: "游戏", owner_id: manager.id, tags: ["重点", "vip"] });
    expect(await count("customers WHERE name = 'Umbrella'")).toBe(0);
  });
});

describe("orders and interactions", () => {
  it("imports orders in Chinese by the forgiving matcher; unknown customers and bad amounts are problem rows; stats follow", async () => {
    // Aggregates rebuilt set-based for every customer, as a large import does.
    const result = await run(join(FIXTURES, "orders-zh.csv"), "orders", { wholeRefreshFrom: 0 });
    expect(counts(result)).toEqual({ created: 3, updated: 0, unchanged: 0, failed: 2 });
    expect(result.outcome.firstProblems.map((p) => [p.row, p.problems[0]!.key])).toEqual([[5, "import.problem.customerUnknown"], [6, "import.problem.amountNotPositive"]]);
    const orders = await db.sql.query<{ name: string; amount: string; currency: string; ordered_at: Date; created_by_id: string }>(
      "SELECT c.name, o.amount::text, o.currency, o.ordered_at, o.created_by_id FROM orders o JOIN customers c ON c.id = o.customer_id ORDER BY o.ordered_at");
    expect(orders.rows.map((o) => [o.name, o.amount, o.currency])).toEqual([["阿里巴巴集团", "1200.50", "CNY"], ["阿里巴巴集团", "800.00", "CNY"], ["华为技术有限公司", "100.00", "USD"]]);
    // A date alone is local noon in the rep's zone, as /order places it.
    expect(orders.rows[0]!.ordered_at.toISOString()).toBe("2026-03-05T04:00:00.000Z");
    expect(orders.rows.every((o) => o.created_by_id === admin.id)).toBe(true);
    const stats = await db.sql.query<{ order_count: number; total_spent: string }>("SELECT s.order_count, s.total_spent::text FROM customer_stats s JOIN customers c ON c.id = s.customer_id WHERE c.name = '阿里巴巴集团'");
    expect(stats.rows[0]).toEqual({ order_count: 2, total_spent: "2000.50" });
    expect(await count("customer_order_months")).toBe(2);
  });

  it("re-importing the orders changes nothing; an order with an external id is updated when its terms change", async () => {
    const again = await run(join(FIXTURES, "orders-zh.csv"), "orders");
    expect(counts(again)).toEqual({ created: 0, updated: 0, unchanged: 3, failed: 2 });
    expect(await count("orders")).toBe(3);
    const first = await fileOf("orders-ids.csv", "ID,Customer,Amount,Currency,Date\r\nO-1,Acme Ltd,10,EUR,2026-01-02T08:00:00+01:00\r\n");
    expect(counts(await run(first, "orders"))).toMatchObject({ created: 1 });
    const changed = await fileOf("orders-ids2.csv", "ID,Customer,Amount,Currency,Date\r\nO-1,Acme Ltd,12.5,EUR,2026-01-02T08:00:00+01:00\r\n");
    expect(counts(await run(changed, "orders"))).toEqual({ created: 0, updated: 1, unchanged: 0, failed: 0 });
    const row = await db.sql.query<{ amount: string; ordered_at: Date }>("SELECT amount::text, ordered_at FROM orders WHERE external_id = 'O-1'");
    expect(row.rows[0]).toEqual({ amount: "12.50", ordered_at: new Date("2026-01-02T07:00:00Z") });
    const stats = await db.sql.query<{ total_spent: string }>("SELECT s.total_spent::text FROM customer_stats s JOIN customers c ON c.id = s.customer_id WHERE c.name = 'Acme Ltd'");
    expect(Number(stats.rows[0]!.total_spent)).toBeCloseTo(12.5 * 7.7, 1);
  });

  it("an ambiguous customer is a problem row naming the candidates, never a guess", async () => {
    for (const name of ["华信物流", "华鑫物流"]) await db.store.customers.create({ name, keys: nameKeys(name), ownerId: null });
    const path = await fileOf("ambiguous.csv", "客户,金额,日期\r\nhuaxinwuliu,100,2026-02-01\r\n华信物流,100,2026-02-01\r\n");
    const result = await run(path, "orders");
    expect(counts(result)).toEqual({ created: 1, updated: 0, unchanged: 0, failed: 1 });
    const problem = result.outcome.firstProblems[0]!;
    expect(problem.problems[0]!.key).toBe("import.problem.customerAmbiguous");
    expect(words.describe(problem.problems[0]!)).toContain("华信物流, 华鑫物流");
  });

  it("imports interactions, linked to the named contact, idempotently", async () => {
    const first = await run(join(FIXTURES, "interactions-en.csv"), "interactions");
    expect(counts(first)).toEqual({ created: 2, updated: 0, unchanged: 0, failed: 1 });
    expect(first.outcome.firstProblems[0]!.problems[0]!.key).toBe("import.problem.channel");
    const rows = await db.sql.query<{ channel: string; contact: string | null; occurred_at: Date }>(
      "SELECT i.channel::text, k.name AS contact, i.occurred_at FROM interactions i LEFT JOIN contacts k ON k.id = i.contact_id ORDER BY i.occurred_at");
    expect(rows.rows.map((r) => [r.channel, r.contact, r.occurred_at.toISOString()])).toEqual([["CALL", "Li Lei", "2026-03-05T02:20:00.000Z"], ["MEETING", null, "2026-03-06T01:00:00.000Z"]]);
    expect(counts(await run(join(FIXTURES, "interactions-en.csv"), "interactions"))).toEqual({ created: 0, updated: 0, unchanged: 2, failed: 1 });
    const stats = await db.sql.query<{ interaction_count: number }>("SELECT s.interaction_count FROM customer_stats s JOIN customers c ON c.id = s.customer_id WHERE c.name = 'Acme Ltd'");
    expect(stats.rows[0]!.interaction_count).toBe(2);
  });
  it("the same order or entry twice in one file, batches apart, is written once (the look-up skipped for new customers still finds it)", async () => {
    await run(await fileOf("fresh-customers.csv", "Customer\r\nFreshly Made Ltd\r\nSecond Fresh Co\r\n"), "customers");
    const order = "Freshly Made Ltd,120.50,CNY,2026-02-03 10:00";
    const orders = ["Customer,Amount,Currency,Date", order, ...Array.from({ length: 6 }, (_, i) => `Second Fresh Co,${10 + i},CNY,2026-02-0${i + 1}`), order, ""].join("\r\n");
    const first = await run(await fileOf("fresh-orders.csv", orders), "orders", { batchSize: 2 });
    expect(counts(first)).toEqual({ created: 7, updated: 0, unchanged: 1, failed: 0 });
    expect(await count("orders o JOIN customers c ON c.id = o.customer_id WHERE c.name = 'Freshly Made Ltd'")).toBe(1);
    const entry = "Freshly Made Ltd,call,Talked about the spring order,2026-02-04 09:00";
    const log = ["Customer,Channel,Text,Date", entry, "Second Fresh Co,call,One,2026-02-01", "Second Fresh Co,call,Two,2026-02-02", "Second Fresh Co,call,Three,2026-02-03", entry, ""].join("\r\n");
    expect(counts(await run(await fileOf("fresh-log.csv", log), "interactions", { batchSize: 2 }))).toEqual({ created: 4, updated: 0, unchanged: 1, failed: 0 });
    expect(await count("interactions i JOIN customers c ON c.id = i.customer_id WHERE c.name = 'Freshly Made Ltd'")).toBe(1);
  });
});

describe("what is refused", () => {
  async function refused(path: string, kind: "customers" | "orders" = "customers"): Promise<string> {
    const before = [await count("customers"), await count("orders"), await count("import_runs")];
    const error = await importFile(deps, admin, path, { kind, dryRun: false, timeZone: "Asia/Shanghai", locale: "en", words }).then(() => undefined, (e: unknown) => e as { userKey?: string });
    expect([await count("customers"), await count("orders"), await count("import_runs")]).toEqual(before);
    return error?.userKey ?? "accepted";
  }

  it("a malformed CSV is refused whole: the good rows before the broken quote are not written either", async () => {
    expect(await refused(join(FIXTURES, "malformed.csv"), "orders")).toBe("import.file.malformed");
  });

  it("an oversized file, a million-column row and an old .xls are refused before parsing", async () => {
    const small = { ...deps, settings: { ...deps.settings, importMaxBytes: 1_024 } };
    const big = await fileOf("big.csv", `Customer\r\n${"Acme\r\n".repeat(400)}`);
    const error = await importFile(small, admin, big, { kind: "customers", dryRun: false, timeZone: "Asia/Shanghai", locale: "en", words }).catch((e: unknown) => e as { userKey: string });
    expect((error as { userKey: string }).userKey).toBe("import.file.tooBig");
    expect(await refused(await fileOf("wide.csv", `Customer\r\nAcme${",x".repeat(1_000_000)}\r\n`))).toBe("import.file.tooManyColumns");
    expect(await refused(await fileOf("old.xls", Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0])))).toBe("import.file.xls");
  });

  it("a zip bomb dressed as XLSX is refused from its directory, without inflating it", async () => {
    const { deflateRawSync } = await import("node:zlib");
    // One entry of 40 MB of zeros: about 40 kB compressed, a ratio no spreadsheet has.
    const data = deflateRawSync(Buffer.alloc(40 << 20));
    const name = Buffer.from("xl/worksheets/sheet1.xml");
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(40 << 20, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(40 << 20, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(0, 42);
    const cdOffset = 30 + name.length + data.length;
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(1, 8);
    end.writeUInt16LE(1, 10);
    end.writeUInt32LE(46 + name.length, 12);
    end.writeUInt32LE(cdOffset, 16);
    const bomb = await fileOf("bomb.xlsx", Buffer.concat([local, name, data, central, name, end]));
    expect(await refused(bomb)).toBe("import.file.zipBomb");
  });

  it("only admins and managers import; a rep is refused and nothing is written", async () => {
    const error = await importFile(deps, rep, join(FIXTURES, "customers-en.csv"), { kind: "customers", dryRun: false, timeZone: "Asia/Shanghai", locale: "en", words }).catch((e: unknown) => e as { code: string; userKey: string });
    expect(error).toMatchObject({ code: "FORBIDDEN", userKey: "import.forbidden" });
  });

  it("a dry run counts what an import would do and writes nothing", async () => {
    const path = await fileOf("dry.csv", "Customer,Industry\r\nStark Industries,Defence\r\nAcme Ltd,Robots\r\n");
    const before = [await count("customers"), await count("import_runs"), await count("audit_log")];
    const result = await run(path, "customers", { dryRun: true });
    expect(counts(result)).toEqual({ created: 1, updated: 1, unchanged: 0, failed: 0 });
    expect([await count("customers"), await count("import_runs"), await count("audit_log")]).toEqual(before);
    expect((await db.sql.query("SELECT industry FROM customers WHERE name = 'Acme Ltd'")).rows[0]).toEqual({ industry: "Manufacturing" });
  });
});

describe("npm run crm -- import", () => {
  async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const saved = { DATABASE_URL: process.env.DATABASE_URL, DATA_ENCRYPTION_KEY: process.env.DATA_ENCRYPTION_KEY };
    process.env.DATABASE_URL = db.url;
    process.env.DATA_ENCRYPTION_KEY = TEST_DATA_ENCRYPTION_KEY;
    try {
      const code = await runCli(["import", ...args], {
        out: { write: (s: string) => ((out += s), true) } as unknown as NodeJS.WritableStream,
        err: { write: (s: string) => ((err += s), true) } as unknown as NodeJS.WritableStream,
      });
      return { code, out, err };
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }

  it("exits 0 when every row was taken, 1 when rows failed (problem rows written beside the file), 2 for a usage mistake", async () => {
    const good = await fileOf("cli-good.csv", "Customer,Industry\r\nWayne Enterprises,Conglomerate\r\n");
    const ok = await cli(["customers", good, "--as", "UADMIN"]);
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.out).toContain("To create: 1");
    expect(ok.err).toContain("100%");

    const bad = await fileOf("cli-bad.csv", "Customer,Amount,Date\r\nWayne Enterprises,abc,2026-01-01\r\n");
    const failed = await cli(["orders", bad, "--as", "Ada Admin", "--dry-run"]);
    expect(failed.code).toBe(1);
    expect(failed.out).toContain("Dry run");
    const problems = await readFile(join(dir, "cli-bad.problems.csv"), "utf8");
    expect(problems.startsWith("\uFEFFCustomer,Amount,Date,Row,Problem\r\n")).toBe(true);
    expect(problems).toContain('Wayne Enterprises,abc,2026-01-01,2,"Amount: “abc” is not an amount.');

    expect((await cli(["bananas", good])).code).toBe(2);
    expect((await cli(["customers", good, "--as", "UREP"])).code).toBe(1);
    const refused = await cli(["orders", join(FIXTURES, "malformed.csv"), "--as", "UADMIN"]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("not valid CSV");
  });
});
