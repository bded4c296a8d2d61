/**
 * Imports at scale against a floor measured in the same run: BENCH_IMPORT_CUSTOMERS customers
 * (default 100,000, half English and half Chinese names) with one contact each (name, email,
 * phone), then BENCH_IMPORT_ORDERS orders (default 1,000,000) naming their customer, from
 * generated CSV files, through the real import (services/imports: streaming parse, row rules,
 * matching, batches of 1,000 in one transaction each, sealed contact details, aggregates and
 * segments once at the end, the audit row).
 *
 * Floor: a plain COPY (psql \copy) of the same rows, as the tables store them (keys, sealed
 * details and hashes computed beforehand, outside the timing), into the same tables with the same
 * indexes. The import cannot be cheaper than that. Rounds are interleaved (floor, import, floor,
 * import ...) on emptied tables; medians of BENCH_ROUNDS (default 3), load average (1 min) beside
 * each. Writes bench/out-import.md.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { mulberry32 } from "../prisma/seed-data.js";
import { importWords } from "../src/commands/views/import.js";
import { translator } from "../src/i18n/index.js";
import { importFile, type Rep } from "../src/services/index.js";
import { createPrisma, createStore, sealedContactRow } from "../src/store/index.js";
import { benchCipher, benchServiceDeps, createBenchDatabase } from "./bench-database.js";
import { generateCustomers } from "./generate-customers.js";

const CUSTOMERS = Number(process.env.BENCH_IMPORT_CUSTOMERS ?? 100_000);
const ORDERS = Number(process.env.BENCH_IMPORT_ORDERS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DB = "crm_bench_import";

const load1 = () => os.loadavg()[0]!.toFixed(2);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const csvCell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const line = (cells: readonly string[]) => `${cells.map(csvCell).join(",")}\n`;

async function main(): Promise<void> {
  const bench = await createBenchDatabase(DB);
  const dir = await mkdtemp(join(os.tmpdir(), "bench-import-"));
  const pool = new pg.Pool({ connectionString: bench.url, max: 2 });
  const cipher = benchCipher();
  const store = createStore(createPrisma({ url: bench.url, poolMax: 4 }), { cipher });
  try {
    const adminId = randomUUID();
    await pool.query(`INSERT INTO users (id, platform, external_id, display_name, role, updated_at) VALUES ($1, 'slack', 'UBENCH', 'Bench Admin', 'ADMIN', now())`, [adminId]);
    const admin = (await store.users.findById(adminId)) as Rep;

    // The files an import reads, and the rows a COPY writes, from the same generated data.
    console.error(`generating ${CUSTOMERS} customers and ${ORDERS} orders…`);
    const next = mulberry32(7);
    const customers = generateCustomers(CUSTOMERS);
    const ids = customers.map(() => randomUUID());
    const customerCsv: string[] = [line(["客户名称", "行业", "联系人", "邮箱", "手机"])];
    const customerCopy: string[] = [];
    const contactCopy: string[] = [];
    customers.forEach((c, i) => {
      const email = `buyer${i}@example${i % 97}.com`;
      const phone = `+86 139 ${String(1000 + (i % 9000)).padStart(4, "0")} ${String(i % 10_000).padStart(4, "0")}`;
      customerCsv.push(line([c.name, "贸易", `联系人${i}`, email, phone]));
      customerCopy.push(line([ids[i]!, c.name, c.normalizedName, c.pinyin, c.pinyinInitials, "贸易", new Date().toISOString()]));
      const e164 = phone.replace(/\s/g, "");
      const sealed = sealedContactRow(cipher, { email, phone: e164, wechatOpenId: null });
      contactCopy.push(line([randomUUID(), ids[i]!, `联系人${i}`, sealed.email_enc!, sealed.email_hash!, "f", sealed.phone_enc!, sealed.phone_hash!, "f", new Date().toISOString()]));
    });
    const orderCsv: string[] = [line(["客户名称", "金额", "币种", "下单日期", "产品"])];
    const orderCopy: string[] = [];
    const day0 = Date.UTC(2023, 0, 1);
    for (let i = 0; i < ORDERS; i++) {
      const c = Math.floor(next() * CUSTOMERS);
      const amount = (Math.floor(next() * 500_000) / 100 + 1).toFixed(2);
      const at = new Date(day0 + Math.floor(next() * 1_000) * 86_400_000 + Math.floor(next() * 86_400) * 1000);
      orderCsv.push(line([customers[c]!.name, amount, "CNY", at.toISOString(), `产品${i % 50}`]));
      orderCopy.push(line([randomUUID(), ids[c]!, adminId, amount, "CNY", amount, "1", `产品${i % 50}`, at.toISOString()]));
    }
    const files = {
      customers: join(dir, "customers.csv"), orders: join(dir, "orders.csv"),
      customerRows: join(dir, "customer-rows.csv"), contactRows: join(dir, "contact-rows.csv"), orderRows: join(dir, "order-rows.csv"),
    };
    await writeFile(files.customers, customerCsv.join(""));
    await writeFile(files.orders, orderCsv.join(""));
    await writeFile(files.customerRows, customerCopy.join(""));
    await writeFile(files.contactRows, contactCopy.join(""));
    await writeFile(files.orderRows, orderCopy.join(""));
    customerCsv.length = orderCsv.length = customerCopy.length = contactCopy.length = orderCopy.length = 0;

    const empty = () => pool.query("TRUNCATE customers, contacts, orders, customer_stats, customer_order_months, import_runs, order_hours CASCADE");
    const copy = (table: string, columns: string, file: string) =>
      execFileSync("psql", [bench.url, "-q", "-c", `\\copy ${table} (${columns}) FROM '${file}' WITH (FORMAT csv)`], { stdio: ["ignore", "ignore", "inherit"] });
    const floor = () => {
      const a = performance.now();
      copy("customers", "id, name, normalized_name, pinyin, pinyin_initials, industry, updated_at", files.customerRows);
      copy("contacts", "id, customer_id, name, email_enc, email_hash, email_invalid, phone_enc, phone_hash, phone_invalid, updated_at", files.contactRows);
      const b = performance.now();
      copy("orders", "id, customer_id, created_by_id, amount, currency, base_amount, rate_to_base, product, ordered_at", files.orderRows);
      return { customers: (b - a) / 1000, orders: (performance.now() - b) / 1000 };
    };
    // The operator raises IMPORT_MAX_BYTES for files like these (a million orders is ~80 MB).
    const base = benchServiceDeps(store);
    const deps = { ...base, settings: { ...base.settings, importMaxBytes: 1 << 30 } };
    const words = importWords(translator("en"));
    const viaImport = async () => {
      const a = performance.now();
      const c = await importFile(deps, admin, files.customers, { kind: "customers", dryRun: false, timeZone: "Asia/Shanghai", locale: "en", words });
      const b = performance.now();
      const o = await importFile(deps, admin, files.orders, { kind: "orders", dryRun: false, timeZone: "Asia/Shanghai", locale: "en", words });
      const end = performance.now();
      for (const r of [c, o]) {
        if (!("outcome" in r) || r.outcome.failed > 0) throw new Error(`import had problems: ${JSON.stringify("outcome" in r ? r.outcome.firstProblems : r.mappingProblems)}`);
        await r.outcome.problemFile?.remove();
      }
      const created = (r: typeof c) => ("outcome" in r ? r.outcome.created : 0);
      return { customers: (b - a) / 1000, orders: (end - b) / 1000, created: [created(c), created(o)] };
    };

    const results: { round: number; load: string; floor: { customers: number; orders: number }; imported: { customers: number; orders: number } }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      await empty();
      await pool.query("VACUUM ANALYZE customers, contacts, orders");
      const load = load1();
      const f = floor();
      await empty();
      await pool.query("VACUUM ANALYZE customers, contacts, orders");
      const i = await viaImport();
      if (i.created[0] !== CUSTOMERS || i.created[1] !== ORDERS) throw new Error(`created ${i.created.join("/")}`);
      results.push({ round, load, floor: f, imported: { customers: i.customers, orders: i.orders } });
      console.error(`round ${round} (load ${load}): floor ${f.customers.toFixed(1)}s + ${f.orders.toFixed(1)}s, import ${i.customers.toFixed(1)}s + ${i.orders.toFixed(1)}s`);
    }
    // The same files again: every row is found, nothing written.
    const again = performance.now();
    await viaImport().catch((error: unknown) => {
      if (!(error instanceof Error && error.message.startsWith("created"))) throw error;
    });
    const reimport = (performance.now() - again) / 1000;

    const m = (pick: (r: (typeof results)[number]) => number) => median(results.map(pick));
    const rows = [
      ["customers with a contact each", CUSTOMERS, m((r) => r.floor.customers), m((r) => r.imported.customers)],
      [`orders`, ORDERS, m((r) => r.floor.orders), m((r) => r.imported.orders)],
    ] as const;
    const report = [
      `## Imports (bench/import.ts), ${new Date().toISOString().slice(0, 10)}`,
      "",
      `${os.cpus().length} CPUs; medians of ${ROUNDS} interleaved rounds; floor = psql \\copy of the same stored rows into the same tables and indexes.`,
      "",
      "| what | rows | floor (COPY) | import | import ÷ floor | rows/s imported |",
      "| --- | ---: | ---: | ---: | ---: | ---: |",
      ...rows.map(([what, n, f, i]) => `| ${what} | ${n.toLocaleString("en")} | ${f.toFixed(1)} s | ${i.toFixed(1)} s | ${(i / f).toFixed(1)}× | ${Math.round(n / i).toLocaleString("en")} |`),
      "",
      "| round | load (1 min) | floor customers | floor orders | import customers | import orders |",
      "| ---: | ---: | ---: | ---: | ---: | ---: |",
      ...results.map((r) => `| ${r.round} | ${r.load} | ${r.floor.customers.toFixed(1)} s | ${r.floor.orders.toFixed(1)} s | ${r.imported.customers.toFixed(1)} s | ${r.imported.orders.toFixed(1)} s |`),
      "",
      `Re-importing both files (every row found, nothing written): ${reimport.toFixed(1)} s.`,
    ].join("\n");
    console.log(report);
    writeFileSync(process.env.BENCH_OUT ?? "bench/out-import.md", report + "\n");
  } finally {
    await store.close();
    await pool.end();
    await rm(dir, { recursive: true, force: true });
    await bench.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
