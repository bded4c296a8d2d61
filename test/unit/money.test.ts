import { describe, expect, it } from "vitest";
import { CURRENCY_DIGITS, DEFAULT_RATES_TO_CNY, Decimal, SUPPORTED_CURRENCIES, isSupportedCurrency, parseAmountToken, ratesToBase, toBase } from "../../src/domain/money.js";

describe("parseAmountToken", () => {
  it.each([
    ["1200", "1200", undefined],
    ["1,200.50", "1200.5", undefined],
    ["12,345,678.9", "12345678.9", undefined],
    ["¥1200", "1200", "CNY"],
    ["￥1,200", "1200", "CNY"],
    ["$99.9", "99.9", "USD"],
    ["€5", "5", "EUR"],
    ["£5", "5", "GBP"],
    ["1200元", "1200", "CNY"],
    ["3.5k", "3500", undefined],
    ["3.5K", "3500", undefined],
    ["2万", "20000", undefined],
    ["2w", "20000", undefined],
    ["１２００", "1200", undefined],
    ["0", "0", undefined],
  ])("reads %j as %s %s", (token, amount, currency) => {
    const parsed = parseAmountToken(token);
    expect(parsed).toBeDefined();
    expect(parsed!.amount.toString()).toBe(amount);
    expect(parsed!.currency).toBe(currency);
  });

  it("returns a Decimal, without floating-point error", () => {
    const parsed = parseAmountToken("0.1")!;
    expect(parsed.amount).toBeInstanceOf(Decimal);
    expect(parsed.amount.plus("0.2").toString()).toBe("0.3");
  });

  it.each(["12x0", "1,20", "1,2345", "", " ", "abc", "-5", "+5", "1.", ".5", "1200.", "1e3", "k", "¥", "元", "12OO", "1 200"])("rejects %j", (token) => {
    expect(parseAmountToken(token)).toBeUndefined();
  });
});

describe("currencies", () => {
  it("knows minor units, case-insensitively", () => {
    expect(CURRENCY_DIGITS.CNY).toBe(2);
    expect(CURRENCY_DIGITS.JPY).toBe(0);
    expect(isSupportedCurrency("usd")).toBe(true);
    expect(isSupportedCurrency("XYZ")).toBe(false);
    expect(isSupportedCurrency("toString")).toBe(false);
  });

  it("has a default rate to CNY for every supported currency", () => {
    for (const code of SUPPORTED_CURRENCIES) expect(DEFAULT_RATES_TO_CNY[code], code).toBeDefined();
  });
});

describe("ratesToBase", () => {
  it("gives the base currency a rate of exactly 1", () => {
    for (const base of ["CNY", "USD", "JPY"]) expect(ratesToBase(base, {}).get(base)!.toString()).toBe("1");
  });

  it("keeps the base at 1 even if an override names it", () => {
    expect(ratesToBase("CNY", { CNY: "2" }).get("CNY")!.toString()).toBe("1");
  });

  it("uses the CNY table directly when the base is CNY", () => {
    const rates = ratesToBase("CNY", {});
    expect(rates.get("USD")!.toString()).toBe("7.1");
    expect(rates.get("JPY")!.toString()).toBe("0.047");
    expect(rates.size).toBe(SUPPORTED_CURRENCIES.length);
  });

  it("derives cross rates from the CNY table for another base", () => {
    const rates = ratesToBase("USD", {});
    expect(rates.get("CNY")!.equals(new Decimal(1).div("7.1"))).toBe(true);
    expect(rates.get("EUR")!.equals(new Decimal("7.7").div("7.1"))).toBe(true);
    expect(rates.get("EUR")!.toDecimalPlaces(4).toString()).toBe("1.0845");
    expect(rates.get("CNY")!.toDecimalPlaces(4).toString()).toBe("0.1408");
  });

  it("lets an operator's override win over the derived rate", () => {
    const rates = ratesToBase("CNY", { USD: "7.25" });
    expect(rates.get("USD")!.toString()).toBe("7.25");
    expect(rates.get("EUR")!.toString()).toBe("7.7");
    expect(ratesToBase("USD", { EUR: "1.1" }).get("EUR")!.toString()).toBe("1.1");
  });
});

describe("toBase", () => {
  it("converts and rounds to 2 decimal places", () => {
    expect(toBase(new Decimal("99.99"), new Decimal("7.1")).toString()).toBe("709.93");
    expect(toBase(new Decimal("1"), new Decimal("0.047")).toString()).toBe("0.05");
    expect(toBase(new Decimal("1200"), new Decimal("1")).toString()).toBe("1200");
    expect(toBase(new Decimal("100"), new Decimal(1).div("7.1")).toString()).toBe("14.08");
  });

  it("rounds halves to even", () => {
    expect(toBase(new Decimal("0.125"), new Decimal(1)).toString()).toBe("0.12");
    expect(toBase(new Decimal("0.135"), new Decimal(1)).toString()).toBe("0.14");
  });

  it("never leaves more than 2 decimal places", () => {
    for (const [amount, rate] of [["3.33", "0.3333"], ["123456.789", "1.0845070422535211268"], ["0.01", "0.00028"]] as const) {
      expect(toBase(new Decimal(amount), new Decimal(rate)).decimalPlaces()).toBeLessThanOrEqual(2);
    }
  });
});
