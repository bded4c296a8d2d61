import { AppError } from "../../domain/errors.js";
import type { NotificationPayload } from "../../domain/notification-payload.js";
import type { SurveyKind } from "../../domain/surveys/survey-answer.js";
import { SURVEY_TIMING, surveyLocale } from "../../domain/surveys/survey-policy.js";
import type { Rep, Repositories, SurveyRow } from "../../store/index.js";
import type { ServiceDeps } from "../deps.js";
import type { ScheduleItem } from "../ports.js";
import { scheduleAfterCommit } from "../delivery/schedule-after-commit.js";
import { windowState } from "../inbox/relay-wechat.js";

export type SurveyVia = "chat" | "template" | "buttons";

/** Why a survey cannot start; the rep reads it as survey.refused.<reason>. */
export type SurveyRefusal = "gone" | "unfollowed" | "optedOut" | "noChannel" | "open" | "cooldown";

export interface StartedSurvey {
  survey: SurveyRow;
  /** "waiting": WeChat's window is closed; it goes out when the customer next writes. */
  delivery: "queued" | "waiting";
  contactName: string;
}

/**
 * Queues a survey's question (or its reminder) for the contact: a WeChat chat message, a
 * template message, or a Slack message with buttons. One row per survey and way, however
 * often the cause is retried.
 */
export async function enqueueSurveyAsk(tx: Repositories, survey: { id: string }, destination: string, via: SurveyVia, now: Date, reminder = false): Promise<ScheduleItem> {
  const row = await tx.outbox.enqueue({
    platform: via === "buttons" ? "slack" : "wechat",
    destination,
    payload: { type: "survey.ask", surveyId: survey.id, via, ...(reminder ? { reminder: true } : {}) } satisfies NotificationPayload,
    dedupeKey: reminder ? `survey-reminder:${survey.id}` : `survey-ask:${survey.id}:${via}`,
    at: now,
  });
  return { kind: "delivery", id: row.id, at: now };
}

class Refused extends Error {
  constructor(readonly reason: SurveyRefusal) {
    super(`survey refused: ${reason}`);
  }
}

/**
 * Starts a survey for a contact, inside the caller's transaction: checks that the contact can
 * and may be asked, credits the rep who served them, and sends the question the way the
 * platform allows right now. Throws Refused (see startSurvey for the public form).
 */
async function start(tx: Repositories, deps: ServiceDeps, input: { contactId: string; kind: SurveyKind; trigger: "MANUAL" | "AUTO"; actor?: Rep }): Promise<{ started: StartedSurvey; schedule: ScheduleItem[] }> {
  const now = deps.now();
  const contact = await tx.surveys.lockContact(input.contactId);
  if (!contact) throw new Refused("gone");
  if (contact.erasedAt || contact.unsubscribedAt) throw new Refused("unfollowed");
  if (contact.surveyOptOutAt) throw new Refused("optedOut");
  const platform = contact.wechatOpenId ? "wechat" : contact.slackUserId ? "slack" : null;
  if (!platform) throw new Refused("noChannel");
  if (await tx.surveys.openFor(contact.id)) throw new Refused("open");
  if (input.trigger === "AUTO") {
    const latest = await tx.surveys.latestFor(contact.id);
    const cooldownMs = deps.settings.surveyCooldownDays * 86_400_000;
    if (latest && latest.createdAt.getTime() > now.getTime() - cooldownMs) throw new Refused("cooldown");
  }
  const servedById = (await tx.surveys.lastReplier(contact.id, new Date(now.getTime() - SURVEY_TIMING.servedWithinMs))) ?? contact.ownerId;
  const locale = surveyLocale(platform, contact.locale, deps.settings.defaultLocale);
  const base = { customerId: contact.customerId, contactId: contact.id, servedById, kind: input.kind, trigger: input.trigger, platform, locale };
  const schedule: ScheduleItem[] = [];
  let survey: SurveyRow;
  let delivery: StartedSurvey["delivery"] = "queued";
  if (platform === "slack") {
    survey = await tx.surveys.create({ ...base, via: "buttons", status: "PENDING" });
    schedule.push(await enqueueSurveyAsk(tx, survey, contact.slackUserId!, "buttons", now));
  } else {
    const facts = await tx.surveys.windowFacts(contact.id);
    const open = windowState(facts.lastInboundAt, facts.outboundSince, now).open;
    if (open || deps.settings.wechatSurveyTemplate) {
      const via = open ? "chat" : "template";
      survey = await tx.surveys.create({ ...base, via, status: "PENDING" });
      schedule.push(await enqueueSurveyAsk(tx, survey, contact.wechatOpenId!, via, now));
    } else {
      const giveUpAt = new Date(now.getTime() + SURVEY_TIMING.waitForWindowMs);
      survey = await tx.surveys.create({ ...base, via: null, status: "WAITING", waitingSince: now, nextCheckAt: giveUpAt });
      schedule.push({ kind: "survey", id: survey.id, at: giveUpAt });
      delivery = "waiting";
    }
  }
  await tx.audit.write({ actorId: input.actor?.id ?? null, action: "survey.start", entityId: survey.id, customerIds: [contact.customerId], detail: { customerId: contact.customerId, contactId: contact.id, kind: input.kind, trigger: input.trigger, via: survey.via } });
  return { started: { survey, delivery, contactName: contact.name }, schedule };
}

