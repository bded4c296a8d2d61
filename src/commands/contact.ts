import { z } from "zod";
import { CONTACT_FIELDS, ContactInputError, type ContactField, type ContactInput } from "../domain/customers/contact-details.js";
import { AppError, invalidInput } from "../domain/errors.js";
import { mayChange } from "../domain/access/write-rights.js";
import type { Block, Button, Outcome } from "../reply/reply.js";
import type { ContactView, CustomerSummary } from "../services/index.js";
import { readContactText } from "./contact-text.js";
import { withCustomer } from "./customer-picker.js";
import { MAX_NAME_LENGTH } from "./customer.js";
import { leadingQuoted, validate } from "./parse.js";
import type { ActionHandler, CommandContext, CommandDefinition, FormHandler } from "./types.js";
import {
  addContactForm, addState, contactButtons, contactDetail, contactListMessage, contactTitle, editContactForm, editState, listValue,
} from "./views/contact-list.js";

type Verb = "list" | "add" | "edit" | "remove";

const VERBS: Readonly<Record<Exclude<Verb, "list">, readonly string[]>> = {
  add: ["add", "new", "添加", "新增"],
  edit: ["edit", "change", "修改", "编辑"],
  remove: ["remove", "delete", "删除", "移除"],
};
const LIST_WORDS = ["list", "列表"];

const customerName = z.string().trim().min(1, "contact.missingCustomer").max(MAX_NAME_LENGTH, "customer.nameTooLong");

/** What a "which customer?" pick carries on to: the verb and the text after the customer. */
const continuation = z.object({ v: z.enum(["list", "add", "edit", "remove"]), r: z.string().max(1_500) });

export interface ContactArgs {
  verb: Verb;
  /** The customer and whatever follows it, as typed. */
  text: string;
}

/** "/contact Acme" lists, "/contact add|edit|remove Acme …" acts; a quoted "add" is a customer's name. */
export function parseContactText(text: string): ContactArgs {
  const trimmed = text.trim();
  if (leadingQuoted(trimmed)) return { verb: "list", text: trimmed };
  const [first = "", ...rest] = trimmed.split(/\s+/);
  const word = first.toLowerCase();
  for (const [verb, words] of Object.entries(VERBS) as [Exclude<Verb, "list">, readonly string[]][]) {
    if (words.includes(word)) return { verb, text: rest.join(" ") };
  }
  if (LIST_WORDS.includes(word) && rest.length > 0) return { verb: "list", text: rest.join(" ") };
  return { verb: "list", text: trimmed };
}

const contactsButton = (ctx: CommandContext, customerId: string): Button => ({
  label: ctx.t("contact.button.list"), action: { id: "contact.list", value: JSON.stringify({ id: customerId, p: 1 }) },
});

/** A short answer about one contact: what happened, the contact as it is now, and what can be done next. */
function contactMessage(ctx: CommandContext, lines: string[], contact: ContactView | null, buttons: Button[], options: { replace?: boolean; error?: boolean } = {}): Outcome {
  const blocks: Block[] = [{ type: "text", text: lines.join("\n") }];
  if (contact) {
    const detail = contactDetail(ctx, contact);
    blocks.push({ type: "list", items: [{ title: contactTitle(contact), ...(detail ? { detail } : {}) }] });
  }
  if (buttons.length > 0) blocks.push({ type: "buttons", buttons });
  return {
    kind: "message",
    message: { visibility: "private", summary: lines[0]!, blocks, ...(options.replace ? { replaceOriginal: true } : {}), ...(options.error ? { isError: true } : {}) },
  };
}

async function list(ctx: CommandContext, customerId: string, page = 1): Promise<Outcome> {
  const listing = await ctx.services.listContacts(ctx.rep, customerId, page);
  if (!listing) throw new AppError("NOT_FOUND", "customer.gone");
  return contactListMessage(ctx, listing);
}

/** Who is reminded of a contact's dates: the owner, or nobody while the customer has none. */
function careLine(ctx: CommandContext, customer: CustomerSummary, contact: ContactView): string[] {
  if (!contact.birthday && !contact.anniversary) return [];
  return [customer.ownerName ? ctx.t("contact.careOwner", { owner: customer.ownerName }) : ctx.t("contact.careNobody", { customer: customer.name })];
}

