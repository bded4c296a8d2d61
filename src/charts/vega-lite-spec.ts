/**
 * ChartSpec -> Vega-Lite. Everything the caller gives is data: labels and titles go in as
 * values and plain strings, never into a Vega expression, and are cleaned of characters that
 * would break the SVG before they get there.
 */
import type { TopLevelSpec } from "vega-lite";
import { CHART_FONT_FAMILY, textWidth } from "./chart-font.js";
import type { ChartPoint, ChartSpec, ValueFormat } from "../reply/chart-spec.js";

export interface ChartSize {
  /** Width and height of the whole picture, titles and legend included, in CSS pixels. */
  width: number;
  height: number;
}

type Config = NonNullable<TopLevelSpec["config"]>;

const PADDING = 16;
const TITLE_MAX_CHARS = 120;
const LABEL_MAX_CHARS = 80;
const AXIS_LABEL_LIMIT = 140;
const AXIS_LABEL_SIZE = 11;
/** Value labels on bars while there are at most this many bars; more would crowd. */
const MAX_LABELLED_BARS = 24;

const CURRENCY_SYMBOLS: Readonly<Record<string, string>> = {
  CNY: "¥", JPY: "¥", USD: "$", EUR: "€", GBP: "£", HKD: "HK$", TWD: "NT$", MOP: "MOP$",
  SGD: "S$", AUD: "A$", CAD: "C$", NZD: "NZ$", KRW: "₩", INR: "₹", RUB: "₽", TRY: "₺", VND: "₫",
  PHP: "₱", THB: "฿",
};

export function toVegaLite(spec: ChartSpec, size: ChartSize): TopLevelSpec {
  const values = spec.points.map((point) => cleanPoint(point));
  const hasSeries = values.some((point) => point.series !== undefined);
  const valueFormat = FORMATS[spec.valueFormat ?? "number"];
  const title = cleanText(spec.title, TITLE_MAX_CHARS);
  const subtitle = spec.subtitle === undefined ? undefined : cleanText(spec.subtitle, TITLE_MAX_CHARS);
  const common = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: size.width,
    height: size.height,
    padding: PADDING,
    autosize: { type: "fit", contains: "padding" },
    background: "white",
    title: { text: title, ...(subtitle ? { subtitle } : {}) },
    data: { values },
    config: chartConfig(size, spec.currency),
  } as const;

  const xTitle = spec.xTitle === undefined ? null : cleanText(spec.xTitle, LABEL_MAX_CHARS);
  const yTitle = spec.yTitle === undefined ? null : cleanText(spec.yTitle, LABEL_MAX_CHARS);

  if (spec.kind === "pie") {
    const total = values.reduce((sum, point) => sum + point.y, 0);
    const withShare = values.map((point) => ({ ...point, share: total > 0 ? point.y / total : 0 }));
    return {
      ...common,
      data: { values: withShare },
      encoding: {
        theta: { field: "y", type: "quantitative", stack: true },
        color: { field: "x", type: "nominal", sort: null, legend: { title: xTitle } },
        order: { field: "index", type: "quantitative" },
      },
      transform: [{ window: [{ op: "row_number", as: "index" }] }],
      layer: [
        { mark: { type: "arc", outerRadius: { expr: "min(width, height) / 2" }, stroke: "white", strokeWidth: 1 } },
        {
          // Only slices of 5% or more carry their share; smaller ones would not fit it.
          transform: [{ filter: "datum.share >= 0.05" }],
          mark: { type: "text", radius: { expr: "min(width, height) / 2 * 0.68" }, fill: "white", fontSize: 12 },
          encoding: { text: { field: "share", type: "quantitative", format: ".0%" } },
        },
      ],
    };
  }

  const xLabels = [...new Set(values.map((point) => point.x))];
  const plotWidth = size.width - 2 * PADDING - 60 - (hasSeries ? 120 : 0);
  const xAxis = {
    title: xTitle,
    labelAngle: labelsFit(xLabels, plotWidth) ? 0 : -40,
    // A trend may skip every other period label when they crowd; every bar keeps its name.
    labelOverlap: spec.kind === "line",
  };
  const yAxis = { title: yTitle, format: valueFormat, formatType: "number" } as const;
  const x = { field: "x", type: spec.kind === "line" ? "ordinal" : "nominal", sort: null, axis: xAxis } as const;
  const y = { field: "y", type: "quantitative", axis: yAxis } as const;
  const color = { field: "series", type: "nominal", sort: null, legend: { title: null } } as const;

  if (spec.kind === "line") {
    return {
      ...common,
      mark: { type: "line", point: true, strokeWidth: 2 },
      encoding: { x, y, ...(hasSeries ? { color } : {}) },
    };
  }

  if (spec.horizontal) return horizontalBars(common, values.length, hasSeries, { ...xAxis, labelAngle: 0 }, yAxis, color, valueFormat);

  const xOffset = { field: "series", type: "nominal", sort: null } as const;
  const bars = { mark: { type: "bar", cornerRadiusEnd: 2 }, encoding: { x, y, ...(hasSeries ? { color, xOffset } : {}) } } as const;
  if (values.length > MAX_LABELLED_BARS) return { ...common, ...bars };
  return {
    ...common,
    layer: [
      bars,
      {
        mark: { type: "text", baseline: "bottom", dy: -3, fontSize: 10, color: "#333" },
        encoding: {
          x,
          y,
          ...(hasSeries ? { xOffset } : {}),
          text: { field: "y", type: "quantitative", format: valueFormat, formatType: "number" },
        },
      },
    ],
  };
}

