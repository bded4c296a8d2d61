import type { AuditAction } from "../domain/access/audit-actions.js";
import { z } from "zod";
import {
  FIELD_LIMITS, MAX_CUSTOMER_NAME_LENGTH, MAX_TAG_LENGTH, MAX_TAGS, fingerprint, isClearWord, isNameLike, normalizeWebsite, parseFieldWord, parseStage, parseTags, unwrapSlackLink,
  type SettableField, type TagProblem, type TextField,
} from "../domain/customers/customer-fields.js";
import { STAGES, type Stage } from "../domain/customers/customer-stage.js";
import { AppError, invalidInput } from "../domain/errors.js";
import { mayChange } from "../domain/access/write-rights.js";
import type { Block, Form, FormField, Outcome } from "../reply/reply.js";
import { FieldError, fingerprints, type CustomerChange, type CustomerSummary, type EditableCustomer, type EditableField, type EditResult, type Rep } from "../services/index.js";
import { withCustomer } from "./customer-picker.js";
import { leadingQuoted, validate } from "./parse.js";
import type { ActionHandler, CommandContext, CommandHelp, FormHandler } from "./types.js";
import { customerCardMessage } from "./views/customer-card.js";

/**
 * Customers reps maintain: rename, stage, assign, set a field, tag and untag, as command words
 * after /customer (in English and Chinese, also through /crm and direct messages), and the card's
 * Edit button with one form for every field. The rules of the values live in
 * domain/customers/customer-fields.ts, the writes (rights, audit, locking) in services/customers/edit-customer.ts.
 */

type EditWord = "rename" | "assign" | "stage" | "set" | "tag" | "untag";

const WORDS: Readonly<Record<string, EditWord>> = {
  rename: "rename", 改名: "rename", 重命名: "rename", 更名: "rename",
  assign: "assign", reassign: "assign", 转给: "assign", 分配: "assign", 转交: "assign",
  stage: "stage", 阶段: "stage",
  set: "set", 设置: "set",
  tag: "tag", 标签: "tag", 加标签: "tag", 打标签: "tag",
  untag: "untag", 取消标签: "untag", 删除标签: "untag", 去掉标签: "untag", 移除标签: "untag",
};

const wordsOf = (kind: EditWord) => Object.keys(WORDS).filter((w) => WORDS[w] === kind);

/** The help entries of the edit forms; /customer lists them after its own. */
export const CUSTOMER_EDIT_HELP: CommandHelp[] = [
  { usage: ["/customer rename <customer> to <new name>"], description: "help.customerRename", examples: ["/customer rename Acme to Acme Robotics", "/customer 改名 阿里巴巴 为 阿里巴巴集团"], words: wordsOf("rename") },
  { usage: ["/customer assign <customer> to <@rep>"], description: "help.customerAssign", examples: ["/customer assign Acme to @li.na", "/customer 转给 阿里巴巴 给 李娜"], words: wordsOf("assign") },
  { usage: ["/customer stage <customer> <stage>"], description: "help.customerStage", examples: ["/customer stage Acme active", "/customer stage Acme at risk", "/customer 阶段 阿里巴巴 活跃"], words: wordsOf("stage") },
  {
    usage: ["/customer set <customer> industry|website|address|source|about <value>"],
    description: "help.customerSet",
    examples: ["/customer set Acme industry Manufacturing", "/customer set Acme website acme.com", "/customer 设置 阿里巴巴 行业 电子商务", "/customer set Acme address -"],
    words: wordsOf("set"),
  },
  { usage: ["/customer tag <customer> <tag>[, <tag> …]"], description: "help.customerTag", examples: ["/customer tag Acme vip", "/customer tag Acme vip, key account", "/customer 标签 阿里巴巴 重点客户"], words: wordsOf("tag") },
  { usage: ["/customer untag <customer> <tag>"], description: "help.customerUntag", examples: ["/customer untag Acme vip", "/customer 取消标签 阿里巴巴 重点客户"], words: wordsOf("untag") },
];

/** The continuation of a pick among several customers: "stage ACTIVE", "set industry Retail" ... */
const CONTINUE = "customer-edit";

// ---------------------------------------------------------------------------------------------
// Values

