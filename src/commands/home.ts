import type { Decimal } from "decimal.js";
import { z } from "zod";
import { parseAmountToken, isSupportedCurrency } from "../domain/money.js";
import { AppError } from "../domain/errors.js";
import { MAX_DEAL_AMOUNT, type CustomerSummary } from "../services/index.js";
import type { Form, Outcome } from "../reply/reply.js";
import { showCard } from "./customer.js";
import { logForm } from "./log.js";
import { orderFormFields, orderForms } from "./order.js";
import { dateInZone } from "../domain/time/calendar-date.js";
import type { ActionHandler, CommandContext, CommandDefinition, FormHandler } from "./types.js";
import { homeView } from "./views/home.js";

/** Longest customer name a Home form takes (as /customer does). */
const MAX_NAME = 200;
const MAX_DEAL_TITLE = 200;

/** The rep's Home as a message: what Slack's Home tab shows, and the demo prints. */
export async function homeMessage(ctx: CommandContext): Promise<Outcome> {
  const home = await ctx.services.getHome(ctx.rep, { now: ctx.now, timezone: ctx.timezone });
  return { kind: "message", message: homeView(ctx, ctx.rep, home) };
}

/** "/crm home" (主页): the Home where a platform has no Home tab (the demo), or to look at it in a chat. */
export const homeCommand: CommandDefinition = {
  name: "home",
  slash: false,
  help: [{ usage: ["/crm home"], description: "help.home", examples: ["/crm home"] }],
  async run(ctx, text) {
    if (text.trim()) throw new AppError("INVALID_INPUT", "home.noArguments", {});
    return homeMessage(ctx);
  },
};

export const HOME_ALIASES: Readonly<Record<string, string>> = { 主页: "home", 首页: "home" };

/** The rep opened their Home tab, or acted on it: it is published again, through the outbox. */
export async function homeOpened(ctx: CommandContext): Promise<Outcome> {
  await ctx.services.requestHomePublish(ctx.rep);
  return { kind: "none" };
}

function customerField(ctx: CommandContext) {
  return { id: "customer", label: ctx.t("form.log.customer"), kind: "text" as const, placeholder: ctx.t("form.log.customerHint"), maxLength: MAX_NAME };
}

function findForm(ctx: CommandContext): Form {
  return { id: "home.find.submit", title: ctx.t("home.form.find.title"), submitLabel: ctx.t("home.form.find.submit"), state: "{}", fields: [customerField(ctx)] };
}

function orderFormOfHome(ctx: CommandContext): Form {
  return {
    id: "home.order.submit",
    title: ctx.t("form.order.title"),
    submitLabel: ctx.t("form.order.submit"),
    state: "{}",
    fields: [customerField(ctx), ...orderFormFields(ctx, { currency: ctx.services.settings.baseCurrency, date: dateInZone(ctx.now, ctx.timezone) })],
  };
}

async function dealForm(ctx: CommandContext): Promise<Form> {
  const pipeline = await ctx.services.getPipeline();
  return {
    id: "home.deal.submit",
    title: ctx.t("home.form.deal.title"),
    submitLabel: ctx.t("home.form.deal.submit"),
    state: "{}",
    fields: [
      customerField(ctx),
      { id: "title", label: ctx.t("home.form.deal.name"), kind: "text", maxLength: MAX_DEAL_TITLE },
      { id: "amount", label: ctx.t("home.form.deal.amount"), kind: "text", optional: true, placeholder: ctx.t("home.form.deal.amountHint"), maxLength: 40 },
      { id: "currency", label: ctx.t("form.order.currency"), kind: "text", optional: true, initial: ctx.services.settings.baseCurrency, maxLength: 3 },
      {
        id: "stage", label: ctx.t("home.form.deal.stage"), kind: "select", initial: pipeline.first.key,
        options: pipeline.open.map((s) => ({ value: s.key, label: `${s.names[ctx.locale]} (${s.probability}%)` })),
      },
    ],
  };
}

