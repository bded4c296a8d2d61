import { decode } from "fast-png";
import { describe, expect, it } from "vitest";
import { renderChartSvg, renderChartPng } from "../../src/charts/render-chart.js";
import { segmentOverviewMessage } from "../../src/commands/views/segment.js";
import type { CommandContext } from "../../src/commands/types.js";
import { createFormatter, translator, type Locale } from "../../src/i18n/index.js";
import type { Block } from "../../src/reply/reply.js";

const scoredAt = new Date("2026-11-23T18:00:00Z");
const counts = { "high-value": 120, potential: 0, new: 30, "churn-risk": 50, lost: 200 };

function overview(locale: Locale, summary = { scoredAt, counts }) {
  const ctx = { t: translator(locale), f: createFormatter(locale, "Asia/Shanghai"), now: scoredAt, locale, timezone: "Asia/Shanghai" } as unknown as CommandContext;
  const outcome = segmentOverviewMessage(ctx, summary);
  if (outcome.kind !== "message") throw new Error(outcome.kind);
  return outcome.message.blocks;
}

const chartOf = (blocks: Block[]) => blocks.find((b): b is Extract<Block, { type: "chart" }> => b.type === "chart");

describe("the segment mix", () => {
  it("is a pie of the named segments that have customers, with their shares in the alt text", () => {
    const chart = chartOf(overview("en"));
    expect(chart?.chart.kind).toBe("pie");
    expect(chart?.chart.points).toEqual([
      { x: "High value", y: 120 },
      { x: "New", y: 30 },
      { x: "Churn risk", y: 50 },
      { x: "Lost", y: 200 },
    ]);
    expect(chart?.alt).toBe("Segment mix: High value 120 (30%) · New 30 (7.5%) · Churn risk 50 (12.5%) · Lost 200 (50%).");
  });

  it("draws in Chinese, and is left out when no customer is in a segment", async () => {
    const chart = chartOf(overview("zh-CN"))!;
    expect(chart.chart.title).toBe("客户分群构成");
    const svg = await renderChartSvg(chart.chart);
    expect(svg).toContain("高价值");
    const png = decode(await renderChartPng(chart.chart));
    expect(png.width).toBeGreaterThan(600);
    expect(chartOf(overview("en", { scoredAt, counts: { "high-value": 0, potential: 0, new: 0, "churn-risk": 0, lost: 0 } }))).toBeUndefined();
  });
});
