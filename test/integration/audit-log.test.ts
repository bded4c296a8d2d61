import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServices, maintainAuditLog } from "../../src/services/index.js";
import { createStore } from "../../src/store/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { testServiceDeps } from "../support/core.js";
import { ADMIN_DATABASE_URL, TEST_DATABASE_PREFIX, databaseUrl } from "../support/env.js";

/**
 * The audit log as the database keeps it (migration 20261207150000_audit_trail): append-only
 * for the application's own connection (UPDATE, DELETE and TRUNCATE refused on the table and
 * on every partition), with the one exception an erasure uses; one partition per month made
 * ahead, a default partition so no write fails, retention by dropping whole months; and the
 * migration keeping the rows that were there, scrubbed of personal values. Real Postgres,
 * clock frozen.
 */
const NOW = new Date("2026-11-20T04:00:00Z");
let db: TestDatabase;

const sql = async <T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> => (await db.sql.query(text, params)).rows as T[];
const partitions = async () =>
  (await sql<{ relname: string }>("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_log'::regclass ORDER BY 1")).map((r) => r.relname);
const count = async () => (await sql<{ n: number }>("SELECT count(*)::int AS n FROM audit_log"))[0]!.n;

/** The error a statement of the application's own connection (the Prisma pool) ends with. */
async function refusalOf(statement: string): Promise<string> {
  const error = await db.prisma.$executeRawUnsafe(statement).then(() => undefined, (e: unknown) => e);
  expect(error, statement).toBeInstanceOf(Error);
  return (error as Error).message;
}

beforeAll(async () => {
  db = await createTestDatabase();
  // As the bot does at start: the partitions of the (frozen) month and the next three.
  await maintainAuditLog(testServiceDeps(db.store, { now: () => NOW }));
});
afterAll(() => db.drop());

describe("writing", () => {
  it("writes one row with the clock of the application, the action's entity and every customer it is about", async () => {
    const store = createStore(db.prisma, { now: () => NOW });
    const actor = randomUUID();
    const [a, b] = [randomUUID(), randomUUID()];
    await store.audit.write({ actorId: actor, action: "customer.view", entityId: a, detail: { private: true } });
    await store.audit.write({ actorId: actor, action: "customer.list", entityId: null, customerIds: [a, b, "not-an-id"], detail: { list: "top", count: 2 } });
    await store.audit.write({ actorId: null, action: "order.create", entityId: "o1", customerIds: [b] });
    const rows = await sql("SELECT actor_id, action, entity, entity_id, customer_ids, detail, at FROM audit_log WHERE actor_id = $1 OR action = 'order.create' ORDER BY id", [actor]);
    expect(rows).toEqual([
      { actor_id: actor, action: "customer.view", entity: "customer", entity_id: a, customer_ids: [a], detail: { private: true }, at: NOW },
      { actor_id: actor, action: "customer.list", entity: "customer", entity_id: null, customer_ids: [a, b], detail: { list: "top", count: 2 }, at: NOW },
      { actor_id: null, action: "order.create", entity: "order", entity_id: "o1", customer_ids: [b], detail: null, at: NOW },
    ]);
    // In November 2026: the partition of that month, not the default one.
    expect(await sql("SELECT count(*)::int AS n FROM audit_log_default")).toEqual([{ n: 0 }]);
  });

  it("rolls back with the transaction it is written in", async () => {
    const store = createStore(db.prisma, { now: () => NOW });
    const before = await count();
    await expect(store.transaction(async (tx) => {
      await tx.audit.write({ actorId: null, action: "customer.create", entityId: randomUUID() });
      throw new Error("the change failed");
    })).rejects.toThrow("the change failed");
    expect(await count()).toBe(before);
  });
});

