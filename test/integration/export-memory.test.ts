import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeExport, type ExportRequest } from "../../src/services/index.js";
import { createPrisma, createStore } from "../../src/store/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { testCipher } from "../support/sealed.js";

/**
 * An export streams: 200,000 orders go out a batch at a time, so what the heap holds alive while
 * writing stays under a bound that does not grow with the number of rows (a tenth of the rows
 * needs about the same). The output is counted and dropped, so only the export holds memory.
 */
const ROWS = 200_000;
const SMALL = 20_000;
/** Heap growth allowed above the level before the export, whatever its size. */
const BOUND_MB = 24;

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  const admin = "00000000-0000-4000-8000-000000000001";
  await db.sql.query(`INSERT INTO users (id, platform, external_id, display_name, role, created_at, updated_at) VALUES ($1, 'slack', 'UMEMADMIN', 'Admin', 'ADMIN', now(), now())`, [admin]);
  await db.sql.query(`
    INSERT INTO customers (id, name, normalized_name, pinyin, pinyin_initials, owner_id, created_at, updated_at)
    SELECT ('00000000-0000-4000-9000-' || lpad(g::text, 12, '0'))::uuid, 'Customer ' || g, 'customer' || g, 'customer' || g, 'c' || g, $1, '2026-01-01T00:00:00Z', now()
    FROM generate_series(1, 1000) g`, [admin]);
  await db.sql.query(`
    INSERT INTO orders (id, customer_id, created_by_id, amount, currency, base_amount, rate_to_base, product, ordered_at, created_at)
    SELECT gen_random_uuid(), ('00000000-0000-4000-9000-' || lpad((1 + g % 1000)::text, 12, '0'))::uuid, $1,
           (g % 5000) + 0.5, 'CNY', (g % 5000) + 0.5, 1, 'Product ' || (g % 97) || ', "boxed"', '2026-01-01T00:00:00Z'::timestamptz + g * interval '1 minute', now()
    FROM generate_series(1, $2::int) g`, [admin, ROWS]);
  await db.sql.query("ANALYZE orders");
}, 120_000);
afterAll(() => db.drop());

/** V8's collector, made callable here: the heap is measured as what stays alive, not as garbage not yet collected. */
v8.setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/**
 * Exports into a sink that counts bytes and drops them. Every few chunks the heap is collected
 * and measured: the most it held alive during the export, above what it held before.
 */
async function measure(request: ExportRequest, period: { from: Date; to: Date } | null, writeDelayMs = 0, store = db.store): Promise<{ rows: number; bytes: number; liveMb: number }> {
  let bytes = 0;
  let chunks = 0;
  gc();
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  const sample = () => {
    gc();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  };
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (++chunks % 20 === 0) sample();
      if (writeDelayMs > 0) setTimeout(done, writeDelayMs);
      else done();
    },
  });
  const deps = { store, now: () => new Date("2026-12-01T00:00:00Z"), settings: { baseCurrency: "CNY" } };
  const rows = await writeExport(deps, { viewer: { id: "cli", role: "ADMIN", teamRepIds: [] }, actorId: null, via: "cli" }, { ...request, period: period ? { ...period, label: { key: "year", year: 2026 } } : null }, sink);
  return { rows, bytes, liveMb: (peak - baseline) / 1_048_576 };
}

describe("an export of 200,000 orders", () => {
  const csv: ExportRequest = { kind: "orders", format: "csv", period: null, locale: "en", timeZone: "Asia/Shanghai" };

  it("streams CSV holding the same memory as a tenth of the rows, never the file", async () => {
    const small = await measure(csv, { from: new Date("2025-12-01T00:00:00Z"), to: new Date(Date.parse("2026-01-01T00:00:00Z") + (SMALL + 0.5) * 60_000) });
    expect(small.rows).toBe(SMALL);
    const all = await measure(csv, null);
    expect(all.rows).toBe(ROWS);
    // Every row is there, at around two hundred bytes each.
    expect(all.bytes).toBeGreaterThan(ROWS * 150);
    // Shown with the results: what the bound is checked against.
    console.error(`CSV live heap: ${SMALL} rows ${small.liveMb.toFixed(1)} MB, ${ROWS} rows ${all.liveMb.toFixed(1)} MB; ${(all.bytes / 1_048_576).toFixed(1)} MB written`);
    expect(all.liveMb).toBeLessThan(BOUND_MB);
    // Ten times the rows, about the same memory: holding the file would be ~40 MB more.
    expect(all.liveMb).toBeLessThan(small.liveMb + 8);
  }, 180_000);

  it("holds back the reading while the output is slow (a slow disk or pipe), within the same bound", async () => {
    const all = await measure(csv, null, 5);
    expect(all.rows).toBe(ROWS);
    console.error(`CSV to a slow output, live heap: ${ROWS} rows ${all.liveMb.toFixed(1)} MB`);
    expect(all.liveMb).toBeLessThan(BOUND_MB);
  }, 180_000);

  it("outlasts the pool's statement timeout, meant for short queries, while its output is slow", async () => {
    // The web pool's DATABASE_STATEMENT_TIMEOUT_MS is 5 s by default; here 300 ms, and the export takes seconds.
    const store = createStore(createPrisma({ url: db.url, poolMax: 2, statementTimeoutMs: 300 }), { cipher: testCipher() });
    try {
      const started = performance.now();
      const all = await measure(csv, null, 10, store);
      expect(all.rows).toBe(ROWS);
      expect(performance.now() - started).toBeGreaterThan(1_000);
    } finally {
      await store.close();
    }
  }, 180_000);

  it("streams XLSX within the same bound", async () => {
    const all = await measure({ ...csv, format: "xlsx" }, null);
    expect(all.rows).toBe(ROWS);
    console.error(`XLSX live heap: ${ROWS} rows ${all.liveMb.toFixed(1)} MB; ${(all.bytes / 1_048_576).toFixed(1)} MB written`);
    expect(all.liveMb).toBeLessThan(BOUND_MB);
  }, 300_000);
});
