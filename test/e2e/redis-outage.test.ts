import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { freePort } from "../support/ports.js";

/**
 * The bot started while Redis is down, as a real process (`node --import tsx src/main.ts`), with
 * a Redis of the test's own on a free port that it starts later and stops by its pid. The
 * shared Redis is never touched.
 */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());


function spawnLogged(command: string, args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let output = "";
  const child = spawn(command, args, { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor(check: () => boolean | Promise<boolean>, printed: () => string, ms = 40_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out; the bot printed:\n${printed().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const lines = (output: string) => output.split("\n").filter((l) => l.trim());

describe("Redis down at start", { timeout: 120_000 }, () => {
  it("serves HTTP (healthz 200, readyz 503 naming redis), logs one JSON line per retry interval, and starts the workers when Redis comes back", async () => {
    const [port, redisPort] = [await freePort(), await freePort()];
    const bot = spawnLogged(process.execPath, ["--import", "tsx", "src/main.ts"], {
      DATABASE_URL: db.url,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      PORT: String(port),
      BULLMQ_PREFIX: "crmtest-outage",
    });
    let redis: ReturnType<typeof spawnLogged> | undefined;
    try {
      await waitFor(() => bot.output().includes("listening on port"), bot.output);
      const outageStarted = Date.now();
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { ready: boolean; checks: Record<string, string> };
      expect(body.ready).toBe(false);
      expect(body.checks.postgres).toBe("ok");
      expect(body.checks.redis).toMatch(/^not reachable/);

      // Let it retry for a while: the log must not grow with every attempt of every connection.
      await new Promise((r) => setTimeout(r, 12_000));
      const outageMs = Date.now() - outageStarted;
      const logged = lines(bot.output()).map((l) => JSON.parse(l) as { msg: string });
      const retries = logged.filter((l) => l.msg === "Redis is not reachable; retrying");
      expect(retries.length).toBeGreaterThanOrEqual(1);
      // REDIS_RETRY_CAP_MS is 5 s: at most one line per interval, plus the first.
      expect(retries.length).toBeLessThanOrEqual(Math.ceil(outageMs / 5_000) + 2);
      expect(bot.output()).not.toContain("workers started");

      redis = spawnLogged("redis-server", ["--port", String(redisPort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {});
      const printed = () => `${bot.output()}\nredis-server printed:\n${redis?.output() ?? ""}`;
      await waitFor(() => bot.output().includes("workers started"), printed);
      await waitFor(() => bot.output().includes("reconciled jobs with Postgres"), printed);
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, printed);
      // Every line the process wrote, outage included, is a JSON log line: no raw stack dumps.
      for (const line of lines(bot.output())) expect(() => void JSON.parse(line), line).not.toThrow();
      expect(bot.output()).toContain("Redis is reachable again");
    } finally {
      bot.child.kill("SIGTERM");
      const code = await bot.exited;
      redis?.child.kill("SIGTERM");
      await redis?.exited;
      expect(code).toBe(0);
    }
  });
});
