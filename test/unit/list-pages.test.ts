import { describe, expect, it } from "vitest";
import { parseSegmentRequest } from "../../src/commands/segment.js";
import type { CommandContext } from "../../src/commands/types.js";
import { noPageText, pageNote, pageNumber } from "../../src/commands/views/list-page.js";
import { segmentMessage } from "../../src/commands/views/segment.js";
import { AppError } from "../../src/domain/errors.js";
import { createFormatter, translator, type Locale } from "../../src/i18n/index.js";
import type { Block } from "../../src/reply/reply.js";
import type { SegmentListing } from "../../src/services/index.js";

const en = { t: translator("en") };
const zh = { t: translator("zh-CN") };

describe("pages of a cut list", () => {
  it("reads a page number, and nothing else as one", () => {
    expect(["1", "2", "10000"].map(pageNumber)).toEqual([1, 2, 10_000]);
    expect(["0", "-1", "1.5", "two", "10001", "", undefined].map(pageNumber)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
  });

  it("says what a page shows of how many, and how to see the next", () => {
    const next = (page: number) => `/remind list ${page}`;
    expect(pageNote(en, { page: 1, size: 25, total: 30, shown: 25 }, next)).toBe("Showing 1–25 of 30 — /remind list 2 for more.");
    expect(pageNote(en, { page: 2, size: 25, total: 30, shown: 5 }, next)).toBe("Showing 26–30 of 30.");
    expect(pageNote(en, { page: 2, size: 25, total: 1234, shown: 25 }, next)).toBe("Showing 26–50 of 1,234 — /remind list 3 for more.");
    expect(pageNote(en, { page: 1, size: 20, total: 45, shown: 20 }, { button: "More" })).toBe("Showing 1–20 of 45 — “More” below shows the next ones.");
    expect(pageNote(zh, { page: 1, size: 25, total: 30, shown: 25 }, next)).toBe("第 1–25 条，共 30 条 — 输入 /remind list 2 查看后面的。");
    expect(pageNote(zh, { page: 2, size: 25, total: 30, shown: 5 }, next)).toBe("第 26–30 条，共 30 条。");
  });

  it("says nothing for a list that is whole, and how many pages there are for a page past the end", () => {
    expect(pageNote(en, { page: 1, size: 25, total: 3, shown: 3 }, () => "x")).toBeUndefined();
    expect(pageNote(en, { page: 1, size: 25, total: 25, shown: 25 }, () => "x")).toBeUndefined();
    expect(noPageText(en, { page: 4, size: 25, total: 30 })).toBe("There is no page 4: the list has 30 entries, on 2 pages.");
    expect(noPageText(zh, { page: 4, size: 25, total: 30 })).toBe("没有第 4 页：共 30 条，只有 2 页。");
  });
});

describe("/segment pages", () => {
  it("reads a trailing page number after the segment's name, in either language", () => {
    expect(parseSegmentRequest("churn-risk 2")).toEqual({ segment: "churn-risk", page: 2 });
    expect(parseSegmentRequest("流失风险 3")).toEqual({ segment: "churn-risk", page: 3 });
    expect(parseSegmentRequest("at risk")).toEqual({ segment: "churn-risk", page: 1 });
    expect(parseSegmentRequest("")).toEqual({ segment: undefined, page: 1 });
    expect(() => parseSegmentRequest("best customers 2")).toThrow(AppError);
  });

  const scoredAt = new Date("2026-11-23T18:00:00Z");
  function listing(page: number, shown: number, count = 132): SegmentListing {
    const customers = Array.from({ length: shown }, (_, i) => ({ id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`, name: `Customer ${(page - 1) * 15 + i + 1}`, ownerName: null, totalSpent: 100, orderCount: 1, reason: null }));
    return { segment: "churn-risk", scoredAt, count, page, pageSize: 15, customers };
  }
  function render(locale: Locale, l: SegmentListing): Block[] {
    const ctx = { t: translator(locale), f: createFormatter(locale, "Asia/Shanghai"), now: scoredAt, locale, timezone: "Asia/Shanghai", services: { settings: { baseCurrency: "CNY" } } } as unknown as CommandContext;
    const outcome = segmentMessage(ctx, l);
    if (outcome.kind !== "message") throw new Error(outcome.kind);
    return outcome.message.blocks;
  }
  const texts = (blocks: Block[]) => blocks.flatMap((b) => (b.type === "context" || b.type === "header" ? [b.text] : b.type === "list" ? b.items.map((i) => i.title) : []));
  const buttons = (blocks: Block[]) => blocks.flatMap((b) => (b.type === "buttons" ? b.buttons : []));

  it("says the 15 shown are of 132 and how to see the next page, with a More button", () => {
    const blocks = render("en", listing(1, 15));
    expect(texts(blocks)).toContain("Churn risk: 132 customers");
    expect(texts(blocks)).toContain("Showing 1–15 of 132 — /segment churn-risk 2 for more.");
    expect(buttons(blocks).find((b) => b.label === "More")?.action).toEqual({ id: "segment.show", value: "churn-risk 2" });
    expect(texts(render("zh-CN", listing(1, 15)))).toContain("第 1–15 条，共 132 条 — 输入 /segment churn-risk 2 查看后面的。");
  });

  it("numbers a later page on from the first, and the last page says it is the end", () => {
    const blocks = render("en", listing(9, 12));
    expect(texts(blocks)).toContain("121. Customer 121");
    expect(texts(blocks)).toContain("Showing 121–132 of 132.");
    expect(buttons(blocks).some((b) => b.label === "More")).toBe(false);
  });

  it("says nothing about pages when the segment fits on one, and how many pages there are past the end", () => {
    expect(texts(render("en", listing(1, 1, 1))).join("\n")).not.toContain("Showing");
    expect(texts(render("en", listing(1, 1, 1)))).toContain("Churn risk: 1 customer");
    const past = render("en", listing(20, 0));
    expect(past.some((b) => b.type === "text" && b.text === "There is no page 20: the list has 132 entries, on 9 pages.")).toBe(true);
  });
});
