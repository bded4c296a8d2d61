import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nameKeys } from "../../src/domain/language/customer-name.js";
import { EMAIL_SHAPE, PHONE_MAX_DIGITS, PHONE_MIN_DIGITS, PHONE_SHAPE, isInvalidEmail, isInvalidPhone } from "../../src/domain/customers/data-quality.js";
import { phoneKey } from "../../src/domain/customers/duplicate-reasons.js";
import { AppError } from "../../src/domain/errors.js";
import { Decimal } from "../../src/domain/money.js";
import { createServices, type Rep, type Services } from "../../src/services/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { testServiceDeps } from "../support/core.js";
import { insertContact } from "../support/sealed.js";

let db: TestDatabase;
let services: Services;
let admin: Rep;
let ann: Rep;
let bob: Rep;
const NOW = new Date("2026-11-20T04:00:00Z");
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);

beforeAll(async () => {
  db = await createTestDatabase();
  services = createServices(testServiceDeps(db.store, { now: () => NOW }));
  // The first Slack user of an install is its admin.
  admin = await services.registerRep({ platform: "slack", externalId: "UMERGEADMIN", displayName: "Admin" });
  ann = await services.registerRep({ platform: "slack", externalId: "UMERGEANN", displayName: "Ann" });
  bob = await services.registerRep({ platform: "slack", externalId: "UMERGEBOB", displayName: "Bob" });
  expect([admin.role, ann.role, bob.role]).toEqual(["ADMIN", "REP", "REP"]);
});
afterAll(() => db.drop());

let seq = 0;

/** A customer with a chosen id (so a test decides which of two locks first), as the stores make one. */
async function customer(name: string, options: { id?: string; owner?: Rep | null; stage?: string; industry?: string | null; tags?: string[] } = {}): Promise<{ id: string; name: string }> {
  const id = options.id ?? randomUUID();
  const keys = nameKeys(name);
  await db.sql.query(
    `INSERT INTO customers (id, name, normalized_name, pinyin, pinyin_initials, stage, owner_id, industry, tags, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6::"Stage", $7, $8, $9, $10, now())`,
    [id, name, keys.normalizedName, keys.pinyin, keys.pinyinInitials, options.stage ?? "ACTIVE", options.owner === undefined ? admin.id : options.owner?.id ?? null, options.industry ?? null, options.tags ?? [], daysAgo(400)],
  );
  return { id, name };
}

async function order(customerId: string, amount: string, at: Date, options: { deleted?: boolean } = {}): Promise<string> {
  const { id } = await db.store.orders.record({ customerId, createdById: admin.id, amount, currency: "CNY", baseAmount: amount, rateToBase: "1", product: "licence", orderedAt: at });
  // A deleted order stays in the table (its stats are wrong until a recompute; a merge recomputes).
  if (options.deleted) await db.sql.query("UPDATE orders SET deleted_at = now(), deleted_by_id = $2 WHERE id = $1", [id, admin.id]);
  return id;
}

