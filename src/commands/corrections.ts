import { z } from "zod";
import { dateInZone, isCalendarDate } from "../domain/time/calendar-date.js";
import { AppError } from "../domain/errors.js";
import { splitChannel } from "../domain/interaction-channel.js";
import { CURRENCY_DIGITS, Decimal } from "../domain/money.js";
import type { OrderConcern } from "../domain/order-guard.js";
import type { Block, Button, Form, Outcome } from "../reply/reply.js";
import { message } from "../reply/reply.js";
import type { CorrectionResult, DeletionResult, EditableEntry, EntryKind, InteractionSnapshot, OrderTermsSnapshot } from "../services/index.js";
import { MAX_NOTE_LENGTH } from "./log.js";
import { carried, concernLine, orderFieldErrors, orderFormFields, readOrderForm, settleOrder, termsFromValue, termsValue, type OrderTerms, type SettledOrder } from "./order.js";
import type { ActionHandler, CommandContext, CommandDefinition, CommandHelp, FormHandler } from "./types.js";
import { entryButtons, entryRef, undoButton } from "./views/entry-buttons.js";

/**
 * Correct, Delete and Undo for orders and logged interactions: the buttons on /history and on
 * the answer after recording, the correction forms (the order and log forms, filled in), and
 * `/order undo` / `/log undo`. Every write goes through services/activity/correct-entry.ts,
 * which checks the rights again, keeps the aggregates exact and audits it.
 */

/** Words that undo the rep's latest entry: "/order undo", "/log 撤销". */
const UNDO_WORDS = ["undo", "撤销", "撤回"];
/** How much of a note the echo of a correction or deletion quotes. */
const QUOTED_TEXT = 200;

const quote = (text: string) => (text.length > QUOTED_TEXT ? `${text.slice(0, QUOTED_TEXT - 1)}…` : text);
const openButton = (ctx: CommandContext, customerId: string): Button => ({ label: ctx.t("button.open"), action: { id: "customer.show", value: customerId } });

/** An amount as the form shows it: the currency's own decimal places ("1200.00", JPY "500"). */
function formAmount(amount: string, currency: string): string {
  return new Decimal(amount).toFixed(CURRENCY_DIGITS[currency] ?? 2);
}

function reply(lines: string[], buttons: Button[], replaceOriginal = false): Outcome {
  const blocks: Block[] = [{ type: "text", text: lines.join("\n") }, { type: "buttons", buttons }];
  const outcome = message(blocks, lines[0]!);
  return replaceOriginal && outcome.kind === "message" ? { kind: "message", message: { ...outcome.message, replaceOriginal: true } } : outcome;
}

// ---------------------------------------------------------------------------------------------
// Orders

/**
 * What an order correction form carries: the order, the stamp of what it showed, and the
 * currency, amount, date and instant it was opened with (an unchanged date keeps the
 * order's time of day; unchanged money is not questioned by the outlier guard again).
 */
const orderState = z.object({
  e: z.uuid(),
  s: z.string().min(1).max(40),
  k: z.string().length(3),
  a: z.string().max(40),
  d: z.string().refine(isCalendarDate),
  t: z.iso.datetime(),
});
type OrderState = z.infer<typeof orderState>;

/** The confirmation of an unusual corrected amount carries the terms and the form's state. */
const confirmValue = termsValue.extend({ f: orderState });

function orderCorrectionForm(ctx: CommandContext, entry: Extract<EditableEntry, { kind: "order" }>): Form {
  const { order } = entry;
  const date = dateInZone(order.orderedAt, ctx.timezone);
  const amount = formAmount(order.amount, order.currency);
  const state: OrderState = { e: entry.id, s: entry.stamp, k: order.currency, a: amount, d: date, t: order.orderedAt.toISOString() };
  return {
    id: "order.correct",
    title: ctx.t("form.correctOrder.title"),
    submitLabel: ctx.t("form.correct.submit"),
    state: JSON.stringify(state),
    fields: orderFormFields(ctx, { amount, currency: order.currency, product: order.product, date }),
  };
}

