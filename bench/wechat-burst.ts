import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import pg from "pg";
import { Redis } from "ioredis";
import { wechatSignature } from "../adapters/wechat/signature.js";
import { BENCH_DATA_ENCRYPTION_KEY, createBenchDatabase, percentile, REDIS_URL } from "./bench-database.js";
import { startWechatWebhookFloor } from "./floors/wechat-webhook-floor.js";
import { interleavedRounds, ratio, roundsTable, type Figures } from "./support/rounds.js";
import { loadConfig } from "../src/config.js";
import { createLogger } from "../src/logger.js";
import { start } from "../src/main.js";

/**
 * WeChat ingest against its floor (bench/floors/wechat-webhook-floor.ts), interleaved rounds:
 * PUSHES signed pushes (2,000 by default) from 200 new senders per round, one in three delivered
 * again the way WeChat retries, at 16 and at 64 concurrent. The bot runs as in production: a web
 * process (here, in this process like the floor) answering the pushes, and a worker process (a
 * child) recording them. Reports answer throughput and p99, checks exactly one stored row per
 * MsgId for both, and for the bot the lag from a push's answer to its interaction being recorded.
 */
const PUSHES = Number(process.env.BENCH_PUSHES ?? 2_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LEVELS = (process.env.BENCH_CONCURRENCY ?? "16,64").split(",").map(Number);
const DB = "crm_bench_wechat";
const TOKEN = "bench-token";
const PAUSE_WORKER = process.env.BENCH_WORKER_PAUSED === "1";
/** How long the bot's worker gets to record a round's messages before the check counts them. */
const DRAIN_LIMIT_MS = 600_000;

interface Delivery { msgId: string; xml: string }

let roundNo = 0;
/** Fresh message ids and senders every run, so no contender finds a round's messages stored already. */
function deliveries(): Delivery[] {
  const run = ++roundNo;
  const now = Math.floor(Date.now() / 1000);
  const out: Delivery[] = [];
  for (let i = 0; i < PUSHES; i++) {
    const msgId = String(7_000_000_000_000_000_000n + BigInt(run) * 1_000_000n + BigInt(i));
    const sender = `oBench${String(run).padStart(4, "0")}S${String(i % 200).padStart(12, "0")}`;
    const xml = `<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[${sender}]]></FromUserName><CreateTime>${now}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[message ${i}]]></Content><MsgId>${msgId}</MsgId></xml>`;
    out.push({ msgId, xml });
    if (i % 3 === 0) out.push({ msgId, xml }); // WeChat's retry of the same push
  }
  // Retries arrive mixed in with other traffic, as they would.
  out.sort((a, b) => Number(BigInt(a.msgId) % 7n) - Number(BigInt(b.msgId) % 7n) || a.msgId.localeCompare(b.msgId));
  return out;
}

async function burst(base: string, list: Delivery[], concurrency: number): Promise<{ wall: number; latencies: number[]; failures: number; answeredAt: Map<string, number> }> {
  const latencies: number[] = [];
  const answeredAt = new Map<string, number>();
  let failures = 0;
  let next = 0;
  const startedAt = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < list.length) {
      const d = list[next++]!;
      const timestamp = String(Math.floor(Date.now() / 1000));
      const nonce = String(Math.floor(Math.random() * 1e9));
      const t0 = performance.now();
      const res = await fetch(`${base}/wechat?signature=${wechatSignature(TOKEN, timestamp, nonce)}&timestamp=${timestamp}&nonce=${nonce}`, { method: "POST", body: d.xml });
      const text = await res.text();
      latencies.push(performance.now() - t0);
      if (!answeredAt.has(d.msgId)) answeredAt.set(d.msgId, Date.now());
      if (res.status !== 200 || text !== "success") failures++;
    }
  }));
  latencies.sort((a, b) => a - b);
  return { wall: (performance.now() - startedAt) / 1000, latencies, failures, answeredAt };
}