/** A customer with something of every kind that hangs off one. */
async function fullCustomer(name: string, options: Parameters<typeof customer>[1] = {}) {
  const c = await customer(name, options);
  const n = ++seq;
  const contactId = randomUUID();
  await insertContact(db.sql, { id: contactId, customerId: c.id, name: `Person ${n}`, email: `p${n}@example.com`, phone: `+86 138 0000 ${String(1000 + n)}`, wechatOpenId: `openid-${n}-${randomUUID().slice(0, 6)}` });
  await db.sql.query(`INSERT INTO contacts (id, customer_id, name, deleted_at, created_at, updated_at) VALUES ($1, $2, 'Removed person', now(), now(), now())`, [randomUUID(), c.id]);
  await order(c.id, "100.00", daysAgo(40));
  await order(c.id, "250.50", daysAgo(10));
  await order(c.id, "999.00", daysAgo(5), { deleted: true });
  await db.store.interactions.record({ customerId: c.id, contactId, authorId: admin.id, channel: "CALL", direction: "INTERNAL", body: `call ${n}`, occurredAt: daysAgo(3) });
  await db.store.interactions.record({ customerId: c.id, contactId, authorId: null, channel: "WECHAT", direction: "INBOUND", body: `hello ${n}`, occurredAt: daysAgo(2) });
  await db.sql.query(`INSERT INTO deals (id, customer_id, title, status, created_at, updated_at) VALUES ($1, $2, 'Renewal', 'OPEN', now(), now())`, [randomUUID(), c.id]);
  await db.sql.query(`INSERT INTO reminders (id, user_id, customer_id, text, due_at, status, created_at, updated_at) VALUES ($1, $2, $3, 'call back', $4, 'PENDING', now(), now())`, [randomUUID(), admin.id, c.id, new Date(NOW.getTime() + 86_400_000)]);
  await db.sql.query(`INSERT INTO surveys (id, customer_id, contact_id, kind, status, platform, locale, created_at) VALUES ($1, $2, $3, 'CSAT', 'ANSWERED', 'wechat', 'zh-CN', now())`, [randomUUID(), c.id, contactId]);
  await db.sql.query(`INSERT INTO inbox_threads (id, contact_id, channel, opened_at, last_message_at) VALUES ($1, $2, 'C0INBOX', now(), now())`, [randomUUID(), contactId]);
  await db.sql.query(`INSERT INTO customer_stage_changes (id, customer_id, from_stage, to_stage, reason, changed_at) VALUES ($1, $2, 'LEAD', 'ACTIVE', '{"rule":"purchase"}', $3)`, [randomUUID(), c.id, daysAgo(40)]);
  await db.store.customers.addAlias(c.id, `${name} Alias`, nameKeys(`${name} Alias`));
  return { ...c, contactId };
}

/** Rows per customer in every table that references one, as one comparable object. */
async function holdings(customerId: string) {
  const { rows } = await db.sql.query(
    `SELECT (SELECT count(*)::int FROM contacts WHERE customer_id = $1) AS contacts,
            (SELECT count(*)::int FROM orders WHERE customer_id = $1) AS orders,
            (SELECT count(*)::int FROM interactions WHERE customer_id = $1) AS interactions,
            (SELECT count(*)::int FROM deals WHERE customer_id = $1) AS deals,
            (SELECT count(*)::int FROM reminders WHERE customer_id = $1) AS reminders,
            (SELECT count(*)::int FROM surveys WHERE customer_id = $1) AS surveys,
            (SELECT count(*)::int FROM inbox_threads t JOIN contacts k ON k.id = t.contact_id WHERE k.customer_id = $1) AS threads,
            (SELECT count(*)::int FROM customer_stage_changes WHERE customer_id = $1) AS stage_changes,
            (SELECT array_agg(alias ORDER BY alias) FROM customer_aliases WHERE customer_id = $1) AS aliases`,
    [customerId],
  );
  return rows[0] as Record<string, unknown>;
}

/** customer_stats and customer_order_months next to a recomputation from the live orders and interactions. */
async function aggregatesAndTruth(customerId: string) {
  const { rows } = await db.sql.query(
    `SELECT
       (SELECT row(order_count, total_spent, first_order_at, last_order_at, interaction_count, last_interaction_at)::text FROM customer_stats WHERE customer_id = $1) AS stats,
       (SELECT row((SELECT count(*)::int FROM orders WHERE customer_id = $1 AND deleted_at IS NULL),
                   (SELECT coalesce(sum(base_amount), 0)::numeric(16,2) FROM orders WHERE customer_id = $1 AND deleted_at IS NULL),
                   (SELECT min(ordered_at) FROM orders WHERE customer_id = $1 AND deleted_at IS NULL),
                   (SELECT max(ordered_at) FROM orders WHERE customer_id = $1 AND deleted_at IS NULL),
                   (SELECT count(*)::int FROM interactions WHERE customer_id = $1 AND deleted_at IS NULL),
                   (SELECT max(occurred_at) FROM interactions WHERE customer_id = $1 AND deleted_at IS NULL))::text) AS truth,
       (SELECT orders[cardinality(orders)] FROM customer_order_months WHERE customer_id = $1) AS month_orders,
       (SELECT revenue[cardinality(revenue)]::text FROM customer_order_months WHERE customer_id = $1) AS month_revenue`,
    [customerId],
  );
  return rows[0] as { stats: string | null; truth: string; month_orders: number | null; month_revenue: string | null };
}

