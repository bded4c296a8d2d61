import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { ADMIN_DATABASE_URL, TEMPLATE_DATABASE_PREFIX, TEST_DATABASE_PREFIX, databaseUrl } from "./env.js";

/** The template's name changes with the migrations, so a stale template is never reused. */
function templateName(): string {
  const dir = "prisma/migrations";
  const hash = createHash("sha256");
  for (const entry of readdirSync(dir).sort()) {
    if (entry.endsWith(".toml")) continue;
    hash.update(entry).update(readFileSync(join(dir, entry, "migration.sql")));
  }
  return TEMPLATE_DATABASE_PREFIX + hash.digest("hex").slice(0, 12);
}

/**
 * Builds one migrated template database with the real `prisma migrate deploy` (the same
 * command users run), then lets each test file clone it. Leftovers of earlier runs are dropped.
 */
export default async function setup(): Promise<void> {
  const name = templateName();
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    // Only what is clearly abandoned: another run going on at the same time keeps its databases.
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    const stale = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database
       WHERE (datname ~ ('^' || $1 || 'f_[0-9]+_') AND split_part(substr(datname, length($1) + 3), '_', 1)::bigint < $2)
          OR (datname LIKE $3 || '%' AND datname <> $4)`,
      [TEST_DATABASE_PREFIX, hourAgo, TEMPLATE_DATABASE_PREFIX, name],
    );
    for (const { datname } of stale.rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (exists.rowCount === 0) {
      await admin.query(`CREATE DATABASE "${name}"`);
      try {
        execFileSync("npx", ["prisma", "migrate", "deploy"], {
          env: { ...process.env, DATABASE_URL: databaseUrl(name) },
          stdio: ["ignore", "pipe", "pipe"],
        });
      } catch (error) {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        const e = error as { stderr?: Buffer; stdout?: Buffer };
        throw new Error(`prisma migrate deploy failed on the test template:\n${e.stdout?.toString() ?? ""}${e.stderr?.toString() ?? ""}`, { cause: error });
      }
    }
    process.env.TEST_TEMPLATE_DATABASE = name;
  } finally {
    await admin.end();
  }
}
