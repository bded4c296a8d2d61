import { execFileSync } from "node:child_process";
import pg from "pg";
import { ratesToBase } from "../src/domain/money.js";
import type { ServiceDeps } from "../src/services/index.js";
import { NO_JOBS } from "../src/services/ports.js";
import { FieldCipher, dataKey, sealPlaintext, type PrismaClient, type Store } from "../src/store/index.js";

/** Where benchmarks find Postgres and Redis; each builds and drops a database of its own. */
export const ADMIN_URL = process.env.BENCH_ADMIN_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";

export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database (with the real `prisma migrate deploy`) for one benchmark. */
export async function createBenchDatabase(name: string): Promise<BenchDatabase> {
  const admin = new pg.Pool({ connectionString: ADMIN_URL, max: 1 });
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  execFileSync("npx", ["prisma", "migrate", "deploy"], { env: { ...process.env, DATABASE_URL: url }, stdio: "ignore" });
  return {
    url,
    async drop() {
      await new Promise((r) => setTimeout(r, 1_000)); // let every pool close before the drop
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/**
 * DATA_ENCRYPTION_KEY of the benchmarks (encryption at rest): a fixed key for throw-away data,
 * so a database built once (BENCH_REUSE) opens again. Never a key for real data.
 */
export const BENCH_DATA_ENCRYPTION_KEY = "YmVuY2gtb25seS1kYXRhLWtleS1ub3QtZm9yLXJlYWw=";

export function benchCipher(): FieldCipher {
  return new FieldCipher(dataKey(Buffer.from(BENCH_DATA_ENCRYPTION_KEY, "base64")));
}

/**
 * Generators insert personal details set-based in SQL, into the *_plaintext columns (SQL holds
 * no key); this seals them the way a bot's start does for data from before encryption at rest,
 * and registers the key. Returns the rows sealed and how long it took.
 */
export async function sealBenchPlaintext(prisma: PrismaClient): Promise<{ rows: number; seconds: number }> {
  const cipher = benchCipher();
  const started = performance.now();
  await prisma.$executeRaw`INSERT INTO data_keys (key_id) VALUES (${cipher.keyId}) ON CONFLICT (key_id) DO NOTHING`;
  const rows = await sealPlaintext(prisma, cipher);
  return { rows, seconds: (performance.now() - started) / 1000 };
}

/** The value at percentile `p` of ascending `sorted`. */
export const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** What the use-cases need in a benchmark: CNY, the default settings, no job system. */
export function benchServiceDeps(store: Store): ServiceDeps {
  return {
    store,
    settings: {
      baseCurrency: "CNY", ratesToBase: new Map([...ratesToBase("CNY", {})].map(([k, v]) => [k, v.toString()])), clvLifespanMonths: 36, clvMinObservationMonths: 3, timeZone: "Asia/Shanghai", adminUserIds: [],
      wechatEraseOnUnsubscribe: true, defaultLocale: "en", surveyAfterIdleMs: 7_200_000, surveyCooldownDays: 30, wechatSurveyTemplate: false,
    },
    jobs: NO_JOBS,
    now: () => new Date(),
  };
}
