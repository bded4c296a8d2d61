import { describe, expect, it } from "vitest";
import { parseDealAdd, parseStagesSpec, readCloseDate } from "../../src/commands/deal.js";
import { AppError } from "../../src/domain/errors.js";
import { orderIdOfDeal } from "../../src/services/deals/manage-deals.js";

/** Saturday 5 December 2026, 12:00 in Shanghai. */
const clock = { now: new Date("2026-12-05T04:00:00Z"), timeZone: "Asia/Shanghai" };

const keyOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error.userKey;
    throw error;
  }
  throw new Error("no error");
};

describe("/deal add's words", () => {
  it("reads customer, money as /order does, title and the close date after its marker", () => {
    const deal = parseDealAdd("Acme 12000 USD fleet renewal close 2026-12-20", "CNY", clock);
    expect({ ...deal, amount: deal.amount.toFixed() }).toEqual({ name: "Acme", amount: "12000", currency: "USD", title: "fleet renewal", close: "2026-12-20" });
    const zh = parseDealAdd("阿里巴巴 1.5万美元 年度服务 预计成交 12月20日", "CNY", clock);
    expect({ ...zh, amount: zh.amount.toFixed() }).toEqual({ name: "阿里巴巴", amount: "15000", currency: "USD", title: "年度服务", close: "2026-12-20" });
    expect(parseDealAdd('"3M China" 500 close-out project', "CNY", clock)).toMatchObject({ name: "3M China", title: "close-out project", close: null });
  });

  it("reads the close date forward: a weekday or month-day without a year is the next one", () => {
    expect(readCloseDate("Friday", clock)).toEqual({ kind: "date", date: "2026-12-11" });
    expect(readCloseDate("1月10日", clock)).toEqual({ kind: "date", date: "2027-01-10" });
    expect(readCloseDate("2026-02-30", clock)).toEqual({ kind: "bad" });
    expect(readCloseDate("the deal", clock)).toEqual({ kind: "none" });
  });

  it("names what is missing or wrong", () => {
    expect(keyOf(() => parseDealAdd("", "CNY", clock))).toBe("deal.missingAll");
    expect(keyOf(() => parseDealAdd("Acme 100", "CNY", clock))).toBe("deal.missingTitle");
    expect(keyOf(() => parseDealAdd("Acme", "CNY", clock))).toBe("deal.missingAmount");
    expect(keyOf(() => parseDealAdd("100 renewal", "CNY", clock))).toBe("deal.missingName");
    expect(keyOf(() => parseDealAdd("Acme 100 renewal close 2026-13-01", "CNY", clock))).toBe("deal.badClose");
    expect(keyOf(() => parseDealAdd("Acme 100 renewal close 2026-12-04", "CNY", clock))).toBe("deal.closePast");
    expect(keyOf(() => parseDealAdd("Acme 100 renewal on 2026-12-20", "CNY", clock))).toBe("deal.closeMarker");
    expect(keyOf(() => parseDealAdd(`Acme 100 ${"x".repeat(201)}`, "CNY", clock))).toBe("deal.titleTooLong");
  });
});

describe("a pipeline stages spec", () => {
  it("reads key:English:中文:probability stages, full-width separators and % too", () => {
    expect(parseStagesSpec("qualification:Qualification:资格确认:10; demo：Demo：产品演示：30%；proposal:Proposal:方案报价:60")).toEqual([
      { key: "qualification", names: { en: "Qualification", "zh-CN": "资格确认" }, probability: 10 },
      { key: "demo", names: { en: "Demo", "zh-CN": "产品演示" }, probability: 30 },
      { key: "proposal", names: { en: "Proposal", "zh-CN": "方案报价" }, probability: 60 },
    ]);
    expect(keyOf(() => parseStagesSpec(""))).toBe("deal.stages.usage");
    expect(keyOf(() => parseStagesSpec("demo:Demo:30"))).toBe("deal.stages.badPart");
  });
});

describe("the order of a won deal", () => {
  it("has one id per deal, a well-formed uuid, so a second press records nothing", () => {
    const id = orderIdOfDeal("0b6f7c1e-8a4d-4c61-9d1e-2f1a3b4c5d6e");
    expect(id).toBe(orderIdOfDeal("0b6f7c1e-8a4d-4c61-9d1e-2f1a3b4c5d6e"));
    expect(id).not.toBe(orderIdOfDeal("1b6f7c1e-8a4d-4c61-9d1e-2f1a3b4c5d6e"));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe("DEAL_STALE_DAYS", () => {
  const DATABASE_URL = "postgresql://crm@127.0.0.1:5432/crm";
  it("is 14 days unless set, a whole number of days, and a bad value names the variable", async () => {
    const { ConfigError, loadConfig } = await import("../../src/config.js");
    expect(loadConfig({ DATABASE_URL }).dealStaleDays).toBe(14);
    expect(loadConfig({ DATABASE_URL, DEAL_STALE_DAYS: "7" }).dealStaleDays).toBe(7);
    for (const bad of ["0", "1.5", "two weeks"]) {
      let problems: string[] = [];
      try {
        loadConfig({ DATABASE_URL, DEAL_STALE_DAYS: bad });
      } catch (error) {
        if (error instanceof ConfigError) problems = error.problems;
      }
      expect(problems.some((p) => p.includes("DEAL_STALE_DAYS")), bad).toBe(true);
    }
  });
});
