import { z } from "zod";
import { addDays, dateInZone, instantOfLocalTime } from "../domain/calendar-date.js";
import { invalidInput } from "../domain/errors.js";
import { parseTimePhrase } from "../domain/time-phrase.js";
import type { Block, Message, Outcome } from "../reply/reply.js";
import type { CustomerSummary, ReminderView } from "../services/index.js";
import { withCustomer } from "./customer-picker.js";
import { words } from "./parse.js";
import type { ActionHandler, CommandContext, CommandDefinition } from "./types.js";

export const MAX_REMINDER_LENGTH = 1_000;
const EXAMPLES = ["/remind tomorrow 9am send Acme the quote", "/remind in 2 hours call back 阿里巴巴", "/remind 明天上午9点 给王总发报价", "/remind list"];

export interface ReminderRequest {
  dueAt: Date;
  /** The time words as typed, for the confirmation. */
  when: string;
  text: string;
}

/** "<when> <text>": the time must come first; the rest is the reminder. */
export function parseReminder(text: string, now: Date, timeZone: string): ReminderRequest | undefined {
  const phrase = parseTimePhrase(text, { now, timeZone });
  if (!phrase) return undefined;
  return { dueAt: phrase.at, when: phrase.matched, text: phrase.rest };
}

function check(ctx: CommandContext, request: ReminderRequest): ReminderRequest {
  if (request.dueAt.getTime() <= ctx.now.getTime()) throw invalidInput("remind.past", { when: ctx.f.dateTime(request.dueAt) });
  if (!request.text) throw invalidInput("remind.missingText", { when: request.when });
  if (request.text.length > MAX_REMINDER_LENGTH) throw invalidInput("remind.tooLong", { length: request.text.length, max: MAX_REMINDER_LENGTH });
  return request;
}

async function save(ctx: CommandContext, request: ReminderRequest, customer: CustomerSummary | undefined): Promise<Outcome> {
  const reminder = await ctx.services.scheduleReminder(ctx.rep, { text: request.text, dueAt: request.dueAt, customerId: customer?.id ?? null });
  const when = `${ctx.f.dateTime(reminder.dueAt)} (${ctx.f.relative(reminder.dueAt, ctx.now)})`;
  const text = customer ? ctx.t("remind.savedFor", { when, customer: customer.name, text: reminder.text }) : ctx.t("remind.saved", { when, text: reminder.text });
  return {
    kind: "message",
    message: { visibility: "private", summary: text, blocks: [{ type: "text", text }, { type: "buttons", buttons: [{ label: ctx.t("button.cancel"), action: { id: "reminder.cancel", value: reminder.id } }] }] },
  };
}

/** "/remind Acme tomorrow 9am send the quote": a customer name before the time. */
async function withLeadingCustomer(ctx: CommandContext, text: string): Promise<Outcome | undefined> {
  const all = text.split(/\s+/);
  for (let n = 1; n <= Math.min(4, all.length - 1); n++) {
    const rest = all.slice(n).join(" ");
    if (!parseReminder(rest, ctx.now, ctx.timezone)) continue;
    const name = all.slice(0, n).join(" ");
    return withCustomer(ctx, name, { command: "remind", rest }, (customer) => remindAbout(ctx, customer, rest));
  }
  return undefined;
}

async function remindAbout(ctx: CommandContext, customer: CustomerSummary, rest: string): Promise<Outcome> {
  const request = parseReminder(rest, ctx.now, ctx.timezone);
  if (!request) throw invalidInput("remind.badTime", { text: rest.slice(0, 80) });
  return save(ctx, check(ctx, request), customer);
}

function listItem(ctx: CommandContext, r: ReminderView) {
  return {
    title: r.text,
    detail: [ctx.t("card.due", { when: ctx.f.dateTime(r.dueAt) }), r.customerName].filter(Boolean).join(" · "),
    button: { label: ctx.t("button.cancel"), action: { id: "reminder.cancel", value: r.id }, style: "danger" as const },
  };
}

async function list(ctx: CommandContext): Promise<Outcome> {
  const open = await ctx.services.listOpenReminders(ctx.rep);
  const title = ctx.t("remind.listTitle");
  const blocks: Block[] = [{ type: "header", text: title }];
  if (open.length === 0) blocks.push({ type: "text", text: ctx.t("remind.listEmpty") });
  else blocks.push({ type: "list", items: open.map((r) => listItem(ctx, r)) });
  return { kind: "message", message: { visibility: "private", summary: title, blocks } };
}

export const remindCommand: CommandDefinition & { withCustomer: typeof remindAbout } = {
  name: "remind",
  help: [{ usage: ["/remind <when> <text>", "/remind <customer> <when> <text>", "/remind list"], description: "help.remind", examples: EXAMPLES }],
  withCustomer: remindAbout,
  async run(ctx, text) {
    const trimmed = text.trim();
    if (!trimmed) throw invalidInput("remind.missing");
    if (/^(list|ls|列表|清单)$/i.test(trimmed)) return list(ctx);
    const request = parseReminder(trimmed, ctx.now, ctx.timezone);
    if (request) {
      check(ctx, request);
      return save(ctx, request, await ctx.services.findNamedCustomer(words(request.text)));
    }
    const named = await withLeadingCustomer(ctx, trimmed);
    if (named) return named;
    throw invalidInput("remind.badTime", { text: trimmed.slice(0, 80) });
  },
};

const id = z.uuid();

/** The reminder's state after a button, in place of the message that had the buttons. */
function updated(text: string): Outcome {
  const message: Message = { visibility: "private", summary: text, blocks: [{ type: "text", text }], replaceOriginal: true };
  return { kind: "message", message };
}

async function change(ctx: CommandContext, value: string, to: { close: "DONE" | "CANCELLED" } | { dueAt: Date }, key: "remind.done" | "remind.cancelled" | "remind.snoozed"): Promise<Outcome> {
  const reminder = await ctx.services.getReminder(id.parse(value));
  if (!reminder || !(await ctx.services.updateReminder(ctx.rep, reminder.id, to))) return updated(ctx.t("remind.closed"));
  return updated(ctx.t(key, { text: reminder.text, when: "dueAt" in to ? ctx.f.dateTime(to.dueAt) : "" }));
}

export const remindActions: Record<string, ActionHandler> = {
  "reminder.done": (ctx, value) => change(ctx, value, { close: "DONE" }, "remind.done"),
  "reminder.cancel": (ctx, value) => change(ctx, value, { close: "CANCELLED" }, "remind.cancelled"),
  "reminder.snooze": (ctx, value) => change(ctx, value, { dueAt: new Date(ctx.now.getTime() + 3_600_000) }, "remind.snoozed"),
  "reminder.tomorrow": (ctx, value) => {
    const tomorrow = addDays(dateInZone(ctx.now, ctx.timezone), 1);
    return change(ctx, value, { dueAt: instantOfLocalTime(tomorrow, ctx.timezone, 9) }, "remind.snoozed");
  },
};
