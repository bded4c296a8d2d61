import { randomUUID } from "node:crypto";
import { z } from "zod";
import { dateInZone, instantOfLocalTime, isCalendarDate } from "../domain/time/calendar-date.js";
import { currencyNamed, isLeadingName } from "../domain/language/currency-words.js";
import { AppError, invalidInput } from "../domain/errors.js";
import { CURRENCY_DIGITS, Decimal, MAX_ORDER_AMOUNT, SUPPORTED_CURRENCIES, isSupportedCurrency, parseAmountToken, readAmountToken, readMoney } from "../domain/money.js";
import { readOrderDate } from "../domain/time/order-date.js";
import type { OrderConcern } from "../domain/order-guard.js";
import type { Block, Form, FormField, Outcome } from "../reply/reply.js";
import { message } from "../reply/reply.js";
import type { CustomerSummary, OrderReview } from "../services/index.js";
import { withCustomer } from "./customer-picker.js";
import { MAX_NAME_LENGTH } from "./customer.js";
import { leadingQuoted, validate } from "./parse.js";
import type { ActionHandler, CommandContext, CommandDefinition, FormHandler } from "./types.js";
import { entryButtons } from "./views/entry-buttons.js";

export const MAX_PRODUCT_LENGTH = 200;

export interface OrderTerms {
  amount: Decimal;
  currency: string;
  product: string | null;
  /** YYYY-MM-DD in the rep's time zone, when given. */
  date: string | null;
}

export interface OrderArgs extends OrderTerms {
  name: string;
}

/** The rep's clock: relative dates ("yesterday", "昨天") are read against it, in their zone. */
export interface OrderClock {
  now: Date;
  timeZone: string;
}

/** Where an order's date starts: "on …", "于 …", "日期：…", after a space. */
const DATE_MARKER = /(?:^|\s)(?:on\s+|于\s*|日期[:：]?\s*)/giu;
/** A date at the very end without a marker, only in forms that cannot be a product: "2026-03-01", "11月30日", "昨天". */
const BARE_DATE = /(?:^|\s)(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|(?:\d{4}年)?\d{1,2}月\d{1,2}[日号]?|今天|昨天|前天|today|yesterday)$/iu;

/**
 * Takes the order date off the end of the text: "on 2026-03-01", "on yesterday", "于 昨天",
 * "on 11月30日", or a bare "2026-03-01" / "昨天". The phrase after a marker must be a date read
 * whole; one that is written like a date but is not ("on 2026-02-30") is refused, and one that
 * is not a date at all ("support on site") stays in the product.
 */
function splitDate(text: string, clock: OrderClock): { rest: string; date: string | null } {
  const trimmed = text.trim();
  let bad: string | undefined;
  for (const marker of trimmed.matchAll(DATE_MARKER)) {
    const phrase = trimmed.slice(marker.index + marker[0].length);
    const read = readOrderDate(phrase, clock);
    if (read.kind === "date") return { rest: trimmed.slice(0, marker.index).trim(), date: read.date };
    if (read.kind === "bad") bad = phrase.trim();
  }
  if (bad !== undefined) throw invalidInput("order.badDate", { date: bad });
  const bare = BARE_DATE.exec(trimmed);
  if (bare) {
    const read = readOrderDate(bare[1]!, clock);
    if (read.kind === "bad") throw invalidInput("order.badDate", { date: bare[1]! });
    if (read.kind === "date") return { rest: trimmed.slice(0, bare.index).trim(), date: read.date };
  }
  return { rest: trimmed, date: null };
}

function unknownCurrency(code: string): AppError {
  return new AppError("INVALID_INPUT", "order.unknownCurrency", { code, known: SUPPORTED_CURRENCIES.join(", ") });
}

const productSchema = z.string().max(MAX_PRODUCT_LENGTH, "order.productTooLong");

