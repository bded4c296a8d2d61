import { existsSync, readdirSync } from "node:fs";
import { open } from "node:fs/promises";
import pg from "pg";
import { z } from "zod";
import { contentsOf, formatCounts, formatDuration, rowCounts, userTables } from "./database-census.js";
import { PgToolError, childEnvironment, conninfoValue, findPgTool, libpqConnection, runTool, serverMajorOf, type Connection } from "./pg-tools.js";
import { CliUsageError, type CliCommand, type CliContext } from "./types.js";

const databaseUrl = z.string().refine((v) => {
  try {
    return ["postgres:", "postgresql:"].includes(new URL(v).protocol);
  } catch {
    return false;
  }
});

export interface RestoreArgs {
  file: string;
  into?: string;
}

export function parseRestoreArgs(args: readonly string[]): RestoreArgs {
  const positional: string[] = [];
  let into: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--into" || arg.startsWith("--into=")) {
      const value = arg === "--into" ? args[++i] : arg.slice("--into=".length);
      if (!value) throw new CliUsageError("--into needs a database URL, such as postgresql://crm@127.0.0.1:5432/crm_restored.");
      if (!databaseUrl.safeParse(value).success) throw new CliUsageError("--into must be a postgresql:// URL, such as postgresql://crm@127.0.0.1:5432/crm_restored.");
      into = value;
    } else if (arg.startsWith("-")) throw new CliUsageError(`Unknown option ${arg}: restore takes a file and --into <database-url>.`);
    else positional.push(arg);
  }
  if (positional.length === 0) throw new CliUsageError("Which backup? Give the file that `npm run crm -- backup` wrote.");
  if (positional.length > 1) throw new CliUsageError(`Give one backup file, not ${positional.length}.`);
  return { file: positional[0]!, ...(into ? { into } : {}) };
}

/** A pg_dump custom-format archive starts with these five bytes. */
const ARCHIVE_MAGIC = "PGDMP";

async function checkArchive(file: string): Promise<void> {
  let handle;
  try {
    handle = await open(file, "r");
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new PgToolError(code === "ENOENT" ? `${file} does not exist.` : `cannot read ${file} (${code ?? String(error)}).`);
  }
  try {
    const head = Buffer.alloc(ARCHIVE_MAGIC.length);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    if (bytesRead < head.length || head.toString("latin1") !== ARCHIVE_MAGIC) {
      throw new PgToolError(`${file} is not a backup made by \`npm run crm -- backup\` (a pg_dump custom-format archive); nothing was changed.`);
    }
  } finally {
    await handle.close();
  }
}

async function connectTarget(url: string, connection: Connection): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    if ((error as { code?: string }).code === "3D000") {
      throw new PgToolError(
        `the database ${connection.where} does not exist. Create an empty one first, e.g. createdb -h ${connection.env.PGHOST ?? "localhost"} -p ${connection.env.PGPORT ?? "5432"}${connection.env.PGUSER ? ` -U ${connection.env.PGUSER}` : ""} ${connection.database}, then run restore again.`,
      );
    }
    throw new PgToolError(`cannot connect to the database ${connection.where}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Migrations in the backup against those of this version of the bot. */
async function migrationNote(client: pg.Client): Promise<string> {
  const table = await client.query<{ ok: boolean }>("SELECT to_regclass('public._prisma_migrations') IS NOT NULL AS ok");
  if (!table.rows[0]?.ok) return "No migrations table in this backup: it was not made from a database of this bot (`npm run db:migrate` creates one).";
  const { rows } = await client.query<{ name: string }>("SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name");
  const applied = new Set(rows.map((r) => r.name));
  const local = existsSync("prisma/migrations") ? readdirSync("prisma/migrations", { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name) : [];
  const pending = local.filter((name) => !applied.has(name));
  const latest = rows.at(-1)?.name ?? "none";
  if (pending.length === 0) return `Migrations: ${applied.size} applied, the latest ${latest}; the bot can start on it (npm start with DATABASE_URL pointing at it).`;
  return `Migrations: ${applied.size} applied, the latest ${latest}; this version of the bot has ${pending.length} more (${pending.join(", ")}): run \`npm run db:migrate\` with DATABASE_URL pointing at it before npm start.`;
}

async function restore(ctx: CliContext, args: string[]): Promise<number> {
  const { file, into } = parseRestoreArgs(args);
  await checkArchive(file);
  const url = into ?? ctx.config.databaseUrl;
  const connection = libpqConnection(url);
  const started = Date.now();
  const client = await connectTarget(url, connection);
  try {
    const contents = await contentsOf(client);
    if (contents.objects > 0) {
      throw new PgToolError(
        `the database ${connection.where} is not empty (${contents.objects} tables or other objects, such as ${contents.examples.join(", ")}); nothing was changed. Restore only into an empty database: create a new one (createdb) and name it with --into <database-url>.`,
      );
    }
    const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
    const serverMajor = serverMajorOf(Number(rows[0]!.v));
    const tool = await findPgTool("pg_restore", serverMajor, ctx.config.pgBinDir);
    // One transaction: a restore that fails half-way leaves the database as empty as it was.
    // Objects belong to whoever restores (the role the bot will connect as), not to the roles of
    // the machine the backup came from, which may not exist here.
    const result = await runTool(
      tool.path,
      ["--single-transaction", "--exit-on-error", "--no-owner", "--no-password", `--dbname=dbname=${conninfoValue(connection.database)}`, file],
      childEnvironment(connection),
    );
    if (result.code !== 0) {
      throw new PgToolError(`pg_restore failed (exit code ${result.code}); the restore ran as one transaction, so nothing was changed.\n${result.stderr}`);
    }
    // pg_restore brings no planner statistics: without them the first queries crawl until autovacuum runs.
    await client.query("ANALYZE");
    const tables = await userTables(client);
    const counts = await rowCounts(client, tables);
    const rowTotal = [...counts.values()].reduce((a, b) => a + b, 0);
    ctx.out.write(
      [
        `Restored ${file} into ${connection.where} in ${formatDuration(Date.now() - started)} with pg_restore ${tool.version} (${tool.path}).`,
        `${tables.length} tables, ${rowTotal.toLocaleString("en-US")} rows:`,
        ...formatCounts(counts),
        await migrationNote(client),
        "The bot needs the same DATA_ENCRYPTION_KEY as the database the backup came from to read encrypted columns.",
        "",
      ].join("\n"),
    );
    return 0;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** `npm run crm -- restore <file> [--into <database-url>]`. */
export const restoreCommand: CliCommand = {
  name: "restore",
  usage: "<file> [--into <database-url>]",
  summary: "restores a backup into an empty database (DATABASE_URL, or the one --into names) with pg_restore",
  async run(ctx, args) {
    try {
      return await restore(ctx, args);
    } catch (error) {
      if (!(error instanceof PgToolError)) throw error;
      ctx.err.write(`Restore failed: ${error.message}\n`);
      return 1;
    }
  },
};
