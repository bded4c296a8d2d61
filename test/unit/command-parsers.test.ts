import { describe, expect, it } from "vitest";
import { MAX_NAME_LENGTH, parseCustomerText } from "../../src/commands/customer.js";
import { MAX_NOTE_LENGTH, parseLogText, parseNote } from "../../src/commands/log.js";
import { MAX_PRODUCT_LENGTH, parseOrderTerms, parseOrderText } from "../../src/commands/order.js";
import { leadingQuoted, words } from "../../src/commands/parse.js";
import { DEFAULT_TOP, MAX_TOP, parseTopText } from "../../src/commands/top.js";
import { parsePipelineText } from "../../src/commands/pipeline.js";
import { parseSurveyText } from "../../src/commands/survey.js";
import { AppError } from "../../src/domain/errors.js";
import { translator } from "../../src/i18n/index.js";

/** Runs `f`, which must throw an AppError, and returns it. */
function appError(f: () => unknown): AppError {
  try {
    f();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError, but nothing was thrown");
}

function expectInvalid(f: () => unknown, userKey: string, params?: Record<string, unknown>): AppError {
  const error = appError(f);
  expect(error.code).toBe("INVALID_INPUT");
  expect(error.userKey).toBe(userKey);
  if (params) expect(error.params).toMatchObject(params);
  return error;
}

/** The message a user would see, with no {placeholder} left unfilled. */
function expectFullMessage(error: AppError): void {
  for (const locale of ["en", "zh-CN"] as const) {
    const text = translator(locale)(error.userKey as "customer.nameTooLong", error.params);
    expect(text, `${locale} ${error.userKey}`).not.toMatch(/\{\w+\}/);
  }
}

describe("words and leadingQuoted", () => {
  it("keeps quoted names together, in ASCII, curly and corner quotes", () => {
    expect(words(`"Acme Ltd" call: hi`)).toEqual(["Acme Ltd", "call:", "hi"]);
    expect(words("“Acme Ltd” x")).toEqual(["Acme Ltd", "x"]);
    expect(words("「阿里 巴巴」 x")).toEqual(["阿里 巴巴", "x"]);
    expect(leadingQuoted(` "Acme Ltd"  call: hi `)).toEqual({ name: "Acme Ltd", rest: "call: hi" });
    expect(leadingQuoted("Acme call: hi")).toBeUndefined();
  });
});

describe("parseCustomerText", () => {
  it.each([
    ["Acme", { kind: "show", name: "Acme" }],
    ["  Acme Ltd  ", { kind: "show", name: "Acme Ltd" }],
    ['"Acme Ltd"', { kind: "show", name: "Acme Ltd" }],
    ["“Acme”", { kind: "show", name: "Acme" }],
    ["「阿里巴巴」", { kind: "show", name: "阿里巴巴" }],
    ["阿里巴巴", { kind: "show", name: "阿里巴巴" }],
    ['"add"', { kind: "show", name: "add" }],
    ["address book", { kind: "show", name: "address book" }],
    ["additional", { kind: "show", name: "additional" }],
    ["add Acme Ltd", { kind: "add", name: "Acme Ltd" }],
    ["ADD Acme", { kind: "add", name: "Acme" }],
    ["new Foo", { kind: "add", name: "Foo" }],
    ["添加 腾讯", { kind: "add", name: "腾讯" }],
    ["新增 腾讯科技有限公司", { kind: "add", name: "腾讯科技有限公司" }],
    ['add "Studio 54"', { kind: "add", name: "Studio 54" }],
  ])("%j", (text, expected) => {
    expect(parseCustomerText(text)).toEqual(expected);
  });

  it.each(["", "   ", '""', '"   "'])("asks which customer for %j, naming /customer's usage", (text) => {
    const error = expectInvalid(() => parseCustomerText(text), "customer.missingName", { usage: "/customer <name>" });
    expectFullMessage(error);
    expect(translator("en")("customer.missingName", error.params)).toBe("Which customer? Write /customer <name>.");
  });

  it.each(["add", "add   ", "ADD", 'add ""', "添加"])("asks for the new customer's name for %j", (text) => {
    expectInvalid(() => parseCustomerText(text), "customer.add.missingName");
  });

  it("accepts a name of exactly 120 characters", () => {
    expect(MAX_NAME_LENGTH).toBe(120);
    expect(parseCustomerText("x".repeat(120))).toEqual({ kind: "show", name: "x".repeat(120) });
    expect(parseCustomerText(`add ${"y".repeat(120)}`)).toEqual({ kind: "add", name: "y".repeat(120) });
  });

  it.each([["x".repeat(121)], [`add ${"x".repeat(121)}`], [`"${"x".repeat(121)}"`]])("refuses a name over 120 characters (%#)", (text) => {
    expectInvalid(() => parseCustomerText(text), "customer.nameTooLong", { max: 120 });
  });

  it("tells the user how long the refused name was, as customer.nameTooLong's {length} placeholder needs", () => {
    const error = expectInvalid(() => parseCustomerText("x".repeat(121)), "customer.nameTooLong");
    expect(error.params).toMatchObject({ max: 120, length: 121 });
    expectFullMessage(error);
  });
});

describe("parseLogText", () => {
  it("takes a quoted name and leaves the rest", () => {
    expect(parseLogText('"Acme Ltd" call: hi')).toEqual({ name: "Acme Ltd", rest: "call: hi" });
    expect(parseLogText("“Acme Ltd” met at the fair")).toEqual({ name: "Acme Ltd", rest: "met at the fair" });
    expect(parseLogText('"Acme Ltd"')).toEqual({ name: "Acme Ltd", rest: "" });
  });

  it("splits at a channel keyword with a colon", () => {
    expect(parseLogText("Acme Ltd call: x")).toEqual({ name: "Acme Ltd", rest: "call: x" });
    expect(parseLogText("Acme  Ltd   meeting:  demo  went well")).toEqual({ name: "Acme Ltd", rest: "meeting: demo went well" });
    expect(parseLogText("阿里巴巴 电话：确认报价")).toEqual({ name: "阿里巴巴", rest: "电话：确认报价" });
  });

  it("returns the words when nothing says where the name ends", () => {
    expect(parseLogText("Acme Ltd called them")).toEqual({ words: ["Acme", "Ltd", "called", "them"], rest: "" });
    expect(parseLogText("  Acme  ")).toEqual({ words: ["Acme"], rest: "" });
  });

  it.each(["", "   ", '"" hi'])("asks for customer and note for %j", (text) => {
    expectInvalid(() => parseLogText(text), "log.missingAll");
  });

  it("refuses a quoted name over 120 characters", () => {
    expectInvalid(() => parseLogText(`"${"x".repeat(121)}" call: hi`), "customer.nameTooLong", { max: 120 });
  });
});

describe("parseNote", () => {
  it("splits off the channel", () => {
    expect(parseNote("call: discussed renewal", "Acme")).toEqual({ channel: "CALL", body: "discussed renewal" });
    expect(parseNote("电话：确认报价", "阿里巴巴")).toEqual({ channel: "CALL", body: "确认报价" });
    expect(parseNote("  likes golf ", "Acme")).toEqual({ channel: "NOTE", body: "likes golf" });
  });

  it.each(["", "   ", "call:", "meeting：  "])("asks what to log for %j, naming the customer", (text) => {
    expectInvalid(() => parseNote(text, "Acme"), "log.missingText", { name: "Acme" });
  });

  it("accepts a note of exactly 2,900 characters", () => {
    expect(MAX_NOTE_LENGTH).toBe(2_900);
    expect(parseNote("x".repeat(2_900), "Acme").body).toHaveLength(2_900);
    expect(parseNote(`call: ${"x".repeat(2_900)}`, "Acme")).toEqual({ channel: "CALL", body: "x".repeat(2_900) });
  });

  it("refuses a note over 2,900 characters", () => {
    expectInvalid(() => parseNote("x".repeat(2_901), "Acme"), "log.tooLong", { max: 2_900 });
    expectInvalid(() => parseNote(`call: ${"x".repeat(2_901)}`, "Acme"), "log.tooLong", { max: 2_900 });
  });

  it("tells the user how long the refused note was, as log.tooLong's {length} placeholder needs", () => {
    const error = expectInvalid(() => parseNote("x".repeat(2_901), "Acme"), "log.tooLong");
    expect(error.params).toEqual({ max: 2_900, length: 2_901 });
    expectFullMessage(error);
  });
});

describe("parseOrderText", () => {
  const order = (text: string) => {
    const args = parseOrderText(text, "CNY");
    return { ...args, amount: args.amount.toString() };
  };

  it.each([
    ["Acme 1200 CNY annual licence", { name: "Acme", amount: "1200", currency: "CNY", product: "annual licence", date: null }],
    ['"Studio 54" 300', { name: "Studio 54", amount: "300", currency: "CNY", product: null, date: null }],
    ["Acme 99.90 USD support on 2026-03-01", { name: "Acme", amount: "99.9", currency: "USD", product: "support", date: "2026-03-01" }],
    ["Acme ¥1200", { name: "Acme", amount: "1200", currency: "CNY", product: null, date: null }],
    ["Acme $99.9", { name: "Acme", amount: "99.9", currency: "USD", product: null, date: null }],
    ["Acme 1200 erp licence", { name: "Acme", amount: "1200", currency: "CNY", product: "erp licence", date: null }],
    ["Acme Ltd 1,200.50 usd", { name: "Acme Ltd", amount: "1200.5", currency: "USD", product: null, date: null }],
    ["Acme 100 JPY", { name: "Acme", amount: "100", currency: "JPY", product: null, date: null }],
    ["阿里巴巴 5万 年度服务", { name: "阿里巴巴", amount: "50000", currency: "CNY", product: "年度服务", date: null }],
    ["Acme 3.5k", { name: "Acme", amount: "3500", currency: "CNY", product: null, date: null }],
    ["Acme 100 2026-03-01", { name: "Acme", amount: "100", currency: "CNY", product: null, date: "2026-03-01" }],
    ["Acme 100 于 2026-03-01", { name: "Acme", amount: "100", currency: "CNY", product: null, date: "2026-03-01" }],
    ["Acme 100 ON 2026-03-01", { name: "Acme", amount: "100", currency: "CNY", product: null, date: "2026-03-01" }],
  ])("%j", (text, expected) => {
    expect(order(text)).toEqual(expected);
  });

  it("uses the base currency when none is given", () => {
    expect(parseOrderText("Acme 1200", "USD").currency).toBe("USD");
    expect(parseOrderText("Acme ¥1200", "USD").currency).toBe("CNY");
  });

  it("refuses an upper-case three-letter word that is not a currency", () => {
    const error = expectInvalid(() => parseOrderText("Acme 1200 ERP licence", "CNY"), "order.unknownCurrency", { code: "ERP" });
    expect(String(error.params.known)).toContain("CNY");
    expect(String(error.params.known)).toContain("USD");
  });

  it("asks for the amount when there is none", () => {
    expectInvalid(() => parseOrderText("Acme", "CNY"), "order.missingAmount", { name: "Acme" });
    expectInvalid(() => parseOrderText('"Studio 54"', "CNY"), "order.missingAmount", { name: "Studio 54" });
  });

  it("asks for the customer when the text starts with the amount", () => {
    expectInvalid(() => parseOrderText("1200", "CNY"), "order.missingName");
    expectInvalid(() => parseOrderText("¥1200 Acme", "CNY"), "order.missingName");
    expectInvalid(() => parseOrderText('"" 1200', "CNY"), "order.missingName");
  });

  it("asks for everything when the text is empty", () => {
    expectInvalid(() => parseOrderText("", "CNY"), "order.missingAll");
    expectInvalid(() => parseOrderText("   ", "CNY"), "order.missingAll");
  });

  it("refuses what is not an amount", () => {
    expectInvalid(() => parseOrderText("Acme 12x0", "CNY"), "order.badAmount", { token: "12x0" });
    expectInvalid(() => parseOrderText("Acme 12OO", "CNY"), "order.badAmount", { token: "12OO" });
    expectInvalid(() => parseOrderText("Acme 1e13", "CNY"), "order.badAmount", { token: "1e13" });
  });

  it("refuses zero", () => {
    expectInvalid(() => parseOrderText("Acme 0", "CNY"), "order.nonPositive");
  });

  it("refuses more than one order can hold", () => {
    expectInvalid(() => parseOrderText("Acme 10000000000000", "CNY"), "order.tooLarge", { amount: "10000000000000" });
    expect(parseOrderText("Acme 1000000000000", "CNY").amount.toString()).toBe("1000000000000");
  });

  it("refuses more decimals than the currency has", () => {
    expectInvalid(() => parseOrderText("Acme 1.234 CNY", "CNY"), "order.tooManyDecimals", { currency: "CNY", digits: 2 });
    expectInvalid(() => parseOrderText("Acme 100.5 JPY", "CNY"), "order.tooManyDecimals", { currency: "JPY", digits: 0 });
    expectInvalid(() => parseOrderText("Acme 100.5", "JPY"), "order.tooManyDecimals", { currency: "JPY", digits: 0 });
  });

  it("refuses a date that does not exist, and reads one written without zero padding", () => {
    expectInvalid(() => parseOrderText("Acme 100 on 2026-02-30", "CNY"), "order.badDate", { date: "2026-02-30" });
    expectInvalid(() => parseOrderText("Acme 100 on 2026-13-01", "CNY"), "order.badDate", { date: "2026-13-01" });
    expect(parseOrderText("Acme 100 on 2026-3-1", "CNY").date).toBe("2026-03-01");
  });

  it("takes a product of up to 200 characters and refuses a longer one", () => {
    expect(MAX_PRODUCT_LENGTH).toBe(200);
    expect(parseOrderText(`Acme 100 ${"p".repeat(200)}`, "CNY").product).toBe("p".repeat(200));
    expectInvalid(() => parseOrderText(`Acme 100 ${"p".repeat(201)}`, "CNY"), "order.productTooLong", { max: 200 });
  });

  it("tells the user how long the refused product was, as order.productTooLong's {length} placeholder needs", () => {
    const error = expectInvalid(() => parseOrderText(`Acme 100 ${"p".repeat(201)}`, "CNY"), "order.productTooLong");
    expect(error.params).toEqual({ max: 200, length: 201 });
    expectFullMessage(error);
  });

  it("refuses a customer name over 120 characters", () => {
    expectInvalid(() => parseOrderText(`${"x".repeat(121)} 100`, "CNY"), "customer.nameTooLong", { max: 120 });
  });
});

describe("parseOrderTerms", () => {
  it("reads the part after the customer name", () => {
    const terms = parseOrderTerms("1200 USD widgets on 2026-01-05", "CNY", "Acme");
    expect(terms.amount.toString()).toBe("1200");
    expect(terms).toMatchObject({ currency: "USD", product: "widgets", date: "2026-01-05" });
  });

  it("lets a lower-case word that looks like a currency code stay a product", () => {
    expect(parseOrderTerms("300 erp", "CNY", "Acme")).toMatchObject({ currency: "CNY", product: "erp" });
  });

  it("asks for the amount, naming the customer", () => {
    expectInvalid(() => parseOrderTerms("", "CNY", "Acme"), "order.missingAmount", { name: "Acme" });
    expectInvalid(() => parseOrderTerms("on 2026-03-01", "CNY", "Acme"), "order.missingAmount", { name: "Acme" });
  });

  it("gives the same errors as parseOrderText", () => {
    expectInvalid(() => parseOrderTerms("12x0", "CNY", "Acme"), "order.badAmount");
    expectInvalid(() => parseOrderTerms("0", "CNY", "Acme"), "order.nonPositive");
    expectInvalid(() => parseOrderTerms("1.234", "CNY", "Acme"), "order.tooManyDecimals");
    expectInvalid(() => parseOrderTerms("100 XYZ", "CNY", "Acme"), "order.unknownCurrency", { code: "XYZ" });
    expectInvalid(() => parseOrderTerms("100 on 2026-13-01", "CNY", "Acme"), "order.badDate", { date: "2026-13-01" });
  });
});

describe("parseTopText", () => {
  const NOW = new Date("2026-11-23T06:00:00Z");
  const top = (text: string) => parseTopText(text, NOW, "Asia/Shanghai");

  it("leaves the count to the default of 10", () => {
    expect(DEFAULT_TOP).toBe(10);
    expect(top("")).toEqual({});
    expect(top("   ")).toEqual({});
  });

  it.each([["5", 5], ["1", 1], ["50", 50], [" 7 ", 7]])("reads %j as %i", (text, n) => {
    expect(top(text)).toEqual({ count: n });
  });

  it("reads a metric and a period in English and Chinese", () => {
    const quarter = top("5 by revenue this quarter");
    expect(quarter).toMatchObject({ count: 5, metric: "revenue", period: { label: { key: "thisQuarter" } } });
    expect(quarter.period?.from.toISOString()).toBe("2026-09-30T16:00:00.000Z");
    expect(top("by orders last 90 days")).toMatchObject({ metric: "orders", period: { label: { key: "lastDays", days: 90 } } });
    expect(top("10 本季度 按收入")).toMatchObject({ count: 10, metric: "revenue", period: { label: { key: "thisQuarter" } } });
    expect(top("按订单 上月")).toMatchObject({ metric: "orders", period: { label: { key: "lastMonth" } } });
    expect(top("by clv this year")).toMatchObject({ metric: "clv", period: { label: { key: "thisYear" } } });
    expect(top("5 revenue last quarter")).toMatchObject({ count: 5, metric: "revenue", period: { label: { key: "lastQuarter" } } });
    expect(top("订单")).toEqual({ metric: "orders" });
    // The number belongs to the period when the rest reads as one.
    expect(top("30 days")).toMatchObject({ period: { label: { key: "lastDays", days: 30 } } });
    expect(top("30 days").count).toBeUndefined();
  });

  it.each(["0", "51", "abc", "-1", "5.0", "1e1", "999999"])("refuses %j", (text) => {
    expect(MAX_TOP).toBe(50);
    expectInvalid(() => top(text), "top.badCount", { value: text, max: 50 });
  });

  it("names what it could not read", () => {
    expectInvalid(() => top("5 by profit"), "top.badMetric", { metric: "profit" });
    expectInvalid(() => top("5 next week"), "top.badInput", { text: "next week" });
    expectInvalid(() => top("best ones please"), "top.badInput", { text: "best ones please" });
  });

  it("echoes at most 40 characters of a bad value", () => {
    const error = expectInvalid(() => top("x".repeat(60)), "top.badCount");
    expect(error.params.value).toBe("x".repeat(40));
  });
});


describe("parseSurveyText", () => {
  it.each([
    ["Acme", { query: "Acme", kind: "CSAT" }],
    ["Acme Ltd nps", { query: "Acme Ltd", kind: "NPS" }],
    ["阿里巴巴 CSAT", { query: "阿里巴巴", kind: "CSAT" }],
    ["阿里巴巴 推荐度", { query: "阿里巴巴", kind: "NPS" }],
    ["<@U0EXT123|jane> Globex", { query: "Globex", kind: "CSAT", slackUser: { id: "U0EXT123", name: "jane" } }],
    ["<@W0EXT123> nps", { query: "", kind: "NPS", slackUser: { id: "W0EXT123", name: "W0EXT123" } }],
    // A customer named like a kind word keeps its name when nothing else is given.
    ["NPS Holdings", { query: "NPS Holdings", kind: "CSAT" }],
  ])("reads %j", (text, expected) => {
    expect(parseSurveyText(text)).toStrictEqual(expected);
  });

  it.each(["", "   ", "nps"])("asks who for %j", (text) => {
    expect(appError(() => parseSurveyText(text)).userKey).toBe("survey.usage");
  });

  it("refuses a name longer than a customer name can be", () => {
    expect(appError(() => parseSurveyText("x".repeat(MAX_NAME_LENGTH + 1))).userKey).toBe("customer.nameTooLong");
  });
});

describe("/pipeline's words", () => {
  const NOW = new Date("2026-03-20T04:00:00Z");
  const read = (text: string) => parsePipelineText(text, NOW, "Asia/Shanghai");

  it("reads whose pipeline and the period in either order, this month by default", () => {
    expect(read("")).toMatchObject({ who: { kind: "me" }, period: { label: { key: "thisMonth" }, from: new Date("2026-02-28T16:00:00Z") } });
    expect(read("team this quarter")).toMatchObject({ who: { kind: "team" }, period: { label: { key: "thisQuarter" } } });
    expect(read("last month @li.na")).toMatchObject({ who: { kind: "rep", typed: "@li.na" }, period: { label: { key: "lastMonth" } } });
    expect(read("<@U0LINA|li.na>")).toMatchObject({ who: { kind: "rep", typed: "<@U0LINA|li.na>" } });
    expect(read("团队 本季度")).toMatchObject({ who: { kind: "team" }, period: { label: { key: "thisQuarter" } } });
    expect(read("my team")).toMatchObject({ who: { kind: "team" } });
    expect(read("我的 上月")).toMatchObject({ who: { kind: "me" }, period: { label: { key: "lastMonth" } } });
  });

  it("refuses words that are no period, naming them", () => {
    expect(() => read("banana")).toThrow(expect.objectContaining({ userKey: "pipeline.badInput", params: { text: "banana" } }));
    expect(() => read("team @li.na")).toThrow(expect.objectContaining({ userKey: "pipeline.badInput" }));
  });
});
