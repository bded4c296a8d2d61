/**
 * The duplicate scan at 100,000 customers (BENCH_CUSTOMERS) with planted duplicates, against a
 * floor measured in the same run:
 *
 * - the scan: store/customers/duplicates.ts scan(), every arm (names alike by neighbours in pinyin order and
 *   reversed, the same pinyin, aliases, shared phones and emails), "not a duplicate" marks left
 *   out, the pairs written to duplicate_pairs; forced, so every round does the whole work.
 * - floor: the bare name comparison alone, the same neighbour windows and pg_trgm similarity,
 *   counting pairs (no other arm, no reasons, no writes). The scan cannot be cheaper than this.
 * - the trigram index self-join (every customer probes customers_pinyin_trgm for names from the
 *   threshold on) is the exhaustive answer for names alike; with BENCH_DUPLICATES_EXHAUSTIVE=1 it
 *   runs once (minutes at 100k), and the scan's recall of its pairs is reported.
 *
 * Planted: for 1,000 of the generated customers a second record that a person would call the same
 * company: a one-letter typo of an English name, a Chinese name written in pinyin, a different
 * name sharing a contact's phone (written another way), or sharing an email (in other case).
 * Medians of BENCH_ROUNDS rounds (default 3), load average (1 min) before each. Also the check
 * /customer add makes (one name against all, through the trigram index), a list page, and the
 * data quality report's pass over every customer.
 * Writes bench/out-duplicates.md.
 */
import { writeFileSync } from "node:fs";
import os from "node:os";
import pg from "pg";
import { mulberry32 } from "../prisma/seed-data.js";
import { nameKeys } from "../src/domain/language/customer-name.js";
import { SCAN_NEIGHBOURS, SIMILAR_NAMES_FROM } from "../src/domain/customers/duplicate-reasons.js";
import { createPrisma, createStore } from "../src/store/index.js";
import { benchCipher, createBenchDatabase, percentile, sealBenchPlaintext } from "./bench-database.js";
import { generateCustomers, loadCustomers, type GeneratedCustomer } from "./generate-customers.js";

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PLANTED = 1_000;
const EXHAUSTIVE = process.env.BENCH_DUPLICATES_EXHAUSTIVE === "1";
const DB = "crm_bench_duplicates";

const load1 = () => os.loadavg()[0]!.toFixed(2);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

type Kind = "typo" | "pinyin" | "phone" | "email";
interface Planted {
  kind: Kind;
  base: string;
  twin: GeneratedCustomer;
}

/** A one-letter typo in the first word of an English name: swap, drop, double or replace a letter. */
function typo(name: string, next: () => number): string {
  const end = name.indexOf(" ") > 3 ? name.indexOf(" ") : name.length;
  const at = 1 + Math.floor(next() * (end - 2));
  const letters = "abcdefghijklmnopqrstuvwxyz";
  switch (Math.floor(next() * 4)) {
    case 0:
      return name.slice(0, at) + name[at + 1] + name[at] + name.slice(at + 2);
    case 1:
      return name.slice(0, at) + name.slice(at + 1);
    case 2:
      return name.slice(0, at) + name[at] + name.slice(at);
    default:
      return name.slice(0, at) + letters[Math.floor(next() * 26)] + name.slice(at + 1);
  }
}

function plant(customers: GeneratedCustomer[], next: () => number): Planted[] {
  const taken = new Set(customers.map((c) => c.normalizedName));
  const planted: Planted[] = [];
  const kinds: Kind[] = ["typo", "pinyin", "phone", "email"];
  for (let i = 0; planted.length < PLANTED; i++) {
    const kind = kinds[planted.length % kinds.length]!;
    const base = customers[Math.floor(next() * customers.length)]!;
    const chinese = /\p{Script=Han}/u.test(base.name);
    let name: string;
    if (kind === "typo") {
      if (chinese) continue;
      name = typo(base.name, next);
    } else if (kind === "pinyin") {
      if (!chinese) continue;
      name = base.pinyin.replace(/^./, (c) => c.toUpperCase());
    } else {
      name = `Twin ${kind} ${i} Holdings ${Math.floor(next() * 1e6)}`;
    }
    const keys = nameKeys(name);
    if (taken.has(keys.normalizedName)) continue;
    taken.add(keys.normalizedName);
    planted.push({ kind, base: base.normalizedName, twin: { name, ...keys } });
  }
  return planted;
}

