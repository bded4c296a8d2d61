import { z } from "zod";
import { AppError, invalidInput } from "../domain/errors.js";
import { currencyNamed } from "../domain/language/currency-words.js";
import { dateInZone, instantOfLocalTime, isCalendarDate } from "../domain/time/calendar-date.js";
import { parseTimePhrase } from "../domain/time/time-phrase.js";
import type { Decimal } from "../domain/money.js";
import type { Stage } from "../domain/deals/pipeline.js";
import type { Form, Outcome } from "../reply/reply.js";
import { message } from "../reply/reply.js";
import { LOST_REASONS, type CustomerSummary, type DealTerms, type MoveResult } from "../services/index.js";
import { withCustomer } from "./customer-picker.js";
import { MAX_NAME_LENGTH } from "./customer.js";
import { MAX_PRODUCT_LENGTH, clockOf, parseOrderTerms, parseOrderText, type OrderClock } from "./order.js";
import { leadingQuoted, validate } from "./parse.js";
import type { ActionHandler, CommandContext, CommandDefinition, FormHandler } from "./types.js";
import { dealBlocks, dealListBlocks, stageName } from "./views/deal-card.js";

export const MAX_DEAL_TITLE = MAX_PRODUCT_LENGTH;
const MAX_LOST_NOTE = 500;

/** Where the expected close date starts: "close …", "closing …", "预计成交 …", "成交于 …". */
const CLOSE_MARKER = /(?:^|\s)(?:close|closes|closing|预计成交于?|成交于?)[:：]?\s*/giu;
const NUMERIC = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/;
/** Text that starts like a written date even when it is not one ("2026-13-01", "11月40日"). */
const DATE_SHAPED = /^\d{1,4}(?:[-/.]\d{1,2}|年|月\d)/;

type CloseReading = { kind: "date"; date: string } | { kind: "bad" } | { kind: "none" };

/**
 * An expected close date as a rep writes it: "2026-12-20", "next Friday", "12月20日", "下个月底".
 * The same phrases as /remind and /order's dates, read forward (a deal closes ahead of today).
 */
export function readCloseDate(phrase: string, clock: OrderClock): CloseReading {
  const text = phrase.trim();
  if (!text) return { kind: "none" };
  const numeric = NUMERIC.exec(text);
  if (numeric) {
    const date = `${numeric[1]}-${numeric[2]!.padStart(2, "0")}-${numeric[3]!.padStart(2, "0")}`;
    return isCalendarDate(date) ? { kind: "date", date } : { kind: "bad" };
  }
  const read = parseTimePhrase(text, clock);
  if (!read) return DATE_SHAPED.test(text) ? { kind: "bad" } : { kind: "none" };
  if (read.rest !== "") return { kind: "bad" };
  return { kind: "date", date: dateInZone(read.at, clock.timeZone) };
}

/** Takes "close <date>" off the end of the text; a marker followed by no date stays in the title. */
function splitClose(text: string, clock: OrderClock): { rest: string; close: string | null } {
  const trimmed = text.trim();
  let bad: string | undefined;
  for (const marker of trimmed.matchAll(CLOSE_MARKER)) {
    const phrase = trimmed.slice(marker.index + marker[0].length);
    const read = readCloseDate(phrase, clock);
    if (read.kind === "date") return { rest: trimmed.slice(0, marker.index).trim(), close: read.date };
    if (read.kind === "bad") bad = phrase.trim();
  }
  if (bad !== undefined) throw invalidInput("deal.badClose", { date: bad });
  return { rest: trimmed, close: null };
}

export interface DealArgs {
  name: string;
  amount: Decimal;
  currency: string;
  title: string;
  /** YYYY-MM-DD in the rep's zone. */
  close: string | null;
}

/** /order's words, said the deal's way: the same reading, the message about a deal. */
const ORDER_TO_DEAL: Readonly<Record<string, string>> = {
  "order.missingAll": "deal.missingAll",
  "order.missingAmount": "deal.missingAmount",
  "order.missingName": "deal.missingName",
  "order.productTooLong": "deal.titleTooLong",
};

function asDealError(error: unknown): unknown {
  if (error instanceof AppError && ORDER_TO_DEAL[error.userKey]) return new AppError(error.code, ORDER_TO_DEAL[error.userKey]!, { ...error.params, max: MAX_DEAL_TITLE });
  return error;
}

function checkClose(close: string | null, clock: OrderClock): void {
  if (close && close < dateInZone(clock.now, clock.timeZone)) throw invalidInput("deal.closePast", { date: close });
}

