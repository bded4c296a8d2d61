import { isNameLike } from "../domain/customers/customer-fields.js";
import type { Block, Button, Outcome } from "../reply/reply.js";
import { message } from "../reply/reply.js";
import type { CustomerSummary } from "../services/index.js";
import type { CommandContext } from "./types.js";

/** Slack allows 2,000 characters in a button value; keep a margin for the JSON around it. */
const MAX_PICK_VALUE = 1_900;

/** What to do once the rep has picked a customer: run `command` for it with the `rest` of the text. */
export interface PickContinuation {
  command: string;
  rest: string;
}

export function pickValue(customerId: string, continuation: PickContinuation): string {
  return JSON.stringify({ c: continuation.command, id: customerId, r: continuation.rest });
}

function candidateButton(ctx: CommandContext, customer: CustomerSummary, continuation: PickContinuation): Button | undefined {
  const value = pickValue(customer.id, continuation);
  if (value.length > MAX_PICK_VALUE) return undefined;
  return { label: ctx.t("button.open"), action: { id: "customer.pick", value } };
}

function describe(ctx: CommandContext, c: CustomerSummary): string {
  return `${ctx.t(`stage.${c.stage}`)} · ${ctx.t("card.owner")}: ${c.ownerName ?? ctx.t("card.noOwner")}`;
}

/** "Acme Ltd, Acme Trading, and others": the candidates' names, saying when they are not all. */
export function candidateNames(ctx: Pick<CommandContext, "t" | "f">, resolution: { candidates: CustomerSummary[]; more: boolean }): string {
  const names = resolution.candidates.map((c) => c.name);
  return ctx.f.list(resolution.more ? [...names, ctx.t("customer.others")] : names);
}

/**
 * Resolves a typed name and continues with the customer, or answers the way a colleague
 * would: "which of these?" for several, "did you mean?" for look-alikes, and how to add it.
 */
export async function withCustomer(
  ctx: CommandContext,
  query: string,
  continuation: PickContinuation,
  then: (customer: CustomerSummary) => Promise<Outcome>,
): Promise<Outcome> {
  const resolution = await ctx.services.resolveCustomer(query);
  if (resolution.kind === "found") return then(resolution.customer);

  // The candidates are customers shown: a list answer, audited as one.
  const shown = resolution.kind === "ambiguous" ? resolution.candidates : resolution.suggestions;
  await ctx.services.auditListed(ctx.rep, "candidates", shown.map((c) => c.id));

  if (resolution.kind === "ambiguous") {
    const items = resolution.candidates.map((c) => {
      const button = candidateButton(ctx, c, continuation);
      return { title: c.name, detail: describe(ctx, c), ...(button ? { button } : {}) };
    });
    // Candidates are a few of the best matches: when there are more, the rep narrows the name.
    const more: Block[] = resolution.more ? [{ type: "context", text: ctx.t("customer.moreMatch", { query }) }] : [];
    if (items.some((i) => !i.button)) {
      const text = ctx.t("customer.ambiguousNoButtons", { query, names: candidateNames(ctx, resolution) });
      return { kind: "message", message: { visibility: "private", summary: text, blocks: [{ type: "text", text }], isError: true } };
    }
    const title = ctx.t("customer.ambiguous", { query });
    return message([{ type: "text", text: title }, { type: "list", items }, ...more], title);
  }

  const text = ctx.t("customer.notFound", { query });
  const blocks: Block[] = [{ type: "text", text }];
  const suggestions = resolution.suggestions.flatMap((c) => {
    const button = candidateButton(ctx, c, continuation);
    return button ? [{ title: c.name, detail: describe(ctx, c), button }] : [];
  });
  if (suggestions.length > 0) blocks.push({ type: "list", title: ctx.t("customer.didYouMean"), items: suggestions });
  // A "name" without a letter ("%", "🚀") could not be added: no button or example for it.
  if (!isNameLike(query)) return { kind: "message", message: { visibility: "private", summary: text, blocks, isError: true } };
  blocks.push({ type: "examples", label: ctx.t("customer.howToAdd"), examples: [`/customer add ${query}`] });
  if (query.length <= 120) {
    blocks.push({ type: "buttons", buttons: [{ label: ctx.t("button.add", { name: query }).slice(0, 75), action: { id: "customer.add", value: query } }] });
  }
  return { kind: "message", message: { visibility: "private", summary: text, blocks, isError: true } };
}
