import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { startEmbeddedDatabase } from "../../src/embedded-database.js";
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
  if (process.env.TEST_EMBEDDED_DATABASE === "1") {
    process.env.TEST_EMBEDDED_TEMPLATE_DIR = await buildEmbeddedTemplate(name);
    return;
  }
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    // Only what is clearly abandoned: another run going on at the same time (perhaps of another
    // checkout, with other migrations and so another template) keeps its databases. A template
    // says in its comment when a run last started on it; one unused for an hour is stale, and
    // one without that comment has an unknown age, so it stays.
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    const stale = await admin.query<{ datname: string }>(
      `SELECT d.datname FROM pg_database d
       WHERE (d.datname ~ ('^' || $1 || 'f_[0-9]+_') AND split_part(substr(d.datname, length($1) + 3), '_', 1)::bigint < $2)
          OR (d.datname LIKE $3 || '%' AND d.datname <> $4
              AND substring(shobj_description(d.oid, 'pg_database') FROM '^used ([0-9]+)$')::bigint < $2)`,
      [TEST_DATABASE_PREFIX, hourAgo, TEMPLATE_DATABASE_PREFIX, name],
    );
    for (const { datname } of stale.rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (exists.rowCount === 0) await buildTemplate(admin, name);
    await admin.query(`COMMENT ON DATABASE "${name}" IS 'used ${Math.floor(Date.now() / 1000)}'`);
    process.env.TEST_TEMPLATE_DATABASE = name;
  } finally {
    await admin.end();
  }
}

/**
 * Migrates the template under a name of this run's own and renames it when done, so a
 * template that exists is always a migrated one, even while another run starting at the same
 * moment builds the same template (the second rename fails, and that run uses the first).
 */
async function buildTemplate(admin: pg.Client, name: string): Promise<void> {
  const building = `${name}_b${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${building}"`);
  // Dated like a used template, so a run that dies here leaves nothing for more than an hour.
  await admin.query(`COMMENT ON DATABASE "${building}" IS 'used ${Math.floor(Date.now() / 1000)}'`);
  try {
    execFileSync("npx", ["prisma", "migrate", "deploy"], {
      env: { ...process.env, DATABASE_URL: databaseUrl(building) },
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
    const e = error as { stderr?: Buffer; stdout?: Buffer };
    throw new Error(`prisma migrate deploy failed on the test template:\n${e.stdout?.toString() ?? ""}${e.stderr?.toString() ?? ""}`, { cause: error });
  }
  try {
    await admin.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
  } catch (error) {
    await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
    if ((error as { code?: string }).code !== "42P04") throw error;
  }
}

/**
 * TEST_EMBEDDED_DATABASE=1 (the CI smoke set on PGlite): a migrated embedded data directory,
 * built once per set of migrations with the real `prisma migrate deploy`; each test file copies
 * it and serves its copy from its own process (test/support/database.ts).
 */
async function buildEmbeddedTemplate(name: string): Promise<string> {
  const dir = join(tmpdir(), `crm-pglite-${name}`);
  // Templates of other migrations, unused for an hour, go (another run may still use a newer one).
  for (const entry of readdirSync(tmpdir())) {
    const path = join(tmpdir(), entry);
    if (entry.startsWith(`crm-pglite-${TEMPLATE_DATABASE_PREFIX}`) && path !== dir && statSync(path).mtimeMs < Date.now() - 3_600_000) rmSync(path, { recursive: true, force: true });
  }
  if (existsSync(dir)) {
    // Dated by its last use, like the server's templates.
    utimesSync(dir, new Date(), new Date());
    return dir;
  }
  const building = `${dir}_b${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  const db = await startEmbeddedDatabase({ dataDir: building });
  try {
    // Asynchronous: the database answers from this very process.
    const child = spawn("npx", ["prisma", "migrate", "deploy"], { env: { ...process.env, DATABASE_URL: db.url }, stdio: ["ignore", "pipe", "pipe"] });
    let said = "";
    child.stdout.on("data", (c: Buffer) => (said += c.toString()));
    child.stderr.on("data", (c: Buffer) => (said += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    if (code !== 0) throw new Error(`prisma migrate deploy failed on the embedded test template:\n${said}`);
  } finally {
    await db.stop();
  }
  rmSync(`${building}.pid`, { force: true });
  if (existsSync(dir)) rmSync(building, { recursive: true, force: true });
  else renameSync(building, dir);
  return dir;
}
