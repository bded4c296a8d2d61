/**
 * The export of 1,000,000 orders (BENCH_EXPORT_ORDERS) against a floor measured in the same run:
 *
 * - floor: `COPY (SELECT …) TO STDOUT (FORMAT csv)` of the same rows, columns and order (times
 *   formatted by Postgres in the same zone, the same joins), read by pg-copy-streams and
 *   dropped. Postgres writing CSV itself: no export can be cheaper.
 * - read: the export's own reading (src/store/exports/exports.ts: the same COPY in text format, decoded
 *   into rows a thousand at a time), every batch dropped; what reading costs before any file.
 * - csv: the whole export as `/crm export orders` writes it (services/exports: the reading, the
 *   visibility rule per row, formula escaping, csv-stringify with BOM), into a file on disk.
 * - xlsx: the same into an XLSX file through exceljs' streaming WorkbookWriter.
 *
 * Rounds interleaved (the variants' order rotates each round), medians of BENCH_ROUNDS (default
 * 3), load average (1 min) before each round, and beside each export the most the heap held alive
 * (collected and measured every half second) above what it held before.
 * Writes bench/out-export.md.
 */
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { finished, pipeline } from "node:stream/promises";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { writeExport, type ExportRequest } from "../src/services/index.js";
import { createPrisma, createStore, FieldCipher } from "../src/store/index.js";
import { createBenchDatabase } from "./bench-database.js";

const ORDERS = Number(process.env.BENCH_EXPORT_ORDERS ?? 1_000_000);
const CUSTOMERS = Math.max(1, Math.min(100_000, Math.round(ORDERS / 10)));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const VARIANTS = (process.env.BENCH_EXPORT_VARIANTS ?? "floor,read,csv,xlsx").split(",") as Variant[];
const DB = "crm_bench_export";
const ZONE = "Asia/Shanghai";

type Variant = "floor" | "read" | "csv" | "xlsx";

// V8's collector, callable here without --expose-gc on the command line.
v8.setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const load1 = () => os.loadavg()[0]!.toFixed(2);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** The floor's statement: the export's columns, joins and order, as Postgres' own CSV. */
const FLOOR_SQL = `
  COPY (
    SELECT coalesce(o.external_id, o.id::text), coalesce(c.external_id, c.id::text), c.name,
           o.amount::text, o.currency::text, o.product, to_char(o.ordered_at, 'YYYY-MM-DD"T"HH24:MI:SS.MSTZH:TZM'),
           o.base_amount::text, 'CNY', u.display_name, to_char(o.created_at, 'YYYY-MM-DD"T"HH24:MI:SS.MSTZH:TZM')
    FROM orders o JOIN customers c ON c.id = o.customer_id LEFT JOIN users u ON u.id = o.created_by_id
    WHERE o.deleted_at IS NULL ORDER BY o.ordered_at, o.id
  ) TO STDOUT (FORMAT csv, HEADER)`;

