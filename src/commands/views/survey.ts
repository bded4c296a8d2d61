import type { ChartSpec } from "../../reply/chart-spec.js";
import type { Block, Button, Message } from "../../reply/reply.js";
import type { SurveyStats, SurveyView } from "../../services/index.js";
import type { ReportPeriod } from "../../domain/time/report-period.js";
import type { RenderContext } from "../notification-types.js";

const SCALE = { CSAT: [1, 2, 3, 4, 5], NPS: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] } as const;

/** The question, in the customer's language: chat text, a template notice, or score buttons. */
export function surveyAsk(ctx: RenderContext, survey: SurveyView, via: "chat" | "template" | "buttons", reminder: boolean): Message {
  const question = ctx.t(survey.kind === "NPS" ? "survey.ask.nps" : "survey.ask.csat");
  const how = ctx.t(via === "buttons" ? "survey.ask.howButtons" : survey.kind === "NPS" ? "survey.ask.howNps" : "survey.ask.howCsat");
  const text = [reminder ? ctx.t("survey.ask.reminder") : null, question, how, via === "buttons" ? null : ctx.t("survey.ask.optOut")].filter((l): l is string => l !== null).join("\n");
  const blocks: Block[] = [{ type: "text", text }];
  if (via === "buttons") {
    blocks.push({ type: "buttons", buttons: SCALE[survey.kind].map((n): Button => ({ label: String(n), action: { id: "survey.answer", value: `${survey.id}:${n}` } })) });
  }
  return {
    visibility: "private",
    summary: question,
    blocks,
    ...(via === "template"
      ? { notice: { title: question, subject: ctx.t("survey.notice.subject"), time: ctx.f.dateTime(ctx.now), note: ctx.t(survey.kind === "NPS" ? "survey.notice.noteNps" : "survey.notice.noteCsat") } }
      : {}),
  };
}

/** Thanks, once; an apology and a promise of follow-up for a low score; an invitation to comment. */
export function surveyThanks(ctx: RenderContext, survey: SurveyView, low: boolean): Message {
  const lines = [ctx.t("survey.thanks"), low ? ctx.t("survey.thanks.sorry") : null, survey.comment ? null : ctx.t("survey.thanks.comment")];
  const text = lines.filter((l): l is string => l !== null).join("\n");
  return { visibility: "private", summary: text, blocks: [{ type: "text", text }] };
}

export function surveyOptedOut(ctx: RenderContext): Message {
  const text = ctx.t("survey.optedOut");
  return { visibility: "private", summary: text, blocks: [{ type: "text", text }] };
}

function scoreText(ctx: RenderContext, survey: SurveyView): string {
  return ctx.t(survey.kind === "NPS" ? "survey.score.nps" : "survey.score.csat", { score: survey.score ?? "?" });
}

/** The owner's alert: who rated what, the comment, who served, and the way to the conversation. */
export function surveyAlert(ctx: RenderContext, survey: SurveyView, thread: { channel: string; ts: string } | null, commentOnly: boolean): Message {
  const who = survey.contactName ?? survey.customerName;
  const title = ctx.t(commentOnly ? "survey.alert.commentTitle" : "survey.alert.title", { customer: survey.customerName });
  const blocks: Block[] = [
    { type: "header", text: title },
    { type: "text", text: ctx.t("survey.alert.rated", { contact: who, score: scoreText(ctx, survey) }) },
    { type: "text", text: survey.comment ? ctx.t("survey.alert.comment", { comment: survey.comment }) : ctx.t("survey.alert.noComment") },
    {
      type: "context",
      text: [survey.servedByName ? ctx.t("survey.alert.servedBy", { rep: survey.servedByName }) : null, survey.answeredAt ? ctx.f.dateTime(survey.answeredAt) : null]
        .filter((l): l is string => l !== null)
        .join(" · "),
    },
  ];
  const buttons: Button[] = [];
  if (thread) buttons.push({ label: ctx.t("survey.alert.openThread"), action: { id: "link.open", value: "thread" }, opens: { channel: thread.channel, thread: thread.ts }, style: "primary" });
  buttons.push({ label: ctx.t("button.open"), action: { id: "customer.show", value: survey.customerId } });
  blocks.push({ type: "buttons", buttons });
  return { visibility: "private", summary: title, blocks };
}