function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn("node", ["--import", "tsx", "src/main.ts", "--role=worker"], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the worker exited (${code}) before it started`)));
    child.stdout.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("workers started")) resolve(child);
    });
  });
}

async function main(): Promise<void> {
  const database = await createBenchDatabase(DB);
  const prefix = `crmbench-${randomBytes(4).toString("hex")}`;
  const env = {
    DATABASE_URL: database.url, DATABASE_POOL_MAX: "20", REDIS_URL, PORT: "0", BULLMQ_PREFIX: prefix,
    WECHAT_APP_ID: "wxbench", WECHAT_APP_SECRET: "secret", WECHAT_TOKEN: TOKEN, DATA_ENCRYPTION_KEY: BENCH_DATA_ENCRYPTION_KEY,
  };
  const bot = await start(loadConfig({ ...env, LOG_LEVEL: "silent" }), { role: "web", host: "127.0.0.1", log: createLogger("warn") });
  const worker = await startWorker({ ...env, LOG_LEVEL: "info" });
  const floor = await startWechatWebhookFloor({ databaseUrl: database.url, token: TOKEN, poolMax: 20 });
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  const checks: string[] = [];

  const runFloor = (concurrency: number) => async (): Promise<Figures> => {
    const list = deliveries();
    const r = await burst(`http://127.0.0.1:${floor.port}`, list, concurrency);
    const ids = [...new Set(list.map((d) => d.msgId))];
    const { rows } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM floor_inbound WHERE msg_id = ANY($1::text[])", [ids]);
    if (rows[0]!.n !== ids.length || r.failures > 0) checks.push(`floor ${concurrency}: ${rows[0]!.n} rows for ${ids.length} MsgIds, ${r.failures} failed answers`);
    return { "msg/s": PUSHES / r.wall, "req/s": list.length / r.wall, "p50 ms": percentile(r.latencies, 50), "p99 ms": percentile(r.latencies, 99) };
  };
  const runBot = (concurrency: number) => async (): Promise<Figures> => {
    const list = deliveries();
    // BENCH_WORKER_PAUSED=1: the worker is stopped during the burst (SIGSTOP), so the figures are
    // the webhook's alone, as with a worker on another machine; its lag then includes the pause.
    if (PAUSE_WORKER) worker.kill("SIGSTOP");
    const r = await burst(`http://127.0.0.1:${bot.port}`, list, concurrency);
    if (PAUSE_WORKER) worker.kill("SIGCONT");
    // The worker's lag: until every message is recorded, then from each answer to its interaction.
    const drainStart = Date.now();
    for (;;) {
      const { rows } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM inbound_messages");
      if (rows[0]!.n === 0 || Date.now() - drainStart > DRAIN_LIMIT_MS) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const { rows: left } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM inbound_messages");
    if (left[0]!.n > 0) checks.push(`bot ${concurrency}: ${left[0]!.n} messages still waiting (not lost) ${DRAIN_LIMIT_MS / 1000} s after the burst`);
    const ids = [...new Set(list.map((d) => d.msgId))];
    // all-rows: a benchmark's own check of what it stored.
    const { rows } = await pool.query<{ source_id: string; at: Date }>("SELECT source_id, created_at AS at FROM interactions WHERE source_platform = 'wechat' AND source_id = ANY($1::text[])", [ids]);
    const distinct = new Set(rows.map((x) => x.source_id)).size;
    if (r.failures > 0 || (left[0]!.n === 0 && (rows.length !== ids.length || distinct !== ids.length))) checks.push(`bot ${concurrency}: ${rows.length} interactions (${distinct} distinct) for ${ids.length} MsgIds, ${r.failures} failed answers`);
    const lags = rows.map((x) => x.at.getTime() - (r.answeredAt.get(x.source_id) ?? x.at.getTime())).sort((a, b) => a - b);
    return { "msg/s": PUSHES / r.wall, "req/s": list.length / r.wall, "p50 ms": percentile(r.latencies, 50), "p99 ms": percentile(r.latencies, 99), "lag p50 ms": percentile(lags, 50), "lag p99 ms": percentile(lags, 99) };
  };

  const sections: string[] = [];
  for (const concurrency of LEVELS) {
    const report = await interleavedRounds({ floor: runFloor(concurrency), bot: runBot(concurrency) }, { rounds: ROUNDS });
    const share = 1 / ratio(report, "bot", "floor", "msg/s", true);
    sections.push([
      `#### ${concurrency} concurrent: bot at ${(share * 100).toFixed(0)}% of the floor's throughput (goal >= 67%), bot p99 ${report.medians.bot!["p99 ms"]!.toFixed(1)} ms (goal < 50 ms)`,
      "",
      roundsTable(report),
    ].join("\n"));
  }
  const report = [
    `### WeChat ingest against its floor: ${PUSHES.toLocaleString("en")} pushes + one in three retried, ${ROUNDS} interleaved rounds`,
    "",
    `Run ${new Date().toISOString().slice(0, 10)}: the bot's web process (in the benchmark's process, like the floor) answers once a push is stored in inbound_messages; a worker process records it${PAUSE_WORKER ? " (stopped during each burst: the webhook's figures alone)" : " (running during the burst, on the same two cores)"}. Floor: bench/floors/wechat-webhook-floor.ts (node:http, raw pg, one INSERT … ON CONFLICT). Lag: from a push's first answer to its interaction's commit. Exactly one row per MsgId: ${checks.length === 0 ? "checked, held in every round" : `FAILED: ${checks.join("; ")}`}.`,
    "",
    ...sections,
  ].join("\n");
  console.log(report);
  writeFileSync(process.env.BENCH_OUT ?? "bench/out-wechat-burst.md", report + "\n");

  worker.kill("SIGTERM");
  await new Promise((resolve) => worker.once("exit", resolve));
  await floor.close();
  await bot.stop();
  await pool.end();
  const redis = new Redis(REDIS_URL);
  let cursor = "0";
  do {
    const [nextCursor, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = nextCursor;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== "0");
  redis.disconnect();
  await database.drop();
  if (checks.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
