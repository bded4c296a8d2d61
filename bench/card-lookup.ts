import { writeFileSync } from "node:fs";
import pg from "pg";
import { nameKeys } from "../src/domain/language/customer-name.js";
import { createServices } from "../src/services/index.js";
import { createPrisma, createStore } from "../src/store/index.js";
import { benchCipher, benchServiceDeps, createBenchDatabase, percentile } from "./bench-database.js";
import { generateCustomers, loadCustomers } from "./generate-customers.js";
import { cardStatementFloor } from "./floors/card-statement.js";
import { interleavedRounds, ratio, roundsTable, type Figures } from "./support/rounds.js";
import { reportSummary } from "./support/summary.js";

/**
 * Card look-up at scale: builds a database of CUSTOMERS customers (100k by default) with ten
 * interactions each, then times resolving a typed name and assembling the card, and prints the
 * query plans of the look-up queries (they must use indexes, not scan).
 */
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 400);
const DB = "crm_bench_cards";
const CARD_ROUND_SIZE = Number(process.env.BENCH_CARD_ROUND_SIZE ?? 300);
const CARD_ROUNDS = Number(process.env.BENCH_CARD_ROUNDS ?? 5);



async function main(): Promise<void> {
  const database = await createBenchDatabase(DB);

  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  const customers = generateCustomers(CUSTOMERS);
  let started = Date.now();
  await loadCustomers(pool, customers);
  const loadSeconds = (Date.now() - started) / 1000;

  const prisma = createPrisma({ url: database.url, poolMax: 4 });
  const store = createStore(prisma, { cipher: benchCipher() });
  const services = createServices(benchServiceDeps(store));
  const viewer = await services.registerRep({ platform: "local", externalId: "bench", displayName: "Bench" });

  // What reps type: exact names, lower-cased short forms, pinyin of Chinese names, and typos.
  const queries: { kind: string; text: string }[] = [];
  for (let i = 0; i < LOOKUPS; i++) {
    const c = customers[(i * 7919) % customers.length]!;
    const kind = ["exact", "short", "pinyin", "typo"][i % 4]!;
    const text =
      kind === "exact" ? c.name
      : kind === "short" ? c.name.split(" ").slice(0, 2).join(" ").toLowerCase()
      : kind === "pinyin" ? c.pinyin
      : c.normalizedName.slice(0, -1) + "x";
    queries.push({ kind, text });
  }
  for (const q of queries.slice(0, 20)) await services.resolveCustomer(q.text); // warm up

  const timings: Record<string, number[]> = { resolve: [], card: [], total: [], "resolve: exact": [], "resolve: short": [], "resolve: pinyin": [], "resolve: typo": [] };
  for (const q of queries) {
    started = performance.now();
    const r = await services.resolveCustomer(q.text);
    const resolved = performance.now();
    const id = r.kind === "found" ? r.customer.id : r.kind === "ambiguous" ? r.candidates[0]!.id : r.suggestions[0]?.id;
    if (id) await services.getCustomerCard(viewer, id);
    const done = performance.now();
    timings.resolve!.push(resolved - started);
    timings[`resolve: ${q.kind}`]!.push(resolved - started);
    timings.card!.push(done - resolved);
    timings.total!.push(done - started);
  }

  // The card's SQL against its floor (issue 17): the same customers, one after another, the
  // bot's whole getCustomerCard against one hand-written statement with the audit insert.
  const { rows: cardIds } = await pool.query<{ id: string }>("SELECT id FROM customers ORDER BY md5(id::text) LIMIT $1", [CARD_ROUND_SIZE]);
  const cipher = benchCipher();
  const timed = async (one: (id: string) => Promise<unknown>): Promise<Figures> => {
    const ms: number[] = [];
    for (const { id } of cardIds) {
      const t0 = performance.now();
      await one(id);
      ms.push(performance.now() - t0);
    }
    ms.sort((a, b) => a - b);
    return { "p50 ms": percentile(ms, 50), "p95 ms": percentile(ms, 95) };
  };
  const cardRounds = await interleavedRounds({
    "floor: one statement": () => timed((id) => cardStatementFloor(pool, cipher, id, viewer.id)),
    "bot: getCustomerCard": () => timed((id) => services.getCustomerCard(viewer, id)),
  }, { rounds: CARD_ROUNDS });
  const cardRatio = ratio(cardRounds, "bot: getCustomerCard", "floor: one statement", "p95 ms");
  reportSummary("card-lookup", {
    path: `the card's SQL at ${CUSTOMERS.toLocaleString("en")} customers, p95`,
    floor: `${cardRounds.medians["floor: one statement"]!["p95 ms"]!.toFixed(2)} ms`,
    bot: `${cardRounds.medians["bot: getCustomerCard"]!["p95 ms"]!.toFixed(2)} ms`,
    ratio: cardRatio,
    goal: "≤ 1.5× floor",
    met: cardRatio <= 1.5,
  });

  const explain = async (label: string, sql: string, params: unknown[]) => {
    const { rows } = await pool.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) ${sql}`, params);
    return `#### ${label}\n\n\`\`\`\n${rows.map((r) => r["QUERY PLAN"]).join("\n")}\n\`\`\`\n`;
  };
  const sample = customers[12345 % customers.length]!;
  const sampleCn = customers[(12345 % customers.length) | 1]!;
  const typo = nameKeys(sample.normalizedName.slice(0, -1) + "x");
  const short = nameKeys("北京华信");
  const { rows: idRows } = await pool.query<{ id: string }>("SELECT id FROM customers WHERE normalized_name = $1", [sample.normalizedName]);
  const plans = [
    await explain("exact name or pinyin (tier 1)", `SELECT id FROM customers WHERE normalized_name = $1 OR pinyin = $2 UNION SELECT customer_id FROM customer_aliases WHERE normalized_name = $1 OR pinyin = $2`, [sampleCn.normalizedName, sampleCn.pinyin]),
    await explain("prefix of a short Chinese name (tier 2, no trigram possible)", `SELECT id FROM customers WHERE normalized_name LIKE $1 OR pinyin LIKE $2`, [short.normalizedName + "%", short.pinyin + "%"]),
    await explain("substring (tier 2, trigram index)", `SELECT id FROM customers WHERE normalized_name LIKE $1 OR pinyin LIKE $2`, ["%" + sample.normalizedName.slice(2, 9) + "%", "%" + sample.normalizedName.slice(2, 9) + "%"]),
    await explain("typo similarity (tier 3, trigram index)", `SELECT id, similarity(normalized_name, $1) FROM customers WHERE normalized_name % $1 ORDER BY 2 DESC LIMIT 5`, [typo.normalizedName]),
    await explain("last five interactions for the card", `SELECT id FROM interactions WHERE customer_id = $1 ORDER BY occurred_at DESC, id DESC LIMIT 5`, [idRows[0]!.id]),
  ];

  const lines = Object.entries(timings).map(([name, values]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return `| ${name} | ${percentile(sorted, 50).toFixed(1)} | ${percentile(sorted, 95).toFixed(1)} | ${percentile(sorted, 99).toFixed(1)} |`;
  });
  const report = [
    `### Card look-up at ${CUSTOMERS.toLocaleString("en")} customers (${(CUSTOMERS * 10).toLocaleString("en")} interactions)`,
    "",
    `Run ${new Date().toISOString().slice(0, 10)} on ${process.platform}/${process.arch}, Node ${process.version}; data loaded in ${loadSeconds.toFixed(1)} s. ${LOOKUPS} look-ups, a quarter each exact name, lower-cased first two words, pinyin, and a one-letter typo; each resolves the name and assembles the whole card (one statement for the card and one audit insert).`,
    "",
    "| step | p50 ms | p95 ms | p99 ms |",
    "| --- | --- | --- | --- |",
    ...lines,
    "",
    `#### The card against its floor (${CARD_ROUND_SIZE} cards a round, ${CARD_ROUNDS} rounds interleaved; bot p95 / floor p95 = ${cardRatio.toFixed(2)}×)`,
    "",
    roundsTable(cardRounds),
    "",
    ...plans,
  ].join("\n");
  console.log(report);
  writeFileSync(process.env.BENCH_OUT ?? "bench/out-card-lookup.md", report + "\n");

  await store.close();
  await pool.end();
  await database.drop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
