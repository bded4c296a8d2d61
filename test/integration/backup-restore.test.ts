import { randomBytes } from "node:crypto";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoData } from "../../prisma/seed-data.js";
import { runCli } from "../../src/cli/crm.js";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { start } from "../../src/main.js";
import { createServices, scanCustomerStages, type Rep, type Services, type ServiceDeps } from "../../src/services/index.js";
import { recordingScheduler, testServiceDeps } from "../support/core.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { ADMIN_DATABASE_URL, TEST_DATABASE_PREFIX, TEST_DATA_ENCRYPTION_KEY, TEST_REDIS_URL, databaseUrl } from "../support/env.js";
import { deleteKeys } from "../support/redis.js";

/**
 * The backup round trip: a database with rows in every table (the demo seed, plus what the seed
 * leaves empty) is backed up with `npm run crm -- backup`, restored with `restore` into a new
 * empty database, and every table, found in the catalog, holds the same rows (count and md5 of
 * the rows in primary-key order); the bot starts on the copy. A database that is not empty is
 * refused and left as it was.
 */

/** The seed's "today" and the clock the services see: nothing here depends on the real date. */
const NOW = new Date("2026-11-20T04:00:00Z");

let source: TestDatabase;
let services: Services;
let deps: ServiceDeps;
let work: string;
const created: string[] = [];

