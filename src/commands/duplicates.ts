import { z } from "zod";
import { nameKeys } from "../domain/language/customer-name.js";
import { AppError, invalidInput } from "../domain/errors.js";
import type { Outcome } from "../reply/reply.js";
import { textMessage } from "../reply/reply.js";
import type { CustomerSummary } from "../services/index.js";
import { candidateNames } from "./customer-picker.js";
import type { ActionHandler, CommandContext, CommandDefinition, CommandHelp } from "./types.js";
import { duplicatesMessage, likelyDuplicatesMessage, mergeConfirmMessage, mergeDoneMessage } from "./views/duplicates.js";
import { pageNumber } from "./views/list-page.js";

/** "/customer merge A into B", "/customer 合并 A 到 B". */
const MERGE_WORD = /^(?:merge|合并)(?:\s+([\s\S]*))?$/i;
/** Between the two names: "into", "to", "->", "→", "=>", "到", "并入", "合并到". */
const MERGE_SEPARATOR = /\s+(?:into|to)\s+|\s*(?:->|→|=>)\s*|\s*(?:合并到|并入|到)\s*/i;

export const CUSTOMER_MERGE_HELP: CommandHelp[] = [
  {
    usage: ["/customer merge <customer> into <customer>"],
    description: "help.customerMerge",
    examples: ["/customer merge Acme Intl into Acme Ltd", "/customer 合并 阿里巴巴集团 到 阿里巴巴"],
    words: ["merge", "合并"],
  },
];

/** "fromId:intoId" from a button; validated again, it came back from a client. */
const idPair = z.string().regex(/^[0-9a-f-]{36}:[0-9a-f-]{36}$/i).transform((v) => v.split(":") as [string, string]).pipe(z.tuple([z.uuid(), z.uuid()]));

function parseIdPair(value: string): [string, string] {
  const parsed = idPair.safeParse(value);
  if (!parsed.success) throw new AppError("INVALID_INPUT", "error.expired", {}, `bad id pair ${value.slice(0, 80)}`);
  return parsed.data;
}

/**
 * One customer for a typed name, or why not (no buttons: two names are in play). Names that
 * read alike are what a merge is for: among several exact matches ("上海华信物流" and
 * "上海华鑫物流" share their pinyin) the one whose own name was typed is meant.
 */
async function oneCustomer(ctx: CommandContext, query: string): Promise<CustomerSummary> {
  const resolution = await ctx.services.resolveCustomer(query);
  if (resolution.kind === "found") return resolution.customer;
  const typed = nameKeys(query).normalizedName;
  const named = resolution.kind === "ambiguous" ? resolution.candidates.filter((c) => nameKeys(c.name).normalizedName === typed) : [];
  if (named.length === 1) return named[0]!;
  if (resolution.kind === "ambiguous") throw new AppError("AMBIGUOUS", "customer.ambiguousNoButtons", { query, names: candidateNames(ctx, resolution) });
  throw new AppError("NOT_FOUND", "customer.notFound", { query });
}

async function merge(ctx: CommandContext, fromId: string, intoId: string): Promise<Outcome> {
  return mergeDoneMessage(ctx, await ctx.services.mergeCustomers(ctx.rep, { fromId, intoId }));
}

/**
 * "/customer merge <a> into <b>": merges at once (both names are typed out); undefined when the
 * text is no merge, such as a customer called "Merge Partners".
 */
export async function runCustomerMerge(ctx: CommandContext, text: string): Promise<Outcome | undefined> {
  const trimmed = text.trim();
  const word = MERGE_WORD.exec(trimmed);
  if (!word) return undefined;
  if (await ctx.services.findCustomerByName(trimmed)) return undefined;
  const parts = (word[1] ?? "").split(MERGE_SEPARATOR).map((p) => p.trim());
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw invalidInput("merge.missing");
  const [fromName, intoName] = parts as [string, string];
  const [from, into] = await Promise.all([oneCustomer(ctx, fromName), oneCustomer(ctx, intoName)]);
  if (from.id === into.id) {
    // A name merged away before now finds the customer it went into, through the alias it left.
    const gone = (await ctx.services.mergedAwayName(into.id, fromName)) ?? (await ctx.services.mergedAwayName(from.id, intoName));
    if (gone) throw new AppError("NOT_FOUND", "merge.mergedAway", { customer: gone, into: into.name });
    throw invalidInput("merge.self");
  }
  return merge(ctx, from.id, into.id);
}

/** Before /customer add creates a customer: the ones it likely duplicates, if any. */
export async function likelyDuplicateWarning(ctx: CommandContext, name: string): Promise<Outcome | undefined> {
  const likely = await ctx.services.likelyDuplicatesOf(ctx.rep, name);
  return likely.length > 0 ? likelyDuplicatesMessage(ctx, name, likely) : undefined;
}

async function list(ctx: CommandContext, page: number): Promise<Outcome> {
  return duplicatesMessage(ctx, await ctx.services.listDuplicates(ctx.rep, page));
}

/** "/crm duplicates [page]" (重复): everyone may list; merging needs the right to change both. */
export const duplicatesCommand: CommandDefinition = {
  name: "duplicates",
  slash: false,
  help: [{ usage: ["/crm duplicates [page]"], description: "help.duplicates", examples: ["/crm duplicates", "/crm duplicates 2", "/crm 重复"] }],
  run: (ctx, text) => {
    const typed = text.trim();
    const page = typed ? pageNumber(typed) : 1;
    if (!page) throw invalidInput("list.badPage", { text: typed.slice(0, 40) });
    return list(ctx, page);
  },
};

/** Command words of /crm duplicates in Chinese. */
export const DUPLICATES_ALIASES: Readonly<Record<string, string>> = { 重复: "duplicates", 查重: "duplicates", 重复客户: "duplicates", dupes: "duplicates" };

export const duplicateActions: Record<string, ActionHandler> = {
  "duplicates.list": (ctx, value) => list(ctx, pageNumber(value) ?? 1),
  /** A Merge button of the list: the confirmation first, with what each side holds. */
  "duplicates.mergeAsk": async (ctx, value) => {
    const [fromId, intoId] = parseIdPair(value);
    return mergeConfirmMessage(ctx, await ctx.services.previewMerge(ctx.rep, { fromId, intoId }));
  },
  "duplicates.merge": (ctx, value) => {
    const [fromId, intoId] = parseIdPair(value);
    return merge(ctx, fromId, intoId);
  },
  "duplicates.cancel": async (ctx) => textMessage(ctx.t("merge.cancelled")),
  "duplicates.dismiss": async (ctx, value) => {
    const [x, y] = parseIdPair(value);
    const { dismissed, names } = await ctx.services.dismissDuplicate(ctx.rep, { x, y });
    return textMessage(ctx.t(dismissed ? "duplicates.dismissed" : "duplicates.alreadyDismissed", { a: names[0], b: names[1] }));
  },
};
