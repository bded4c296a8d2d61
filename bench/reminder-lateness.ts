import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import pg from "pg";
import { Redis } from "ioredis";
import { ADMIN_URL, BENCH_DATA_ENCRYPTION_KEY, benchCipher, benchServiceDeps, createBenchDatabase, percentile, REDIS_URL } from "./bench-database.js";
import { startReminderFirer } from "./floors/reminder-firer.js";
import { interleavedRounds, ratio, roundsTable, type Figures } from "./support/rounds.js";
import { loadConfig } from "../src/config.js";
import { QUEUES } from "../src/jobs/queues.js";
import { createCore } from "../src/core/index.js";
import { createLogger } from "../src/logger.js";
import { start } from "../src/main.js";
import { createServices } from "../src/services/index.js";
import { closePrisma, createPrisma, createStore } from "../src/store/index.js";
import { FakeSlackApi } from "../test/fakes/fake-slack-api.js";

/**
 * Reminder lateness: REMINDERS reminders (10,000 by default), one per rep, all due within
 * SPREAD_MS (one minute), posted to a fake Slack Web API on loopback. Lateness = when Slack
 * received the DM minus when it was due. Floor (bench/floors/reminder-firer.ts: a timer, one
 * conditional UPDATE, a POST) and bot (one worker process: BullMQ job, claim + outbox row in one
 * statement, the DM sent in the same job) interleaved, ROUNDS rounds each, alone and while
 * `/report yearly` runs in a loop in the same process (against the analytics benchmark's data,
 * BENCH_REPORT_DATABASE: built by bench/analytics.ts; read only).
 */
