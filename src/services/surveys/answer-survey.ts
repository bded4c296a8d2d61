import type { NotificationPayload } from "../../domain/notification-payload.js";
import { SURVEY_SCALE, isLowScore, readSurveyAnswer, readSurveyComment, isSurveyOptOut } from "../../domain/surveys/survey-answer.js";
import { SURVEY_TIMING, closeReason } from "../../domain/surveys/survey-policy.js";
import type { Repositories, SurveyRow, SurveyView } from "../../store/index.js";
import type { ServiceDeps } from "../deps.js";
import type { ScheduleItem } from "../ports.js";
import { scheduleAfterCommit } from "../delivery/schedule-after-commit.js";
import { refreshSegments } from "../analytics/score-segments.js";
import { enqueueSurveyAsk } from "./send-survey.js";

/** Message kinds that open WeChat's customer-service window (events open a shorter one). */
const OPENS_WINDOW = new Set(["text", "image", "voice", "video", "shortvideo", "location", "link"]);

/**
 * Tells the owner at once about a low score, in a DM (or the inbox channel when the owner is not
 * on Slack), with the comment and the way to the conversation.
 */
async function enqueueAlert(tx: Repositories, deps: ServiceDeps, survey: SurveyRow, now: Date, comment = false): Promise<ScheduleItem[]> {
  const customer = await tx.customers.getSummary(survey.customerId);
  const owner = customer?.ownerId ? await tx.users.findById(customer.ownerId) : null;
  const destination = owner?.platform === "slack" ? owner.externalId : deps.settings.wechatInboxChannel;
  if (!destination) return [];
  const row = await tx.outbox.enqueue({
    platform: "slack",
    destination,
    payload: { type: "survey.alert", surveyId: survey.id, ...(comment ? { comment: true } : {}) } satisfies NotificationPayload,
    dedupeKey: comment ? `survey-alert-comment:${survey.id}` : `survey-alert:${survey.id}`,
    at: now,
  });
  return [{ kind: "delivery", id: row.id, at: now }];
}

/**
 * Records a score (from chat or a button). Thanks the customer once where a message has to
 * (on Slack the pressed message itself says thanks), and alerts the owner of a low score.
 */
export async function recordAnswer(tx: Repositories, deps: ServiceDeps, survey: SurveyRow, answer: { score: number; comment: string | null; interactionId: string | null; destination: string | null }): Promise<{ answered: boolean; schedule: ScheduleItem[] }> {
  const now = deps.now();
  if (!(await tx.surveys.answer(survey.id, { ...answer, at: now }))) return { answered: false, schedule: [] };
  // A low score counts towards churn risk: the customer's segment follows the answer now.
  await refreshSegments(tx, deps, [survey.customerId]);
  const answered = { ...survey, status: "ANSWERED" as const, score: answer.score, comment: answer.comment };
  const schedule: ScheduleItem[] = [];
  if (answer.destination) {
    const row = await tx.outbox.enqueue({
      platform: survey.platform,
      destination: answer.destination,
      payload: { type: "survey.thanks", surveyId: survey.id } satisfies NotificationPayload,
      dedupeKey: `survey-thanks:${survey.id}`,
      at: now,
    });
    schedule.push({ kind: "delivery", id: row.id, at: now });
  }
  if (isLowScore(survey.kind, answer.score)) schedule.push(...(await enqueueAlert(tx, deps, answered, now)));
  return { answered: true, schedule };
}

export interface CustomerReply {
  contactId: string;
  interactionId: string;
  /** The contact's address on the platform (WeChat openid). */
  senderId: string;
  kind: string;
  body: string;
  at: Date;
}

/**
 * What a customer's new message means for surveys, decided in the transaction that stores it
 * (so a retried push decides nothing twice): an opt-out; the answer to an open survey; the
 * comment on an answer just given; the moment a survey that missed the window can go out; and
 * the conversation going on (the automatic survey waits for it to go quiet).
 */
