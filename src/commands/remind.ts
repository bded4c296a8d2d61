import { z } from "zod";
import { addDays, dateInZone, instantOfLocalTime } from "../domain/time/calendar-date.js";
import { invalidInput } from "../domain/errors.js";
import { findTimePhrase } from "../domain/time/time-phrase.js";
import type { Block, Message, Outcome } from "../reply/reply.js";
import type { CustomerSummary, ReminderView } from "../services/index.js";
import { withCustomer } from "./customer-picker.js";
import { noPageText, offsetOf, pageNote, pageNumber } from "./views/list-page.js";
import type { ActionHandler, CommandContext, CommandDefinition } from "./types.js";

export const MAX_REMINDER_LENGTH = 1_000;
const EXAMPLES = [
  "/remind tomorrow 9am send Acme the quote", "/remind call Acme next friday", "/remind in 2 hours call back 阿里巴巴", "/remind 明天上午9点 给王总发报价",
  "/remind 给华为打电话 下周五", "/remind list",
];

export interface ReminderRequest {
  dueAt: Date;
  /** The time words as typed, for the confirmation. */
  when: string;
  text: string;
}

/** "<when> <text>" or "<text> <when>": the time comes first or last; the rest is the reminder. */
export function parseReminder(text: string, now: Date, timeZone: string): ReminderRequest | undefined {
  const phrase = findTimePhrase(text, { now, timeZone });
  if (!phrase) return undefined;
  return { dueAt: phrase.at, when: phrase.matched, text: phrase.rest };
}

function check(ctx: CommandContext, request: ReminderRequest): ReminderRequest {
  if (request.dueAt.getTime() <= ctx.now.getTime()) throw invalidInput("remind.past", { when: ctx.f.weekdayDateTime(request.dueAt) });
  if (!request.text) throw invalidInput("remind.missingText", { when: request.when });
  if (request.text.length > MAX_REMINDER_LENGTH) throw invalidInput("remind.tooLong", { length: request.text.length, max: MAX_REMINDER_LENGTH });
  return request;
}

async function save(ctx: CommandContext, request: ReminderRequest, customer: CustomerSummary | undefined): Promise<Outcome> {
  const reminder = await ctx.services.scheduleReminder(ctx.rep, { text: request.text, dueAt: request.dueAt, customerId: customer?.id ?? null });
  // Weekday, date, time and zone, so the rep sees at once which day "next friday" was taken for.
  const when = ctx.t("remind.when", { date: ctx.f.weekdayDateTime(reminder.dueAt), zone: ctx.timezone, relative: ctx.f.relative(reminder.dueAt, ctx.now) });
  const text = customer ? ctx.t("remind.savedFor", { when, customer: customer.name, text: reminder.text }) : ctx.t("remind.saved", { when, text: reminder.text });
  return {
    kind: "message",
    message: { visibility: "private", summary: text, blocks: [{ type: "text", text }, { type: "buttons", buttons: [{ label: ctx.t("button.cancel"), action: { id: "reminder.cancel", value: reminder.id } }] }] },
  };
}

/**
 * The customer a reminder is about: the first one its text names anywhere ("call Acme about the
 * quote", "给阿里巴巴打电话", "跟进腾讯合同"), or none. Words that name several customers equally
 * well link none of them rather than a guess; a later, unambiguous name still counts.
 */
async function customerToLink(ctx: CommandContext, reminderText: string): Promise<CustomerSummary | undefined> {
  const named = await ctx.services.customersNamedIn(reminderText);
  const byPlace = new Map<number, CustomerSummary[]>();
  for (const n of named) byPlace.set(n.start, [...(byPlace.get(n.start) ?? []), n.customer]);
  for (const customers of byPlace.values()) if (new Set(customers.map((c) => c.id)).size === 1) return customers[0];
  return undefined;
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

/** "/remind list [page]": a page of the rep's open reminders; a cut list says so and how to go on. */
async function list(ctx: CommandContext, page = 1): Promise<Outcome> {
  const open = await ctx.services.listOpenReminders(ctx.rep, page);
  const title = ctx.t("remind.listTitle");
  const blocks: Block[] = [{ type: "header", text: title }];
  const at = { page, size: open.pageSize, total: open.total, shown: open.reminders.length };
  if (open.total === 0) blocks.push({ type: "text", text: ctx.t("remind.listEmpty") });
  else if (open.reminders.length === 0) blocks.push({ type: "text", text: noPageText(ctx, at) });
  else {
    blocks.push({ type: "list", items: open.reminders.map((r) => listItem(ctx, r)) });
    const note = pageNote(ctx, at, (next) => `/remind list ${next}`);
    if (note) blocks.push({ type: "context", text: note });
    if (offsetOf(page, open.pageSize) + open.reminders.length < open.total) {
      blocks.push({ type: "buttons", buttons: [{ label: ctx.t("button.more"), action: { id: "reminder.list", value: String(page + 1) } }] });
    }
  }
  return { kind: "message", message: { visibility: "private", summary: title, blocks } };
}

export const remindCommand: CommandDefinition & { withCustomer: typeof remindAbout } = {
  name: "remind",
  help: [{ usage: ["/remind <when> <text>", "/remind <text> <when>", "/remind <customer> <when> <text>", "/remind list [page]"], description: "help.remind", examples: EXAMPLES }],
  withCustomer: remindAbout,
  async run(ctx, text) {
    const trimmed = text.trim();
    if (!trimmed) throw invalidInput("remind.missing");
    const listing = /^(?:list|ls|列表|清单)(?:\s+(\d+))?$/i.exec(trimmed);
    if (listing) {
      const page = listing[1] === undefined ? 1 : pageNumber(listing[1]);
      if (page) return list(ctx, page);
    }
    const request = parseReminder(trimmed, ctx.now, ctx.timezone);
    if (request) {
      check(ctx, request);
      return save(ctx, request, await customerToLink(ctx, request.text));
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
  "reminder.list": (ctx, value) => list(ctx, pageNumber(value) ?? 1),
  "reminder.done": (ctx, value) => change(ctx, value, { close: "DONE" }, "remind.done"),
  "reminder.cancel": (ctx, value) => change(ctx, value, { close: "CANCELLED" }, "remind.cancelled"),
  "reminder.snooze": (ctx, value) => change(ctx, value, { dueAt: new Date(ctx.now.getTime() + 3_600_000) }, "remind.snoozed"),
  "reminder.tomorrow": (ctx, value) => {
    const tomorrow = addDays(dateInZone(ctx.now, ctx.timezone), 1);
    return change(ctx, value, { dueAt: instantOfLocalTime(tomorrow, ctx.timezone, 9) }, "remind.snoozed");
  },
};
