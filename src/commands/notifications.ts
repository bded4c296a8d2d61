import { z } from "zod";
import type { Block, Message } from "../reply/reply.js";
import type { ReminderView } from "../services/index.js";
import type { CommandContext } from "./types.js";

/** What an outbox row asks to say; rendered when it is delivered, in the reader's language. */
export const notificationPayload = z.discriminatedUnion("type", [z.object({ type: z.literal("reminder.due"), reminderId: z.uuid() })]);
export type NotificationPayload = z.infer<typeof notificationPayload>;

export interface LoadedNotification {
  /** The user it is for, so the core can build their context (language, time zone). */
  recipientId: string;
  reminder: ReminderView;
}

/** Reads what a notification is about, once; rendering then needs no further queries. */
export async function loadNotification(ctx: Pick<CommandContext, "services">, payload: NotificationPayload): Promise<LoadedNotification | undefined> {
  const reminder = await ctx.services.getReminder(payload.reminderId);
  return reminder ? { recipientId: reminder.userId, reminder } : undefined;
}

const followUpDetail = z.object({ quietDays: z.number().int() });
const careDetail = z.object({ contactName: z.string(), occasion: z.enum(["birthday", "anniversary"]) });

/** What a reminder says: the rep's own words, or the bot's nudge in the reader's language. */
function reminderText(ctx: CommandContext, reminder: ReminderView): string {
  const customer = reminder.customerName ?? "";
  if (reminder.kind === "FOLLOW_UP") {
    const detail = followUpDetail.safeParse(reminder.detail);
    if (detail.success) return ctx.t("remind.followUp", { customer, days: detail.data.quietDays });
  }
  if (reminder.kind === "CARE_DATE") {
    const detail = careDetail.safeParse(reminder.detail);
    if (detail.success) return ctx.t(detail.data.occasion === "birthday" ? "remind.care.birthday" : "remind.care.anniversary", { contact: detail.data.contactName, customer });
  }
  return ctx.t("remind.due", { text: reminder.text });
}

export function renderNotification(ctx: CommandContext, { reminder }: LoadedNotification): Message {
  const text = reminderText(ctx, reminder);
  const blocks: Block[] = [{ type: "text", text }];
  const context = [
    reminder.customerName && reminder.kind === "MANUAL" ? ctx.t("remind.about", { customer: reminder.customerName }) : null,
    reminder.late ? ctx.t("remind.late", { when: ctx.f.dateTime(reminder.dueAt) }) : null,
  ].filter((line): line is string => line !== null);
  if (context.length > 0) blocks.push({ type: "context", text: context.join(" · ") });
  blocks.push({
    type: "buttons",
    buttons: [
      { label: ctx.t("button.done"), action: { id: "reminder.done", value: reminder.id }, style: "primary" },
      { label: ctx.t("button.snoozeHour"), action: { id: "reminder.snooze", value: reminder.id } },
      { label: ctx.t("button.tomorrow9"), action: { id: "reminder.tomorrow", value: reminder.id } },
      ...(reminder.customerId ? [{ label: ctx.t("button.open"), action: { id: "customer.show", value: reminder.customerId } }] : []),
    ],
  });
  return { visibility: "private", summary: text, blocks };
}
