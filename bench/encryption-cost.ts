import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import pg from "pg";
import { createServices, type Services } from "../src/services/index.js";
import { FieldCipher, createPrisma, createStore, dataKey, type LookupKind, type SealedField } from "../src/store/index.js";
import { benchCipher, benchServiceDeps, createBenchDatabase, percentile, sealBenchPlaintext } from "./bench-database.js";

/**
 * What encryption at rest costs on the two hot paths. The same code runs twice in interleaved
 * rounds: once with the real cipher (AES-256-GCM and HMAC-SHA256), once with a cipher that keeps
 * the plaintext as it is (the code as before encryption, less a function call): the difference
 * is what the cryptography costs.
 * - WeChat ingest: recordCustomerMessage, the webhook's transaction once the push is parsed (the
 *   HTTP and XML work around it is the same either way), for pushes from new senders (a lead,
 *   its contact with the openid sealed) and from known ones (found by the keyed hash), CONCURRENCY
 *   at a time.
 * - The card: getCustomerCard for the owner, every contact's email and phone opened.
 * Also the cost per operation, and sealing plaintext rows in bulk (the start after the migration).
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PUSHES = Number(process.env.BENCH_PUSHES ?? 400);
const CARDS = Number(process.env.BENCH_CARDS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const BACKGROUND = Number(process.env.BENCH_CONTACTS ?? 50_000);
const DB = "crm_bench_encryption";

/** The code as it was before encryption at rest: values stored and looked up as they are. */
class PlaintextCipher extends FieldCipher {
  constructor() {
    super(dataKey(Buffer.alloc(32)));
  }
  override seal(_field: SealedField, plaintext: string): string {
    return plaintext;
  }
  override open(_field: SealedField, sealed: string): string {
    return sealed;
  }
  override lookup(_kind: LookupKind, value: string | null | undefined): string | null {
    return value ?? null;
  }
  override lookups(_kind: LookupKind, value: string | null | undefined): string[] {
    return value ? [value] : [];
  }
}

interface Variant {
  name: "encrypted" | "plaintext";
  services: Services;
  owner: Awaited<ReturnType<Services["registerRep"]>>;
  customers: string[];
  knownSenders: string[];
  sent: number;
}

const median = (values: number[]): number => percentile([...values].sort((a, b) => a - b), 50);

function perOperation(label: string, runs: number, work: (i: number) => unknown): string {
  for (let i = 0; i < 2_000; i++) work(i);
  const started = performance.now();
  for (let i = 0; i < runs; i++) work(i);
  return `| ${label} | ${(((performance.now() - started) * 1000) / runs).toFixed(2)} |`;
}

async function prepare(name: Variant["name"], services: Services, tag: string): Promise<Variant> {
  const owner = await services.registerRep({ platform: "local", externalId: `bench-${tag}`, displayName: `Bench ${tag}` });
  const customers: string[] = [];
  for (let i = 0; i < 100; i++) {
    const { customer } = await services.addCustomer(owner, `Card Co ${tag} ${i}`);
    for (let j = 0; j < 3; j++) {
      await services.addContact(owner, customer.id, { name: `Person ${j}`, email: `p${j}.${i}@${tag}.example`, phone: `+86 139 ${String(1000 + i).padStart(4, "0")} ${String(1000 + j * 7).padStart(4, "0")}` });
    }
    customers.push(customer.id);
  }
  const knownSenders = Array.from({ length: 200 }, (_, i) => `oKnown${tag}${String(i).padStart(18, "0")}`.slice(0, 28));
  const variant: Variant = { name, services, owner, customers, knownSenders, sent: 0 };
  for (const sender of knownSenders) await push(variant, sender);
  return variant;
}

async function push(v: Variant, sender: string): Promise<void> {
  const n = v.sent++;
  await v.services.recordCustomerMessage({ platform: "wechat", senderId: sender, id: `${v.name}-${n}`, at: new Date(), kind: "text", body: `message ${n}` });
}

/** One round of one variant: PUSHES pushes (half from new senders) CONCURRENCY at a time, then CARDS cards. */
/** This process's CPU time (µs, user + system) spent in `work`: less swayed by other processes' load than wall time. */
async function cpuOf(work: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const used = process.cpuUsage(before);
  return used.user + used.system;
}

async function round(v: Variant, r: number): Promise<{ load: number; pushesPerSecond: number; pushP50: number; pushCpu: number; cardP50: number; cardCpu: number }> {
  const load = loadavg()[0]!;
  const senders = Array.from({ length: PUSHES }, (_, i) => (i % 2 === 0 ? v.knownSenders[(i / 2) % v.knownSenders.length]! : `oNew${v.name}${r}x${String(i).padStart(8, "0")}${randomBytes(3).toString("hex")}`));
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const pushCpu = await cpuOf(async () => {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < senders.length) {
          const sender = senders[next++]!;
          const t0 = performance.now();
          await push(v, sender);
          latencies.push(performance.now() - t0);
        }
      }),
    );
  });
  const pushesPerSecond = senders.length / ((performance.now() - started) / 1000);
  const cards: number[] = [];
  const cardCpu = await cpuOf(async () => {
    for (let i = 0; i < CARDS; i++) {
      const t0 = performance.now();
      const card = await v.services.getCustomerCard(v.owner, v.customers[i % v.customers.length]!);
      cards.push(performance.now() - t0);
      if (!card?.contacts[0]?.phone) throw new Error(`${v.name}: the card shows no phone`);
    }
  });
  return { load, pushesPerSecond, pushP50: median(latencies), pushCpu: pushCpu / senders.length, cardP50: median(cards), cardCpu: cardCpu / CARDS };
}

