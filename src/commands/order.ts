import { z } from "zod";
import { dateInZone, instantOfLocalTime, isCalendarDate } from "../domain/calendar-date.js";
import { AppError, invalidInput } from "../domain/errors.js";
import { CURRENCY_DIGITS, type Decimal, MAX_ORDER_AMOUNT, SUPPORTED_CURRENCIES, isSupportedCurrency, parseAmountToken } from "../domain/money.js";
import type { Form, Outcome } from "../reply/reply.js";
import { message } from "../reply/reply.js";
import type { CustomerSummary } from "../services/index.js";
import { withCustomer } from "./customer-picker.js";
import { MAX_NAME_LENGTH } from "./customer.js";
import { leadingQuoted, validate } from "./parse.js";
import type { ActionHandler, CommandContext, CommandDefinition, FormHandler } from "./types.js";

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

const DATE_SUFFIX = /\s+(?:on|于|日期[:：]?)\s*(\S+)\s*$/i;
const BARE_DATE_SUFFIX = /\s+(\d{4}-\d{1,2}-\d{1,2})\s*$/;

/** Takes a trailing "on 2026-03-01" (or a bare date) off the text. */
function splitDate(text: string): { rest: string; date: string | null } {
  const padded = ` ${text.trim()}`;
  const dated = DATE_SUFFIX.exec(padded) ?? BARE_DATE_SUFFIX.exec(padded);
  if (!dated) return { rest: text.trim(), date: null };
  const date = dated[1]!;
  if (!isCalendarDate(date)) throw invalidInput("order.badDate", { date });
  return { rest: padded.slice(0, dated.index).trim(), date };
}

/** "<amount> [currency] [product] [on YYYY-MM-DD]", the part after the customer name. */
export function parseOrderTerms(text: string, baseCurrency: string, customerName: string): OrderTerms {
  const { rest, date } = splitDate(text);
  const tokens = rest.trim().split(/\s+/).filter(Boolean);
  const amountToken = tokens.shift();
  if (!amountToken) throw invalidInput("order.missingAmount", { name: customerName });
  const parsed = parseAmountToken(amountToken);
  if (!parsed) throw invalidInput("order.badAmount", { token: amountToken });

  let currency = parsed.currency ?? baseCurrency;
  const next = tokens[0];
  if (next && /^[A-Za-z]{3}$/.test(next)) {
    if (isSupportedCurrency(next)) {
      currency = next.toUpperCase();
      tokens.shift();
    } else if (next === next.toUpperCase()) {
      throw new AppError("INVALID_INPUT", "order.unknownCurrency", { code: next, known: SUPPORTED_CURRENCIES.join(", ") });
    }
  }
  const { amount } = parsed;
  if (amount.lte(0)) throw invalidInput("order.nonPositive");
  if (amount.gt(MAX_ORDER_AMOUNT)) throw invalidInput("order.tooLarge", { amount: amountToken });
  const digits = CURRENCY_DIGITS[currency] ?? 2;
  if (amount.decimalPlaces() > digits) throw invalidInput("order.tooManyDecimals", { currency, digits });
  const product = validate(z.string().max(MAX_PRODUCT_LENGTH, "order.productTooLong"), tokens.join(" ")) || null;
  return { amount, currency, product, date };
}

/** Splits "<customer> <amount> ..." at the first word that is an amount; a quoted name may hold digits. */
export function parseOrderText(text: string, baseCurrency: string): OrderArgs {
  if (!text.trim()) throw invalidInput("order.missingAll");
  // The date comes off first so "Acme on 2026-03-01" is not read as a customer name.
  const { rest: trimmed, date } = splitDate(text);
  const dateSuffix = date ? ` on ${date}` : "";
  const nameSchema = z.string().trim().min(1, "order.missingName").max(MAX_NAME_LENGTH, "customer.nameTooLong");
  const quoted = leadingQuoted(trimmed);
  if (quoted) {
    const name = validate(nameSchema, quoted.name);
    return { name, ...parseOrderTerms(quoted.rest + dateSuffix, baseCurrency, name) };
  }
  const tokens = trimmed.split(/\s+/);
  if (parseAmountToken(tokens[0]!)) throw invalidInput("order.missingName");
  let at = tokens.findIndex((t, i) => i > 0 && parseAmountToken(t) !== undefined);
  // No amount: the first word with a digit was probably meant as one ("12OO", "1200abc").
  if (at < 0) at = tokens.findIndex((t, i) => i > 0 && /\d/.test(t) && !isCalendarDate(t));
  const name = validate(nameSchema, (at < 0 ? tokens : tokens.slice(0, at)).join(" "));
  return { name, ...parseOrderTerms((at < 0 ? "" : tokens.slice(at).join(" ")) + dateSuffix, baseCurrency, name) };
}

