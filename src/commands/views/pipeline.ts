import type { Stage } from "../../domain/deals/pipeline.js";
import type { ReportPeriod } from "../../domain/time/report-period.js";
import type { ChartPoint } from "../../reply/chart-spec.js";
import type { Block, Message } from "../../reply/reply.js";
import type { ClosedLine, PipelineAnswer, PipelineOwners } from "../../services/index.js";
import type { AmountTotal } from "../../services/index.js";
import type { CommandContext } from "../types.js";
import { periodLabel, spanText } from "./report.js";

type ViewContext = Pick<CommandContext, "t" | "f" | "locale" | "now">;

/** A stage's name in the reader's language; a key the pipeline no longer has (an admin changed the stages) as it is stored. */
export const stageName = (ctx: Pick<CommandContext, "locale">, key: string, answer: PipelineAnswer): string => {
  const found: Stage | undefined = answer.pipeline.stage(key);
  return found ? found.names[ctx.locale] : key;
};

function ownersText(ctx: ViewContext, owners: PipelineOwners): string {
  switch (owners.kind) {
    case "me": return ctx.t("pipeline.owners.me");
    case "rep": return owners.name;
    case "team": return ctx.t("pipeline.owners.team", { names: ctx.f.list(owners.names) });
    case "everyone": return ctx.t("pipeline.owners.everyone");
  }
}

/** "CNY 4,000.00", with "(2 without an amount)" when some deals have none. */
function amountText(ctx: ViewContext, currency: string, total: AmountTotal | { total: { toString(): string }; withoutAmount: number }): string {
  const money = ctx.f.money(total.total.toString(), currency);
  return total.withoutAmount > 0 ? ctx.t("pipeline.withoutAmount", { amount: money, count: total.withoutAmount }) : money;
}

const percent = (ctx: ViewContext, share: number | null) => (share === null ? ctx.t("report.noValue") : `${ctx.f.number(share * 100, 1)}%`);

/** "Won 2 (CNY 5,000.00) · lost 1 (CNY 700.00) · win rate 66.7%". */
export function closedText(ctx: ViewContext, currency: string, line: ClosedLine): string {
  return ctx.t("pipeline.closedLine", {
    won: line.won.count, wonValue: amountText(ctx, currency, line.won), lost: line.lost.count, lostValue: amountText(ctx, currency, line.lost), rate: percent(ctx, line.winRate),
  });
}

/**
 * /pipeline: the open stages with count, total and weighted value; what is expected to close in
 * the period; won, lost and the win rate against the period before; the biggest movers of the
 * last week; and the stages as horizontal bars (total and weighted).
 */
export function pipelineView(ctx: ViewContext, answer: PipelineAnswer, period: ReportPeriod): Message {
  const { currency } = answer;
  const label = periodLabel(ctx, period);
  const title = ctx.t("pipeline.title", { owners: ownersText(ctx, answer.owners), period: label });
  const money = (v: { toString(): string }) => ctx.f.money(v.toString(), currency);
  const blocks: Block[] = [
    { type: "header", text: title },
    {
      type: "context",
      text: ctx.t("pipeline.open", { count: answer.open.count, total: amountText(ctx, currency, answer.open), weighted: money(answer.open.weighted) }),
    },
    {
      type: "fields",
      fields: answer.stages.map((s) => ({
        label: ctx.t("pipeline.stage", { name: s.stage.names[ctx.locale], probability: s.stage.probability }),
        value: ctx.t("pipeline.stageValue", { count: s.count, total: amountText(ctx, currency, s), weighted: money(s.weighted) }),
      })),
    },
    { type: "divider" },
    { type: "context", text: ctx.t("pipeline.closing", { period: label, span: spanText(ctx, period), count: answer.closing.total.count, total: amountText(ctx, currency, answer.closing.total) }) },
    {
      type: "list",
      items: answer.closing.deals.map((d) => ({
        title: ctx.t("pipeline.deal", { title: d.title, customer: d.customerName }),
        detail: ctx.t("pipeline.closingItem", {
          stage: stageName(ctx, d.stage, answer), amount: d.baseAmount === null ? ctx.t("pipeline.noAmount") : money(d.baseAmount),
          date: d.expectedCloseAt ? ctx.f.date(d.expectedCloseAt) : "—", owner: d.ownerName ?? ctx.t("card.noOwner"),
        }),
        button: { label: ctx.t("button.open"), action: { id: "customer.show", value: d.customerId } },
      })),
      empty: ctx.t("pipeline.closingNone", { period: label }),
    },
    { type: "divider" },
    { type: "context", text: ctx.t("pipeline.closedTitle", { period: label }) },
    { type: "text", text: closedText(ctx, currency, answer.closed) },
    { type: "context", text: ctx.t("pipeline.closedBefore", { line: closedText(ctx, currency, answer.previous) }) },
    { type: "divider" },
    { type: "context", text: ctx.t("pipeline.movers", { since: ctx.f.date(answer.moversSince) }) },
    {
      type: "list",
      items: answer.movers.map((m) => ({
        title: ctx.t("pipeline.deal", { title: m.title, customer: m.customerName }),
        detail: ctx.t(m.forward ? "pipeline.moverForward" : "pipeline.moverBack", {
          from: stageName(ctx, m.from, answer), to: stageName(ctx, m.stage, answer), amount: m.baseAmount === null ? ctx.t("pipeline.noAmount") : money(m.baseAmount),
        }),
        button: { label: ctx.t("button.open"), action: { id: "customer.show", value: m.customerId } },
      })),
      empty: ctx.t("pipeline.moversNone"),
    },
    { type: "chart", ...stageChart(ctx, answer, title) },
  ];
  return { visibility: "private", summary: `${title}: ${ctx.t("pipeline.weighted")} ${money(answer.open.weighted)}`, blocks };
}

/** The open stages as horizontal bars, total and weighted side by side. */
function stageChart(ctx: ViewContext, answer: PipelineAnswer, subtitle: string) {
  const total = ctx.t("pipeline.chart.total");
  const weighted = ctx.t("pipeline.weighted");
  const points: ChartPoint[] = answer.stages.flatMap((s) => [
    { x: s.stage.names[ctx.locale], y: s.total.toNumber(), series: total },
    { x: s.stage.names[ctx.locale], y: s.weighted.toNumber(), series: weighted },
  ]);
  const title = ctx.t("pipeline.chart.title");
  const figures = answer.stages.map((s) => `${s.stage.names[ctx.locale]} ${ctx.f.number(s.total.toNumber(), 0)} / ${ctx.f.number(s.weighted.toNumber(), 0)}`).join(", ");
  return {
    chart: { kind: "bar" as const, horizontal: true, title, subtitle, xTitle: ctx.t("pipeline.chart.stage"), yTitle: answer.currency, points, valueFormat: "money" as const, currency: answer.currency },
    alt: ctx.t("pipeline.chart.alt", { title, unit: answer.currency, figures }),
  };
}
