import { z } from "zod";
import { AppError } from "../domain/errors.js";
import type { Form, Outcome } from "../reply/reply.js";
import { message, textMessage } from "../reply/reply.js";
import { MAX_REPLY_CHARS, type CustomerSummary, type InboxThreadDetail } from "../services/index.js";
import { candidateNames } from "./customer-picker.js";
import type { ActionHandler, CommandContext, CommandDefinition, FormHandler } from "./types.js";
import { windowText } from "./views/inbox.js";

const uuid = z.uuid();

/**
 * A thread message that is meant for the customer starts with this: "reply: …", "回复：…".
 * Everything else colleagues say in a conversation's thread stays internal.
 */
const REPLY_PREFIX = /^\s*(?:reply|回复|答复)\s*[:：]\s*/i;

async function threadDetail(ctx: CommandContext, threadId: string): Promise<InboxThreadDetail> {
  const detail = await ctx.services.getInboxThread(uuid.parse(threadId));
  if (!detail) throw new AppError("NOT_FOUND", "inbox.gone");
  return detail;
}

function replyForm(ctx: CommandContext, detail: InboxThreadDetail): Form {
  return {
    id: "inbox.reply",
    title: ctx.t("inbox.form.title"),
    submitLabel: ctx.t("inbox.form.submit"),
    state: detail.thread.id,
    fields: [
      {
        id: "text",
        label: ctx.t("inbox.form.field", { customer: detail.customer.name }),
        kind: "long-text",
        maxLength: MAX_REPLY_CHARS,
        placeholder: ctx.t("inbox.form.window", { window: windowText(ctx, detail.window) }).slice(0, 150),
      },
    ],
  };
}

async function sendReply(ctx: CommandContext, threadId: string, text: string, source?: { platform: string; id: string }): Promise<string> {
  const detail = await threadDetail(ctx, threadId);
  const sent = await ctx.services.replyOnWechat(ctx.rep, { threadId: detail.thread.id, text, ...(source ? { source } : {}) });
  const lines = [ctx.t("inbox.reply.queued", { customer: detail.customer.name })];
  if (!sent.window.open) lines.push(ctx.t("inbox.reply.windowWarning", { window: windowText(ctx, sent.window) }));
  return lines.join("\n");
}

/** Resolves a typed name to one customer, or says why not (no buttons: two names are in play). */
async function oneCustomer(ctx: CommandContext, query: string): Promise<CustomerSummary> {
  const resolution = await ctx.services.resolveCustomer(query);
  if (resolution.kind === "found") return resolution.customer;
  if (resolution.kind === "ambiguous") {
    throw new AppError("AMBIGUOUS", "customer.ambiguousNoButtons", { query, names: candidateNames(ctx, resolution) });
  }
  throw new AppError("NOT_FOUND", "customer.notFound", { query });
}

async function link(ctx: CommandContext, contactId: string, target: CustomerSummary, contactName: string): Promise<string> {
  const result = await ctx.services.linkContact(ctx.rep, { contactId, customerId: target.id });
  await ctx.services.announceLink({ contactId, customerId: target.id, repId: ctx.rep.id });
  return result.merged
    ? ctx.t("link.done.merged", { from: result.fromCustomerName, customer: target.name, interactions: result.movedInteractions, orders: result.movedOrders })
    : ctx.t("link.done.moved", { from: contactName, customer: target.name, interactions: result.movedInteractions });
}

/** "/link <lead> to <customer>", also "->", "→" and "到". */
const LINK_SEPARATOR = /\s+(?:to|into)\s+|\s*(?:->|→|=>)\s*|\s*到\s*/i;

export const linkCommand: CommandDefinition = {
  name: "link",
  help: [{ usage: ["/link <WeChat lead> to <customer>"], description: "help.link", examples: ["/link 3bGY9x to Acme Ltd", "/link 3bGY9x 到 阿里巴巴"] }],
  async run(ctx, text) {
    const parts = text.trim().split(LINK_SEPARATOR).map((p) => p.trim());
    if (parts.length !== 2 || !parts[0] || !parts[1]) throw new AppError("INVALID_INPUT", "link.missing");
    const [lead, target] = await Promise.all([oneCustomer(ctx, parts[0]), oneCustomer(ctx, parts[1])]);
    if (lead.id === target.id) throw new AppError("INVALID_INPUT", "link.same");
    const contactId = await ctx.services.wechatContactOf(lead.id);
    if (!contactId) throw new AppError("INVALID_INPUT", "link.noContact", { customer: lead.name });
    return textMessage(await link(ctx, contactId, target, lead.name));
  },
};

export const inboxActions: Record<string, ActionHandler> = {
  "inbox.reply": async (ctx, value) => ({ kind: "form", form: replyForm(ctx, await threadDetail(ctx, value)) }),
  "inbox.link": async (ctx, value) => {
    const detail = await threadDetail(ctx, value);
    return {
      kind: "form",
      form: {
        id: "inbox.link",
        title: ctx.t("link.form.title"),
        submitLabel: ctx.t("link.form.submit"),
        state: detail.thread.id,
        fields: [{ id: "customer", label: ctx.t("link.form.field", { contact: detail.customer.name }), kind: "text", maxLength: 200 }],
      },
    };
  },
};

export const inboxForms: Record<string, FormHandler> = {
  "inbox.reply": async (ctx, values, state) => {
    const text = await sendReply(ctx, state, values.text ?? "");
    return { kind: "form-done", message: { visibility: "private", summary: text, blocks: [{ type: "text", text }] } };
  },
  "inbox.link": async (ctx, values, state) => {
    const detail = await threadDetail(ctx, state);
    const query = (values.customer ?? "").trim();
    if (!query) return { kind: "form-errors", errors: { customer: ctx.t("link.missing") } };
    let target: CustomerSummary;
    try {
      target = await oneCustomer(ctx, query);
    } catch (error) {
      if (error instanceof AppError) return { kind: "form-errors", errors: { customer: ctx.t(error.userKey as "customer.notFound", error.params) } };
      throw error;
    }
    if (target.id === detail.customer.id) return { kind: "form-errors", errors: { customer: ctx.t("link.same") } };
    let text: string;
    try {
      text = await link(ctx, detail.thread.contact.id, target, detail.customer.name);
    } catch (error) {
      // Refused where it was asked, in the modal, so the rep can pick a customer of their own.
      if (error instanceof AppError && error.userKey === "link.forbidden") return { kind: "form-errors", errors: { customer: ctx.t("link.forbidden", error.params) } };
      throw error;
    }
    return { kind: "form-done", message: { visibility: "private", summary: text, blocks: [{ type: "text", text }] } };
  },
};

/**
 * Someone wrote in a Slack thread. In a WeChat conversation's thread, "reply: …" goes to the
 * customer; anything else is colleagues talking, kept as a note on the timeline. Threads that
 * are not ours are ignored.
 */
export async function threadMessage(ctx: CommandContext, input: { threadId: string; text: string; permalink?: string; source: { platform: string; id: string } }): Promise<Outcome> {
  const prefix = REPLY_PREFIX.exec(input.text);
  if (prefix) {
    const text = await sendReply(ctx, input.threadId, input.text.slice(prefix[0].length), input.source);
    return message([{ type: "text", text }], text);
  }
  await ctx.services.noteFromThread(ctx.rep, { threadId: input.threadId, text: input.text, ...(input.permalink ? { permalink: input.permalink } : {}), source: input.source });
  return { kind: "none" };
}