/** The checks every order passes, however its terms arrived (text, form, button). */
function checkTerms(input: { amount: Decimal; currency: string; product: string | null; date: string | null; written: string }): OrderTerms {
  const { amount, currency } = input;
  if (!isSupportedCurrency(currency) || currency !== currency.toUpperCase()) throw unknownCurrency(currency);
  if (amount.lte(0)) throw invalidInput("order.nonPositive");
  if (amount.gt(MAX_ORDER_AMOUNT)) throw invalidInput("order.tooLarge", { amount: input.written });
  const digits = CURRENCY_DIGITS[currency] ?? 2;
  if (amount.decimalPlaces() > digits) throw invalidInput("order.tooManyDecimals", { currency, digits });
  if (input.date !== null && !isCalendarDate(input.date)) throw invalidInput("order.badDate", { date: input.date });
  const product = validate(productSchema, (input.product ?? "").trim()) || null;
  return { amount, currency, product, date: input.date };
}

interface ReadTerms {
  amount: Decimal;
  /** Set when the words named the currency. */
  currency?: string;
  product: string;
  /** The words that were the amount, as typed (for messages). */
  written: string;
}

/** Reads "<amount> [currency] [product]" (the date is already off). */
function readTerms(text: string, customerName: string): ReadTerms {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) throw invalidInput("order.missingAmount", { name: customerName });
  const money = readMoney(words);
  switch (money.kind) {
    case "notAmount":
      throw invalidInput("order.badAmount", { token: money.word });
    case "unknownCurrency":
      throw unknownCurrency(money.written);
    case "twoCurrencies":
      throw invalidInput("order.twoCurrencies", { first: money.first, second: money.second });
    case "amount":
      return {
        amount: money.amount,
        ...(money.currency ? { currency: money.currency } : {}),
        product: words.slice(money.used).join(" "),
        written: words.slice(0, money.used).join(" "),
      };
  }
}

function termsFrom(text: string, date: string | null, baseCurrency: string, customerName: string): OrderTerms {
  const read = readTerms(text, customerName);
  return checkTerms({ amount: read.amount, currency: read.currency ?? baseCurrency, product: read.product, date, written: read.written });
}

const systemClock = (): OrderClock => ({ now: new Date(), timeZone: "UTC" });

/** "<amount> [currency] [product] [on <date>]", the part after the customer name. */
export function parseOrderTerms(text: string, baseCurrency: string, customerName: string, clock: OrderClock = systemClock()): OrderTerms {
  const { rest, date } = splitDate(text, clock);
  return termsFrom(rest, date, baseCurrency, customerName);
}

/** A word the amount may start at: an amount, or an amount with a currency we must refuse. */
const startsAmount = (word: string): boolean => readAmountToken(word) !== undefined;

/** Splits "<customer> <amount> ..." at the first word that is an amount; a quoted name may hold digits. */
export function parseOrderText(text: string, baseCurrency: string, clock: OrderClock = systemClock()): OrderArgs {
  if (!text.trim()) throw invalidInput("order.missingAll");
  // The date comes off first so "Acme on 2026-03-01" is not read as a customer name.
  const { rest: trimmed, date } = splitDate(text, clock);
  const nameSchema = z.string().trim().min(1, "order.missingName").max(MAX_NAME_LENGTH, "customer.nameTooLong");
  const quoted = leadingQuoted(trimmed);
  if (quoted) {
    const name = validate(nameSchema, quoted.name);
    return { name, ...termsFrom(quoted.rest, date, baseCurrency, name) };
  }
  const tokens = trimmed.split(/\s+/).filter(Boolean);
  let at = tokens.findIndex((t, i) => i > 0 && startsAmount(t));
  // Only an amount and no name ("1200", "¥1200 Acme"); a name that looks like one ("3M 100") has an amount after it.
  if (at < 0 && tokens[0] !== undefined && startsAmount(tokens[0])) throw invalidInput("order.missingName");
  // "Acme USD 100", "Acme ¥ 100": a currency written before the amount as a word of its own.
  if (at > 1) {
    const before = currencyNamed(tokens[at - 1]!);
    if (before && isLeadingName(before)) at -= 1;
  }
  // No amount: the first word with a digit was probably meant as one ("12OO", "1200abc").
  if (at < 0) at = tokens.findIndex((t, i) => i > 0 && /\d/.test(t) && !isCalendarDate(t));
  const name = validate(nameSchema, (at < 0 ? tokens : tokens.slice(0, at)).join(" "));
  return { name, ...termsFrom(at < 0 ? "" : tokens.slice(at).join(" "), date, baseCurrency, name) };
}