/** A customer name for add and rename: some letter, at most 120 characters; the error shows an example. */
export function customerNameSchema(missingKey: string) {
  return z.string().trim().min(1, missingKey).max(MAX_CUSTOMER_NAME_LENGTH, "customer.nameTooLong").refine(isNameLike, "customer.nameNoLetter");
}

export function validName(name: string, missingKey: string, example: string): string {
  return validate(customerNameSchema(missingKey), name, { name: name.trim().slice(0, 40), example });
}

function tagProblem(problem: TagProblem): AppError {
  switch (problem.kind) {
    case "empty":
      return invalidInput("customer.tags.missing");
    case "too-long":
      return invalidInput("customer.tags.tooLong", { tag: problem.tag.slice(0, 40), max: MAX_TAG_LENGTH });
    case "bad":
      return invalidInput("customer.tags.bad", { tag: problem.tag.slice(0, 40) });
    case "too-many":
      return invalidInput("customer.tags.tooMany", { max: MAX_TAGS });
  }
}

function tagsOf(text: string): string[] {
  const parsed = parseTags(text);
  if ("problem" in parsed) throw tagProblem(parsed.problem);
  return parsed.tags;
}

/** A text field's value as typed: null clears ("-", "none", "清空"), the website must be one, lengths hold. */
function textValue(field: TextField, raw: string, allowEmpty: boolean): string | null {
  // The about note keeps its lines; the one-line fields their words, one space apart.
  const value = field === "about" ? raw.trim() : raw.trim().replace(/\s+/g, " ");
  if (!value) {
    if (allowEmpty) return null;
    throw invalidInput("customer.set.missingValue", { field });
  }
  if (isClearWord(value)) return null;
  if (field === "website") {
    const website = normalizeWebsite(value);
    if (!website) throw invalidInput("customer.website.bad", { value: unwrapSlackLink(value).slice(0, 60) });
    return website;
  }
  const length = [...value].length;
  if (length > FIELD_LIMITS[field]) throw invalidInput("customer.set.tooLong", { field, length, max: FIELD_LIMITS[field] });
  return value;
}

/** The stages in the reader's words, and the other language's in brackets: either is understood. */
function stageList(ctx: Pick<CommandContext, "t" | "locale">): string {
  const own = STAGES.map((s) => ctx.t(`stage.${s}`));
  return ctx.locale === "zh-CN" ? `${own.join("、")}（lead, prospect, active, at risk, churned）` : `${own.join(", ")} (线索, 潜在客户, 活跃, 有流失风险, 已流失)`;
}

function stageOf(ctx: CommandContext, word: string): Stage {
  const stage = parseStage(word);
  if (!stage) throw invalidInput("customer.stage.unknown", { stage: word.slice(0, 40), list: stageList(ctx) });
  return stage;
}

async function repOf(ctx: CommandContext, typed: string): Promise<Rep | null> {
  const text = typed.trim();
  if (/^(?:nobody|none|无人|无)$/i.test(text)) return null;
  const lookup = await ctx.services.findRep(ctx.rep.platform, text);
  if (lookup.kind === "found") return lookup.rep;
  if (lookup.kind === "ambiguous") throw invalidInput("customer.assign.ambiguousRep", { rep: text.slice(0, 40), names: ctx.f.list(lookup.candidates.map((r) => r.displayName)) });
  const known = lookup.known.slice(0, 15).map((r) => r.displayName);
  throw invalidInput("customer.assign.unknownRep", { rep: text.slice(0, 40), known: known.length > 0 ? ctx.f.list(known) : "—" });
}

// ---------------------------------------------------------------------------------------------
// Doing it

function cardWith(ctx: CommandContext, customerId: string, notice: string): Promise<Outcome> {
  return ctx.services.getCustomerCard(ctx.rep, customerId).then((card) => {
    if (!card) throw new AppError("NOT_FOUND", "customer.gone");
    return { kind: "message", message: customerCardMessage(ctx, card, notice) };
  });
}

/** Nothing to change: said plainly, with the card a press away. */
function unchanged(text: string, customerId: string, ctx: CommandContext): Outcome {
  return {
    kind: "message",
    message: { visibility: "private", summary: text, blocks: [{ type: "text", text }, { type: "buttons", buttons: [{ label: ctx.t("button.open"), action: { id: "customer.show", value: customerId } }] }] },
  };
}

const label = (ctx: Pick<CommandContext, "t">, field: EditableField): string => ctx.t(`customer.field.${field}`);

