import type { RepProfile, Rep, TimelineCursor, CustomerSummary } from "../store/index.js";
import { AppError } from "../domain/errors.js";
import { addCustomer } from "./add-customer.js";
import type { ServiceDeps } from "./deps.js";
import { getCustomerCard } from "./get-customer-card.js";
import { listHistory } from "./list-history.js";
import { listTopCustomers, type TopRequest } from "./list-top-customers.js";
import { getReport } from "./get-report.js";
import { rollUpAnalytics } from "./roll-up-analytics.js";
import type { ReportKind, ReportWhich } from "../domain/report-spans.js";
import { recordInteraction, type InteractionInput } from "./record-interaction.js";
import { recordOrder, type OrderInput } from "./record-order.js";
import { registerRep } from "./register-rep.js";
import { findNamedCustomer, resolveCustomer, resolveLeadingCustomer } from "./resolve-customer.js";
import { scheduleReminder, updateReminder } from "./schedule-reminder.js";
import { recordCustomerMessage, type CustomerMessageInput } from "./record-customer-message.js";
import { announceLink, getInboxThread, noteFromThread, replyOnWechat } from "./relay-wechat.js";
import { linkContact } from "./link-contact.js";
import { eraseContact, type EraseContactInput } from "./erase-contact.js";
import { surveyCustomer } from "./send-survey.js";
import { answerSurveyButton } from "./answer-survey.js";
import { getSurveyStats } from "./get-survey-stats.js";
import type { SurveyKind } from "../domain/survey-answer.js";
import type { SegmentName } from "../domain/customer-segments.js";
import { getStageAlert, listSegment, segmentCounts } from "./list-segment.js";
import { subscribeDigest, unsubscribeDigest, type DigestSubscribeInput } from "./manage-digest.js";
import { buildDigest } from "./build-digest.js";