async function expectAggregatesTrue(customerId: string): Promise<void> {
  const a = await aggregatesAndTruth(customerId);
  expect(a.stats).toBe(a.truth);
  const { rows } = await db.sql.query("SELECT count(*)::int AS n, coalesce(sum(base_amount), 0)::text AS r FROM orders WHERE customer_id = $1 AND deleted_at IS NULL", [customerId]);
  const truth = rows[0] as { n: number; r: string };
  expect(a.month_orders ?? 0).toBe(truth.n);
  if (truth.n > 0) expect(Number(a.month_revenue)).toBe(Number(truth.r));
}

async function exists(id: string): Promise<boolean> {
  return (await db.sql.query("SELECT 1 FROM customers WHERE id = $1", [id])).rowCount === 1;
}

async function auditRows(action: string) {
  const { rows } = await db.sql.query("SELECT actor_id, entity_id, detail FROM audit_log WHERE action = $1 ORDER BY id", [action]);
  return rows as { actor_id: string; entity_id: string; detail: Record<string, unknown> }[];
}

/** Every row that references either customer, for "nothing changed". */
async function snapshotOf(ids: string[]) {
  const { rows } = await db.sql.query(
    `SELECT (SELECT json_agg(c ORDER BY id) FROM customers c WHERE id = ANY($1::uuid[])) AS customers,
            (SELECT json_agg(k ORDER BY id) FROM contacts k WHERE customer_id = ANY($1::uuid[])) AS contacts,
            (SELECT json_agg(o ORDER BY id) FROM orders o WHERE customer_id = ANY($1::uuid[])) AS orders,
            (SELECT json_agg(i ORDER BY id) FROM interactions i WHERE customer_id = ANY($1::uuid[])) AS interactions,
            (SELECT json_agg(a ORDER BY id) FROM customer_aliases a WHERE customer_id = ANY($1::uuid[])) AS aliases,
            (SELECT json_agg(s ORDER BY customer_id) FROM customer_stats s WHERE customer_id = ANY($1::uuid[])) AS stats,
            (SELECT json_agg(m ORDER BY customer_id) FROM customer_order_months m WHERE customer_id = ANY($1::uuid[])) AS months,
            (SELECT count(*)::int FROM audit_log) AS audit,
            (SELECT count(*)::int FROM customer_merges) AS merges`,
    [ids],
  );
  return rows[0] as Record<string, unknown>;
}