/** What an order looks like once its date is settled. */
export interface SettledOrder extends OrderTerms {
  date: string;
  orderedAt: Date;
}

/** The order's date and instant: the date given, else today; a date-only order sits at local noon. */
export function settleOrder(ctx: CommandContext, terms: OrderTerms): SettledOrder {
  const today = dateInZone(ctx.now, ctx.timezone);
  if (terms.date && terms.date > today) throw invalidInput("order.futureDate", { date: terms.date });
  if (terms.date && Number(terms.date.slice(0, 4)) < Number(today.slice(0, 4)) - 50) throw invalidInput("order.tooOld", { date: terms.date });
  const date = terms.date ?? today;
  return { ...terms, date, orderedAt: date === today ? ctx.now : instantOfLocalTime(date, ctx.timezone) };
}

function formatRate(rate: string): string {
  return new Decimal(rate).toSignificantDigits(6).toString();
}

/** The lines that say what an order is: amount, product (or none), base amount, date. */
function orderLines(ctx: CommandContext, customer: CustomerSummary, order: SettledOrder, baseAmount: string, state: "saved" | "pending"): string[] {
  const amount = ctx.f.money(order.amount.toFixed(), order.currency);
  const params = { amount, name: customer.name, product: order.product ?? "" };
  const first =
    state === "saved"
      ? ctx.t(order.product ? "order.savedProduct" : "order.saved", params)
      : ctx.t(order.product ? "order.pending" : "order.pendingNoProduct", params);
  const lines = [first];
  const base = ctx.services.settings.baseCurrency;
  if (order.currency !== base) {
    lines.push(ctx.t("order.converted", { base: ctx.f.money(baseAmount, base), rate: formatRate(ctx.services.settings.ratesToBase.get(order.currency) ?? "0") }));
  }
  lines.push(ctx.t("order.date", { date: ctx.f.date(order.orderedAt) }));
  return lines;
}

/** The terms as a button carries them: exact strings, validated again when they come back. */
export const termsValue = z.object({
  a: z.string().min(1).max(40),
  k: z.string().length(3),
  p: z.string().max(MAX_PRODUCT_LENGTH).nullable(),
  d: z.string().refine(isCalendarDate),
});
const confirmValue = termsValue.extend({ o: z.uuid(), c: z.uuid() });
const cancelValue = z.object({ c: z.uuid(), a: z.string().max(40), k: z.string().length(3) });

export function carried(terms: OrderTerms & { date: string }): z.infer<typeof termsValue> {
  return { a: terms.amount.toFixed(), k: terms.currency, p: terms.product, d: terms.date };
}

export function termsFromValue(value: z.infer<typeof termsValue>): OrderTerms {
  const amount = parseAmountToken(value.a);
  // The amount travels as plain digits; anything else was not made by us.
  if (!amount || amount.currency || !/^\d+(?:\.\d+)?$/.test(value.a)) throw new AppError("INVALID_INPUT", "error.expired", {}, `bad carried amount ${value.a}`);
  return checkTerms({ amount: amount.amount, currency: value.k, product: value.p, date: value.d, written: value.a });
}

