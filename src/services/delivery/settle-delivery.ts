import type { DeliveryRefusal } from "../../domain/errors.js";
import { notificationPayload, type NotificationPayload } from "../../domain/notification-payload.js";
import { SURVEY_TIMING, closeReason } from "../../domain/surveys/survey-policy.js";
import type { Repositories } from "../../store/index.js";
import type { ServiceDeps } from "../deps.js";
import type { ScheduleItem } from "../ports.js";
import { enqueueSurveyAsk } from "../surveys/send-survey.js";

export type DeliveryResult = { sent: true; externalId: string | undefined } | { sent: false; reason: string; refusal?: DeliveryRefusal };

/**
 * A survey's question arrived, or was refused: the timer starts; a closed WeChat window means
 * a template message when one is set up, else waiting for the customer's next message; any
 * other refusal ends the survey as undeliverable, with the platform's reason.
 */
async function settleSurveyAsk(tx: Repositories, settings: ServiceDeps["settings"], payload: Extract<NotificationPayload, { type: "survey.ask" }>, result: DeliveryResult, now: Date): Promise<ScheduleItem[]> {
  if (payload.reminder) return [];
  if (result.sent) {
    const remindAt = new Date(now.getTime() + SURVEY_TIMING.remindAfterMs);
    return (await tx.surveys.markSent(payload.surveyId, now, remindAt)) ? [{ kind: "survey", id: payload.surveyId, at: remindAt }] : [];
  }
  if (result.refusal === "outside-window") {
    const survey = await tx.surveys.get(payload.surveyId);
    if (payload.via === "chat" && settings.wechatSurveyTemplate && survey?.wechatOpenId) {
      await tx.surveys.setVia(payload.surveyId, "template");
      return [await enqueueSurveyAsk(tx, survey, survey.wechatOpenId, "template", now)];
    }
    if (payload.via === "chat") {
      const giveUpAt = new Date(now.getTime() + SURVEY_TIMING.waitForWindowMs);
      return (await tx.surveys.markWaiting(payload.surveyId, now, giveUpAt)) ? [{ kind: "survey", id: payload.surveyId, at: giveUpAt }] : [];
    }
  }
  await tx.surveys.close(payload.surveyId, "UNDELIVERABLE", closeReason("refused", result.reason), ["PENDING"]);
  return [];
}

/**
 * What follows once an outbox message is delivered or has failed for good, written in the same
 * transaction as its status: a thread header's Slack ts becomes the thread's; a reply to a
 * customer is reported in its thread, and a refused one is marked undelivered on the timeline
 * (its text stays); a survey's question starts its timer or finds another way. Returns what to
 * schedule once it commits.
 */
export async function settleDelivery(tx: Repositories, row: { id: string; payload: unknown }, result: DeliveryResult, settings: ServiceDeps["settings"], now: Date): Promise<ScheduleItem[]> {
  const inboxChannel = settings.wechatInboxChannel;
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
      // Said in the conversation's own thread, in whichever inbox channel it was routed to.
      const channel = (await tx.inboxThreads.channelOf(payload.threadId)) ?? inboxChannel;
      const status = await tx.outbox.enqueue({
        platform: "slack",
        destination: channel,
        payload: { type: "inbox.reply-status", threadId: payload.threadId, interactionId: payload.interactionId } satisfies NotificationPayload,
        dedupeKey: `inbox-reply-status:${payload.interactionId}`,
        at: now,
      });
      return [{ kind: "delivery", id: status.id, at: now }];
    }
    case "survey.ask":
      return settleSurveyAsk(tx, settings, payload, result, now);
    default:
      return [];
  }
}
