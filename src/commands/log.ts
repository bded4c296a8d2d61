import { z } from "zod";
import { invalidInput } from "../domain/errors.js";
import { findChannelKeyword, splitChannel, type Channel } from "../domain/interaction-channel.js";
import type { Outcome, Form } from "../reply/reply.js";
import { message } from "../reply/reply.js";
import type { CustomerSummary } from "../services/index.js";
import { candidateNames, withCustomer } from "./customer-picker.js";
import { MAX_NAME_LENGTH } from "./customer.js";
import { leadingQuoted, validate, words } from "./parse.js";
import type { ActionHandler, CommandContext, CommandDefinition, FormHandler } from "./types.js";
import { entryButtons } from "./views/entry-buttons.js";

/** Long enough for a meeting summary, short enough for one Slack section. */
export const MAX_NOTE_LENGTH = 2_900;

const noteSchema = z.string().trim().min(1, "log.missingText").max(MAX_NOTE_LENGTH, "log.tooLong");

export interface LogArgs {
  /** The customer name, when the text says where it ends (quotes or "name call: ..."). */
  name?: string;
  /** Otherwise the words, for the longest-known-name split. */
  words?: string[];
  rest: string;
}

/**
 * Finds where the customer name ends: "Acme Ltd" quoted, or the words before a channel
 * keyword ("Acme Ltd call: ..."); otherwise the service decides from the names it knows.
 */
export function parseLogText(text: string): LogArgs {
  const trimmed = text.trim();
  if (!trimmed) throw invalidInput("log.missingAll");
  const quoted = leadingQuoted(trimmed);
  if (quoted) return { name: validate(z.string().min(1, "log.missingAll").max(MAX_NAME_LENGTH, "customer.nameTooLong"), quoted.name), rest: quoted.rest };
  const all = words(trimmed);
  const keywordAt = findChannelKeyword(all);
  if (keywordAt > 0) {
    const raw = trimmed.split(/\s+/);
    return { name: raw.slice(0, keywordAt).join(" "), rest: raw.slice(keywordAt).join(" ") };
  }
  return { words: trimmed.split(/\s+/), rest: "" };
}

export interface LogPayload {
  channel: Channel;
  body: string;
}

export function parseNote(rest: string, customerName: string): LogPayload {
  const { channel, body } = splitChannel(rest);
  if (!body) throw invalidInput("log.missingText", { name: customerName });
  return { channel, body: validate(noteSchema, body) };
}

export async function logTo(ctx: CommandContext, customer: CustomerSummary, payload: LogPayload, extra?: { permalink?: string | null; source?: { platform: string; id: string } | null }): Promise<Outcome> {
  const result = await ctx.services.recordInteraction(ctx.rep, { customer, ...payload, ...extra });
  // The channel code, not its name, goes in: it picks the article and measure word ("an email", "一封邮件").
  const lines = [
    result.created
      ? ctx.t("log.saved", { channel: payload.channel, name: customer.name })
      : ctx.t("log.duplicate", { name: customer.name }),
  ];
  if (result.stageChange) {
    lines.push(ctx.t("stage.changed", { name: customer.name, from: ctx.t(`stage.${result.stageChange.from as "LEAD"}`), to: ctx.t(`stage.${result.stageChange.to as "LEAD"}`) }));
  }
  return message(
    [
      { type: "text", text: lines.join("\n") },
      { type: "buttons", buttons: [...entryButtons(ctx, "interaction", result.id), { label: ctx.t("button.open"), action: { id: "customer.show", value: customer.id } }] },
    ],
    lines[0]!,
  );
}

async function logWithName(ctx: CommandContext, customer: CustomerSummary, rest: string): Promise<Outcome> {
  return logTo(ctx, customer, parseNote(rest, customer.name));
}