export function concernLine(ctx: CommandContext, customer: Pick<CustomerSummary, "name">, order: SettledOrder, concern: OrderConcern): string {
  const base = ctx.services.settings.baseCurrency;
  const amount = ctx.f.money(order.amount.toFixed(), order.currency);
  return concern.kind === "median"
    ? ctx.t("order.confirmMedian", { amount, name: customer.name, factor: concern.factor, median: ctx.f.money(concern.median.toFixed(2), base) })
    : ctx.t("order.confirmCeiling", { amount, ceiling: ctx.f.money(concern.ceiling.toFixed(2), base) });
}

/** Nothing written yet: what would be recorded, why it is asked, and Record it / Cancel. */
function askToConfirm(ctx: CommandContext, customer: CustomerSummary, order: SettledOrder, review: OrderReview & { concern: OrderConcern }): Outcome {
  const confirmLabel = ctx.t("button.recordIt");
  const lines = [concernLine(ctx, customer, order, review.concern), ...orderLines(ctx, customer, order, review.baseAmount, "pending"), ctx.t("order.confirmHint", { button: confirmLabel })];
  // The order's id is chosen now, so pressing the button twice records it once.
  const confirm = JSON.stringify({ o: randomUUID(), c: customer.id, ...carried(order) });
  const cancel = JSON.stringify({ c: customer.id, a: order.amount.toFixed(), k: order.currency });
  const blocks: Block[] = [
    { type: "text", text: lines.join("\n") },
    {
      type: "buttons",
      buttons: [
        { label: confirmLabel, action: { id: "order.confirm", value: confirm }, style: "primary" },
        { label: ctx.t("button.cancel"), action: { id: "order.cancel", value: cancel } },
      ],
    },
  ];
  return message(blocks, lines[0]!);
}

interface RecordOptions {
  /** The rep already confirmed (the button): no second question. */
  confirmed?: boolean;
  /** The id chosen when the rep was asked, so a second press records nothing. */
  orderId?: string;
}

async function record(ctx: CommandContext, customer: CustomerSummary, terms: OrderTerms, options: RecordOptions = {}): Promise<Outcome> {
  const order = settleOrder(ctx, terms);
  if (!options.confirmed) {
    const review = await ctx.services.reviewOrder({ customerId: customer.id, amount: order.amount, currency: order.currency });
    if (review.concern) return askToConfirm(ctx, customer, order, { ...review, concern: review.concern });
  }
  const result = await ctx.services.recordOrder(ctx.rep, {
    ...(options.orderId ? { id: options.orderId } : {}),
    customer, amount: order.amount, currency: order.currency, product: order.product, orderedAt: order.orderedAt,
  });
  const lines = orderLines(ctx, customer, order, result.baseAmount, "saved");
  if (result.duplicate) lines.unshift(ctx.t("order.already"));
  if (result.stageChange) {
    lines.push(ctx.t("stage.changed", { name: customer.name, from: ctx.t(`stage.${result.stageChange.from as "LEAD"}`), to: ctx.t(`stage.${result.stageChange.to as "LEAD"}`) }));
  }
  return message(
    [
      { type: "text", text: lines.join("\n") },
      { type: "buttons", buttons: [...entryButtons(ctx, "order", result.id), { label: ctx.t("button.open"), action: { id: "customer.show", value: customer.id } }] },
    ],
    lines[0]!,
  );
}

export const clockOf = (ctx: CommandContext): OrderClock => ({ now: ctx.now, timeZone: ctx.timezone });

/** The terms a "which customer?" button carried: JSON from orderRest, or text from an older button. */
function continuedTerms(ctx: CommandContext, customer: CustomerSummary, rest: string): OrderTerms {
  if (rest.trimStart().startsWith("{")) return termsFromValue(termsValue.parse(JSON.parse(rest)));
  return parseOrderTerms(rest, ctx.services.settings.baseCurrency, customer.name, clockOf(ctx));
}

