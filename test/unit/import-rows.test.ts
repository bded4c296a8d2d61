import { describe, expect, it } from "vitest";
import { checkMapping, guessKind, suggestMapping } from "../../src/domain/transfer/import-mapping.js";
import { RowChecker, isFormulaText } from "../../src/domain/transfer/import-rows.js";
import { ratesToBase } from "../../src/domain/money.js";

/** The import's pure rules: header matching, the kind guessed, formulas, and rows read into records. */

const checker = new RowChecker({
  region: "CN", timeZone: "Asia/Shanghai", now: new Date("2026-11-20T04:00:00Z"), baseCurrency: "CNY",
  ratesToBase: new Map([...ratesToBase("CNY", {})].map(([k, v]) => [k, v.toString()])),
});

describe("headers", () => {
  it("match forgivingly in English and Chinese: case, spaces, punctuation and full-width forms ignored", () => {
    const mapping = suggestMapping("orders", ["ＣＵＳＴＯＭＥＲ", "order amount", "币种", "下单 日期", "Product_Name", "Remarks"]);
    expect(mapping.map((m) => m.field)).toEqual(["customer", "amount", "currency", "orderedAt", "product", null]);
    expect(checkMapping("orders", mapping)).toEqual([]);
  });

  it("says which required field has no column, and which field two columns fill", () => {
    expect(checkMapping("orders", suggestMapping("orders", ["客户", "产品"]))).toEqual([{ kind: "missing", fields: ["amount"] }, { kind: "missing", fields: ["orderedAt"] }]);
    expect(checkMapping("customers", [{ header: "A", field: "name" }, { header: "B", field: "name" }])).toEqual([{ kind: "twice", field: "name", headers: ["A", "B"] }]);
  });

  it.each([
    [["客户名称", "金额", "日期"], "orders"],
    [["Customer", "Channel", "Text", "Date"], "interactions"],
    [["客户名称", "阶段", "负责人"], "customers"],
    [["客户名称", "联系人", "电话", "邮箱"], "customers"],
    [["ID", "Customer ID", "Customer", "Contact", "Email"], "contacts"],
    [["Vendor", "Sector"], undefined],
  ])("%j is read as %s", (headers, kind) => {
    expect(guessKind(headers)).toBe(kind);
  });
});

describe("formulas", () => {
  it.each(["=HYPERLINK(\"http://evil\",\"x\")", "=1+1", "@SUM(A1)", "+cmd|' /C calc'!A0", "-2+3=x", "- called them"])("%s is a formula", (text) => {
    expect(isFormulaText(text)).toBe(true);
  });

  it.each(["+86 138 0013 8000", "+1 (415) 555-0100", "-5", "1,200.50", "Acme = best", "call: renewal"])("%s is not", (text) => {
    expect(isFormulaText(text)).toBe(false);
  });

  it("a formula cell is a problem of its column, and an escaped one is text", () => {
    const mapping = suggestMapping("customers", ["Customer", "About"]);
    const refused = checker.read("customers", mapping, ["Acme", "=HYPERLINK(\"http://evil\",\"x\")"]);
    expect(refused).toEqual({ ok: false, problems: [{ column: "About", key: "import.problem.formula", params: { value: "=HYPERLINK(\"http://evil\",\"x\")" } }] });
    const escaped = checker.read("customers", mapping, ["Acme", "'=not a formula"]);
    expect(escaped.ok && escaped.value.kind === "customers" && escaped.value.row.about).toBe("=not a formula");
    expect(checker.read("customers", mapping, ["Acme", { formula: "1+1" }])).toMatchObject({ ok: false, problems: [{ key: "import.problem.formula", params: { value: "=1+1" } }] });
  });
});

describe("rows", () => {
  const orders = suggestMapping("orders", ["客户", "金额", "币种", "日期"]);

  it("reads amounts, currencies and dates with the domain's rules", () => {
    const read = checker.read("orders", orders, ["阿里巴巴", "1.5万", "美元", "2026年3月5日"]);
    expect(read.ok).toBe(true);
    if (!read.ok || read.value.kind !== "orders") return;
    expect(read.value.row).toMatchObject({ amount: "15000", currency: "USD", baseAmount: "106500.00", orderedAt: new Date("2026-03-05T04:00:00Z") });
    expect(read.value.row.customer.keys?.normalizedName).toBe("阿里巴巴");
  });

  it.each([
    [["Acme", "abc", "", "2026-03-05"], "import.problem.amount"],
    [["Acme", "-5", "", "2026-03-05"], "import.problem.amountNotPositive"],
    [["Acme", "1.234", "CNY", "2026-03-05"], "import.problem.amountDigits"],
    [["Acme", "100", "XYZ", "2026-03-05"], "import.problem.noRate"],
    [["Acme", "100", "", "2026-02-30"], "import.problem.date"],
    [["Acme", "100", "", "2026-12-25"], "import.problem.future"],
    [["", "100", "", "2026-03-05"], "import.problem.noCustomer"],
  ])("%j: %s", (cells, key) => {
    const read = checker.read("orders", orders, cells);
    expect(read.ok).toBe(false);
    expect(!read.ok && read.problems.map((p) => p.key)).toContain(key);
  });

  it("an instant written with its zone is taken as it is, a wall-clock time in the rep's zone", () => {
    const interactions = suggestMapping("interactions", ["Customer", "Text", "Date"]);
    const zoned = checker.read("interactions", interactions, ["Acme", "call", "2026-03-05T10:20:00.000+01:00"]);
    const local = checker.read("interactions", interactions, ["Acme", "call", "2026/3/5 10:20"]);
    expect(zoned.ok && zoned.value.kind === "interactions" && zoned.value.row.occurredAt.toISOString()).toBe("2026-03-05T09:20:00.000Z");
    expect(local.ok && local.value.kind === "interactions" && local.value.row.occurredAt.toISOString()).toBe("2026-03-05T02:20:00.000Z");
  });

  it("a customers row carries its contact person, phone in E.164", () => {
    const mapping = suggestMapping("customers", ["客户名称", "阶段", "标签", "联系人", "手机", "邮箱"]);
    const read = checker.read("customers", mapping, ["华为技术有限公司", "活跃", "重点, VIP", "任正非", "139 0013 9000", "REN@Huawei.example"]);
    expect(read.ok && read.value.kind === "customers" && read.value.row).toMatchObject({
      name: "华为技术有限公司", stage: "ACTIVE", tags: ["重点", "vip"], contact: { name: "任正非", phone: "+8613900139000", email: "REN@huawei.example" },
    });
  });
});
