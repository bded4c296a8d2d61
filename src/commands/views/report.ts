import type { MeasureName } from "../../domain/measures.js";
import type { ReportPeriod } from "../../domain/time/report-period.js";
import { changeText } from "./change.js";
import { CHANNELS } from "../../domain/interaction-channel.js";
import type { Block, Field, Message } from "../../reply/reply.js";
import type { PeriodFigures, Report } from "../../services/index.js";
import type { RenderContext } from "../notification-types.js";
import { channelChart, revenueTrendChart, type ChartContext } from "./report-charts.js";

type Span = { from: Date; to: Date };

/** "this quarter", "last month", "in the last 90 days". */
export function periodLabel(ctx: RenderContext, period: Pick<ReportPeriod, "label">): string {
  return ctx.t(`period.${period.label.key}`, { days: period.label.days ?? 0 });
}

/**
 * "Nov 1, 2026 – Nov 23, 2026, 14:00" for a span that stops at a moment (now, or the same moment
 * of the last period), "Oct 1, 2026 – Oct 31, 2026" for one that ends at a day's end.
 */
export function spanText(ctx: RenderContext, span: Span, endsAt?: Date): string {
  const end = endsAt ?? span.to;
  const midnight = ctx.f.dateTime(end).endsWith("00:00");
  const last = midnight ? ctx.f.date(new Date(end.getTime() - 1)) : ctx.f.dateTime(end);
  return `${ctx.f.date(span.from)} – ${last}`;
}

