import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nameKeys } from "../../src/domain/language/customer-name.js";
import { createServices, type Services } from "../../src/services/index.js";
import { createCustomerNameIndex } from "../../src/services/customers/customer-name-index.js";
import { findNamedCustomers } from "../../src/services/customers/find-named-customers.js";
import { testServiceDeps } from "../support/core.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

let db: TestDatabase;
let services: Services;

const add = async (name: string) => (await db.store.customers.create({ name, keys: nameKeys(name), ownerId: null })).customer;

/** Another process renaming a customer: the row changes under this one's dictionary. */
async function renameElsewhere(id: string, name: string): Promise<void> {
  const keys = nameKeys(name);
  await db.sql.query("UPDATE customers SET name = $2, normalized_name = $3, pinyin = $4, pinyin_initials = $5, updated_at = now() WHERE id = $1", [
    id, name, keys.normalizedName, keys.pinyin, keys.pinyinInitials,
  ]);
}

beforeAll(async () => {
  db = await createTestDatabase();
  services = createServices(testServiceDeps(db.store));
  for (const name of ["Acme Ltd", "华为技术有限公司", "阿里巴巴集团", "腾讯科技有限公司"]) await add(name);
});
afterAll(() => db.drop());

describe("customers named in a free text, from the database", () => {
  it("finds customers named anywhere in English and Chinese texts, with their summaries and places", async () => {
    const named = async (text: string) => (await services.customersNamedIn(text)).map((n) => [n.matched, n.customer.name]);
    expect(await named("call Acme tomorrow")).toEqual([["Acme", "Acme Ltd"]]);
    expect(await named("明天给华为打电话")).toEqual([["华为", "华为技术有限公司"]]);
    expect(await named("给华为打电话 明天")).toEqual([["华为", "华为技术有限公司"]]);
    expect(await named("给阿里巴巴打电话")).toEqual([["阿里巴巴", "阿里巴巴集团"]]);
    expect(await named("跟进腾讯合同")).toEqual([["腾讯", "腾讯科技有限公司"]]);
    const [hit] = await services.customersNamedIn("明天给华为打电话");
    expect(hit).toMatchObject({ start: 3, end: 5, via: "short", customer: { stage: "LEAD", ownerId: null } });
  });

  it("sees a customer this process just added at once", async () => {
    const rep = await services.registerRep({ platform: "slack", externalId: "UNAMES", displayName: "Names Rep" });
    expect(await services.customersNamedIn("ping Zephyr Dynamics")).toEqual([]); // the dictionary is loaded by now
    await services.addCustomer(rep, "Zephyr Dynamics GmbH");
    expect((await services.customersNamedIn("ping Zephyr Dynamics")).map((n) => n.customer.name)).toEqual(["Zephyr Dynamics GmbH"]);
  });

  it("reads the dictionary page by page, each customer with its own aliases", async () => {
    const tiny = await add("Tiny Pages Holdings");
    await db.store.customers.addAlias(tiny.id, "TPH Group", nameKeys("TPH Group"));
    const index = createCustomerNameIndex(db.store.customerNames, { pageSize: 2 });
    const found = await findNamedCustomers(testServiceDeps(db.store), "TPH, 阿里巴巴, Tiny Pages and Acme", index);
    expect(found.map((n) => [n.matched, n.customer.name])).toEqual([
      ["TPH", "Tiny Pages Holdings"], ["阿里巴巴", "阿里巴巴集团"], ["Tiny Pages", "Tiny Pages Holdings"], ["Acme", "Acme Ltd"],
    ]);
    const { rows } = await db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM customers");
    expect(index.stats().base!.customers).toBe(rows[0]!.n);
  });

  it("drops a customer deleted since the dictionary was loaded", async () => {
    const gone = await add("Vanishing Goods");
    const deps = testServiceDeps(db.store);
    const index = createCustomerNameIndex(db.store.customerNames);
    expect(await findNamedCustomers(deps, "Vanishing Goods called", index)).toHaveLength(1);
    await db.sql.query("DELETE FROM customers WHERE id = $1", [gone.id]);
    expect(await findNamedCustomers(deps, "Vanishing Goods called", index)).toEqual([]);
  });
});