/** A field's value for reading: stage and owner by their names, nothing as "—". */
function shown(ctx: Pick<CommandContext, "t" | "f">, customer: EditableCustomer, field: EditableField): string {
  switch (field) {
    case "stage":
      return ctx.t(`stage.${customer.stage}`);
    case "owner":
      return customer.ownerName ?? ctx.t("card.noOwner");
    case "tags":
      return customer.tags.length > 0 ? ctx.f.list(customer.tags) : "—";
    default: {
      const value = field === "name" ? customer.name : customer[field];
      return value ?? "—";
    }
  }
}

async function edit(ctx: CommandContext, customer: CustomerSummary, change: CustomerChange, action: AuditAction): Promise<EditResult> {
  return ctx.services.editCustomer(ctx.rep, { customerId: customer.id, changes: [change], action });
}

async function rename(ctx: CommandContext, customer: CustomerSummary, name: string): Promise<Outcome> {
  const result = await edit(ctx, customer, { field: "name", name }, "customer.rename");
  if (!result.changed.includes("name")) return unchanged(ctx.t("customer.rename.same", { name: result.after.name }), customer.id, ctx);
  return cardWith(ctx, customer.id, ctx.t("customer.rename.done", { old: result.before.name, name: result.after.name }));
}

async function assign(ctx: CommandContext, customer: CustomerSummary, owner: Rep | null): Promise<Outcome> {
  const result = await edit(ctx, customer, { field: "owner", owner }, "customer.assign");
  if (!result.changed.includes("owner")) {
    return unchanged(owner ? ctx.t("customer.assign.same", { name: result.after.name, owner: owner.displayName }) : ctx.t("customer.assign.sameNobody", { name: result.after.name }), customer.id, ctx);
  }
  const notice = !owner
    ? ctx.t("customer.assign.released", { name: result.after.name })
    : result.ownerNotified ? ctx.t("customer.assign.done", { name: result.after.name, owner: owner.displayName }) : ctx.t("customer.assign.doneSelf", { name: result.after.name });
  return cardWith(ctx, customer.id, notice);
}

async function setStage(ctx: CommandContext, customer: CustomerSummary, stage: Stage): Promise<Outcome> {
  const result = await edit(ctx, customer, { field: "stage", stage }, "customer.stage");
  if (!result.changed.includes("stage")) return unchanged(ctx.t("customer.stage.same", { name: result.after.name, stage: ctx.t(`stage.${stage}`) }), customer.id, ctx);
  return cardWith(ctx, customer.id, ctx.t("customer.stage.done", { name: result.after.name, from: ctx.t(`stage.${result.before.stage}`), to: ctx.t(`stage.${stage}`) }));
}

async function setText(ctx: CommandContext, customer: CustomerSummary, field: TextField, value: string | null): Promise<Outcome> {
  const result = await edit(ctx, customer, { field, value }, "customer.update");
  const params = { name: result.after.name, field: label(ctx, field), value: value ?? "" };
  if (!result.changed.includes(field)) return unchanged(ctx.t(value === null ? "customer.set.sameEmpty" : "customer.set.same", params), customer.id, ctx);
  return cardWith(ctx, customer.id, ctx.t(value === null ? "customer.set.cleared" : "customer.set.done", params));
}

async function retag(ctx: CommandContext, customer: CustomerSummary, change: Extract<CustomerChange, { field: "tags" }>, kind: "tag" | "untag" | "set"): Promise<Outcome> {
  const result = await edit(ctx, customer, change, kind === "untag" ? "customer.untag" : "customer.tag");
  const named = [...(change.replace ?? (kind === "untag" ? change.remove : change.add))];
  const tags = named.length > 0 ? ctx.f.list(named) : "—";
  if (!result.changed.includes("tags")) {
    return unchanged(ctx.t(kind === "untag" ? "customer.untag.none" : "customer.tag.same", { name: result.after.name, tags }), customer.id, ctx);
  }
  const now = result.after.tags.length > 0 ? ctx.f.list(result.after.tags) : "—";
  if (kind === "set") return cardWith(ctx, customer.id, ctx.t("customer.tags.set", { name: result.after.name, now }));
  return cardWith(ctx, customer.id, ctx.t(kind === "untag" ? "customer.untag.done" : "customer.tag.done", { name: result.after.name, tags, now }));
}