/** Bars from left to right: categories down the side, values along the bottom, each bar labelled at its end. */
function horizontalBars(
  common: Omit<TopLevelSpec, "mark" | "encoding" | "layer">, count: number, hasSeries: boolean,
  categoryAxis: Record<string, unknown>, valueAxis: Record<string, unknown>, color: Record<string, unknown>, valueFormat: string,
): TopLevelSpec {
  const y = { field: "x", type: "nominal", sort: null, axis: categoryAxis } as const;
  const x = { field: "y", type: "quantitative", axis: valueAxis } as const;
  const yOffset = { field: "series", type: "nominal", sort: null } as const;
  const bars = { mark: { type: "bar", cornerRadiusEnd: 2 }, encoding: { x, y, ...(hasSeries ? { color, yOffset } : {}) } };
  if (count > MAX_LABELLED_BARS) return { ...common, ...bars } as TopLevelSpec;
  const labels = {
    mark: { type: "text", align: "left", dx: 3, fontSize: 10, color: "#333" },
    encoding: { x, y, ...(hasSeries ? { yOffset } : {}), text: { field: "y", type: "quantitative", format: valueFormat, formatType: "number" } },
  };
  return { ...common, layer: [bars, labels] } as TopLevelSpec;
}

const FORMATS: Readonly<Record<ValueFormat, string>> = {
  number: ",.2~f",
  percent: ".1~%",
  // "$" is the currency of the locale in the config, set from ChartSpec.currency.
  money: "$,.2~f",
};

function chartConfig(size: ChartSize, currency = "CNY"): Config {
  const code = currency.toUpperCase();
  const symbol = CURRENCY_SYMBOLS[code] ?? (/^[A-Z]{3}$/.test(code) ? `${code} ` : "");
  return {
    font: CHART_FONT_FAMILY,
    // The shipped font has one weight: ask for no other, so layout and drawing agree.
    title: { fontSize: 16, fontWeight: "normal", subtitleFontSize: 12, subtitleColor: "#555", anchor: "start", limit: size.width - 2 * PADDING, offset: 10 },
    axis: { labelFontSize: AXIS_LABEL_SIZE, titleFontSize: 12, titleFontWeight: "normal", labelLimit: AXIS_LABEL_LIMIT, gridColor: "#eee" },
    axisX: { grid: false },
    legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: "normal", labelLimit: 160 },
    view: { stroke: null },
    locale: { number: { decimal: ".", thousands: ",", grouping: [3], currency: [symbol, ""] } },
  };
}

/** Whether the x labels fit side by side unrotated. */
function labelsFit(labels: readonly string[], plotWidth: number): boolean {
  if (labels.length === 0) return true;
  const band = plotWidth / labels.length;
  return labels.every((label) => Math.min(textWidth(label, AXIS_LABEL_SIZE), AXIS_LABEL_LIMIT) + 6 <= band);
}

function cleanPoint(point: ChartPoint): ChartPoint {
  const cleaned: ChartPoint = { x: cleanText(point.x, LABEL_MAX_CHARS), y: point.y };
  if (point.series !== undefined) cleaned.series = cleanText(point.series, LABEL_MAX_CHARS);
  return cleaned;
}

/**
 * Makes customer-supplied text safe to draw: XML 1.0 forbids C0 controls, lone surrogates and
 * U+FFFE/U+FFFF outright; line breaks and other controls become spaces; bidirectional overrides,
 * which could make a label read as something else, are dropped. Long text is cut with "…"
 * (vega also shortens what is wider than its room).
 */
export function cleanText(text: string, maxChars: number): string {
  const cleaned = text
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "")
    .replace(/[\u202A-\u202E\u2066-\u2069\uFFFE\uFFFF]/g, "")
    // eslint-disable-next-line no-control-regex -- control characters are what this removes
    .replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  const chars = [...cleaned];
  return chars.length <= maxChars ? cleaned : `${chars.slice(0, maxChars - 1).join("")}…`;
}
