import { z } from "zod";
import type { Outcome } from "../reply/reply.js";
import { withCustomer } from "./customer-picker.js";
import { CUSTOMER_EDIT_HELP, confirmNearMiss, customerEditActions, customerNameSchema, runCustomerEdit } from "./customer-edit.js";
import { CUSTOMER_MERGE_HELP, likelyDuplicateWarning, runCustomerMerge } from "./duplicates.js";
import { leadingQuoted, validate } from "./parse.js";
import type { ActionHandler, CommandContext, CommandDefinition } from "./types.js";
import { cardSectionMessage } from "./views/card-section.js";
import { customerCardMessage } from "./views/customer-card.js";

export const MAX_NAME_LENGTH = 120;

const nameSchema = (missingKey: string) =>
  z.string().trim().min(1, missingKey).max(MAX_NAME_LENGTH, "customer.nameTooLong");

/** A new customer's name also needs a letter ("%" or "🚀" alone is refused, with an example). */
const newName = (name: string) => validate(customerNameSchema("customer.add.missingName"), name, { name: name.trim().slice(0, 40), example: "/customer add Acme Robotics" });

/** "Which customer?" names the command it answers: /history borrows the message. */
const SHOW_USAGE = { usage: "/customer <name>" };

export type CustomerArgs = { kind: "show"; name: string } | { kind: "add"; name: string };

/** "/customer Acme" shows, "/customer add Acme Ltd" adds. A quoted "add" is a name. */
export function parseCustomerText(text: string): CustomerArgs {
  const trimmed = text.trim();
  const quoted = leadingQuoted(trimmed);
  if (quoted && !quoted.rest) return { kind: "show", name: validate(nameSchema("customer.missingName"), quoted.name, SHOW_USAGE) };
  const add = /^(?:add|new|添加|新增)(?:\s+([\s\S]*))?$/i.exec(trimmed);
  if (add) {
    const raw = add[1] ?? "";
    const name = leadingQuoted(raw)?.name ?? raw;
    return { kind: "add", name: newName(name) };
  }
  return { kind: "show", name: validate(nameSchema("customer.missingName"), trimmed, SHOW_USAGE) };
}

export async function showCard(ctx: CommandContext, customerId: string, notice?: string): Promise<Outcome> {
  const card = await ctx.services.getCustomerCard(ctx.rep, customerId);
  // A merged customer's old buttons say where it went.
  if (!card) throw await ctx.services.whyCustomerGone(customerId);
  return { kind: "message", message: customerCardMessage(ctx, card, notice) };
}

/** `anyway`: the rep saw the likely duplicates and adds it all the same. */
async function add(ctx: CommandContext, name: string, anyway = false): Promise<Outcome> {
  const warning = anyway ? undefined : await likelyDuplicateWarning(ctx, name);
  if (warning) return warning;
  const { created, customer } = await ctx.services.addCustomer(ctx.rep, name);
  const notice = created
    ? ctx.t("customer.add.created", { name: customer.name })
    : ctx.t("customer.add.exists", { name: customer.name, owner: customer.ownerName ?? ctx.t("card.noOwner") });
  return showCard(ctx, customer.id, notice);
}

export const customerCommand: CommandDefinition = {
  name: "customer",
  help: [
    { usage: ["/customer <name>"], description: "help.customer", examples: ["/customer Acme", "/customer 阿里巴巴", "/customer alibaba"] },
    { usage: ["/customer add <name>"], description: "help.customerAdd", examples: ["/customer add Acme Ltd", "/customer add 腾讯科技有限公司"], words: ["add", "new", "添加", "新增"] },
    ...CUSTOMER_EDIT_HELP,
    ...CUSTOMER_MERGE_HELP,
  ],
  async run(ctx, text) {
    // merge <a> into <b> (合并 … 到 …): duplicates.ts.
    const merged = await runCustomerMerge(ctx, text);
    if (merged) return merged;
    // rename, assign, stage, set, tag, untag (and their Chinese words): customer-edit.ts.
    const edited = await runCustomerEdit(ctx, text);
    if (edited) return edited;
    const args = parseCustomerText(text);
    if (args.kind === "add") return add(ctx, args.name);
    return withCustomer(ctx, args.name, { command: "customer", rest: "" }, (c) => showCard(ctx, c.id));
  },
};

const uuid = z.uuid();

export const customerActions: Record<string, ActionHandler> = {
  "customer.show": (ctx, value) => showCard(ctx, uuid.parse(value)),
  /** "Add <name>" after a name was not found: asks first when a customer with a close name exists. */
  "customer.add": async (ctx, value) => {
    const name = newName(value);
    return (await confirmNearMiss(ctx, name)) ?? add(ctx, name);
  },
  /** "Add <name> anyway", after the rep saw the close names. */
  "customer.addAnyway": (ctx, value) => add(ctx, newName(value), true),
  ...customerEditActions,
  /** A cut list of the card in full ("All contacts"), a page at a time. */
  "customer.section": (ctx, value) => cardSectionMessage(ctx, value),
};