/** An empty database named like the test databases, so a crashed run's copy is cleaned up by a later one. */
async function emptyDatabase(): Promise<string> {
  const name = `${TEST_DATABASE_PREFIX}f_${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString("hex")}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  created.push(name);
  return databaseUrl(name);
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

interface TableSum {
  rows: number;
  md5: string;
}

/**
 * Every table of the database as the catalog lists it (this test's own query, not the code's
 * under test): plain tables and partitioned parents, whose sum covers their partitions' rows.
 * Rows are hashed as their text form in primary-key order (whole-row order without one).
 */
async function tableSums(url: string): Promise<Map<string, TableSum>> {
  return withClient(url, async (client) => {
    const { rows: tables } = await client.query<{ schema: string; name: string; kind: string; pk: string[] | null }>(
      `SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS kind,
              (SELECT array_agg(a.attname::text ORDER BY k.ord)
               FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
               WHERE i.indrelid = c.oid AND i.indisprimary) AS pk
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
         AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
       ORDER BY 1, 2`,
    );
    const sums = new Map<string, TableSum>();
    for (const t of tables) {
      const table = `"${t.schema}"."${t.name}"`;
      const order = t.pk ? t.pk.map((col) => `t."${col}"`).join(", ") : "t::text";
      const only = t.kind === "p" ? "" : "ONLY ";
      const { rows } = await client.query<{ n: string; md5: string }>(
        `SELECT count(*) AS n, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY ${order}), '')) AS md5 FROM ${only}${table} t`,
      );
      sums.set(`${t.schema}.${t.name}`, { rows: Number(rows[0]!.n), md5: rows[0]!.md5 });
    }
    return sums;
  });
}

/** Where every sequence stands: a restored database must not hand out ids the original already used. */
async function sequenceValues(url: string): Promise<Record<string, string | null>> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ name: string; value: string | null }>(
      "SELECT schemaname || '.' || sequencename AS name, last_value::text AS value FROM pg_sequences WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.value]));
  });
}

/** Runs the operator's command line in this process, with DATABASE_URL (and more) set, and its output captured. */
async function crm(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; out: string; err: string }> {
  const saved = { DATABASE_URL: process.env.DATABASE_URL, PG_BIN_DIR: process.env.PG_BIN_DIR };
  const values = { DATABASE_URL: source.url, PG_BIN_DIR: undefined, ...env };
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  let out = "";
  let err = "";
  const sink = (append: (text: string) => void) => new Writable({ write: (chunk: Buffer, _encoding, done) => (append(chunk.toString()), done()) });
  try {
    const code = await runCli(args, { out: sink((t) => (out += t)), err: sink((t) => (err += t)) });
    return { code, out, err };
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/**
 * Rows in the tables the demo seed leaves empty, made the way the bot makes them (services),
 * so they stay right as those tables change: a WeChat conversation (inbox thread, outbox), a
 * digest subscription, a duplicate scan with a dismissed pair, a merge (audit rows too), a data
 * quality snapshot, a stage scan, a Slack Connect channel allowed, an import and an export.
 */
async function fillWhatTheSeedLeavesEmpty(rep: Rep): Promise<void> {
  await services.recordCustomerMessage({ platform: "wechat", senderId: "oBackupRoundTrip0001", id: "backup-msg-1", at: new Date(NOW.getTime() - 60_000), kind: "text", body: "你好，我想了解一下报价" });
  // A push the webhook took that no worker has recorded yet: it waits in inbound_messages.
  await source.store.inboundMessages.accept({ platform: "wechat", senderId: "oBackupRoundTrip0002", id: "backup-msg-2", at: new Date(NOW.getTime() - 30_000), kind: "text", body: "还在吗？" });
  await services.subscribeDigest(rep, { platform: "slack", channel: "C0BACKUPS", localTime: "08:30", timezone: "Asia/Shanghai", locale: "en" });
  // Three names that read alike: one pair is dismissed, one merged, one stays listed.
  const a = (await services.addCustomer(rep, "Backupwick Twinfield Trading")).customer;
  const b = (await services.addCustomer(rep, "Backupwick Twinfeld Trading")).customer;
  const c = (await services.addCustomer(rep, "Backupwik Twinfield Trading")).customer;
  expect(new Set([a.id, b.id, c.id]).size).toBe(3);
  const listed = await services.listDuplicates(rep);
  expect(listed.pairs.length).toBeGreaterThan(1);
  await services.dismissDuplicate(rep, { x: a.id, y: b.id });
  await services.mergeCustomers(rep, { fromId: c.id, intoId: a.id });
  // The digest keeps a data quality snapshot; a stage scan a year on finds customers gone quiet.
  await services.buildDigest(NOW, "Asia/Shanghai");
  await scanCustomerStages(deps, { now: new Date(NOW.getTime() + 365 * 86_400_000), timeZone: "Asia/Shanghai" });
  await services.allowSharedChannel(rep, { platform: "slack", channel: "C0BACKPARTNER" });
  // The rep's WeChat conversations routed to an inbox channel of their own.
  await services.setInboxRoute(rep, { target: { kind: "owner", person: rep }, channel: "C0BACKROUTED" });
  // An admin's own pipeline stages: no command sets them yet (issue 18), so written as the store will.
  await source.sql.query(`INSERT INTO pipeline_stages (position, key, name_en, name_zh, probability) VALUES (1, 'demo', 'Demo', '演示', 30), (2, 'contract', 'Contract', '合同', 80)`);
  // A file shared for import, kept until imported (its run and its bytes), and an export big
  // enough (above EXPORT_INLINE_MAX_ROWS, 0 here) to be a run for a worker.
  const csv = new TextEncoder().encode("name\nBackup Import Co\n");
  const words = { describe: (problem: unknown) => JSON.stringify(problem), labels: { row: "row", problem: "problem" } };
  await services.previewImport(rep, { name: "customers.csv", bytes: csv, platform: "slack", channel: null }, { timeZone: "Asia/Shanghai", locale: "en", words });
  await services.requestExport(rep, { kind: "customers", format: "csv", period: null, locale: "en", timeZone: "Asia/Shanghai" });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "crm-backup-test-"));
  source = await createTestDatabase();
  const jobs = { ...recordingScheduler(), scheduleExport: async () => undefined };
  deps = testServiceDeps(source.store, { now: () => NOW, jobs, settings: { wechatInboxChannel: "C0BACKINBOX", exportInlineMaxRows: 0 } });
  services = createServices(deps);
  const seeded = await seedDemoData(source.prisma, { now: NOW, cipher: source.store.cipher });
  expect(seeded.skipped).toBe(false);
  const rep = await services.registerRep({ platform: "slack", externalId: "U0BACKUPADMIN", displayName: "Backup Admin" });
  // The install's first Slack user: its admin (allowing a Slack Connect channel takes one).
  expect(rep.role).toBe("ADMIN");
  await fillWhatTheSeedLeavesEmpty(rep);
}, 120_000);

afterAll(async () => {
  await source?.drop();
  for (const name of created) await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  await rm(work, { recursive: true, force: true });
});

describe("backup and restore", () => {
  let file: string;
  let restored: string;
  let before: Map<string, TableSum>;

  it("has rows in every table before the backup, so the round trip covers them all", async () => {
    before = await tableSums(source.url);
    const empty = [...before].filter(([, s]) => s.rows === 0).map(([name]) => name);
    // A new table needs a few rows in fillWhatTheSeedLeavesEmpty, or its backup goes untested.
    expect(empty).toEqual([]);
    expect(before.size).toBeGreaterThan(20);
    expect(before.get("public._prisma_migrations")!.rows).toBeGreaterThan(0);
  });

  it("backs up with pg_dump into a file only its owner can read, and prints the file, size, duration and row counts", async () => {
    file = join(work, "nested", "crm.dump");
    const result = await crm(["backup", file]);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    expect(result.out).toContain(`Backup written: ${file}`);
    expect(result.out).toMatch(/Size \d+(\.\d)? (KiB|MiB), took \d+\.\d s/);
    const customers = before.get("public.customers")!.rows;
    expect(result.out).toMatch(new RegExp(`\\n  customers +${customers.toLocaleString("en-US")}\\n`));
    expect(result.out).toMatch(/\n {2}_prisma_migrations +\d+\n/);
    const info = await stat(file);
    expect(info.size).toBeGreaterThan(10_000);
    expect(info.mode & 0o777).toBe(0o600);
    // No half-written file is left beside it.
    await expect(stat(`${file}.partial`)).rejects.toThrow();
    // The same name again is refused, and the first backup stays.
    const again = await crm(["backup", file]);
    expect(again.code).toBe(1);
    expect(again.err).toContain("already exists; nothing was written");
    expect((await stat(file)).size).toBe(info.size);
  });

  it("restores into a fresh empty database with the same rows in every table, sequences included", async () => {
    restored = await emptyDatabase();
    const result = await crm(["restore", file, "--into", restored]);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/Restored .* in \d+\.\d s with pg_restore/);
    expect(result.out).toMatch(new RegExp(`\\n  orders +${before.get("public.orders")!.rows.toLocaleString("en-US")}\\n`));
    expect(result.out).toContain("the bot can start on it");
    const after = await tableSums(restored);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [table, sum] of before) expect(after.get(table), table).toEqual(sum);
    expect(await sequenceValues(restored)).toEqual(await sequenceValues(source.url));
  });

  it("refuses a database that is not empty, and changes nothing there", async () => {
    const into = await crm(["restore", file, "--into", restored]);
    expect(into.code).toBe(1);
    expect(into.err).toContain("is not empty");
    expect(into.err).toContain("nothing was changed");
    // Without --into it is DATABASE_URL: the database the backup came from.
    const self = await crm(["restore", file]);
    expect(self.code).toBe(1);
    expect(self.err).toMatch(/Restore failed: the database .* is not empty \(\d+ tables or other objects, such as _prisma_migrations/);
    expect(await tableSums(source.url)).toEqual(before);
  });

  it("starts the bot on the restored database: migrations in place, the card answers from the copy", async () => {
    const prefix = `crmtest-${randomBytes(5).toString("hex")}`;
    // The key of the database the backup came from: without it the encrypted columns are noise.
    const config = loadConfig({ DATABASE_URL: restored, REDIS_URL: TEST_REDIS_URL, PORT: "0", BULLMQ_PREFIX: prefix, LOG_LEVEL: "silent", DATA_ENCRYPTION_KEY: TEST_DATA_ENCRYPTION_KEY });
    const bot = await start(config, { log: createLogger("silent"), host: "127.0.0.1", role: "web", now: () => NOW });
    try {
      const ready = await fetch(`http://127.0.0.1:${bot.port}/readyz`);
      expect(ready.status).toBe(200);
      const outcome = await bot.core.handle({ type: "command", actor: { platform: "local", externalId: "rep-alex-chen", displayName: "Alex Chen" }, command: "customer", text: "Acme" });
      expect(outcome.kind).toBe("message");
      const text = outcome.kind === "message" ? JSON.stringify(outcome.message.blocks) : "";
      expect(text).toContain("Acme Ltd");
      expect(text).toContain("Alex Chen");
    } finally {
      await bot.stop();
      await deleteKeys(prefix);
    }
  });

  it("says what was wrong, with a non-zero exit code and nothing changed, for a file that is no backup or bad arguments", async () => {
    const notBackup = join(work, "notes.txt");
    await writeFile(notBackup, "just some text\n");
    const target = await emptyDatabase();
    const bad = await crm(["restore", notBackup, "--into", target]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("is not a backup made by `npm run crm -- backup`");
    const missing = await crm(["restore", join(work, "nope.dump"), "--into", target]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("does not exist");
    expect((await tableSums(target)).size).toBe(0);

    const usage = await crm(["restore"]);
    expect(usage.code).toBe(2);
    expect(usage.err).toContain("Which backup?");
    expect(usage.err).toContain("Usage: npm run crm -- restore <file> [--into <database-url>]");
    expect((await crm(["restore", file, "--into", "mysql://x@y/z"])).err).toContain("--into must be a postgresql:// URL");
    expect((await crm(["backup", "a.dump", "b.dump"])).code).toBe(2);

    const gone = await crm(["restore", file, "--into", `${databaseUrl(`${TEST_DATABASE_PREFIX}f_0_nosuchdb`)}`]);
    expect(gone.code).toBe(1);
    expect(gone.err).toContain("does not exist. Create an empty one first");
  });

  it("names the missing tool and PG_BIN_DIR when pg_dump cannot be found", async () => {
    const result = await crm(["backup", join(work, "never.dump")], { PG_BIN_DIR: work });
    expect(result.code).toBe(1);
    expect(result.err).toContain(`pg_dump was not found in PG_BIN_DIR (${work})`);
    await expect(stat(join(work, "never.dump"))).rejects.toThrow();
  });
});
