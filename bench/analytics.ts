/**
 * Analytics at scale: /top, /segment, /report, /pipeline and the digest against 100k customers, 2M
 * orders, 5M interactions, 50k surveys and 200k deals with their stage history
 * (bench/generate-analytics-data.ts). Each command runs through
 * the core as a rep types it (parse, SQL, view), so the figures are what a rep waits for, less
 * Slack's round trip. Prints p50/p95/max per command and writes bench/out-analytics.md.
 *
 * Commands run in BENCH_ROUNDS rounds (default 3), each command BENCH_RUNS / rounds times a round
 * (BENCH_RUNS default 30), with the load average beside each round; p95 is over all runs, goal
 * under 100 ms. The report's lead counts also run interleaved against their floor, the best single
 * statement over the raw rows for the same answer (bench/floors/analytics-leads.ts).
 *
 * BENCH_REUSE=1 keeps an existing crm_bench_analytics database instead of rebuilding it (the
 * build takes about two minutes), bringing its schema and rollups up to date first. Sizes:
 * BENCH_ANALYTICS_CUSTOMERS, BENCH_ANALYTICS_ORDERS, BENCH_ANALYTICS_INTERACTIONS,
 * BENCH_ANALYTICS_DEALS (100k/2M/5M/200k).
 *
 * /pipeline runs as a manager whose team is five of the twenty reps (a quarter of the deals), and
 * as an admin in no team, whose "team" is everyone: every deal.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import pg from "pg";
import { createCore, type Outcome } from "../src/core/index.js";
import { createChartRenderer } from "../src/charts/render-pool.js";
import { createServices, scanCustomerStages } from "../src/services/index.js";
import { createPrisma, createStore } from "../src/store/index.js";
import { ADMIN_URL, benchCipher, benchServiceDeps, createBenchDatabase, percentile, sealBenchPlaintext } from "./bench-database.js";
import { generateAnalyticsData } from "./generate-analytics-data.js";
import { leadCountsFloor } from "./floors/analytics-leads.js";
import { interleavedRounds, median, ratio, roundsTable } from "./support/rounds.js";
import { reportSummary } from "./support/summary.js";

/** BENCH_ANALYTICS_DB: another name keeps a trial run with small sizes off the full data set. */
const DB = process.env.BENCH_ANALYTICS_DB ?? "crm_bench_analytics";
if (!/^[a-z_][a-z0-9_]*$/.test(DB)) throw new Error(`BENCH_ANALYTICS_DB must be a plain lower-case identifier, got ${DB}`);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const SIZES = {
  customers: Number(process.env.BENCH_ANALYTICS_CUSTOMERS ?? 100_000),
  orders: Number(process.env.BENCH_ANALYTICS_ORDERS ?? 2_000_000),
  interactions: Number(process.env.BENCH_ANALYTICS_INTERACTIONS ?? 5_000_000),
  deals: Number(process.env.BENCH_ANALYTICS_DEALS ?? 200_000),
};
const GOAL_MS = 100;
const FLOOR_GOAL = 1.2;
const WARMUP = 3;

/** Who types a command: the analyst (a manager leading a five-rep team), or an admin in no team. */
type Typist = "analyst" | "admin";

