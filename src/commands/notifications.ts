import { z } from "zod";
import type { Block, Message } from "../reply/reply.js";
import type { CommandContext } from "./types.js";

/** What an outbox row asks to say; rendered when it is delivered, in the reader's language. */
export const notificationPayload = z.discriminatedUnion("type", [z.object({ type: z.literal("reminder.due"), reminderId: z.uuid() })]);
export type NotificationPayload = z.infer<typeof notificationPayload>;

/** The user a notification is for, so the core can build their context (language, time zone). */
export async function notificationRecipient(ctx: Pick<CommandContext, "services">, payload: NotificationPayload): Promise<string | undefined> {
  const reminder = await ctx.services.getReminder(payload.reminderId);
  return reminder?.userId;
}

export async function renderNotification(ctx: CommandContext, payload: NotificationPayload): Promise<Message> {
  const reminder = await ctx.services.getReminder(payload.reminderId);
  if (!reminder) throw new Error(`reminder ${payload.reminderId} is gone`);
  const text = ctx.t("remind.due", { text: reminder.text });
  const blocks: Block[] = [{ type: "text", text }];
  const context = [
    reminder.customerName ? ctx.t("remind.about", { customer: reminder.customerName }) : null,
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
