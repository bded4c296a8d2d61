import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nameKeys } from "../../src/domain/language/customer-name.js";
import { createServices } from "../../src/services/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { testServiceDeps } from "../support/core.js";

let db: TestDatabase;
let services: ReturnType<typeof createServices>;

const NAMES = [
  "Acme Ltd", "Acme Robotics", "Globex Corporation", "Initech Inc", "Umbrella Co., Ltd.",
  "阿里巴巴集团", "腾讯科技有限公司", "北京字节跳动科技有限公司", "华为技术有限公司", "小米科技",
  "Lüdenscheid GmbH", "International Business Machines",
];

beforeAll(async () => {
  db = await createTestDatabase();
  services = createServices(testServiceDeps(db.store, { now: () => new Date("2026-11-20T00:00:00Z") }));
  for (const name of NAMES) await db.store.customers.create({ name, keys: nameKeys(name), ownerId: null });
  const ibm = await services.resolveCustomer("International Business Machines");
  if (ibm.kind !== "found") throw new Error("setup");
  await db.store.customers.addAlias(ibm.customer.id, "IBM", nameKeys("IBM"));
  const bytedance = await services.resolveCustomer("字节跳动");
  if (bytedance.kind !== "found") throw new Error("setup");
  await db.store.customers.addAlias(bytedance.customer.id, "ByteDance", nameKeys("ByteDance"));
});
afterAll(() => db.drop());

async function found(query: string): Promise<string> {
  const r = await services.resolveCustomer(query);
  if (r.kind !== "found") throw new Error(`${query}: ${r.kind} ${JSON.stringify(r.kind === "ambiguous" ? r.candidates.map((c) => c.name) : r.suggestions.map((c) => c.name))}`);
  return r.customer.name;
}

describe("forgiving name matching on Postgres with pg_trgm", () => {
  it.each([
    ["acme ltd", "Acme Ltd"],
    ["ACME", "Acme Ltd"],
    ["Acme Limited", "Acme Ltd"],
    ["  acme   ltd. ", "Acme Ltd"],
    ["a.c.m.e", "Acme Ltd"],
    ["globex", "Globex Corporation"],
    ["Initech", "Initech Inc"],
    ["umbrella", "Umbrella Co., Ltd."],
    ["阿里巴巴", "阿里巴巴集团"],
    ["alibaba", "阿里巴巴集团"],
    ["AliBaBa Group", "阿里巴巴集团"],
    ["腾讯", "腾讯科技有限公司"],
    ["tengxun", "腾讯科技有限公司"],
    ["字节跳动", "北京字节跳动科技有限公司"],
    ["bytedance", "北京字节跳动科技有限公司"],
    ["IBM", "International Business Machines"],
    ["ludenscheid", "Lüdenscheid GmbH"],
    ["小米", "小米科技"],
    ["华为", "华为技术有限公司"],
  ])("%s finds %s", async (query, expected) => {
    expect(await found(query)).toBe(expected);
  });

  it("offers every candidate when a partial name fits several", async () => {
    const r = await services.resolveCustomer("acm");
    expect(r.kind).toBe("ambiguous");
    if (r.kind === "ambiguous") expect(r.candidates.map((c) => c.name).sort()).toEqual(["Acme Ltd", "Acme Robotics"]);
  });

  it("never picks a look-alike for a typo, it suggests it", async () => {
    for (const [typo, meant] of [["Acmee", "Acme Ltd"], ["Globx", "Globex Corporation"], ["alibbaba", "阿里巴巴集团"]] as const) {
      const r = await services.resolveCustomer(typo);
      expect(r.kind, typo).toBe("none");
      if (r.kind === "none") expect(r.suggestions.map((c) => c.name), typo).toContain(meant);
    }
  });

  it("answers nothing at all for a name nobody resembles", async () => {
    const r = await services.resolveCustomer("Zzyzx Quartermaster");
    expect(r).toEqual({ kind: "none", suggestions: [] });
  });

  it("takes the longest run of words that names a customer when no separator is given", async () => {
    const r = await services.resolveLeadingCustomer(["Acme", "Robotics", "asked", "for", "a", "demo"]);
    expect(r.resolution.kind === "found" && r.resolution.customer.name).toBe("Acme Robotics");
    expect(r.rest).toBe("asked for a demo");
  });

  it("adds a customer once even when two reps add the same name at the same moment", async () => {
    const rep = await services.registerRep({ platform: "slack", externalId: "U1", displayName: "One" });
    const results = await Promise.all(["Zenith Labs", "ZENITH LABS Inc", "zenith-labs", "Zenith Labs Ltd."].map((n) => services.addCustomer(rep, n)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.customer.id)).size).toBe(1);
    const { rows } = await db.sql.query("SELECT count(*)::int AS n FROM customers WHERE normalized_name = 'zenithlabs'");
    expect(rows[0]).toEqual({ n: 1 });
  });
});
