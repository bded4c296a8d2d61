import { CHANNELS } from "../../domain/interaction-channel.js";
import type { ChartPoint, ChartSpec } from "../../reply/chart-spec.js";
import type { Report, TrendPoint } from "../../services/index.js";
import type { CommandContext } from "../types.js";

export type ChartContext = Pick<CommandContext, "t" | "f" | "now" | "locale">;

interface ChartBlock {
  chart: ChartSpec;
  /** The same figures as one line of text, for platforms without images and for screen readers. */
  alt: string;
}

const TREND_TITLES = { day: "report.chart.revenueByDay", week: "report.chart.revenueByWeek", month: "report.chart.revenueByMonth" } as const;

/**
 * The x label of a trend position: the weekday for a week, the day of the month for a month,
 * "W3" for a quarter's weeks, the month's name for a year. Both periods line up by position.
 */
function positionLabel(ctx: ChartContext, report: Report, point: TrendPoint): string {
  const noon = new Date(`${point.date}T12:00:00Z`);
  if (report.step === "week") return ctx.t("report.chart.week", { n: point.position });
  if (report.step === "month") return new Intl.DateTimeFormat(ctx.locale, { month: "short", timeZone: "UTC" }).format(noon);
  if (report.kind === "weekly") return new Intl.DateTimeFormat(ctx.locale, { weekday: "short", timeZone: "UTC" }).format(noon);
  return String(point.position);
}

/** The revenue trend, current and previous period as two lines aligned by position. */
export function revenueTrendChart(ctx: ChartContext, report: Report, spans: { current: string; previous: string }): ChartBlock {
  const title = ctx.t(TREND_TITLES[report.step]);
  const labels = new Map<number, string>();
  for (const p of [...report.previous.trend, ...report.current.trend]) labels.set(p.position, positionLabel(ctx, report, p));
  const series = (trend: TrendPoint[], name: string): ChartPoint[] => trend.map((p) => ({ x: labels.get(p.position) ?? String(p.position), y: p.revenue, series: name }));
  // Order by position, so the x axis runs through the period even where only one series has a point.
  const points = [...series(report.current.trend, spans.current), ...series(report.previous.trend, spans.previous)];
  const order = [...labels.entries()].sort((a, b) => a[0] - b[0]).map(([, label]) => label);
  points.sort((a, b) => order.indexOf(a.x) - order.indexOf(b.x));
  const figures = (trend: TrendPoint[]) => trend.map((p) => `${labels.get(p.position)} ${ctx.f.number(p.revenue, 0)}`).join(", ");
  return {
    chart: { kind: "line", title, subtitle: ctx.t("report.compared", spans), yTitle: ctx.t("report.revenue"), points, valueFormat: "money", currency: report.currency },
    alt: ctx.t("report.chart.alt", { title, unit: report.currency, current: spans.current, currentFigures: figures(report.current.trend), previous: spans.previous, previousFigures: figures(report.previous.trend) }),
  };
}

/** Interactions by channel, one bar per channel for each period. */
export function channelChart(ctx: ChartContext, report: Report, spans: { current: string; previous: string }): ChartBlock {
  const title = ctx.t("report.chart.channels");
  const points: ChartPoint[] = CHANNELS.flatMap((channel) => [
    { x: ctx.t(`channelName.${channel}`), y: report.current.interactions[channel], series: spans.current },
    { x: ctx.t(`channelName.${channel}`), y: report.previous.interactions[channel], series: spans.previous },
  ]);
  const figures = (counts: Report["current"]["interactions"]) => CHANNELS.map((c) => `${ctx.t(`channelName.${c}`)} ${ctx.f.number(counts[c], 0)}`).join(", ");
  return {
    chart: { kind: "bar", title, subtitle: ctx.t("report.compared", spans), yTitle: ctx.t("report.interactions"), points, valueFormat: "number" },
    alt: ctx.t("report.chart.alt", { title, unit: ctx.t("report.chart.count"), current: spans.current, currentFigures: figures(report.current.interactions), previous: spans.previous, previousFigures: figures(report.previous.interactions) }),
  };
}
