import { PrismaPg } from "@prisma/adapter-pg";
import { Prisma, PrismaClient } from "@prisma/client";

export interface DatabaseOptions {
  url: string;
  /** Connections in the pool. */
  poolMax?: number;
  /** How long a query waits for a free connection before failing (pg's default is forever). */
  connectionTimeoutMs?: number;
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
    options: "-c jit=off",
  });
  return new PrismaClient({ adapter });
}

export type Db = PrismaClient | Prisma.TransactionClient;
export { Prisma, PrismaClient };