/** A rep's /survey: a refusal is an answer the rep can act on. */
export async function startSurvey(deps: ServiceDeps, rep: Rep, input: { contactId: string; kind: SurveyKind }): Promise<StartedSurvey> {
  try {
    const { started, schedule } = await deps.store.transaction((tx) => start(tx, deps, { ...input, trigger: "MANUAL", actor: rep }));
    await scheduleAfterCommit(deps, schedule);
    return started;
  } catch (error) {
    if (error instanceof Refused) throw new AppError("CONFLICT", `survey.refused.${error.reason}`);
    throw error;
  }
}

/** The automatic CSAT survey; a refusal (cooldown, opted out ...) just means no survey. */
export async function startAutoSurvey(deps: ServiceDeps, contactId: string): Promise<StartedSurvey | SurveyRefusal> {
  try {
    const { started, schedule } = await deps.store.transaction((tx) => start(tx, deps, { contactId, kind: "CSAT", trigger: "AUTO" }));
    await scheduleAfterCommit(deps, schedule);
    return started;
  } catch (error) {
    if (error instanceof Refused) return error.reason;
    throw error;
  }
}

/**
 * /survey for a customer: asks its contact on WeChat (or on Slack), or the Slack Connect person
 * named, who becomes the customer's contact the first time.
 */
export async function surveyCustomer(deps: ServiceDeps, rep: Rep, input: { customerId: string | null; kind: SurveyKind; slackUser?: { id: string; name: string } }): Promise<StartedSurvey & { platform: string }> {
  let contactId: string;
  if (input.slackUser) {
    const known = await deps.store.surveys.contactBySlackUser(input.slackUser.id);
    if (!known && !input.customerId) throw new AppError("INVALID_INPUT", "survey.slackNeedsCustomer");
    contactId = known ? known.id : (await deps.store.surveys.addSlackContact({ customerId: input.customerId!, slackUserId: input.slackUser.id, name: input.slackUser.name })).id;
  } else {
    if (!input.customerId) throw new AppError("INVALID_INPUT", "survey.usage");
    const reachable = await deps.store.surveys.reachableContacts(input.customerId);
    // WeChat first: that is where the conversations are.
    const contact = reachable.find((c) => c.wechatOpenId) ?? reachable[0];
    if (!contact) throw new AppError("NOT_FOUND", "survey.noContact");
    contactId = contact.id;
  }
  const started = await startSurvey(deps, rep, { contactId, kind: input.kind });
  return { ...started, platform: started.survey.platform };
}
