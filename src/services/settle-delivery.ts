import { notificationPayload, type NotificationPayload } from "../domain/notification-payload.js";
import type { Repositories } from "../store/index.js";

export type DeliveryResult = { sent: true; externalId: string | undefined } | { sent: false; reason: string };

/**
 * What follows once an outbox message is delivered or has failed for good, written in the same
 * transaction as its status: a thread header's Slack ts becomes the thread's; a reply to a
 * customer is reported in its thread, and a refused one is marked undelivered on the timeline
 * (its text stays). Returns further outbox rows to schedule.
 */
export async function settleDelivery(tx: Repositories, row: { id: string; payload: unknown }, result: DeliveryResult, inboxChannel: string | undefined, now: Date): Promise<string[]> {
  const parsed = notificationPayload.safeParse(row.payload);
  if (!parsed.success) return [];
  const payload: NotificationPayload = parsed.data;
  switch (payload.type) {
    case "inbox.header":
      if (result.sent && result.externalId) await tx.inboxThreads.headerSent(row.id, result.externalId);
      return [];
    case "wechat.reply": {
      if (!result.sent) await tx.interactions.markUndelivered(payload.interactionId, result.reason);
      if (!inboxChannel || !payload.threadId) return [];
      const status = await tx.outbox.enqueue({
        platform: "slack",
        destination: inboxChannel,
        payload: { type: "inbox.reply-status", threadId: payload.threadId, interactionId: payload.interactionId } satisfies NotificationPayload,
        dedupeKey: `inbox-reply-status:${payload.interactionId}`,
        at: now,
      });
      return [status.id];
    }
    default:
      return [];
  }
}