/** The one customer a form's name field means, or the field's error (none, or several that fit). */
async function customerOfForm(ctx: CommandContext, typed: string | undefined): Promise<{ customer: CustomerSummary } | { errors: Record<string, string> }> {
  const name = (typed ?? "").trim();
  if (!name) return { errors: { customer: ctx.t("form.required") } };
  const found = await ctx.services.resolveCustomer(name.slice(0, MAX_NAME));
  if (found.kind === "found") return { customer: found.customer };
  if (found.kind === "ambiguous") return { errors: { customer: ctx.t("home.form.ambiguous", { names: ctx.f.list(found.candidates.slice(0, 5).map((c) => c.name)) }) } };
  return { errors: { customer: ctx.t("home.form.noCustomer", { name: name.slice(0, 80) }) } };
}

export const homeActions: Record<string, ActionHandler> = {
  "home.find": async (ctx) => ({ kind: "form", form: findForm(ctx) }),
  "home.log": async (ctx) => ({ kind: "form", form: logForm(ctx, { state: {} }) }),
  "home.order": async (ctx) => ({ kind: "form", form: orderFormOfHome(ctx) }),
  "home.deal": async (ctx) => ({ kind: "form", form: await dealForm(ctx) }),
};

const dealValues = z.object({
  title: z.string().trim().max(MAX_DEAL_TITLE),
  amount: z.string().trim().max(40).optional(),
  currency: z.string().trim().max(3).optional(),
  stage: z.string().trim().max(40).optional(),
});

export const homeForms: Record<string, FormHandler> = {
  "home.find.submit": async (ctx, values) => {
    const named = await customerOfForm(ctx, values.customer);
    if ("errors" in named) return { kind: "form-errors", errors: named.errors };
    const outcome = await showCard(ctx, named.customer.id);
    return outcome.kind === "message" ? { kind: "form-done", message: outcome.message } : outcome;
  },
  "home.order.submit": async (ctx, values) => {
    const named = await customerOfForm(ctx, values.customer);
    if ("errors" in named) return { kind: "form-errors", errors: named.errors };
    // The order form's own reading and rules, for the customer named here.
    return orderForms["order.submit"]!(ctx, values, JSON.stringify({ customerId: named.customer.id, currency: ctx.services.settings.baseCurrency }));
  },
  "home.deal.submit": async (ctx, values) => {
    const fields = dealValues.safeParse(values);
    if (!fields.success) {
      const field = String(fields.error.issues[0]?.path[0] ?? "title");
      return { kind: "form-errors", errors: { [field]: ctx.t("home.form.deal.tooLong") } };
    }
    const { title, amount: amountText, currency: currencyText, stage } = fields.data;
    const named = await customerOfForm(ctx, values.customer);
    if ("errors" in named) return { kind: "form-errors", errors: named.errors };
    if (!title) return { kind: "form-errors", errors: { title: ctx.t("form.required") } };
    let amount: { value: Decimal; currency: string } | null = null;
    if (amountText) {
      const read = parseAmountToken(amountText.replace(/\s+/g, ""));
      if (!read || read.amount.lte(0) || read.amount.gt(MAX_DEAL_AMOUNT)) return { kind: "form-errors", errors: { amount: ctx.t("home.form.deal.badAmount", { amount: amountText }) } };
      const currency = (read.currency ?? (currencyText || ctx.services.settings.baseCurrency)).toUpperCase();
      if (!isSupportedCurrency(currency)) return { kind: "form-errors", errors: { currency: ctx.t("home.form.deal.badCurrency", { currency }) } };
      amount = { value: read.amount, currency };
    }
    try {
      const deal = await ctx.services.addDealFromHome(ctx.rep, { customerId: named.customer.id, title, amount, ...(stage ? { stage } : {}) });
      const text = ctx.t("home.deal.saved", { title: deal.title, customer: named.customer.name, amount: amount ? ctx.f.money(amount.value.toFixed(), amount.currency) : "—" });
      return { kind: "form-done", message: { visibility: "private", summary: text, blocks: [{ type: "text", text }] } };
    } catch (error) {
      if (error instanceof AppError && error.code === "INVALID_INPUT") {
        const field = error.userKey === "home.deal.badStage" ? "stage" : error.userKey === "home.form.deal.badAmount" ? "amount" : "currency";
        return { kind: "form-errors", errors: { [field]: ctx.t(error.userKey as "home.deal.badStage", error.params) } };
      }
      throw error;
    }
  },
};
