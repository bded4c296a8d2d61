import { describe, expect, it } from "vitest";
import { LOCALES, createFormatter, en, isMessageKey, resolveLocale, translator, zhCN } from "../../src/i18n/index.js";

const placeholders = (text: string): string[] => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))].sort();

describe("catalogues", () => {
  it("zh-CN has exactly the keys of en", () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
  });

  it("every message uses the same {placeholders} in both languages", () => {
    const mismatches: string[] = [];
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      const a = placeholders(en[key]);
      const b = placeholders(zhCN[key]);
      if (a.join(",") !== b.join(",")) mismatches.push(`${key}: en {${a.join(",")}} vs zh-CN {${b.join(",")}}`);
    }
    expect(mismatches).toEqual([]);
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
    expect(translator("en")("log.saved", { name: "Acme" })).toBe("Logged a {channel} with Acme.");
    expect(translator("en")("command.unknown", {})).toContain("{command}");
  });

  it("does not treat $ in a param as a replacement pattern", () => {
    expect(translator("en")("customer.notFound", { query: "$& $1 $$" })).toBe("No customer matches “$& $1 $$”.");
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
