import { describe, expect, it } from "vitest";
import { parseExportText, readExportPeriod } from "../../src/domain/transfer/export-request.js";
import { COLUMNS, DATA_KINDS, findColumn, headerKey, headersFor } from "../../src/domain/transfer/import-columns.js";
import { escapeFormula, unescapeFormula } from "../../src/domain/transfer/spreadsheet-cell.js";

const NOW = new Date("2026-11-20T04:00:00Z");
const ZONE = "Asia/Shanghai";

describe("spreadsheet formula escaping", () => {
  it("prefixes text a spreadsheet would run as a formula, and nothing else", () => {
    expect(escapeFormula('=HYPERLINK("http://evil","click")')).toBe(`'=HYPERLINK("http://evil","click")`);
    expect(escapeFormula("+86 138")).toBe("'+86 138");
    expect(escapeFormula("-5% off")).toBe("'-5% off");
    expect(escapeFormula("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(escapeFormula("\t=1")).toBe("'\t=1");
    expect(escapeFormula("\r=1")).toBe("'\r=1");
    for (const plain of ["Acme", "阿里巴巴", "", "a=b", "1+1", "'quoted", " =not first"]) expect(escapeFormula(plain)).toBe(plain);
  });

  it("round-trips exactly, apostrophes before a formula character included", () => {
    for (const text of ["=1+2", "'=1+2", "''@x", "'hello", "plain", "-", "@", "'", "", "+", "\tx"]) {
      expect(unescapeFormula(escapeFormula(text))).toBe(text);
    }
    expect(escapeFormula("'=x")).toBe("''=x");
    // A cell nobody escaped keeps its apostrophe when it is not before a formula character.
    expect(unescapeFormula("'hello")).toBe("'hello");
  });
});

describe("the shared column definitions", () => {
  it("gives every kind an id column and headers that are distinct within the kind in both languages", () => {
    for (const kind of DATA_KINDS) {
      expect(COLUMNS[kind][0]!.key).toBe("id");
      for (const locale of ["en", "zh-CN"] as const) {
        const keys = headersFor(kind, locale).map(headerKey);
        expect(new Set(keys).size).toBe(keys.length);
      }
    }
  });

  it("reads every written header and alias back as its own column", () => {
    for (const kind of DATA_KINDS) {
      for (const column of COLUMNS[kind]) {
        expect(findColumn(kind, column.header.en)?.key).toBe(column.key);
        expect(findColumn(kind, column.header["zh-CN"])?.key).toBe(column.key);
      }
    }
  });

  it("matches headers forgivingly: case, spacing, punctuation and full-width forms", () => {
    expect(findColumn("contacts", "customer_id")?.key).toBe("customerId");
    expect(findColumn("contacts", "  E-Mail ")?.key).toBe("email");
    expect(findColumn("contacts", "手机号")?.key).toBe("phone");
    expect(findColumn("orders", "ＩＤ")?.key).toBe("id");
    expect(findColumn("orders", "下单日期")?.key).toBe("orderedAt");
    expect(findColumn("customers", "客户名称")?.key).toBe("name");
    expect(findColumn("customers", "公司")?.key).toBe("name");
    expect(findColumn("orders", "colour")).toBeUndefined();
  });

  it("marks exactly the private details as personal", () => {
    const personal = DATA_KINDS.flatMap((kind) => COLUMNS[kind].filter((c) => c.personal).map((c) => `${kind}.${c.key}`));
    expect(personal.sort()).toEqual(["contacts.email", "contacts.phone", "contacts.wechatOpenId", "customers.address"]);
  });
});

describe("/crm export words", () => {
  const parse = (text: string) => parseExportText(text, NOW, ZONE);

  it("reads the kind, then a period and a format in either order", () => {
    expect(parse("orders")).toEqual({ request: { kind: "orders", format: "csv", period: null } });
    const xlsx = parse("orders this month xlsx");
    expect(xlsx).toMatchObject({ request: { kind: "orders", format: "xlsx", period: { label: { key: "thisMonth" } } } });
    if ("request" in xlsx) {
      expect(xlsx.request.period!.from.toISOString()).toBe("2026-10-31T16:00:00.000Z");
      expect(xlsx.request.period!.to.toISOString()).toBe("2026-11-30T16:00:00.000Z");
    }
    expect(parse("contacts csv last quarter")).toMatchObject({ request: { kind: "contacts", format: "csv", period: { label: { key: "lastQuarter" } } } });
    expect(parse("interactions last 30 days")).toMatchObject({ request: { kind: "interactions", period: { label: { key: "lastDays", days: 30 } } } });
    expect(parse("surveys all")).toEqual({ request: { kind: "surveys", format: "csv", period: null } });
  });

  it("reads Chinese words, glued or spaced", () => {
    expect(parse("订单 本月 excel")).toMatchObject({ request: { kind: "orders", format: "xlsx", period: { label: { key: "thisMonth" } } } });
    expect(parse("订单本月")).toMatchObject({ request: { kind: "orders", format: "csv", period: { label: { key: "thisMonth" } } } });
    expect(parse("沟通记录 全部")).toEqual({ request: { kind: "interactions", format: "csv", period: null } });
    expect(parse("联系人")).toMatchObject({ request: { kind: "contacts" } });
    expect(parse("调查 上季度 xlsx")).toMatchObject({ request: { kind: "surveys", format: "xlsx", period: { label: { key: "lastQuarter" } } } });
  });

  it("reads a year as that calendar year in the zone", () => {
    for (const text of ["customers 2026", "customers 2026年", "客户 2026年"]) {
      const parsed = parse(text);
      expect(parsed).toMatchObject({ request: { kind: "customers", period: { label: { key: "year", year: 2026 } } } });
      if ("request" in parsed) {
        expect(parsed.request.period!.from.toISOString()).toBe("2025-12-31T16:00:00.000Z");
        expect(parsed.request.period!.to.toISOString()).toBe("2026-12-31T16:00:00.000Z");
      }
    }
    expect(readExportPeriod("1850", NOW, ZONE)).toBeUndefined();
  });

  it("names what is wrong", () => {
    expect(parse("")).toEqual({ problem: { kind: "no-kind" } });
    expect(parse("invoices this month")).toEqual({ problem: { kind: "bad-kind", word: "invoices" } });
    expect(parse("orders csv xlsx")).toEqual({ problem: { kind: "two-formats", words: ["csv", "xlsx"] } });
    expect(parse("orders next century")).toEqual({ problem: { kind: "bad-period", text: "next century" } });
    expect(parse("orders pdf")).toEqual({ problem: { kind: "bad-period", text: "pdf" } });
  });
});
