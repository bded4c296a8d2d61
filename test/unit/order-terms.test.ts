import { describe, expect, it } from "vitest";
import { parseOrderTerms, parseOrderText } from "../../src/commands/order.js";
import { ConfigError, loadConfig } from "../../src/config.js";
import { AppError } from "../../src/domain/errors.js";
import { Decimal } from "../../src/domain/money.js";
import { readOrderDate } from "../../src/domain/time/order-date.js";
import { MEDIAN_FACTOR, defaultConfirmAbove, orderConcern } from "../../src/domain/order-guard.js";
import { translator } from "../../src/i18n/index.js";

// Saturday 5 December 2026, 12:00 in Shanghai.
const clock = { now: new Date("2026-12-05T04:00:00Z"), timeZone: "Asia/Shanghai" };

function appError(f: () => unknown): AppError {
  try {
    f();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError, but nothing was thrown");
}

const order = (text: string, base = "CNY") => {
  const args = parseOrderText(text, base, clock);
  return { ...args, amount: args.amount.toString() };
};

describe("/order text: amount, currency, product and date as the rep meant them", () => {
  it.each([
    // English currency words and codes, attached and separate
    ["Acme 100 dollars", { name: "Acme", amount: "100", currency: "USD", product: null, date: null }],
    ["Acme 100 dollars, annual support", { name: "Acme", amount: "100", currency: "USD", product: "annual support", date: null }],
    ["Acme 100, widgets", { name: "Acme", amount: "100", currency: "CNY", product: "widgets", date: null }],
    ["Acme 100 usd widgets", { name: "Acme", amount: "100", currency: "USD", product: "widgets", date: null }],
    ["Acme US$100 support", { name: "Acme", amount: "100", currency: "USD", product: "support", date: null }],
    ["Acme $100 support", { name: "Acme", amount: "100", currency: "USD", product: "support", date: null }],
    ["Acme €100", { name: "Acme", amount: "100", currency: "EUR", product: null, date: null }],
    ["Acme 100€ spare parts", { name: "Acme", amount: "100", currency: "EUR", product: "spare parts", date: null }],
    ["Acme HK$800 rental", { name: "Acme", amount: "800", currency: "HKD", product: "rental", date: null }],
    ["Acme 100 rmb", { name: "Acme", amount: "100", currency: "CNY", product: null, date: null }],
    ["Acme 250 euros consulting", { name: "Acme", amount: "250", currency: "EUR", product: "consulting", date: null }],
    ["Acme 30 pounds tea", { name: "Acme", amount: "30", currency: "GBP", product: "tea", date: null }],
    ["Acme USD 1,200 licence", { name: "Acme", amount: "1200", currency: "USD", product: "licence", date: null }],
    ["Acme Ltd $ 99.90 support", { name: "Acme Ltd", amount: "99.9", currency: "USD", product: "support", date: null }],
    ["Acme 100 US dollars support", { name: "Acme", amount: "100", currency: "USD", product: "support", date: null }],
    ["Acme 2 thousand dollars", { name: "Acme", amount: "2000", currency: "USD", product: null, date: null }],
    // Chinese, attached and separate, with magnitudes
    ["阿里巴巴 100美元", { name: "阿里巴巴", amount: "100", currency: "USD", product: null, date: null }],
    ["阿里巴巴 100 美元 年度服务", { name: "阿里巴巴", amount: "100", currency: "USD", product: "年度服务", date: null }],
    ["阿里巴巴 人民币5000 咨询", { name: "阿里巴巴", amount: "5000", currency: "CNY", product: "咨询", date: null }],
    ["阿里巴巴 5000 人民币", { name: "阿里巴巴", amount: "5000", currency: "CNY", product: null, date: null }],
    ["阿里巴巴 800 港币", { name: "阿里巴巴", amount: "800", currency: "HKD", product: null, date: null }],
    ["阿里巴巴 800 欧元", { name: "阿里巴巴", amount: "800", currency: "EUR", product: null, date: null }],
    ["阿里巴巴 8000 日元", { name: "阿里巴巴", amount: "8000", currency: "JPY", product: null, date: null }],
    ["阿里巴巴 1.5万", { name: "阿里巴巴", amount: "15000", currency: "CNY", product: null, date: null }],
    ["阿里巴巴 3千 耗材", { name: "阿里巴巴", amount: "3000", currency: "CNY", product: "耗材", date: null }],
    ["阿里巴巴 2亿", { name: "阿里巴巴", amount: "200000000", currency: "CNY", product: null, date: null }],
    ["阿里巴巴 1.5万美元 年度服务", { name: "阿里巴巴", amount: "15000", currency: "USD", product: "年度服务", date: null }],
    ["阿里巴巴 3千元", { name: "阿里巴巴", amount: "3000", currency: "CNY", product: null, date: null }],
    ["阿里巴巴 1.5 万 美元", { name: "阿里巴巴", amount: "15000", currency: "USD", product: null, date: null }],
    // near misses: products that are not currencies
    ["Acme 100 pcs", { name: "Acme", amount: "100", currency: "CNY", product: "pcs", date: null }],
    ["Acme 5 licences", { name: "Acme", amount: "5", currency: "CNY", product: "licences", date: null }],
    ["Acme 100 erp licence", { name: "Acme", amount: "100", currency: "CNY", product: "erp licence", date: null }],
    ["Acme 100 try-out kits", { name: "Acme", amount: "100", currency: "CNY", product: "try-out kits", date: null }],
    ["Acme 100 纪念币", { name: "Acme", amount: "100", currency: "CNY", product: "纪念币", date: null }],
    ["Acme 100 CNY SSD", { name: "Acme", amount: "100", currency: "CNY", product: "SSD", date: null }],
    ["Acme 100 support on site", { name: "Acme", amount: "100", currency: "CNY", product: "support on site", date: null }],
    ["Acme 100 hands on training", { name: "Acme", amount: "100", currency: "CNY", product: "hands on training", date: null }],
    // a name that looks like an amount is still a name when an amount follows
    ["3M 100", { name: "3M", amount: "100", currency: "CNY", product: null, date: null }],
    // dates: ISO and the phrases /remind understands, in the rep's zone, always in the past
    ["Acme 100 on 2026-03-01", { name: "Acme", amount: "100", currency: "CNY", product: null, date: "2026-03-01" }],
    ["Acme 100 on 2026-3-1", { name: "Acme", amount: "100", currency: "CNY", product: null, date: "2026-03-01" }],
    ["Acme 100 widgets on yesterday", { name: "Acme", amount: "100", currency: "CNY", product: "widgets", date: "2026-12-04" }],
    ["Acme 100 on 2026/11/30", { name: "Acme", amount: "100", currency: "CNY", product: null, date: "2026-11-30" }],
    ["Acme 100 on friday", { name: "Acme", amount: "100", currency: "CNY", product: null, date: "2026-12-04" }],
    ["Acme 100 on Nov 30", { name: "Acme", amount: "100", currency: "CNY", product: null, date: "2026-11-30" }],
    ["Acme 100 on 3 days ago", { name: "Acme", amount: "100", currency: "CNY", product: null, date: "2026-12-02" }],
    ["Acme 100 support on site on 2026-11-30", { name: "Acme", amount: "100", currency: "CNY", product: "support on site", date: "2026-11-30" }],
    ["阿里巴巴 5万 年度服务 on 昨天", { name: "阿里巴巴", amount: "50000", currency: "CNY", product: "年度服务", date: "2026-12-04" }],
    ["阿里巴巴 5万 年度服务 于 昨天", { name: "阿里巴巴", amount: "50000", currency: "CNY", product: "年度服务", date: "2026-12-04" }],
    ["阿里巴巴 5万 于昨天", { name: "阿里巴巴", amount: "50000", currency: "CNY", product: null, date: "2026-12-04" }],
    ["阿里巴巴 5万 年度服务 on 11月30日", { name: "阿里巴巴", amount: "50000", currency: "CNY", product: "年度服务", date: "2026-11-30" }],
    ["阿里巴巴 5万 于 12月25日", { name: "阿里巴巴", amount: "50000", currency: "CNY", product: null, date: "2025-12-25" }],
    ["阿里巴巴 5万 于 上周五", { name: "阿里巴巴", amount: "50000", currency: "CNY", product: null, date: "2026-11-27" }],
    ["阿里巴巴 5万 于 前天", { name: "阿里巴巴", amount: "50000", currency: "CNY", product: null, date: "2026-12-03" }],
    ["阿里巴巴 5万 日期：2026年11月30日", { name: "阿里巴巴", amount: "50000", currency: "CNY", product: null, date: "2026-11-30" }],
    ["阿里巴巴 5万 年度服务 昨天", { name: "阿里巴巴", amount: "50000", currency: "CNY", product: "年度服务", date: "2026-12-04" }],
    ["Acme 100 yesterday", { name: "Acme", amount: "100", currency: "CNY", product: null, date: "2026-12-04" }],
  ])("%j", (text, expected) => {
    expect(order(text)).toEqual(expected);
  });

  it("reads a date in the rep's zone: just after midnight in Shanghai, yesterday is still the 4th", () => {
    const early = { now: new Date("2026-12-04T16:30:00Z"), timeZone: "Asia/Shanghai" };
    expect(parseOrderText("Acme 100 on yesterday", "CNY", early).date).toBe("2026-12-04");
    const london = { now: new Date("2026-12-04T16:30:00Z"), timeZone: "Europe/London" };
    expect(parseOrderText("Acme 100 on yesterday", "CNY", london).date).toBe("2026-12-03");
  });

  it("leaves a future phrase as written, for the recorder to refuse", () => {
    expect(order("Acme 100 on tomorrow").date).toBe("2026-12-06");
    expect(order("Acme 100 on 2027-01-05").date).toBe("2027-01-05");
  });

  it.each([
    ["Acme 100 XYZ", "order.unknownCurrency", { code: "XYZ" }],
    ["Acme 100XYZ", "order.unknownCurrency", { code: "XYZ" }],
    ["Acme 100 pesos", "order.unknownCurrency", { code: "pesos" }],
    ["Acme 100 Zimbabwe dollars", "order.unknownCurrency", { code: "Zimbabwe dollars" }],
    ["Acme ₪100", "order.unknownCurrency", { code: "₪" }],
    ["阿里巴巴 100 比特币", "order.unknownCurrency", { code: "比特币" }],
    ["阿里巴巴 1.5万比特币", "order.unknownCurrency", { code: "比特币" }],
    ["Acme €100 USD", "order.twoCurrencies", { first: "€", second: "USD" }],
    ["Acme 100 on 2026-02-30", "order.badDate", { date: "2026-02-30" }],
    ["Acme 100 on 2026-13-01", "order.badDate", { date: "2026-13-01" }],
    ["Acme 100 on 11月40日", "order.badDate", { date: "11月40日" }],
    ["Acme 100 training on monday mornings", "order.badDate", { date: "monday mornings" }],
    ["Acme 1.23456万 JPY", "order.tooManyDecimals", { currency: "JPY", digits: 0 }],
    ["Acme 2万亿", "order.tooLarge", { amount: "2万亿" }],
  ])("refuses %j with %s, recording nothing", (text, key, params) => {
    const error = appError(() => parseOrderText(text, "CNY", clock));
    expect(error.userKey).toBe(key);
    expect(error.params).toMatchObject(params);
    for (const locale of ["en", "zh-CN"] as const) expect(translator(locale)(error.userKey as "order.badAmount", error.params)).not.toMatch(/\{\w+\}/);
  });

  it("lists the known currencies when it refuses one", () => {
    const error = appError(() => parseOrderText("Acme 100 XYZ", "CNY", clock));
    for (const code of ["CNY", "USD", "EUR", "JPY", "HKD", "GBP"]) expect(String(error.params.known)).toContain(code);
  });

  it("reads the terms after a picked customer the same way", () => {
    const terms = parseOrderTerms("1.5万美元 年度服务 on 昨天", "CNY", "阿里巴巴", clock);
    expect({ ...terms, amount: terms.amount.toString() }).toEqual({ amount: "15000", currency: "USD", product: "年度服务", date: "2026-12-04" });
  });
});

describe("readOrderDate", () => {
  it.each([
    ["yesterday", "2026-12-04"],
    ["昨天", "2026-12-04"],
    ["today", "2026-12-05"],
    ["今天", "2026-12-05"],
    ["2026/11/30", "2026-11-30"],
    ["2026.11.30", "2026-11-30"],
    ["11月30日", "2026-11-30"],
    ["11月30号", "2026-11-30"],
    ["1月5日", "2026-01-05"],
    ["2027年1月5日", "2027-01-05"],
    ["上周五", "2026-11-27"],
    ["周五", "2026-12-04"],
  ])("%j is %s", (phrase, date) => {
    expect(readOrderDate(phrase, clock)).toEqual({ kind: "date", date });
  });

  it("tells a mistyped date from words that are not a date", () => {
    expect(readOrderDate("2026-02-30", clock)).toEqual({ kind: "bad" });
    expect(readOrderDate("32/13", clock)).toEqual({ kind: "bad" });
    expect(readOrderDate("site", clock)).toEqual({ kind: "none" });
    expect(readOrderDate("3 sites", clock)).toEqual({ kind: "none" });
  });
});

describe("the outlier guard", () => {
  const d = (v: string | number) => new Decimal(v);
  const ceiling = d(1_000_000);

  it("asks when an order is more than 100 times the customer's median, once there are 3 orders", () => {
    expect(MEDIAN_FACTOR).toBe(100);
    expect(orderConcern(d("10000.01"), { orders: 3, median: d(100) }, ceiling)).toEqual({ kind: "median", median: d(100), factor: 100 });
    expect(orderConcern(d(10000), { orders: 3, median: d(100) }, ceiling)).toBeUndefined();
    expect(orderConcern(d(50000), { orders: 2, median: d(100) }, ceiling)).toBeUndefined();
    expect(orderConcern(d(50000), { orders: 0, median: null }, ceiling)).toBeUndefined();
  });

  it("asks above the ceiling whatever the history", () => {
    expect(orderConcern(d("1000000.01"), { orders: 0, median: null }, ceiling)).toEqual({ kind: "ceiling", ceiling });
    expect(orderConcern(d(1_000_000), { orders: 0, median: null }, ceiling)).toBeUndefined();
    expect(orderConcern(d(2_000_000), { orders: 10, median: d(1_000_000) }, ceiling)).toEqual({ kind: "ceiling", ceiling });
  });

  it("defaults the ceiling to 1,000,000 CNY's worth, as a round number in the base currency", () => {
    expect(defaultConfirmAbove("CNY").toString()).toBe("1000000");
    expect(defaultConfirmAbove("USD").toString()).toBe("140000");
    expect(defaultConfirmAbove("JPY").toString()).toBe("21000000");
  });

  it("reads ORDER_CONFIRM_ABOVE from the environment, refusing what is not an amount", () => {
    const DATABASE_URL = "postgresql://crm@127.0.0.1:5432/crm";
    expect(loadConfig({ DATABASE_URL }).orderConfirmAbove).toBe("1000000");
    expect(loadConfig({ DATABASE_URL, BASE_CURRENCY: "USD" }).orderConfirmAbove).toBe("140000");
    expect(loadConfig({ DATABASE_URL, ORDER_CONFIRM_ABOVE: "50000" }).orderConfirmAbove).toBe("50000");
    expect(loadConfig({ DATABASE_URL, ORDER_CONFIRM_ABOVE: "" }).orderConfirmAbove).toBe("1000000");
    for (const bad of ["0", "-5", "abc", "1e6", "1,000"]) {
      let error: unknown;
      try {
        loadConfig({ DATABASE_URL, ORDER_CONFIRM_ABOVE: bad });
      } catch (e) {
        error = e;
      }
      expect(error, bad).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems.join("\n")).toContain("ORDER_CONFIRM_ABOVE");
    }
  });
});
