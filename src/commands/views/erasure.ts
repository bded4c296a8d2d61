import type { Block, Form, Message, Outcome } from "../../reply/reply.js";
import type { CustomerSummary, ErasureOutcome, ErasurePreview, PersonMatch, PersonSearch } from "../../services/index.js";
import { REASON_LENGTH } from "../../services/index.js";
import type { RenderContext } from "../notification-types.js";
import type { CommandContext } from "../types.js";

/** The erase confirmation's handler and its one field. */
export const ERASE_FORM = "erase.submit";
export const REASON_FIELD = "reason";

/** What a pick button of the erasure carries: which record, validated again when it comes back. */
export function targetValue(target: ErasurePreview["target"]): string {
  return JSON.stringify({ k: target.kind, id: target.id });
}

/**
 * The confirmation: exactly what will be erased, with the counts, what stays, and why (the
 * admin's reason, required). Submitting it erases.
 */
export function erasureForm(ctx: CommandContext, preview: ErasurePreview, label: string): Form {
  const c = preview.counts;
  const counts = {
    interactions: c.interactions, messages: c.messages, comments: c.surveyComments, outbox: c.outbox, contacts: c.contacts,
  };
  const intro = preview.target.kind === "contact"
    ? ctx.t("erase.form.introContact", { name: preview.contact?.name ?? "", customer: preview.customer.name, ...counts })
    : ctx.t("erase.form.introCustomer", { customer: preview.customer.name, label, ...counts });
  return {
    id: ERASE_FORM,
    title: ctx.t("erase.form.title"),
    intro,
    submitLabel: ctx.t("erase.form.submit"),
    fields: [{ id: REASON_FIELD, label: ctx.t("erase.form.reason"), kind: "text", placeholder: ctx.t("erase.form.reasonPlaceholder"), maxLength: REASON_LENGTH.max }],
    state: targetValue(preview.target),
  };
}

/** What was erased, for the admin who submitted. */
export function erasedMessage(ctx: CommandContext, outcome: ErasureOutcome): Message {
  if (outcome.kind === "already") {
    const name = outcome.preview.contact?.name ?? outcome.preview.customer.name;
    const text = ctx.t("erase.already", { name });
    return { visibility: "private", summary: text, blocks: [{ type: "text", text }] };
  }
  const r = outcome.result;
  const figures = { interactions: r.interactions, messages: r.messages, comments: r.surveyComments, outbox: r.outbox, audit: r.auditRows, contacts: r.contacts };
  const text = outcome.target.kind === "contact"
    ? ctx.t("erase.done.contact", { customer: outcome.customer.name, ...figures })
    : ctx.t("erase.done.customer", { label: outcome.customer.name, ...figures });
  const blocks: Block[] = [{ type: "text", text }, { type: "context", text: ctx.t("erase.done.note") }];
  return { visibility: "private", summary: text, blocks };
}

/** Said in an inbox thread whose person was erased (through the outbox, in the team's language). */
export function erasedNotice(ctx: RenderContext, thread: string | undefined): Message {
  const text = ctx.t("erase.notice");
  return { visibility: "shared", summary: text, blocks: [{ type: "text", text }], ...(thread ? { thread } : {}) };
}

function contactDetail(ctx: Pick<CommandContext, "t">, c: PersonMatch): string {
  return ctx.t(c.removed ? "privacy.contactOfRemoved" : "privacy.contactOf", { customer: c.customerName });
}

/**
 * Several contacts (and customers) fit a privacy request: each with the button that goes on
 * with it (`action`), and a note when there are more than shown.
 */
export function choicesMessage(
  ctx: CommandContext,
  query: string,
  search: Extract<PersonSearch, { kind: "choices" }>,
  action: { id: string; label: string; value: (target: { kind: "contact" | "customer"; id: string }) => string },
): Outcome {
  const text = ctx.t("privacy.which", { query });
  const items = [
    ...search.contacts.map((c) => ({ title: c.name, detail: contactDetail(ctx, c), button: { label: action.label, action: { id: action.id, value: action.value({ kind: "contact", id: c.id }) } } })),
    ...search.customers.map((c) => ({ title: c.name, detail: ctx.t("privacy.wholeCustomer"), button: { label: action.label, action: { id: action.id, value: action.value({ kind: "customer", id: c.id }) } } })),
  ];
  const blocks: Block[] = [{ type: "text", text }, { type: "list", items }];
  if (search.more) blocks.push({ type: "context", text: ctx.t("privacy.more", { query }) });
  return { kind: "message", message: { visibility: "private", summary: text, blocks } };
}

/** Nobody fits: says so, how to name a person, and the customers that look alike (for erasure). */
export function noneMessage(ctx: CommandContext, query: string, search: Extract<PersonSearch, { kind: "none" }>, erase?: { id: string; label: string }): Outcome {
  const text = search.within ? ctx.t("privacy.noContactOf", { customer: search.within.name, query: search.person ?? query }) : ctx.t(erase ? "erase.notFound" : "exportPerson.notFound", { query });
  const blocks: Block[] = [{ type: "text", text }];
  const suggestions = erase ? search.suggestions : [];
  if (suggestions.length > 0 && erase) {
    blocks.push({
      type: "list",
      title: ctx.t("customer.didYouMean"),
      items: suggestions.map((c: CustomerSummary) => ({ title: c.name, detail: ctx.t("privacy.wholeCustomer"), button: { label: erase.label, action: { id: erase.id, value: targetValue({ kind: "customer", id: c.id }) } } })),
    });
  }
  blocks.push({ type: "examples", label: ctx.t("examples.label"), examples: erase ? ["/crm erase Li Lei", "/crm erase Acme: Li Lei", "/crm erase li.lei@acme.com"] : ["/crm export-person Li Lei", "/crm export-person Acme: Li Lei"] });
  return { kind: "message", message: { visibility: "private", summary: text, blocks, isError: true } };
}