const REMINDERS = Number(process.env.BENCH_REMINDERS ?? 10_000);
const SPREAD_MS = Number(process.env.BENCH_SPREAD_MS ?? 60_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Worker start-up (and its reconcile of every pending row) happens before the first is due. */
const LEAD_MS = Number(process.env.BENCH_LEAD_MS ?? 15_000);
const REPORT_DB = process.env.BENCH_REPORT_DATABASE ?? "crm_bench_analytics";
const MODES = (process.env.BENCH_MODES ?? "quiet,report").split(",");
const DB = "crm_bench_reminders";
const TOKEN = "xoxb-fake-bench-token";

const urlOf = (name: string): string => {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
};

/** Fresh reminders (the reps stay): due from `dueFrom` over SPREAD_MS, and each rep's due time by Slack id. */
async function seed(pool: pg.Pool, dueFrom: number): Promise<Map<string, number>> {
  await pool.query("TRUNCATE reminders, outbox");
  const { rows } = await pool.query<{ external_id: string; due: string }>(
    `WITH r AS (
       INSERT INTO reminders (id, user_id, text, due_at, updated_at)
       SELECT gen_random_uuid(), u.id, 'bench reminder', to_timestamp(($1::bigint + (row_number() OVER (ORDER BY u.id) * $3::int / $2::int)) / 1000.0), now()
       FROM users u RETURNING user_id, due_at)
     SELECT u.external_id, (extract(epoch FROM r.due_at) * 1000)::bigint AS due FROM r JOIN users u ON u.id = r.user_id`,
    [dueFrom, REMINDERS, SPREAD_MS],
  );
  return new Map(rows.map((r) => [r.external_id, Number(r.due)]));
}

/** `/report yearly` over and over until stopped, in this process: its CPU and its queries compete. */
function reportLoop(): { stop(): Promise<number> } {
  const prisma = createPrisma({ url: urlOf(REPORT_DB), poolMax: 8 });
  const core = createCore({ services: createServices(benchServiceDeps(createStore(prisma, { cipher: benchCipher() }))), defaultLocale: "en", defaultTimezone: "Asia/Shanghai" });
  const actor = { platform: "local" as const, externalId: "bench-analyst", displayName: "Bench Analyst", timezone: "Asia/Shanghai", locale: "en" };
  let stopped = false;
  let runs = 0;
  const loop = (async () => {
    while (!stopped) {
      const outcome = await core.handle({ type: "command", actor, command: "report", text: "yearly" });
      if (outcome.kind !== "message") throw new Error(`/report yearly answered ${outcome.kind}`);
      runs++;
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      await closePrisma(prisma);
      return runs;
    },
  };
}

async function clearPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  for (let cursor = "0"; ; ) {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
    if (cursor === "0") break;
  }
  redis.disconnect();
}

async function main(): Promise<void> {
  const database = await createBenchDatabase(DB);
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  // One rep per reminder, so Slack's one-message-per-second-per-channel limit does not apply.
  await pool.query(
    `INSERT INTO users (id, platform, external_id, display_name, locale, timezone, updated_at)
     SELECT gen_random_uuid(), 'slack', 'UBENCH' || g, 'Rep ' || g, 'en-US', 'Asia/Shanghai', now() FROM generate_series(1, $1::int) g`,
    [REMINDERS],
  );
  const notes: string[] = [];

  /** One run: starts the firer, waits for every DM (or a minute past the last due time), measures. */
  async function run(label: string, withReport: boolean, startFirer: (slack: FakeSlackApi) => Promise<() => Promise<void>>): Promise<Figures> {
    const slack = new FakeSlackApi(TOKEN);
    await slack.start();
    const dueFrom = Date.now() + LEAD_MS;
    const due = await seed(pool, dueFrom);
    const report = withReport ? reportLoop() : undefined;
    const stop = await startFirer(slack);
    // Seconds to spare between the firer being ready (for the bot: every job in Redis) and the first due time.
    const spare = (dueFrom - Date.now()) / 1000;
    const deadline = dueFrom + SPREAD_MS + 60_000;
    while (slack.callsTo("chat.postMessage").length < REMINDERS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const reports = report ? await report.stop() : 0;
    await stop();
    const calls = slack.callsTo("chat.postMessage");
    const lateness = calls.map((c) => c.at - due.get(String(c.body.channel))!).sort((a, b) => a - b);
    const perUser = new Map<string, number>();
    for (const c of calls) perUser.set(String(c.body.channel), (perUser.get(String(c.body.channel)) ?? 0) + 1);
    const duplicates = [...perUser.values()].filter((n) => n > 1).length;
    await slack.stop();
    // When each row was claimed: what comes before (timer, queue) against what comes after (the send).
    const { rows: claims } = await pool.query<{ ms: string }>("SELECT (extract(epoch FROM fired_at - due_at) * 1000)::bigint AS ms FROM reminders WHERE fired_at IS NOT NULL ORDER BY 1");
    const claimed = claims.map((r) => Number(r.ms));
    if (duplicates > 0 || lateness.length < REMINDERS) notes.push(`${label}: delivered ${lateness.length} of ${REMINDERS}, reps with more than one DM: ${duplicates}`);
    return {
      "spare s": spare, "claimed p50": percentile(claimed, 50), "claimed p99": percentile(claimed, 99),
      p50: percentile(lateness, 50), p99: percentile(lateness, 99), max: lateness[lateness.length - 1] ?? NaN,
      delivered: lateness.length, duplicates, ...(withReport ? { reports } : {}),
    };
  }

  const floor = (slack: FakeSlackApi) => startReminderFirer({ databaseUrl: database.url, slackApiUrl: slack.apiUrl, botToken: TOKEN }).then((f) => () => f.close());
  const bot = async (slack: FakeSlackApi) => {
    const prefix = `crmbench-${randomBytes(4).toString("hex")}`;
    const config = loadConfig({
      DATABASE_URL: database.url, DATABASE_POOL_MAX: "20", REDIS_URL, PORT: "0", SLACK_SIGNING_SECRET: "bench", SLACK_BOT_TOKEN: TOKEN,
      SLACK_API_URL: slack.apiUrl, BULLMQ_PREFIX: prefix, LOG_LEVEL: "silent", DATA_ENCRYPTION_KEY: BENCH_DATA_ENCRYPTION_KEY,
    });
    const running = await start(config, { role: "worker", host: "127.0.0.1", log: createLogger("warn") });
    // Ready once the start-up reconcile has put every reminder's job in Redis (or the first fired).
    const redis = new Redis(REDIS_URL);
    const started = Date.now();
    while ((await redis.zcard(`${prefix}:${QUEUES.reminders}:delayed`)) < REMINDERS && (await redis.llen(`${prefix}:${QUEUES.reminders}:wait`)) === 0 && Date.now() - started < LEAD_MS * 4) await new Promise((r) => setTimeout(r, 100));
    redis.disconnect();
    return async () => {
      await running.stop();
      await clearPrefix(prefix);
    };
  };

  const sections: string[] = [];
  for (const mode of MODES) {
    const withReport = mode === "report";
    const results = await interleavedRounds({ floor: () => run(`floor ${mode}`, withReport, floor), bot: () => run(`bot ${mode}`, withReport, bot) }, { rounds: ROUNDS });
    sections.push(
      `#### ${withReport ? "while `/report yearly` runs in a loop in the same process" : "alone"}`,
      "",
      roundsTable(results),
      "",
      `Ratio bot/floor (medians): p50 ${ratio(results, "bot", "floor", "p50").toFixed(1)}×, p99 ${ratio(results, "bot", "floor", "p99").toFixed(1)}×.`,
      "",
    );
  }

  const out = [
    `### Reminder lateness: ${REMINDERS.toLocaleString("en")} reminders due within ${(SPREAD_MS / 1000).toFixed(0)} s, floor and bot interleaved`,
    "",
    `Run ${new Date().toISOString().slice(0, 10)} on ${process.platform}/${process.arch}, Node ${process.version}, ${ROUNDS} rounds; lateness in ms from due to the fake Slack receiving the DM. Bot: one worker (\`--role=worker\`) in this process; floor: bench/floors/reminder-firer.ts.`,
    "",
    ...sections,
    ...(notes.length ? ["Notes:", ...notes.map((n) => `- ${n}`)] : []),
  ].join("\n");
  console.log(out);
  writeFileSync(process.env.BENCH_OUT ?? "bench/out-reminder-lateness.md", out + "\n");
  await pool.end();
  await database.drop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
