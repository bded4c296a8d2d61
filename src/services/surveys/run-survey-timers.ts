import { SURVEY_TIMING, closeReason } from "../../domain/surveys/survey-policy.js";
import type { ServiceDeps } from "../deps.js";
import type { ScheduleItem } from "../ports.js";
import { windowState } from "../inbox/relay-wechat.js";
import { scheduleAfterCommit } from "../delivery/schedule-after-commit.js";
import { enqueueSurveyAsk, startAutoSurvey } from "./send-survey.js";

/**
 * A survey's timer: the one reminder after 24 hours without an answer, expiry after 72, and
 * giving up on a survey that waited a week for WeChat's window. The row says what is due; a
 * job that runs early or twice changes nothing.
 */
export async function runSurveyTimer(deps: ServiceDeps, surveyId: string): Promise<string> {
  const now = deps.now();
  const { done, schedule } = await deps.store.transaction(async (tx) => {
    const survey = await tx.surveys.claimTimer(surveyId, now);
    if (!survey) return { done: "not-due", schedule: [] as ScheduleItem[] };
    if (survey.status === "WAITING") {
      const giveUpAt = (survey.waitingSince?.getTime() ?? 0) + SURVEY_TIMING.waitForWindowMs;
      if (now.getTime() >= giveUpAt) {
        await tx.surveys.close(survey.id, "UNDELIVERABLE", closeReason("window-closed"), ["WAITING"]);
        return { done: "undeliverable", schedule: [] };
      }
      await tx.surveys.setTimer(survey.id, new Date(giveUpAt));
      return { done: "waiting", schedule: [{ kind: "survey" as const, id: survey.id, at: new Date(giveUpAt) }] };
    }
    if (survey.status !== "SENT" || !survey.sentAt) return { done: "closed", schedule: [] };
    const sent = survey.sentAt.getTime();
    const expireAt = new Date(sent + SURVEY_TIMING.expireAfterMs);
    if (now.getTime() >= expireAt.getTime()) {
      await tx.surveys.close(survey.id, "EXPIRED", closeReason("no-answer"), ["SENT"]);
      return { done: "expired", schedule: [] };
    }
    const remindAt = new Date(sent + SURVEY_TIMING.remindAfterMs);
    if (survey.remindedAt || now.getTime() < remindAt.getTime()) {
      const next = survey.remindedAt ? expireAt : remindAt;
      await tx.surveys.setTimer(survey.id, next);
      return { done: "early", schedule: [{ kind: "survey" as const, id: survey.id, at: next }] };
    }
    await tx.surveys.markReminded(survey.id, now, expireAt);
    const schedule: ScheduleItem[] = [{ kind: "survey", id: survey.id, at: expireAt }];
    const view = await tx.surveys.get(survey.id);
    if (survey.platform === "slack" && view?.slackUserId) {
      schedule.push(await enqueueSurveyAsk(tx, survey, view.slackUserId, "buttons", now, true));
      return { done: "reminded", schedule };
    }
    // WeChat: a reminder only inside the window; a template reminder would be one nudge too many.
    const facts = survey.contactId ? await tx.surveys.windowFacts(survey.contactId) : null;
    if (view?.wechatOpenId && facts && windowState(facts.lastInboundAt, facts.outboundSince, now).open) {
      schedule.push(await enqueueSurveyAsk(tx, survey, view.wechatOpenId, "chat", now, true));
      return { done: "reminded", schedule };
    }
    return { done: "reminder-skipped", schedule };
  });
  await scheduleAfterCommit(deps, schedule);
  return done;
}

/**
 * The conversation may have gone quiet: when it has (nothing for SURVEY_AFTER_IDLE) and a rep
 * answered in it, the customer gets the CSAT survey, unless the cooldown, an opt-out or an open
 * survey says no.
 */
export async function runSurveyCheck(deps: ServiceDeps, contactId: string): Promise<string> {
  const now = deps.now();
  if (!(await deps.store.surveys.claimSurveyCheck(contactId, now))) return "not-due";
  const replier = await deps.store.surveys.lastReplier(contactId, new Date(now.getTime() - SURVEY_TIMING.servedWithinMs));
  if (!replier) return "no-reply";
  const started = await startAutoSurvey(deps, contactId);
  return typeof started === "string" ? started : started.delivery;
}
