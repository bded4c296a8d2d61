import { z } from "zod";
import { AppError } from "../domain/errors.js";
import type { Outcome } from "../reply/reply.js";
import { withCustomer } from "./customer-picker.js";
import { leadingQuoted, validate } from "./parse.js";
import type { ActionHandler, CommandContext, CommandDefinition } from "./types.js";
import { cardSectionMessage } from "./views/card-section.js";
import { customerCardMessage } from "./views/customer-card.js";

export const MAX_NAME_LENGTH = 120;

const nameSchema = (missingKey: string) =>
  z.string().trim().min(1, missingKey).max(MAX_NAME_LENGTH, "customer.nameTooLong");

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
    return { kind: "add", name: validate(nameSchema("customer.add.missingName"), name) };
  }
  return { kind: "show", name: validate(nameSchema("customer.missingName"), trimmed, SHOW_USAGE) };
}

export async function showCard(ctx: CommandContext, customerId: string, notice?: string): Promise<Outcome> {
  const card = await ctx.services.getCustomerCard(ctx.rep, customerId);
  if (!card) throw new AppError("NOT_FOUND", "customer.gone");
  return { kind: "message", message: customerCardMessage(ctx, card, notice) };
}

async function add(ctx: CommandContext, name: string): Promise<Outcome> {
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
  ],
  async run(ctx, text) {
    const args = parseCustomerText(text);
    if (args.kind === "add") return add(ctx, args.name);
    return withCustomer(ctx, args.name, { command: "customer", rest: "" }, (c) => showCard(ctx, c.id));
  },
};

const uuid = z.uuid();

export const customerActions: Record<string, ActionHandler> = {
  "customer.show": (ctx, value) => showCard(ctx, uuid.parse(value)),
  "customer.add": (ctx, value) => add(ctx, validate(nameSchema("customer.add.missingName"), value)),
  /** A cut list of the card in full ("All contacts"), a page at a time. */
  "customer.section": (ctx, value) => cardSectionMessage(ctx, value),
};