async function main(): Promise<void> {
  const database = await createBenchDatabase(DB);
  const sql = new pg.Pool({ connectionString: database.url, max: 2 });
  const prisma = createPrisma({ url: database.url, poolMax: 20 });

  // Background: customers with contacts holding plaintext from before encryption at rest, sealed
  // the way a bot's first start after the migration seals them.
  await sql.query(`
    INSERT INTO customers (id, name, normalized_name, pinyin, pinyin_initials, updated_at)
    SELECT gen_random_uuid(), 'Background ' || n, 'background' || n, 'background' || n, 'b', now() FROM generate_series(1, ${BACKGROUND}) n`);
  await sql.query(`
    INSERT INTO contacts (id, customer_id, name, email_plaintext, phone_plaintext, wechat_open_id_plaintext, updated_at)
    SELECT gen_random_uuid(), id, 'Someone', 'someone' || n || '@background.example', '+86 138' || lpad(n::text, 8, '0'),
           CASE WHEN n % 2 = 0 THEN 'oBackground' || lpad(n::text, 17, '0') END, now()
    FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM customers) c`);
  const sealLoad = loadavg()[0]!;
  const sealed = await sealBenchPlaintext(prisma);
  await sql.query("ANALYZE");

  const encrypted = await prepare("encrypted", createServices(benchServiceDeps(createStore(prisma, { cipher: benchCipher() }))), "E");
  const plaintext = await prepare("plaintext", createServices(benchServiceDeps(createStore(prisma, { cipher: new PlaintextCipher() }))), "P");

  const results: Record<Variant["name"], Awaited<ReturnType<typeof round>>[]> = { encrypted: [], plaintext: [] };
  await round(encrypted, -1); // warm up both paths
  await round(plaintext, -1);
  for (let r = 0; r < ROUNDS; r++) {
    // Interleaved, the order alternating, so a change of load hits both alike.
    for (const v of r % 2 === 0 ? [encrypted, plaintext] : [plaintext, encrypted]) results[v.name].push(await round(v, r));
  }

  const cipher = benchCipher();
  const sealedPhone = cipher.seal("contacts.phone", "+8613912345678");
  const operations = [
    perOperation("seal a phone (AES-256-GCM, random IV)", 50_000, () => cipher.seal("contacts.phone", "+8613912345678")),
    perOperation("open a phone", 50_000, () => cipher.open("contacts.phone", sealedPhone)),
    perOperation("hash an openid (HMAC-SHA256)", 50_000, (i) => cipher.lookup("wechat", `oAbCdEfGhIjKlMnOpQrStUv${i}`)),
    perOperation("hash a phone (E.164 normalisation + HMAC)", 20_000, (i) => cipher.lookup("phone", `139 1234 ${String(i % 10_000).padStart(4, "0")}`)),
  ];

  const row = (name: Variant["name"]) => {
    const rs = results[name];
    return `| ${name} | ${median(rs.map((x) => x.pushesPerSecond)).toFixed(0)} | ${median(rs.map((x) => x.pushP50)).toFixed(1)} | ${median(rs.map((x) => x.pushCpu)).toFixed(0)} | ${median(rs.map((x) => x.cardP50)).toFixed(2)} | ${median(rs.map((x) => x.cardCpu)).toFixed(0)} |`;
  };
  const rounds = (["encrypted", "plaintext"] as const).flatMap((name) =>
    results[name].map((x, i) => `| ${i + 1} | ${name} | ${x.load.toFixed(2)} | ${x.pushesPerSecond.toFixed(0)} | ${x.pushP50.toFixed(1)} | ${x.pushCpu.toFixed(0)} | ${x.cardP50.toFixed(2)} | ${x.cardCpu.toFixed(0)} |`),
  );
  const report = [
    "### Encryption at rest: the cost on WeChat ingest and the card",
    "",
    `Run ${new Date().toISOString().slice(0, 10)} on ${process.platform}/${process.arch}, Node ${process.version}, over ${BACKGROUND.toLocaleString("en")} contacts. Each of ${ROUNDS} interleaved rounds per variant: ${PUSHES} pushes through recordCustomerMessage (half from new senders: a lead and a contact each; half from known ones), ${CONCURRENCY} at a time, then ${CARDS} cards of customers with three contacts (email and phone each) for their owner. "plaintext" is the same code with a cipher that stores values as they are: the difference is the cryptography. Medians of the rounds' figures; CPU is this process's (user + system) per push or card, which other processes' load sways less than wall time; the load average (1 min) beside each round.`,
    "",
    "| variant | pushes/s | push p50 ms | CPU µs/push | card p50 ms | CPU µs/card |",
    "| --- | --- | --- | --- | --- | --- |",
    row("encrypted"),
    row("plaintext"),
    "",
    "| round | variant | load avg | pushes/s | push p50 ms | CPU µs/push | card p50 ms | CPU µs/card |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rounds,
    "",
    "| operation | µs each |",
    "| --- | --- |",
    ...operations,
    "",
    `Sealing plaintext left from before encryption at rest (a bot's first start after the migration): ${sealed.rows.toLocaleString("en")} contacts in ${sealed.seconds.toFixed(1)} s (${(sealed.rows / sealed.seconds).toFixed(0)} rows/s, batches of 500, load average ${sealLoad.toFixed(2)}).`,
  ].join("\n");
  console.log(report);
  writeFileSync(process.env.BENCH_OUT ?? "bench/out-encryption-cost.md", report + "\n");

  await prisma.$disconnect();
  await sql.end();
  await database.drop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
