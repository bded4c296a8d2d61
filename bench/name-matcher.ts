/**
 * Finding known customer names inside free text at 100,000 customers (BENCH_CUSTOMERS), with
 * aliases: what building the in-memory dictionary costs (read from Postgres, build, memory), and
 * what one reminder-like text costs to scan, in English and Chinese, against floors measured in
 * the same run:
 *
 * - floor: `String.prototype.includes` of one known name in the text. Any way of finding names
 *   must at least read the text once; this is that single read, with nothing found out.
 * - fold only: the text folded as names are keyed (NFKC, case, accents, spacing), which the
 *   matcher does before its walk.
 * - every name, one by one: `includes` of each of the dictionary's keys in the folded text, the
 *   obvious in-memory way without an automaton.
 * - a query per word: the older findNamedCustomer (runs of one to three words looked up by exact
 *   key in Postgres); it cannot find a name inside Chinese text, which has no spaces.
 *
 * In-memory methods are timed as the mean of REPS back-to-back calls per text; each round runs
 * every method over every text, methods in a rotating order, and the table shows the median over
 * ROUNDS rounds of each percentile, with the 1-minute load average beside it. Writes
 * bench/out-name-matcher.md.
 */
import { writeFileSync } from "node:fs";
import os from "node:os";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import pg from "pg";
import { pinyin } from "pinyin-pro";
import { nameKeys } from "../src/domain/language/customer-name.js";
import { foldText } from "../src/domain/language/folded-text.js";
import { findNames, NameMatcher, type CustomerNames } from "../src/domain/language/name-matcher.js";
import { createCustomerNameIndex } from "../src/services/customers/customer-name-index.js";
import { createServices } from "../src/services/index.js";
import { createPrisma, createStore } from "../src/store/index.js";
import { benchCipher, benchServiceDeps, createBenchDatabase, percentile } from "./bench-database.js";
import { generateCustomers, loadCustomers, type GeneratedCustomer } from "./generate-customers.js";

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const REPS = 20;
const DB = "crm_bench_names";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const load1 = () => os.loadavg()[0]!.toFixed(2);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const memory = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

const INDUSTRY_EN: Record<string, string> = {
  科技: "Tech", 贸易: "Trading", 物流: "Logistics", 电子: "Electronics", 食品: "Foods", 医药: "Pharma", 建材: "Materials", 软件: "Software",
  服装: "Apparel", 机械: "Machinery", 能源: "Energy", 传媒: "Media", 教育: "Education", 化工: "Chemicals", 家具: "Furniture",
};

/** A third of the customers get an alias: initials and number for English names, a pinyin trade name for Chinese ones. */
function aliasOf(c: GeneratedCustomer, i: number): string | undefined {
  if (i % 3 !== 0) return undefined;
  if (/^[A-Za-z]/.test(c.name)) {
    const words = c.name.replace(/ (Ltd|Inc|LLC|GmbH|Co\., Ltd\.|Corp|PLC)$/, "").split(" ");
    const initials = words.filter((w) => /^[A-Za-z]/.test(w)).map((w) => w.replace(/[a-z]/g, "")).join("");
    const number = words.find((w) => /^\d+$/.test(w));
    return number ? `${initials}-${number}` : `${initials} ${words[words.length - 1]}`;
  }
  const core = c.normalizedName.replace(/^(北京|上海|广州|深圳|杭州|南京|成都|武汉|西安|重庆|苏州|天津|长沙|郑州|青岛|厦门|宁波|合肥|福州|昆明)/, "");
  const trade = pinyin(core.slice(0, 2), { toneType: "none", type: "array" }).join("");
  return `${trade[0]!.toUpperCase()}${trade.slice(1)} ${INDUSTRY_EN[core.slice(2, 4)] ?? "Group"} ${i % 1000}`;
}

interface Text {
  lang: "en" | "zh";
  text: string;
  /** The customer the text names first, if any. */
  names?: string;
}