describe("keeping the dictionary current with other processes' changes", () => {
  it("finds an added, a renamed and an aliased customer once the check interval has passed", async () => {
    let clock = 0;
    const index = createCustomerNameIndex(db.store.customerNames, { checkEveryMs: 5_000, clock: () => clock });
    const deps = testServiceDeps(db.store);
    const names = async (text: string) => (await findNamedCustomers(deps, text, index)).map((n) => n.customer.name);

    const umbrella = await add("Umbrella Trading");
    expect(await names("call Globex")).toEqual([]); // loads the dictionary, Umbrella in it
    const globex = await add("Globex Corporation");
    clock += 1_000;
    expect(await names("call Globex")).toEqual([]); // within the bound the dictionary may be stale
    clock += 5_000;
    expect(await names("call Globex")).toEqual(["Globex Corporation"]);

    await renameElsewhere(umbrella.id, "Initech Systems");
    await renameElsewhere(globex.id, "Globex Worldwide");
    clock += 5_000;
    expect(await names("call Initech Systems, not Umbrella Trading")).toEqual(["Initech Systems"]);
    expect(await names("Globex Worldwide, not Globex")).toEqual(["Globex Worldwide"]);

    const ali = (await services.customersNamedIn("阿里巴巴"))[0]!.customer;
    await db.store.customers.addAlias(ali.id, "Ali Cloud", nameKeys("Ali Cloud"));
    clock += 5_000;
    expect(await names("send Ali Cloud the quote")).toEqual(["阿里巴巴集团"]);
    // Umbrella, Globex and 阿里巴巴 (and whatever else changed within the overlap) are in the
    // overlay: the base was not rebuilt for them.
    expect(index.stats().overlay).toBeGreaterThanOrEqual(3);
  });

  it("finds what a transaction open while the dictionary loaded commits afterwards", async () => {
    const slow = await db.sql.connect();
    const keys = nameKeys("Slow Commit Trading");
    await slow.query("BEGIN");
    // Stamped with the transaction's start, before the dictionary is read, but visible only after.
    await slow.query("INSERT INTO customers (id, name, normalized_name, pinyin, pinyin_initials, updated_at) VALUES (gen_random_uuid(), $1, $2, $3, $4, now())", [
      "Slow Commit Trading", keys.normalizedName, keys.pinyin, keys.pinyinInitials,
    ]);
    await new Promise((r) => setTimeout(r, 300));
    let clock = 0;
    const index = createCustomerNameIndex(db.store.customerNames, { skewMs: 0, clock: () => clock });
    const named = async (text: string) => (await findNamedCustomers(testServiceDeps(db.store), text, index)).map((n) => n.customer.name);
    try {
      expect(await named("call Slow Commit Trading")).toEqual([]);
      await slow.query("COMMIT");
    } finally {
      slow.release();
    }
    clock += 5_000;
    expect(await named("call Slow Commit Trading")).toEqual(["Slow Commit Trading"]);
  });

  it("rebuilds the whole dictionary when more customers changed than the overlay holds, at most once a minute", async () => {
    let clock = 0;
    const index = createCustomerNameIndex(db.store.customerNames, { checkEveryMs: 1_000, overlayLimit: 2, minRebuildGapMs: 60_000, clock: () => clock });
    const deps = testServiceDeps(db.store);
    const named = async (text: string) => (await findNamedCustomers(deps, text, index)).map((n) => n.customer.name);
    await named("warm up");
    const before = index.stats().base!.customers;
    for (const name of ["Bulk One Trading", "Bulk Two Trading", "Bulk Three Trading"]) await add(name);

    // Too many for the overlay, and the base is not a minute old: no rebuild yet, stale answers.
    clock += 5_000;
    expect(await named("Bulk One Trading")).toEqual([]);
    await new Promise((r) => setTimeout(r, 200));
    expect(index.stats().base!.customers).toBe(before);

    // A minute on, the check starts a rebuild in the background; the old base answers meanwhile.
    clock += 60_000;
    await named("Bulk One Trading");
    await expect.poll(() => index.stats().base!.customers, { timeout: 10_000 }).toBe(before + 3);
    expect(await named("Bulk Three Trading and Bulk One Trading")).toEqual(["Bulk Three Trading", "Bulk One Trading"]);
  });
});
