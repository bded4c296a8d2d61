import { DeliveryError } from "../domain/errors.js";
import type { NotificationPayload } from "../domain/notification-payload.js";
import type { Block, Message } from "../reply/reply.js";
import type { InboxThreadDetail } from "../services/index.js";
import type { CommandContext } from "./types.js";
import type { LoadedNotification, RenderContext } from "./notification-types.js";
import { renderInboxNotification } from "./views/inbox.js";
import { surveyAlert, surveyAsk, surveyOptedOut, surveyThanks } from "./views/survey.js";
import { isLowScore } from "../domain/surveys/survey-answer.js";
import { digestView } from "./views/digest.js";
import { digestWithheldMessage } from "./views/shared-channels.js";
import { stageAlertMessage } from "./views/stage-alert.js";
import { assignedMessage } from "./views/customer-assigned.js";
import { exportDescription, exportFailedMessage, exportReadyMessage } from "./views/export.js";
import { erasedNotice } from "./views/erasure.js";
import { roleChangedDm } from "./views/people.js";
import { doneMessage as importDoneMessage } from "./views/import.js";
import { homeView } from "./views/home.js";
import { reminderText } from "./views/reminder-text.js";

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export type { LoadedNotification, RenderContext } from "./notification-types.js";

export { notificationPayload, type NotificationPayload } from "../domain/notification-payload.js";

/**
 * Where in the inbox a thread message goes: into its thread once the header is in Slack; at
 * the top level if the header failed for good (the message still reaches the team); and not
 * yet while the header is on its way.
 */
function threadOf(detail: InboxThreadDetail): string | undefined {
  if (detail.thread.threadTs) return detail.thread.threadTs;
  if (detail.thread.headerStatus === "FAILED" || detail.thread.headerStatus === null) return undefined;
  throw new DeliveryError("not-ready", "the conversation's thread header is not in Slack yet", 1_500);
}

/** Reads what a notification is about, once; rendering then needs no further queries. */
export async function loadNotification(ctx: Pick<CommandContext, "services">, payload: NotificationPayload): Promise<LoadedNotification | undefined> {
  const { services } = ctx;
  switch (payload.type) {
    case "reminder.due": {
      const reminder = await services.getReminder(payload.reminderId);
      return reminder ? { type: payload.type, recipientId: reminder.userId, reminder } : undefined;
    }
    case "inbox.header": {
      const detail = await services.getInboxThread(payload.threadId);
      return detail ? { type: payload.type, detail } : undefined;
    }
    case "inbox.message":
    case "inbox.reply-status": {
      if (payload.type === "inbox.message" && payload.interactionIds && payload.interactionIds.length > 1) {
        // Several messages of the conversation in one post (they waited for the same send slot).
        const found = await services.getInboxMessages(payload.threadId, payload.interactionIds);
        const [first, ...more] = found?.interactions ?? [];
        return found && first ? { type: payload.type, thread: threadOf(found.detail), detail: found.detail, interaction: first, more } : undefined;
      }
      // As the channel may read it: private details the text mentions are hidden.
      const found = await services.getInboxMessage(payload.threadId, payload.interactionId);
      return found ? { type: payload.type, thread: threadOf(found.detail), detail: found.detail, interaction: found.interaction } : undefined;
    }
    case "privacy.erased": {
      const detail = await services.getInboxThread(payload.threadId);
      return detail ? { type: payload.type, thread: threadOf(detail) } : undefined;
    }
    case "inbox.linked": {
      const [detail, customer, rep] = await Promise.all([services.getInboxThread(payload.threadId), services.getCustomer(payload.customerId), services.getRep(payload.repId)]);
      return detail && customer ? { type: payload.type, thread: threadOf(detail), customerName: customer.name, repName: rep?.displayName ?? "" } : undefined;
    }
    case "wechat.reply": {
      const interaction = await services.getInteraction(payload.interactionId);
      return interaction ? { type: payload.type, interaction } : undefined;
    }
    case "survey.ask":
    case "survey.thanks": {
      const survey = await services.getSurvey(payload.surveyId);
      if (!survey) return undefined;
      return payload.type === "survey.ask"
        ? { type: payload.type, locale: survey.locale, survey, via: payload.via, reminder: payload.reminder ?? false }
        : { type: payload.type, locale: survey.locale, survey };
    }
    case "survey.opted-out":
      return { type: payload.type, locale: payload.locale };
    case "digest": {
      const subscription = await services.getDigestSubscription(payload.subscriptionId);
      if (!subscription) return undefined;
      const digest = await services.buildDigest(new Date(payload.firedAt), subscription.timezone);
      return { type: payload.type, locale: subscription.locale, timezone: subscription.timezone, digest };
    }
    case "digest.withheld": {
      // Told to whoever subscribed; once the subscription is gone there is nothing to say.
      const subscription = await services.getDigestSubscription(payload.subscriptionId);
      if (!subscription?.createdById) return undefined;
      const channel = payload.channelName ? `#${payload.channelName}` : subscription.channel;
      return { type: payload.type, recipientId: subscription.createdById, channel, why: payload.why, reason: payload.reason ?? "" };
    }
    case "stage.alert": {
      // Only the owner's own DM; an owner who left Slack or whose customers are gone gets nothing.
      const [owner, alert] = await Promise.all([services.getRep(payload.ownerId), services.getStageAlert(payload.ownerId, new Date(payload.scanAt))]);
      return owner?.platform === "slack" && alert ? { type: payload.type, recipientId: owner.id, alert } : undefined;
    }
    case "customer.assigned": {
      // The card as the new owner sees it; nothing to say once the customer or the owner is gone.
      const [owner, by] = await Promise.all([services.getRep(payload.ownerId), services.getRep(payload.byId)]);
      const card = owner ? await services.getCustomerCard(owner, payload.customerId) : null;
      return owner && card ? { type: payload.type, recipientId: owner.id, card, by: by?.displayName ?? "" } : undefined;
    }
    case "user.role": {
      // What they may see is read when the DM goes out: a later change is the next DM's to tell.
      const [person, by] = await Promise.all([services.getRep(payload.userId), services.getRep(payload.byId)]);
      if (!person) return undefined;
      const access = await services.describeAccess(person);
      return { type: payload.type, recipientId: person.id, from: payload.from, to: payload.to, by: by?.displayName ?? "", access };
    }
    case "export.ready":
    case "export.failed": {
      const run = await services.getExportRun(payload.runId);
      if (!run) return undefined;
      return payload.type === "export.ready" ? { type: payload.type, recipientId: run.requestedById, run, file: payload.file } : { type: payload.type, recipientId: run.requestedById, run };
    }
    case "import.done": {
      const run = await services.getImportRun(payload.runId);
      return run ? { type: payload.type, recipientId: run.createdById, run } : undefined;
    }
    case "home.publish": {
      const rep = await services.getRep(payload.repId);
      if (!rep) return undefined;
      // As of delivery, in the rep's zone (the team's when theirs is not known).
      const timezone = rep.timezone && isTimeZone(rep.timezone) ? rep.timezone : services.settings.timeZone;
      const home = await services.getHome(rep, { now: services.now(), timezone });
      return { type: payload.type, recipientId: rep.id, home, repName: rep.displayName };
    }
    case "survey.alert": {
      const survey = await services.getSurvey(payload.surveyId);
      if (!survey) return undefined;
      const [owner, thread] = await Promise.all([survey.ownerId ? services.getRep(survey.ownerId) : null, survey.contactId ? services.inboxThreadOf(survey.contactId) : null]);
      if (owner?.platform === "slack") return { type: payload.type, recipientId: owner.id, survey, thread, comment: payload.comment ?? false };
      // No owner on Slack: the inbox channel reads it, with a channel's rights.
      const shown = (await services.forChannel().getSurvey(payload.surveyId)) ?? survey;
      return { type: payload.type, survey: shown, thread, comment: payload.comment ?? false };
    }
  }
}

