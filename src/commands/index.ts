import { z } from "zod";
import { AppError } from "../domain/errors.js";
import type { Action, Outcome } from "../reply/reply.js";
import { customerActions, customerCommand, showCard } from "./customer.js";
import { CUSTOMER_EDIT_CONTINUATION, continueCustomerEdit, customerEditForms } from "./customer-edit.js";
import { contactActions, contactCommand, contactForms } from "./contact.js";
import { createHelp, helpEntryFor, unknownCommandMessage } from "./help.js";
import { historyActions, historyCommand } from "./history.js";
import { logActions, logCommand, logForm, logForms } from "./log.js";
import { orderActions, orderCommand, orderForms } from "./order.js";
import { correctionActions, correctionForms, withUndo } from "./corrections.js";
import { topActions, topCommand } from "./top.js";
import { reportActions, reportCommand } from "./report.js";
import { PIPELINE_ALIASES, pipelineCommand } from "./pipeline.js";
import { segmentActions, segmentCommand } from "./segment.js";
import { remindActions, remindCommand } from "./remind.js";
import { outboxActions, outboxCommand } from "./outbox.js";
import { inboxActions, inboxForms, linkCommand } from "./inbox.js";
import { csatCommand, surveyActions, surveyCommand } from "./survey.js";
import { digestActions, digestCommand } from "./digest.js";
import { DUPLICATES_ALIASES, duplicateActions, duplicatesCommand } from "./duplicates.js";
import { QUALITY_ALIASES, qualityActions, qualityCommand } from "./quality.js";
// Imports
import { IMPORT_ALIASES, importActions, importCommand, importForms } from "./import.js";
import { EXPORT_ALIASES, exportCommand } from "./export.js";
import { answer, capabilities, questionIn } from "./ask.js";
// Privacy on request: erasure and a person's data export
import { ERASE_ALIASES, eraseActions, eraseCommand, eraseForms } from "./erase.js";
import { EXPORT_PERSON_ALIASES, exportPersonActions, exportPersonCommand } from "./export-person.js";
// Roles and teams
import { ROLE_ALIASES, roleCommand, whoamiCommand } from "./role.js";
import { TEAM_ALIASES, teamCommand } from "./team.js";
// Slack Connect: externally shared channels an admin allowed
import { CHANNEL_ALIASES, channelCommand } from "./channel.js";
// Routing WeChat conversations to several inbox channels
import { INBOX_ALIASES, inboxCommand } from "./inbox-route.js";
// Audit trail
import { AUDIT_ALIASES, AUDIT_CONTINUATION, auditActions, auditCommand, auditCustomer } from "./audit.js";
// The Home tab
import { HOME_ALIASES, homeActions, homeCommand, homeForms } from "./home.js";
// Deals
import { dealActions, dealCommand, dealForms, pipelineStagesCommand, runPipelineStages } from "./deal.js";
import type { ActionHandler, CommandContext, CommandDefinition, FormHandler } from "./types.js";
import { SHAREABLE_ACTIONS } from "./views/share.js";
import { foldCommandWord } from "./parse.js";
import type { CustomerSummary } from "../services/index.js";

const help = createHelp(() => COMMANDS);

/** Commands whose words also start plain questions that question-intent reads. */
const QUESTION_COMMANDS = new Set(["top", "history", "segment", "report", "csat"]);

/**
 * A command that also takes its text as a plain question when its own syntax does not fit:
 * "/top 5 clients this quarter", "/top 本季度前十大客户". The command's own error stands when
 * the text is no question either.
 */
function orQuestion(command: CommandDefinition): CommandDefinition {
  return {
    ...command,
    async run(ctx, text) {
      try {
        return await command.run(ctx, text);
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== "INVALID_INPUT") throw error;
        const question = questionIn(ctx, `${command.name} ${text}`) ?? questionIn(ctx, text);
        if (!question) throw error;
        return answer(ctx, question, text);
      }
    },
  };
}

/** Every command, in the order help lists them. */
export const COMMANDS: readonly CommandDefinition[] = [
  customerCommand, contactCommand, withUndo(logCommand, "interaction"), withUndo(orderCommand, "order"), historyCommand, orQuestion(topCommand), orQuestion(reportCommand), pipelineCommand, segmentCommand, remindCommand, surveyCommand,
  orQuestion(csatCommand), digestCommand, linkCommand, duplicatesCommand, qualityCommand, importCommand, exportCommand, eraseCommand, exportPersonCommand, auditCommand, outboxCommand, roleCommand, teamCommand, whoamiCommand, channelCommand, inboxCommand, homeCommand, dealCommand, pipelineStagesCommand, help.command,
];