async function add(ctx: CommandContext, customer: CustomerSummary, rest: string): Promise<Outcome> {
  const { name, fields } = readContactText(rest);
  if (!name) throw invalidInput("contact.add.missingName", { customer: customer.name });
  const result = await ctx.services.addContact(ctx.rep, customer.id, { name, ...fields });
  return addedMessage(ctx, result);
}

function addedMessage(ctx: CommandContext, result: Awaited<ReturnType<CommandContext["services"]["addContact"]>>): Outcome {
  const { customer, contact } = result;
  if (result.kind === "exists") {
    const line = ctx.t("contact.exists", { customer: customer.name, name: contact.name, same: result.same });
    return contactMessage(ctx, [line], contact, [...contactButtons(ctx, contact), contactsButton(ctx, customer.id)]);
  }
  const lines = [ctx.t("contact.added", { name: contact.name, customer: customer.name }), ...careLine(ctx, customer, contact)];
  return contactMessage(ctx, lines, contact, [...contactButtons(ctx, contact), contactsButton(ctx, customer.id)]);
}

/** The one contact of a customer a typed name means; several or none answer with the choices. */
async function pickContact(ctx: CommandContext, customer: CustomerSummary, typed: string, then: (contactId: string) => Promise<Outcome>): Promise<Outcome> {
  const found = await ctx.services.findContacts(customer.id, typed);
  if (found.length === 1) return then(found[0]!.id);
  if (found.length > 1) {
    const text = ctx.t("contact.which", { customer: customer.name, query: typed });
    const items = found.slice(0, 10).map((c) => ({ title: contactTitle(c), button: { label: ctx.t("button.open"), action: { id: "contact.show", value: c.id } } }));
    return { kind: "message", message: { visibility: "private", summary: text, blocks: [{ type: "text", text }, { type: "list", items }] } };
  }
  const text = ctx.t("contact.notFound", { customer: customer.name, query: typed });
  return contactMessage(ctx, [text], null, [contactsButton(ctx, customer.id)], { error: true });
}

/** One contact with its buttons (what "/contact edit Acme Li Lei" without changes answers). */
async function show(ctx: CommandContext, contactId: string, lines: string[] = []): Promise<Outcome> {
  const found = await ctx.services.getContact(ctx.rep, contactId);
  if (!found) throw new AppError("NOT_FOUND", "contact.gone");
  const { customer, contact } = found;
  const buttons = found.mayChange ? contactButtons(ctx, contact) : [];
  return contactMessage(ctx, lines.length > 0 ? lines : [contactTitle(contact)], contact, [...buttons, contactsButton(ctx, customer.id)]);
}

function editedMessage(ctx: CommandContext, result: Awaited<ReturnType<CommandContext["services"]["editContact"]>>, replace = false): Outcome {
  const { customer, contact } = result;
  const buttons = [...contactButtons(ctx, contact), contactsButton(ctx, customer.id)];
  switch (result.kind) {
    case "edited": {
      const fields = ctx.f.list(result.changed.map((field) => ctx.t("contact.field", { field })));
      const care = result.changed.some((f) => f === "birthday" || f === "anniversary") ? careLine(ctx, customer, contact) : [];
      return contactMessage(ctx, [ctx.t("contact.edited", { fields, name: contact.name, customer: customer.name }), ...care], contact, buttons, { replace });
    }
    case "unchanged":
      return contactMessage(ctx, [ctx.t("contact.unchanged", { name: contact.name })], contact, buttons);
    case "stale":
      return contactMessage(ctx, [ctx.t("contact.stale", { name: contact.name })], contact, buttons, { error: true });
  }
}

async function edit(ctx: CommandContext, customer: CustomerSummary, rest: string): Promise<Outcome> {
  const { name, fields } = readContactText(rest);
  if (!name) throw invalidInput("contact.edit.which", { customer: customer.name });
  return pickContact(ctx, customer, name, async (contactId) => {
    if (Object.keys(fields).length === 0) return show(ctx, contactId);
    return editedMessage(ctx, await ctx.services.editContact(ctx.rep, contactId, fields));
  });
}