/** "<customer> <amount> [currency] <title> [close <date>]": money read as /order reads it. */
export function parseDealAdd(text: string, baseCurrency: string, clock: OrderClock): DealArgs {
  if (!text.trim()) throw invalidInput("deal.missingAll");
  const { rest, close } = splitClose(text, clock);
  let order;
  try {
    order = parseOrderText(rest, baseCurrency, clock);
  } catch (error) {
    throw asDealError(error);
  }
  // A date without "close" before it ("on Friday"): the rep meant the close date but did not say so.
  if (order.date) throw invalidInput("deal.closeMarker");
  if (!order.product) throw invalidInput("deal.missingTitle", { name: order.name });
  checkClose(close, clock);
  return { name: order.name, amount: order.amount, currency: order.currency, title: order.product, close };
}

/** The instant a close date is kept as: the end of that day in the rep's zone, so "past it" means the day is over. */
const closeInstant = (ctx: CommandContext, close: string | null): Date | null => (close ? instantOfLocalTime(close, ctx.timezone, 23, 59) : null);

const termsOf = (ctx: CommandContext, args: Omit<DealArgs, "name">): DealTerms => ({ title: args.title, amount: args.amount, currency: args.currency, expectedCloseAt: closeInstant(ctx, args.close) });

/** What a "which customer?" button carries of a deal being added: exact strings, checked again. */
const carriedDeal = z.object({ a: z.string().min(1).max(40), k: z.string().length(3), t: z.string().min(1).max(MAX_DEAL_TITLE), d: z.string().refine(isCalendarDate).nullable() });

async function add(ctx: CommandContext, customer: CustomerSummary, args: Omit<DealArgs, "name">): Promise<Outcome> {
  const { deal, pipeline } = await ctx.services.addDeal(ctx.rep, customer, termsOf(ctx, args));
  const listed = (await ctx.services.getDeal(deal.id))!;
  const line = ctx.t("deal.added", { title: deal.title, name: customer.name, amount: ctx.f.money(args.amount.toFixed(), args.currency), stage: stageName(ctx, pipeline.first, pipeline.first.key) });
  return message(dealBlocks(ctx, pipeline, listed.deal, line), line);
}

async function listFor(ctx: CommandContext, customer: CustomerSummary): Promise<Outcome> {
  const { deals, total, pipeline } = await ctx.services.listDeals(ctx.rep, { customerId: customer.id });
  const title = ctx.t("deal.listCustomer", { name: customer.name });
  return message(dealListBlocks(ctx, pipeline, title, deals, { withCustomer: false, total, empty: ctx.t("deal.noneCustomer", { name: customer.name }) }), title);
}

async function listMine(ctx: CommandContext): Promise<Outcome> {
  const { deals, total, pipeline } = await ctx.services.listDeals(ctx.rep, { ownerId: ctx.rep.id });
  const title = ctx.t("deal.listMine");
  return message(dealListBlocks(ctx, pipeline, title, deals, { withCustomer: true, total, empty: ctx.t("deal.noneMine") }), title);
}

const ADD_WORDS = new Set(["add", "new", "添加", "新增", "新建"]);

export const dealCommand: CommandDefinition & { withCustomer(ctx: CommandContext, c: CustomerSummary, rest: string): Promise<Outcome> } = {
  name: "deal",
  help: [
    { usage: ["/deal", "/deal <customer>"], description: "help.deal", examples: ["/deal", "/deal Acme", "/deal 阿里巴巴"] },
    {
      usage: ["/deal add <customer> <amount> [currency] <title> [close <date>]"],
      description: "help.dealAdd",
      examples: ["/deal add Acme 12000 USD fleet renewal close 2026-12-20", "/deal add 阿里巴巴 5万 年度服务 预计成交 下个月底"],
      words: ["add", "添加"],
    },
  ],
  async withCustomer(ctx, customer, rest) {
    if (!rest) return listFor(ctx, customer);
    const carried = carriedDeal.parse(JSON.parse(rest));
    const terms = parseOrderTerms(`${carried.a} ${carried.k}`, carried.k, customer.name, clockOf(ctx));
    return add(ctx, customer, { amount: terms.amount, currency: terms.currency, title: carried.t, close: carried.d });
  },
  async run(ctx, text) {
    const trimmed = text.trim();
    if (!trimmed) return listMine(ctx);
    const [first = ""] = trimmed.split(/\s+/);
    if (ADD_WORDS.has(first.toLowerCase())) {
      const args = parseDealAdd(trimmed.slice(first.length), ctx.services.settings.baseCurrency, clockOf(ctx));
      const rest = JSON.stringify({ a: args.amount.toFixed(), k: args.currency, t: args.title, d: args.close });
      return withCustomer(ctx, args.name, { command: "deal", rest }, (c) => add(ctx, c, args));
    }
    const name = validate(z.string().trim().min(1, "customer.missingName").max(MAX_NAME_LENGTH, "customer.nameTooLong"), leadingQuoted(trimmed)?.name ?? trimmed, { usage: "/deal <customer>" });
    return withCustomer(ctx, name, { command: "deal", rest: "" }, (c) => listFor(ctx, c));
  },
};