// ---------------------------------------------------------------------------------------------
// Parsing "/customer <word> …"

/** "to", "->", "→", "为", "给": what stands between a customer and a new name or a rep. */
const SEPARATOR = /\s+(?:to|->|→|=>|为|改为|改成|成|给)\s+/giu;

/** Every way to cut `text` at a separator, left to right. */
function splits(text: string): { left: string; right: string }[] {
  const out: { left: string; right: string }[] = [];
  for (const m of text.matchAll(SEPARATOR)) out.push({ left: text.slice(0, m.index).trim(), right: text.slice(m.index + m[0].length).trim() });
  return out;
}

/** The cut whose left side is exactly a customer's name, else the first (or last) one. */
async function splitAtCustomer(ctx: CommandContext, text: string, prefer: "first" | "last"): Promise<{ left: string; right: string } | undefined> {
  const quoted = leadingQuoted(text);
  if (quoted) return { left: quoted.name, right: quoted.rest.replace(/^(?:to|->|→|=>|为|改为|改成|成|给)\s+/iu, "").trim() };
  const cuts = splits(text);
  if (cuts.length <= 1) return cuts[0];
  for (const cut of cuts) if (await ctx.services.findCustomerByName(cut.left)) return cut;
  return prefer === "first" ? cuts[0] : cuts[cuts.length - 1];
}

const unquote = (text: string): string => leadingQuoted(text)?.name ?? text.trim();

async function parseRename(ctx: CommandContext, rest: string): Promise<Outcome> {
  const cut = await splitAtCustomer(ctx, rest, "first");
  if (!cut || !cut.left || !cut.right) throw invalidInput("customer.rename.usage");
  const name = validName(unquote(cut.right), "customer.rename.usage", "/customer rename Acme to Acme Robotics");
  return withCustomer(ctx, cut.left, { command: CONTINUE, rest: `rename ${name}` }, (c) => rename(ctx, c, name));
}

async function parseAssign(ctx: CommandContext, rest: string): Promise<Outcome> {
  let cut = await splitAtCustomer(ctx, rest, "last");
  if (!cut) {
    // "/customer 转给 阿里巴巴 李娜", "assign Acme @li.na": the last word is the rep.
    const m = /^([\s\S]+?)\s+(\S+)$/.exec(rest.trim());
    if (m) cut = { left: m[1]!, right: m[2]! };
  }
  if (!cut || !cut.left || !cut.right) throw invalidInput("customer.assign.usage");
  const owner = await repOf(ctx, cut.right);
  return withCustomer(ctx, unquote(cut.left), { command: CONTINUE, rest: `assign ${owner?.id ?? "none"}` }, (c) => assign(ctx, c, owner));
}

async function parseStageText(ctx: CommandContext, rest: string): Promise<Outcome> {
  const quoted = leadingQuoted(rest);
  let customer: string;
  let stageWords: string;
  if (quoted) {
    customer = quoted.name;
    stageWords = quoted.rest.replace(/^(?:to|为|改为|成)\s+/iu, "");
  } else {
    const words = rest.trim().split(/\s+/);
    if (words.length < 2) throw invalidInput("customer.stage.usage", { list: stageList(ctx) });
    // "at risk" is two words; try the longer ending first.
    const two = words.length >= 3 ? words.slice(-2).join(" ") : undefined;
    const take = two && parseStage(two) ? 2 : 1;
    stageWords = words.slice(-take).join(" ");
    customer = words.slice(0, -take).join(" ").replace(/\s+(?:to|为|改为|成)$/iu, "");
  }
  if (!customer || !stageWords) throw invalidInput("customer.stage.usage", { list: stageList(ctx) });
  const stage = stageOf(ctx, stageWords);
  return withCustomer(ctx, customer, { command: CONTINUE, rest: `stage ${stage}` }, (c) => setStage(ctx, c, stage));
}

