import { describe, expect, it } from "vitest";
import { LOCALES, compiledMessage, createFormatter, en, isMessageKey, resolveLocale, translator, zhCN, type MessageKey } from "../../src/i18n/index.js";

const KEYS = Object.keys(en) as MessageKey[];

describe("catalogues", () => {
  it("zh-CN has exactly the keys of en", () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
  });

  it("every message is valid ICU MessageFormat in both languages", () => {
    const broken: string[] = [];
    for (const locale of LOCALES) {
      for (const key of KEYS) {
        try {
          compiledMessage(locale, key);
        } catch (error) {
          broken.push(`${locale} ${key}: ${String(error)}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it("every message uses the same argument names in both languages, plural and select ones included", () => {
    const mismatches: string[] = [];
    for (const key of KEYS) {
      const a = [...compiledMessage("en", key).arguments.keys()].sort();
      const b = [...compiledMessage("zh-CN", key).arguments.keys()].sort();
      if (a.join(",") !== b.join(",")) mismatches.push(`${key}: en {${a.join(",")}} vs zh-CN {${b.join(",")}}`);
    }
    expect(mismatches).toEqual([]);
  });

  it("a select has the same cases in both languages, so no value falls through to the wrong words", () => {
    for (const key of KEYS) {
      const a = compiledMessage("en", key).selectCases;
      const b = compiledMessage("zh-CN", key).selectCases;
      expect([...b.keys()].sort(), key).toEqual([...a.keys()].sort());
      for (const [name, cases] of a) expect([...(b.get(name) ?? [])].sort(), `${key} ${name}`).toEqual([...cases].sort());
    }
  });

  it("messages without plural or select read exactly as written", () => {
    // ICU treats an apostrophe before { } or # as quoting: a plain message must not lose text to it.
    for (const locale of LOCALES) {
      const catalogue = locale === "en" ? en : zhCN;
      for (const key of KEYS) {
        const message = compiledMessage(locale, key);
        if ([...message.arguments.values()].some((kind) => kind !== "text")) continue;
        const params = Object.fromEntries([...message.arguments.keys()].map((name) => [name, `{${name}}`]));
        expect(message.format(params), `${locale} ${key}`).toBe(catalogue[key]);
      }
    }
  });

  it("has no empty messages", () => {
    for (const [key, text] of [...Object.entries(en), ...Object.entries(zhCN)]) expect(text.trim(), key).not.toBe("");
  });

  it("has a message for every channel and stage the bot names", () => {
    for (const channel of ["CALL", "MEETING", "EMAIL", "WECHAT", "SLACK", "NOTE"]) expect(isMessageKey(`channel.${channel}`), channel).toBe(true);
    for (const stage of ["LEAD", "PROSPECT", "ACTIVE", "AT_RISK", "CHURNED"]) expect(isMessageKey(`stage.${stage}`), stage).toBe(true);
  });

  it("isMessageKey knows the catalogue and nothing else", () => {
    expect(isMessageKey("customer.notFound")).toBe(true);
    expect(isMessageKey("no.such.key")).toBe(false);
    expect(isMessageKey("toString")).toBe(false);
  });
});

describe("translator", () => {
  it("substitutes params in each language", () => {
    expect(translator("en")("customer.add.exists", { name: "Acme", owner: "Li Lei" })).toBe(
      "Acme is already in the CRM (owner: Li Lei), so I did not add it again. Here is the card.",
    );
    expect(translator("zh-CN")("customer.add.exists", { name: "Acme", owner: "李雷" })).toBe(
      "Acme 已经在 CRM 中（负责人：李雷），没有重复添加。以下是客户卡片。",
    );
  });

  it("substitutes numbers and repeated placeholders", () => {
    expect(translator("en")("customer.nameTooLong", { length: 130, max: 120 })).toBe("That name is too long: 130 characters, at most 120.");
    expect(translator("en")("order.unknownCurrencyHint", { code: "ERP" })).toBe("If ERP is the product, put the currency first: /order Acme 1200 CNY ERP.");
  });

  it("leaves a placeholder without a param as it is, and ignores extra params", () => {
    expect(translator("en")("customer.notFound")).toBe("No customer matches “{query}”.");
    expect(translator("en")("customer.notFound", { other: "x" })).toBe("No customer matches “{query}”.");
  });

  it("does not read params from the object prototype", () => {
    expect(translator("en")("customer.ambiguous", {})).toBe("Several customers match “{query}”. Which one do you mean?");
    expect(translator("en")("command.unknown", {})).toContain("{command}");
    // A choice without its value cannot pick a form: the message is shown as written, never half-filled.
    expect(translator("en")("log.saved", { name: "Acme" })).toBe(en["log.saved"]);
  });

  it("does not treat $ in a param as a replacement pattern", () => {
    expect(translator("en")("customer.notFound", { query: "$& $1 $$" })).toBe("No customer matches “$& $1 $$”.");
  });
});

describe("plural and select forms (ICU MessageFormat)", () => {
  const en_ = translator("en");
  const zh = translator("zh-CN");

  it.each([
    [0, "+10 from 0 answers", "+10，共 0 份回答"],
    [1, "+10 from 1 answer", "+10，共 1 份回答"],
    [2, "+10 from 2 answers", "+10，共 2 份回答"],
    [5, "+10 from 5 answers", "+10，共 5 份回答"],
    [1234, "+10 from 1,234 answers", "+10，共 1,234 份回答"],
  ])("a count of %i picks its form, formatted for the reader", (count, english, chinese) => {
    expect(en_("csat.npsValue", { nps: "+10", count })).toBe(english);
    expect(zh("csat.npsValue", { nps: "+10", count })).toBe(chinese);
  });

  it("says days, customers and characters in the right number", () => {
    expect([0, 1, 1.5, 2, 5, 1234].map((count) => en_("segment.days", { count }))).toEqual(["0 days", "1 day", "1.5 days", "2 days", "5 days", "1,234 days"]);
    expect([1, 2, 1234].map((count) => zh("segment.days", { count }))).toEqual(["1天", "2天", "1,234天"]);
    expect(en_("segment.title", { segment: "Lost", count: 1 })).toBe("Lost: 1 customer");
    expect(en_("segment.title", { segment: "Lost", count: 132 })).toBe("Lost: 132 customers");
    expect(zh("segment.title", { segment: "已流失", count: 1234 })).toBe("已流失：1,234 位客户");
    expect(en_("customer.nameTooLong", { length: 1, max: 1000 })).toBe("That name is too long: 1 character, at most 1,000.");
    expect(en_("remind.followUp", { customer: "Acme", days: 1 })).toBe("Nobody has talked to Acme for 1 day. Time to follow up?");
    expect(en_("period.lastDays", { days: 1 })).toBe("in the last day");
    expect(en_("period.lastDays", { days: 90 })).toBe("in the last 90 days");
    expect(zh("period.lastDays", { days: 90 })).toBe("最近 90 天");
    expect(en_("stage.alert.title", { count: 1 })).toBe("A stage change for one of your customers");
    expect(en_("stage.alert.title", { count: 3 })).toBe("Stage changes for 3 of your customers");
    expect(en_("outbox.item", { platform: "slack", destination: "C1", attempts: 1, reason: "x" })).toBe("slack to C1 · 1 attempt · x");
  });

  it("picks no decimals, one, or several", () => {
    expect(en_("order.tooManyDecimals", { currency: "JPY", digits: 0 })).toBe("JPY amounts have no decimal places.");
    expect(en_("order.tooManyDecimals", { currency: "XYZ", digits: 1 })).toBe("XYZ amounts have at most 1 decimal place.");
    expect(en_("order.tooManyDecimals", { currency: "USD", digits: 2 })).toBe("USD amounts have at most 2 decimal places.");
    expect(zh("order.tooManyDecimals", { currency: "JPY", digits: 0 })).toBe("JPY 金额不能有小数。");
    expect(zh("order.tooManyDecimals", { currency: "USD", digits: 2 })).toBe("USD 金额最多保留 2 位小数。");
  });

  it("puts the right article and measure word before each kind of interaction", () => {
    const logged = (t: typeof en_, channel: string) => t("log.saved", { channel, name: "Acme" });
    expect(["CALL", "MEETING", "EMAIL", "WECHAT", "SLACK", "NOTE"].map((c) => logged(en_, c))).toEqual([
      "Logged a call with Acme.", "Logged a meeting with Acme.", "Logged an email with Acme.", "Logged a WeChat message with Acme.", "Logged a Slack message with Acme.", "Logged a note with Acme.",
    ]);
    expect(["CALL", "MEETING", "EMAIL", "WECHAT", "NOTE"].map((c) => logged(zh, c))).toEqual([
      "已为 Acme 记录一次电话。", "已为 Acme 记录一次会议。", "已为 Acme 记录一封邮件。", "已为 Acme 记录一条微信消息。", "已为 Acme 记录一条备注。",
    ]);
  });

  it("says where a cut list stands and how to see the rest, with numbers for the reader", () => {
    expect(en_("list.rangeMore", { from: 1, to: 25, total: 1234, command: "/remind list 2" })).toBe("Showing 1–25 of 1,234 — /remind list 2 for more.");
    expect(zh("list.rangeMore", { from: 1, to: 25, total: 1234, command: "/remind list 2" })).toBe("第 1–25 条，共 1,234 条 — 输入 /remind list 2 查看后面的。");
    expect(en_("list.noPage", { page: 3, total: 1, pages: 1 })).toBe("There is no page 3: the list has 1 entry, on one page.");
    expect(en_("list.noPage", { page: 9, total: 30, pages: 2 })).toBe("There is no page 9: the list has 30 entries, on 2 pages.");
  });

  it("takes a count given as digits in text, and shows a message whose count is missing as written", () => {
    expect(en_("csat.npsValue", { nps: "0", count: "1" })).toBe("0 from 1 answer");
    expect(en_("csat.npsValue", { nps: "0" })).toBe(en["csat.npsValue"]);
  });
});

describe("resolveLocale", () => {
  it.each([
    ["zh-CN", "zh-CN"],
    ["zh-TW", "zh-CN"],
    ["zh", "zh-CN"],
    ["ZH-hk", "zh-CN"],
    ["en-GB", "en"],
    ["en-US", "en"],
    ["EN", "en"],
  ] as const)("%j -> %s", (tag, locale) => {
    expect(resolveLocale(tag, "en")).toBe(locale);
    expect(resolveLocale(tag, "zh-CN")).toBe(locale);
  });

  it("falls back for languages it does not have, and for no locale", () => {
    for (const fallback of LOCALES) {
      expect(resolveLocale("fr-FR", fallback)).toBe(fallback);
      expect(resolveLocale(undefined, fallback)).toBe(fallback);
      expect(resolveLocale(null, fallback)).toBe(fallback);
      expect(resolveLocale("", fallback)).toBe(fallback);
    }
  });
});

describe("createFormatter", () => {
  it("formats money with the currency code", () => {
    const f = createFormatter("en", "Asia/Shanghai");
    expect(f.money(1234.5, "USD")).toMatch(/^USD\s1,234\.50$/u);
    expect(f.money("99.9", "CNY")).toMatch(/^CNY\s99\.90$/u);
    expect(f.money(100, "JPY")).toMatch(/^JPY\s100$/u);
    const z = createFormatter("zh-CN", "Asia/Shanghai");
    expect(z.money(1234.5, "USD")).toMatch(/^USD\s1,234\.50$/u);
  });

  it("formats dates in the given time zone", () => {
    const at = new Date("2026-03-01T02:00:00Z");
    expect(createFormatter("en", "Asia/Shanghai").date(at)).toBe("Mar 1, 2026");
    expect(createFormatter("en", "America/Los_Angeles").date(at)).toBe("Feb 28, 2026");
    expect(createFormatter("zh-CN", "Asia/Shanghai").date(at)).toBe("2026年3月1日");
    expect(createFormatter("zh-CN", "America/Los_Angeles").date(at)).toBe("2026年2月28日");
  });

  it("formats date and time in the given time zone, on a 24-hour clock", () => {
    const at = new Date("2026-03-01T14:05:00Z");
    const shanghai = createFormatter("en", "Asia/Shanghai").dateTime(at);
    expect(shanghai).toContain("Mar 1, 2026");
    expect(shanghai).toContain("22:05");
    const la = createFormatter("en", "America/Los_Angeles").dateTime(at);
    expect(la).toContain("Mar 1, 2026");
    expect(la).toContain("06:05");
  });

  it("formats numbers, lists and relative times in the reader's language", () => {
    const f = createFormatter("en", "UTC");
    expect(f.number(1234.5678)).toBe("1,234.57");
    expect(f.number(1234.5678, 0)).toBe("1,235");
    expect(f.list(["a", "b", "c"])).toBe("a, b, and c");
    const now = new Date("2026-03-04T00:00:00Z");
    expect(f.relative(new Date("2026-03-01T00:00:00Z"), now)).toBe("3 days ago");
    expect(f.relative(new Date("2026-03-04T02:00:00Z"), now)).toBe("in 2 hours");
    expect(f.relative(now, now)).toBe("this minute");
    expect(createFormatter("zh-CN", "UTC").relative(new Date("2026-03-01T00:00:00Z"), now)).toBe("3天前");
  });
});