/** What a Slack Connect customer sees after pressing a score. */
export function surveyAnswered(ctx: RenderContext, outcome: "answered" | "already" | "closed" | "not-yours", survey: SurveyView | null): Message {
  const text =
    outcome === "answered" && survey
      ? `${ctx.t("survey.thanks")} ${ctx.t("survey.answered", { score: scoreText(ctx, survey) })}`
      : outcome === "already"
        ? ctx.t("survey.alreadyAnswered")
        : outcome === "not-yours"
          ? ctx.t("survey.notYours")
          : ctx.t("survey.closed");
  return { visibility: "private", summary: text, blocks: [{ type: "text", text }], replaceOriginal: outcome === "answered" || outcome === "already" };
}

function bar(n: number, max: number): string {
  return max === 0 ? "" : "█".repeat(Math.max(n > 0 ? 1 : 0, Math.round((10 * n) / max)));
}

function percent(ctx: RenderContext, value: number | null): string {
  return value === null ? "—" : `${ctx.f.number(value, 0)}%`;
}

/**
 * The answers per score as a bar chart, every score of the scale shown (a 0 is a finding too),
 * and the same counts in one line of text for platforms without images.
 */
function distributionChart(ctx: RenderContext, kind: "CSAT" | "NPS", distribution: Record<number, number>, total: number, period: string): Block {
  const points = SCALE[kind].map((score) => ({ x: String(score), y: distribution[score] ?? 0 }));
  const chart: ChartSpec = {
    kind: "bar",
    title: ctx.t(kind === "NPS" ? "csat.chart.npsTitle" : "csat.chart.csatTitle", { period }),
    xTitle: ctx.t("csat.chart.score"),
    yTitle: ctx.t("csat.chart.answers"),
    points,
  };
  const counts = points.map((p) => ctx.t("csat.chart.count", { score: p.x, count: ctx.f.number(p.y, 0) })).join(" · ");
  return { type: "chart", chart, alt: ctx.t(kind === "NPS" ? "csat.chart.npsAlt" : "csat.chart.csatAlt", { period, counts, total }) };
}

/** /crm csat: CSAT %, average, NPS, response rate and the distribution, or plainly nothing. */
export function surveyStatsView(ctx: RenderContext, stats: SurveyStats, period: ReportPeriod): Message {
  const label = ctx.t(`period.${period.label.key}`, { days: period.label.days ?? 0 });
  const title = ctx.t("csat.title", { period: label });
  const blocks: Block[] = [{ type: "header", text: title }];
  if (stats.asked === 0 && stats.csat.answers === 0 && stats.nps.answers === 0) {
    blocks.push({ type: "text", text: ctx.t("csat.empty", { period: label }) });
    return { visibility: "private", summary: title, blocks };
  }
  blocks.push({
    type: "fields",
    fields: [
      {
        label: ctx.t("csat.field.csat"),
        value: stats.csat.answers === 0 ? ctx.t("csat.noAnswers") : ctx.t("csat.csatValue", { percent: percent(ctx, stats.csat.percent), average: ctx.f.number(stats.csat.average ?? 0, 1), count: stats.csat.answers }),
      },
      {
        label: ctx.t("csat.field.nps"),
        value: stats.nps.answers === 0 || stats.nps.score === null ? ctx.t("csat.noAnswers") : ctx.t("csat.npsValue", { nps: `${stats.nps.score > 0 ? "+" : ""}${ctx.f.number(stats.nps.score, 0)}`, count: stats.nps.answers }),
      },
      { label: ctx.t("csat.field.response"), value: stats.asked === 0 ? "—" : ctx.t("csat.responseValue", { rate: percent(ctx, stats.responseRate), answered: stats.answered, asked: stats.asked }) },
    ],
  });
  if (stats.csat.answers > 0) {
    const max = Math.max(...SCALE.CSAT.map((s) => stats.csat.distribution[s] ?? 0));
    blocks.push({
      type: "list",
      title: ctx.t("csat.distribution"),
      items: [...SCALE.CSAT].reverse().map((s) => {
        const n = stats.csat.distribution[s] ?? 0;
        return { title: `${s} ${"★".repeat(s)}`, detail: `${bar(n, max)} ${n} (${percent(ctx, (100 * n) / stats.csat.answers)})` };
      }),
    });
    blocks.push(distributionChart(ctx, "CSAT", stats.csat.distribution, stats.csat.answers, label));
  }
  if (stats.nps.answers > 0) blocks.push(distributionChart(ctx, "NPS", stats.nps.distribution, stats.nps.answers, label));
  return { visibility: "private", summary: title, blocks };
}
