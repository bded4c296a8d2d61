import { z } from "zod";
import { AppError, invalidInput } from "../domain/errors.js";
import { resolveLocale, translator } from "../i18n/index.js";
import type { Outcome } from "../reply/reply.js";
import { REASON_LENGTH, type ErasureTarget } from "../services/index.js";
import { candidateNames } from "./customer-picker.js";
import type { ActionHandler, CommandContext, CommandDefinition, FormHandler } from "./types.js";
import { ERASE_FORM, REASON_FIELD, choicesMessage, erasedMessage, erasureForm, noneMessage, targetValue } from "./views/erasure.js";

/** Longest request we read: a name, an email, "Customer: name". */
const MAX_QUERY = 200;

const query = z.string().trim().min(1, "erase.usage").max(MAX_QUERY, "privacy.tooLong");
const target = z.object({ k: z.enum(["contact", "customer"]), id: z.uuid() }).transform((t): ErasureTarget => ({ kind: t.k, id: t.id }));
const reason = z.string().trim().min(REASON_LENGTH.min, "erase.reason.length").max(REASON_LENGTH.max, "erase.reason.length");

function adminOnly(ctx: CommandContext): void {
  if (ctx.rep.role !== "ADMIN") throw new AppError("FORBIDDEN", "erase.adminOnly");
}

/** An erased customer's neutral name, in the team's language (it is stored once, for everyone). */
function labelFor(ctx: CommandContext): (tail: string) => string {
  const t = translator(resolveLocale(ctx.services.settings.defaultLocale, "en"));
  return (tail) => t("erase.customerLabel", { tail });
}

/** The confirmation for one contact or customer, with what erasing it takes. */
async function confirm(ctx: CommandContext, which: ErasureTarget): Promise<Outcome> {
  const preview = await ctx.services.previewErasure(ctx.rep, which);
  if (preview.erasedAlready) return { kind: "message", message: erasedMessage(ctx, { kind: "already", preview }) };
  return { kind: "form", form: erasureForm(ctx, preview, labelFor(ctx)(preview.customer.id.replace(/-/g, "").slice(0, 4))) };
}

/**
 * "/crm erase <contact or customer>" (擦除): admins erase a person's personal data on their
 * request, or a whole customer's. The record is found by name, email, phone, WeChat id or
 * "Customer: person"; several that fit are offered; a confirmation names what goes and asks why.
 */
export const eraseCommand: CommandDefinition = {
  name: "erase",
  slash: false,
  help: [{
    usage: ["/crm erase <contact or customer>", "/crm erase <customer>: <contact>"],
    description: "help.erase",
    examples: ["/crm erase Li Lei", "/crm erase Acme: Li Lei", "/crm erase li.lei@acme.com", "/crm 擦除 阿里巴巴：王芳"],
  }],
  async run(ctx, text) {
    adminOnly(ctx);
    const parsed = query.safeParse(text);
    if (!parsed.success) throw invalidInput(parsed.error.issues[0]?.message ?? "erase.usage", { max: MAX_QUERY });
    const typed = parsed.data;
    const search = await ctx.services.findPerson(typed, { customers: true });
    const button = { id: "erase.ask", label: ctx.t("erase.button") };
    switch (search.kind) {
      case "contact":
        return confirm(ctx, { kind: "contact", id: search.contact.id });
      case "customer":
        return confirm(ctx, { kind: "customer", id: search.customer.id });
      case "choices":
        return choicesMessage(ctx, typed, search, { ...button, value: targetValue });
      case "none":
        return noneMessage(ctx, typed, search, button);
      case "customer-unclear":
        if (search.candidates.length === 0) throw new AppError("NOT_FOUND", "customer.notFound", { query: search.query });
        throw new AppError("AMBIGUOUS", "customer.ambiguousNoButtons", { query: search.query, names: candidateNames(ctx, search) });
    }
  },
};

/** Command words of /crm erase in Chinese. */
export const ERASE_ALIASES: Readonly<Record<string, string>> = { 擦除: "erase", 删除个人信息: "erase", 擦除个人信息: "erase" };

export const eraseActions: Record<string, ActionHandler> = {
  /** A pick among several: the confirmation for that one. */
  "erase.ask": async (ctx, value) => {
    adminOnly(ctx);
    return confirm(ctx, target.parse(JSON.parse(value)));
  },
};

export const eraseForms: Record<string, FormHandler> = {
  [ERASE_FORM]: async (ctx, values, state) => {
    adminOnly(ctx);
    const which = target.parse(JSON.parse(state));
    const why = reason.safeParse(values[REASON_FIELD] ?? "");
    if (!why.success) return { kind: "form-errors", errors: { [REASON_FIELD]: ctx.t("erase.reason.length", { ...REASON_LENGTH }) } };
    const outcome = await ctx.services.erasePerson(ctx.rep, { target: which, reason: why.data, label: labelFor(ctx) });
    return { kind: "form-done", message: erasedMessage(ctx, outcome) };
  },
};
