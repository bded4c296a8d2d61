import { z } from "zod";
import { invalidInput } from "../domain/errors.js";
import { lastDays, parsePeriod, type ReportPeriod } from "../domain/time/report-period.js";
import type { SurveyKind } from "../domain/surveys/survey-answer.js";
import type { Outcome } from "../reply/reply.js";
import { withCustomer } from "./customer-picker.js";
import { MAX_NAME_LENGTH } from "./customer.js";
import type { ActionHandler, CommandContext, CommandDefinition } from "./types.js";
import type { RenderContext } from "./notification-types.js";
import { surveyAnswered, surveyStatsView } from "./views/survey.js";
import { shareButton } from "./views/share.js";

const KIND_WORDS: Readonly<Record<string, SurveyKind>> = { csat: "CSAT", nps: "NPS", 满意度: "CSAT", 推荐度: "NPS" };

/** A Slack user as a slash command escapes them: <@U123ABC> or <@U123ABC|jane>. */
const SLACK_MENTION = /<@([UW][A-Z0-9]{2,20})(?:\|([^>]{0,80}))?>/;

export interface SurveyRequest {
  /** The customer's name as typed (may be empty when a Slack person is named). */
  query: string;
  kind: SurveyKind;
  slackUser?: { id: string; name: string };
}

/** "/survey <customer or contact> [csat|nps]", or "/survey <@U…> [customer] [csat|nps]". */
export function parseSurveyText(text: string): SurveyRequest {
  let rest = text.trim();
  let slackUser: SurveyRequest["slackUser"];
  const mention = SLACK_MENTION.exec(rest);
  if (mention) {
    slackUser = { id: mention[1]!, name: mention[2]?.trim() || mention[1]! };
    rest = (rest.slice(0, mention.index) + rest.slice(mention.index + mention[0].length)).trim();
  }
  let kind: SurveyKind = "CSAT";
  const last = /\s*(\S+)$/.exec(rest);
  const word = last?.[1]?.toLowerCase();
  if (last && word && KIND_WORDS[word]) {
    kind = KIND_WORDS[word];
    rest = rest.slice(0, last.index).trim();
  }
  if (!rest && !slackUser) throw invalidInput("survey.usage");
  if (rest.length > MAX_NAME_LENGTH) throw invalidInput("customer.nameTooLong", { length: rest.length, max: MAX_NAME_LENGTH });
  return { query: rest, kind, ...(slackUser ? { slackUser } : {}) };
}

async function send(ctx: CommandContext, request: SurveyRequest, customerId: string | null, customerName: string | null): Promise<Outcome> {
  const started = await ctx.services.surveyCustomer(ctx.rep, { customerId, kind: request.kind, ...(request.slackUser ? { slackUser: request.slackUser } : {}) });
  const params = { kind: request.kind, contact: started.contactName, customer: customerName ?? started.contactName };
  const key =
    started.delivery === "waiting"
      ? "survey.started.waiting"
      : started.survey.via === "template"
        ? "survey.started.template"
        : started.platform === "slack"
          ? "survey.started.slack"
          : "survey.started.wechat";
  const text = ctx.t(key, params);
  return { kind: "message", message: { visibility: "private", summary: text, blocks: [{ type: "text", text }] } };
}

async function runSurvey(ctx: CommandContext, text: string): Promise<Outcome> {
  const request = parseSurveyText(text);
  if (!request.query) return send(ctx, request, null, null);
  return withCustomer(ctx, request.query, { command: "survey", rest: request.kind.toLowerCase() }, (customer) => send(ctx, request, customer.id, customer.name));
}

export const surveyCommand: CommandDefinition & { withCustomer(ctx: CommandContext, customer: { id: string; name: string }, rest: string): Promise<Outcome> } = {
  name: "survey",
  help: [{ usage: ["/survey <customer> [csat|nps]", "/survey <@person> <customer> [csat|nps]"], description: "help.survey", examples: ["/survey Acme", "/survey 阿里巴巴 nps"] }],
  run: runSurvey,
  withCustomer: (ctx, customer, rest) => send(ctx, { query: customer.name, kind: KIND_WORDS[rest.trim().toLowerCase()] ?? "CSAT" }, customer.id, customer.name),
};

async function showStats(ctx: CommandContext, text: string): Promise<Outcome> {
  const trimmed = text.trim();
  const period = trimmed ? parsePeriod(trimmed, ctx.now, ctx.timezone) : lastDays(30, ctx.now);
  if (!period) throw invalidInput("csat.badPeriod", { text: trimmed.slice(0, 60) });
  return showCsat(ctx, period, trimmed);
}

/** Satisfaction figures for a period; `periodText` is how it was written, for the share button. */
export async function showCsat(ctx: CommandContext, period: ReportPeriod, periodText: string): Promise<Outcome> {
  const stats = await ctx.services.getSurveyStats(period);
  const message = surveyStatsView(ctx, stats, period);
  message.blocks.push({ type: "buttons", buttons: [shareButton(ctx, { id: "csat.show", value: periodText.slice(0, 100) })] });
  return { kind: "message", message };
}

/** /crm csat [period]: satisfaction figures for the team. */
export const csatCommand: CommandDefinition = {
  name: "csat",
  slash: false,
  help: [{ usage: ["/crm csat [period]"], description: "help.csat", examples: ["/crm csat", "/crm csat this quarter", "/crm 满意度 本月"] }],
  run: showStats,
};

export const surveyActions: Record<string, ActionHandler> = {
  "csat.show": (ctx, value) => showStats(ctx, value),
  // A link button (the conversation thread): Slack reports the click, the link does the work.
  "link.open": async () => ({ kind: "none" }),
};

const answerValue = z.string().max(60).transform((v, ctx) => {
  const parsed = z.object({ surveyId: z.uuid(), score: z.coerce.number().int().min(0).max(10) }).safeParse({ surveyId: v.split(":")[0], score: v.split(":")[1] });
  if (!parsed.success) {
    ctx.addIssue({ code: "custom", message: "bad survey answer" });
    return z.NEVER;
  }
  return parsed.data;
});

/**
 * Buttons pressed by customers (Slack Connect), not reps: they are answered without making the
 * person a rep, in their language.
 */
export const CUSTOMER_ACTIONS: Readonly<Record<string, (ctx: RenderContext & Pick<CommandContext, "services">, actor: { platform: string; externalId: string }, value: string) => Promise<Outcome>>> = {
  "survey.answer": async (ctx, actor, value) => {
    const { surveyId, score } = answerValue.parse(value);
    const result = await ctx.services.answerSurveyButton({ surveyId, score, platform: actor.platform, userId: actor.externalId });
    return { kind: "message", message: surveyAnswered(ctx, result.outcome, result.survey) };
  },
};