export const orderCommand: CommandDefinition & { withCustomer(ctx: CommandContext, c: CustomerSummary, rest: string): Promise<Outcome> } = {
  name: "order",
  help: [
    {
      usage: ["/order <customer> <amount> [currency] [product] [on <date>]"],
      description: "help.order",
      examples: ["/order Acme 1200 CNY annual licence", "/order Acme 99.90 USD support on yesterday", "/order 阿里巴巴 1.5万美元 年度服务 于 11月30日"],
    },
  ],
  withCustomer: (ctx, customer, rest) => record(ctx, customer, continuedTerms(ctx, customer, rest)),
  async run(ctx, text) {
    const args = parseOrderText(text, ctx.services.settings.baseCurrency, clockOf(ctx));
    return withCustomer(ctx, args.name, { command: "order", rest: orderRest(ctx, args) }, (c) => record(ctx, c, args));
  },
};

/**
 * The order terms for a "which customer?" button to carry, exactly (amount, currency, product,
 * and the date: today's when none was given, so a pick made after midnight keeps the day meant).
 */
function orderRest(ctx: CommandContext, args: OrderTerms): string {
  return JSON.stringify(carried({ ...args, date: args.date ?? dateInZone(ctx.now, ctx.timezone) }));
}

const DATE_ERRORS = new Set(["order.badDate", "order.futureDate", "order.tooOld"]);

/** The form carries the customer and the currency it offered, to tell a changed currency field from the default. */
const orderState = z.object({ customerId: z.uuid(), currency: z.string().length(3).optional() });

/** The order form's fields, empty or holding an order's terms (a correction). */
export function orderFormFields(ctx: CommandContext, initial: { amount?: string; currency: string; product?: string | null; date: string }): FormField[] {
  return [
    { id: "amount", label: ctx.t("form.order.amount"), kind: "text", placeholder: ctx.t("form.order.amountHint"), maxLength: 40, ...(initial.amount ? { initial: initial.amount } : {}) },
    { id: "currency", label: ctx.t("form.order.currency"), kind: "text", optional: true, initial: initial.currency, placeholder: ctx.t("form.order.currencyHint"), maxLength: 20 },
    { id: "product", label: ctx.t("form.order.product"), kind: "text", optional: true, maxLength: MAX_PRODUCT_LENGTH, ...(initial.product ? { initial: initial.product } : {}) },
    { id: "date", label: ctx.t("form.order.date"), kind: "text", optional: true, initial: initial.date, maxLength: 40 },
  ];
}

async function orderForm(ctx: CommandContext, customerId: string): Promise<Form> {
  const currency = await ctx.services.usualCurrency(customerId);
  return {
    id: "order.submit",
    title: ctx.t("form.order.title"),
    submitLabel: ctx.t("form.order.submit"),
    state: JSON.stringify({ customerId, currency }),
    fields: orderFormFields(ctx, { currency, date: dateInZone(ctx.now, ctx.timezone) }),
  };
}

/** Bad input from an order form, as a message by the field it is about; undefined for any other error. */
export function orderFieldErrors(ctx: CommandContext, error: unknown): Record<string, string> | undefined {
  if (!(error instanceof AppError) || error.code !== "INVALID_INPUT") return undefined;
  const field = DATE_ERRORS.has(error.userKey) ? "date" : error.userKey === "order.productTooLong" ? "product" : "amount";
  return { [field]: ctx.t(error.userKey as "order.badAmount", error.params) };
}

/**
 * An order form's fields read and checked as every order is (amount and currency words, the
 * currency field against the amount, product length, date phrases); the date is not settled yet.
 * Errors come back by field.
 */