/** "Acme industry Manufacturing", "阿里巴巴 行业：电子商务", "\"Acme Ltd\" website acme.com". */
function splitField(rest: string): { customer: string; field: SettableField; value: string } | undefined {
  const quoted = leadingQuoted(rest);
  const head = quoted ? [quoted.name] : [];
  const tail = quoted ? quoted.rest : rest.trim();
  const tokens = [...tail.matchAll(/\S+/g)];
  for (let i = quoted ? 0 : 1; i < tokens.length; i++) {
    const token = tokens[i]![0];
    const colon = /^([^:：]+)[:：](.*)$/u.exec(token);
    const field = parseFieldWord(token) ?? (colon ? parseFieldWord(colon[1]!) : undefined);
    if (!field) continue;
    const inline = parseFieldWord(token) ? "" : colon![2]!;
    const after = tail.slice(tokens[i]!.index + token.length);
    return { customer: [...head, tail.slice(0, tokens[i]!.index).trim()].filter(Boolean).join(" "), field, value: `${inline} ${after}`.trim() };
  }
  return undefined;
}

async function parseSet(ctx: CommandContext, rest: string): Promise<Outcome> {
  const parts = splitField(rest);
  if (!parts || !parts.customer) throw invalidInput("customer.set.usage");
  const { customer, field, value } = parts;
  switch (field) {
    case "name": {
      const name = validName(unquote(value), "customer.rename.usage", "/customer set Acme name Acme Robotics");
      return withCustomer(ctx, customer, { command: CONTINUE, rest: `rename ${name}` }, (c) => rename(ctx, c, name));
    }
    case "stage": {
      if (!value) throw invalidInput("customer.stage.usage", { list: stageList(ctx) });
      const stage = stageOf(ctx, value);
      return withCustomer(ctx, customer, { command: CONTINUE, rest: `stage ${stage}` }, (c) => setStage(ctx, c, stage));
    }
    case "owner": {
      if (!value) throw invalidInput("customer.assign.usage");
      const owner = await repOf(ctx, value);
      return withCustomer(ctx, customer, { command: CONTINUE, rest: `assign ${owner?.id ?? "none"}` }, (c) => assign(ctx, c, owner));
    }
    case "tags": {
      const tags = isClearWord(value) ? [] : tagsOf(value);
      return withCustomer(ctx, customer, { command: CONTINUE, rest: `retag ${tags.join(",")}` }, (c) => retag(ctx, c, { field: "tags", add: [], remove: [], replace: tags }, "set"));
    }
    default: {
      const text = textValue(field, value, false);
      return withCustomer(ctx, customer, { command: CONTINUE, rest: `set ${field} ${text ?? "-"}` }, (c) => setText(ctx, c, field, text));
    }
  }
}

async function parseTagging(ctx: CommandContext, rest: string, kind: "tag" | "untag"): Promise<Outcome> {
  const quoted = leadingQuoted(rest);
  const usage = kind === "tag" ? "customer.tag.usage" : "customer.untag.usage";
  if (quoted) {
    if (!quoted.rest) throw invalidInput(usage);
    const tags = tagsOf(quoted.rest);
    return withCustomer(ctx, quoted.name, { command: CONTINUE, rest: `${kind} ${tags.join(",")}` }, (c) => retag(ctx, c, kind === "tag" ? { field: "tags", add: tags, remove: [] } : { field: "tags", add: [], remove: tags }, kind));
  }
  const words = rest.trim().split(/\s+/);
  if (words.length < 2) throw invalidInput(usage);
  // The longest run of leading words that names one customer; failing that, the first word.
  const found = await ctx.services.resolveLeadingCustomer(words);
  const tagText = found.rest;
  if (!tagText) throw invalidInput(usage);
  const tags = tagsOf(tagText);
  const change: Extract<CustomerChange, { field: "tags" }> = kind === "tag" ? { field: "tags", add: tags, remove: [] } : { field: "tags", add: [], remove: tags };
  if (found.resolution.kind === "found") return retag(ctx, found.resolution.customer, change, kind);
  return withCustomer(ctx, found.query, { command: CONTINUE, rest: `${kind} ${tags.join(",")}` }, (c) => retag(ctx, c, change, kind));
}

/**
 * "/customer rename …", "/customer 阶段 …" and the rest, or undefined when the text is none of
 * them (so /customer shows a card or adds). A customer whose whole name is one of these words
 * plus more ("Set Solutions") is still shown: an exact name wins over a command word.
 */
