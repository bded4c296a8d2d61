/**
 * Seeds the demo data into the database at DATABASE_URL unless it already has customers.
 * Run with `npm run db:seed` (or `prisma db seed`) after `npm run db:migrate`.
 * Prints one line on success; exits non-zero with the reason on failure.
 */
import { createPrisma } from "../src/store/prisma.js";
import { seedDemoData } from "./seed-data.js";

/** A one-line reason a person can act on, for the usual ways the seed fails. */
function explain(error: unknown, url: string): string {
  const text = error instanceof Error ? error.message : String(error);
  const where = (() => {
    try {
      const u = new URL(url);
      return `${u.hostname}:${u.port || "5432"}${u.pathname}`;
    } catch {
      return "DATABASE_URL";
    }
  })();
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|timeout exceeded when trying to connect|Connection terminated/i.test(text)) {
    return `cannot reach the database at ${where} (${text.split("\n")[0]})`;
  }
  if (/does not exist/i.test(text) && /database/i.test(text)) return `the database at ${where} does not exist (${text.split("\n")[0]})`;
  if (/relation .* does not exist|table .* does not exist/i.test(text)) {
    return `the database at ${where} has no schema yet; run \`npm run db:migrate\` first (${text.split("\n")[0]})`;
  }
  return text;
}

async function main(): Promise<number> {
  const url = process.env.DATABASE_URL?.trim();
  if (!url) {
    console.error("Demo seed failed: DATABASE_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/crm)");
    return 1;
  }
  const prisma = createPrisma({ url, poolMax: 2, connectionTimeoutMs: 5_000 });
  try {
    const result = await seedDemoData(prisma);
    console.log(
      result.skipped
        ? "Demo seed skipped: the database already has customers."
        : `Demo seed done: ${result.customers} customers, ${result.orders} orders, ${result.interactions} interactions.`,
    );
    return 0;
  } catch (error) {
    console.error(`Demo seed failed: ${explain(error, url)}`);
    return 1;
  } finally {
    await prisma.$disconnect().catch(() => undefined);
  }
}

process.exitCode = await main();
