import { PrismaPg } from "@prisma/adapter-pg";
import { Prisma, PrismaClient } from "@prisma/client";

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
  const adapter = new PrismaPg({
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
  return new PrismaClient({ adapter });
}

export type Db = PrismaClient | Prisma.TransactionClient;
export { Prisma, PrismaClient };
