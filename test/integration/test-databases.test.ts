import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import setup from "../support/global-setup.js";
import { ADMIN_DATABASE_URL, TEMPLATE_DATABASE_PREFIX } from "../support/env.js";

/**
 * Two suites may share one Postgres server (two checkouts, or CI beside a developer): the global
 * setup of one must never drop the template of the other, only its own or ones unused for an hour.
 */
const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
const tag = randomBytes(4).toString("hex");
const names = {
  otherRun: `${TEMPLATE_DATABASE_PREFIX}other_${tag}`,
  abandoned: `${TEMPLATE_DATABASE_PREFIX}old_${tag}`,
  undated: `${TEMPLATE_DATABASE_PREFIX}undated_${tag}`,
};
const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  await admin.connect();
});
afterAll(async () => {
  for (const name of Object.values(names)) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
});

async function exists(name: string): Promise<boolean> {
  return ((await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount ?? 0) > 0;
}

describe("the suite's global setup", () => {
  it("keeps another run's template and one of unknown age, drops one unused for over an hour, and keeps its own", async () => {
    await admin.query(`CREATE DATABASE "${names.otherRun}"`);
    await admin.query(`COMMENT ON DATABASE "${names.otherRun}" IS 'used ${now() - 60}'`);
    await admin.query(`CREATE DATABASE "${names.abandoned}"`);
    await admin.query(`COMMENT ON DATABASE "${names.abandoned}" IS 'used ${now() - 2 * 3600}'`);
    await admin.query(`CREATE DATABASE "${names.undated}"`);
    const own = process.env.TEST_TEMPLATE_DATABASE;
    expect(own).toBeTruthy();

    await setup();

    expect(await exists(names.otherRun)).toBe(true);
    expect(await exists(names.undated)).toBe(true);
    expect(await exists(names.abandoned)).toBe(false);
    expect(process.env.TEST_TEMPLATE_DATABASE).toBe(own);
    expect(await exists(own!)).toBe(true);
    const comment = await admin.query<{ c: string }>("SELECT shobj_description(oid, 'pg_database') AS c FROM pg_database WHERE datname = $1", [own]);
    expect(Number(/^used (\d+)$/.exec(comment.rows[0]!.c)?.[1])).toBeGreaterThan(now() - 120);
  });
});