function askToConfirm(ctx: CommandContext, state: OrderState, customer: { name: string }, settled: SettledOrder, concern: OrderConcern): Outcome {
  const button = ctx.t("button.correctIt");
  const lines = [
    concernLine(ctx, customer, settled, concern),
    ctx.t("correction.pending", { name: customer.name, amount: ctx.f.money(settled.amount.toFixed(), settled.currency) }),
    ctx.t("correction.confirmHint", { button }),
  ];
  const value = JSON.stringify({ ...carried(settled), f: state });
  return reply(lines, [{ label: button, action: { id: "order.correctConfirm", value }, style: "primary" }]);
}

function orderLines(ctx: CommandContext, result: Extract<CorrectionResult<OrderTermsSnapshot>, { changed: true }>): string[] {
  const { before, after } = result;
  const base = ctx.services.settings.baseCurrency;
  const lines = [ctx.t("correction.orderCorrected", { name: result.customer.name })];
  const money = (s: OrderTermsSnapshot) => ctx.f.money(s.amount, s.currency);
  if (money(before) !== money(after)) lines.push(ctx.t("correction.amount", { before: money(before), after: money(after) }));
  if (before.baseAmount !== after.baseAmount && (before.currency !== base || after.currency !== base)) {
    lines.push(ctx.t("correction.base", { before: ctx.f.money(before.baseAmount, base), after: ctx.f.money(after.baseAmount, base) }));
  }
  const product = (p: string | null) => p ?? ctx.t("correction.noProduct");
  if (before.product !== after.product) lines.push(ctx.t("correction.product", { before: product(before.product), after: product(after.product) }));
  if (ctx.f.date(before.orderedAt) !== ctx.f.date(after.orderedAt)) lines.push(ctx.t("correction.date", { before: ctx.f.date(before.orderedAt), after: ctx.f.date(after.orderedAt) }));
  return lines;
}

/** Applies corrected terms, asking first when the new amount is unusual (the order-guard rules). */
async function correctOrder(ctx: CommandContext, state: OrderState, customer: { name: string }, terms: OrderTerms, confirmed: boolean): Promise<Outcome> {
  const settled = settleOrder(ctx, terms);
  // The date the form showed, unchanged, keeps the order's own instant (its hour counts in the rollups).
  const orderedAt = settled.date === state.d ? new Date(state.t) : settled.orderedAt;
  const moneyChanged = !(settled.currency === state.k && settled.amount.eq(new Decimal(state.a)));
  if (!confirmed && moneyChanged) {
    const review = await ctx.services.reviewCorrection({ orderId: state.e, amount: settled.amount, currency: settled.currency });
    if (review.concern) return askToConfirm(ctx, state, customer, settled, review.concern);
  }
  const result = await ctx.services.correctOrder(ctx.rep, { orderId: state.e, stamp: state.s, amount: settled.amount, currency: settled.currency, product: settled.product, orderedAt });
  const buttons = [...entryButtons(ctx, "order", result.id), openButton(ctx, result.customer.id)];
  return reply(result.changed ? orderLines(ctx, result) : [ctx.t("correction.unchanged")], buttons, confirmed);
}

/** Refusals that leave a form open with the reason (someone changed it meanwhile, rights, gone). */
function refusal(ctx: CommandContext, error: unknown): Record<string, string> | undefined {
  if (!(error instanceof AppError) || !["FORBIDDEN", "CONFLICT", "NOT_FOUND"].includes(error.code)) return undefined;
  return { _form: ctx.t(error.userKey as "correction.changed", error.params) };
}

// ---------------------------------------------------------------------------------------------
// Interactions

const logState = z.object({ e: z.uuid(), s: z.string().min(1).max(40) });

/**
 * The log form holding the entry as it would be typed: "call: …" for a call. A note whose text
 * would read as another channel ("call: …" written as a note) keeps its "note:" so it stays one.
 */
