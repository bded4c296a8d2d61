import { existsSync, statSync } from "node:fs";
import { decode, type DecodedPng } from "fast-png";
import { describe, expect, it } from "vitest";
import { CHART_FONT_PATH, chartFontMetrics, missingGlyphs, textWidth } from "../../src/charts/chart-font.js";
import { ChartSpecError, type ChartSpec } from "../../src/reply/chart-spec.js";
import { renderChartPng, renderChartSvg } from "../../src/charts/render-chart.js";
import { cleanText, toVegaLite } from "../../src/charts/vega-lite-spec.js";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from the IHDR chunk, which must come first. */
function ihdr(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(png.toString("latin1", 12, 16)).toBe("IHDR");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

function pixel(image: DecodedPng, x: number, y: number): [number, number, number] {
  const i = (y * image.width + x) * image.channels;
  return [image.data[i]!, image.data[i + 1]!, image.data[i + 2]!];
}

/** Pixels in rows [top, bottom) darker than light grey: where text or marks were drawn. */
function ink(image: DecodedPng, top: number, bottom: number): number {
  let count = 0;
  for (let y = top; y < bottom; y++) {
    for (let x = 0; x < image.width; x++) {
      const [r, g, b] = pixel(image, x, y);
      if (r + g + b < 600) count++;
    }
  }
  return count;
}

/** The bytes of rows [top, bottom), to compare what two renders drew there. */
function rows(image: DecodedPng, top: number, bottom: number): Buffer {
  const stride = image.width * image.channels;
  return Buffer.from(image.data.buffer, image.data.byteOffset + top * stride, (bottom - top) * stride);
}

function distinctColours(image: DecodedPng): number {
  const seen = new Set<number>();
  for (let y = 0; y < image.height; y += 2) {
    for (let x = 0; x < image.width; x += 2) {
      const [r, g, b] = pixel(image, x, y);
      seen.add((r << 16) | (g << 8) | b);
    }
  }
  return seen.size;
}

function hasColour(image: DecodedPng, [r0, g0, b0]: [number, number, number]): boolean {
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const [r, g, b] = pixel(image, x, y);
      if (Math.abs(r - r0) + Math.abs(g - g0) + Math.abs(b - b0) <= 6) return true;
    }
  }
  return false;
}

/** Vega's first category colour, in which a single-series bar or line is drawn. */
const FIRST_COLOUR: [number, number, number] = [0x4c, 0x78, 0xa8];