async function main(): Promise<void> {
  const next = mulberry32(7);
  const generated = generateCustomers(CUSTOMERS - PLANTED);
  const planted = plant(generated, next);
  const database = await createBenchDatabase(DB);
  const sql = new pg.Pool({ connectionString: database.url, max: 2 });
  const started = performance.now();
  await loadCustomers(sql, [...generated, ...planted.map((p) => p.twin)], 0);
  // A third of the customers have a contact with a phone and an email of their own; the planted
  // twins share one with their base, written another way.
  await sql.query(`
    INSERT INTO contacts (id, customer_id, name, email_plaintext, phone_plaintext, created_at, updated_at)
    SELECT gen_random_uuid(), id, 'Contact', 'c' || n || '@example' || (n % 97) || '.com', '+86 13' || lpad((n * 7919 % 1000000000)::text, 9, '0'), now(), now()
    FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM customers) c WHERE n % 3 = 0`);
  for (const [i, p] of planted.entries()) {
    if (p.kind !== "phone" && p.kind !== "email") continue;
    const phone = `139${String(10_000_000 + i).padStart(8, "0")}`;
    const email = `shared${i}@twins.example`;
    const [asBase, asTwin] = p.kind === "phone" ? [`+86 ${phone.slice(0, 3)} ${phone.slice(3, 7)} ${phone.slice(7)}`, phone] : [email, email.toUpperCase()];
    const column = p.kind === "phone" ? "phone_plaintext" : "email_plaintext";
    await sql.query(
      `INSERT INTO contacts (id, customer_id, name, ${column}, created_at, updated_at)
       SELECT gen_random_uuid(), id, 'Shared', CASE WHEN normalized_name = $1 THEN $3 ELSE $4 END, now(), now()
       FROM customers WHERE normalized_name IN ($1, $2)`,
      [p.base, p.twin.normalizedName, asBase, asTwin],
    );
  }
  // The details go in as plaintext from before encryption at rest (SQL holds no key): sealed
  // here as a bot's start would, so the scan joins on the keyed hashes.
  const sealer = createPrisma({ url: database.url, poolMax: 2 });
  const sealed = await sealBenchPlaintext(sealer);
  await sealer.$disconnect();
  console.log(`sealed ${sealed.rows} contacts' details in ${sealed.seconds.toFixed(1)} s`);
  await sql.query("ANALYZE");
  const loadSeconds = (performance.now() - started) / 1000;
  const counts = (await sql.query<{ customers: number; contacts: number }>("SELECT (SELECT count(*)::int FROM customers) AS customers, (SELECT count(*)::int FROM contacts) AS contacts")).rows[0]!;
  console.log(`loaded ${counts.customers} customers, ${counts.contacts} contacts in ${loadSeconds.toFixed(1)} s`);

  const prisma = createPrisma({ url: database.url, poolMax: 4 });
  const store = createStore(prisma, { cipher: benchCipher() });

  // The floor: the name arm's comparisons and nothing else.
  const lead = Array.from({ length: SCAN_NEIGHBOURS }, (_, k) => `lead(id, ${k + 1}) OVER w AS i${k + 1}, lead(pinyin, ${k + 1}) OVER w AS p${k + 1}`).join(", ");
  const values = Array.from({ length: SCAN_NEIGHBOURS }, (_, k) => `(f.i${k + 1}, f.p${k + 1})`).join(", ");
  const floorSql = `
    SELECT count(*)::int AS n FROM (
      SELECT id, pinyin AS p, ${lead} FROM customers WINDOW w AS (ORDER BY pinyin COLLATE "C", id)
      UNION ALL
      SELECT id, pinyin AS p, ${lead} FROM customers WINDOW w AS (ORDER BY reverse(pinyin) COLLATE "C", id)
    ) f CROSS JOIN LATERAL (VALUES ${values}) AS n(id, p)
    WHERE n.id IS NOT NULL AND similarity(f.p, n.p) >= ${SIMILAR_NAMES_FROM}`;

  const rounds: { scanMs: number; floorMs: number; pairs: number; floorPairs: number; loadBefore: string }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const loadBefore = load1();
    // Alternate which goes first, so neither always runs on a warmer cache.
    let scanMs = 0;
    let pairs = 0;
    let floorMs = 0;
    let floorPairs = 0;
    const scan = async () => {
      const t0 = performance.now();
      const state = await store.duplicates.scan(new Date(), { force: true });
      scanMs = performance.now() - t0;
      pairs = state.pairs;
    };
    const floor = async () => {
      const client = await sql.connect();
      try {
        await client.query("SET work_mem = '64MB'");
        const t0 = performance.now();
        floorPairs = (await client.query<{ n: number }>(floorSql)).rows[0]!.n;
        floorMs = performance.now() - t0;
      } finally {
        client.release();
      }
    };
    if (r % 2 === 0) {
      await scan();
      await floor();
    } else {
      await floor();
      await scan();
    }
    rounds.push({ scanMs, floorMs, pairs, floorPairs, loadBefore });
    console.log(`round ${r + 1}: scan ${(scanMs / 1000).toFixed(2)} s (${pairs} pairs), floor ${(floorMs / 1000).toFixed(2)} s (${floorPairs} comparisons ≥ threshold), load ${loadBefore}`);
  }

  // Recall of the planted pairs, by kind.
  const found = await sql.query<{ kind: Kind; found: number; total: number; alike: number; alike_found: number }>(
    `SELECT p.kind, count(*) FILTER (WHERE d.customer_a IS NOT NULL)::int AS found, count(*)::int AS total,
            count(*) FILTER (WHERE similarity(b.pinyin, t.pinyin) >= ${SIMILAR_NAMES_FROM})::int AS alike,
            count(*) FILTER (WHERE similarity(b.pinyin, t.pinyin) >= ${SIMILAR_NAMES_FROM} AND d.customer_a IS NOT NULL)::int AS alike_found
     FROM unnest($1::text[], $2::text[], $3::text[]) AS p(kind, base, twin)
     JOIN customers b ON b.normalized_name = p.base JOIN customers t ON t.normalized_name = p.twin
     LEFT JOIN duplicate_pairs d ON d.customer_a = least(b.id, t.id) AND d.customer_b = greatest(b.id, t.id)
     GROUP BY p.kind ORDER BY p.kind`,
    [planted.map((p) => p.kind), planted.map((p) => p.base), planted.map((p) => p.twin.normalizedName)],
  );
  const byKind = await sql.query<{ kind: string; n: number }>(
    "SELECT r->>'kind' AS kind, count(*)::int AS n FROM duplicate_pairs, jsonb_array_elements(reasons) r GROUP BY 1 ORDER BY 1",
  );

  // The check /customer add makes: one name against everyone, through the trigram index.
  const probeNames = planted.slice(0, 200).map((p) => p.twin.name.replace(/.$/, "x"));
  const probes: number[] = [];
  for (const name of probeNames) {
    const t0 = performance.now();
    await store.duplicates.likelyDuplicatesOf(nameKeys(name), 3);
    probes.push(performance.now() - t0);
  }
  probes.sort((a, b) => a - b);
  const pages: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await store.duplicates.listPairs(8, i * 8);
    pages.push(performance.now() - t0);
  }
  pages.sort((a, b) => a - b);
  const fingerprints: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    await store.duplicates.fingerprint();
    fingerprints.push(performance.now() - t0);
  }

  // The data quality report's pass over every customer (its duplicate count reads the kept pairs).
  const quality: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    await store.dataQuality.measure(new Date(), 8);
    quality.push(performance.now() - t0);
  }

  let exhaustive: string[] = [];
  if (EXHAUSTIVE) {
    const client = await sql.connect();
    try {
      await client.query(`SET pg_trgm.similarity_threshold = ${SIMILAR_NAMES_FROM}`);
      const t0 = performance.now();
      const all = await client.query<{ n: number; missed: number }>(
        `WITH exact AS (
           SELECT a.id AS a, b.id AS b FROM customers a JOIN customers b ON b.pinyin % a.pinyin AND a.id < b.id AND a.pinyin <> b.pinyin
         )
         SELECT count(*)::int AS n, count(*) FILTER (WHERE d.customer_a IS NULL)::int AS missed
         FROM exact e LEFT JOIN duplicate_pairs d ON d.customer_a = e.a AND d.customer_b = e.b`,
      );
      const seconds = (performance.now() - t0) / 1000;
      const { n, missed } = all.rows[0]!;
      exhaustive = [
        "",
        `The trigram index self-join (every customer probing customers_pinyin_trgm, threshold ${SIMILAR_NAMES_FROM}) took ${seconds.toFixed(0)} s (load ${load1()} after) and found ${n.toLocaleString("en")} pairs of names alike; the scan found ${(n - missed).toLocaleString("en")} of them (recall ${((100 * (n - missed)) / Math.max(1, n)).toFixed(1)}%). Those it misses are names alike that sort more than ${SCAN_NEIGHBOURS} places apart both forwards and backwards, in this generator's dense name families (e.g. the same two words with different numbers).`,
      ];
    } finally {
      client.release();
    }
  }

  await prisma.$disconnect();
  await sql.end();
  await database.drop();

  const s = (ms: number) => (ms / 1000).toFixed(2);
  const report = [
    `### Duplicate scan at ${counts.customers.toLocaleString("en")} customers`,
    "",
    `Run ${new Date().toISOString().slice(0, 10)} on ${os.platform()}/${os.arch()}, Node ${process.version}, ${os.cpus().length} cores; ${counts.customers.toLocaleString("en")} customers (bench/generate-customers.ts, ${PLANTED.toLocaleString("en")} of them planted twins) and ${counts.contacts.toLocaleString("en")} contacts, loaded in ${loadSeconds.toFixed(1)} s. Names alike: pg_trgm similarity of the pinyin from ${SIMILAR_NAMES_FROM}, each customer against its ${SCAN_NEIGHBOURS} neighbours in pinyin order and in reversed-pinyin order. Medians of ${ROUNDS} rounds, scan and floor alternating which goes first.`,
    "",
    "| | median s | rounds s | load (1 min) before each round |",
    "| --- | --- | --- | --- |",
    `| the scan (all arms, reasons, writes ${median(rounds.map((r) => r.pairs)).toLocaleString("en")} pairs) | ${s(median(rounds.map((r) => r.scanMs)))} | ${rounds.map((r) => s(r.scanMs)).join(", ")} | ${rounds.map((r) => r.loadBefore).join(", ")} |`,
    `| floor: the neighbour comparisons alone (${median(rounds.map((r) => r.floorPairs)).toLocaleString("en")} at or above the threshold) | ${s(median(rounds.map((r) => r.floorMs)))} | ${rounds.map((r) => s(r.floorMs)).join(", ")} | |`,
    "",
    `Planted twins found: ${found.rows.map((r) => `${r.kind} ${r.found}/${r.total}`).join(", ")}; of the typos, ${found.rows.find((r) => r.kind === "typo")?.alike ?? 0} make names alike from the threshold at all (a letter changed in a short word can take a name below it), and the scan found ${found.rows.find((r) => r.kind === "typo")?.alike_found ?? 0} of those. Reasons among the pairs: ${byKind.rows.map((r) => `${r.kind} ${r.n.toLocaleString("en")}`).join(", ")} (the generator's names come in dense families, so many distinct companies have names alike).`,
    "",
    `The check before /customer add (one name, trigram index at the threshold, same pinyin, aliases): p50 ${percentile(probes, 50).toFixed(1)} ms, p95 ${percentile(probes, 95).toFixed(1)} ms over ${probes.length} names. A list page (8 pairs with owners and history): p50 ${percentile(pages, 50).toFixed(1)} ms. The freshness check that decides whether to scan again: median ${median(fingerprints).toFixed(1)} ms. The data quality figures and worst customers (/crm quality, the digest's line) over every customer: median ${median(quality).toFixed(0)} ms.`,
    ...exhaustive,
  ].join("\n");
  console.log(`\n${report}`);
  writeFileSync(process.env.BENCH_OUT ?? "bench/out-duplicates.md", report + "\n");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
