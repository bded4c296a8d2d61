import { describe, expect, it } from "vitest";
import { CURRENCY_NAMES, currencyNamed, looksLikeCurrency } from "../../src/domain/language/currency-words.js";
import { CURRENCY_DIGITS, DEFAULT_RATES_TO_CNY, Decimal, SUPPORTED_CURRENCIES, isSupportedCurrency, parseAmountToken, ratesToBase, readAmountToken, readMoney, toBase } from "../../src/domain/money.js";

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

describe("amounts with currencies and magnitudes, as reps write them", () => {
  // [what the rep typed, amount, currency or undefined]; one word each.
  it.each([
    // symbols before and after
    ["$100", "100", "USD"],
    ["US$100", "100", "USD"],
    ["us$100", "100", "USD"],
    ["HK$100", "100", "HKD"],
    ["NT$300", "300", "TWD"],
    ["S$50", "50", "SGD"],
    ["A$50", "50", "AUD"],
    ["C$50", "50", "CAD"],
    ["R$50", "50", "BRL"],
    ["JP¥500", "500", "JPY"],
    ["€100", "100", "EUR"],
    ["100€", "100", "EUR"],
    ["£100", "100", "GBP"],
    ["₩5000", "5000", "KRW"],
    ["₹99", "99", "INR"],
    ["100zł", "100", "PLN"],
    ["100円", "100", "JPY"],
    ["＄100", "100", "USD"],
    // codes and words attached, any case
    ["100usd", "100", "USD"],
    ["100USD", "100", "USD"],
    ["USD100", "100", "USD"],
    ["RMB5000", "5000", "CNY"],
    ["rmb5000", "5000", "CNY"],
    ["100rmb", "100", "CNY"],
    ["100dollars", "100", "USD"],
    ["100MXN", "100", "MXN"],
    // Chinese
    ["100美元", "100", "USD"],
    ["100美金", "100", "USD"],
    ["人民币5000", "5000", "CNY"],
    ["5000人民币", "5000", "CNY"],
    ["100元", "100", "CNY"],
    ["100块", "100", "CNY"],
    ["100块钱", "100", "CNY"],
    ["100港币", "100", "HKD"],
    ["100港元", "100", "HKD"],
    ["100欧元", "100", "EUR"],
    ["100日元", "100", "JPY"],
    ["100英镑", "100", "GBP"],
    ["100新台币", "100", "TWD"],
    // magnitudes, alone and with a currency
    ["1.5万", "15000", undefined],
    ["3千", "3000", undefined],
    ["2亿", "200000000", undefined],
    ["5百", "500", undefined],
    ["1千万", "10000000", undefined],
    ["3百万", "3000000", undefined],
    ["2萬", "20000", undefined],
    ["1.5万美元", "15000", "USD"],
    ["3千元", "3000", "CNY"],
    ["2万块", "20000", "CNY"],
    ["1.2亿日元", "120000000", "JPY"],
    ["¥1.5万", "15000", "CNY"],
    ["$3k", "3000", "USD"],
    ["2.5m", "2500000", undefined],
    ["2.5mn", "2500000", undefined],
    ["1bn", "1000000000", undefined],
    // "$" and "¥" name a family: a code after them says which one
    ["$100CAD", "100", "CAD"],
    ["¥500JPY", "500", "JPY"],
  ])("reads %j as %s %s", (token, amount, currency) => {
    const read = readAmountToken(token);
    expect(read?.kind, token).toBe("amount");
    if (read?.kind !== "amount") return;
    expect(read.amount.toString()).toBe(amount);
    expect(read.currency).toBe(currency);
  });

  it.each([
    ["100XYZ", "XYZ"],
    ["XYZ100", "XYZ"],
    ["₪100", "₪"],
    ["100₿", "₿"],
    ["100比特币", "比特币"],
    ["100kr", "kr"],
    ["100pesos", "pesos"],
  ])("refuses %j: %j looks like a currency but is not one it knows", (token, written) => {
    expect(readAmountToken(token)).toEqual({ kind: "unknownCurrency", written });
  });

  it.each(["100pcs", "100km", "1200abc", "12OO", "1e3", "-5", ".5", "1.", "万", "美元", "$", "100万千"])("%j is not an amount (and no currency)", (token) => {
    expect(readAmountToken(token)).toBeUndefined();
  });

  it("refuses two different currencies on one amount, but lets a code narrow $ or ¥", () => {
    expect(readAmountToken("€100USD")).toEqual({ kind: "twoCurrencies", first: "€", second: "USD" });
    expect(readAmountToken("¥100USD")).toEqual({ kind: "twoCurrencies", first: "¥", second: "USD" });
    expect(readAmountToken("US$100USD")).toMatchObject({ kind: "amount", currency: "USD" });
  });
});

