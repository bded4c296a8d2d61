import type { RepProfile, Rep, TimelineCursor, CustomerSummary } from "../store/index.js";
import { AppError } from "../domain/errors.js";
import type { Decimal } from "../domain/money.js";
import { addCustomer } from "./customers/add-customer.js";
import type { Audience } from "./audience.js";
import type { ServiceDeps } from "./deps.js";
import { getCustomerCard } from "./customers/get-customer-card.js";
import { getCardSection, type CardSection } from "./customers/get-card-section.js";
import { listHistory } from "./activity/list-history.js";
import { listTopCustomers, type TopRequest } from "./analytics/list-top-customers.js";
import { getReport } from "./analytics/get-report.js";
import { getPipelineFigures, type PipelineWho } from "./deals/pipeline-figures.js";
import { rollUpAnalytics } from "./analytics/roll-up-analytics.js";
import type { ReportKind, ReportWhich } from "../domain/time/report-spans.js";
import { recordInteraction, type InteractionInput } from "./activity/record-interaction.js";
import { recordOrder, reviewOrder, usualCurrency, type OrderInput } from "./activity/record-order.js";
import { correctInteraction, correctOrder, deleteEntry, openEntry, restoreEntry, reviewCorrection, undoLastEntry, type OrderCorrection } from "./activity/correct-entry.js";
import type { EntryKind } from "../store/index.js";
import type { Channel } from "../domain/interaction-channel.js";
import { registerRep } from "./register-rep.js";
import { findNamedCustomer, resolveCustomer, resolveLeadingCustomer } from "./customers/resolve-customer.js";
import { findCustomerByName } from "./customers/find-customer-by-name.js";
import { customerNamesChanged, findNamedCustomers } from "./customers/find-named-customers.js";
import { editCustomer, editableCustomer, type EditRequest } from "./customers/edit-customer.js";
import { findRep } from "./customers/find-rep.js";
import { scheduleReminder, updateReminder } from "./reminders/schedule-reminder.js";
import { listOpenReminders } from "./reminders/list-open-reminders.js";
// The Home tab
import { getHome } from "./home/get-home.js";
import { requestHomePublish } from "./home/request-home-publish.js";
import { addDealFromHome, type HomeDealInput } from "./home/add-deal.js";

/** How many failed deliveries /crm outbox lists a page. */
const FAILED_PAGE_SIZE = 20;
import { recordCustomerMessage, type CustomerMessageInput } from "./inbox/record-customer-message.js";
import { acceptCustomerMessage } from "./inbox/inbound-queue.js";
import { listInboxRoutes, removeInboxRoute, setInboxRoute, type InboxRouteTarget } from "./inbox/route-inbox.js";
import { announceLink, getInboxMessage, getInboxMessages, getInboxThread, noteFromThread, replyOnWechat } from "./inbox/relay-wechat.js";
import { linkContact } from "./inbox/link-contact.js";
import { eraseContact, type EraseContactInput } from "./inbox/erase-contact.js";
import { surveyCustomer } from "./surveys/send-survey.js";
import { answerSurveyButton } from "./surveys/answer-survey.js";
import { getSurveyStats } from "./surveys/get-survey-stats.js";
import { getSurvey } from "./surveys/get-survey.js";
import type { SurveyKind } from "../domain/surveys/survey-answer.js";
import type { SegmentName } from "../domain/customers/customer-segments.js";
import { getStageAlert, listSegment, segmentCounts } from "./analytics/list-segment.js";
import { subscribeDigest, unsubscribeDigest, type DigestSubscribeInput } from "./digest/manage-digest.js";
import { buildDigest } from "./digest/build-digest.js";
// Duplicates, merge and data quality
import { mergeCustomers, mergedAwayName, previewMerge } from "./customers/merge-customers.js";
import { dismissDuplicate, likelyDuplicatesOf, listDuplicates } from "./customers/find-duplicates.js";
import { getDataQuality } from "./analytics/data-quality.js";
import { addContact, contactForEdit, editContact, findContacts, getContact, listContacts, removeContact, restoreContact } from "./contacts/manage-contacts.js";
import { allowSharedChannel, disallowSharedChannel, listSharedChannels, requirePostingAllowed, type PostingPurpose } from "./channels/shared-channels.js";
import { requestExport, type ExportRequest } from "./exports/export-data.js";
import type { ContactInput } from "../domain/customers/contact-details.js";
// Imports
import { cancelImport, changePreview, getImportRun, previewUpload, startImport, type ImportWords } from "./imports/import-files.js";
// Audit trail
import { exportAuditTrail, listAuditTrail, type AuditQuery } from "./audit/audit-trail.js";
import { recordListed, recordRead } from "./audit/record-read.js";
import type { AuditedList } from "../domain/access/audit-actions.js";
// Privacy on request
import type { ErasureTarget } from "../store/index.js";
import { findPerson } from "./privacy/find-person.js";
import { erasePerson, previewErasure } from "./privacy/erase-person.js";
import { exportPerson } from "./privacy/export-person.js";
// Roles and teams
import type { RoleName } from "../domain/access/access-scope.js";
import { resolvePerson } from "./people/resolve-person.js";
import { listRoles, setRole } from "./people/set-role.js";
import { addTeamMembers, createTeam, deleteTeam, getTeam, listTeams, removeTeamMembers, setTeamLead } from "./people/manage-teams.js";
import { describeAccess } from "./people/describe-access.js";
// Deals (/deal): stages, moves, the order of a won deal
import { addDeal, deleteDeal, editDeal, getDeal, listDeals, loadPipeline, moveDeal, recordDealOrder, setPipelineStages, type DealTerms, type LostReason } from "./deals/manage-deals.js";
import type { Stage } from "../domain/deals/pipeline.js";