export async function runCustomerEdit(ctx: CommandContext, text: string): Promise<Outcome | undefined> {
  const trimmed = text.trim();
  const m = /^(\S+)(?:\s+([\s\S]*))?$/.exec(trimmed);
  const kind = m ? WORDS[m[1]!.normalize("NFKC").toLowerCase()] : undefined;
  if (!m || !kind) return undefined;
  if (await ctx.services.findCustomerByName(trimmed)) return undefined;
  const rest = (m[2] ?? "").trim();
  switch (kind) {
    case "rename":
      return parseRename(ctx, rest);
    case "assign":
      return parseAssign(ctx, rest);
    case "stage":
      return parseStageText(ctx, rest);
    case "set":
      return parseSet(ctx, rest);
    case "tag":
    case "untag":
      return parseTagging(ctx, rest, kind);
  }
}

/** A customer picked from several: the edit continues with what the button carried. */
export async function continueCustomerEdit(ctx: CommandContext, customer: CustomerSummary, rest: string): Promise<Outcome> {
  const [word = "", ...more] = rest.split(" ");
  const arg = more.join(" ");
  switch (word) {
    case "rename":
      return rename(ctx, customer, validName(arg, "customer.rename.usage", "/customer rename Acme to Acme Robotics"));
    case "assign": {
      const owner = arg === "none" ? null : await ctx.services.getRep(z.uuid().parse(arg));
      if (arg !== "none" && !owner) throw invalidInput("error.expired");
      return assign(ctx, customer, owner);
    }
    case "stage":
      return setStage(ctx, customer, z.enum(STAGES).parse(arg));
    case "set": {
      const [field = "", ...value] = arg.split(" ");
      const text = z.enum(["industry", "website", "address", "source", "about"]).parse(field);
      return setText(ctx, customer, text, textValue(text, value.join(" "), false));
    }
    case "retag": {
      const tags = arg ? tagsOf(arg) : [];
      return retag(ctx, customer, { field: "tags", add: [], remove: [], replace: tags }, "set");
    }
    case "tag":
    case "untag": {
      const tags = tagsOf(arg);
      return retag(ctx, customer, word === "tag" ? { field: "tags", add: tags, remove: [] } : { field: "tags", add: [], remove: tags }, word);
    }
    default:
      throw invalidInput("error.expired");
  }
}

// ---------------------------------------------------------------------------------------------
// "Add <name>" after a near miss

/**
 * The "Add <name>" button after a name was not found: when customers with a close name exist
 * it asks first ("Did you mean Acme Ltd? Open it, or add Acmee anyway"), so one press never
 * makes a duplicate of a typo. Undefined: nothing close, go ahead.
 */
export async function confirmNearMiss(ctx: CommandContext, name: string): Promise<Outcome | undefined> {
  if (await ctx.services.findCustomerByName(name)) return undefined;
  const resolution = await ctx.services.resolveCustomer(name);
  const close = resolution.kind === "found" ? [resolution.customer] : resolution.kind === "ambiguous" ? resolution.candidates : resolution.suggestions;
  if (close.length === 0) return undefined;
  await ctx.services.auditListed(ctx.rep, "candidates", close.slice(0, 5).map((c) => c.id));
  const names = ctx.f.list(close.slice(0, 5).map((c) => c.name));
  const text = ctx.t("customer.add.nearMiss", { name, names });
  const blocks: Block[] = [
    { type: "text", text },
    {
      type: "list",
      items: close.slice(0, 5).map((c) => ({
        title: c.name,
        detail: `${ctx.t(`stage.${c.stage}`)} · ${ctx.t("card.owner")}: ${c.ownerName ?? ctx.t("card.noOwner")}`,
        button: { label: ctx.t("button.openName", { name: c.name }).slice(0, 75), action: { id: "customer.show", value: c.id } },
      })),
    },
    { type: "buttons", buttons: [{ label: ctx.t("button.addAnyway", { name }).slice(0, 75), action: { id: "customer.addAnyway", value: name }, style: "danger" }] },
  ];
  return { kind: "message", message: { visibility: "private", summary: text, blocks } };
}

// ---------------------------------------------------------------------------------------------
// The Edit form

const NOBODY = "none";

const formState = z.object({
  id: z.uuid(),
  /** Fingerprints of what the form showed, by field. */
  h: z.record(z.string(), z.string().max(16)),
  /** The tags it showed: the form's tags become adds and removes against these. */
  t: z.array(z.string().max(MAX_TAG_LENGTH)).max(MAX_TAGS),
});