/** "35 min", "2 h 15 min", "3 d 4 h". */
export function durationText(ctx: RenderContext, ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return ctx.t("duration.minutes", { m: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return ctx.t("duration.hours", { h: hours, m: minutes % 60 });
  return ctx.t("duration.days", { d: Math.floor(hours / 24), h: hours % 24 });
}

const percent = (ctx: RenderContext, share: number) => `${ctx.f.number(share * 100, 1)}%`;

/** A value, its change against the previous period as the measure's kind has it, and the previous value. */
export function withChange(ctx: RenderContext, measure: MeasureName, current: number | null, previous: number | null, format: (value: number) => string): string {
  const value = current === null ? ctx.t("report.noValue") : format(current);
  const before = previous === null ? ctx.t("report.noValue") : format(previous);
  const text = changeText(ctx, measure, current, previous);
  return text === null ? ctx.t("report.valueBefore", { value, previous: before }) : ctx.t("report.valueChange", { value, change: text, previous: before });
}

function salesFields(ctx: RenderContext, report: Report): Field[] {
  const { current: c, previous: p, currency } = report;
  const money = (v: number) => ctx.f.money(v, currency);
  const count = (v: number) => ctx.f.number(v, 0);
  return [
    { label: ctx.t("report.revenue"), value: withChange(ctx, "revenue", c.revenue, p.revenue, money) },
    { label: ctx.t("report.orders"), value: withChange(ctx, "orders", c.orders, p.orders, count) },
    { label: ctx.t("report.aov"), value: withChange(ctx, "averageOrderValue", c.averageOrderValue, p.averageOrderValue, money) },
    { label: ctx.t("report.buyers"), value: withChange(ctx, "buyers", c.buyers, p.buyers, count) },
    { label: ctx.t("report.frequency"), value: withChange(ctx, "purchaseFrequency", c.purchaseFrequency, p.purchaseFrequency, (v) => ctx.f.number(v, 2)) },
    { label: ctx.t("report.repeatRate"), value: withChange(ctx, "repeatRate", c.repeatRate, p.repeatRate, (v) => percent(ctx, v)) },
  ];
}

/** Deals won and lost in each period (by when they closed), their value and the win rate. */
function pipelineFields(ctx: RenderContext, report: Report): Field[] {
  const { current: c, previous: p, currency } = report;
  const count = (v: number) => ctx.f.number(v, 0);
  return [
    { label: ctx.t("report.won"), value: withChange(ctx, "dealsWon", c.pipeline.won.count, p.pipeline.won.count, count) },
    { label: ctx.t("report.wonValue"), value: withChange(ctx, "wonValue", Number(c.pipeline.won.total), Number(p.pipeline.won.total), (v) => ctx.f.money(v, currency)) },
    { label: ctx.t("report.lost"), value: withChange(ctx, "dealsLost", c.pipeline.lost.count, p.pipeline.lost.count, count) },
    { label: ctx.t("report.winRate"), value: withChange(ctx, "winRate", c.pipeline.winRate, p.pipeline.winRate, (v) => percent(ctx, v)) },
  ];
}

function customerFields(ctx: RenderContext, c: PeriodFigures, p: PeriodFigures): Field[] {
  const count = (v: number) => ctx.f.number(v, 0);
  return [
    { label: ctx.t("report.newLeads"), value: withChange(ctx, "newLeads", c.newLeads, p.newLeads, count) },
    { label: ctx.t("report.newCustomers"), value: withChange(ctx, "newCustomers", c.newCustomers, p.newCustomers, count) },
    { label: ctx.t("report.conversion"), value: withChange(ctx, "conversionRate", c.conversionRate, p.conversionRate, (v) => percent(ctx, v)) },
  ];
}

function interactionFields(ctx: RenderContext, c: PeriodFigures, p: PeriodFigures): Field[] {
  const count = (v: number) => ctx.f.number(v, 0);
  const fields: Field[] = [{ label: ctx.t("report.interactions"), value: withChange(ctx, "interactions", c.interactionTotal, p.interactionTotal, count) }];
  for (const channel of CHANNELS) {
    const value = withChange(ctx, "interactions", c.interactions[channel], p.interactions[channel], count);
    const split = channel === "WECHAT" ? ` · ${ctx.t("report.wechatSplit", { inbound: count(c.interactions.wechatInbound), outbound: count(c.interactions.wechatOutbound) })}` : "";
    fields.push({ label: ctx.t(`channelName.${channel}`), value: value + split });
  }
  return fields;
}

function responseBlock(ctx: RenderContext, c: PeriodFigures, p: PeriodFigures): Block {
  if (c.firstResponse.waits === 0) return { type: "text", text: ctx.t("report.noWaits") };
  const r = c.firstResponse;
  const q = p.firstResponse;
  return {
    type: "fields",
    fields: [
      { label: ctx.t("report.waits"), value: withChange(ctx, "interactions", r.waits, q.waits, (v) => ctx.f.number(v, 0)) },
      { label: ctx.t("report.median"), value: withChange(ctx, "firstResponseMedian", r.medianMs, q.medianMs, (v) => durationText(ctx, v)) },
      { label: ctx.t("report.withinHour"), value: withChange(ctx, "answeredWithinTarget", r.withinTarget, q.withinTarget, (v) => percent(ctx, v)) },
      { label: ctx.t("report.unanswered"), value: withChange(ctx, "unanswered", r.unanswered, q.unanswered, (v) => ctx.f.number(v, 0)) },
    ],
  };
}

function satisfactionBlock(ctx: RenderContext, c: PeriodFigures, p: PeriodFigures): Block {
  const s = c.satisfaction;
  const q = p.satisfaction;
  // Without answers there is no satisfaction to show: a 0% or an empty NPS would read as a verdict.
  if (s.csat.answers + s.nps.answers === 0) return { type: "text", text: ctx.t("report.noSurveys") };
  const share = (v: number | null) => (v === null ? null : v / 100);
  const fields: Field[] = [];
  if (s.csat.answers > 0) {
    fields.push(
      { label: ctx.t("report.csat", { count: s.csat.answers }), value: withChange(ctx, "csatPercent", share(s.csat.percent), share(q.csat.percent), (v) => percent(ctx, v)) },
      { label: ctx.t("report.csatAverage"), value: withChange(ctx, "csatAverage", s.csat.average, q.csat.average, (v) => `${ctx.f.number(v, 2)}/5`) },
    );
  }
  if (s.nps.answers > 0) {
    fields.push({ label: ctx.t("report.nps", { count: s.nps.answers }), value: withChange(ctx, "nps", s.nps.score, q.nps.score, (v) => `${v > 0 ? "+" : ""}${ctx.f.number(v, 0)}`) });
  }
  fields.push({ label: ctx.t("report.responseRate"), value: withChange(ctx, "responseRate", share(s.responseRate), share(q.responseRate), (v) => percent(ctx, v)) });
  return { type: "fields", fields };
}

export const REPORT_TITLES = { weekly: "report.title.weekly", monthly: "report.title.monthly", quarterly: "report.title.quarterly", yearly: "report.title.yearly" } as const;

const LABELS = {
  current: { weekly: "thisWeek", monthly: "thisMonth", quarterly: "thisQuarter", yearly: "thisYear" },
  last: { weekly: "lastWeek", monthly: "lastMonth", quarterly: "lastQuarter", yearly: "lastYear" },
} as const;

/** The two spans a report compares, as the header's second line says them. */
export function reportSpansText(ctx: RenderContext, report: Report): { current: string; previous: string } {
  const stopsAt = (span: Span) => (report.which === "current" ? span.to : undefined);
  return { current: spanText(ctx, report.current.span, stopsAt(report.current.span)), previous: spanText(ctx, report.previous.span, stopsAt(report.previous.span)) };
}

/** The report: every measure with its change, the two charts, and nothing misleading where there is nothing to measure. */
export function reportView(ctx: ChartContext, report: Report): Message {
  const title = ctx.t("report.title", { report: ctx.t(REPORT_TITLES[report.kind]), period: ctx.t(`period.${LABELS[report.which][report.kind]}`) });
  const spans = reportSpansText(ctx, report);
  const { current: c, previous: p } = report;
  const blocks: Block[] = [
    { type: "header", text: title },
    { type: "context", text: ctx.t("report.compared", spans) },
    { type: "context", text: ctx.t("report.section.sales", { currency: report.currency }) },
    { type: "fields", fields: salesFields(ctx, report) },
    { type: "divider" },
    { type: "context", text: ctx.t("report.section.pipeline", { currency: report.currency }) },
    { type: "fields", fields: pipelineFields(ctx, report) },
    { type: "divider" },
    { type: "context", text: ctx.t("report.section.customers") },
    { type: "fields", fields: customerFields(ctx, c, p) },
    { type: "divider" },
    { type: "context", text: ctx.t("report.section.interactions") },
    { type: "fields", fields: interactionFields(ctx, c, p) },
    { type: "divider" },
    { type: "context", text: ctx.t("report.section.response") },
    responseBlock(ctx, c, p),
    { type: "divider" },
    { type: "context", text: ctx.t("report.section.satisfaction") },
    satisfactionBlock(ctx, c, p),
    { type: "chart", ...revenueTrendChart(ctx, report, spans) },
    { type: "chart", ...channelChart(ctx, report, spans) },
  ];
  return { visibility: "private", summary: `${title}: ${ctx.t("report.revenue")} ${ctx.f.money(c.revenue, report.currency)}`, blocks };
}
