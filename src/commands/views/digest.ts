import { instantOfLocalTime } from "../../domain/time/calendar-date.js";
import type { Block, Field, Message } from "../../reply/reply.js";
import type { ChartSpec } from "../../reply/chart-spec.js";
import type { DayRevenue, DigestContent } from "../../services/digest/build-digest.js";
import type { RenderContext } from "../notification-types.js";
import { changeText } from "./change.js";
import { qualityDropsText } from "./data-quality.js";
import { stageReasonText } from "./stage-reason.js";

function dayLabel(ctx: RenderContext, day: string, timezone: string): string {
  return ctx.f.date(instantOfLocalTime(day, timezone));
}

function revenueLine(ctx: RenderContext, content: DigestContent): string {
  const money = (r: DayRevenue) => ctx.f.money(r.revenue, content.currency);
  const { day, dayBefore, sameWeekdayLastWeek } = content.revenue;
  return ctx.t("digest.revenueValue", {
    revenue: money(day),
    orders: day.orders,
    dayBefore: money(dayBefore),
    dayBeforeChange: changeText(ctx, "revenue", day.revenue, dayBefore.revenue) ?? ctx.t("change.none"),
    lastWeek: money(sameWeekdayLastWeek),
    lastWeekChange: changeText(ctx, "revenue", day.revenue, sameWeekdayLastWeek.revenue) ?? ctx.t("change.none"),
  });
}

/** The digest's one chart: daily revenue over the last two weeks, ending with the day reported on. */
export function digestChart(ctx: RenderContext, content: DigestContent): { chart: ChartSpec; alt: string } {
  const points = content.trend.map((d) => ({ x: d.day.slice(5), y: d.revenue }));
  const title = ctx.t("digest.chart.title", { days: content.trend.length });
  const total = content.trend.reduce((sum, d) => sum + d.revenue, 0);
  const best = content.trend.reduce<{ day: string; revenue: number } | undefined>((top, d) => (top && top.revenue >= d.revenue ? top : d), undefined);
  if (!best || best.revenue === 0) {
    return { chart: { kind: "line", title, points, valueFormat: "money", currency: content.currency, yTitle: ctx.t("digest.chart.revenue") }, alt: ctx.t("digest.chart.altNone", { days: content.trend.length }) };
  }
  return {
    chart: { kind: "line", title, points, valueFormat: "money", currency: content.currency, yTitle: ctx.t("digest.chart.revenue") },
    alt: ctx.t("digest.chart.alt", { days: content.trend.length, total: ctx.f.money(total, content.currency), best: dayLabel(ctx, best.day, content.timezone), bestRevenue: ctx.f.money(best.revenue, content.currency) }),
  };
}

/** The morning digest as one message: a line on a quiet day, else the day's figures, what is due and one chart. */
export function digestView(ctx: RenderContext, content: DigestContent): Message {
  const date = dayLabel(ctx, content.day, content.timezone);
  const title = ctx.t("digest.title", { date });
  // One line when the data quality fell since an earlier digest's figures, quiet day or not.
  const quality = content.quality ? ctx.t("digest.quality", { date: ctx.f.date(instantOfLocalTime(content.quality.since, content.timezone)), drops: qualityDropsText(ctx, content.quality.drops) }) : null;
  if (content.quiet) {
    const text = [ctx.t("digest.quiet", { date }), ...(quality ? [quality] : [])].join("\n");
    return { visibility: "private", summary: text, blocks: [{ type: "text", text }] };
  }
  const fields: Field[] = [
    { label: ctx.t("digest.field.newLeads"), value: ctx.f.number(content.newLeads, 0) },
    { label: ctx.t("digest.field.newCustomers"), value: ctx.f.number(content.newCustomers, 0) },
    { label: ctx.t("digest.field.revenue"), value: revenueLine(ctx, content) },
    {
      label: ctx.t("digest.field.interactions"),
      value: content.interactions.length === 0 ? ctx.t("digest.none") : content.interactions.map((i) => `${ctx.t(`channelName.${i.channel}`)} ${ctx.f.number(i.count, 0)}`).join(" · "),
    },
  ];
  const blocks: Block[] = [{ type: "header", text: title }, { type: "fields", fields }];
  const { moved, won, lost } = content.pipeline;
  if (moved.count + won.count + lost.count > 0) {
    const money = (total: string) => ctx.f.money(total, content.currency);
    blocks.push({ type: "text", text: ctx.t("digest.pipeline", { moved: moved.count, movedValue: money(moved.total), won: won.count, wonValue: money(won.total), lost: lost.count, lostValue: money(lost.total) }) });
  }

  if (content.reminders.length > 0) {
    blocks.push({
      type: "list",
      title: ctx.t("digest.reminders"),
      items: content.reminders.map((r) => ({
        title: ctx.t("digest.reminders.rep", { name: r.name, count: r.count }),
        // Customers only: a reminder's own words are the rep's notes, not the channel's business.
        // The first few only: the rest are each rep's own, in their /remind list.
        detail: [
          ...new Set(r.first.map((f) => f.customerName).filter((n): n is string => n !== null)),
          ...(r.count > r.first.length ? [ctx.t("digest.reminders.more", { count: r.count - r.first.length })] : []),
        ].join(" · "),
      })),
    });
  }
  if (content.atRisk.total > 0) {
    blocks.push({
      type: "list",
      title: ctx.t("digest.atRisk", { count: content.atRisk.total }),
      items: content.atRisk.items.map((c) => ({
        title: c.customerName,
        detail: `${stageReasonText(ctx, c.reason)}${c.ownerName ? ` · ${ctx.t("digest.owner", { name: c.ownerName })}` : ""}`,
        button: { label: ctx.t("button.open"), action: { id: "customer.show", value: c.customerId } },
      })),
    });
    if (content.atRisk.total > content.atRisk.items.length) blocks.push({ type: "context", text: ctx.t("digest.atRisk.more", { shown: content.atRisk.items.length, total: content.atRisk.total }) });
  }
  const { csat, nps } = content.surveys;
  if (csat.answers + nps.answers > 0) {
    const parts: string[] = [];
    if (csat.answers > 0) parts.push(ctx.t("digest.surveys.csat", { count: csat.answers, percent: ctx.f.number(csat.percent ?? 0, 0), average: ctx.f.number(csat.average ?? 0, 1) }));
    if (nps.answers > 0) parts.push(ctx.t("digest.surveys.nps", { count: nps.answers, nps: ctx.f.number(nps.score ?? 0, 0) }));
    blocks.push({
      type: "list",
      title: ctx.t("digest.surveys", { summary: parts.join(" · ") }),
      items: content.lowScores.map((s) => ({
        title: ctx.t("digest.lowScore", { customer: s.customerName, kind: s.kind, score: s.score }),
        detail: [s.comment ? `“${s.comment.slice(0, 140)}”` : "", s.servedByName ? ctx.t("digest.servedBy", { name: s.servedByName }) : ""].filter(Boolean).join(" · "),
      })),
    });
    if (content.lowScoreTotal > content.lowScores.length) {
      blocks.push({ type: "context", text: ctx.t("digest.lowScores.more", { shown: content.lowScores.length, total: content.lowScoreTotal }) });
    }
  }
  if (quality) blocks.push({ type: "context", text: quality });
  const chart = digestChart(ctx, content);
  blocks.push({ type: "chart", ...chart });
  return { visibility: "shared", summary: title, blocks };
}