describe("append-only", () => {
  beforeAll(async () => {
    const store = createStore(db.prisma, { now: () => NOW });
    await store.audit.write({ actorId: null, action: "customer.view", entityId: randomUUID(), detail: { note: "kept" } });
  });

  it("refuses UPDATE, DELETE and TRUNCATE from the application's connection, on the table and on each partition", async () => {
    const before = await sql("SELECT * FROM audit_log ORDER BY id");
    for (const statement of [
      "UPDATE audit_log SET action = 'x'",
      "UPDATE audit_log SET detail = '{}'",
      "DELETE FROM audit_log",
      "DELETE FROM audit_log_p202611",
      "UPDATE audit_log_p202611 SET detail = NULL",
      "TRUNCATE audit_log",
      "TRUNCATE audit_log_p202611",
      "TRUNCATE audit_log_default",
    ]) {
      expect(await refusalOf(statement)).toMatch(/audit_log is append-only: (UPDATE|DELETE|TRUNCATE) refused/);
    }
    expect(await sql("SELECT * FROM audit_log ORDER BY id")).toEqual(before);
  });

  it("lets an erasure change a row's detail, and only its detail, after SET LOCAL crm.audit_redaction = 'on'", async () => {
    const [row] = await sql<{ id: string }>("SELECT id FROM audit_log WHERE detail->>'note' = 'kept'");
    await db.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe("SET LOCAL crm.audit_redaction = 'on'");
      await tx.$executeRaw`UPDATE audit_log SET detail = '{"note": "scrubbed"}' WHERE id = ${BigInt(row!.id)}`;
    });
    expect(await sql("SELECT detail FROM audit_log WHERE id = $1", [row!.id])).toEqual([{ detail: { note: "scrubbed" } }]);

    // Anything but the detail, and a delete, stay refused in such a transaction too.
    for (const statement of [`UPDATE audit_log SET action = 'customer.list' WHERE id = ${row!.id}`, `UPDATE audit_log SET at = at - interval '1 day' WHERE id = ${row!.id}`, `DELETE FROM audit_log WHERE id = ${row!.id}`]) {
      const error = await db.prisma.$transaction(async (tx) => {
        await tx.$executeRawUnsafe("SET LOCAL crm.audit_redaction = 'on'");
        await tx.$executeRawUnsafe(statement);
      }).then(() => undefined, (e: unknown) => e as Error);
      expect(error?.message, statement).toMatch(/append-only/);
    }
    // The setting is LOCAL: it ends with its transaction, and the next update is refused again.
    expect(await refusalOf(`UPDATE audit_log SET detail = '{}' WHERE id = ${row!.id}`)).toMatch(/append-only/);
    expect(await sql("SELECT detail, action FROM audit_log WHERE id = $1", [row!.id])).toEqual([{ detail: { note: "scrubbed" }, action: "customer.view" }]);
  });
});