async function main(): Promise<void> {
  const database = await createBenchDatabase(DB);
  const sql = new pg.Pool({ connectionString: database.url, max: 2 });
  const started = performance.now();
  const reps = ["00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002", "00000000-0000-4000-8000-000000000003"];
  for (const [i, id] of reps.entries()) {
    await sql.query(`INSERT INTO users (id, platform, external_id, display_name, role, created_at, updated_at) VALUES ($1, 'slack', $2, $3, $4::"Role", now(), now())`, [id, `UB${i}`, `Rep ${i}`, i === 0 ? "ADMIN" : "REP"]);
  }
  await sql.query(`
    INSERT INTO customers (id, name, normalized_name, pinyin, pinyin_initials, owner_id, created_at, updated_at)
    SELECT ('00000000-0000-4000-9000-' || lpad(g::text, 12, '0'))::uuid, 'Customer ' || g || CASE WHEN g % 10 = 0 THEN ' 有限公司' ELSE ' Ltd' END,
           'customer' || g, 'customer' || g, 'c' || g, ($2::uuid[])[1 + g % 3], '2025-01-01T00:00:00Z', now()
    FROM generate_series(1, $1::int) g`, [CUSTOMERS, reps]);
  // Products with commas, quotes and a leading "-" now and then: quoting and escaping at work.
  await sql.query(`
    INSERT INTO orders (id, customer_id, created_by_id, amount, currency, base_amount, rate_to_base, product, ordered_at, created_at)
    SELECT gen_random_uuid(), ('00000000-0000-4000-9000-' || lpad((1 + g % $2::int)::text, 12, '0'))::uuid, ($3::uuid[])[1 + g % 3],
           (g % 50000) / 10.0 + 0.5, CASE WHEN g % 7 = 0 THEN 'USD' ELSE 'CNY' END, (g % 50000) / 10.0 + 0.5, 1,
           CASE WHEN g % 11 = 0 THEN '-discount, "bundle"' ELSE 'Product ' || (g % 997) END,
           '2025-01-01T00:00:00Z'::timestamptz + g * interval '30 seconds', now()
    FROM generate_series(1, $1::int) g`, [ORDERS, CUSTOMERS, reps]);
  await sql.query("VACUUM ANALYZE");
  console.log(`loaded ${CUSTOMERS} customers, ${ORDERS} orders in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const prisma = createPrisma({ url: database.url, poolMax: 4 });
  // No personal detail is read for orders; the cipher is never asked.
  const store = createStore(prisma, { cipher: FieldCipher.unavailable("the benchmark reads no personal details") });
  const dir = await mkdtemp(join(os.tmpdir(), "crm-bench-export-"));
  const deps = { store, now: () => new Date(), settings: { baseCurrency: "CNY" } };
  // A rep's export: the visibility rule is asked for every row, as in chat.
  const reader = { viewer: { id: reps[1]!, role: "REP" as const, teamRepIds: [] }, actorId: reps[1]!, via: "cli" as const };

  /** The heap is collected and measured every half second: what an export holds alive, not garbage yet to collect. */
  async function timed(work: () => Promise<number>): Promise<{ ms: number; rows: number; heapMb: number; bytes?: number }> {
    gc();
    const base = process.memoryUsage().heapUsed;
    let peak = base;
    const timer = setInterval(() => {
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }, 500);
    const t0 = performance.now();
    try {
      const rows = await work();
      return { ms: performance.now() - t0, rows, heapMb: (peak - base) / 1_048_576 };
    } finally {
      clearInterval(timer);
    }
  }

  const run: Record<Variant, () => Promise<{ ms: number; rows: number; heapMb: number; bytes?: number }>> = {
    floor: () =>
      timed(async () => {
        const client = await sql.connect();
        try {
          await client.query(`SET TimeZone = '${ZONE}'`);
          let lines = 0;
          const sink = new Writable({
            write(chunk: Buffer, _e, done) {
              for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
              done();
            },
          });
          await pipeline(client.query(copyTo(FLOOR_SQL)), sink);
          return lines - 1;
        } finally {
          client.release();
        }
      }),
    read: () => timed(() => store.exports.read({ kind: "orders", range: {}, timeZone: ZONE, baseCurrency: "CNY", mayShowPrivate: () => true }, async () => undefined)),
    csv: async () => exportTo("csv"),
    xlsx: async () => exportTo("xlsx"),
  };

  async function exportTo(format: "csv" | "xlsx") {
    const path = join(dir, `orders.${format}`);
    const request: ExportRequest = { kind: "orders", format, period: null, locale: "en", timeZone: ZONE };
    const result = await timed(async () => {
      const file = createWriteStream(path);
      const rows = await writeExport(deps, reader, request, file);
      if (!file.writableFinished) await finished(file);
      return rows;
    });
    const bytes = (await stat(path)).size;
    await rm(path, { force: true });
    return { ...result, bytes };
  }

  const results: Record<Variant, { ms: number; rows: number; heapMb: number; bytes?: number }[]> = { floor: [], read: [], csv: [], xlsx: [] };
  const loads: string[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    loads.push(load1());
    const order = [...VARIANTS.slice(r % VARIANTS.length), ...VARIANTS.slice(0, r % VARIANTS.length)];
    for (const variant of order) {
      const result = await run[variant]();
      if (result.rows !== ORDERS) throw new Error(`${variant} gave ${result.rows} rows, not ${ORDERS}`);
      results[variant].push(result);
      console.log(`round ${r + 1} ${variant}: ${(result.ms / 1000).toFixed(2)} s, ${Math.round(ORDERS / (result.ms / 1000)).toLocaleString("en")} rows/s, live heap +${result.heapMb.toFixed(1)} MB${result.bytes ? `, ${(result.bytes / 1_048_576).toFixed(0)} MB file` : ""}`);
    }
  }

  const floorMs = median(results.floor.map((r) => r.ms));
  const lines = [
    `# Export benchmark`,
    "",
    `${ORDERS.toLocaleString("en")} orders of ${CUSTOMERS.toLocaleString("en")} customers, ${ROUNDS} interleaved rounds, medians; ${os.cpus().length} CPUs, Node ${process.version}. Load average (1 min) before each round: ${loads.join(", ")}.`,
    "",
    "| variant | median s | rows/s | × floor | live heap MB (max) | file MB |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...VARIANTS.map((v) => {
      const ms = median(results[v].map((r) => r.ms));
      const heap = Math.max(...results[v].map((r) => r.heapMb));
      const bytes = results[v][0]?.bytes;
      return `| ${v} | ${(ms / 1000).toFixed(2)} | ${Math.round(ORDERS / (ms / 1000)).toLocaleString("en")} | ${(ms / floorMs).toFixed(2)} | ${heap.toFixed(1)} | ${bytes ? (bytes / 1_048_576).toFixed(0) : ""} |`;
    }),
    "",
  ];
  writeFileSync("bench/out-export.md", lines.join("\n"));
  console.log(lines.join("\n"));
  await rm(dir, { recursive: true, force: true });
  await store.close();
  await sql.end();
  await database.drop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