/**
 * The use-cases with their dependencies bound, as commands and adapters call them. `audience`
 * is who reads what they return: services for a channel (forChannel) never return private
 * contact details, so an answer shared into a channel is built with the channel's rights.
 */
export function createServices(deps: ServiceDeps, audience: Audience = "rep"): Services {
  return { ...bindServices(deps, audience), forChannel: () => createServices(deps, "channel") };
}

function bindServices(deps: ServiceDeps, audience: Audience) {
  return {
    settings: deps.settings,
    audience,
    now: () => deps.now(),
    registerRep: (profile: RepProfile) => registerRep(deps, profile),
    resolveCustomer: (query: string) => resolveCustomer(deps, query),
    resolveLeadingCustomer: (words: readonly string[]) => resolveLeadingCustomer(deps, words),
    getCustomer: (id: string): Promise<CustomerSummary | null> => deps.store.customers.getSummary(id),
    addCustomer: (rep: Rep, name: string) => addCustomer(deps, rep, name).finally(() => customerNamesChanged(deps)),
    /** Rename, stage, owner, fields and tags of a customer, audited, with the rights checked (customers/edit-customer.ts). */
    editCustomer: (rep: Rep, request: EditRequest) => editCustomer(deps, rep, request),
    /** A customer's editable fields as they are now (for the edit form); audited when the viewer may edit. */
    getEditableCustomer: (viewer: Rep, id: string) => editableCustomer(deps, viewer, id),
    /** The rep someone means by "@li.na", a Slack mention or a display name, among the reps of a platform. */
    findRep: (platform: string, typed: string) => findRep(deps, platform, typed),
    /** The reps the bot knows on a platform, by name. */
    listReps: (platform: string) => deps.store.users.onPlatform(platform),
    getCustomerCard: (viewer: Rep, customerId: string) => getCustomerCard(deps, viewer, customerId, audience),
    /** A page of one of the card's cut lists in full: contacts, open reminders or open deals. */
    getCardSection: (viewer: Rep, customerId: string, section: CardSection, page = 1) => getCardSection(deps, viewer, customerId, section, page, audience),
    recordInteraction: (rep: Rep, input: InteractionInput) => recordInteraction(deps, rep, input),
    recordOrder: (rep: Rep, input: OrderInput) => recordOrder(deps, rep, input),
    /** An order's base amount and whether it is unusual enough to confirm first. */
    reviewOrder: (input: { customerId: string; amount: Decimal; currency: string }) => reviewOrder(deps, input),
    /** The currency of the customer's latest order, else the base currency. */
    usualCurrency: (customerId: string) => usualCurrency(deps, customerId),
    // Corrections (activity/correct-entry.ts): rights, aggregates and audit in one transaction each.
    /** An order or interaction as a correction form opens on it, once the viewer may change it. */
    openEntry: (viewer: Rep, kind: EntryKind, id: string) => openEntry(deps, viewer, kind, id),
    /** The same checks as openEntry before a submitted correction is written (not a read of its own: not audited). */
    checkEntry: (viewer: Rep, kind: EntryKind, id: string) => openEntry(deps, viewer, kind, id, "check"),
    reviewCorrection: (input: { orderId: string; amount: Decimal; currency: string }) => reviewCorrection(deps, input),
    correctOrder: (rep: Rep, input: OrderCorrection) => correctOrder(deps, rep, input),
    correctInteraction: (rep: Rep, input: { interactionId: string; stamp: string; channel: Channel; body: string }) => correctInteraction(deps, rep, input),
    deleteEntry: (rep: Rep, kind: EntryKind, id: string) => deleteEntry(deps, rep, kind, id),
    restoreEntry: (rep: Rep, kind: EntryKind, id: string) => restoreEntry(deps, rep, kind, id),
    /** `/order undo`, `/log undo`: the rep's own latest entry of the last 24 hours, deleted; null when there is none. */
    undoLastEntry: (rep: Rep, kind: EntryKind) => undoLastEntry(deps, rep, kind),
    listHistory: (viewer: Rep, customerId: string, after?: TimelineCursor) => listHistory(deps, viewer, customerId, after, audience),
    listTopCustomers: (viewer: Rep, request: TopRequest = {}) => listTopCustomers(deps, viewer, request, audience),
    /** A report in the reader's zone: this period so far against the same span of the last one, or the last complete one. */
    getReport: (kind: ReportKind, which: ReportWhich, where: { timeZone: string; now?: Date }) => getReport(deps, kind, which, where),
    /** /pipeline: a rep's, another rep's (when they may) or the team's pipeline over a period (deals/pipeline-figures.ts). */
    getPipelineFigures: (viewer: Rep, request: { who: PipelineWho; period: { from: Date; to: Date; previous: { from: Date; to: Date } }; now: Date }) => getPipelineFigures(deps, viewer, request, audience),
    /** The analytics job: rolls up complete hours and days (each rollup in its own transaction). */
    rollUpAnalytics: () => rollUpAnalytics(deps),
    scheduleReminder: (rep: Rep, input: { text: string; dueAt: Date; customerId: string | null }) => scheduleReminder(deps, rep, input),
    updateReminder: (rep: Rep, id: string, change: { close: "DONE" | "CANCELLED" } | { dueAt: Date }) => updateReminder(deps, rep, id, change),
    listOpenReminders: (rep: Rep, page = 1) => listOpenReminders(deps, rep, page),
    /** The rep's Home: due reminders, customers at risk, open deals by stage, WeChat conversations waiting (home/get-home.ts). */
    getHome: (rep: Rep, at: { now: Date; timezone: string }) => getHome(deps, rep, at),
    /** Queues a publish of the rep's Home through the outbox, one waiting at a time (home/request-home-publish.ts). */
    requestHomePublish: (rep: Rep) => requestHomePublish(deps, rep),
    /** The Home's "Add a deal" form: a deal the rep owns, in an open stage (home/add-deal.ts). */
    addDealFromHome: (rep: Rep, input: HomeDealInput) => addDealFromHome(deps, rep, input),
    getReminder: (id: string) => deps.store.reminders.get(id),
    getRep: (id: string) => deps.store.users.findById(id),
    recordCustomerMessage: (input: CustomerMessageInput) => recordCustomerMessage(deps, input),
    acceptCustomerMessage: (input: CustomerMessageInput) => acceptCustomerMessage(deps, input),
    linkContact: (rep: Rep, input: { contactId: string; customerId: string }) => linkContact(deps, rep, input),
    eraseContact: (input: EraseContactInput) => eraseContact(deps, input),
    /** A page (from 1) of the outgoing messages that failed for good, FAILED_PAGE_SIZE a page. */
    listFailedDeliveries: async (viewer: Rep, page = 1) => {
      const failed = await deps.store.outbox.listFailed(FAILED_PAGE_SIZE, (page - 1) * FAILED_PAGE_SIZE);
      // Destinations are people's ids (a WeChat openid): the page read is audited.
      if (failed.messages.length > 0) await recordRead(deps.store, viewer, "outbox.list", { entityId: null, detail: { page, outboxIds: failed.messages.map((m) => m.id) } });
      return { ...failed, page, pageSize: FAILED_PAGE_SIZE };
    },
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
    /** A conversation's message as the inbox channel reads it (no private details: a channel's rights). */
    getInboxMessage: (threadId: string, interactionId: string) => getInboxMessage(deps, threadId, interactionId),
    getInboxMessages: (threadId: string, interactionIds: readonly string[]) => getInboxMessages(deps, threadId, interactionIds),
    // Routing conversations to several inbox channels (/crm inbox route)
    setInboxRoute: (admin: Rep, input: { target: InboxRouteTarget; channel: string }) => setInboxRoute(deps, admin, input),
    removeInboxRoute: (admin: Rep, input: { target: InboxRouteTarget }) => removeInboxRoute(deps, admin, input),
    listInboxRoutes: () => listInboxRoutes(deps),
    findInboxThread: (channel: string, threadTs: string) => deps.store.inboxThreads.findBySlackThread(channel, threadTs),
    /** The customer's WeChat contact (a lead made from a WeChat sender has exactly one). */
    wechatContactOf: async (customerId: string) => (await deps.store.customers.getDetail(customerId))?.contacts.find((c) => c.wechatOpenId)?.id,
    getInteraction: (id: string) => deps.store.interactions.get(id),
    replyOnWechat: (rep: Rep, input: { threadId: string; text: string; source?: { platform: string; id: string } }) => replyOnWechat(deps, rep, input),
    noteFromThread: (rep: Rep, input: { threadId: string; text: string; permalink?: string; source: { platform: string; id: string } }) => noteFromThread(deps, rep, input),
    announceLink: (input: { contactId: string; customerId: string; repId: string }) => announceLink(deps, input),
    surveyCustomer: (rep: Rep, input: { customerId: string | null; kind: SurveyKind; slackUser?: { id: string; name: string } }) => surveyCustomer(deps, rep, input),
    answerSurveyButton: (input: { surveyId: string; score: number; platform: string; userId: string }) => answerSurveyButton(deps, input),
    /** For a channel (forChannel) the contacts' details in the comment are hidden (surveys/get-survey.ts). */
    getSurvey: (id: string) => getSurvey(deps, id, audience),
    getSurveyStats: (period: { from: Date; to: Date }) => getSurveyStats(deps, period),
    /** A segment as the last nightly scan left it: count, biggest spenders and why. */
    listSegment: (viewer: Rep, segment: SegmentName, page = 1, tags: readonly string[] = []) => listSegment(deps, viewer, segment, page, tags, audience),
    segmentCounts: (tags: readonly string[] = []) => segmentCounts(deps, tags),
    /** What one stage scan moved for one owner (their alert). */
    getStageAlert: (ownerId: string, scanAt: Date) => getStageAlert(deps, ownerId, scanAt),
    /** The conversation thread of a contact in its inbox channel (routed or default), for "open the conversation". */
    inboxThreadOf: async (contactId: string) => {
      const latest = deps.settings.wechatInboxChannel ? await deps.store.inboxThreads.latestAnywhere(contactId) : null;
      const thread = latest ? await deps.store.inboxThreads.get(latest.id) : null;
      return thread?.threadTs ? { channel: thread.channel, ts: thread.threadTs } : null;
    },
    subscribeDigest: (rep: Rep, input: DigestSubscribeInput) => subscribeDigest(deps, rep, input),
    unsubscribeDigest: (rep: Rep, platform: string, channel: string) => unsubscribeDigest(deps, rep, platform, channel),
    digestFor: (platform: string, channel: string) => deps.store.digests.forChannel(platform, channel),
    getDigestSubscription: (id: string) => deps.store.digests.get(id),
    /** The digest; with a `viewer` (someone asked for it), the customers it names are audited as read. */
    buildDigest: (runAt: Date, timeZone: string, viewer?: Rep) => buildDigest(deps, runAt, timeZone, viewer ? { viewer, audience } : undefined),
    /** Customers named anywhere in a text ("send Acme the quote"), exact names and aliases only. */
    findNamedCustomer: (words: readonly string[]) => findNamedCustomer(deps, words),
    /** The customer a whole text is exactly the name of (a bare "Acme" typed to the bot). */
    findCustomerByName: (text: string) => findCustomerByName(deps, text),
    /**
     * Customers named anywhere in a free text, in English or Chinese ("call Acme tomorrow",
     * "明天给华为打电话"): in-memory dictionary match, with positions; see find-named-customers.ts.
     */
    customersNamedIn: (text: string) => findNamedCustomers(deps, text),
    // Duplicates, merge and data quality.
    /** Merges one customer into another in one transaction (customers/merge-customers.ts); both must be the rep's to change. */
    mergeCustomers: (rep: Rep, input: { fromId: string; intoId: string }) => mergeCustomers(deps, rep, input),
    /** Both customers of a merge as they are now, for the confirmation; "merged into" for one that is gone. */
    previewMerge: (viewer: Rep, input: { fromId: string; intoId: string }) => previewMerge(deps, viewer, input, audience),
    /** Why a customer id finds nothing: "X no longer exists (merged into Y)", or plain "gone". */
    whyCustomerGone: (id: string) => deps.store.customerMerge.goneCustomerError(id),
    /** The name of a customer merged into this one that a typed name stands for, if it does. */
    mergedAwayName: (customerId: string, typed: string) => mergedAwayName(deps, customerId, typed),
    /** A page of likely duplicate pairs with reasons, found again when the data changed since the last scan. */
    listDuplicates: (viewer: Rep, page = 1) => listDuplicates(deps, viewer, page, audience),
    /** "Not a duplicate": the pair is not listed again. */
    dismissDuplicate: (rep: Rep, input: { x: string; y: string }) => dismissDuplicate(deps, rep, input),
    /** Customers a name about to be added would likely duplicate. */
    likelyDuplicatesOf: (viewer: Rep, name: string) => likelyDuplicatesOf(deps, viewer, name, audience),
    /** The data quality report: the team's for managers and admins, the rep's own customers' for reps. */
    getDataQuality: (viewer: Rep) => getDataQuality(deps, viewer, audience),
    // Contacts (/contact, the card's contact buttons).
    /** A page of a customer's contacts; private details as the reader may see them (never for a channel). */
    listContacts: (viewer: Rep, customerId: string, page = 1) => listContacts(deps, viewer, customerId, page, audience),
    getContact: (viewer: Rep, contactId: string) => getContact(deps, viewer, contactId, audience),
    findContacts: (customerId: string, typed: string) => findContacts(deps, customerId, typed),
    addContact: (rep: Rep, customerId: string, input: ContactInput) => addContact(deps, rep, customerId, input),
    contactForEdit: (rep: Rep, contactId: string) => contactForEdit(deps, rep, contactId),
    editContact: (rep: Rep, contactId: string, input: ContactInput, openedVersion?: string) => editContact(deps, rep, contactId, input, openedVersion),
    removeContact: (rep: Rep, contactId: string) => removeContact(deps, rep, contactId),
    restoreContact: (rep: Rep, contactId: string) => restoreContact(deps, rep, contactId),
    // Audit trail (audit/*): /crm audit for admins and managers; reading it is audited too.
    /** A page (from 1) of a customer's or a person's trail, newest first. */
    listAuditTrail: (viewer: Rep, query: AuditQuery, page = 1) => listAuditTrail(deps, viewer, query, page),
    /** The whole trail of a query (up to AUDIT_EXPORT_MAX rows), for a file. */
    exportAuditTrail: (viewer: Rep, query: AuditQuery) => exportAuditTrail(deps, viewer, query),
    /** Customers a command listed without reading them through a service that audits (the picker's candidates). */
    auditListed: (viewer: Rep, list: AuditedList, customerIds: readonly string[]) => recordListed(deps.store, viewer, list, customerIds, audience),
    // Privacy on request (privacy/): /crm erase and /crm export-person.
    /** The contact or customer a privacy request names, or the choices (privacy/find-person.ts). */
    findPerson: (typed: string, options: { customers: boolean }) => findPerson(deps, typed, options),
    /** What erasing a contact or customer would take, for the confirmation (admins). */
    previewErasure: (rep: Rep, target: ErasureTarget) => previewErasure(deps, rep, target),
    /** Erases a contact's or a customer's personal data in one audited transaction (admins). */
    erasePerson: (rep: Rep, input: { target: ErasureTarget; reason: string; label: (tail: string) => string }) => erasePerson(deps, rep, input),
    /** Everything held about one person, audited (admins and managers who may see their customer's details). */
    exportPerson: (viewer: Rep, contactId: string) => exportPerson(deps, viewer, contactId),
    // Slack Connect: CRM data goes into a channel shared with other organisations only when an admin allowed it.
    /** Throws the rep's answer when nothing may be posted into the conversation (channels/shared-channels.ts). */
    requirePostingAllowed: (platform: string, conversation: string, purpose: PostingPurpose) => requirePostingAllowed(deps, platform, conversation, purpose),
    allowSharedChannel: (rep: Rep, input: { platform: string; channel: string }) => allowSharedChannel(deps, rep, input),
    disallowSharedChannel: (rep: Rep, input: { platform: string; channel: string }) => disallowSharedChannel(deps, rep, input),
    listSharedChannels: (platform: string) => listSharedChannels(deps, platform),
    // Exports (/crm export): written now when small, else by a worker into the rep's DM.
    requestExport: (rep: Rep, request: ExportRequest) => requestExport(deps, rep, request),
    /** An export run as stored (the DM that says it is ready or failed). */
    getExportRun: (id: string) => deps.store.exportRuns.get(id),
    // Roles and teams (people/*): admins change them, everyone may ask who they are.
    /** The person a mention (registered from it if new) or a typed name means (people/resolve-person.ts). */
    resolvePerson: (asker: Rep, typed: string) => resolvePerson(deps, asker, typed),
    /** /crm role: audited, the last admin and ADMIN_SLACK_USER_IDS respected, the person told by DM. */
    setRole: (admin: Rep, target: Rep, role: RoleName) => setRole(deps, admin, target, role),
    listRoles: (admin: Rep) => listRoles(deps, admin),
    listTeams: (viewer: Rep) => listTeams(deps, viewer),
    getTeam: (viewer: Rep, name: string) => getTeam(deps, viewer, name),
    createTeam: (admin: Rep, input: { name: string; lead?: Rep }) => createTeam(deps, admin, input),
    setTeamLead: (admin: Rep, input: { team: string; lead: Rep }) => setTeamLead(deps, admin, input),
    addTeamMembers: (admin: Rep, input: { team: string; people: readonly Rep[] }) => addTeamMembers(deps, admin, input),
    removeTeamMembers: (admin: Rep, input: { team: string; people: readonly Rep[] }) => removeTeamMembers(deps, admin, input),
    deleteTeam: (admin: Rep, name: string) => deleteTeam(deps, admin, name),
    /** /crm whoami: role, team, the teams led, and whose private details the person sees. */
    describeAccess: (person: Rep) => describeAccess(deps, person),
    // Imports (imports/*): a file shared in chat is previewed, kept by id, and imported by a worker on Import.
    previewImport: (rep: Rep, upload: Parameters<typeof previewUpload>[2], options: Parameters<typeof previewUpload>[3]) => previewUpload(deps, rep, upload, options),
    /** The preview again as another kind of data or with other columns. */
    changeImport: (rep: Rep, runId: string, change: Parameters<typeof changePreview>[3], words: ImportWords) => changePreview(deps, rep, runId, change, words),
    startImport: (rep: Rep, runId: string, message: { channel: string; ts: string } | undefined, words: (locale: string) => ImportWords) => startImport(deps, rep, runId, message, words),
    cancelImport: (rep: Rep, runId: string) => cancelImport(deps, rep, runId),
    getImportRun: (runId: string) => getImportRun(deps, runId),
    // Deals (deals/manage-deals.ts): rights checked, every move with its deal_stage_changes row, audited.
    /** The pipeline's stages as an admin set them, else the defaults. */
    getPipeline: () => loadPipeline(deps),
    addDeal: (rep: Rep, customer: CustomerSummary, terms: DealTerms) => addDeal(deps, rep, customer, terms),
    /** A customer's or an owner's live deals, open first, DEAL_LIST_SIZE at most. */
    listDeals: (viewer: Rep, filter: { customerId: string } | { ownerId: string }) => listDeals(deps, viewer, filter),
    getDeal: (id: string) => getDeal(deps, id),
    moveDeal: (rep: Rep, input: { dealId: string; to: string; lost?: { reason: LostReason; note: string | null } }) => moveDeal(deps, rep, input),
    editDeal: (rep: Rep, dealId: string, terms: DealTerms) => editDeal(deps, rep, dealId, terms),
    deleteDeal: (rep: Rep, dealId: string) => deleteDeal(deps, rep, dealId),
    /** The order of a won deal, prefilled from it; recorded once however often it is asked. */
    recordDealOrder: (rep: Rep, dealId: string) => recordDealOrder(deps, rep, dealId),
    setPipelineStages: (admin: Rep, stages: readonly Stage[]) => setPipelineStages(deps, admin, stages),
  };
}