function renderSurveyNotification(ctx: RenderContext, loaded: Extract<LoadedNotification, { type: `survey.${string}` }>): Message {
  switch (loaded.type) {
    case "survey.ask":
      return surveyAsk(ctx, loaded.survey, loaded.via, loaded.reminder);
    case "survey.thanks":
      return surveyThanks(ctx, loaded.survey, loaded.survey.score !== null && isLowScore(loaded.survey.kind, loaded.survey.score));
    case "survey.opted-out":
      return surveyOptedOut(ctx);
    case "survey.alert":
      return surveyAlert(ctx, loaded.survey, loaded.thread, loaded.comment);
  }
}

export function renderNotification(ctx: RenderContext & Partial<Pick<CommandContext, "locale">>, loaded: LoadedNotification): Message {
  if (loaded.type === "home.publish") return homeView({ ...ctx, locale: ctx.locale ?? "en" }, { displayName: loaded.repName }, loaded.home);
  if (loaded.type === "digest") return digestView(ctx, loaded.digest);
  if (loaded.type === "digest.withheld") return digestWithheldMessage(ctx, loaded);
  if (loaded.type === "stage.alert") return stageAlertMessage(ctx, loaded.alert);
  if (loaded.type === "privacy.erased") return erasedNotice(ctx, loaded.thread);
  if (loaded.type === "customer.assigned") return assignedMessage(ctx, loaded.card, loaded.by);
  if (loaded.type === "export.ready") return exportReadyMessage(ctx, exportDescription(loaded.run), loaded.file);
  if (loaded.type === "export.failed") return exportFailedMessage(ctx, exportDescription(loaded.run));
  if (loaded.type === "user.role") return roleChangedDm(ctx, loaded, loaded.access);
  if (loaded.type === "import.done") return importDoneMessage(ctx, loaded.run);
  if (loaded.type.startsWith("survey.")) return renderSurveyNotification(ctx, loaded as Extract<LoadedNotification, { type: `survey.${string}` }>);
  if (loaded.type !== "reminder.due") return renderInboxNotification(ctx, loaded as Parameters<typeof renderInboxNotification>[1]);
  const { reminder } = loaded;
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