describe("readMoney: the words at the start of an order's terms", () => {
  const read = (text: string) => {
    const r = readMoney(text.split(" "));
    return r.kind === "amount" ? { amount: r.amount.toString(), currency: r.currency, used: r.used } : r;
  };

  it.each([
    // currency as a separate word after the amount, any case, English and Chinese
    ["100 dollars", "100", "USD", 2],
    ["100 DOLLARS", "100", "USD", 2],
    ["1 dollar", "1", "USD", 2],
    ["100 usd", "100", "USD", 2],
    ["100 Usd", "100", "USD", 2],
    ["100 bucks", "100", "USD", 2],
    ["100 US dollars support", "100", "USD", 3],
    ["100 euros", "100", "EUR", 2],
    ["100 euro", "100", "EUR", 2],
    ["100 pounds", "100", "GBP", 2],
    ["100 yen", "100", "JPY", 2],
    ["100 yuan", "100", "CNY", 2],
    ["100 rmb", "100", "CNY", 2],
    ["100 RMB", "100", "CNY", 2],
    ["100 renminbi", "100", "CNY", 2],
    ["100 hong kong dollars", "100", "HKD", 4],
    ["100 Singapore dollars", "100", "SGD", 3],
    ["100 美元", "100", "USD", 2],
    ["100 美金", "100", "USD", 2],
    ["100 元", "100", "CNY", 2],
    ["100 块", "100", "CNY", 2],
    ["100 人民币", "100", "CNY", 2],
    ["100 港币", "100", "HKD", 2],
    ["100 欧元", "100", "EUR", 2],
    ["100 日元", "100", "JPY", 2],
    ["100 英镑", "100", "GBP", 2],
    // currency before the amount as a word of its own
    ["USD 100", "100", "USD", 2],
    ["$ 100", "100", "USD", 2],
    ["¥ 100", "100", "CNY", 2],
    ["RMB 5000", "5000", "CNY", 2],
    ["人民币 5000", "5000", "CNY", 2],
    ["US$ 1.5k", "1500", "USD", 2],
    // magnitudes as words of their own
    ["1.5 万", "15000", undefined, 2],
    ["1.5 万 美元", "15000", "USD", 3],
    ["1.5 万美元", "15000", "USD", 2],
    ["3 千元", "3000", "CNY", 2],
    ["2 亿", "200000000", undefined, 2],
    ["1.5 million USD", "1500000", "USD", 3],
    ["2 thousand dollars", "2000", "USD", 3],
    // a code that narrows $ or ¥
    ["$100 CAD", "100", "CAD", 2],
    ["¥500 JPY", "500", "JPY", 2],
    ["$100 USD", "100", "USD", 2],
    ["¥100 元", "100", "CNY", 2],
    // codes that are words count only in capitals
    ["100 TRY", "100", "TRY", 2],
    ["100 PHP", "100", "PHP", 2],
    ["100 CAD", "100", "CAD", 2],
    // a separator typed after a word is not part of it
    ["100 usd, support", "100", "USD", 2],
    ["100美元， 年度服务", "100", "USD", 1],
  ])("reads %j as %s %s (%i words)", (text, amount, currency, used) => {
    expect(read(text)).toEqual({ amount, currency, used });
  });

  // Near misses the other way: words that are products, not currencies.
  it.each([
    "100 pcs", "5 licences", "5 licenses", "100 erp", "100 try-out packs", "100 try", "100 php hosting", "100 cad seats", "100 mop heads",
    "100 纪念币", "100 硬币", "100 单元", "100 万能钥匙", "100 千里马", "100 sterling silver", "100 dollar-store cups", "100 boxes",
    "100 件", "100 台 服务器", "5 k8s nodes",
  ])("%j: the word after the amount is a product", (text) => {
    const r = readMoney(text.split(" "));
    expect(r.kind).toBe("amount");
    if (r.kind !== "amount") return;
    expect(r.used).toBe(1);
    expect(r.currency).toBeUndefined();
  });

  it.each([
    ["100 XYZ", "XYZ"],
    ["100 ERP licence", "ERP"],
    ["100 pesos", "pesos"],
    ["100 francs", "francs"],
    ["100 kr", "kr"],
    ["100 bitcoin", "bitcoin"],
    ["100 比特币", "比特币"],
    ["100 越南元", "越南元"],
    ["100 ₪", "₪"],
    ["100 Z$", "Z$"],
    ["100 Zimbabwe dollars", "Zimbabwe dollars"],
    ["100 Argentine pesos", "Argentine pesos"],
    ["1.5 万比特币", "比特币"],
    ["$100 XYZ", "XYZ"],
  ])("%j is refused: %j looks like a currency it does not know", (text, written) => {
    expect(read(text)).toEqual({ kind: "unknownCurrency", written });
  });

  it("refuses two currencies that contradict each other", () => {
    expect(read("€100 USD")).toEqual({ kind: "twoCurrencies", first: "€", second: "USD" });
    expect(read("100元 USD")).toEqual({ kind: "twoCurrencies", first: "元", second: "USD" });
    expect(read("EUR 100 美元")).toEqual({ kind: "twoCurrencies", first: "EUR", second: "美元" });
  });

  it("says which word is not an amount", () => {
    expect(read("12x0 widgets")).toEqual({ kind: "notAmount", word: "12x0" });
    expect(read("USD abc")).toEqual({ kind: "notAmount", word: "USD" });
  });
});

describe("the currency table", () => {
  it("names only currencies the bot has rates and minor units for", () => {
    for (const code of Object.keys(CURRENCY_NAMES)) {
      expect(isSupportedCurrency(code), code).toBe(true);
      expect(DEFAULT_RATES_TO_CNY[code], code).toBeDefined();
    }
  });

  it("knows every supported code in any case, except codes that are words", () => {
    for (const code of SUPPORTED_CURRENCIES) {
      expect(currencyNamed(code)?.code, code).toBe(code);
      if (!["TRY", "PHP", "CAD", "MOP"].includes(code)) expect(currencyNamed(code.toLowerCase())?.code, code).toBe(code);
    }
    expect(currencyNamed("try")).toBeUndefined();
    expect(currencyNamed("toString")).toBeUndefined();
  });

  it("gives every name exactly one currency, and never takes a known name for an unknown one", () => {
    for (const [code, names] of Object.entries(CURRENCY_NAMES)) {
      for (const name of [...(names.symbols ?? []), ...(names.words ?? []), ...(names.zh ?? [])]) {
        expect(currencyNamed(name)?.code, name).toBe(code);
      }
    }
    expect(looksLikeCurrency("pcs")).toBe(false);
    expect(looksLikeCurrency("PCS")).toBe(true);
  });
});
