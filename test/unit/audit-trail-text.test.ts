import { describe, expect, it } from "vitest";
import { AUDIT_ACTIONS, auditedChange } from "../../src/domain/access/audit-actions.js";
import { parseAuditText } from "../../src/commands/audit.js";
import { auditCsv } from "../../src/commands/views/audit.js";
import { createFormatter, en, isMessageKey, translator, zhCN } from "../../src/i18n/index.js";
import type { AuditRow } from "../../src/services/index.js";
import type { CommandContext } from "../../src/commands/types.js";

const NOW = new Date("2026-11-20T04:00:00Z");
const ZONE = "Asia/Shanghai";

describe("the action list", () => {
  it("names every action <entity>.<verb>, with the words for it in both languages", () => {
    for (const action of Object.keys(AUDIT_ACTIONS)) {
      expect(action).toMatch(/^[a-z]+(\.[a-z]+)+$/);
      expect(isMessageKey(`audit.action.${action}`), action).toBe(true);
      expect(Object.hasOwn(zhCN, `audit.action.${action}`), action).toBe(true);
    }
    expect(Object.keys(en).filter((k) => k.startsWith("audit.action.") && !Object.hasOwn(AUDIT_ACTIONS, k.slice("audit.action.".length)))).toEqual([]);
  });
});

describe("a change as the audit log keeps it", () => {
  it("names every changed field and shows only non-personal values, dates as ISO strings", () => {
    const change = auditedChange(
      { name: "Li Lei", email: "li@example.com", stage: "LEAD", tags: ["vip"], orderedAt: new Date("2026-11-01T00:00:00Z"), phone: null },
      { name: "Li Lei", email: "lei@example.com", stage: "ACTIVE", tags: ["vip", "key"], orderedAt: new Date("2026-11-02T00:00:00Z"), phone: undefined },
    );
    expect(change).toEqual({
      fields: ["email", "stage", "tags", "orderedAt"],
      before: { stage: "LEAD", tags: ["vip"], orderedAt: "2026-11-01T00:00:00.000Z" },
      after: { stage: "ACTIVE", tags: ["vip", "key"], orderedAt: "2026-11-02T00:00:00.000Z" },
    });
    expect(JSON.stringify(change)).not.toContain("example.com");
  });

  it("treats a creation as a change from nothing", () => {
    expect(auditedChange(null, { name: "Li Lei", title: null, amount: "12.00" })).toEqual({ fields: ["name", "amount"], before: {}, after: { amount: "12.00" } });
  });
});

describe("reading /crm audit", () => {
  const parse = (text: string) => parseAuditText(text, NOW, ZONE);

  it("takes a customer's name and the period after it, in either language", () => {
    expect(parse("Acme Ltd")).toEqual({ kind: "customer", name: "Acme Ltd", period: "" });
    expect(parse("Acme Ltd this month")).toEqual({ kind: "customer", name: "Acme Ltd", period: "this month" });
    expect(parse("Acme last 7 days")).toEqual({ kind: "customer", name: "Acme", period: "last 7 days" });
    expect(parse("阿里巴巴 本月")).toEqual({ kind: "customer", name: "阿里巴巴", period: "本月" });
    expect(parse("上个月 阿里巴巴")).toMatchObject({ kind: "customer", name: "阿里巴巴" });
  });

  it("takes a person by @handle or by a Slack mention", () => {
    expect(parse("@li.na last 7 days")).toEqual({ kind: "person", typed: "@li.na", period: "last 7 days" });
    expect(parse("<@U123ABC|li.na>")).toEqual({ kind: "person", typed: "<@U123ABC|li.na>", period: "" });
    expect(parse("＠李娜 本月")).toEqual({ kind: "person", typed: "＠李娜", period: "本月" });
  });

  it("takes a quoted name whole, so a name that reads like a period stays a name", () => {
    expect(parse("\"This Month Media\" last month")).toEqual({ kind: "customer", name: "This Month Media", period: "last month" });
  });

  it("refuses nothing named, with the usage", () => {
    expect(() => parse("")).toThrow(expect.objectContaining({ userKey: "audit.usage" }));
    expect(() => parse("this month")).toThrow(expect.objectContaining({ userKey: "audit.usage" }));
  });
});

describe("the CSV of a trail", () => {
  const ctx = (locale: "en" | "zh-CN") => ({ t: translator(locale), f: createFormatter(locale, ZONE), now: NOW }) as unknown as CommandContext;
  const row = (overrides: Partial<AuditRow>): AuditRow => ({
    id: "1", at: NOW, actorId: "u1", actorName: "Li Na", action: "customer.view", entity: "customer", entityId: "c1", customerIds: ["c1"], customerName: "Acme Ltd", subjectName: null, detail: { private: true }, ...overrides,
  });

  it("has a byte-order mark and the reader's language in the header, one line per entry", () => {
    const csv = new TextDecoder("utf-8", { ignoreBOM: true }).decode(auditCsv(ctx("zh-CN"), [row({}), row({ id: "2", action: "customer.stage", detail: { fields: ["stage"], before: { stage: "LEAD" }, after: { stage: "ACTIVE" } } })], "customer"));
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const lines = csv.slice(1).trim().split("\r\n");
    expect(lines[0]).toBe("时间,操作人,操作人 ID,操作,说明,对象,对象 ID,客户,客户 ID,详情");
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain("修改了阶段 · 修改了 stage · stage: LEAD → ACTIVE");
  });

  it("writes a cell a spreadsheet would run as a formula as text, and quotes what needs quoting", () => {
    const csv = new TextDecoder("utf-8", { ignoreBOM: true }).decode(auditCsv(ctx("en"), [row({ customerName: "=HYPERLINK(\"http://evil\",\"x\")", actorName: "+Plus", detail: { reason: "-1, @once" } })], "customer"));
    const [, line] = csv.slice(1).trim().split("\r\n");
    expect(line).toContain(",'+Plus,");
    expect(line).toContain(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(line).toContain("why: -1, @once");
    // A name is never cut at its commas: the columns line up.
    expect(line!.startsWith("2026-11-20T04:00:00.000Z,'+Plus,u1,customer.view,")).toBe(true);
  });
});