describe("partitions and retention", () => {
  it("makes this month's partition and three ahead, moves rows that fell into the default one, and drops whole months past retention", async () => {
    expect(await partitions()).toEqual(expect.arrayContaining(["audit_log_default", "audit_log_p202611", "audit_log_p202612", "audit_log_p202701", "audit_log_p202702"]));

    // Rows of months without a partition: far in the future, and long ago (an import of old facts).
    await db.sql.query("INSERT INTO audit_log (action, entity, at) VALUES ('customer.view', 'customer', '2027-09-03T10:00:00Z'), ('customer.view', 'customer', '2023-05-05T10:00:00Z'), ('customer.view', 'customer', '2025-01-31T23:59:59Z')");
    expect(await sql("SELECT count(*)::int AS n FROM audit_log_default")).toEqual([{ n: 3 }]);
    const total = await count();

    // Months later: November 2027. Retention 24 months keeps what is newer than November 2025.
    const later = testServiceDeps(db.store, { now: () => new Date("2027-11-15T00:00:00Z"), settings: { auditRetentionMonths: 24 } });
    const done = await maintainAuditLog(later);
    expect(done.moved).toBe(3);
    expect(done.created).toEqual(expect.arrayContaining(["audit_log_p202709", "audit_log_p202305", "audit_log_p202501", "audit_log_p202711", "audit_log_p202802"]));
    expect(done.dropped.sort()).toEqual(["audit_log_p202305", "audit_log_p202501"]);
    expect(await sql("SELECT count(*)::int AS n FROM audit_log_default")).toEqual([{ n: 0 }]);
    expect(await count()).toBe(total - 2);
    expect(await sql("SELECT count(*)::int AS n FROM audit_log_p202709")).toEqual([{ n: 1 }]);
    // Everything of November 2026 is within 24 months of November 2027: kept.
    expect(await partitions()).toContain("audit_log_p202611");

    // Nothing left to do: a second run changes nothing.
    expect(await maintainAuditLog(later)).toEqual({ created: [], dropped: [], moved: 0 });
    // Retention 0 keeps everything; a short one drops every whole month before it.
    expect((await maintainAuditLog(testServiceDeps(db.store, { now: () => new Date("2029-01-10T00:00:00Z"), settings: { auditRetentionMonths: 0 } }))).dropped).toEqual([]);
    const short = await maintainAuditLog(testServiceDeps(db.store, { now: () => new Date("2029-01-10T00:00:00Z"), settings: { auditRetentionMonths: 1 } }));
    expect(short.dropped).toContain("audit_log_p202611");
    expect(short.dropped).not.toContain("audit_log_p202812");
    expect(await partitions()).toEqual(expect.arrayContaining(["audit_log_default", "audit_log_p202901", "audit_log_p202902", "audit_log_p202903", "audit_log_p202904"]));
    expect((await partitions()).filter((p) => p < "audit_log_p202812")).toEqual(["audit_log_default"]);
  });

  it("is one maintenance at a time: two at once end with the same partitions and no error", async () => {
    const deps = testServiceDeps(db.store, { now: () => new Date("2031-03-01T00:00:00Z"), settings: { auditRetentionMonths: 0 } });
    const [a, b] = await Promise.all([maintainAuditLog(deps), maintainAuditLog(deps)]);
    expect([...a.created, ...b.created].sort()).toEqual(["audit_log_p203103", "audit_log_p203104", "audit_log_p203105", "audit_log_p203106"]);
  });

  it("reads a trail across partitions, newest first, within the period asked", async () => {
    const store = createStore(db.prisma, { now: () => NOW });
    const customer = randomUUID();
    for (const at of ["2028-12-30T00:00:00Z", "2029-01-02T00:00:00Z", "2029-01-05T00:00:00Z"]) {
      await db.sql.query("INSERT INTO audit_log (action, entity, entity_id, customer_ids, at) VALUES ('customer.view', 'customer', $1, ARRAY[$2::uuid], $3)", [customer, customer, at]);
    }
    const filter = { subject: { customerId: customer }, from: new Date("2029-01-01T00:00:00Z"), to: new Date("2029-02-01T00:00:00Z") };
    expect((await store.audit.page(filter, 10, 0)).map((r) => r.at.toISOString())).toEqual(["2029-01-05T00:00:00.000Z", "2029-01-02T00:00:00.000Z"]);
    expect(await store.audit.count(filter)).toBe(2);
    expect(await store.audit.count({ ...filter, from: new Date("2028-01-01T00:00:00Z") })).toBe(3);
  });
});