const COMMANDS: { command: string; text: string; as?: Typist }[] = [
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
  { command: "report", text: "yearly last" },
  { command: "digest", text: "now" },
  { command: "quality", text: "" },
  { command: "crm", text: "本季度前十大客户" },
  { command: "crm", text: "who is at risk" },
  { command: "crm", text: "本月报告" },
  { command: "pipeline", text: "team" },
  { command: "pipeline", text: "team this quarter" },
  { command: "pipeline", text: "team", as: "admin" },
  { command: "crm", text: "本月要成交的单" },
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
    // A database built by an older checkout: its migrations and rollups are brought up to date.
    execFileSync("npx", ["prisma", "migrate", "deploy"], { stdio: "ignore", env: { ...process.env, DATABASE_URL: url } });
  } else {
    const database = await createBenchDatabase(DB);
    url = database.url;
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const result = await generateAnalyticsData(pool, { ...SIZES, surveys: Math.round(SIZES.customers / 2), reps: 20, seed: 42, now: new Date() });
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
  // A reused database may miss a rollup added since it was built (the first roll takes seconds).
  if (built === "reused") await services.rollUpAnalytics();

  // The nightly scan scores every customer and moves stages; /segment reads what it wrote.
  let started = performance.now();
  const scan = await scanCustomerStages(deps, { now: new Date(), timeZone: "Asia/Shanghai" });
  const scanSeconds = (performance.now() - started) / 1000;

  const core = createCore({ services, defaultLocale: "en", defaultTimezone: "Asia/Shanghai" });
  const actors: Record<Typist, { platform: "local"; externalId: string; displayName: string; timezone: string; locale: string }> = {
    analyst: { platform: "local", externalId: "bench-analyst", displayName: "Bench Analyst", timezone: "Asia/Shanghai", locale: "en" },
    admin: { platform: "local", externalId: "bench-admin", displayName: "Bench Admin", timezone: "Asia/Shanghai", locale: "en" },
  };
  // Registered by their first command; then the analyst leads a team of five reps and the admin is one.
  for (const a of Object.values(actors)) await core.handle({ type: "command", actor: a, command: "crm", text: "whoami" });
  const setup = new pg.Pool({ connectionString: url, max: 1 });
  await setup.query(`UPDATE users SET role = 'MANAGER' WHERE external_id = 'bench-analyst'`);
  await setup.query(`UPDATE users SET role = 'ADMIN' WHERE external_id = 'bench-admin'`);
  await setup.query(`INSERT INTO sales_teams (id, name, name_key, lead_id, updated_at)
                     SELECT gen_random_uuid(), 'Bench East', 'bench east', id, now() FROM users WHERE external_id = 'bench-analyst'
                     ON CONFLICT (name_key) DO NOTHING`);
  await setup.query(`UPDATE users SET sales_team_id = (SELECT id FROM sales_teams WHERE name_key = 'bench east')
                     WHERE id IN (SELECT id FROM users WHERE platform = 'slack' AND external_id LIKE 'U0BENCH%' ORDER BY external_id LIMIT 5)`);
  await setup.end();
  const actorOf = (c: { as?: Typist }) => actors[c.as ?? "analyst"];
  const rows: string[] = [];
  const samples: string[] = [];
  const roundLines: string[] = [];
  const label = ({ command, text, as }: { command: string; text: string; as?: Typist }) => `/${command}${text ? ` ${text}` : ""}${as ? ` (as ${as})` : ""}`;
  const times = new Map<string, number[]>(COMMANDS.map((c) => [label(c), []]));
  const perRound = new Map<string, number[]>(COMMANDS.map((c) => [label(c), []]));
  const last = new Map<string, Outcome>();
  const perRoundRuns = Math.max(1, Math.round(RUNS / ROUNDS));
  for (const c of COMMANDS) for (let i = 0; i < WARMUP; i++) await core.handle({ type: "command", actor: actorOf(c), command: c.command, text: c.text });
  for (let round = 1; round <= ROUNDS; round++) {
    const load = loadavg()[0]!;
    // Every command once in turn, so a burst of load lands on all of them alike.
    const mine = new Map<string, number[]>(COMMANDS.map((c) => [label(c), []]));
    for (let i = 0; i < perRoundRuns; i++) {
      for (const c of round % 2 ? COMMANDS : [...COMMANDS].reverse()) {
        started = performance.now();
        last.set(label(c), await core.handle({ type: "command", actor: actorOf(c), command: c.command, text: c.text }));
        mine.get(label(c))!.push(performance.now() - started);
      }
    }
    for (const [name, ts] of mine) {
      times.get(name)!.push(...ts);
      perRound.get(name)!.push(median(ts));
    }
    roundLines.push(`round ${round} (load ${load.toFixed(2)} before, ${loadavg()[0]!.toFixed(2)} after): ${[...mine].map(([n, ts]) => `${n} ${median(ts).toFixed(0)}`).join(", ")}`);
    console.log(roundLines[roundLines.length - 1]);
  }
  for (const c of COMMANDS) {
    const name = label(c);
    const sorted = [...times.get(name)!].sort((a, b) => a - b);
    const p95 = percentile(sorted, 95);
    rows.push(`| ${name} | ${percentile(sorted, 50).toFixed(0)} | ${p95.toFixed(0)} | ${sorted[sorted.length - 1]!.toFixed(0)} | ${perRound.get(name)!.map((m) => m.toFixed(0)).join(" / ")} |`);
    const outcome = last.get(name);
    samples.push(`- ${name}: ${outcome ? textOf(outcome) : ""}`);
    reportSummary("analytics", { path: `${name} p95`, floor: "", bot: `${p95.toFixed(0)} ms`, ratio: NaN, goal: `p95 < ${GOAL_MS} ms`, met: p95 < GOAL_MS });
  }

  // The yearly report's lead counts (this year and last, Shanghai), interleaved with their floor.
  const year = new Date().getUTCFullYear();
  const leadRanges = [
    { from: new Date(Date.UTC(year, 0, 1) - 8 * 3_600_000), to: new Date(Date.UTC(year + 1, 0, 1) - 8 * 3_600_000) },
    { from: new Date(Date.UTC(year - 1, 0, 1) - 8 * 3_600_000), to: new Date(Date.UTC(year, 0, 1) - 8 * 3_600_000) },
  ];
  const floorPool = new pg.Pool({ connectionString: url, max: 2 });
  const [floorAnswer, botAnswer] = [await leadCountsFloor(floorPool, leadRanges), await store.analytics.customerActivity(leadRanges)];
  const same = JSON.stringify(floorAnswer) === JSON.stringify(botAnswer.map((a) => ({ newLeads: a.newLeads, openLeads: a.openLeads, converted: a.convertedLeads })));
  if (!same) throw new Error(`lead counts differ from the floor: ${JSON.stringify(floorAnswer)} vs ${JSON.stringify(botAnswer)}`);
  const timed = (f: () => Promise<unknown>) => async () => {
    const ts: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      await f();
      ts.push(performance.now() - t);
    }
    ts.sort((a, b) => a - b);
    return { p50: percentile(ts, 50), p95: percentile(ts, 95) };
  };
  const leadRounds = await interleavedRounds(
    { floor: timed(() => leadCountsFloor(floorPool, leadRanges)), bot: timed(() => store.analytics.leads(leadRanges[0]!).then(() => store.analytics.leads(leadRanges[1]!))) },
    { rounds: ROUNDS },
  );
  await floorPool.end();
  const leadRatio = ratio(leadRounds, "bot", "floor", "p95");
  reportSummary("analytics", {
    path: "yearly report's lead counts (two years) p95",
    floor: `${leadRounds.medians.floor!.p95!.toFixed(0)} ms`,
    bot: `${leadRounds.medians.bot!.p95!.toFixed(0)} ms`,
    ratio: leadRatio,
    goal: `≤ ${FLOOR_GOAL}× floor`,
    met: leadRatio <= FLOOR_GOAL,
  });

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
  const chartP95 = percentile(chartTimes, 95);
  reportSummary("analytics", { path: "chart PNG (30-point line, worker thread) p95", floor: "", bot: `${chartP95.toFixed(0)} ms`, ratio: NaN, goal: `p95 < ${GOAL_MS} ms`, met: chartP95 < GOAL_MS });

  const report = [
    `### Analytics at 100k customers, 2M orders, 5M interactions, 50k surveys, 200k deals`,
    "",
    `Run ${new Date().toISOString().slice(0, 10)} on ${process.platform}/${process.arch}, Node ${process.version}; data ${built}. Each command runs through the core (parse, SQL, view) ${perRoundRuns * ROUNDS} times in ${ROUNDS} rounds after ${WARMUP} warm-up runs, one at a time, the commands in turn. The nightly stage scan took ${scanSeconds.toFixed(1)} s (${JSON.stringify(scan)}).`,
    "",
    ...roundLines.map((l) => `- ${l}`),
    "",
    `| command | p50 ms | p95 ms | max ms | median per round ms |`,
    "| --- | ---: | ---: | ---: | --- |",
    ...rows,
    `| chart PNG (30-point line, worker thread) | ${percentile(chartTimes, 50).toFixed(0)} | ${percentile(chartTimes, 95).toFixed(0)} | ${chartTimes[chartTimes.length - 1]!.toFixed(0)} | |`,
    "",
    "The yearly report's lead counts (this year and last) against the floor, the best single statement over the raw rows (bench/floors/analytics-leads.ts), 10 runs per contender per round (ms):",
    "",
    roundsTable(leadRounds),
    "",
    `Ratio (bot / floor, p95): ${leadRatio.toFixed(2)}.`,
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