const FILLER_EN = "We went through the rollout plan, the open support tickets and the training dates for the new team; the budget for next year is still open and they asked for a revised proposal with volume pricing. ";
const FILLER_ZH = "会上讨论了上线计划、未解决的工单和新团队的培训时间；明年的预算还没有定，对方希望我们给出带批量价格的新方案。";

function texts(customers: GeneratedCustomer[], aliases: Map<string, string>): Text[] {
  const out: Text[] = [];
  const latin = customers.filter((c) => /^[A-Za-z]/.test(c.name));
  const chinese = customers.filter((c) => !/^[A-Za-z]/.test(c.name));
  const bare = (c: GeneratedCustomer) => c.name.replace(/ (Ltd|Inc|LLC|GmbH|Co\., Ltd\.|Corp|PLC)$/, "");
  for (let i = 0; i < 120; i++) {
    const a = latin[(i * 7919) % latin.length]!;
    const b = latin[(i * 104729 + 13) % latin.length]!;
    const alias = aliases.get(a.normalizedName);
    const en: Text[] = [
      { lang: "en", text: `call ${bare(a)} tomorrow about the renewal`, names: a.name },
      { lang: "en", text: `tomorrow 9am send ${a.name} the revised quote`, names: a.name },
      { lang: "en", text: `follow up with ${bare(a)} and ${bare(b)} on the Q3 order`, names: a.name },
      { lang: "en", text: "remind me to file the expense report before friday" },
      { lang: "en", text: `${alias ?? bare(a)} wants a demo next week`, names: a.name },
      { lang: "en", text: `${FILLER_EN.repeat(3)}Next step: send ${bare(a)} the contract.`, names: a.name },
    ];
    out.push(en[i % en.length]!);
    const c = chinese[(i * 7919) % chinese.length]!;
    const d = chinese[(i * 104729 + 13) % chinese.length]!;
    const zAlias = aliases.get(c.normalizedName);
    const zh: Text[] = [
      { lang: "zh", text: `明天给${c.normalizedName}打电话`, names: c.name },
      { lang: "zh", text: `给${c.name}打电话 明天`, names: c.name },
      { lang: "zh", text: `跟进${c.normalizedName}合同`, names: c.name },
      { lang: "zh", text: `下周一上午和${c.normalizedName}、${d.normalizedName}开会`, names: c.name },
      { lang: "zh", text: `周五前把报价发给${zAlias ?? c.name}`, names: c.name },
      { lang: "zh", text: "下午三点提醒我交周报" },
      { lang: "zh", text: `${FILLER_ZH.repeat(4)}下一步：把合同发给${c.normalizedName}。`, names: c.name },
    ];
    out.push(zh[i % zh.length]!);
  }
  return out;
}

interface Stat {
  method: string;
  lang: string;
  rounds: { p50: number; p95: number; p99: number; load: string }[];
}

