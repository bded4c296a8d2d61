import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import pg from "pg";
import { Decimal } from "../src/domain/money.js";
import { createServices, type Services } from "../src/services/index.js";
import { createPrisma, createStore, type Store } from "../src/store/index.js";
import { benchCipher, benchServiceDeps, createBenchDatabase, percentile } from "./bench-database.js";

/**
 * What the audit row costs on /customer. The card is assembled the same way twice, in
 * interleaved rounds (the variants' order alternates): once with the real store, whose audit
 * write is one raw INSERT into the partitioned, append-only audit_log (four indexes, one of them
 * GIN on customer_ids), and once with the audit write left out. The log is filled first with
 * AUDIT_ROWS rows over two years, so the indexes are of a realistic size. Also the write on its
 * own, and a Prisma `create` of the same row for comparison, in wall time and main-thread CPU.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const CARDS = Number(process.env.BENCH_CARDS ?? 300);
const WRITES = Number(process.env.BENCH_WRITES ?? 2_000);
const AUDIT_ROWS = Number(process.env.BENCH_AUDIT_ROWS ?? 500_000);
const DB = "crm_bench_audit";

const median = (values: number[]): number => percentile([...values].sort((a, b) => a - b), 50);
const cpuMs = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

/** The same store with the audit write left out: the card without its audit row. */
function withoutAudit(store: Store): Store {
  return { ...store, audit: { ...store.audit, write: async () => undefined } };
}

interface Variant {
  name: "with audit" | "without audit";
  services: Services;
}

async function round(v: Variant, viewer: Awaited<ReturnType<Services["registerRep"]>>, customers: string[], r: number): Promise<{ load: number; p50: number; cpu: number }> {
  const load = loadavg()[0]!;
  const times: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < CARDS; i++) {
    const id = customers[(i * 7 + r) % customers.length]!;
    const t0 = performance.now();
    await v.services.getCustomerCard(viewer, id);
    times.push(performance.now() - t0);
  }
  return { load, p50: median(times), cpu: cpuMs(cpu) / CARDS };
}

