import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import pg from "pg";
import { Redis } from "ioredis";
import { BENCH_DATA_ENCRYPTION_KEY, createBenchDatabase, percentile, REDIS_URL } from "./bench-database.js";
import { loadConfig } from "../src/config.js";
import { createLogger } from "../src/logger.js";
import { start } from "../src/main.js";
import { FakeSlackApi } from "../test/fakes/fake-slack-api.js";

/**
 * Reminder lateness: REMINDERS reminders (10,000 by default), one per rep, all due within the
 * same minute, fired by one worker process through the outbox to a fake Slack Web API on
 * loopback. Lateness = when Slack received the DM minus when it was due.
 */
const REMINDERS = Number(process.env.BENCH_REMINDERS ?? 10_000);
const DB = "crm_bench_reminders";
const TOKEN = "xoxb-fake-bench-token";



async function main(): Promise<void> {
  const database = await createBenchDatabase(DB);
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });

  // One rep per reminder, so Slack's one-message-per-second-per-channel limit does not apply.
  const dueFrom = Date.now() + 40_000;
  await pool.query(
    `INSERT INTO users (id, platform, external_id, display_name, locale, timezone, updated_at)
     SELECT gen_random_uuid(), 'slack', 'UBENCH' || g, 'Rep ' || g, 'en-US', 'Asia/Shanghai', now() FROM generate_series(1, $1::int) g`,
    [REMINDERS],
  );
  await pool.query(
    `INSERT INTO reminders (id, user_id, text, due_at, updated_at)
     SELECT gen_random_uuid(), u.id, 'bench reminder', to_timestamp(($1::bigint + (row_number() OVER () * 60000 / $2::int)) / 1000.0), now()
     FROM users u`,
    [dueFrom, REMINDERS],
  );

  const slack = new FakeSlackApi(TOKEN);
  await slack.start();
  const prefix = `crmbench-${randomBytes(4).toString("hex")}`;
  const config = loadConfig({
    DATABASE_URL: database.url, DATABASE_POOL_MAX: "20", REDIS_URL, PORT: "0", SLACK_SIGNING_SECRET: "bench", SLACK_BOT_TOKEN: TOKEN,
    SLACK_API_URL: slack.apiUrl, BULLMQ_PREFIX: prefix, LOG_LEVEL: "silent", DATA_ENCRYPTION_KEY: BENCH_DATA_ENCRYPTION_KEY,
  });
  const startedAt = Date.now();
  const bot = await start(config, { role: "worker", host: "127.0.0.1", log: createLogger("warn") });

  const due = new Map<string, number>();
  const { rows } = await pool.query<{ external_id: string; due: string }>("SELECT u.external_id, (extract(epoch FROM r.due_at) * 1000)::bigint AS due FROM reminders r JOIN users u ON u.id = r.user_id");
  for (const r of rows) due.set(r.external_id, Number(r.due));
  const deadline = dueFrom + 60_000 + 60_000;
  while (slack.callsTo("chat.postMessage").length < REMINDERS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));

  const lateness = slack.callsTo("chat.postMessage").map((c) => c.at - due.get(String(c.body.channel))!).sort((a, b) => a - b);
  const perUser = new Map<string, number>();
  for (const c of slack.callsTo("chat.postMessage")) perUser.set(String(c.body.channel), (perUser.get(String(c.body.channel)) ?? 0) + 1);
  const duplicates = [...perUser.values()].filter((n) => n > 1).length;
  const { rows: states } = await pool.query("SELECT status::text, count(*)::int AS n FROM outbox GROUP BY 1 ORDER BY 1");
  const { rows: fired } = await pool.query<{ ms: string }>("SELECT (extract(epoch FROM fired_at - due_at) * 1000)::bigint AS ms FROM reminders ORDER BY 1");
  const fireLateness = fired.map((r) => Number(r.ms));

  const report = [
    `### Reminder lateness: ${REMINDERS.toLocaleString("en")} reminders due within one minute`,
    "",
    `Run ${new Date().toISOString().slice(0, 10)} on ${process.platform}/${process.arch}, Node ${process.version}: one worker process (\`--role=worker\`, BullMQ concurrency 50 per queue, Postgres pool 20) with Postgres, Redis and a fake Slack Web API on the same 2-core machine. Each reminder: the job claims its row, writes the DM to the outbox in the same transaction, and a delivery job renders and posts it. Worker start-up (reconcile of all ${REMINDERS.toLocaleString("en")} rows) took place ${((dueFrom - startedAt) / 1000).toFixed(0)} s before the first was due.`,
    "",
    `Delivered ${lateness.length.toLocaleString("en")} of ${REMINDERS.toLocaleString("en")}; users with more than one DM: ${duplicates}; outbox: ${states.map((s: { status: string; n: number }) => `${s.status} ${s.n}`).join(", ")}.`,
    "",
    "| lateness | job claimed the row, ms | Slack received the DM, ms |",
    "| --- | --- | --- |",
    ...[0, 50, 90, 95, 99, 100].map((p) => {
      const q = p === 100 ? 99.999 : p;
      return `| ${p === 0 ? "min" : p === 100 ? "max" : `p${p}`} | ${fireLateness.length ? percentile(fireLateness, q) : "n/a"} | ${lateness.length ? percentile(lateness, q) : "n/a"} |`;
    }),
  ].join("\n");
  console.log(report);
  const out = process.env.BENCH_OUT ?? "bench/out-reminder-lateness.md";
  writeFileSync(out, report + "\n");
  await bot.stop();
  await slack.stop();
  const redis = new Redis(REDIS_URL);
  for (let cursor = "0"; ; ) {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
    if (cursor === "0") break;
  }
  redis.disconnect();
  await pool.end();
  await database.drop();

}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
