import { PrismaPg } from "@prisma/adapter-pg";
import { Prisma, PrismaClient } from "@prisma/client";
import pg from "pg";

export interface DatabaseOptions {
  url: string;
  /** Connections in the pool. */
  poolMax?: number;
  /** How long a query waits for a free connection before failing (pg's default is forever). */
  connectionTimeoutMs?: number;
  /**
   * statement_timeout and lock_timeout of every session of the pool: a query past them is
   * cancelled instead of holding a connection (and the caller) for ever. Unset: Postgres' own
   * (none), for tools such as the seed and the benchmarks.
   */
  statementTimeoutMs?: number;
  lockTimeoutMs?: number;
}

export function createPrisma(options: DatabaseOptions): PrismaClient {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 3_000,
    idleTimeoutMillis: 30_000,
    // JIT compiles a plan when its estimated cost is high, which the analytics reads reach with
    // their LATERAL range scans; compiling took 25-80 ms of a 30-100 ms query on 2 CPUs, and
    // every query here is index-driven and short, so it never paid for itself.
    options: [
      "-c jit=off",
      ...(options.statementTimeoutMs !== undefined ? [`-c statement_timeout=${Math.round(options.statementTimeoutMs)}`] : []),
      ...(options.lockTimeoutMs !== undefined ? [`-c lock_timeout=${Math.round(options.lockTimeoutMs)}`] : []),
    ].join(" "),
  });
  keepDeadConnectionsFromHarm(pool);
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(client, pool);
  return client;
}

/** The pg pool behind each client createPrisma made (closed with it). */
const pools = new WeakMap<object, pg.Pool>();

/**
 * The pool under a client, for the few reads that stream more rows than Prisma's per-row result
 * handling can carry (an export's cursor reads a million rows 4-5 times faster through pg);
 * undefined for a transaction client or a client made elsewhere.
 */
export function poolOf(db: object): pg.Pool | undefined {
  return pools.get(db);
}

/**
 * Disconnects a client and ends its pool. Prisma disposes the pool only when it ran a query
 * itself, so connections that only poolOf's readers used would otherwise stay open.
 */
export async function closePrisma(client: PrismaClient): Promise<void> {
  await client.$disconnect();
  const pool = pools.get(client);
  if (pool && !pool.ended) await pool.end();
}

export type Db = PrismaClient | Prisma.TransactionClient;
export { Prisma, PrismaClient };

/**
 * Postgres ending a connection (a restart, pg_terminate_backend) makes its client emit "error".
 * pg-pool listens only while a client is idle and the adapter only during a transaction, so one
 * arriving in between (after a failed transaction's rollback, say) had no listener and ended the
 * whole process. And a transaction whose connection died is never handed back by the query
 * engine (its ROLLBACK fails, so it never releases the client): each one took a pool slot for
 * good, and after `max` of them (one busy Postgres restart) no query got a connection again.
 * So every client keeps a listener, and one that dies while checked out is released with the
 * error, which makes the pool discard it and open a new one; the work that was using it fails
 * on its own.
 */
function keepDeadConnectionsFromHarm(pool: pg.Pool): void {
  const checkedOut = new WeakSet<pg.PoolClient>();
  pool.on("acquire", (client) => checkedOut.add(client));
  pool.on("release", (_error, client) => checkedOut.delete(client));
  pool.on("connect", (client) =>
    client.on("error", (error) => {
      if (!checkedOut.has(client)) return;
      checkedOut.delete(client);
      client.release(error);
    }),
  );
}