async function refusal(work: Promise<unknown>): Promise<AppError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("merging two customers", () => {
  it("moves everything to the kept customer in one audited step, keeps the merged name as an alias and the aggregates true", async () => {
    const from = await fullCustomer("Harbor Freight Intl", { industry: "Logistics", tags: ["vip", "north"], stage: "ACTIVE" });
    const into = await fullCustomer("Harbor Freight Ltd", { industry: null, tags: ["north", "key-account"], stage: "LEAD", owner: null });
    await db.sql.query("UPDATE customers SET owner_id = $2 WHERE id = $1", [from.id, ann.id]);
    const before = { from: await holdings(from.id), into: await holdings(into.id) };
    expect(before.from).toMatchObject({ contacts: 2, orders: 3, interactions: 2, deals: 1, reminders: 1, surveys: 1, threads: 1, stage_changes: 1 });

    const result = await services.mergeCustomers(admin, { fromId: from.id, intoId: into.id });

    expect(await exists(from.id)).toBe(false);
    const after = await holdings(into.id);
    for (const key of ["contacts", "orders", "interactions", "deals", "reminders", "surveys", "threads", "stage_changes"] as const) {
      expect(after[key], key).toBe((before.from[key] as number) + (before.into[key] as number));
    }
    expect(after.aliases).toEqual(["Harbor Freight Intl", "Harbor Freight Intl Alias", "Harbor Freight Ltd Alias"]);
    await expectAggregatesTrue(into.id);
    expect((await db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM customer_order_months WHERE customer_id = $1", [from.id])).rows[0]!.n).toBe(0);
    // The kept customer: its own fields first, the gaps from the other, tags of both, no longer a lead.
    const kept = (await db.sql.query<Record<string, unknown>>("SELECT stage, owner_id, industry, tags FROM customers WHERE id = $1", [into.id])).rows[0];
    expect(kept).toEqual({ stage: "ACTIVE", owner_id: ann.id, industry: "Logistics", tags: ["north", "key-account", "vip"] });
    // One audit row naming both by id (no names: they may be a person's), with what moved and the
    // kept customer's changed fields before and after.
    const audit = await auditRows("customer.merge");
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor_id: admin.id,
      entity_id: into.id,
      detail: {
        from: from.id,
        into: into.id,
        moved: { contacts: 2, orders: 3, interactions: 2, deals: 1, reminders: 1, surveys: 1, stageChanges: 1, aliases: 1 },
        before: { stage: "LEAD", owner_id: null, industry: null, tags: ["north", "key-account"] },
        after: { stage: "ACTIVE", owner_id: ann.id, industry: "Logistics", tags: ["north", "key-account", "vip"] },
      },
    });
    expect(result.moved.orders).toBe(3);
    // The old name finds the kept customer; the merged id says where it went.
    const found = await services.resolveCustomer("Harbor Freight Intl");
    expect(found.kind === "found" && found.customer.id).toBe(into.id);
    const gone = await services.whyCustomerGone(from.id);
    expect([gone.userKey, gone.params]).toEqual(["merge.mergedAway", { customer: "Harbor Freight Intl", into: "Harbor Freight Ltd" }]);
  });

  it("refuses a merge into itself, of a customer merged away, and into one merged away, changing nothing", async () => {
    const a = await customer("Self Merge Co");
    const b = await customer("Self Merge Partner");
    expect((await refusal(services.mergeCustomers(admin, { fromId: a.id, intoId: a.id }))).userKey).toBe("merge.self");
    await services.mergeCustomers(admin, { fromId: b.id, intoId: a.id });
    const auditBefore = (await auditRows("customer.merge")).length;
    const again = await refusal(services.mergeCustomers(admin, { fromId: b.id, intoId: a.id }));
    expect([again.code, again.userKey, again.params]).toEqual(["NOT_FOUND", "merge.mergedAway", { customer: "Self Merge Partner", into: "Self Merge Co" }]);
    const intoGone = await refusal(services.mergeCustomers(admin, { fromId: a.id, intoId: b.id }));
    expect(intoGone.userKey).toBe("merge.mergedAway");
    const nowhere = await refusal(services.mergeCustomers(admin, { fromId: a.id, intoId: randomUUID() }));
    expect(nowhere.userKey).toBe("customer.gone");
    expect(await auditRows("customer.merge")).toHaveLength(auditBefore);
    expect(await exists(a.id)).toBe(true);
  });

  it("lets a rep merge only customers they may change; their team's manager and admins merge any", async () => {
    const anns = await customer("Rights Ann Co", { owner: ann });
    const bobs = await customer("Rights Bob Co", { owner: bob });
    const nobodys = await customer("Rights Nobody Co", { owner: null });
    const before = await snapshotOf([anns.id, bobs.id, nobodys.id]);
    const refused = await refusal(services.mergeCustomers(ann, { fromId: anns.id, intoId: bobs.id }));
    expect([refused.code, refused.userKey, refused.params]).toEqual(["FORBIDDEN", "merge.forbidden", { customer: "Rights Bob Co", owner: "Bob" }]);
    expect((await refusal(services.mergeCustomers(bob, { fromId: anns.id, intoId: bobs.id }))).params).toEqual({ customer: "Rights Ann Co", owner: "Ann" });
    expect(await snapshotOf([anns.id, bobs.id, nobodys.id])).toEqual(before);
    // Her own and nobody's: allowed; the unowned one becomes hers with the merge.
    await services.mergeCustomers(ann, { fromId: nobodys.id, intoId: anns.id });
    await db.sql.query("UPDATE users SET role = 'MANAGER' WHERE id = $1", [bob.id]);
    // A manager changes what the members of their team own (Ann is in Bob's team here), not more.
    await expect(services.mergeCustomers({ ...bob, role: "MANAGER", teamRepIds: [] }, { fromId: anns.id, intoId: bobs.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await services.mergeCustomers({ ...bob, role: "MANAGER", teamRepIds: [ann.id] }, { fromId: anns.id, intoId: bobs.id });
    await db.sql.query("UPDATE users SET role = 'REP' WHERE id = $1", [bob.id]);
    expect([await exists(anns.id), await exists(nobodys.id), await exists(bobs.id)]).toEqual([false, false, true]);
  });

  it("changes nothing when a step fails half-way", async () => {
    const from = await fullCustomer("Half Merge Source");
    const into = await fullCustomer("Half Merge Target");
    const before = await snapshotOf([from.id, into.id]);
    // The last write of a merge fails: everything before it must be rolled back.
    await db.sql.query(`CREATE FUNCTION fail_merge() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`);
    await db.sql.query(`CREATE TRIGGER fail_merge BEFORE INSERT ON audit_log FOR EACH ROW WHEN (NEW.action = 'customer.merge') EXECUTE FUNCTION fail_merge()`);
    try {
      await expect(services.mergeCustomers(admin, { fromId: from.id, intoId: into.id })).rejects.toThrow(/injected failure/);
    } finally {
      await db.sql.query("DROP TRIGGER fail_merge ON audit_log; DROP FUNCTION fail_merge()");
    }
    expect(await snapshotOf([from.id, into.id])).toEqual(before);
    // And the same merge goes through once nothing fails.
    await services.mergeCustomers(admin, { fromId: from.id, intoId: into.id });
    expect(await exists(from.id)).toBe(false);
  });
});

describe("merges at the same time", () => {
  it("ends A into B and B into A, started together, in one merge and one clear refusal", async () => {
    for (let round = 0; round < 4; round++) {
      // Nobody's yet, so the rep may merge them too.
      const a = await fullCustomer(`Cross Merge A${round}`, { owner: null });
      const b = await fullCustomer(`Cross Merge B${round}`, { owner: null });
      const total = { a: await holdings(a.id), b: await holdings(b.id) };
      const auditBefore = (await auditRows("customer.merge")).length;
      const results = await Promise.allSettled([services.mergeCustomers(admin, { fromId: a.id, intoId: b.id }), services.mergeCustomers(ann, { fromId: b.id, intoId: a.id })]);
      const done = results.filter((r) => r.status === "fulfilled");
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(done).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect(refused[0]!.reason).toBeInstanceOf(AppError);
      expect((refused[0]!.reason as AppError).userKey).toBe("merge.mergedAway");
      const kept = (await exists(a.id)) ? a : b;
      expect(await exists(kept === a ? b.id : a.id)).toBe(false);
      const after = await holdings(kept.id);
      for (const key of ["contacts", "orders", "interactions", "deals", "reminders", "surveys", "threads", "stage_changes"] as const) {
        expect(after[key], key).toBe((total.a[key] as number) + (total.b[key] as number));
      }
      await expectAggregatesTrue(kept.id);
      expect(await auditRows("customer.merge")).toHaveLength(auditBefore + 1);
    }
  });

  it("ends two reps merging the same pair at once in one merge", async () => {
    const a = await fullCustomer("Twice Merge Source");
    const b = await fullCustomer("Twice Merge Target");
    const results = await Promise.allSettled([services.mergeCustomers(admin, { fromId: a.id, intoId: b.id }), services.mergeCustomers(admin, { fromId: a.id, intoId: b.id })]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect((await auditRows("customer.merge")).filter((r) => r.detail.from === a.id)).toHaveLength(1);
    await expectAggregatesTrue(b.id);
  });

  it("moves an order written while the merge waits, and refuses one that comes after it, losing neither silently", async () => {
    // Ids chosen so the merge locks the source first and then waits for the target.
    const source = await customer("Racing Source", { id: "00000000-0000-4000-8000-000000000001" });
    const target = await customer("Racing Target", { id: "00000000-0000-4000-8000-000000000002" });
    await order(source.id, "10.00", daysAgo(3));
    const editor = new pg.Client({ connectionString: db.url });
    await editor.connect();
    try {
      // A colleague's edit of the target holds its row.
      await editor.query("BEGIN");
      await editor.query("UPDATE customers SET industry = 'Robotics', updated_at = now() WHERE id = $1", [target.id]);
      const merging = services.mergeCustomers(admin, { fromId: source.id, intoId: target.id });
      // The merge holds the source now and waits for the target; an order for the source waits for the merge.
      await waitForLockWaits(2 - 1);
      const summary = (await services.getCustomer(source.id))!;
      const ordering = services.recordOrder(admin, { customer: summary, amount: new Decimal("77.00"), currency: "CNY", product: "late", orderedAt: daysAgo(1) });
      await waitForLockWaits(2);
      await editor.query("COMMIT");
      await merging;
      const late = await ordering.then(
        () => "recorded",
        () => "refused",
      );
      // The source is gone once the merge commits, so the waiting order cannot land on it.
      expect(late).toBe("refused");
      const { rows } = await db.sql.query("SELECT customer_id, product FROM orders WHERE customer_id IN ($1, $2) ORDER BY product", [source.id, target.id]);
      expect(rows).toEqual([{ customer_id: target.id, product: "licence" }]);
      // The colleague's edit was not lost under the merge.
      expect((await db.sql.query<{ industry: string | null }>("SELECT industry FROM customers WHERE id = $1", [target.id])).rows[0]!.industry).toBe("Robotics");
      await expectAggregatesTrue(target.id);
    } finally {
      await editor.end();
    }

    // The other way round: an order still being written when the merge starts is moved with the rest.
    const s2 = await customer("Racing Source Two");
    const t2 = await customer("Racing Target Two");
    const writer = new pg.Client({ connectionString: db.url });
    await writer.connect();
    try {
      await writer.query("BEGIN");
      await writer.query(
        `INSERT INTO orders (id, customer_id, created_by_id, amount, currency, base_amount, rate_to_base, product, ordered_at, created_at)
         VALUES ($1, $2, $3, 55, 'CNY', 55, 1, 'in flight', $4, now())`,
        [randomUUID(), s2.id, admin.id, daysAgo(1)],
      );
      const merging = services.mergeCustomers(admin, { fromId: s2.id, intoId: t2.id });
      await waitForLockWaits(1);
      await writer.query("COMMIT");
      await merging;
      const { rows } = await db.sql.query("SELECT customer_id FROM orders WHERE product = 'in flight'");
      expect(rows).toEqual([{ customer_id: t2.id }]);
      await expectAggregatesTrue(t2.id);
    } finally {
      await writer.end();
    }
  });
});

/** Waits until at least `n` sessions of this database wait for a lock. */
async function waitForLockWaits(n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await db.sql.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
    if ((rows[0] as { n: number }).n >= n) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`fewer than ${n} sessions waited for a lock`);
}

describe("the lead absorbed by /link", () => {
  it("goes through the same merge: its stage history moves and its id says where it went", async () => {
    const target = await customer("Link Target Co");
    const stored = await db.store.customerMessages.record({ platform: "wechat", senderId: `oLINK${randomUUID().slice(0, 8)}`, id: `m-${randomUUID()}`, at: daysAgo(1), kind: "text", body: "hello" });
    const contact = (await db.sql.query("SELECT id FROM contacts WHERE customer_id = $1", [stored.customerId])).rows[0] as { id: string };
    await db.sql.query(`INSERT INTO customer_stage_changes (id, customer_id, from_stage, to_stage, reason, changed_at) VALUES ($1, $2, 'LEAD', 'LEAD', '{"rule":"test"}', now())`, [randomUUID(), stored.customerId]);
    const linked = await services.linkContact(admin, { contactId: contact.id, customerId: target.id });
    expect(linked.merged).toBe(true);
    expect((await holdings(target.id)).stage_changes).toBe(1);
    // A WeChat lead's made-up name does not become an alias (erasure must still find it).
    expect((await holdings(target.id)).aliases).toBeNull();
    expect((await services.whyCustomerGone(stored.customerId)).userKey).toBe("merge.mergedAway");
  });
});

describe("the rules SQL and TypeScript share", () => {
  it("keys phone numbers alike in the migration's crm_phone_key and in phoneKey", async () => {
    const phones = ["+86 138 0013 8000", "13800138000", "138-0013-8000", "+8613800138000", "(415) 555-0100", "+1 415 555 0100", "12345", "123 4567", "", "tel: 010-8888 6666"];
    const { rows } = await db.sql.query("SELECT p, crm_phone_key(p) AS key FROM unnest($1::text[]) AS p", [phones]);
    expect(rows).toEqual(phones.map((p) => ({ p, key: phoneKey(p) })));
    expect(phoneKey("+86 138 0013 8000")).toBe(phoneKey("138-0013-8000"));
    expect(phoneKey("12345")).toBeNull();
  });

  it("finds the same phones and emails invalid in the quality report's SQL and in the domain's functions", async () => {
    const phones = ["+86 138 0013 8000", "12ab34", "123", "+1 (415) 555-0100", "++86 138", "1234567890123456", "138.0013.8000", "  "];
    const emails = ["a@b.example", "beta@nowhere", "not an email", "x@y.z", "two@@signs.com", "Hello@FoxPanda.example ", " "];
    const { rows } = await db.sql.query(
      `SELECT (SELECT array_agg(nullif(btrim(p), '') IS NOT NULL AND (btrim(p) !~ $3 OR length(regexp_replace(p, '[^0-9]', '', 'g')) NOT BETWEEN $4 AND $5) ORDER BY i)
               FROM unnest($1::text[]) WITH ORDINALITY AS t(p, i)) AS phones,
              (SELECT array_agg(nullif(btrim(e), '') IS NOT NULL AND btrim(e) !~ $6 ORDER BY i)
               FROM unnest($2::text[]) WITH ORDINALITY AS t(e, i)) AS emails`,
      [phones, emails, PHONE_SHAPE, PHONE_MIN_DIGITS, PHONE_MAX_DIGITS, EMAIL_SHAPE],
    );
    expect(rows[0]).toEqual({ phones: phones.map(isInvalidPhone), emails: emails.map(isInvalidEmail) });
    expect(phones.map(isInvalidPhone)).toEqual([false, true, true, false, true, true, false, false]);
    expect(emails.map(isInvalidEmail)).toEqual([false, true, true, false, true, false, false]);
  });
});
