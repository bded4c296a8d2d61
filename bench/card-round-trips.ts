import pg from "pg";
import { createServices } from "../src/services/index.js";
import { createPrisma, createStore } from "../src/store/index.js";
import { benchCipher, benchServiceDeps, createBenchDatabase } from "./bench-database.js";
import { generateCustomers, loadCustomers } from "./generate-customers.js";

/**
 * Round trips per card (issue 17): counts the queries pg sends while services build cards, and
 * the CPU time per card, on a small database (the count does not depend on its size).
 */
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 2_000);
const CARDS = Number(process.env.BENCH_CARDS ?? 200);

async function main(): Promise<void> {
  const database = await createBenchDatabase("crm_bench_card_trips");
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  const customers = generateCustomers(CUSTOMERS);
  await loadCustomers(pool, customers);
  const { rows } = await pool.query<{ id: string }>("SELECT id FROM customers ORDER BY id LIMIT $1", [CARDS]);
  await pool.end();

  const prisma = createPrisma({ url: database.url, poolMax: 4 });
  const store = createStore(prisma, { cipher: benchCipher() });
  const services = createServices(benchServiceDeps(store));
  const viewer = await services.registerRep({ platform: "local", externalId: "bench", displayName: "Bench" });
  for (const r of rows.slice(0, 20)) await services.getCustomerCard(viewer, r.id);

  // Every statement Prisma's adapter sends goes through pg.Client#query.
  let queries = 0;
  const proto = pg.Client.prototype as unknown as { query: (this: pg.Client, ...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: pg.Client, ...args: unknown[]) {
    queries++;
    return original.apply(this, args);
  };
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const r of rows) await services.getCustomerCard(viewer, r.id);
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  proto.query = original;
  console.log(`cards: ${rows.length}, queries per card: ${(queries / rows.length).toFixed(1)}, wall per card: ${(wall / rows.length).toFixed(2)} ms, CPU per card: ${((used.user + used.system) / 1000 / rows.length).toFixed(2)} ms`);
  await store.close();
  await database.drop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
