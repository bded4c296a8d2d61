import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmbeddedDatabaseError, startEmbeddedDatabase, type EmbeddedDatabase } from "../../src/embedded-database.js";

// The embedded database is one Postgres session behind our multiplexer: these check that
// several connections at once behave as on a server (no statement of one meeting another's).
let dir: string;
let db: EmbeddedDatabase;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "crm-embedded-"));
  db = await startEmbeddedDatabase({ dataDir: join(dir, "pglite") });
}, 60_000);
afterAll(async () => {
  await db?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the embedded database", () => {
  it("serves a pool whose connections interleave parameterised and named statements", async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 6 });
    try {
      await pool.query("CREATE TABLE t (id int PRIMARY KEY, a text, b text, c text, d text)");
      // Every connection prepares the same statement name, as the bot's pools do.
      const writes = Array.from({ length: 60 }, (_, i) =>
        i % 2 === 0
          ? pool.query({ name: "crm-write", text: "INSERT INTO t VALUES ($1, $2, $3, $4, $5)", values: [i, "a", "b", "c", "d"] })
          : pool.query({ text: "INSERT INTO t (id, a) VALUES ($1, $2)", values: [i, "x"] }),
      );
      await Promise.all(writes);
      const { rows } = await pool.query<{ n: number; full: number }>("SELECT count(*)::int AS n, count(d)::int AS full FROM t");
      expect(rows[0]).toEqual({ n: 60, full: 30 });
    } finally {
      await pool.end();
    }
  });

  it("keeps a transaction's statements to itself until it ends, and rolls back one whose client vanished", async () => {
    const a = new pg.Client({ connectionString: db.url });
    const b = new pg.Client({ connectionString: db.url });
    await a.connect();
    await b.connect();
    try {
      await a.query("CREATE TABLE u (v int)");
      await a.query("BEGIN");
      await a.query("INSERT INTO u VALUES (1)");
      // b's statement waits for a's transaction instead of running inside it.
      let bDone = false;
      const bInsert = b.query("INSERT INTO u VALUES (2)").then(() => (bDone = true));
      await new Promise((r) => setTimeout(r, 200));
      expect(bDone).toBe(false);
      await a.query("ROLLBACK");
      await bInsert;
      expect((await b.query("SELECT v FROM u ORDER BY v")).rows).toEqual([{ v: 2 }]);

      // A client that disconnects inside a transaction does not hold the session.
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      await c.query("BEGIN");
      await c.query("INSERT INTO u VALUES (3)");
      await c.end();
      expect((await b.query("SELECT v FROM u ORDER BY v")).rows).toEqual([{ v: 2 }]);
    } finally {
      await a.end();
      await b.end();
    }
  });

  it("streams COPY … TO STDOUT, as exports do", async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query("CREATE TABLE w AS SELECT g AS n FROM generate_series(1, 3000) g");
      let text = "";
      const stream = client.query(copyTo("COPY (SELECT n FROM w ORDER BY n) TO STDOUT"));
      stream.on("data", (chunk: Buffer) => (text += chunk.toString()));
      await new Promise<void>((resolve, reject) => {
        stream.on("end", () => resolve());
        stream.on("error", reject);
      });
      const lines = text.trim().split("\n");
      expect(lines).toHaveLength(3000);
      expect(lines.at(-1)).toBe("3000");
      // The connection is in step afterwards.
      expect((await client.query("SELECT 1 AS ok")).rows).toEqual([{ ok: 1 }]);
    } finally {
      await client.end();
    }
  });

  it("has pg_trgm, which the migrations create", async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query("CREATE EXTENSION IF NOT EXISTS pg_trgm");
      const { rows } = await client.query<{ s: number }>("SELECT similarity('Acme Ltd', 'acme') > 0.3 AS s");
      expect(rows[0]!.s).toBe(true);
    } finally {
      await client.end();
    }
  });

  it("refuses a second start on a directory in use, naming the process, and takes over a stale lock", async () => {
    const again = await startEmbeddedDatabase({ dataDir: join(dir, "pglite") }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(EmbeddedDatabaseError);
    expect((again as Error).message).toContain(`in use by process ${process.pid}`);
    expect((again as Error).message).toContain("DATABASE_URL");

    // Another live process's lock (our parent's pid stands in for it).
    writeFileSync(join(dir, "other.pid"), `${process.ppid}\n`);
    const refused = await startEmbeddedDatabase({ dataDir: join(dir, "other") }).catch((e: unknown) => e);
    expect((refused as Error).message).toContain(`in use by process ${process.ppid}`);

    // A lock left by a process that has ended is taken over.
    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    writeFileSync(join(dir, "stale.pid"), `${gone}\n`);
    const taken = await startEmbeddedDatabase({ dataDir: join(dir, "stale") });
    expect(readFileSync(join(dir, "stale.pid"), "utf8").trim()).toBe(String(process.pid));
    await taken.stop();
    expect(existsSync(join(dir, "stale.pid"))).toBe(false);
  }, 60_000);
});