/** "<deal id>|<stage key>", as the next-stage button and the stage menu carry it. */
const moveValue = z.string().max(120).transform((v, c) => {
  const [dealId, stage] = v.split("|");
  const parsed = z.object({ dealId: z.uuid(), stage: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/) }).safeParse({ dealId, stage });
  if (!parsed.success) {
    c.addIssue({ code: "custom", message: "bad deal move" });
    return z.NEVER;
  }
  return parsed.data;
});

/** What a move says: "Fleet renewal: Proposal → Negotiation", or that nothing changed. */
function moved(ctx: CommandContext, result: MoveResult): Outcome {
  const { deal, pipeline } = result;
  const line =
    result.kind === "unchanged"
      ? ctx.t("deal.alreadyIn", { title: deal.title, stage: stageName(ctx, pipeline.stage(deal.stage), deal.stage) })
      : result.to.outcome === "won"
        ? ctx.t("deal.wonLine", { title: deal.title, name: deal.customerName })
        : result.to.outcome === "lost"
          ? ctx.t("deal.lostLine", { title: deal.title, name: deal.customerName })
          : ctx.t("deal.movedLine", { title: deal.title, from: stageName(ctx, result.from, result.from.key), to: stageName(ctx, result.to, result.to.key) });
  const blocks = dealBlocks(ctx, pipeline, deal, line);
  if (result.kind === "moved" && result.to.outcome === "won" && deal.amount !== null) {
    blocks.push({ type: "context", text: ctx.t("deal.orderHint", { amount: ctx.f.money(deal.amount, deal.currency ?? ctx.services.settings.baseCurrency), button: ctx.t("deal.button.recordOrder") }) });
  }
  return message(blocks, line);
}

async function move(ctx: CommandContext, dealId: string, to: string): Promise<Outcome> {
  return moved(ctx, await ctx.services.moveDeal(ctx.rep, { dealId, to }));
}

const reasonLabel = (ctx: CommandContext, reason: string) => ctx.t(`deal.reason.${reason as "price"}`);

async function lostForm(ctx: CommandContext, dealId: string): Promise<Outcome> {
  const found = await ctx.services.getDeal(dealId);
  if (!found) throw new AppError("NOT_FOUND", "deal.gone");
  const form: Form = {
    id: "deal.lost",
    title: ctx.t("deal.form.lostTitle"),
    intro: ctx.t("deal.form.lostIntro", { title: found.deal.title, name: found.deal.customerName }),
    submitLabel: ctx.t("deal.form.lostSubmit"),
    state: JSON.stringify({ d: dealId }),
    fields: [
      { id: "reason", label: ctx.t("deal.form.reason"), kind: "select", options: LOST_REASONS.map((r) => ({ value: r, label: reasonLabel(ctx, r) })) },
      { id: "note", label: ctx.t("deal.form.note"), kind: "long-text", optional: true, maxLength: MAX_LOST_NOTE },
    ],
  };
  return { kind: "form", form };
}

async function editForm(ctx: CommandContext, dealId: string): Promise<Outcome> {
  const found = await ctx.services.getDeal(dealId);
  if (!found) throw new AppError("NOT_FOUND", "deal.gone");
  const { deal } = found;
  const form: Form = {
    id: "deal.edit",
    title: ctx.t("deal.form.editTitle"),
    submitLabel: ctx.t("deal.form.editSubmit"),
    state: JSON.stringify({ d: dealId }),
    fields: [
      { id: "title", label: ctx.t("deal.form.title"), kind: "text", initial: deal.title, maxLength: MAX_DEAL_TITLE },
      { id: "amount", label: ctx.t("deal.form.amount"), kind: "text", ...(deal.amount ? { initial: deal.amount } : {}), maxLength: 40 },
      { id: "currency", label: ctx.t("deal.form.currency"), kind: "text", optional: true, initial: deal.currency ?? ctx.services.settings.baseCurrency, maxLength: 20 },
      { id: "close", label: ctx.t("deal.form.close"), kind: "text", optional: true, placeholder: ctx.t("deal.form.closeHint"), ...(deal.expectedCloseAt ? { initial: dateInZone(deal.expectedCloseAt, ctx.timezone) } : {}), maxLength: 40 },
    ],
  };
  return { kind: "form", form };
}

