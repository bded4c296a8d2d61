import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { eventually } from "../fakes/fake-slack-api.js";
import { freePort } from "../support/ports.js";
import { deleteKeys } from "../support/redis.js";
import { TEST_DATA_ENCRYPTION_KEY, TEST_REDIS_URL } from "../support/env.js";

// `npm run demo` and `npm start` with no DATABASE_URL: the embedded database, in a directory of
// this file's own (EMBEDDED_DATABASE_DIR), never the project's .data/.
const dir = mkdtempSync(join(tmpdir(), "crm-embedded-demo-"));
const dataDir = join(dir, "pglite");
const prefix = `crmtest-embedded-${randomBytes(4).toString("hex")}`;
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await deleteKeys(prefix);
});

/** The bot as a process without DATABASE_URL, typed into through its stdin. */
function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", ...args], {
    env: {
      PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", EMBEDDED_DATABASE_DIR: dataDir, DATA_ENCRYPTION_KEY: TEST_DATA_ENCRYPTION_KEY,
      REDIS_URL: TEST_REDIS_URL, BULLMQ_PREFIX: prefix, LOG_LEVEL: "silent", ...env,
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  let errors = "";
  child.stdout.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr.on("data", (c: Buffer) => (errors += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  // A cold start migrates a fresh PGlite directory: seconds when idle, minutes on a loaded machine.
  const printed = async (text: string, from = 0, ms = 180_000): Promise<string> => {
    await eventually(() => output.indexOf(text, from) >= 0, ms).catch(() => {
      throw new Error(`it did not print "${text}"; it printed:\n${output.slice(from)}\n${errors}`);
    });
    return output.slice(from);
  };
  return {
    child,
    output: () => output,
    errors: () => errors,
    exited,
    printed,
    async ask(line: string, until?: string): Promise<string> {
      const from = output.length;
      child.stdin.write(`${line}\n`);
      const start = until ? from + (await printed(until, from)).indexOf(until) : from;
      const reply = await printed("crm> ", start);
      return output.slice(from, start) + reply.slice(0, reply.indexOf("crm> "));
    },
    quit: async () => {
      child.stdin.end("exit\n");
      return exited;
    },
    kill: () => child.kill("SIGKILL"),
  };
}

describe("no DATABASE_URL: the embedded database", { timeout: 480_000 }, () => {
  it("npm run demo migrates and seeds it, says so, runs timed jobs on Redis, and is the only process on it", async () => {
    const demo = run(["demo"]);
    try {
      await demo.printed("crm> ");
      expect(demo.errors()).toContain(`Database: the embedded one (PGlite, Postgres in WebAssembly) in ${dataDir}`);
      expect(demo.errors()).toContain("set DATABASE_URL");
      expect(demo.errors()).toMatch(/Seeded \d+ customers/);
      expect(demo.errors()).toContain("Timed jobs (reminders, surveys, the digest) run in this process on Redis");
      expect(await demo.ask("/customer Acme")).toContain("ACME LTD");

      // A second process on the same data is refused in one line.
      const second = run(["demo"]);
      expect(await second.exited).toBe(1);
      expect(second.errors()).toMatch(/is in use by process \d+: it serves one process only/);
      expect(second.errors()).not.toMatch(/\n\s+at /);

      expect(await demo.ask("/remind in 3 seconds ring Acme back", "I'll remind you")).toContain("ring Acme back");
      await demo.printed("Reminder: ring Acme back", 0, 30_000);
      expect(await demo.quit()).toBe(0);
    } finally {
      demo.kill();
    }
    expect(existsSync(join(dir, "pglite.pid"))).toBe(false);

    // The data stays; without Redis the demo says once that timed jobs are off, the rest works.
    const deaf = `redis://127.0.0.1:${await freePort()}`;
    const again = run(["demo", "--as", "rep-li-na"], { REDIS_URL: deaf });
    try {
      await again.printed("crm> ");
      expect(again.errors()).toContain("Demo data already present.");
      expect(again.errors().match(/timed jobs \(surveys, the digest\) are off/g)).toHaveLength(1);
      expect(await again.ask("alibaba")).toContain("阿里巴巴集团");
      expect(await again.quit()).toBe(0);
    } finally {
      again.kill();
    }
  });

  it("npm start serves on it with a warning that it is for trying out", async () => {
    const port = await freePort();
    const bot = run([], { PORT: String(port), LOG_LEVEL: "info" });
    try {
      await bot.printed(`listening on port ${port}`);
      expect(bot.output()).toContain("is for trying the bot out, not for production");
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      bot.child.kill("SIGTERM");
      expect(await bot.exited).toBe(0);
    } finally {
      bot.kill();
    }
    expect(existsSync(join(dir, "pglite.pid"))).toBe(false);
  });

  it("a wrong DATABASE_URL gets one line, not a stack trace", async () => {
    const demo = run(["demo"], { DATABASE_URL: `postgresql://nobody@127.0.0.1:${await freePort()}/crm` });
    expect(await demo.exited).toBe(1);
    expect(demo.errors()).toContain("DATABASE_URL: nothing accepts connections at 127.0.0.1");
    expect(demo.errors()).not.toMatch(/\n\s+at /);
    expect(demo.output()).not.toContain("crm> ");
  });
});
