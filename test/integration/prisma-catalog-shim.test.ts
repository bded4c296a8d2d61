import { execFileSync } from "node:child_process";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalogTextPoolConfig, reportCatalogTypesAsText } from "../../prisma/catalog-text-pool.js";
import { ADMIN_DATABASE_URL, databaseUrl } from "../support/env.js";

// The schema engine introspects with queries like this one; `name` and "char" are the types
// prisma/orm#27403 is about.
const CATALOG_QUERY = {
  sql: `SELECT c.relname AS table_name, c.relkind AS kind, n.nspname AS schema_name
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relname = 'pg_class'`,
  args: [],
  argTypes: [],
};

describe("the catalog-type shim for the WebAssembly schema engine (prisma/orm#27403)", () => {
  const name = `crm_test_f_shim_${process.pid}`;
  const admin = new pg.Pool({ connectionString: ADMIN_DATABASE_URL, max: 1 });
  beforeAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  });
  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  });

  it("is still needed: the plain pg adapter refuses catalog columns", async () => {
    const adapter = await new PrismaPg({ connectionString: databaseUrl(name), max: 1 }).connect();
    try {
      await expect(adapter.queryRaw(CATALOG_QUERY)).rejects.toMatchObject({ cause: { kind: "UnsupportedNativeDataType" } });
    } finally {
      await adapter.dispose();
    }
  });

  it("reports name and \"char\" columns as text, values unchanged, in and out of transactions", async () => {
    const adapter = await new PrismaPg(catalogTextPoolConfig(databaseUrl(name))).connect();
    try {
      const result = await adapter.queryRaw(CATALOG_QUERY);
      expect(result.rows).toEqual([["pg_class", "r", "pg_catalog"]]);
      expect(new Set(result.columnTypes).size).toBe(1);
      const tx = await adapter.startTransaction();
      const inTx = await tx.queryRaw(CATALOG_QUERY);
      await tx.commit();
      expect(inTx.rows).toEqual(result.rows);
    } finally {
      await adapter.dispose();
    }
  });

  it("gives `migrate dev` a shadow database of its own, not the real one", async () => {
    const factory = new PrismaPg(catalogTextPoolConfig(databaseUrl(name)));
    const shadow = await factory.connectToShadowDb();
    const result = await shadow.queryRaw({ sql: "SELECT current_database() AS db", args: [], argTypes: [] });
    const shadowName = String(result.rows[0]![0]);
    expect(shadowName).toMatch(/^prisma_migrate_shadow_db_/);
    // Disposing drops it even though the adapter still holds a connection to it at that point.
    await shadow.dispose();
    const left = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [shadowName]);
    expect(left.rowCount).toBe(0);
  });

  it("leaves other column types alone", () => {
    const fields = [{ dataTypeID: 19 }, { dataTypeID: 18 }, { dataTypeID: 23 }, { dataTypeID: 1003 }];
    reportCatalogTypesAsText({ fields });
    expect(fields.map((f) => f.dataTypeID)).toEqual([25, 25, 23, 1009]);
  });

  it("lets `prisma migrate deploy` build the whole schema on an empty database", () => {
    execFileSync("npx", ["prisma", "migrate", "deploy"], { env: { ...process.env, DATABASE_URL: databaseUrl(name) }, stdio: "pipe" });
    const status = execFileSync("npx", ["prisma", "migrate", "status"], { env: { ...process.env, DATABASE_URL: databaseUrl(name) }, stdio: "pipe" }).toString();
    expect(status).toContain("Database schema is up to date");
  }, 120_000);
});