export async function readSurveyReply(tx: Repositories, deps: ServiceDeps, reply: CustomerReply): Promise<ScheduleItem[]> {
  const now = deps.now();
  const schedule: ScheduleItem[] = [];
  if (reply.kind === "event:unsubscribe") {
    await tx.surveys.closeOpenFor(reply.contactId, closeReason("unfollowed"));
    return schedule;
  }
  if (!OPENS_WINDOW.has(reply.kind)) return schedule;
  const idleMs = deps.settings.surveyAfterIdleMs;
  if (await tx.surveys.pushSurveyCheck(reply.contactId, new Date(reply.at.getTime() + idleMs))) {
    schedule.push({ kind: "survey-check", id: reply.contactId, at: new Date(reply.at.getTime() + idleMs) });
  }

  // A reply to a survey is not a question for the team: it starts no WeChat wait.
  const surveyReply = (reading: "answer" | "comment" | "opt-out") =>
    tx.customerMessages.markSurveyReply({ interactionId: reply.interactionId, contactId: reply.contactId, at: reply.at, reading });

  if (reply.kind === "text" && isSurveyOptOut(reply.body)) {
    await surveyReply("opt-out");
    const contact = await tx.surveys.lockContact(reply.contactId);
    await tx.surveys.setOptOut(reply.contactId, now);
    await tx.surveys.closeOpenFor(reply.contactId, closeReason("opted-out"));
    const row = await tx.outbox.enqueue({
      platform: "wechat",
      destination: reply.senderId,
      payload: { type: "survey.opted-out", locale: contact?.locale ?? "zh-CN" } satisfies NotificationPayload,
      dedupeKey: `survey-opted-out:${reply.interactionId}`,
      at: now,
    });
    return [...schedule, { kind: "delivery", id: row.id, at: now }];
  }

  const open = await tx.surveys.openFor(reply.contactId);
  if (open?.status === "SENT" && reply.kind === "text") {
    const reading = readSurveyAnswer(reply.body, open.kind);
    if (reading.kind === "answer") {
      const recorded = await recordAnswer(tx, deps, open, { score: reading.score, comment: reading.comment ?? null, interactionId: reply.interactionId, destination: reply.senderId });
      if (recorded.answered) await surveyReply("answer");
      return [...schedule, ...recorded.schedule];
    }
  }
  if (!open && reply.kind === "text") {
    const answered = await tx.surveys.awaitingComment(reply.contactId, new Date(reply.at.getTime() - SURVEY_TIMING.commentWindowMs));
    const comment = answered ? readSurveyComment(reply.body) : undefined;
    if (answered && comment && (await tx.surveys.addComment(answered.id, comment))) {
      await surveyReply("comment");
      if (answered.score !== null && isLowScore(answered.kind, answered.score)) schedule.push(...(await enqueueAlert(tx, deps, { ...answered, comment }, now, true)));
      return schedule;
    }
  }
  // The customer writing opens the window again: a survey that missed it goes out now.
  for (const woken of await tx.surveys.wake(reply.contactId, "chat")) {
    schedule.push(await enqueueSurveyAsk(tx, woken, reply.senderId, "chat", now));
  }
  return schedule;
}

/** A Slack Connect customer pressed a score button: only the asked person, only once. */
export async function answerSurveyButton(deps: ServiceDeps, input: { surveyId: string; score: number; platform: string; userId: string }): Promise<{ outcome: "answered" | "already" | "closed" | "not-yours"; survey: SurveyView | null }> {
  const result = await deps.store.transaction(async (tx) => {
    const survey = await tx.surveys.get(input.surveyId);
    if (!survey) return { outcome: "closed" as const, survey: null, schedule: [] };
    if (survey.platform !== input.platform || survey.slackUserId !== input.userId) return { outcome: "not-yours" as const, survey, schedule: [] };
    if (survey.status === "ANSWERED") return { outcome: "already" as const, survey, schedule: [] };
    if (survey.status !== "SENT") return { outcome: "closed" as const, survey, schedule: [] };
    const scale = SURVEY_SCALE[survey.kind];
    if (!Number.isInteger(input.score) || input.score < scale.min || input.score > scale.max) return { outcome: "closed" as const, survey, schedule: [] };
    const recorded = await recordAnswer(tx, deps, survey, { score: input.score, comment: null, interactionId: null, destination: null });
    return { outcome: recorded.answered ? ("answered" as const) : ("already" as const), survey: { ...survey, score: input.score }, schedule: recorded.schedule };
  });
  await scheduleAfterCommit(deps, result.schedule);
  return { outcome: result.outcome, survey: result.survey };
}