/** The use-cases with their dependencies bound, as commands and adapters call them. */
export function createServices(deps: ServiceDeps) {
  return {
    settings: deps.settings,
    now: () => deps.now(),
    registerRep: (profile: RepProfile) => registerRep(deps, profile),
    resolveCustomer: (query: string) => resolveCustomer(deps, query),
    resolveLeadingCustomer: (words: readonly string[]) => resolveLeadingCustomer(deps, words),
    getCustomer: (id: string): Promise<CustomerSummary | null> => deps.store.customers.getSummary(id),
    addCustomer: (rep: Rep, name: string) => addCustomer(deps, rep, name),
    getCustomerCard: (viewer: Rep, customerId: string) => getCustomerCard(deps, viewer, customerId),
    recordInteraction: (rep: Rep, input: InteractionInput) => recordInteraction(deps, rep, input),
    recordOrder: (rep: Rep, input: OrderInput) => recordOrder(deps, rep, input),
    listHistory: (customerId: string, after?: TimelineCursor) => listHistory(deps, customerId, after),
    listTopCustomers: (request: TopRequest = {}) => listTopCustomers(deps, request),
    /** A report in the reader's zone: this period so far against the same span of the last one, or the last complete one. */
    getReport: (kind: ReportKind, which: ReportWhich, where: { timeZone: string; now?: Date }) => getReport(deps, kind, which, where),
    /** The analytics job: rolls up complete hours and days (each rollup in its own transaction). */
    rollUpAnalytics: () => rollUpAnalytics(deps),
    scheduleReminder: (rep: Rep, input: { text: string; dueAt: Date; customerId: string | null }) => scheduleReminder(deps, rep, input),
    updateReminder: (rep: Rep, id: string, change: { close: "DONE" | "CANCELLED" } | { dueAt: Date }) => updateReminder(deps, rep, id, change),
    listOpenReminders: (rep: Rep) => deps.store.reminders.listOpen(rep.id, 25),
    getReminder: (id: string) => deps.store.reminders.get(id),
    getRep: (id: string) => deps.store.users.findById(id),
    recordCustomerMessage: (input: CustomerMessageInput) => recordCustomerMessage(deps, input),
    linkContact: (rep: Rep, input: { contactId: string; customerId: string }) => linkContact(deps, rep, input),
    eraseContact: (input: EraseContactInput) => eraseContact(deps, input),
    listFailedDeliveries: () => deps.store.outbox.listFailed(20),
    retryDelivery: async (rep: Rep, id: string) => {
      if (rep.role !== "ADMIN") throw new AppError("FORBIDDEN", "error.forbidden");
      const requeued = await deps.store.outbox.requeue(id, deps.now());
      if (requeued) {
        await deps.store.audit.write({ actorId: rep.id, action: "outbox.retry", entity: "outbox", entityId: id });
        await deps.jobs.scheduleDelivery(id, deps.now());
      }
      return requeued;
    },
    getInboxThread: (threadId: string) => getInboxThread(deps, threadId),
    findInboxThread: (channel: string, threadTs: string) => deps.store.inboxThreads.findBySlackThread(channel, threadTs),
    /** The customer's WeChat contact (a lead made from a WeChat sender has exactly one). */
    wechatContactOf: async (customerId: string) => (await deps.store.customers.getDetail(customerId))?.contacts.find((c) => c.wechatOpenId)?.id,
    getInteraction: (id: string) => deps.store.interactions.get(id),
    replyOnWechat: (rep: Rep, input: { threadId: string; text: string; source?: { platform: string; id: string } }) => replyOnWechat(deps, rep, input),
    noteFromThread: (rep: Rep, input: { threadId: string; text: string; permalink?: string; source: { platform: string; id: string } }) => noteFromThread(deps, rep, input),
    announceLink: (input: { contactId: string; customerId: string; repId: string }) => announceLink(deps, input),
    surveyCustomer: (rep: Rep, input: { customerId: string | null; kind: SurveyKind; slackUser?: { id: string; name: string } }) => surveyCustomer(deps, rep, input),
    answerSurveyButton: (input: { surveyId: string; score: number; platform: string; userId: string }) => answerSurveyButton(deps, input),
    getSurvey: (id: string) => deps.store.surveys.get(id),
    getSurveyStats: (period: { from: Date; to: Date }) => getSurveyStats(deps, period),
    /** A segment as the last nightly scan left it: count, biggest spenders and why. */
    listSegment: (segment: SegmentName) => listSegment(deps, segment),
    segmentCounts: () => segmentCounts(deps),
    /** What one stage scan moved for one owner (their alert). */
    getStageAlert: (ownerId: string, scanAt: Date) => getStageAlert(deps, ownerId, scanAt),
    /** The conversation thread of a contact in the inbox channel, for "open the conversation". */
    inboxThreadOf: async (contactId: string) => {
      const channel = deps.settings.wechatInboxChannel;
      const threadId = channel ? await deps.store.inboxThreads.latestFor(contactId, channel) : null;
      const thread = threadId ? await deps.store.inboxThreads.get(threadId) : null;
      return thread?.threadTs ? { channel: thread.channel, ts: thread.threadTs } : null;
    },
    subscribeDigest: (rep: Rep, input: DigestSubscribeInput) => subscribeDigest(deps, rep, input),
    unsubscribeDigest: (rep: Rep, platform: string, channel: string) => unsubscribeDigest(deps, rep, platform, channel),
    digestFor: (platform: string, channel: string) => deps.store.digests.forChannel(platform, channel),
    getDigestSubscription: (id: string) => deps.store.digests.get(id),
    buildDigest: (runAt: Date, timeZone: string) => buildDigest(deps, runAt, timeZone),
    /** Customers named anywhere in a text ("send Acme the quote"), exact names and aliases only. */
    findNamedCustomer: (words: readonly string[]) => findNamedCustomer(deps, words),
  };
}

export type Services = ReturnType<typeof createServices>;
export type { ServiceDeps } from "./deps.js";
export type { CustomerSummary, Rep, ReminderView, TimelineCursor, TimelineEntry } from "../store/index.js";
export type { Deliverer, JobScheduler, OutgoingMessage, RateLimiter } from "./ports.js";
export { fireReminder } from "./fire-reminder.js";
export { deliverOutbox } from "./deliver-outbox.js";
export { reconcileJobs } from "./reconcile-jobs.js";
export { runSurveyCheck, runSurveyTimer } from "./run-survey-timers.js";
export { planNudges } from "./plan-nudges.js";
export { scanCustomerStages, type StageScanResult } from "./scan-customer-stages.js";
export type { SegmentCounts, SegmentCustomer, SegmentListing, StageAlert } from "./list-segment.js";
export { sendDigest } from "./manage-digest.js";
export type { DigestContent } from "./build-digest.js";
export type { CustomerMessageInput } from "./record-customer-message.js";
export type { SurveyStats } from "./get-survey-stats.js";
export type { PeriodFigures, Report, TrendPoint } from "./get-report.js";
export type { TopRequest } from "./list-top-customers.js";
export { rollUpAnalytics } from "./roll-up-analytics.js";
export type { SurveyView } from "../store/index.js";
export type { CustomerCard } from "./get-customer-card.js";
export type { CustomerResolution } from "./resolve-customer.js";
export { HISTORY_PAGE_SIZE } from "./list-history.js";
export { CUSTOMER_SERVICE_WINDOW, MAX_REPLY_CHARS, type InboxThreadDetail, type WindowState } from "./relay-wechat.js";
