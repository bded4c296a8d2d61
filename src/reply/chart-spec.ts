/**
 * Our own description of a chart: plain data that any caller (a report command, a job) can
 * build, with nothing of the rendering library in it. render-chart.ts turns it into a PNG.
 */

export type ChartKind = "line" | "bar" | "pie";

/**
 * How values are written on the axis and on the marks.
 * - number: 1,234.5
 * - percent: values are fractions, 0.25 is written 25%
 * - money: 1,234.5 after the symbol of `currency`
 */
export type ValueFormat = "number" | "percent" | "money";

export interface ChartPoint {
  /** The category or period, e.g. "2026-03", "微信", "5". Shown as given, in the order given. */
  x: string;
  y: number;
  /** Splits a line or bar chart into several coloured series (one line, or one bar per x). */
  series?: string;
}

export interface ChartSpec {
  kind: ChartKind;
  title: string;
  subtitle?: string;
  xTitle?: string;
  yTitle?: string;
  points: readonly ChartPoint[];
  valueFormat?: ValueFormat;
  /** ISO 4217 code for valueFormat "money"; CNY when left out. */
  currency?: string;
  /** A bar chart only: bars run left to right, one row per category (long names such as pipeline stages stay readable). */
  horizontal?: boolean;
}

export class ChartSpecError extends Error {
  override name = "ChartSpecError";
}

/** Throws a ChartSpecError for data no chart can show truthfully. */
export function checkChartSpec(spec: ChartSpec): void {
  for (const point of spec.points) {
    if (!Number.isFinite(point.y)) {
      throw new ChartSpecError(`The value for "${point.x}" is not a finite number.`);
    }
    if (spec.kind === "pie" && point.y < 0) {
      throw new ChartSpecError(`A pie chart cannot show the negative value for "${point.x}".`);
    }
  }
}
