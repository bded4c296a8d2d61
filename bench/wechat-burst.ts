import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import pg from "pg";
import { Redis } from "ioredis";
import { wechatSignature } from "../adapters/wechat/signature.js";
import { BENCH_DATA_ENCRYPTION_KEY, createBenchDatabase, percentile, REDIS_URL } from "./bench-database.js";
import { loadConfig } from "../src/config.js";
import { createLogger } from "../src/logger.js";
import { start } from "../src/main.js";

/**
 * A burst of PUSHES signed WeChat pushes (1,000 by default) from 200 senders, one in three
 * delivered twice the way WeChat retries, CONCURRENCY at a time, against the running bot on
 * loopback. Reports answer latency and checks exactly one interaction per message.
 */
const PUSHES = Number(process.env.BENCH_PUSHES ?? 1_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const DB = "crm_bench_wechat";
const TOKEN = "bench-token";



async function main(): Promise<void> {
  const database = await createBenchDatabase(DB);
  const prefix = `crmbench-${randomBytes(4).toString("hex")}`;
  const config = loadConfig({
    DATABASE_URL: database.url, DATABASE_POOL_MAX: "20", REDIS_URL, PORT: "0", LOG_LEVEL: "silent", BULLMQ_PREFIX: prefix,
    WECHAT_APP_ID: "wxbench", WECHAT_APP_SECRET: "secret", WECHAT_TOKEN: TOKEN, DATA_ENCRYPTION_KEY: BENCH_DATA_ENCRYPTION_KEY,
  });
  const bot = await start(config, { role: "web", host: "127.0.0.1", log: createLogger("warn") });
  const base = `http://127.0.0.1:${bot.port}`;

  const now = Math.floor(Date.now() / 1000);
  const deliveries: { msgId: string; xml: string }[] = [];
  for (let i = 0; i < PUSHES; i++) {
    const msgId = String(7_000_000_000_000_000_000n + BigInt(i));
    const xml = `<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[oBenchSender${String(i % 200).padStart(14, "0")}]]></FromUserName><CreateTime>${now}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[message ${i}]]></Content><MsgId>${msgId}</MsgId></xml>`;
    deliveries.push({ msgId, xml });
    if (i % 3 === 0) deliveries.push({ msgId, xml }); // WeChat's retry of the same push
  }
  // Retries arrive mixed in with other traffic, as they would.
  deliveries.sort((a, b) => Number(BigInt(a.msgId) % 7n) - Number(BigInt(b.msgId) % 7n) || a.msgId.localeCompare(b.msgId));

  const latencies: number[] = [];
  let failures = 0;
  let next = 0;
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < deliveries.length) {
        const d = deliveries[next++]!;
        const timestamp = String(Math.floor(Date.now() / 1000));
        const nonce = String(Math.floor(Math.random() * 1e9));
        const t0 = performance.now();
        const res = await fetch(`${base}/wechat?signature=${wechatSignature(TOKEN, timestamp, nonce)}&timestamp=${timestamp}&nonce=${nonce}`, { method: "POST", body: d.xml });
        const text = await res.text();
        latencies.push(performance.now() - t0);
        if (res.status !== 200 || text !== "success") failures++;
      }
    }),
  );
  const wall = (performance.now() - startedAt) / 1000;
  const pool = new pg.Pool({ connectionString: database.url, max: 1 });
  const { rows } = await pool.query<{ n: number; distinct_ids: number }>("SELECT count(*)::int AS n, count(DISTINCT source_id)::int AS distinct_ids FROM interactions WHERE source_platform = 'wechat'");
  const { rows: leads } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM contacts");
  latencies.sort((a, b) => a - b);

  const report = [
    `### WeChat webhook burst: ${PUSHES.toLocaleString("en")} pushes, one in three delivered twice`,
    "",
    `Run ${new Date().toISOString().slice(0, 10)}: one web process, ${CONCURRENCY} concurrent senders on loopback, ${deliveries.length.toLocaleString("en")} signed plain-mode requests from 200 new senders in ${wall.toFixed(1)} s. Interactions stored: ${rows[0]!.n} (distinct message ids ${rows[0]!.distinct_ids}); contacts made: ${leads[0]!.n}; answers other than 200 success: ${failures}.`,
    "",
    "| answer latency | ms |",
    "| --- | --- |",
    ...[50, 95, 99].map((p) => `| p${p} | ${percentile(latencies, p).toFixed(1)} |`),
    `| max | ${latencies[latencies.length - 1]!.toFixed(1)} |`,
  ].join("\n");
  console.log(report);
  writeFileSync(process.env.BENCH_OUT ?? "bench/out-wechat-burst.md", report + "\n");

  await bot.stop();
  await pool.end();
  const redis = new Redis(REDIS_URL);
  const [, keys] = await redis.scan("0", "MATCH", `${prefix}:*`, "COUNT", 1000);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await database.drop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