export type Services = ReturnType<typeof bindServices> & {
  /** The same use-cases for an answer everyone in a channel reads (the least-privileged reader). */
  forChannel(): Services;
};
export type { ServiceDeps } from "./deps.js";
export type { ChannelAllowance, PostingPurpose } from "./channels/shared-channels.js";
export type { SharedChannelAllowanceRow } from "../store/index.js";
export type { AmountTotal, CustomerSummary, Rep, ReminderView, TimelineCursor, TimelineEntry } from "../store/index.js";
export type { OrderReview, RecordedOrder } from "./activity/record-order.js";
export type { CorrectionResult, DeletionResult, EditableEntry, EntrySnapshot, InteractionSnapshot, OrderTermsSnapshot } from "./activity/correct-entry.js";
export type { EntryKind } from "../store/index.js";
export type { NamedCustomer } from "./customers/find-named-customers.js";
export type { Deliverer, ExportDelivery, JobScheduler, OutgoingMessage, RateLimiter } from "./ports.js";
export { fireReminder } from "./reminders/fire-reminder.js";
export { deliverOutbox } from "./delivery/deliver-outbox.js";
export { deliverTerminalMessages } from "./delivery/deliver-terminal-messages.js";
export { reconcileJobs } from "./reconcile-jobs.js";
export { processInbound, sweepInbound } from "./inbox/inbound-queue.js";
export { maintainAuditLog } from "./audit/maintain-audit-log.js";
export { dropFinishedHomePublishes } from "./home/request-home-publish.js";
export { AUDIT_EXPORT_MAX, AUDIT_PAGE_SIZE, type AuditQuery, type AuditTarget, type AuditTrailPage } from "./audit/audit-trail.js";
export type { AuditRow } from "../store/index.js";
export { runSurveyCheck, runSurveyTimer } from "./surveys/run-survey-timers.js";
export { planNudges } from "./reminders/plan-nudges.js";
export { DEAL_LIST_SIZE, LOST_REASONS, type DealTerms, type LostReason, type MoveResult } from "./deals/manage-deals.js";
export type { ListedDeal } from "../store/deals/deals.js";
export { scanCustomerStages, type StageScanResult } from "./customers/scan-customer-stages.js";
export { scoreSegmentsIfNeeded, type FirstScoring } from "./analytics/score-segments.js";
export type { SegmentCounts, SegmentCustomer, SegmentListing, StageAlert } from "./analytics/list-segment.js";
export { sendDigest } from "./digest/manage-digest.js";
export type { DigestContent } from "./digest/build-digest.js";
export type { CustomerMessageInput } from "./inbox/record-customer-message.js";
export type { SurveyStats } from "./surveys/get-survey-stats.js";
export type { PeriodFigures, Report, TrendPoint } from "./analytics/get-report.js";
export { MOVERS_DAYS, PIPELINE_LISTED, type ClosedLine, type PipelineAnswer, type PipelineMove, type PipelineMovement, type PipelineOwners, type PipelineWho, type StageLine } from "./deals/pipeline-figures.js";
export type { TopCustomer, TopRequest } from "./analytics/list-top-customers.js";
export { rollUpAnalytics } from "./analytics/roll-up-analytics.js";
export { applyAdminList } from "./register-rep.js";
export type { SurveyView } from "../store/index.js";
export type { CustomerCard } from "./customers/get-customer-card.js";
export { CONTACT_PAGE_SIZE, type ContactListing, type ContactView } from "./contacts/manage-contacts.js";
export { CARD_SECTIONS, type CardSection, type CardSectionPage } from "./customers/get-card-section.js";
export type { Audience } from "./audience.js";
export type { CustomerResolution } from "./customers/resolve-customer.js";
export { FieldError, fieldValue, fingerprints, type CustomerChange, type EditableField, type EditRequest, type EditResult } from "./customers/edit-customer.js";
export type { RepLookup } from "./customers/find-rep.js";
export type { RoleChange } from "./people/set-role.js";
export type { MemberOutcome } from "./people/manage-teams.js";
export type { InboxRouteChange, InboxRouteTarget } from "./inbox/route-inbox.js";
export type { AccessDescription } from "./people/describe-access.js";
export type { TeamPerson, TeamView } from "../store/index.js";
export type { EditableCustomer } from "../store/index.js";
export { HISTORY_PAGE_SIZE } from "./activity/list-history.js";
export { exportFilename, exportToTempFile, runExportJob, writeExport, type ExportAnswer, type ExportDeps, type ExportedFile, type ExportReader, type ExportRequest } from "./exports/export-data.js";
export type { HeaderLocale } from "./exports/export-file.js";
export { DUPLICATES_PAGE_SIZE, type DuplicateListing, type DuplicatePairView, type ShownReason } from "./customers/find-duplicates.js";
export type { MergePreview } from "./customers/merge-customers.js";
export type { QualityChange, QualityReport } from "./analytics/data-quality.js";
export type { LikelyDuplicate, MergedCustomers, PairSide, QualityOffender } from "../store/index.js";
export { CUSTOMER_SERVICE_WINDOW, MAX_REPLY_CHARS, type InboxThreadDetail, type WindowState } from "./inbox/relay-wechat.js";
export { REASON_LENGTH, type ErasureOutcome } from "./privacy/erase-person.js";
export type { PersonSearch } from "./privacy/find-person.js";
export type { ErasurePreview, ErasureTarget, PersonMatch, PersonRecord } from "../store/index.js";
export { importFile, mayImport, runQueuedImport, type FileImportResult, type ImportJobHooks, type ImportPreview, type ImportWords } from "./imports/import-files.js";
export type { ImportOutcome, ProblemSummary } from "./imports/run-import.js";
export type { ImportRunRow } from "../store/index.js";
export { HOME_LIST_SIZE, type HomeView } from "./home/get-home.js";
export { MAX_DEAL_AMOUNT, type HomeDealInput } from "./home/add-deal.js";