export function readOrderForm(ctx: CommandContext, values: Readonly<Record<string, string>>, offeredCurrency: string | undefined, customerName: string): { terms: OrderTerms } | { errors: Record<string, string> } {
  const amountText = (values.amount ?? "").trim();
  if (!amountText) return { errors: { amount: ctx.t("form.required") } };
  const product = (values.product ?? "").trim();
  const dateText = (values.date ?? "").trim();
  try {
    let date: string | null = null;
    if (dateText) {
      const read = readOrderDate(dateText, clockOf(ctx));
      if (read.kind !== "date") throw invalidInput("order.badDate", { date: dateText });
      date = read.date;
    }
    const read = readTerms(amountText, customerName);
    let currency: string;
    try {
      currency = formCurrency(ctx, read.currency, (values.currency ?? "").trim(), offeredCurrency);
    } catch (error) {
      if (error instanceof AppError) return { errors: { currency: ctx.t(error.userKey as "order.badAmount", error.params) } };
      throw error;
    }
    // Product is kept apart from the amount field so a product named like a currency stays a product.
    return { terms: checkTerms({ amount: read.amount, currency, product: product || read.product, date, written: read.written }) };
  } catch (error) {
    const errors = orderFieldErrors(ctx, error);
    if (errors) return { errors };
    throw error;
  }
}

/**
 * The currency of a form submission: what the amount names ("500 EUR"), else the currency
 * field, else the base currency. A currency field the rep changed that contradicts the amount
 * is refused; the untouched default gives way to the amount.
 */
function formCurrency(ctx: CommandContext, named: string | undefined, field: string, offered: string | undefined): string {
  let chosen: string | undefined;
  if (field !== "") {
    const found = currencyNamed(field);
    if (!found) throw unknownCurrency(field);
    chosen = found.code;
  }
  if (named && chosen && named !== chosen && chosen !== offered) throw invalidInput("order.currencyMismatch", { currency: named, field: chosen });
  return named ?? chosen ?? ctx.services.settings.baseCurrency;
}

export const orderActions: Record<string, ActionHandler> = {
  "customer.orderForm": async (ctx, value) => ({ kind: "form", form: await orderForm(ctx, z.uuid().parse(value)) }),
  /** The rep confirmed an unusual order: the terms are validated again, and the order's id makes a second press a no-op. */
  "order.confirm": async (ctx, value) => {
    const carriedValue = confirmValue.parse(JSON.parse(value));
    const customer = await ctx.services.getCustomer(carriedValue.c);
    if (!customer) return message([{ type: "text", text: ctx.t("customer.gone") }], ctx.t("customer.gone"));
    const outcome = await record(ctx, customer, termsFromValue(carriedValue), { confirmed: true, orderId: carriedValue.o });
    return outcome.kind === "message" ? { kind: "message", message: { ...outcome.message, replaceOriginal: true } } : outcome;
  },
  "order.cancel": async (ctx, value) => {
    const { c, a, k } = cancelValue.parse(JSON.parse(value));
    const customer = await ctx.services.getCustomer(c);
    const amount = parseAmountToken(a);
    const text = customer && amount && isSupportedCurrency(k) ? ctx.t("order.cancelled", { amount: ctx.f.money(amount.amount.toFixed(), k), name: customer.name }) : ctx.t("customer.gone");
    return { kind: "message", message: { visibility: "private", summary: text, blocks: [{ type: "text", text }], replaceOriginal: true } };
  },
};

export const orderForms: Record<string, FormHandler> = {
  "order.submit": async (ctx, values, rawState) => {
    const state = orderState.parse(JSON.parse(rawState));
    const customer = await ctx.services.getCustomer(state.customerId);
    if (!customer) return { kind: "form-errors", errors: { amount: ctx.t("customer.gone") } };
    const read = readOrderForm(ctx, values, state.currency, customer.name);
    if ("errors" in read) return { kind: "form-errors", errors: read.errors };
    try {
      const outcome = await record(ctx, customer, read.terms);
      return outcome.kind === "message" ? { kind: "form-done", message: outcome.message } : outcome;
    } catch (error) {
      const errors = orderFieldErrors(ctx, error);
      if (errors) return { kind: "form-errors", errors };
      throw error;
    }
  },
};
