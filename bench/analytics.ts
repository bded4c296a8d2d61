/**
 * Analytics at scale: /top, /segment, /report and the digest against 100k customers, 2M orders,
 * 5M interactions and 50k surveys (bench/generate-analytics-data.ts). Each command runs through
 * the core as a rep types it (parse, SQL, view), so the figures are what a rep waits for, less
 * Slack's round trip. Prints p50/p95/max per command and writes bench/out-analytics.md.
 *
 * BENCH_REUSE=1 keeps an existing crm_bench_analytics database instead of rebuilding it (the
 * build takes about two minutes); BENCH_RUNS sets the timed runs per command (default 30).
 */
import { writeFileSync } from "node:fs";
import pg from "pg";
import { createCore, type Outcome } from "../src/core/index.js";
import { createChartRenderer } from "../src/charts/render-pool.js";
import { createServices, scanCustomerStages } from "../src/services/index.js";
import { createPrisma, createStore } from "../src/store/index.js";
import { ADMIN_URL, benchCipher, benchServiceDeps, createBenchDatabase, percentile, sealBenchPlaintext } from "./bench-database.js";
import { generateAnalyticsData } from "./generate-analytics-data.js";

const DB = "crm_bench_analytics";
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const WARMUP = 3;

const COMMANDS: { command: string; text: string }[] = [
  { command: "top", text: "" },
  { command: "top", text: "10 by revenue this year" },
  { command: "top", text: "20 by orders last 90 days" },
  { command: "top", text: "by clv this quarter" },
  { command: "segment", text: "churn-risk" },
  { command: "segment", text: "high-value" },
  { command: "segment", text: "" },
  { command: "report", text: "weekly" },
  { command: "report", text: "monthly" },
  { command: "report", text: "quarterly" },
  { command: "report", text: "yearly" },
  { command: "digest", text: "now" },
  { command: "crm", text: "本季度前十大客户" },
];

async function databaseExists(name: string): Promise<boolean> {
  const admin = new pg.Pool({ connectionString: ADMIN_URL, max: 1 });
  try {
    const { rows } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    return rows.length > 0;
  } finally {
    await admin.end();
  }
}

function urlOf(name: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

function textOf(outcome: Outcome): string {
  if (outcome.kind !== "message") return outcome.kind;
  return outcome.message.blocks.map((b) => ("text" in b ? b.text : b.type)).join(" ").slice(0, 120);
}

async function main(): Promise<void> {
  let url: string;
  let built = "reused";
  if (process.env.BENCH_REUSE === "1" && (await databaseExists(DB))) {
    url = urlOf(DB);
  } else {
    const database = await createBenchDatabase(DB);
    url = database.url;
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const result = await generateAnalyticsData(pool, { customers: 100_000, orders: 2_000_000, interactions: 5_000_000, surveys: 50_000, reps: 20, seed: 42, now: new Date() });
    await pool.end();
    // Contacts' details were inserted as plaintext from before encryption at rest: sealed now.
    const sealer = createPrisma({ url, poolMax: 2 });
    const sealed = await sealBenchPlaintext(sealer);
    await sealer.$disconnect();
    built = `built in ${result.seconds.toFixed(0)} s, contacts' details sealed in ${sealed.seconds.toFixed(0)} s (${sealed.rows.toLocaleString("en")} rows)`;
  }

  const prisma = createPrisma({ url, poolMax: 8 });
  const store = createStore(prisma, { cipher: benchCipher() });
  const deps = benchServiceDeps(store);
  const services = createServices(deps);

  // The nightly scan scores every customer and moves stages; /segment reads what it wrote.
  let started = performance.now();
  const scan = await scanCustomerStages(deps, { now: new Date(), timeZone: "Asia/Shanghai" });
  const scanSeconds = (performance.now() - started) / 1000;

  const core = createCore({ services, defaultLocale: "en", defaultTimezone: "Asia/Shanghai" });
  const actor = { platform: "local" as const, externalId: "bench-analyst", displayName: "Bench Analyst", timezone: "Asia/Shanghai", locale: "en" };
  const rows: string[] = [];
  const samples: string[] = [];
  for (const { command, text } of COMMANDS) {
    const run = () => core.handle({ type: "command", actor, command, text });
    for (let i = 0; i < WARMUP; i++) await run();
    const times: number[] = [];
    let last: Outcome | undefined;
    for (let i = 0; i < RUNS; i++) {
      started = performance.now();
      last = await run();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const label = `/${command}${text ? ` ${text}` : ""}`;
    rows.push(`| ${label} | ${percentile(times, 50).toFixed(0)} | ${percentile(times, 95).toFixed(0)} | ${times[times.length - 1]!.toFixed(0)} |`);
    samples.push(`- ${label}: ${last ? textOf(last) : ""}`);
    console.log(rows[rows.length - 1]);
  }

  // Charts render in a worker thread, off the loop that runs reminders; this is what one costs.
  const renderer = createChartRenderer();
  const chartTimes: number[] = [];
  const points = Array.from({ length: 30 }, (_, i) => ({ x: `11-${String(i + 1).padStart(2, "0")}`, y: 1000 + ((i * 7919) % 500) }));
  for (let i = 0; i < 10 + WARMUP; i++) {
    started = performance.now();
    await renderer.png({ kind: "line", title: "收入 Revenue", points, valueFormat: "money", currency: "CNY" });
    if (i >= WARMUP) chartTimes.push(performance.now() - started);
  }
  await renderer.close();
  chartTimes.sort((a, b) => a - b);

  const report = [
    `### Analytics at 100k customers, 2M orders, 5M interactions, 50k surveys`,
    "",
    `Run ${new Date().toISOString().slice(0, 10)} on ${process.platform}/${process.arch}, Node ${process.version}; data ${built}. Each command runs through the core (parse, SQL, view) ${RUNS} times after ${WARMUP} warm-up runs, one at a time. The nightly stage scan took ${scanSeconds.toFixed(1)} s (${JSON.stringify(scan)}).`,
    "",
    "| command | p50 ms | p95 ms | max ms |",
    "| --- | ---: | ---: | ---: |",
    ...rows,
    `| chart PNG (30-point line, worker thread) | ${percentile(chartTimes, 50).toFixed(0)} | ${percentile(chartTimes, 95).toFixed(0)} | ${chartTimes[chartTimes.length - 1]!.toFixed(0)} |`,
    "",
    "What each answered (first words):",
    "",
    ...samples,
  ].join("\n");
  console.log(report);
  writeFileSync(process.env.BENCH_OUT ?? "bench/out-analytics.md", report + "\n");
  await store.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