const formState = z.object({ d: z.uuid() });

/** The edit form read as /deal add reads its words; errors by field. */
function readEditForm(ctx: CommandContext, values: Readonly<Record<string, string>>, customerName: string): { terms: DealTerms } | { errors: Record<string, string> } {
  const title = (values.title ?? "").trim();
  if (!title) return { errors: { title: ctx.t("form.required") } };
  if (title.length > MAX_DEAL_TITLE) return { errors: { title: ctx.t("deal.titleTooLong", { length: title.length, max: MAX_DEAL_TITLE }) } };
  const amountText = (values.amount ?? "").trim();
  if (!amountText) return { errors: { amount: ctx.t("form.required") } };
  const currencyText = (values.currency ?? "").trim();
  let fallback = ctx.services.settings.baseCurrency;
  if (currencyText) {
    const found = currencyNamed(currencyText);
    if (!found) return { errors: { currency: ctx.t("deal.badCurrency", { code: currencyText.slice(0, 20) }) } };
    fallback = found.code;
  }
  let amount: Decimal;
  let currency: string;
  try {
    const read = parseOrderTerms(amountText, fallback, customerName, clockOf(ctx));
    if (read.product || read.date) return { errors: { amount: ctx.t("deal.badAmountField", { text: amountText.slice(0, 40) }) } };
    amount = read.amount;
    currency = read.currency;
  } catch (error) {
    if (error instanceof AppError && error.code === "INVALID_INPUT") return { errors: { amount: ctx.t(error.userKey as "order.badAmount", error.params) } };
    throw error;
  }
  const closeText = (values.close ?? "").trim();
  let close: string | null = null;
  if (closeText) {
    const read = readCloseDate(closeText, clockOf(ctx));
    if (read.kind !== "date") return { errors: { close: ctx.t("deal.badClose", { date: closeText.slice(0, 40) }) } };
    close = read.date;
    if (close < dateInZone(ctx.now, ctx.timezone)) return { errors: { close: ctx.t("deal.closePast", { date: close }) } };
  }
  return { terms: termsOf(ctx, { title, amount, currency, close }) };
}

export const dealActions: Record<string, ActionHandler> = {
  "deal.next": async (ctx, value) => {
    const { dealId, stage } = moveValue.parse(value);
    return move(ctx, dealId, stage);
  },
  /** The stage menu: lost still asks why. */
  "deal.stage": async (ctx, value) => {
    const { dealId, stage } = moveValue.parse(value);
    return stage === "lost" ? lostForm(ctx, dealId) : move(ctx, dealId, stage);
  },
  "deal.won": async (ctx, value) => move(ctx, z.uuid().parse(value), "won"),
  "deal.lostForm": async (ctx, value) => lostForm(ctx, z.uuid().parse(value)),
  "deal.editForm": async (ctx, value) => editForm(ctx, z.uuid().parse(value)),
  "deal.delete": async (ctx, value) => {
    const { deleted, deal } = await ctx.services.deleteDeal(ctx.rep, z.uuid().parse(value));
    const text = deleted && deal ? ctx.t("deal.deleted", { title: deal.title, name: deal.customerName }) : ctx.t("deal.gone");
    return message([{ type: "text", text }], text);
  },
  /** A won deal's order: one press records it, a second says it was recorded already. */
  "deal.order": async (ctx, value) => {
    const { order, deal, customer } = await ctx.services.recordDealOrder(ctx.rep, z.uuid().parse(value));
    const amount = ctx.f.money(deal.amount!, deal.currency!);
    const lines = [ctx.t("order.savedProduct", { amount, name: customer.name, product: deal.title })];
    if (order.duplicate) lines.unshift(ctx.t("order.already"));
    if (deal.currency !== ctx.services.settings.baseCurrency) lines.push(ctx.t("deal.orderBase", { base: ctx.f.money(order.baseAmount, ctx.services.settings.baseCurrency) }));
    return message([{ type: "text", text: lines.join("\n") }, { type: "buttons", buttons: [{ label: ctx.t("button.open"), action: { id: "customer.show", value: customer.id } }] }], lines[0]!);
  },
};

