import { describe, expect, it } from "vitest";
import { createFormatter } from "../../src/i18n/index.js";

/** Formatters are kept per language and zone (issue 17): the kept one formats as a new one did. */
describe("formatters kept per language and zone", () => {
  const at = new Date("2026-12-07T20:30:00Z");

  it("hands out one formatter per language and zone, and a different one for another zone", () => {
    expect(createFormatter("en", "Asia/Shanghai")).toBe(createFormatter("en", "Asia/Shanghai"));
    expect(createFormatter("en", "Asia/Shanghai")).not.toBe(createFormatter("en", "Europe/Berlin"));
    expect(createFormatter("zh-CN", "Asia/Shanghai")).not.toBe(createFormatter("en", "Asia/Shanghai"));
  });

  it("keeps each zone's dates and each currency's money apart", () => {
    // 20:30 UTC is the next day in Shanghai and the same day in Berlin.
    expect(createFormatter("en", "Asia/Shanghai").dateTime(at)).toBe("Dec 8, 2026, 04:30");
    expect(createFormatter("en", "Europe/Berlin").dateTime(at)).toBe("Dec 7, 2026, 21:30");
    const f = createFormatter("en", "Asia/Shanghai");
    // Intl puts a no-break space between the code and the amount.
    expect(f.money(1234.5, "USD").replace(/\s/g, " ")).toBe("USD 1,234.50");
    expect(f.money("99", "CNY").replace(/\s/g, " ")).toBe("CNY 99.00");
    expect(f.number(1.23456, 3)).toBe("1.235");
    expect(f.number(1.23456)).toBe("1.23");
  });
});