async function removed(ctx: CommandContext, contactId: string): Promise<Outcome> {
  const result = await ctx.services.removeContact(ctx.rep, contactId);
  const { customer, contact } = result;
  if (result.kind === "already") return contactMessage(ctx, [ctx.t("contact.removedAlready", { name: contact.name })], null, [contactsButton(ctx, customer.id)]);
  return contactMessage(ctx, [ctx.t("contact.removed", { name: contact.name, customer: customer.name })], null, [
    { label: ctx.t("contact.button.undo"), action: { id: "contact.restore", value: contact.id }, style: "primary" },
    contactsButton(ctx, customer.id),
  ]);
}

async function remove(ctx: CommandContext, customer: CustomerSummary, rest: string): Promise<Outcome> {
  const typed = (leadingQuoted(rest)?.name ?? rest).trim();
  if (!typed) throw invalidInput("contact.remove.which", { customer: customer.name });
  return pickContact(ctx, customer, typed, (contactId) => removed(ctx, contactId));
}

/** The verb's work once the customer is known. */
function act(ctx: CommandContext, verb: Verb, customer: CustomerSummary, rest: string): Promise<Outcome> {
  switch (verb) {
    case "list":
      return list(ctx, customer.id);
    case "add":
      return add(ctx, customer, rest);
    case "edit":
      return edit(ctx, customer, rest);
    case "remove":
      return remove(ctx, customer, rest);
  }
}

/** Continues a command after the rep picked one of several customers. */
async function withPickedCustomer(ctx: CommandContext, customer: CustomerSummary, carried: string): Promise<Outcome> {
  let raw: unknown;
  try {
    raw = JSON.parse(carried) as unknown;
  } catch {
    raw = undefined;
  }
  const parsed = continuation.safeParse(raw);
  return parsed.success ? act(ctx, parsed.data.v, customer, parsed.data.r) : list(ctx, customer.id);
}

export const contactCommand: CommandDefinition & { withCustomer: typeof withPickedCustomer } = {
  name: "contact",
  help: [
    { usage: ["/contact <customer>"], description: "help.contact", examples: ["/contact Acme", "/contact 阿里巴巴"] },
    {
      usage: ["/contact add <customer> <name> [email] [phone] [title: …] [birthday YYYY-MM-DD] [anniversary YYYY-MM-DD]"],
      description: "help.contactAdd",
      examples: [
        "/contact add Acme Li Lei li.lei@acme.com +86 138 0013 8000 title: Head of Purchasing birthday 1985-03-02",
        "/contact add \"Acme Ltd\" \"Wang Fang\" \"Chief Buyer\" 138-0013-8000",
        "/contact add 阿里巴巴 王芳 wang@alibaba.com 职位：采购经理 生日 1990-05-01",
      ],
      words: VERBS.add.slice(),
    },
    {
      usage: ["/contact edit <customer> <name> [new email] [new phone] [title: …] [birthday …] [anniversary …]"],
      description: "help.contactEdit",
      examples: ["/contact edit Acme Li Lei li.lei@acme.cn", "/contact 修改 阿里巴巴 王芳 职位：销售总监"],
      words: VERBS.edit.slice(),
    },
    { usage: ["/contact remove <customer> <name>"], description: "help.contactRemove", examples: ["/contact remove Acme Li Lei", "/contact 删除 阿里巴巴 王芳"], words: VERBS.remove.slice() },
  ],
  withCustomer: withPickedCustomer,
  async run(ctx, text) {
    const args = parseContactText(text);
    const trimmed = args.text.trim();
    if (!trimmed) throw invalidInput("contact.missingCustomer");
    const carry = (rest: string) => ({ command: "contact", rest: JSON.stringify({ v: args.verb, r: rest.slice(0, 1_500) }) });
    const quoted = leadingQuoted(trimmed);
    if (quoted) {
      const name = validate(customerName, quoted.name);
      return withCustomer(ctx, name, carry(quoted.rest), (c) => act(ctx, args.verb, c, quoted.rest));
    }
    if (args.verb === "list") {
      const name = validate(customerName, trimmed);
      return withCustomer(ctx, name, carry(""), (c) => list(ctx, c.id));
    }
    const found = await ctx.services.resolveLeadingCustomer(trimmed.split(/\s+/));
    if (found.resolution.kind === "found") return act(ctx, args.verb, found.resolution.customer, found.rest);
    return withCustomer(ctx, found.query, carry(found.rest), (c) => act(ctx, args.verb, c, found.rest));
  },
};

