import { chmod, mkdir, open, rename, stat, unlink } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import pg from "pg";
import { formatBytes, formatCounts, formatDuration, rowCounts, userTables } from "./database-census.js";
import { PgToolError, childEnvironment, findPgTool, libpqConnection, runTool, serverMajorOf } from "./pg-tools.js";
import { CliUsageError, type CliCommand, type CliContext } from "./types.js";

/** Where backups go without a file name: ignored by git (.gitignore). */
export const DEFAULT_BACKUP_DIR = "backups";

/** "crm-<database>-20261207T180501Z.dump": sorts by time, and never collides with an earlier one. */
export function defaultBackupName(database: string, at: Date): string {
  const stamp = at.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
  const safe = database.replace(/[^A-Za-z0-9_-]+/g, "_").slice(0, 60) || "database";
  return `${DEFAULT_BACKUP_DIR}/crm-${safe}-${stamp}.dump`;
}

/**
 * pg_dump's arguments. Nothing secret: the connection, password included, travels in the
 * environment (childEnvironment), never on a command line that `ps` shows to every user.
 */
export function pgDumpArguments(file: string, snapshot: string): string[] {
  return [
    "--format=custom",
    `--file=${file}`,
    // The snapshot our own transaction exported: the dump and the row counts printed see the same data.
    `--snapshot=${snapshot}`,
    // Fail instead of waiting for a password prompt nobody answers (cron).
    "--no-password",
    // A migration holding a table lock makes pg_dump give up after this rather than hang.
    "--lock-wait-timeout=120s",
  ];
}

function parseArgs(args: readonly string[]): { file?: string } {
  const positional = args.filter((a) => !a.startsWith("-"));
  const flags = args.filter((a) => a.startsWith("-"));
  if (flags.length > 0) throw new CliUsageError(`Unknown option ${flags[0]}: backup takes only a file name.`);
  if (positional.length > 1) throw new CliUsageError(`Give one file name, not ${positional.length}.`);
  return positional[0] ? { file: positional[0] } : {};
}

async function connect(url: string, where: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new PgToolError(`cannot connect to the database ${where}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function backup(ctx: CliContext, args: string[]): Promise<number> {
  const { file: named } = parseArgs(args);
  const connection = libpqConnection(ctx.config.databaseUrl);
  const started = Date.now();
  const file = resolve(named ?? defaultBackupName(connection.database, new Date(started)));
  const shown = relative(process.cwd(), file).startsWith("..") ? file : relative(process.cwd(), file);
  if (existsSync(file)) throw new PgToolError(`${shown} already exists; nothing was written. Remove it or give another file name.`);
  const partial = `${file}.partial`;

  const client = await connect(ctx.config.databaseUrl, connection.where);
  try {
    const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
    const serverMajor = serverMajorOf(Number(rows[0]!.v));
    const tool = await findPgTool("pg_dump", serverMajor, ctx.config.pgBinDir);

    // One snapshot for the counts and the dump: pg_dump joins it with --snapshot while this
    // transaction stays open, so what is printed is exactly what the file holds.
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const snapshot = (await client.query<{ id: string }>("SELECT pg_export_snapshot() AS id")).rows[0]!.id;
    const tables = await userTables(client);
    const counts = await rowCounts(client, tables);

    // Backups hold every customer's personal data: readable by their owner only, from the first byte.
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    await (await open(partial, "w", 0o600)).close();
    await chmod(partial, 0o600);
    const result = await runTool(tool.path, pgDumpArguments(partial, snapshot), childEnvironment(connection));
    if (result.code !== 0) {
      await unlink(partial).catch(() => undefined);
      throw new PgToolError(`pg_dump failed (exit code ${result.code}); nothing was written.\n${result.stderr}`);
    }
    await client.query("COMMIT");
    await rename(partial, file);
    const size = (await stat(file)).size;
    const tableCount = tables.length;
    const rowTotal = [...counts.values()].reduce((a, b) => a + b, 0);
    ctx.out.write(
      [
        `Backup written: ${shown}`,
        `Size ${formatBytes(size)}, took ${formatDuration(Date.now() - started)}; ${connection.where}, PostgreSQL ${serverMajor}, pg_dump ${tool.version} (${tool.path}).`,
        `${tableCount} tables, ${rowTotal.toLocaleString("en-US")} rows, as of one consistent snapshot:`,
        ...formatCounts(counts),
        `Restore it into an empty database with: npm run crm -- restore ${shown} --into <database-url>`,
        "Keep it apart from DATA_ENCRYPTION_KEY: without the key the encrypted columns cannot be read, and a backup stored with its key is not protected by it.",
        "",
      ].join("\n"),
    );
    return 0;
  } catch (error) {
    await unlink(partial).catch(() => undefined);
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** `npm run crm -- backup [file]`. */
export const backupCommand: CliCommand = {
  name: "backup",
  usage: "[file]",
  summary: `a consistent pg_dump (custom format) of DATABASE_URL; default file ${DEFAULT_BACKUP_DIR}/crm-<database>-<time>.dump`,
  async run(ctx, args) {
    try {
      return await backup(ctx, args);
    } catch (error) {
      if (!(error instanceof PgToolError)) throw error;
      ctx.err.write(`Backup failed: ${error.message}\n`);
      return 1;
    }
  },
};
