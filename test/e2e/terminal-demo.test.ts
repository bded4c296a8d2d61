import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTerminal } from "../../adapters/local/terminal.js";
import { seedDemoData } from "../../prisma/seed-data.js";
import { FakeSlackApi, eventually } from "../fakes/fake-slack-api.js";
import { BOT_TOKEN, startBot } from "../support/bot.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { actor, createTestCore } from "../support/core.js";
import { deleteKeys } from "../support/redis.js";
import { TEST_DATA_ENCRYPTION_KEY } from "../support/env.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

/** Types lines into the terminal adapter and returns everything it printed. */
async function session(lines: string[]): Promise<string> {
  const { core } = createTestCore(db.store);
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = "";
  output.on("data", (chunk: Buffer) => (printed += chunk.toString()));
  const done = runTerminal({ core, actor: actor("demo", { platform: "local", displayName: "Demo Rep" }), input, output });
  input.end(lines.join("\n") + "\n");
  await done;
  return printed;
}

describe("the terminal adapter", () => {
  it("runs the same commands as Slack, with numbered buttons and forms", async () => {
    const out = await session([
      "/customer add Acme Ltd",
      "1", // Log a note: opens the form
      "call: first call",
      "customer Acme",
      "crm order Acme 1200 CNY licence",
      "/history acme",
      "9",
      "exit",
    ]);
    expect(out).toContain("Added Acme Ltd as a lead, owned by you.");
    expect(out).toContain("[1] Log a note");
    expect(out).toContain("Log to CRM");
    expect(out).toContain("Logged a call with Acme Ltd.");
    expect(out).toContain("Recorded an order of CNY");
    expect(out).toContain("HISTORY OF ACME LTD");
    expect(out).toContain("first call");
    expect(out).toContain("There is no button 9");
    const { rows } = await db.sql.query("SELECT channel, body FROM interactions");
    expect(rows).toEqual([{ channel: "CALL", body: "first call" }]);
  });

  it("keeps control characters in stored text from reaching the terminal", async () => {
    const out = await session(["/customer add Evil\u001b[2J Corp", "exit"]);
    expect(out).not.toContain("\u001b[2J");
  });
});