/** Words that name a command too, so "/crm 客户 Acme" works like "/crm customer Acme". */
const ALIASES: Readonly<Record<string, string>> = {
  客户: "customer", 联系人: "contact", 记录: "log", 订单: "order", 历史: "history", 排行: "top", 报告: "report", 分群: "segment", 提醒: "remind", 调查: "survey", 满意度: "csat", 日报: "digest", 简报: "digest", 关联: "link", 帮助: "help", "?": "help",
  ...DUPLICATES_ALIASES,
  ...QUALITY_ALIASES,
  ...IMPORT_ALIASES,
  ...EXPORT_ALIASES,
  ...ROLE_ALIASES,
  ...TEAM_ALIASES,
  ...CHANNEL_ALIASES,
  ...INBOX_ALIASES,
  ...ERASE_ALIASES,
  ...EXPORT_PERSON_ALIASES,
  ...AUDIT_ALIASES,
  ...PIPELINE_ALIASES,
  商机: "deal", 交易: "deal",
  ...HOME_ALIASES,
};

export function findCommand(name: string): CommandDefinition | undefined {
  const key = name.replace(/^\//, "").toLowerCase();
  const canonical = ALIASES[key] ?? key;
  return COMMANDS.find((c) => c.name === canonical);
}


/** "/crm <command> ...": the umbrella command; bare "/crm" is help. */
export const crmCommand: CommandDefinition = {
  name: "crm",
  help: [],
  async run(ctx, text) {
    const trimmed = foldCommandWord(text.trim());
    const [sub = "", ...rest] = trimmed.split(/\s+/);
    if (!sub) return help.command.run(ctx, "");
    // "crm customer Acme" written out in a direct message means what /crm customer Acme does.
    if (/^\/?crm$/i.test(sub)) return crmCommand.run(ctx, trimmed.slice(sub.length));
    // "/crm pipeline stages …" sets the stages; the rest of "/crm pipeline" is the pipeline's figures.
    if (/^(?:pipeline|漏斗|销售漏斗)$/i.test(sub) && /^(?:stages|阶段)$/i.test(rest[0] ?? "")) return runPipelineStages(ctx, rest.slice(1).join(" "));
    const command = findCommand(sub);
    if (!command) {
      // "/foo" typed in a direct message is a command for sure, even when it reads as words.
      if (sub.startsWith("/")) return unknownCommand(ctx, sub);
      // A customer's name on its own ("Acme", "阿里巴巴", "alibaba") is their card; only an exact
      // name counts, so a question that merely mentions or resembles one stays a question.
      const named = await ctx.services.findCustomerByName(trimmed);
      if (named) return showCard(ctx, named.id);
      // Not a command: a plain question ("who is at risk", "本月报告")...
      const asked = questionIn(ctx, trimmed);
      if (asked) return answer(ctx, asked, trimmed);
      // ...or a command word we do not have ("/crm foo"); longer text is a question we did not get.
      return rest.length === 0 && /^[a-z][\w-]*$/i.test(sub) ? unknownCommand(ctx, `/${sub}`) : capabilities(ctx, trimmed);
    }
    // A command word leading a whole question ("top 5 clients this quarter", "history of Acme");
    // only for the commands that answer questions, so a note or reminder is never taken for one.
    const question = rest.length > 0 && QUESTION_COMMANDS.has(command.name) ? questionIn(ctx, trimmed) : undefined;
    if (question) return answer(ctx, question, trimmed);
    return command.run(ctx, trimmed.slice(sub.length).trimStart() || rest.join(" "));
  },
};

/** Commands that continue once the rep picks one of several customers. */
const CONTINUATIONS: Readonly<Record<string, (ctx: CommandContext, c: CustomerSummary, rest: string) => Promise<Outcome>>> = {
  customer: (ctx, c) => showCard(ctx, c.id),
  [CUSTOMER_EDIT_CONTINUATION]: continueCustomerEdit,
  contact: (ctx, c, rest) => contactCommand.withCustomer(ctx, c, rest),
  log: (ctx, c, rest) => logCommand.withCustomer(ctx, c, rest),
  order: (ctx, c, rest) => orderCommand.withCustomer(ctx, c, rest),
  deal: (ctx, c, rest) => dealCommand.withCustomer(ctx, c, rest),
  history: (ctx, c) => historyCommand.withCustomer(ctx, c),
  remind: (ctx, c, rest) => remindCommand.withCustomer(ctx, c, rest),
  survey: (ctx, c, rest) => surveyCommand.withCustomer(ctx, c, rest),
  [AUDIT_CONTINUATION]: (ctx, c, rest) => auditCustomer(ctx, c, rest),
};

const pickValue = z.object({ c: z.string(), id: z.uuid(), r: z.string().max(1_900) });

const actionShape: z.ZodType<Action> = z.object({ id: z.string().max(60), value: z.string().max(1_900) });

export const ACTIONS: Readonly<Record<string, ActionHandler>> = {
  ...customerActions,
  ...contactActions,
  ...logActions,
  ...orderActions,
  ...historyActions,
  ...correctionActions,
  ...duplicateActions,
  ...qualityActions,
  ...importActions,
  ...topActions,
  ...reportActions,
  ...segmentActions,
  ...help.actions,
  ...remindActions,
  ...outboxActions,
  ...inboxActions,
  ...surveyActions,
  ...digestActions,
  ...eraseActions,
  ...exportPersonActions,
  ...auditActions,
  ...dealActions,
  ...homeActions,
  "customer.pick": async (ctx, value) => {
    const pick = pickValue.parse(JSON.parse(value));
    const next = CONTINUATIONS[pick.c];
    const customer = await ctx.services.getCustomer(pick.id);
    if (!next || !customer) return showCard(ctx, pick.id);
    return next(ctx, customer, pick.r);
  },
  /**
   * Re-runs a read-only view and posts it for everyone in the conversation. It is built with the
   * channel's rights, not the sharer's: the services it gets never return private contact details.
   */
  share: async (ctx, value) => {
    const inner = actionShape.parse(JSON.parse(value));
    const handler = ACTIONS[inner.id];
    if (!SHAREABLE_ACTIONS.has(inner.id) || !handler) throw new Error(`action ${inner.id} cannot be shared`);
    // Not into a channel shared with other organisations (Slack Connect), unless an admin allowed it.
    if (ctx.channel) await ctx.services.requirePostingAllowed(ctx.platform, ctx.channel, "share");
    const outcome = await handler({ ...ctx, services: ctx.services.forChannel() }, inner.value);
    if (outcome.kind !== "message") return outcome;
    const blocks = outcome.message.blocks.filter((b) => b.type !== "buttons");
    return { kind: "message", message: { ...outcome.message, visibility: "shared", blocks } };
  },
};

export const FORMS: Readonly<Record<string, FormHandler>> = { ...eraseForms, ...customerEditForms, ...contactForms, ...logForms, ...orderForms, ...correctionForms, ...inboxForms, ...importForms, ...dealForms, ...homeForms };

/** The message shortcut: a form to pick the customer for a message from the chat. */
export function logMessageForm(ctx: CommandContext, text: string, permalink: string | undefined, source: { platform: string; id: string }): Outcome {
  return { kind: "form", form: logForm(ctx, { text, state: { ...(permalink ? { permalink } : {}), source } }) };
}

/** "Unknown command “/foo”" with the list of commands there are. */
export function unknownCommand(ctx: Pick<CommandContext, "t">, typed: string): Outcome {
  return unknownCommandMessage(ctx, typed, COMMANDS);
}

/**
 * The usage lines and examples for bad input to a command, for what was typed after it:
 * "/customer add" with no name gets /customer add's, not /customer's.
 */
export function usageFor(commandName: string, text: string): { usage: string[]; examples: string[] } {
  const command = findCommand(commandName);
  const entry = command ? helpEntryFor(command, text) : undefined;
  return { usage: entry?.usage ?? [], examples: entry?.examples ?? [] };
}

export type { CommandContext, CommandDefinition } from "./types.js";
export { threadMessage } from "./inbox.js";
export { importUpload } from "./import.js";
export { CUSTOMER_ACTIONS } from "./survey.js";
export { homeOpened } from "./home.js";
export { loadNotification, notificationPayload, renderNotification, type NotificationPayload } from "./notifications.js";