const uuid = z.uuid();

export const contactActions: Record<string, ActionHandler> = {
  "contact.list": async (ctx, value) => {
    const { id, p } = listValue.parse(JSON.parse(value));
    return list(ctx, id, p);
  },
  "contact.show": (ctx, value) => show(ctx, uuid.parse(value)),
  "contact.addForm": async (ctx, value) => {
    const customerId = uuid.parse(value);
    const customer = await ctx.services.getCustomer(customerId);
    if (!customer) throw new AppError("NOT_FOUND", "customer.gone");
    // Refused before the form opens, so nobody fills in a form that cannot be saved (the service checks again).
    if (!mayChange(ctx.rep, { ownerId: customer.ownerId })) throw new AppError("FORBIDDEN", "contact.forbidden", { customer: customer.name, owner: customer.ownerName ?? "?" });
    return { kind: "form", form: addContactForm(ctx, customerId) };
  },
  "contact.edit": async (ctx, value) => {
    const { contact, version } = await ctx.services.contactForEdit(ctx.rep, uuid.parse(value));
    return { kind: "form", form: editContactForm(ctx, contact, version) };
  },
  "contact.remove": (ctx, value) => removed(ctx, uuid.parse(value)),
  "contact.restore": async (ctx, value) => {
    const result = await ctx.services.restoreContact(ctx.rep, uuid.parse(value));
    const { customer, contact } = result;
    switch (result.kind) {
      case "restored":
        return contactMessage(ctx, [ctx.t("contact.restored", { name: contact.name, customer: customer.name })], contact, [...contactButtons(ctx, contact), contactsButton(ctx, customer.id)], { replace: true });
      case "already":
        return contactMessage(ctx, [ctx.t("contact.restoredAlready", { name: contact.name, customer: customer.name })], contact, [contactsButton(ctx, customer.id)], { replace: true });
      case "exists":
        return contactMessage(ctx, [ctx.t("contact.restoreTaken", { name: contact.name, other: result.other.name, customer: customer.name, same: result.same })], result.other, [...contactButtons(ctx, result.other), contactsButton(ctx, customer.id)], { error: true });
    }
  },
};

/** A form's values as contact input: "-" empties a field (the terminal keeps a field's value on an empty line). */
function formInput(values: Readonly<Record<string, string>>): ContactInput {
  const input: ContactInput = {};
  for (const field of CONTACT_FIELDS) {
    const raw = values[field];
    if (raw === undefined) continue;
    input[field] = /^\s*[-—－]\s*$/u.test(raw) ? "" : raw;
  }
  return input;
}

/** Bad fields keep the form open with each message by its field; anything else is answered as usual. */
function fieldErrors(ctx: CommandContext, error: unknown): Outcome {
  if (error instanceof ContactInputError) {
    return { kind: "form-errors", errors: Object.fromEntries(error.problems.map((p) => [p.field, ctx.t(p.key as "contact.email.invalid", p.params)])) };
  }
  if (error instanceof AppError && error.code === "CONFLICT" && typeof error.params.field === "string") {
    return { kind: "form-errors", errors: { [error.params.field as ContactField]: ctx.t(error.userKey as "contact.emailTaken", error.params) } };
  }
  throw error;
}

const asDone = (outcome: Outcome): Outcome => (outcome.kind === "message" ? { kind: "form-done", message: outcome.message } : outcome);

export const contactForms: Record<string, FormHandler> = {
  "contact.addSubmit": async (ctx, values, rawState) => {
    const { customerId } = addState.parse(JSON.parse(rawState));
    try {
      return asDone(addedMessage(ctx, await ctx.services.addContact(ctx.rep, customerId, formInput(values))));
    } catch (error) {
      return fieldErrors(ctx, error);
    }
  },
  "contact.editSubmit": async (ctx, values, rawState) => {
    const { id, v } = editState.parse(JSON.parse(rawState));
    try {
      return asDone(editedMessage(ctx, await ctx.services.editContact(ctx.rep, id, formInput(values), v)));
    } catch (error) {
      return fieldErrors(ctx, error);
    }
  },
};
