/**
 * The nightly segment and stage scan at full size: the analytics data set (100k customers, 2M
 * orders, 5M interactions, 50k surveys; bench/generate-analytics-data.ts) in the database named
 * by BENCH_ANALYTICS_DATABASE_URL. It writes segments, stages, stage changes and alert outbox rows
 * there. Three runs: the first scan (many stages move), the same scan again (BullMQ's re-run:
 * nothing may move or alert twice) and the next night's. Writes bench/out-stage-scan.md.
 */
import { writeFileSync } from "node:fs";
import os from "node:os";
import pg from "pg";
import { scanCustomerStages, type StageScanResult } from "../src/services/index.js";
import { createPrisma, createStore } from "../src/store/index.js";
import { benchCipher, benchServiceDeps } from "./bench-database.js";

const URL = process.env.BENCH_ANALYTICS_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/crm_bench_analytics";

async function main(): Promise<void> {
  const sql = new pg.Pool({ connectionString: URL, max: 1 });
  const { rows } = await sql.query<{ last: Date; customers: number; orders: number; interactions: number }>(
    "SELECT (SELECT max(last_order_at) FROM customer_stats) AS last, (SELECT count(*)::int FROM customers) AS customers, (SELECT count(*)::int FROM orders) AS orders, (SELECT count(*)::int FROM interactions) AS interactions",
  );
  const data = rows[0]!;
  // The scan the night after the data set's last order, at 02:00 Shanghai (18:00 UTC the day before).
  const first = new Date(Date.UTC(data.last.getUTCFullYear(), data.last.getUTCMonth(), data.last.getUTCDate(), 18));
  const prisma = createPrisma({ url: URL, poolMax: 4 });
  const store = createStore(prisma, { cipher: benchCipher() });
  const deps = benchServiceDeps(store);

  const runs: { label: string; at: Date; seconds: number; result: StageScanResult }[] = [];
  const run = async (label: string, at: Date) => {
    const started = performance.now();
    const result = await scanCustomerStages(deps, { now: at, timeZone: "Asia/Shanghai" });
    runs.push({ label, at, seconds: (performance.now() - started) / 1000, result });
    console.log(label, ((performance.now() - started) / 1000).toFixed(1), "s", JSON.stringify(result));
  };
  const factsStarted = performance.now();
  await store.segments.facts(first, "Asia/Shanghai");
  const factsSeconds = (performance.now() - factsStarted) / 1000;
  await run("first scan", first);
  await run("same scan again", first);
  await run("next night", new Date(first.getTime() + 86_400_000));
  const changes = await sql.query<{ to_stage: string; n: number }>("SELECT to_stage, count(*)::int AS n FROM customer_stage_changes WHERE changed_at = $1 GROUP BY 1 ORDER BY 1", [first]);
  const alerts = await sql.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE dedupe_key LIKE $1", [`stage-alert:%:${first.getTime()}`]);
  await prisma.$disconnect();
  await sql.end();

  const report = [
    "### Nightly segment and stage scan at 100,000 customers",
    "",
    `Run ${new Date().toISOString().slice(0, 10)} on ${os.platform()}/${os.arch()}, Node ${process.version}, ${os.cpus().length} cores: ${data.customers.toLocaleString("en")} customers, ${data.orders.toLocaleString("en")} orders, ${data.interactions.toLocaleString("en")} interactions (bench/generate-analytics-data.ts). The facts statement alone (RFM ranks, median gaps, both 90-day windows, complaints, low scores, engagement) took ${factsSeconds.toFixed(1)} s; the rest of a scan is classification in batches of 5,000 and one upsert plus one stage-move statement per batch.`,
    "",
    "| run | as of | s | customers | high-value | potential | new | churn-risk | lost | stages moved | alerts written |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...runs.map(({ label, at, seconds, result: r }) =>
      `| ${label} | ${at.toISOString()} | ${seconds.toFixed(1)} | ${r.customers} | ${r.segments["high-value"]} | ${r.segments.potential} | ${r.segments.new} | ${r.segments["churn-risk"]} | ${r.segments.lost} | ${r.moved} | ${r.alerts} |`),
    "",
    `First scan's moves by new stage: ${changes.rows.map((c) => `${c.to_stage} ${c.n}`).join(", ")}; alert rows for it: ${alerts.rows[0]!.n} (one per owner on Slack).`,
  ].join("\n");
  console.log(`\n${report}`);
  writeFileSync(process.env.BENCH_OUT ?? "bench/out-stage-scan.md", report + "\n");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