async function editForm(ctx: CommandContext, customer: EditableCustomer): Promise<Form> {
  const reps = await ctx.services.listReps(ctx.rep.platform);
  // Slack shows at most 100 options: the current owner always among them.
  const owners = [...(customer.ownerId && !reps.some((r) => r.id === customer.ownerId) ? [{ id: customer.ownerId, displayName: customer.ownerName ?? "?" }] : []), ...reps].slice(0, 99);
  const fields: FormField[] = [
    { id: "name", label: label(ctx, "name"), kind: "text", initial: customer.name, maxLength: MAX_CUSTOMER_NAME_LENGTH },
    { id: "stage", label: label(ctx, "stage"), kind: "select", initial: customer.stage, options: STAGES.map((s) => ({ value: s, label: ctx.t(`stage.${s}`) })) },
    {
      id: "owner", label: label(ctx, "owner"), kind: "select", initial: customer.ownerId ?? NOBODY,
      options: [...owners.map((r) => ({ value: r.id, label: r.displayName })), { value: NOBODY, label: ctx.t("card.noOwner") }],
    },
    { id: "industry", label: label(ctx, "industry"), kind: "text", optional: true, maxLength: FIELD_LIMITS.industry, ...(customer.industry ? { initial: customer.industry } : {}) },
    { id: "tags", label: label(ctx, "tags"), kind: "text", optional: true, placeholder: ctx.t("form.customer.tagsHint"), maxLength: MAX_TAGS * (MAX_TAG_LENGTH + 2), ...(customer.tags.length > 0 ? { initial: customer.tags.join(", ") } : {}) },
    { id: "website", label: label(ctx, "website"), kind: "text", optional: true, placeholder: "acme.com", maxLength: FIELD_LIMITS.website, ...(customer.website ? { initial: customer.website } : {}) },
    { id: "address", label: label(ctx, "address"), kind: "text", optional: true, maxLength: FIELD_LIMITS.address, ...(customer.address ? { initial: customer.address } : {}) },
    { id: "source", label: label(ctx, "source"), kind: "text", optional: true, maxLength: FIELD_LIMITS.source, ...(customer.source ? { initial: customer.source } : {}) },
    { id: "about", label: label(ctx, "about"), kind: "long-text", optional: true, maxLength: FIELD_LIMITS.about, ...(customer.about ? { initial: customer.about } : {}) },
  ];
  return {
    id: "customer.editSubmit",
    title: ctx.t("form.customer.title"),
    submitLabel: ctx.t("form.customer.submit"),
    state: JSON.stringify({ id: customer.id, h: fingerprints(customer), t: customer.tags }),
    fields,
  };
}

async function openEditForm(ctx: CommandContext, customerId: string): Promise<Outcome> {
  const customer = await ctx.services.getEditableCustomer(ctx.rep, customerId);
  if (!customer) throw new AppError("NOT_FOUND", "customer.gone");
  // The same rule the write checks again; asked first, so nobody fills a form in vain.
  if (!mayChange(ctx.rep, { ownerId: customer.ownerId })) {
    throw new AppError("FORBIDDEN", "customer.edit.forbidden", { name: customer.name, owner: customer.ownerName ?? "?" });
  }
  return { kind: "form", form: await editForm(ctx, customer) };
}

type Submitted = { changes: CustomerChange[]; errors: Record<string, string> };

/** The form's values checked field by field; only fields the rep changed become changes. */
async function readForm(ctx: CommandContext, values: Readonly<Record<string, string>>, state: z.infer<typeof formState>): Promise<Submitted> {
  const changes: CustomerChange[] = [];
  const errors: Record<string, string> = {};
  const touched = (field: EditableField, value: string | null) => fingerprint(value) !== state.h[field];
  const attempt = (field: string, work: () => void | Promise<void>) =>
    Promise.resolve()
      .then(work)
      .catch((error: unknown) => {
        if (!(error instanceof AppError)) throw error;
        errors[field] = ctx.t(error.userKey as "customer.gone", error.params);
      });

  await attempt("name", () => {
    const name = validName(values.name ?? "", "form.required", "Acme Robotics");
    if (touched("name", name)) changes.push({ field: "name", name });
  });
  await attempt("stage", () => {
    const stage = z.enum(STAGES).safeParse(values.stage);
    if (!stage.success) throw invalidInput("customer.stage.unknown", { stage: (values.stage ?? "").slice(0, 40), list: stageList(ctx) });
    if (touched("stage", stage.data)) changes.push({ field: "stage", stage: stage.data });
  });
  await attempt("owner", async () => {
    const typed = (values.owner ?? "").trim();
    const ownerId = typed === NOBODY || !typed ? null : typed;
    if (!touched("owner", ownerId)) return;
    const owner = ownerId ? await ctx.services.getRep(z.uuid().parse(ownerId)) : null;
    if (ownerId && !owner) throw invalidInput("error.expired");
    changes.push({ field: "owner", owner });
  });
  for (const field of ["industry", "website", "address", "source", "about"] as const) {
    await attempt(field, () => {
      const value = textValue(field, values[field] ?? "", true);
      if (touched(field, value)) changes.push({ field, value });
    });
  }
  await attempt("tags", () => {
    const typed = (values.tags ?? "").trim();
    const tags = typed ? tagsOf(typed) : [];
    const add = tags.filter((t) => !state.t.includes(t));
    const remove = state.t.filter((t) => !tags.includes(t));
    if (add.length > 0 || remove.length > 0) changes.push({ field: "tags", add, remove });
  });
  return { changes, errors };
}

