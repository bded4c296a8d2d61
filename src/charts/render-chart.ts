/**
 * Renders a ChartSpec to PNG inside the process: Vega-Lite compiles it to Vega, a headless
 * Vega view draws it to SVG, and resvg rasterises the SVG with the shipped CJK font only
 * (never the host's fonts, so a chart looks the same on every machine).
 */
import { renderAsync, type ResvgRenderOptions } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile } from "vega-lite";
import { CHART_FONT_FAMILY, CHART_FONT_PATH, chartFontMetrics, textWidth } from "./chart-font.js";
import { checkChartSpec, type ChartSpec } from "../reply/chart-spec.js";
import { toVegaLite } from "./vega-lite-spec.js";

export interface RenderOptions {
  /** Width of the chart in CSS pixels; the PNG is width * scale pixels wide. Default 640. */
  width?: number;
  /** Height in CSS pixels. Default: 5/8 of the width. */
  height?: number;
  /** Pixels per CSS pixel, 2 for sharp text on high-density screens. Default 2. */
  scale?: number;
}

export const DEFAULT_CHART_WIDTH = 640;
export const DEFAULT_CHART_SCALE = 2;
const MIN_SIDE = 120;
const MAX_SIDE = 4000;

interface VegaTextItem {
  fontSize?: number;
  limit?: number;
}
interface VegaTextMetrics {
  width: (item: VegaTextItem, text: unknown) => number;
}

/** Vega warns on stdout about things like an empty domain; a chart is still drawn. */
const quietLogger: vega.LoggerInterface = {
  level(): number {
    return 0;
  },
  error(): typeof quietLogger {
    return quietLogger;
  },
  warn(): typeof quietLogger {
    return quietLogger;
  },
  info(): typeof quietLogger {
    return quietLogger;
  },
  debug(): typeof quietLogger {
    return quietLogger;
  },
};

let ready = false;

/**
 * Once per process: read the font's metrics and let Vega measure text with them. Vega keeps
 * one text measurer for the whole process; charts are its only user here.
 */
function prepare(): void {
  if (ready) return;
  chartFontMetrics();
  const metrics = (vega as unknown as { textMetrics: VegaTextMetrics }).textMetrics;
  metrics.width = (item, text) => {
    const fontSize = item.fontSize ?? 11;
    const line = typeof text === "string" ? text.trim() : typeof text === "number" ? String(text) : "";
    const width = fontSize <= 0 ? 0 : textWidth(line, fontSize);
    // Vega shortens text wider than `limit` with an ellipsis; what it draws is no wider.
    return item.limit !== undefined && item.limit > 0 ? Math.min(width, item.limit) : width;
  };
  ready = true;
}

function resvgOptions(scale: number): ResvgRenderOptions {
  return {
    font: {
      loadSystemFonts: false,
      fontFiles: [CHART_FONT_PATH],
      defaultFontFamily: CHART_FONT_FAMILY,
      sansSerifFamily: CHART_FONT_FAMILY,
      serifFamily: CHART_FONT_FAMILY,
      monospaceFamily: CHART_FONT_FAMILY,
    },
    fitTo: { mode: "zoom", value: scale },
    background: "white",
    shapeRendering: 2,
    textRendering: 1,
    logLevel: "off",
  };
}

/** The SVG of a chart, before rasterising; useful to look at or to test. */
export async function renderChartSvg(spec: ChartSpec, options: RenderOptions = {}): Promise<string> {
  checkChartSpec(spec);
  prepare();
  const width = side(options.width ?? DEFAULT_CHART_WIDTH, "width");
  const height = side(options.height ?? Math.round((width * 5) / 8), "height");
  const { spec: vegaSpec } = compile(toVegaLite(spec, { width, height }), { logger: quietLogger });
  const view = new vega.View(vega.parse(vegaSpec), { renderer: "none", logger: quietLogger });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export async function renderChartPng(spec: ChartSpec, options: RenderOptions = {}): Promise<Buffer> {
  const scale = options.scale ?? DEFAULT_CHART_SCALE;
  if (!(scale > 0 && scale <= 8)) throw new RangeError(`Chart scale must be in (0, 8], not ${scale}.`);
  const svg = await renderChartSvg(spec, options);
  // Rasterised on libuv's thread pool, off the event loop.
  const image = await renderAsync(svg, resvgOptions(scale));
  return image.asPng();
}

function side(value: number, name: string): number {
  if (!Number.isInteger(value) || value < MIN_SIDE || value > MAX_SIDE) {
    throw new RangeError(`Chart ${name} must be a whole number from ${MIN_SIDE} to ${MAX_SIDE}, not ${value}.`);
  }
  return value;
}