const months = Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, "0")}`);

const revenueTrend: ChartSpec = {
  kind: "line",
  title: "月度收入趋势",
  xTitle: "月份",
  yTitle: "收入",
  valueFormat: "money",
  points: months.map((x, i) => ({ x, y: 12_000 + i * 1_500 + (i % 3) * 2_000 })),
};

const segmentMix: ChartSpec = {
  kind: "pie",
  title: "客户分层",
  xTitle: "分层",
  points: [
    { x: "企业客户", y: 42 },
    { x: "中小企业", y: 31 },
    { x: "个人", y: 19 },
    { x: "其他", y: 8 },
  ],
};

const interactionsByChannel: ChartSpec = {
  kind: "bar",
  title: "各渠道互动次数",
  xTitle: "渠道",
  yTitle: "次数",
  points: [
    { x: "微信", y: 120 },
    { x: "电话", y: 45 },
    { x: "邮件", y: 30 },
    { x: "Slack", y: 12 },
  ],
};

const csatDistribution: ChartSpec = {
  kind: "bar",
  title: "满意度分布",
  xTitle: "评分",
  yTitle: "占比",
  valueFormat: "percent",
  points: ["1", "2", "3", "4", "5"].map((x, i) => ({ x, y: [0.04, 0.06, 0.15, 0.4, 0.35][i]! })),
};

describe("renderChartPng", () => {
  it.each([
    ["revenue trend (line)", revenueTrend],
    ["segment mix (pie)", segmentMix],
    ["interactions by channel (bar)", interactionsByChannel],
    ["CSAT distribution (bar)", csatDistribution],
  ])("renders the %s as a PNG of the asked size", async (_name, spec) => {
    const png = await renderChartPng(spec, { width: 600, height: 360, scale: 2 });

    expect(ihdr(png)).toEqual({ width: 1200, height: 720 });
    const image = decode(png);
    expect([image.width, image.height, image.depth]).toEqual([1200, 720, 8]);
    // White background, the first series colour, and anti-aliased text and marks.
    expect(pixel(image, 2, 2)).toEqual([255, 255, 255]);
    expect(hasColour(image, FIRST_COLOUR)).toBe(true);
    expect(distinctColours(image)).toBeGreaterThan(20);
  });

  it("defaults to 640 wide at scale 2, 5/8 as high", async () => {
    expect(ihdr(await renderChartPng(interactionsByChannel))).toEqual({ width: 1280, height: 800 });
    expect(ihdr(await renderChartPng(interactionsByChannel, { width: 480, scale: 1 }))).toEqual({ width: 480, height: 300 });
  });

  it("draws one colour per series", async () => {
    const spec: ChartSpec = {
      kind: "bar",
      title: "渠道 × 月份",
      points: ["微信", "电话"].flatMap((x) => ["一月", "二月"].map((series, i) => ({ x, series, y: 10 + i * 5 }))),
    };
    const image = decode(await renderChartPng(spec, { scale: 1 }));
    expect(hasColour(image, FIRST_COLOUR)).toBe(true);
    expect(hasColour(image, [0xf5, 0x85, 0x18])).toBe(true);
    const line = decode(await renderChartPng({ ...spec, kind: "line" }, { scale: 1 }));
    expect(hasColour(line, [0xf5, 0x85, 0x18])).toBe(true);
  });

  it("renders the same bytes every time", async () => {
    const first = await renderChartPng(segmentMix, { scale: 1 });
    expect((await renderChartPng(segmentMix, { scale: 1 })).equals(first)).toBe(true);
  });

  it("rejects values it cannot draw and sizes out of range", async () => {
    await expect(renderChartPng({ ...interactionsByChannel, points: [{ x: "微信", y: Number.NaN }] })).rejects.toThrow(ChartSpecError);
    await expect(renderChartPng({ ...segmentMix, points: [{ x: "退款", y: -5 }] })).rejects.toThrow(ChartSpecError);
    await expect(renderChartPng(segmentMix, { width: 10 })).rejects.toThrow(RangeError);
    await expect(renderChartPng(segmentMix, { scale: 0 })).rejects.toThrow(RangeError);
  });

  it("draws an empty chart for no data", async () => {
    const png = await renderChartPng({ ...revenueTrend, points: [] }, { scale: 1 });
    expect(ihdr(png)).toEqual({ width: 640, height: 400 });
  });
});

describe("Chinese text", () => {
  // A small pie whose title is the only thing in its top 40 CSS pixels (checked below):
  // only the title differs between the renders compared.
  const withTitle = async (title: string): Promise<DecodedPng> =>
    decode(await renderChartPng({ kind: "pie", title, points: [{ x: "A", y: 1 }, { x: "B", y: 2 }] }, { width: 320, height: 200, scale: 2 }));
  const TITLE_BAND = 80; // 40 CSS pixels at scale 2

  it("is in the shipped font, which is small and found next to the code", () => {
    expect(existsSync(CHART_FONT_PATH)).toBe(true);
    expect(statSync(CHART_FONT_PATH).size).toBeLessThan(4 * 1024 * 1024);
    expect(missingGlyphs("月度收入趋势客户分层各渠道互动次数满意度分布微信电话邮件企业个人其他")).toEqual([]);
    // Given names beyond GB 2312, and common traditional forms.
    expect(missingGlyphs("喆堃赟玥珺祎昇陳黃張劉鄭")).toEqual([]);
    expect(missingGlyphs("Revenue ¥€£ 1,234.5% — “”、。，：")).toEqual([]);
    // What it lacks is reported, so a caller can tell.
    expect(missingGlyphs("小王🍀\u{20000}")).toEqual(["🍀", "\u{20000}"]);
  });

  it("draws each character as its own glyph, not as a missing-glyph box", async () => {
    const blank = await withTitle("");
    const one = await withTitle("一一一一");
    const gold = await withTitle("鑫鑫鑫鑫");
    const revenue = await withTitle("收入");
    const customer = await withTitle("客户");

    // The band holds the title alone: without one it is empty.
    expect(ink(blank, 0, 30)).toBe(0);
    // A one-stroke character leaves a fraction of the ink of a 24-stroke one; boxes for
    // missing glyphs would leave the same ink whatever the character.
    expect(ink(one, 0, TITLE_BAND)).toBeGreaterThan(50);
    expect(ink(gold, 0, TITLE_BAND)).toBeGreaterThan(3 * ink(one, 0, TITLE_BAND));
    // Two titles of the same width with different characters draw different pixels.
    expect(rows(revenue, 0, TITLE_BAND).equals(rows(customer, 0, TITLE_BAND))).toBe(false);
    // ... and the rest of the picture, laid out alike, is the same.
    expect(rows(revenue, TITLE_BAND, revenue.height).equals(rows(customer, TITLE_BAND, customer.height))).toBe(true);
  });

  it("control: characters the font lacks all draw the same box, which the check above would catch", async () => {
    const a = await withTitle("\u{20000}\u{20001}");
    const b = await withTitle("\u{20001}\u{20000}");
    expect(ink(a, 0, TITLE_BAND)).toBeGreaterThan(0);
    expect(rows(a, 0, TITLE_BAND).equals(rows(b, 0, TITLE_BAND))).toBe(true);
  });

  it("is measured from the font for layout: ideographs 1em, Latin narrower", () => {
    expect(chartFontMetrics().unitsPerEm).toBe(1000);
    expect(textWidth("收入", 10)).toBe(20);
    expect(textWidth("ii", 10)).toBeLessThan(8);
    expect(textWidth("WW", 10)).toBeGreaterThan(textWidth("ii", 10));
  });
});

describe("customer-supplied labels", () => {
  const longName = "北京某某科技发展有限公司上海分公司华东大区客户成功部".repeat(5);
  const hostile: ChartSpec = {
    kind: "bar",
    title: '<script>alert(1)</script> & "引号" ]]> 客户',
    xTitle: "</text><svg onload=x>",
    points: [
      { x: "<script>alert('x')</script>", y: 3 },
      { x: '"&amp;\'', y: 5 },
      { x: longName, y: 7 },
      { x: "小王\u0000\u0007\u001b[31m\u202Eevil", y: 2 },
      { x: "line\nbreak\ttab\u2028sep", y: 1 },
      { x: "lone \uD800 surrogate", y: 4 },
    ],
  };

  it("are escaped in the SVG, stripped of what XML forbids, and the PNG still renders", async () => {
    const svg = await renderChartSvg(hostile);
    expect(svg).not.toMatch(/<script|<svg onload|<\/text><svg/);
    expect(svg).toContain("&lt;script&gt;alert('x')&lt;/script&gt;");
    expect(svg).toContain("&amp;amp;");
    // Nothing XML 1.0 forbids, no lone surrogate, no bidirectional override.
    // eslint-disable-next-line no-control-regex -- looking for control characters
    expect(svg).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u202E]/);
    expect(svg).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    // The long name is cut to its room with an ellipsis.
    expect(svg).not.toContain(longName);
    expect(svg).toMatch(/北京某某科技[^<]*…</);

    const png = await renderChartPng(hostile, { scale: 1 });
    expect(ihdr(png)).toEqual({ width: 640, height: 400 });
  });

  it("go into the chart as data, not as Vega expressions", () => {
    const spec = toVegaLite(hostile, { width: 640, height: 400 });
    const json = JSON.stringify(spec);
    // Caller text appears only in data values and plain titles.
    expect(json.match(/alert\('x'\)/g)).toHaveLength(1);
    expect(JSON.stringify((spec as { data: unknown }).data)).toContain("alert('x')");
  });

  it("cleanText keeps ordinary text and tames the rest", () => {
    expect(cleanText("  陈  小明 ", 80)).toBe("陈 小明");
    expect(cleanText("a\u0000b\nc\u202Ed", 80)).toBe("a b cd");
    expect(cleanText("小王🍀", 80)).toBe("小王🍀");
    expect(cleanText("一二三四五", 4)).toBe("一二三…");
    expect(cleanText("🍀🍀🍀", 2)).toBe("🍀…");
  });
});

describe("horizontal bars", () => {
  const spec: ChartSpec = {
    kind: "bar", horizontal: true, title: "Open deals by stage", valueFormat: "money", currency: "CNY",
    points: [{ x: "资格确认", y: 4000, series: "Total" }, { x: "资格确认", y: 400, series: "Weighted" }, { x: "Proposal", y: 10000, series: "Total" }, { x: "Proposal", y: 5000, series: "Weighted" }],
  };

  it("puts the categories down the side and the values along the bottom, series side by side", () => {
    const vl = toVegaLite(spec, { width: 640, height: 400 }) as unknown as { layer: { encoding: Record<string, { field?: string; type?: string }> }[] };
    const bars = vl.layer[0]!.encoding;
    expect([bars.y?.field, bars.y?.type, bars.x?.field, bars.x?.type, bars.yOffset?.field]).toEqual(["x", "nominal", "y", "quantitative", "series"]);
  });

  it("renders to a PNG", async () => {
    const png = decode(await renderChartPng(spec));
    expect(png.width).toBeGreaterThan(100);
  });
});