async function main(): Promise<void> {
  const database = await createBenchDatabase(DB);
  const prisma = createPrisma({ url: database.url, poolMax: 4 });
  const cipher = benchCipher();
  await prisma.$executeRaw`INSERT INTO data_keys (key_id) VALUES (${cipher.keyId}) ON CONFLICT (key_id) DO NOTHING`;
  const store = createStore(prisma, { cipher });
  const deps = benchServiceDeps(store);
  const services = createServices(deps);
  const viewer = await services.registerRep({ platform: "local", externalId: "bench-audit", displayName: "Bench Audit" });

  // Customers with what a card shows: three contacts, notes, orders.
  const customers: string[] = [];
  for (let i = 0; i < 200; i++) {
    const { customer } = await services.addCustomer(viewer, `Audit Bench Co ${i}`);
    for (let j = 0; j < 3; j++) await services.addContact(viewer, customer.id, { name: `Person ${j}`, email: `p${j}.${i}@bench.example` });
    for (let j = 0; j < 3; j++) await services.recordInteraction(viewer, { customer, channel: "CALL", body: `call ${j}` });
    await services.recordOrder(viewer, { customer, amount: new Decimal(100 + i), currency: "CNY", product: "widget", orderedAt: new Date() });
    customers.push(customer.id);
  }

  // A log of realistic size: AUDIT_ROWS rows over the last two years, into monthly partitions.
  let started = performance.now();
  await store.audit.maintain(new Date(Date.now() - 2 * 365 * 86_400_000), 30, 0);
  const pool = new pg.Pool({ connectionString: database.url, max: 1 });
  await pool.query(
    `INSERT INTO audit_log (actor_id, action, entity, entity_id, customer_ids, detail, at)
     SELECT $1::uuid, 'customer.view', 'customer', c::text, ARRAY[c], '{"private": true}', now() - (g * interval '1 second') * (63072000 / $3::int)
     FROM generate_series(1, $3::int) g, LATERAL (SELECT ($2::uuid[])[1 + g % array_length($2::uuid[], 1)] AS c) pick`,
    [viewer.id, customers, AUDIT_ROWS],
  );
  await pool.query("ANALYZE audit_log");
  const fillSeconds = (performance.now() - started) / 1000;
  const parts = (await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'audit_log'::regclass")).rows[0]!.n;

  const variants: Variant[] = [
    { name: "with audit", services },
    { name: "without audit", services: createServices({ ...deps, store: withoutAudit(store) }) },
  ];
  // Warm up both (query plans, connections, the compiler's caches).
  for (const v of variants) await round(v, viewer, customers, 99);

  const results: Record<Variant["name"], { load: number; p50: number; cpu: number }[]> = { "with audit": [], "without audit": [] };
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? variants : [...variants].reverse();
    for (const v of order) results[v.name].push(await round(v, viewer, customers, r));
  }

  // The write alone: the raw INSERT the store makes, and a Prisma create of the same row.
  const writeCost = async (label: string, write: (i: number) => Promise<unknown>): Promise<string> => {
    for (let i = 0; i < 200; i++) await write(i);
    const times: number[] = [];
    const cpu = process.cpuUsage();
    for (let i = 0; i < WRITES; i++) {
      const t0 = performance.now();
      await write(i);
      times.push(performance.now() - t0);
    }
    return `| ${label} | ${median(times).toFixed(3)} | ${(cpuMs(cpu) / WRITES).toFixed(3)} |`;
  };
  started = performance.now();
  const raw = await writeCost("store.audit.write outside a transaction (a read's row: prepared INSERT on the pool)", (i) => store.audit.write({ actorId: viewer.id, action: "customer.view", entityId: customers[i % customers.length]!, detail: { private: true } }));
  const inTransaction = await writeCost("Prisma $executeRaw of the same INSERT (a write's row goes so, in its transaction)", (i) => {
    const id = customers[i % customers.length]!;
    return prisma.$executeRaw`INSERT INTO audit_log (actor_id, action, entity, entity_id, customer_ids, detail, at)
      VALUES (${viewer.id}::uuid, 'customer.view', 'customer', ${id}, ${[id]}::uuid[], ${JSON.stringify({ private: true })}::jsonb, ${new Date()})`;
  });
  const viaPrisma = await writeCost("Prisma auditEntry.create (for comparison)", (i) =>
    prisma.auditEntry.create({ data: { actorId: viewer.id, action: "customer.view", entity: "customer", entityId: customers[i % customers.length]!, customerIds: [customers[i % customers.length]!], detail: { private: true } } }),
  );

  const med = (name: Variant["name"], key: "p50" | "cpu") => median(results[name].map((x) => x[key]));
  const lines = (name: Variant["name"]) => results[name].map((x, i) => `| ${i + 1} | ${name} | ${x.p50.toFixed(3)} | ${x.cpu.toFixed(3)} | ${x.load.toFixed(2)} |`);
  const report = [
    `### Audit write on /customer (${AUDIT_ROWS.toLocaleString("en")} rows in the log, ${parts} partitions)`,
    "",
    `Run ${new Date().toISOString().slice(0, 10)} on ${process.platform}/${process.arch}, Node ${process.version}; log filled in ${fillSeconds.toFixed(1)} s. ${ROUNDS} interleaved rounds of ${CARDS} cards each (getCustomerCard for the owner: six indexed reads, three contacts opened), with the real store and with its audit write left out; the variants' order alternates. Per round: the median wall time of a card and the main-thread CPU per card; the load average (1 min) when the round began. Then ${WRITES} audit writes on their own.`,
    "",
    "| | with audit | without audit | overhead |",
    "| --- | --- | --- | --- |",
    `| card p50, ms (median of rounds) | ${med("with audit", "p50").toFixed(3)} | ${med("without audit", "p50").toFixed(3)} | ${(med("with audit", "p50") - med("without audit", "p50")).toFixed(3)} |`,
    `| CPU per card, ms (median of rounds) | ${med("with audit", "cpu").toFixed(3)} | ${med("without audit", "cpu").toFixed(3)} | ${(med("with audit", "cpu") - med("without audit", "cpu")).toFixed(3)} |`,
    "",
    "| round | variant | card p50 ms | CPU ms per card | load (1 min) |",
    "| --- | --- | --- | --- | --- |",
    ...results["with audit"].flatMap((_, i) => [lines("with audit")[i]!, lines("without audit")[i]!]),
    "",
    "| one audit row | wall p50 ms | CPU ms |",
    "| --- | --- | --- |",
    raw,
    inTransaction,
    viaPrisma,
    "",
    `(${((performance.now() - started) / 1000).toFixed(1)} s for the writes.)`,
  ].join("\n");
  console.log(report);
  writeFileSync(process.env.BENCH_OUT ?? "bench/out-audit-overhead.md", report + "\n");

  await pool.end();
  await store.close();
  await database.drop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