describe("the migration", () => {
  const name = `${TEST_DATABASE_PREFIX}f_${Math.floor(Date.now() / 1000)}_auditmig${process.pid}`;
  const admin = new pg.Pool({ connectionString: ADMIN_DATABASE_URL, max: 1 });
  let client: pg.Client;
  afterAll(async () => {
    await client?.end();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  });

  it("keeps every row that was there, with its id, time and customer, and none of the personal values older code wrote", async () => {
    await admin.query(`CREATE DATABASE "${name}"`);
    client = new pg.Client({ connectionString: databaseUrl(name) });
    await client.connect();
    const migrations = readdirSync("prisma/migrations").filter((d) => !d.endsWith(".toml")).sort();
    const mine = migrations.findIndex((d) => d.endsWith("_audit_trail"));
    for (const dir of migrations.slice(0, mine)) await client.query(readFileSync(join("prisma/migrations", dir, "migration.sql"), "utf8"));
    const customer = randomUUID();
    const actor = randomUUID();
    await client.query(
      `INSERT INTO audit_log (actor_id, action, entity, entity_id, detail, at) VALUES
        ($1, 'contact.add', 'contact', 'c1', $3, '2025-03-04T05:00:00Z'),
        ($1, 'customer.view', 'customer', $2, '{"private": true}', '2026-11-04T05:00:00Z'),
        ($1, 'customer.rename', 'customer', $2, '{"before": {"name": "Li Lei Trading"}, "after": {"name": "Lei Co"}}', '2026-10-04T05:00:00Z'),
        ($1, 'customer.stage', 'customer', $2, '{"before": {"stage": "LEAD"}, "after": {"stage": "ACTIVE"}}', '2026-10-04T06:00:00Z'),
        (NULL, 'wechat.reply', 'customer', $2, '{"interactionId": "i1", "contactId": "c1"}', '2026-11-05T00:00:00Z')`,
      [actor, customer, JSON.stringify({ customerId: customer, before: null, after: { name: "Li Lei", email: "lilei@example.com", phone: "+8613800138000", title: null } })],
    );
    const before = (await client.query<{ id: string; at: Date }>("SELECT id, at FROM audit_log ORDER BY id")).rows;
    await client.query(readFileSync(join("prisma/migrations", migrations[mine]!, "migration.sql"), "utf8"));

    const after = (await client.query<{ id: string; action: string; customer_ids: string[]; detail: unknown; at: Date }>("SELECT id, action, customer_ids, detail, at FROM audit_log ORDER BY id")).rows;
    expect(after.map((r) => [r.id, r.at])).toEqual(before.map((r) => [r.id, r.at]));
    expect(after.map((r) => r.action)).toEqual(["contact.add", "customer.view", "customer.rename", "customer.stage", "inbox.reply"]);
    expect(after.map((r) => r.customer_ids)).toEqual(Array(5).fill([customer]));
    expect(after[0]!.detail).toEqual({ customerId: customer, before: null, after: {}, fields: ["email", "name", "phone"] });
    expect(after[2]!.detail).toEqual({ before: {}, after: {}, fields: ["name"] });
    expect(after[3]!.detail).toEqual({ before: { stage: "LEAD" }, after: { stage: "ACTIVE" }, fields: ["stage"] });
    expect(JSON.stringify(after)).not.toMatch(/Li Lei|lilei@|13800138000/);
    // Partitioned: the months of the old rows exist, so nothing is in the default partition.
    const parts = (await client.query<{ relname: string }>("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_log'::regclass")).rows.map((r) => r.relname);
    expect(parts).toEqual(expect.arrayContaining(["audit_log_default", "audit_log_p202503", "audit_log_p202610", "audit_log_p202611"]));
    expect((await client.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log_default")).rows[0]!.n).toBe(0);
    // New rows continue the same id sequence.
    const next = (await client.query<{ id: string }>("INSERT INTO audit_log (action, entity) VALUES ('customer.view', 'customer') RETURNING id")).rows[0]!.id;
    expect(BigInt(next)).toBeGreaterThan(BigInt(before.at(-1)!.id));
  });
});

describe("services reading customer data write one row per answer", () => {
  it("lists, pages and exports nothing for a rep: the trail is for admins and managers", async () => {
    // The store on the services' clock, as main.ts makes it: the trail's rows are in the period asked.
    const services = createServices(testServiceDeps(createStore(db.prisma, { now: () => NOW }), { now: () => NOW }));
    const admin = await services.registerRep({ platform: "slack", externalId: "UAUDITADMIN", displayName: "Audit Admin" });
    const rep = await services.registerRep({ platform: "slack", externalId: "UAUDITREP", displayName: "Audit Rep" });
    const { customer } = await services.addCustomer(rep, "Trail Co");
    const query = { target: { kind: "customer" as const, id: customer.id }, from: new Date(NOW.getTime() - 86_400_000), to: NOW };
    await expect(services.listAuditTrail(rep, query)).rejects.toMatchObject({ code: "FORBIDDEN", userKey: "audit.forbidden" });
    await expect(services.exportAuditTrail(rep, query)).rejects.toMatchObject({ code: "FORBIDDEN" });
    const page = await services.listAuditTrail(admin, { ...query, to: new Date(NOW.getTime() + 1) });
    expect(page.rows.map((r) => [r.action, r.actorName, r.customerName])).toEqual([["customer.create", "Audit Rep", "Trail Co"]]);
    // Reading the trail is on the trail.
    const again = await services.listAuditTrail(admin, { ...query, to: new Date(NOW.getTime() + 1) });
    expect(again.rows.map((r) => r.action)).toEqual(["audit.view", "customer.create"]);
  });
});
