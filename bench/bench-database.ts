import { execFileSync } from "node:child_process";
import pg from "pg";
import { ratesToBase } from "../src/domain/money.js";
import type { ServiceDeps } from "../src/services/index.js";
import { NO_JOBS } from "../src/services/ports.js";
import type { Store } from "../src/store/index.js";

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