async function main(): Promise<void> {
  const database = await createBenchDatabase(DB);
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  const customers = generateCustomers(CUSTOMERS);
  await loadCustomers(pool, customers, 0);
  const aliases = new Map<string, string>();
  customers.forEach((c, i) => {
    const alias = aliasOf(c, i);
    if (alias) aliases.set(c.normalizedName, alias);
  });
  const aliasRows = [...aliases.entries()].map(([normalized, alias]) => ({ normalized, alias, keys: nameKeys(alias) }));
  for (let i = 0; i < aliasRows.length; i += 10_000) {
    const part = aliasRows.slice(i, i + 10_000);
    await pool.query(
      `INSERT INTO customer_aliases (id, customer_id, alias, normalized_name, pinyin)
       SELECT gen_random_uuid(), c.id, t.a, t.n, t.p FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(cn, a, n, p)
       JOIN customers c ON c.normalized_name = t.cn ON CONFLICT DO NOTHING`,
      [part.map((r) => r.normalized), part.map((r) => r.alias), part.map((r) => r.keys.normalizedName), part.map((r) => r.keys.pinyin)],
    );
  }
  await pool.query("ANALYZE");
  const prisma = createPrisma({ url: database.url, poolMax: 4 });
  const store = createStore(prisma, { cipher: benchCipher() });
  const services = createServices(benchServiceDeps(store));

  // --- Building the dictionary: read, build, memory; three rounds, medians.
  const reads: number[] = [];
  const builds: number[] = [];
  const retained: number[] = [];
  let matcher: NameMatcher | undefined;
  for (let round = 0; round < 3; round++) {
    matcher = undefined;
    const baseline = memory();
    let started = performance.now();
    const all: CustomerNames[] = [];
    for (let after: string | null = null; ; ) {
      const page = await store.customerNames.page(after, 10_000);
      all.push(...page);
      if (page.length < 10_000) break;
      after = page[page.length - 1]!.id;
    }
    reads.push(performance.now() - started);
    started = performance.now();
    matcher = NameMatcher.build(all);
    builds.push(performance.now() - started);
    all.length = 0;
    retained.push(memory() - baseline);
  }
  const stats = matcher!.stats();
  const buildLoad = load1();

  // --- The first lookup of a process through the service (load, build, first check, summaries).
  let started = performance.now();
  const firstHits = await services.customersNamedIn("call Acme tomorrow");
  const firstLookup = performance.now() - started;
  void firstHits;

  // --- The freshness check when nothing changed, and an overlay of 2,000 changed customers.
  // Nothing changed after now: the check finds nothing, as it does most of the time.
  const since = (await store.customerNames.clock()).now;
  const checks: number[] = [];
  for (let i = 0; i < 20; i++) {
    started = performance.now();
    await store.customerNames.changedSince(since, 2_001);
    checks.push(performance.now() - started);
  }
  // The same statement as changedSince's first, for its plan.
  const { rows: planRows } = await pool.query<{ "QUERY PLAN": string }>(
    `EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON)
     WITH changed AS (
       SELECT id FROM customers WHERE updated_at >= $1
       UNION
       SELECT customer_id FROM customer_aliases WHERE created_at >= $1
       LIMIT 2001
     )
     SELECT c.id, c.name, c.normalized_name, c.pinyin FROM customers c JOIN changed USING (id)`,
    [since],
  );
  const checkPlan = planRows.map((r) => r["QUERY PLAN"]).join("\n");
  const overlayCustomers = await store.customerNames.page(null, 2_000);
  const overlayBuilds: number[] = [];
  for (let i = 0; i < 5; i++) {
    started = performance.now();
    NameMatcher.build(overlayCustomers);
    overlayBuilds.push(performance.now() - started);
  }

  // --- Per-text latency.
  const sample = texts(customers, aliases);
  const keys: string[] = [];
  for (const c of customers) keys.push(c.normalizedName);
  for (const row of aliasRows) keys.push(row.keys.normalizedName);
  const oneName = customers[4242]!.normalizedName;
  const index = createCustomerNameIndex(store.customerNames);
  await index.find("warm up");

  const inMemory: Record<string, (text: string) => unknown> = {
    "floor: includes of one name": (text) => text.includes(oneName),
    "fold only": (text) => foldText(text),
    "dictionary matcher (fold + walk + pick)": (text) => findNames(matcher!, text),
    "every name, one by one (includes)": (text) => {
      const folded = foldText(text).folded;
      let n = 0;
      for (const k of keys) if (folded.includes(k)) n++;
      return n;
    },
  };
  const viaDatabase: Record<string, (text: string) => Promise<unknown>> = {
    "service: customersNamedIn (+ summaries query)": (text) => services.customersNamedIn(text),
    "a query per word (findNamedCustomer)": (text) => services.findNamedCustomer(text.split(/\s+/)),
  };
  const methods = [...Object.keys(inMemory), ...Object.keys(viaDatabase)];
  const results = new Map<string, Stat>();
  for (let round = 0; round < ROUNDS; round++) {
    const order = methods.map((_, i) => methods[(i + round) % methods.length]!);
    for (const method of order) {
      const perLang: Record<string, number[]> = { en: [], zh: [] };
      const slow = method.startsWith("every name");
      for (const t of sample) {
        let ms: number;
        if (inMemory[method]) {
          const reps = slow ? 1 : REPS;
          const begin = performance.now();
          for (let r = 0; r < reps; r++) inMemory[method](t.text);
          ms = (performance.now() - begin) / reps;
        } else {
          const begin = performance.now();
          await viaDatabase[method]!(t.text);
          ms = performance.now() - begin;
        }
        perLang[t.lang]!.push(ms);
      }
      const load = load1();
      for (const lang of ["en", "zh"]) {
        const sorted = perLang[lang]!.sort((a, b) => a - b);
        const key = `${method}|${lang}`;
        const stat = results.get(key) ?? { method, lang, rounds: [] };
        stat.rounds.push({ p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), load });
        results.set(key, stat);
      }
    }
  }

  // --- Did it find what the texts name?
  const named = sample.filter((t) => t.names);
  let hit = 0;
  let perWordHit = 0;
  for (const t of named) {
    if ((await services.customersNamedIn(t.text)).some((n) => n.customer.name === t.names)) hit++;
    if ((await services.findNamedCustomer(t.text.split(/\s+/)))?.name === t.names) perWordHit++;
  }

  const fmt = (v: number) => (v < 0.1 ? v.toFixed(4) : v.toFixed(2));
  const rows = [...results.values()].map((s) => {
    const loads = s.rounds.map((r) => r.load);
    return `| ${s.method} | ${s.lang} | ${fmt(median(s.rounds.map((r) => r.p50)))} | ${fmt(median(s.rounds.map((r) => r.p95)))} | ${fmt(median(s.rounds.map((r) => r.p99)))} | ${loads[0]}–${loads[loads.length - 1]} |`;
  });
  const report = [
    `### Customer names in free text at ${CUSTOMERS.toLocaleString("en")} customers`,
    "",
    `Run ${new Date().toISOString().slice(0, 10)} on ${os.platform()}/${os.arch()}, Node ${process.version}, ${os.cpus().length} cores: ${CUSTOMERS.toLocaleString("en")} customers (half English, half Chinese, bench/generate-customers.ts) and ${aliasRows.length.toLocaleString("en")} aliases; ${sample.length} reminder-like texts (${sample.filter((t) => t.lang === "en").length} en, ${sample.filter((t) => t.lang === "zh").length} zh; some without a name, some 600-900 characters long).`,
    "",
    `Dictionary: ${stats.keys.toLocaleString("en")} keys (names, aliases, pinyin, short forms), ${stats.nodes.toLocaleString("en")} automaton nodes, ${mb(stats.bytes)} MB in typed arrays. Medians of 3 rounds (load average ${buildLoad}):`,
    "",
    "| step | ms or MB |",
    "| --- | ---: |",
    `| read every customer's names and aliases from Postgres (pages of 10,000) | ${median(reads).toFixed(0)} ms |`,
    `| build the matcher | ${median(builds).toFixed(0)} ms |`,
    `| memory the matcher keeps (heap + typed arrays, after GC) | ${mb(median(retained))} MB |`,
    `| first lookup of a process through the service (read, build, first check) | ${firstLookup.toFixed(0)} ms |`,
    `| freshness check, nothing changed (two sequential scans) | ${median(checks).toFixed(1)} ms |`,
    `| overlay of 2,000 changed customers, build | ${median(overlayBuilds).toFixed(1)} ms |`,
    "",
    `Per text, ms (in memory: mean of ${REPS} calls per text, the name-by-name scan 1; medians over ${ROUNDS} interleaved rounds; load average 1 min, first–last round):`,
    "",
    "| method | texts | p50 | p95 | p99 | load |",
    "| --- | --- | ---: | ---: | ---: | --- |",
    ...rows,
    "",
    `Found the customer a text names in ${hit} of ${named.length} texts (the query per word: ${perWordHit}).`,
    "",
    "#### the freshness check (customers changed or aliased since the dictionary was read)",
    "",
    "```",
    checkPlan,
    "```",
  ].join("\n");
  console.log(report);
  writeFileSync(process.env.BENCH_OUT ?? "bench/out-name-matcher.md", report + "\n");

  await store.close();
  await pool.end();
  await database.drop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