function logCorrectionForm(ctx: CommandContext, entry: Extract<EditableEntry, { kind: "interaction" }>): Form {
  const { channel, body } = entry.interaction;
  const plain = channel === "NOTE" && splitChannel(body).channel === "NOTE";
  const text = plain ? body : `${ctx.t("correction.channelWord", { channel })}${body}`;
  return {
    id: "log.correct",
    title: ctx.t("form.correctLog.title"),
    submitLabel: ctx.t("form.correct.submit"),
    state: JSON.stringify({ e: entry.id, s: entry.stamp }),
    // Room for the channel word in front of a note of the longest length.
    fields: [{ id: "text", label: ctx.t("form.log.text"), kind: "long-text", maxLength: MAX_NOTE_LENGTH + 20, initial: text }],
  };
}

function logLines(ctx: CommandContext, result: Extract<CorrectionResult<InteractionSnapshot>, { changed: true }>): string[] {
  const { before, after } = result;
  const lines = [ctx.t("correction.logCorrected", { name: result.customer.name })];
  if (before.channel !== after.channel) lines.push(ctx.t("correction.channel", { before: ctx.t(`channel.${before.channel}`), after: ctx.t(`channel.${after.channel}`) }));
  if (before.body !== after.body) lines.push(ctx.t("correction.text", { before: quote(before.body), after: quote(after.body) }));
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Deleting and restoring

function entryLine(ctx: CommandContext, result: DeletionResult, restored: boolean): string {
  const { entry, customer } = result;
  if (entry.kind === "order") {
    const params = { amount: ctx.f.money(entry.amount, entry.currency), name: customer.name, date: ctx.f.date(entry.orderedAt), product: entry.product ?? "" };
    if (restored) return ctx.t("correction.orderRestored", params);
    return ctx.t(entry.product ? "correction.orderDeletedProduct" : "correction.orderDeleted", params);
  }
  const params = { channel: entry.channel, name: customer.name, date: ctx.f.date(entry.occurredAt), text: quote(entry.body) };
  return restored ? ctx.t("correction.logRestored", params) : ctx.t("correction.logDeleted", params);
}

/** "Deleted … [Undo]"; a second press says it was already deleted, with Undo all the same. */
export function deletedMessage(ctx: CommandContext, result: DeletionResult): Outcome {
  const undo = undoButton(ctx, result.entry.kind, result.id);
  if (!result.changed) return reply([ctx.t("correction.alreadyDeleted"), entryLine(ctx, result, false)], [undo, openButton(ctx, result.customer.id)]);
  const lines = [entryLine(ctx, result, false)];
  if (result.stageKept) lines.push(ctx.t("correction.stageKept", { name: result.customer.name, stage: ctx.t(`stage.${result.stageKept as "ACTIVE"}`) }));
  lines.push(ctx.t("correction.undoHint", { button: undo.label }));
  return reply(lines, [undo, openButton(ctx, result.customer.id)]);
}

/** Undo pressed: the "Deleted" answer becomes "Restored", with Correct and Delete again. */
function restoredMessage(ctx: CommandContext, result: DeletionResult): Outcome {
  const lines = result.changed ? [entryLine(ctx, result, true)] : [ctx.t("correction.notDeleted"), entryLine(ctx, result, true)];
  return reply(lines, [...entryButtons(ctx, result.entry.kind, result.id), openButton(ctx, result.customer.id)], true);
}

async function undoLast(ctx: CommandContext, kind: EntryKind): Promise<Outcome> {
  const result = await ctx.services.undoLastEntry(ctx.rep, kind);
  if (!result) {
    const text = ctx.t(kind === "order" ? "correction.nothingToUndoOrder" : "correction.nothingToUndoLog");
    return message([{ type: "text", text }], text);
  }
  return deletedMessage(ctx, result);
}

/**
 * A command that also takes "undo" (撤销, 撤回) on its own: `/order undo` deletes the rep's own
 * latest order of the last 24 hours, `/log undo` their latest logged entry.
 */
export function withUndo<T extends CommandDefinition>(command: T, kind: EntryKind): T {
  const entry: CommandHelp = {
    usage: [`/${command.name} undo`],
    description: kind === "order" ? "help.orderUndo" : "help.logUndo",
    examples: [`/${command.name} undo`, `/${command.name} 撤销`],
    words: UNDO_WORDS,
  };
  return {
    ...command,
    help: [...command.help, entry],
    async run(ctx: CommandContext, text: string) {
      if (UNDO_WORDS.includes(text.trim().toLowerCase())) return undoLast(ctx, kind);
      return command.run(ctx, text);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Handlers

export const correctionActions: Record<string, ActionHandler> = {
  "entry.correct": async (ctx, value) => {
    const ref = entryRef.parse(value);
    const entry = await ctx.services.openEntry(ctx.rep, ref.kind, ref.id);
    return { kind: "form", form: entry.kind === "order" ? orderCorrectionForm(ctx, entry) : logCorrectionForm(ctx, entry) };
  },
  "entry.delete": async (ctx, value) => {
    const ref = entryRef.parse(value);
    return deletedMessage(ctx, await ctx.services.deleteEntry(ctx.rep, ref.kind, ref.id));
  },
  "entry.restore": async (ctx, value) => {
    const ref = entryRef.parse(value);
    return restoredMessage(ctx, await ctx.services.restoreEntry(ctx.rep, ref.kind, ref.id));
  },
  /** The rep confirmed an unusual corrected amount: the terms are checked again, the stamp still guards. */
  "order.correctConfirm": async (ctx, value) => {
    const carriedValue = confirmValue.parse(JSON.parse(value));
    const entry = await ctx.services.checkEntry(ctx.rep, "order", carriedValue.f.e);
    return correctOrder(ctx, carriedValue.f, entry.customer, termsFromValue(carriedValue), true);
  },
};

export const correctionForms: Record<string, FormHandler> = {
  "order.correct": async (ctx, values, rawState) => {
    const state = orderState.parse(JSON.parse(rawState));
    try {
      // The entry as it is now (its customer may have been merged into another meanwhile); the
      // rights and the stamp are checked again when it is written.
      const { customer } = await ctx.services.checkEntry(ctx.rep, "order", state.e);
      const read = readOrderForm(ctx, values, state.k, customer.name);
      if ("errors" in read) return { kind: "form-errors", errors: read.errors };
      const outcome = await correctOrder(ctx, state, customer, read.terms, false);
      return outcome.kind === "message" ? { kind: "form-done", message: outcome.message } : outcome;
    } catch (error) {
      const errors = orderFieldErrors(ctx, error) ?? refusal(ctx, error);
      if (errors) return { kind: "form-errors", errors };
      throw error;
    }
  },
  "log.correct": async (ctx, values, rawState) => {
    const state = logState.parse(JSON.parse(rawState));
    const text = (values.text ?? "").trim();
    const { channel, body } = splitChannel(text);
    if (!body) return { kind: "form-errors", errors: { text: ctx.t("form.required") } };
    if (body.length > MAX_NOTE_LENGTH) return { kind: "form-errors", errors: { text: ctx.t("log.tooLong", { length: body.length, max: MAX_NOTE_LENGTH }) } };
    try {
      const result = await ctx.services.correctInteraction(ctx.rep, { interactionId: state.e, stamp: state.s, channel, body });
      const buttons = [...entryButtons(ctx, "interaction", result.id), openButton(ctx, result.customer.id)];
      const outcome = reply(result.changed ? logLines(ctx, result) : [ctx.t("correction.unchanged")], buttons);
      return outcome.kind === "message" ? { kind: "form-done", message: outcome.message } : outcome;
    } catch (error) {
      const errors = refusal(ctx, error);
      if (errors) return { kind: "form-errors", errors };
      throw error;
    }
  },
};
