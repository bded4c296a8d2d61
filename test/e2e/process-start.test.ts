import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { TEST_DATA_ENCRYPTION_KEY, TEST_REDIS_URL } from "../support/env.js";
import { deleteKeys } from "../support/redis.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

function run(env: Record<string, string>, args: string[] = []): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let output = "";
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DATA_ENCRYPTION_KEY: TEST_DATA_ENCRYPTION_KEY, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** A cold `tsx` start compiles the whole tree: on a busy 2-core CI machine that alone can pass 15 s. */
async function waitFor(check: () => boolean, ms = 40_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("npm start", { timeout: 90_000 }, () => {
  it("starts without any platform credentials, says in one line what is off and why, serves probes, and stops on SIGTERM", async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const bot = run({ DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, PORT: String(port) });
    try {
      await waitFor(() => bot.output().includes("listening on port"));
      const line = bot.output().split("\n").find((l) => l.includes("listening on port"))!;
      expect(JSON.parse(line)).toMatchObject({ level: 30, port, msg: expect.stringContaining("Slack off (SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN are not set); WeChat off") as string });
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      expect(await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()).toEqual({ ready: true, checks: { postgres: "ok", redis: "ok" } });
      expect((await fetch(`http://127.0.0.1:${port}/slack/events`, { method: "POST" })).status).toBe(404);
    } finally {
      bot.child.kill("SIGTERM");
    }
    expect(await bot.exited).toBe(0);
  });

  it("runs as a worker only with --role=worker, drains on SIGTERM, and refuses an unknown role", async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const prefix = `crmtest-role-${process.pid}`;
    const worker = run({ DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, PORT: String(port), BULLMQ_PREFIX: prefix }, ["--role=worker"]);
    try {
      await waitFor(() => worker.output().includes("listening on port"));
      expect(worker.output()).toContain(`listening on port ${port} as worker`);
      await waitFor(() => worker.output().includes("reconciled jobs with Postgres"));
    } finally {
      worker.child.kill("SIGTERM");
    }
    expect(await worker.exited).toBe(0);
    await deleteKeys(prefix);

    const bad = run({ DATABASE_URL: db.url }, ["--role=everything"]);
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toContain("--role must be web, worker or all");
  });

  it("refuses to start on bad configuration, naming every problem at once", async () => {
    const bot = run({ PORT: "http", DEFAULT_LOCALE: "fr", SLACK_BOT_TOKEN: "xoxb-fake-half-config" });
    expect(await bot.exited).toBe(1);
    // No DATABASE_URL is no problem (the embedded database): the others are.
    for (const name of ["PORT", "DEFAULT_LOCALE", "SLACK_SIGNING_SECRET is required when SLACK_BOT_TOKEN is set"]) {
      expect(bot.output()).toContain(name);
    }
    expect(bot.output()).not.toContain("xoxb-fake-half-config");
  });

  it("reports not ready, without failing, when Postgres is unreachable", async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const bot = run({ DATABASE_URL: "postgresql://postgres@127.0.0.1:1/none", REDIS_URL: TEST_REDIS_URL, PORT: String(port) });
    try {
      await waitFor(() => bot.output().includes("listening on port"));
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(503);
      const text = await ready.text();
      // Only a word per check in the public answer; the host and the driver's message stay in the log.
      expect(JSON.parse(text)).toEqual({ ready: false, checks: { postgres: "not reachable", redis: "ok" } });
      expect(text).not.toContain("127.0.0.1");
      await waitFor(() => jsonLines(bot.output()).some((l) => l.msg === "not ready" && JSON.stringify(l).includes("127.0.0.1")));
      // Said once, in a JSON line that names the variable and what failed.
      const said = jsonLines(bot.output()).filter((l) => String(l.msg).includes("DATABASE_URL"));
      expect(said).toHaveLength(1);
      expect(said[0]!.msg).toContain("nothing accepts connections at 127.0.0.1:1 (connection refused)");
    } finally {
      bot.child.kill("SIGTERM");
    }
    await bot.exited;
  });

  it("stops at once, in one plain line naming DATABASE_URL, when the database is missing or the login is refused", async () => {
    const base = new URL(db.url);
    const missing = new URL(db.url);
    missing.pathname = `/${base.pathname.slice(1)}_missing`;
    const stranger = new URL(db.url);
    stranger.username = "no_such_crm_user";
    stranger.password = "s3cret-pw";
    for (const [url, words] of [
      [missing.toString(), `DATABASE_URL: the database "${base.pathname.slice(1)}_missing" does not exist at ${base.hostname}:${base.port}`],
      [stranger.toString(), `DATABASE_URL: Postgres at ${base.hostname}:${base.port} refused user "no_such_crm_user"`],
    ] as const) {
      const bot = run({ DATABASE_URL: url, REDIS_URL: TEST_REDIS_URL, PORT: "0" });
      expect(await bot.exited).toBe(1);
      expect(bot.output().trim().split("\n")).toHaveLength(1);
      expect(bot.output()).toContain(words);
      expect(bot.output()).not.toContain("s3cret-pw");
    }
  });

  it("npm start hands SIGTERM to the bot, which stops cleanly", async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    let output = "";
    const npm = spawn("npm", ["start", "--silent"], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, PORT: String(port), BULLMQ_PREFIX: `crmtest-npm-${process.pid}`, DATA_ENCRYPTION_KEY: TEST_DATA_ENCRYPTION_KEY },
      stdio: ["ignore", "pipe", "pipe"],
    });
    npm.stdout.on("data", (c: Buffer) => (output += c.toString()));
    npm.stderr.on("data", (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => npm.on("exit", (code) => resolve(code)));
    try {
      await waitFor(() => output.includes("listening on port"));
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      npm.kill("SIGTERM");
    }
    await exited;
    expect(output).toContain('"signal":"SIGTERM","msg":"shutting down"');
    // The bot itself is gone, not orphaned behind a shell that took the signal.
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    await deleteKeys(`crmtest-npm-${process.pid}`);
  });
});

describe("npm run demo", { timeout: 90_000 }, () => {
  it("stops in one plain line naming DATABASE_URL when nothing answers there", async () => {
    const demo = run({ DATABASE_URL: "postgresql://postgres@127.0.0.1:1/none", REDIS_URL: TEST_REDIS_URL }, ["demo"]);
    expect(await demo.exited).toBe(1);
    // Which database the demo uses, then why it cannot: no stack trace.
    expect(demo.output().trim().split("\n")).toEqual(["Database: 127.0.0.1:1/none (DATABASE_URL).", "DATABASE_URL: nothing accepts connections at 127.0.0.1:1 (connection refused). Is Postgres running there?"]);
  });
});

/** The log lines of a run: every line must be JSON (no raw stack dumps in between). */
function jsonLines(output: string): Record<string, unknown>[] {
  return output.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
}
