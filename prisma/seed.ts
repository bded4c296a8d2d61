/**
 * Seeds the demo data into the database at DATABASE_URL unless it already has customers.
 * Run with `npm run db:seed` (or `prisma db seed`) after `npm run db:migrate`.
 * Prints one line on success; exits non-zero with the reason on failure.
 */
import { createPrisma } from "../src/store/prisma.js";
import { ConfigError, loadConfig } from "../src/config.js";
import { DataKeyError, FieldCipher, keyFileWarning, openDataKeys } from "../src/store/index.js";
import { existsSync } from "node:fs";
import { seedDemoData } from "./seed-data.js";

/** Host, port and database of a connection string, without credentials. */
function describe(url: URL): string {
  return `${url.hostname}:${url.port || "5432"}${url.pathname}`;
}

type PrismaFailure = {
  code?: unknown;
  meta?: { driverAdapterError?: { cause?: { originalMessage?: unknown } } };
};

/** A one-line reason a person can act on, for the usual ways the seed fails. */
function explain(error: unknown, where: string): string {
  const message = error instanceof Error ? error.message : String(error);
  // Prisma's messages start with a code frame; the last line says what happened.
  const last = message.split("\n").map((line) => line.trim()).filter(Boolean).at(-1) ?? message;
  const failure = (typeof error === "object" && error !== null ? error : {}) as PrismaFailure;
  const cause = failure.meta?.driverAdapterError?.cause?.originalMessage;
  const detail = typeof cause === "string" ? cause : last;
  switch (failure.code) {
    case "P1001":
    case "P1002":
      return `cannot reach the database server at ${where}; is PostgreSQL running? (${detail})`;
    case "P1003":
      return `the database ${where} does not exist; create it, then run \`npm run db:migrate\``;
    case "P2021":
    case "P2022":
      return `the database ${where} has no schema yet (${detail}); run \`npm run db:migrate\` first`;
    case "P1000":
    case "P1010":
      return `access to ${where} was denied (${detail})`;
  }
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|timeout exceeded when trying to connect/i.test(message)) {
    return `cannot reach the database server at ${where}; is PostgreSQL running? (${detail})`;
  }
  return detail;
}

function parseDatabaseUrl(raw: string | undefined): { text: string; url: URL } | string {
  const text = raw?.trim();
  if (!text) return "DATABASE_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/crm)";
  try {
    const url = new URL(text);
    if (url.protocol === "postgres:" || url.protocol === "postgresql:") return { text, url };
  } catch {
    // reported below
  }
  return "DATABASE_URL is not a postgresql:// URL (e.g. postgresql://postgres@127.0.0.1:5432/crm)";
}

async function main(): Promise<number> {
  // Like the bot and prisma.config.ts: a local .env counts, real environment variables win.
  if (existsSync(".env")) process.loadEnvFile(".env");
  const database = parseDatabaseUrl(process.env.DATABASE_URL);
  if (typeof database === "string") {
    console.error(`Demo seed failed: ${database}`);
    return 1;
  }
  // The contacts' details are sealed with the bot's key (the same rule as `npm start`: without
  // DATA_ENCRYPTION_KEY, an empty database gets a key generated into .data/).
  let keys: ReturnType<typeof loadConfig>["dataEncryption"];
  let phoneRegion: string;
  try {
    ({ dataEncryption: keys, defaultPhoneRegion: phoneRegion } = loadConfig());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`Demo seed failed: ${error.message}`);
    return 1;
  }
  const prisma = createPrisma({ url: database.text, poolMax: 2, connectionTimeoutMs: 5_000 });
  try {
    const opened = await openDataKeys(prisma, keys, { generate: true, phoneRegion });
    const warning = keyFileWarning(opened);
    if (warning) console.error(warning);
    const result = await seedDemoData(prisma, { cipher: new FieldCipher(opened.current, opened.old, { phoneRegion }) });
    console.log(
      result.skipped
        ? "Demo seed skipped: the database already has customers."
        : `Demo seed done: ${result.customers} customers, ${result.orders} orders, ${result.interactions} interactions.`,
    );
    return 0;
  } catch (error) {
    if (error instanceof DataKeyError) {
      console.error(`Demo seed failed: ${error.message}`);
      return 1;
    }
    console.error(`Demo seed failed: ${explain(error, describe(database.url))}`);
    return 1;
  } finally {
    await prisma.$disconnect().catch(() => undefined);
  }
}

process.exitCode = await main();
