import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { startEmbeddedDatabase } from "../../src/embedded-database.js";
import { closePrisma, createPrisma, createStore, type Store } from "../../src/store/index.js";
import type { PrismaClient } from "@prisma/client";
import { ADMIN_DATABASE_URL, TEST_DATABASE_PREFIX, databaseUrl } from "./env.js";
import { testCipher } from "./sealed.js";

export interface TestDatabase {
  name: string;
  url: string;
  prisma: PrismaClient;
  store: Store;
  /** A plain pg pool for assertions in SQL, independent of the code under test. */
  sql: pg.Pool;
  drop(): Promise<void>;
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

/** A fresh database for one test file, cloned from the migrated template in milliseconds. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const embeddedTemplate = process.env.TEST_EMBEDDED_TEMPLATE_DIR;
  if (embeddedTemplate) return createEmbeddedTestDatabase(embeddedTemplate);
  const template = process.env.TEST_TEMPLATE_DATABASE;
  if (!template) throw new Error("TEST_TEMPLATE_DATABASE is not set: run the tests through vitest (globalSetup)");
  // The creation time in the name lets a later run clean up what a crashed run left behind.
  const name = `${TEST_DATABASE_PREFIX}f_${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString("hex")}`;
  await admin(async (client) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        return;
      } catch (error) {
        // 55006: another file is cloning the template this very moment.
        if ((error as { code?: string }).code !== "55006" || attempt > 50) throw error;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
      }
    }
  });
  const url = databaseUrl(name);
  const prisma = createPrisma({ url, poolMax: 5 });
  const sql = new pg.Pool({ connectionString: url, max: 2 });
  return {
    name,
    url,
    prisma,
    store: createStore(prisma, { cipher: testCipher() }),
    sql,
    async drop() {
      // The pool too: Prisma ends it only when it ran a query itself (exports read through it directly).
      await closePrisma(prisma);
      await sql.end();
      await admin(async (client) => {
        // Pools close their connections asynchronously; forcing the drop while one is still
        // closing makes it report "terminating connection" as an unhandled error.
        for (let i = 0; i < 40; i++) {
          const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1", [name]);
          if (rows[0]!.n === 0) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      });
    },
  };
}

/** TEST_EMBEDDED_DATABASE=1: a copy of the migrated PGlite template, served from this process. */
async function createEmbeddedTestDatabase(template: string): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), "crm-pglite-test-"));
  cpSync(template, join(dir, "pglite"), { recursive: true });
  const embedded = await startEmbeddedDatabase({ dataDir: join(dir, "pglite") });
  const url = embedded.url;
  const prisma = createPrisma({ url, poolMax: 5 });
  const sql = new pg.Pool({ connectionString: url, max: 2 });
  return {
    name: "embedded",
    url,
    prisma,
    store: createStore(prisma, { cipher: testCipher() }),
    sql,
    async drop() {
      await closePrisma(prisma);
      await sql.end();
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