async function submitEditForm(ctx: CommandContext, values: Readonly<Record<string, string>>, rawState: string): Promise<Outcome> {
  const state = formState.parse(JSON.parse(rawState));
  const { changes, errors } = await readForm(ctx, values, state);
  if (Object.keys(errors).length > 0) return { kind: "form-errors", errors };
  let result: EditResult;
  try {
    result = await ctx.services.editCustomer(ctx.rep, { customerId: state.id, changes, expected: state.h, action: "customer.edit" });
  } catch (error) {
    if (!(error instanceof FieldError)) throw error;
    const text = ctx.t(error.userKey as "customer.gone", error.params);
    if (error.code === "FORBIDDEN" || error.code === "NOT_FOUND") return { kind: "form-done", message: { visibility: "private", summary: text, blocks: [{ type: "text", text }], isError: true } };
    return { kind: "form-errors", errors: { [error.field]: text } };
  }
  const saved = result.changed.map((f) => label(ctx, f));
  const lines: string[] = [];
  if (saved.length > 0) lines.push(ctx.t("customer.edit.saved", { name: result.after.name, fields: ctx.f.list(saved) }));
  else if (result.conflicts.length === 0) lines.push(ctx.t("customer.edit.nothing", { name: result.after.name }));
  if (result.changed.includes("owner") && result.ownerNotified) lines.push(ctx.t("customer.edit.ownerTold", { owner: result.after.ownerName ?? "" }));
  if (result.conflicts.length === 0) {
    const card = await cardWith(ctx, state.id, lines.join(" "));
    return card.kind === "message" ? { kind: "form-done", message: card.message } : card;
  }
  // Someone changed these after the form was opened: theirs stays, the rep sees both.
  const conflictLines = result.conflicts.map((field) => {
    const change = changes.find((c) => c.field === field);
    const yours = change ? shownChange(ctx, change) : "";
    return ctx.t("customer.edit.conflictField", { field: label(ctx, field), now: shown(ctx, result.after, field), yours });
  });
  const text = [...lines, ctx.t("customer.edit.conflict", { name: result.after.name }), ...conflictLines].join("\n");
  return {
    kind: "form-done",
    message: {
      visibility: "private",
      summary: text,
      isError: true,
      blocks: [{ type: "text", text }, { type: "buttons", buttons: [{ label: ctx.t("button.editAgain"), action: { id: "customer.edit", value: state.id }, style: "primary" }] }],
    },
  };
}

/** What the rep entered for a field, for reading next to what is there now. */
function shownChange(ctx: CommandContext, change: CustomerChange): string {
  switch (change.field) {
    case "name":
      return change.name;
    case "stage":
      return ctx.t(`stage.${change.stage}`);
    case "owner":
      return change.owner?.displayName ?? ctx.t("card.noOwner");
    case "tags":
      return ctx.f.list([...change.add]);
    default:
      return change.value ?? "—";
  }
}

export const customerEditActions: Record<string, ActionHandler> = {
  "customer.edit": (ctx, value) => openEditForm(ctx, z.uuid().parse(value)),
};

export const customerEditForms: Record<string, FormHandler> = {
  "customer.editSubmit": submitEditForm,
};

export const CUSTOMER_EDIT_CONTINUATION = CONTINUE;