async function record(ctx: CommandContext, customer: CustomerSummary, terms: OrderTerms): Promise<Outcome> {
  const today = dateInZone(ctx.now, ctx.timezone);
  if (terms.date && terms.date > today) throw invalidInput("order.futureDate", { date: terms.date });
  if (terms.date && Number(terms.date.slice(0, 4)) < Number(today.slice(0, 4)) - 50) throw invalidInput("order.tooOld", { date: terms.date });
  const orderedAt = terms.date && terms.date !== today ? instantOfLocalTime(terms.date, ctx.timezone) : ctx.now;
  const result = await ctx.services.recordOrder(ctx.rep, { customer, amount: terms.amount, currency: terms.currency, product: terms.product, orderedAt });
  const amount = ctx.f.money(terms.amount.toFixed(), terms.currency);
  const lines = [
    terms.product
      ? ctx.t("order.savedProduct", { amount, name: customer.name, product: terms.product })
      : ctx.t("order.saved", { amount, name: customer.name }),
  ];
  const base = ctx.services.settings.baseCurrency;
  if (terms.currency !== base) {
    lines.push(ctx.t("order.converted", { base: ctx.f.money(result.baseAmount, base), rate: ctx.services.settings.ratesToBase.get(terms.currency) ?? "?" }));
  }
  if (result.stageChange) {
    lines.push(ctx.t("stage.changed", { name: customer.name, from: ctx.t(`stage.${result.stageChange.from as "LEAD"}`), to: ctx.t(`stage.${result.stageChange.to as "LEAD"}`) }));
  }
  return message(
    [{ type: "text", text: lines.join("\n") }, { type: "buttons", buttons: [{ label: ctx.t("button.open"), action: { id: "customer.show", value: customer.id } }] }],
    lines[0]!,
  );
}

export const orderCommand: CommandDefinition & { withCustomer(ctx: CommandContext, c: CustomerSummary, rest: string): Promise<Outcome> } = {
  name: "order",
  help: [
    {
      usage: ["/order <customer> <amount> [currency] [product] [on YYYY-MM-DD]"],
      description: "help.order",
      examples: ["/order Acme 1200 CNY annual licence", "/order Acme 99.90 USD support on 2026-03-01", "/order 阿里巴巴 5万 年度服务"],
    },
  ],
  withCustomer: (ctx, customer, rest) => record(ctx, customer, parseOrderTerms(rest, ctx.services.settings.baseCurrency, customer.name)),
  async run(ctx, text) {
    const args = parseOrderText(text, ctx.services.settings.baseCurrency);
    return withCustomer(ctx, args.name, { command: "order", rest: orderRest(args) }, (c) => record(ctx, c, args));
  },
};

/** The order terms written back as text, for a "which customer?" button to carry. */
function orderRest(args: OrderTerms): string {
  return [args.amount.toFixed(), args.currency, args.product ?? "", args.date ? `on ${args.date}` : ""].filter(Boolean).join(" ");
}

const DATE_ERRORS = new Set(["order.badDate", "order.futureDate", "order.tooOld"]);

const orderState = z.object({ customerId: z.uuid() });

function orderForm(ctx: CommandContext, customerId: string): Form {
  return {
    id: "order.submit",
    title: ctx.t("form.order.title"),
    submitLabel: ctx.t("form.order.submit"),
    state: JSON.stringify({ customerId }),
    fields: [
      { id: "amount", label: ctx.t("form.order.amount"), kind: "text", placeholder: ctx.t("form.order.amountHint"), maxLength: 40 },
      { id: "product", label: ctx.t("form.order.product"), kind: "text", optional: true, maxLength: MAX_PRODUCT_LENGTH },
      { id: "date", label: ctx.t("form.order.date"), kind: "text", optional: true, initial: dateInZone(ctx.now, ctx.timezone), maxLength: 10 },
    ],
  };
}

export const orderActions: Record<string, ActionHandler> = {
  "customer.orderForm": async (ctx, value) => ({ kind: "form", form: orderForm(ctx, z.uuid().parse(value)) }),
};

export const orderForms: Record<string, FormHandler> = {
  "order.submit": async (ctx, values, rawState) => {
    const { customerId } = orderState.parse(JSON.parse(rawState));
    const customer = await ctx.services.getCustomer(customerId);
    if (!customer) return { kind: "form-errors", errors: { amount: ctx.t("customer.gone") } };
    const amount = (values.amount ?? "").trim();
    if (!amount) return { kind: "form-errors", errors: { amount: ctx.t("form.required") } };
    const product = (values.product ?? "").trim();
    const date = (values.date ?? "").trim();
    let terms: OrderTerms;
    try {
      // Product is kept apart from the amount field so a product named like a currency stays a product.
      terms = { ...parseOrderTerms(date ? `${amount} on ${date}` : amount, ctx.services.settings.baseCurrency, customer.name) };
      terms.product = validate(z.string().max(MAX_PRODUCT_LENGTH, "order.productTooLong"), product) || terms.product;
      const outcome = await record(ctx, customer, terms);
      return outcome.kind === "message" ? { kind: "form-done", message: outcome.message } : outcome;
    } catch (error) {
      if (error instanceof AppError && error.code === "INVALID_INPUT") {
        const field = DATE_ERRORS.has(error.userKey) ? "date" : error.userKey === "order.productTooLong" ? "product" : "amount";
        return { kind: "form-errors", errors: { [field]: ctx.t(error.userKey as "order.badAmount", error.params) } };
      }
      throw error;
    }
  },
};