/** `npm run demo` as a process, typed into through its stdin like a person at a terminal. */
function startDemo(database: TestDatabase, args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "demo", ...args], {
    // No Redis (port 1 refuses): the demo's own clock alone, so every terminal message these
    // tests count was queued by the bot under test (test/e2e/embedded-demo.test.ts runs the
    // demo with Redis, and so its workers).
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DATABASE_URL: database.url, REDIS_URL: "redis://127.0.0.1:1", LOG_LEVEL: "silent", DATA_ENCRYPTION_KEY: TEST_DATA_ENCRYPTION_KEY, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  let errors = "";
  child.stdout.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr.on("data", (c: Buffer) => (errors += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  /** Waits until what was printed since `from` contains `text`. */
  const printed = async (text: string, from = 0, ms = 60_000): Promise<string> => {
    // A cold tsx start plus `prisma migrate deploy` can take half a minute on a busy machine.
    await eventually(() => output.indexOf(text, from) >= 0, ms).catch(() => {
      throw new Error(`the demo did not print "${text}"; it printed:\n${output.slice(from)}\n${errors}`);
    });
    return output.slice(from);
  };
  return {
    output: () => output,
    errors: () => errors,
    exited,
    printed,
    /**
     * Types a line and returns the reply: everything up to the next prompt. A message arriving
     * meanwhile (a nudge, a reminder) redraws the prompt too; with `until`, the reply is what
     * follows up to the first prompt after that text.
     */
    async ask(line: string, until?: string): Promise<string> {
      const from = output.length;
      child.stdin.write(`${line}\n`);
      const start = until ? from + (await printed(until, from)).indexOf(until) : from;
      const reply = await printed("crm> ", start);
      return output.slice(from, start) + reply.slice(0, reply.indexOf("crm> "));
    },
    async quit(): Promise<number | null> {
      child.stdin.end("exit\n");
      return exited;
    },
    kill: () => child.kill("SIGKILL"),
  };
}

describe("npm run demo", { timeout: 240_000 }, () => {
  let demoDb: TestDatabase;
  beforeAll(async () => {
    demoDb = await createTestDatabase();
    await seedDemoData(demoDb.prisma, { cipher: demoDb.store.cipher });
  }, 120_000);
  afterAll(() => demoDb.drop());

  const profile = async (id: string) => (await demoDb.sql.query("SELECT locale, timezone FROM users WHERE platform = 'local' AND external_id = $1", [id])).rows[0] as unknown;

  it("speaks a seeded Chinese rep's language from the banner on, reads ／ and bare names, and leaves the rep's language and zone as stored", async () => {
    expect(await profile("rep-li-na")).toEqual({ locale: "zh-CN", timezone: "Asia/Shanghai" });
    // The team's language and zone are English and Berlin: the rep's own still win.
    const demo = startDemo(demoDb, ["--as", "rep-li-na"], { DEFAULT_LOCALE: "en", DEFAULT_TIMEZONE: "Europe/Berlin" });
    try {
      const banner = await demo.printed("crm> ");
      expect(banner).toContain("你是Li Na。");
      expect(banner).not.toContain("You are");

      const card = await demo.ask("／customer Acme");
      expect(card).toContain("ACME LTD");
      expect(card).toContain("负责人");
      expect(card).toContain("[1] 记一笔");
      expect(await demo.ask("9")).toContain("没有按钮 9；上一条回复共有 4 个按钮");

      // A customer's name on its own (here its pinyin) is the card.
      const bare = await demo.ask("alibaba");
      expect(bare).toContain("阿里巴巴集团");
      expect(bare).toContain("累计收入");

      // Questions still work, and a line that is neither says what can be typed.
      expect(await demo.ask("谁有流失风险")).toContain("流失风险");
      const neither = await demo.ask("今天天气怎么样");
      expect(neither).toContain("没看懂");
      expect(neither).toContain("只输入客户名称即可查看客户卡片");

      expect(await demo.quit()).toBe(0);
    } finally {
      demo.kill();
    }
    expect(await profile("rep-li-na")).toEqual({ locale: "zh-CN", timezone: "Asia/Shanghai" });
  });

  it("refuses an unknown --as with one line naming the demo reps and their languages", async () => {
    const demo = startDemo(demoDb, ["--as", "rep-nobody"]);
    try {
      // Were it to open a prompt anyway, "exit" would end it with 0.
      expect(await demo.quit()).not.toBe(0);
    } finally {
      demo.kill();
    }
    expect(demo.output()).not.toContain("crm> ");
    const refusal = demo.errors().split("\n").filter((line) => line.includes("rep-nobody"));
    expect(refusal).toHaveLength(1);
    for (const rep of ["rep-alex-chen (Alex Chen, English)", "rep-li-na (Li Na, 简体中文)", "rep-wang-wei (Wang Wei, 简体中文)", "rep-maria-garcia (Maria Garcia, English)", "rep-tom-becker (Tom Becker, English)"]) {
      expect(refusal[0]).toContain(rep);
    }
  });

  it("never leaves its terminal messages to fail in the real bot: the bot leaves them waiting, the demo shows them", async () => {
    const reminders = async (text: string) =>
      (await demoDb.sql.query<{ status: string; outbox: string | null }>(
        `SELECT r.status, o.status AS outbox FROM reminders r LEFT JOIN outbox o ON o.dedupe_key LIKE 'reminder:' || r.id || ':%' WHERE r.text = $1`,
        [text],
      )).rows;

    // A reminder set in the demo, whose time comes while no demo runs.
    const first = startDemo(demoDb, ["--as", "rep-alex-chen"], { DEFAULT_LOCALE: "zh-CN" });
    try {
      expect(await first.printed("crm> ")).toContain("You are Alex Chen.");
      expect(await first.ask("/remind in 1 hour call Acme about the quote")).toContain("call Acme about the quote");
      expect(await first.quit()).toBe(0);
    } finally {
      first.kill();
    }
    await demoDb.sql.query("UPDATE reminders SET due_at = now() - interval '2 minutes' WHERE text = 'call Acme about the quote'");

    // The real bot starts on the same database, with Slack on.
    const slack = new FakeSlackApi(BOT_TOKEN);
    await slack.start();
    const prefix = `crmtest-demo-${randomBytes(4).toString("hex")}`;
    const bot = await startBot(demoDb, slack, prefix);
    try {
      // It fires the reminder (its row says it is due) and tries to deliver it once ...
      await eventually(async () => (await reminders("call Acme about the quote"))[0]?.outbox ?? undefined, 30_000);
      // (So does every demo rep's follow-up nudge the bot plans at start.) Each message to the
      // terminal gets one delivery attempt, counted by outcome.
      const attempts = async () => {
        const metrics = await (await fetch(`http://127.0.0.1:${bot.port}/metrics`)).text();
        return [...metrics.matchAll(/^crm_outbox_deliveries_total\{outcome="\w+"\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
      };
      const terminalRows = async () => (await demoDb.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE platform = 'local'")).rows[0]!.n;
      await eventually(async () => (await attempts()) >= (await terminalRows()), 30_000);
      // ... and, having no terminal, leaves it waiting for the demo: not failed, not sent to Slack.
      expect(await reminders("call Acme about the quote")).toEqual([{ status: "FIRED", outbox: "PENDING" }]);
      expect((await demoDb.sql.query("SELECT platform, last_error FROM outbox WHERE status = 'FAILED'")).rows).toEqual([]);

      // The next demo of that rep shows it, and a reminder that falls due while the demo runs.
      const second = startDemo(demoDb, ["--as", "rep-alex-chen"], { DEFAULT_LOCALE: "zh-CN" });
      try {
        const start = await second.printed("call Acme about the quote");
        expect(start).toContain("── New message ──");
        expect(start).toContain("Reminder: call Acme about the quote");
        expect(await second.ask("/remind in 3 seconds ring Acme back", "I'll remind you")).toContain("ring Acme back");
        await second.printed("Reminder: ring Acme back", 0, 30_000);
        expect(await second.quit()).toBe(0);
      } finally {
        second.kill();
      }
      expect(await reminders("call Acme about the quote")).toEqual([{ status: "FIRED", outbox: "SENT" }]);
      expect(await reminders("ring Acme back")).toEqual([{ status: "FIRED", outbox: "SENT" }]);

      const failed = await demoDb.sql.query("SELECT platform, last_error FROM outbox WHERE status = 'FAILED'");
      expect(failed.rows).toEqual([]);
      expect(slack.callsTo("chat.postMessage")).toEqual([]);
    } finally {
      await bot.stop();
      await slack.stop();
      await deleteKeys(prefix);
    }
    // Neither demo changed the rep's language, whatever the team's default.
    expect(await profile("rep-alex-chen")).toEqual({ locale: "en", timezone: "Asia/Shanghai" });
  });
});
