import { z } from "zod";
import { AppError, invalidInput } from "../domain/errors.js";
import type { Outcome } from "../reply/reply.js";
import { candidateNames } from "./customer-picker.js";
import type { ActionHandler, CommandContext, CommandDefinition } from "./types.js";
import { choicesMessage, noneMessage } from "./views/erasure.js";
import { personExportMessage } from "./views/person-export.js";

const MAX_QUERY = 200;

const query = z.string().trim().min(1, "exportPerson.usage").max(MAX_QUERY, "privacy.tooLong");

/** Reps are told at once, before any look-up; the service checks the customer's scope again. */
function mayExport(ctx: CommandContext): void {
  if (ctx.rep.role === "REP") throw new AppError("FORBIDDEN", "exportPerson.repRefused");
}

async function exportOf(ctx: CommandContext, contactId: string): Promise<Outcome> {
  const record = await ctx.services.exportPerson(ctx.rep, contactId);
  return { kind: "message", message: personExportMessage(ctx, record) };
}

/**
 * "/crm export-person <contact>" (导出个人信息): a data subject access request. Everything held
 * about one person, as a JSON file and a readable text file, for admins and managers who may
 * see the person's customer's private details; audited.
 */
export const exportPersonCommand: CommandDefinition = {
  name: "export-person",
  slash: false,
  help: [{
    usage: ["/crm export-person <contact>", "/crm export-person <customer>: <contact>"],
    description: "help.exportPerson",
    examples: ["/crm export-person Li Lei", "/crm export-person Acme: Li Lei", "/crm 导出个人信息 王芳"],
  }],
  async run(ctx, text) {
    mayExport(ctx);
    const parsed = query.safeParse(text);
    if (!parsed.success) throw invalidInput(parsed.error.issues[0]?.message ?? "exportPerson.usage", { max: MAX_QUERY });
    const typed = parsed.data;
    const search = await ctx.services.findPerson(typed, { customers: false });
    switch (search.kind) {
      case "contact":
        return exportOf(ctx, search.contact.id);
      case "choices":
        return choicesMessage(ctx, typed, search, { id: "exportPerson.pick", label: ctx.t("exportPerson.button"), value: (t) => t.id });
      case "none":
        return noneMessage(ctx, typed, search);
      case "customer":
        // Not offered for an export (a customer is no person); kept for the type's sake.
        return noneMessage(ctx, typed, { kind: "none", suggestions: [] });
      case "customer-unclear":
        if (search.candidates.length === 0) throw new AppError("NOT_FOUND", "customer.notFound", { query: search.query });
        throw new AppError("AMBIGUOUS", "customer.ambiguousNoButtons", { query: search.query, names: candidateNames(ctx, search) });
    }
  },
};

/** Command words of /crm export-person in Chinese. */
export const EXPORT_PERSON_ALIASES: Readonly<Record<string, string>> = { 导出个人信息: "export-person", 个人信息导出: "export-person", exportperson: "export-person" };

export const exportPersonActions: Record<string, ActionHandler> = {
  "exportPerson.pick": async (ctx, value) => {
    mayExport(ctx);
    return exportOf(ctx, z.uuid().parse(value));
  },
};