export const logCommand: CommandDefinition & { withCustomer: typeof logWithName } = {
  name: "log",
  help: [
    {
      usage: ["/log <customer> [call:|meeting:|email:|wechat:] <note>"],
      description: "help.log",
      examples: ["/log Acme call: discussed renewal", "/log \"Acme Ltd\" meeting: demo went well", "/log 阿里巴巴 电话：确认了报价"],
    },
  ],
  withCustomer: logWithName,
  async run(ctx, text) {
    const args = parseLogText(text);
    if (args.name !== undefined) {
      const name = args.name;
      return withCustomer(ctx, name, { command: "log", rest: args.rest }, (c) => logWithName(ctx, c, args.rest));
    }
    const found = await ctx.services.resolveLeadingCustomer(args.words ?? []);
    if (found.resolution.kind === "found") return logWithName(ctx, found.resolution.customer, found.rest);
    return withCustomer(ctx, found.query, { command: "log", rest: found.rest }, (c) => logWithName(ctx, c, found.rest));
  },
};

/** State a log form carries: the customer if known, and the source message if any. */
const logState = z.object({
  customerId: z.uuid().optional(),
  permalink: z.string().max(500).optional(),
  source: z.object({ platform: z.string().max(20), id: z.string().max(200) }).optional(),
});

export function logForm(ctx: CommandContext, init: { customerName?: string; text?: string; state: z.infer<typeof logState> }): Form {
  return {
    id: "log.submit",
    title: ctx.t("form.log.title"),
    submitLabel: ctx.t("form.log.submit"),
    state: JSON.stringify(init.state),
    fields: [
      ...(init.state.customerId
        ? []
        : [{ id: "customer", label: ctx.t("form.log.customer"), kind: "text" as const, placeholder: ctx.t("form.log.customerHint"), maxLength: MAX_NAME_LENGTH, ...(init.customerName ? { initial: init.customerName } : {}) }]),
      { id: "text", label: ctx.t("form.log.text"), kind: "long-text", maxLength: MAX_NOTE_LENGTH, ...(init.text ? { initial: init.text.slice(0, MAX_NOTE_LENGTH) } : {}) },
    ],
  };
}

export const logActions: Record<string, ActionHandler> = {
  "customer.logForm": async (ctx, value) => ({ kind: "form", form: logForm(ctx, { state: { customerId: z.uuid().parse(value) } }) }),
};

/** A submitted log form: field errors keep it open, success closes it with a confirmation. */
export const logForms: Record<string, FormHandler> = {
  "log.submit": async (ctx, values, rawState) => {
    const state = logState.parse(JSON.parse(rawState));
    const text = (values.text ?? "").trim();
    let customer: CustomerSummary;
    if (state.customerId) {
      const known = await ctx.services.getCustomer(state.customerId);
      if (!known) return { kind: "form-errors", errors: { text: ctx.t("customer.gone") } };
      customer = known;
    } else {
      const name = (values.customer ?? "").trim();
      if (!name) return { kind: "form-errors", errors: { customer: ctx.t("form.required") } };
      const resolution = await ctx.services.resolveCustomer(name);
      if (resolution.kind === "ambiguous") {
        return { kind: "form-errors", errors: { customer: ctx.t("customer.ambiguousNoButtons", { query: name, names: candidateNames(ctx, resolution) }) } };
      }
      if (resolution.kind === "none") {
        const hint = resolution.suggestions.length > 0 ? ` ${ctx.t("customer.didYouMean")} ${ctx.f.list(resolution.suggestions.map((c) => c.name))}` : "";
        return { kind: "form-errors", errors: { customer: ctx.t("customer.notFound", { query: name }) + hint } };
      }
      customer = resolution.customer;
    }
    if (!text) return { kind: "form-errors", errors: { text: ctx.t("form.required") } };
    if (text.length > MAX_NOTE_LENGTH) return { kind: "form-errors", errors: { text: ctx.t("log.tooLong", { length: text.length, max: MAX_NOTE_LENGTH }) } };
    const { channel, body } = splitChannel(text);
    const outcome = await logTo(ctx, customer, { channel: state.source ? "SLACK" : channel, body: state.source ? text : body }, { permalink: state.permalink ?? null, source: state.source ?? null });
    return outcome.kind === "message" ? { kind: "form-done", message: outcome.message } : outcome;
  },
};
