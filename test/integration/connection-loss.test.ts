import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

/**
 * Postgres ending the bot's connections (a restart, an administrator's pg_terminate_backend)
 * fails the work that was using them, and nothing else: the process goes on and the next query
 * gets a new connection. Before every pooled client kept an error listener, a connection ended
 * between two statements of a transaction emitted an unhandled "error" and ended the process
 * (found by the fault suite's Postgres restart during a WeChat burst), and a transaction whose
 * connection died kept its pool slot for good.
 */
let db: TestDatabase;
const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);

beforeAll(async () => {
  db = await createTestDatabase();
  process.on("uncaughtException", onCrash);
});
afterAll(async () => {
  process.off("uncaughtException", onCrash);
  await db.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const terminate = (pid: number) => db.sql.query("SELECT pg_terminate_backend($1)", [pid]);

describe("connections Postgres ends", () => {
  it("fails the transaction whose connection ended between two statements, and the next one works", async () => {
    const attempt = db.prisma.$transaction(async (tx) => {
      const { pid } = (await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`)[0]!;
      await terminate(pid);
      // The server's FATAL arrives while the transaction waits for us, between statements.
      await sleep(300);
      await tx.$queryRaw`SELECT 1`;
    });
    await expect(attempt).rejects.toThrow();
    await sleep(500);
    expect(await db.prisma.$queryRaw<{ one: number }[]>`SELECT 1 AS one`).toEqual([{ one: 1 }]);
    expect(crashes).toEqual([]);
  });

  it("fails the statement running when its connection ended, and the next one works", async () => {
    const attempt = db.prisma.$transaction(async (tx) => {
      const { pid } = (await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`)[0]!;
      const running = tx.$queryRaw`SELECT pg_sleep(5)::text`;
      await sleep(200);
      await terminate(pid);
      await running;
    });
    await expect(attempt).rejects.toThrow();
    await sleep(500);
    expect(await db.prisma.$queryRaw<{ one: number }[]>`SELECT 1 AS one`).toEqual([{ one: 1 }]);
    expect(crashes).toEqual([]);
  });

  it("loses no pool slot to a transaction whose connection ended: more of them than the pool holds, and queries still get a connection", async () => {
    // The test database's pool holds 5; each such transaction used to keep its slot for good.
    for (let i = 0; i < 7; i++) {
      const attempt = db.prisma.$transaction(async (tx) => {
        const { pid } = (await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`)[0]!;
        await terminate(pid);
        await sleep(150);
        await tx.$queryRaw`SELECT 1`;
      });
      await expect(attempt).rejects.toThrow();
    }
    expect(await Promise.all([1, 2, 3, 4, 5, 6].map(() => db.prisma.$queryRaw<{ one: number }[]>`SELECT 1 AS one`))).toEqual(Array.from({ length: 6 }, () => [{ one: 1 }]));
    expect(crashes).toEqual([]);
  });

  it("replaces idle connections Postgres ended", async () => {
    await Promise.all([1, 2, 3].map(() => db.prisma.$queryRaw`SELECT pg_sleep(0.05)::text`));
    const { rows } = await db.sql.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name <> 'assertions'");
    for (const { pid } of rows) await terminate(pid).catch(() => undefined);
    await sleep(500);
    expect(await db.prisma.$queryRaw<{ one: number }[]>`SELECT 1 AS one`).toEqual([{ one: 1 }]);
    expect(crashes).toEqual([]);
  });
});