export const dealForms: Record<string, FormHandler> = {
  "deal.lost": async (ctx, values, rawState) => {
    const { d } = formState.parse(JSON.parse(rawState));
    const reason = z.enum(LOST_REASONS).safeParse(values.reason);
    if (!reason.success) return { kind: "form-errors", errors: { reason: ctx.t("deal.form.reasonRequired") } };
    const note = (values.note ?? "").trim();
    if (note.length > MAX_LOST_NOTE) return { kind: "form-errors", errors: { note: ctx.t("deal.noteTooLong", { length: note.length, max: MAX_LOST_NOTE }) } };
    const outcome = moved(ctx, await ctx.services.moveDeal(ctx.rep, { dealId: d, to: "lost", lost: { reason: reason.data, note: note || null } }));
    return outcome.kind === "message" ? { kind: "form-done", message: outcome.message } : outcome;
  },
  "deal.edit": async (ctx, values, rawState) => {
    const { d } = formState.parse(JSON.parse(rawState));
    const found = await ctx.services.getDeal(d);
    if (!found) return { kind: "form-errors", errors: { title: ctx.t("deal.gone") } };
    const read = readEditForm(ctx, values, found.deal.customerName);
    if ("errors" in read) return { kind: "form-errors", errors: read.errors };
    const deal = await ctx.services.editDeal(ctx.rep, d, read.terms);
    const line = ctx.t("deal.edited", { title: deal.title, name: deal.customerName });
    return { kind: "form-done", message: { visibility: "private", summary: line, blocks: dealBlocks(ctx, found.pipeline, deal, line) } };
  },
};

// ---------------------------------------------------------------------------------------------
// /crm pipeline stages [set <spec>]: the open stages, shown to everyone, set by admins.

/** One stage of a spec: "key:English name:中文名:probability", full-width colons too. */
const STAGE_SPEC = /^\s*([^:：]+)[:：]([^:：]+)[:：]([^:：]+)[:：]\s*(\d{1,3})\s*%?\s*$/u;

/** "qualification:Qualification:资格确认:10; demo:Demo:演示:30; …" as stages, unchecked (openStagesSchema checks them). */
export function parseStagesSpec(spec: string): Stage[] {
  const parts = spec.split(/[;；\n]/).map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) throw invalidInput("deal.stages.usage");
  return parts.map((part) => {
    const m = STAGE_SPEC.exec(part);
    if (!m) throw invalidInput("deal.stages.badPart", { part: part.slice(0, 80) });
    return { key: m[1]!.trim(), names: { en: m[2]!.trim(), "zh-CN": m[3]!.trim() }, probability: Number(m[4]) };
  });
}

const SET_WORDS = new Set(["set", "设置", "设定"]);

async function showStages(ctx: CommandContext, line?: string): Promise<Outcome> {
  const pipeline = await ctx.services.getPipeline();
  const title = ctx.t("deal.stages.title");
  const items = pipeline.stages.map((s, i) => ({ title: `${i + 1}. ${stageName(ctx, s, s.key)} · ${s.probability}%`, detail: `${s.key} · ${s.names.en} / ${s.names["zh-CN"]}` }));
  return message([{ type: "header", text: title }, ...(line ? [{ type: "text" as const, text: line }] : []), { type: "list", items }, { type: "context", text: ctx.t("deal.stages.howToSet") }], line ?? title);
}

export async function runPipelineStages(ctx: CommandContext, text: string): Promise<Outcome> {
  const trimmed = text.trim();
  if (!trimmed) return showStages(ctx);
  const [first = "", ...rest] = trimmed.split(/\s+/);
  if (!SET_WORDS.has(first.toLowerCase())) throw invalidInput("deal.stages.usage");
  if (ctx.rep.role !== "ADMIN") throw new AppError("FORBIDDEN", "deal.stages.adminOnly");
  const stages = parseStagesSpec(rest.length > 0 ? trimmed.slice(first.length) : "");
  const pipeline = await ctx.services.setPipelineStages(ctx.rep, stages);
  return showStages(ctx, ctx.t("deal.stages.saved", { count: pipeline.open.length }));
}

/** "/crm pipeline stages …": reached through /crm (the /pipeline command is the pipeline's figures). */
export const pipelineStagesCommand: CommandDefinition = {
  name: "pipeline-stages",
  slash: false,
  help: [
    {
      usage: ["/crm pipeline stages", "/crm pipeline stages set <key:English:中文:probability>; …"],
      description: "help.pipelineStages",
      examples: ["/crm pipeline stages", "/crm pipeline stages set qualification:Qualification:资格确认:10; demo:Demo:产品演示:30; proposal:Proposal:方案报价:60"],
    },
  ],
  run: runPipelineStages,
};
