import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { createPrisma, createStore } from "../../src/store/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

/** Every query has a statement_timeout and a lock_timeout (issue 16): none holds a connection for ever. */
describe("query timeouts of the pool", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it("cancels a statement that runs past the pool's statement_timeout", async () => {
    const prisma = createPrisma({ url: db.url, poolMax: 1, statementTimeoutMs: 300, lockTimeoutMs: 200 });
    try {
      const started = Date.now();
      await expect(prisma.$queryRaw`SELECT pg_sleep(3)`).rejects.toThrow(/statement timeout/);
      expect(Date.now() - started).toBeLessThan(2_000);
      // The connection is usable again at once.
      expect(await prisma.$queryRaw<{ one: number }[]>`SELECT 1 AS one`).toEqual([{ one: 1 }]);
    } finally {
      await prisma.$disconnect();
    }
  });

  it("gives up waiting for a lock after the pool's lock_timeout", async () => {
    const prisma = createPrisma({ url: db.url, poolMax: 1, statementTimeoutMs: 5_000, lockTimeoutMs: 200 });
    const store = createStore(prisma);
    const holder = await db.sql.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE");
      const started = Date.now();
      await expect(store.outbox.releaseStale(1_000)).rejects.toThrow(/lock timeout/);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await holder.query("ROLLBACK");
      holder.release();
      await store.close();
    }
  });

  it("gives the app's pool short limits and the jobs' pool longer ones by default", () => {
    const config = loadConfig({ DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/crm" });
    expect(config.databaseTimeouts).toEqual({ statementMs: 5_000, lockMs: 2_000 });
    expect(config.jobsDatabaseTimeouts.statementMs).toBeGreaterThan(config.databaseTimeouts.statementMs);
    expect(config.outboxGiveUpAfterMs).toBe(24 * 3_600_000);
    expect(() => loadConfig({ DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/crm", DATABASE_STATEMENT_TIMEOUT_MS: "soon" })).toThrow(/DATABASE_STATEMENT_TIMEOUT_MS/);
  });
});
