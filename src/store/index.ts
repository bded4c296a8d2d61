import { createAnalyticsStore } from "./analytics/analytics.js";
import { createAuditStore } from "./audit.js";
import { createContactErasureStore } from "./privacy/contact-erasure.js";
import { createContactStore } from "./contacts.js";
import { createCustomerMergeStore } from "./customers/customer-merge.js";
import { createCustomerMessageStore } from "./customers/customer-messages.js";
import { createCustomerStore } from "./customers/customers.js";
import { createCustomerCardStore } from "./customers/customer-card.js";
import { createCustomerNameStore } from "./customers/customer-names.js";
import { createCustomerFieldStore } from "./customers/customer-fields.js";
import { createDealStore } from "./deals/deals.js";
import { createPipelineFigureStore } from "./deals/pipeline-figures.js";
// The Home tab: a rep's day at a glance
import { createHomeStore } from "./home/home-facts.js";
import { createDigestStore } from "./delivery/digests.js";
import { createSharedChannelStore } from "./delivery/shared-channels.js";
import { createDigestFactStore } from "./analytics/digest-facts.js";
// Duplicates, merge and data quality
import { createDuplicateStore } from "./customers/duplicates.js";
import { createDataQualityStore } from "./customers/data-quality.js";
import { createEntryCorrectionStore } from "./activity/entry-corrections.js";
import { createFollowUpStore } from "./activity/follow-ups.js";
import { createInboxThreadStore } from "./delivery/inbox-threads.js";
import { createInboxRouteStore } from "./delivery/inbox-routes.js";
import { createInboundMessageStore } from "./delivery/inbound-messages.js";
import { createInteractionStore } from "./activity/interactions.js";
import { createOrderStore } from "./activity/orders.js";
import { createOutboxStore } from "./delivery/outbox.js";
import { closePrisma, type Db, type PrismaClient } from "./prisma.js";
import { createRankingStore } from "./analytics/rankings.js";
import { createSegmentStore } from "./customers/segments.js";
import { createReminderStore } from "./reminders.js";
import { createTimelineStore } from "./activity/timeline.js";
import { createSurveyStore } from "./surveys.js";
import { createUserStore } from "./people/users.js";
// Imports
import { createImportStore } from "./imports/imports.js";
// Privacy on request (erasure, a person's data export)
import { createPersonLookupStore } from "./privacy/person-lookup.js";
import { createPersonRecordStore } from "./privacy/person-records.js";
// Roles and teams
import { createTeamStore } from "./people/teams.js";

// Exports
import { createExportStore } from "./exports/exports.js";
import { createExportRunStore } from "./exports/export-runs.js";

// Encryption at rest of personal details
import { FieldCipher } from "./encryption/field-cipher.js";

/**
 * `now`: the application's clock, for what rows record as their time of writing (the audit log).
 * `cipher`: seals and opens personal details (phones, emails, openids, addresses) and hashes them for look-ups.
 */
function repositories(db: Db, now: (() => Date) | undefined, cipher: FieldCipher) {
  return {
    exports: createExportStore(db, cipher),
    exportRuns: createExportRunStore(db),
    deals: createDealStore(db),
    pipelineFigures: createPipelineFigureStore(db),
    home: createHomeStore(db),
    users: createUserStore(db, now),
    teams: createTeamStore(db),
    customers: createCustomerStore(db, cipher),
    customerCard: createCustomerCardStore(db, cipher, now),
    customerNames: createCustomerNameStore(db),
    customerFields: createCustomerFieldStore(db, cipher),
    interactions: createInteractionStore(db),
    orders: createOrderStore(db),
    timeline: createTimelineStore(db),
    rankings: createRankingStore(db),
    analytics: createAnalyticsStore(db),
    segments: createSegmentStore(db),
    followUps: createFollowUpStore(db),
    audit: createAuditStore(db, now),
    reminders: createReminderStore(db),
    outbox: createOutboxStore(db, cipher),
    customerMessages: createCustomerMessageStore(db, cipher),
    // Customer messages taken by the webhook, waiting for the worker to record them
    inboundMessages: createInboundMessageStore(db, cipher),
    inboxThreads: createInboxThreadStore(db, cipher),
    inboxRoutes: createInboxRouteStore(db),
    customerMerge: createCustomerMergeStore(db, now),
    contactErasure: createContactErasureStore(db, now, cipher),
    personLookup: createPersonLookupStore(db, cipher),
    personRecords: createPersonRecordStore(db, cipher),
    contacts: createContactStore(db, cipher),
    surveys: createSurveyStore(db, cipher),
    digests: createDigestStore(db),
    // Slack Connect: externally shared channels an admin allowed
    sharedChannels: createSharedChannelStore(db),
    digestFacts: createDigestFactStore(db),
    duplicates: createDuplicateStore(db, cipher),
    dataQuality: createDataQualityStore(db),
    entryCorrections: createEntryCorrectionStore(db),
    // Imports (CSV/XLSX): bulk matching and writes, runs and uploaded files
    imports: createImportStore(db, cipher),
  };
}

export type Repositories = ReturnType<typeof repositories>;

export interface Store extends Repositories {
  /**
   * Runs `work` in one database transaction; the repositories it gets write inside it. `options`
   * lifts Prisma's limits (5 s to run, 2 s to get a connection) for the rare long one.
   */
  transaction<T>(work: (tx: Repositories) => Promise<T>, options?: { timeout?: number; maxWait?: number }): Promise<T>;
  /** Seals, opens and hashes personal details (encryption at rest, src/store/encryption/field-cipher.ts). */
  cipher: FieldCipher;
  /** Postgres answers (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function createStore(prisma: PrismaClient, options: { now?: () => Date; cipher?: FieldCipher } = {}): Store {
  // Without a cipher (a tool that reads no personal data) any use of one says what is missing.
  const cipher = options.cipher ?? FieldCipher.unavailable("this process was started without DATA_ENCRYPTION_KEY: personal details cannot be read or written");
  return {
    ...repositories(prisma, options.now, cipher),
    cipher,
    transaction: (work, limits) => prisma.$transaction((tx) => work(repositories(tx, options.now, cipher)), limits),
    ping: async () => {
      await prisma.$queryRaw`SELECT 1`;
    },
    close: () => closePrisma(prisma),
  };
}

export { closePrisma, createPrisma } from "./prisma.js";
export { checkDatabase, explainDatabaseError, type DatabaseProblem } from "./database-check.js";
export type { CustomerSummary, CustomerSearch, MatchTier } from "./customers/customers.js";
export type { DuplicatePairRow, LikelyDuplicate, PairSide, ScanState } from "./customers/duplicates.js";
export type { CountedFigures, QualityOffender } from "./customers/data-quality.js";
export type { MergedCustomers, MovedRows } from "./customers/customer-merge.js";
export type { ContactRow } from "./contacts.js";
export type { ErasureCounts, ErasurePreview, ErasureResult, ErasureTarget } from "./privacy/contact-erasure.js";
export type { PersonKey, PersonMatch } from "./privacy/person-lookup.js";
export type { PersonRecord } from "./privacy/person-records.js";
export type { CustomerNameStore } from "./customers/customer-names.js";
export type { EditableCustomer } from "./customers/customer-fields.js";
export type { Rep, RepProfile } from "./people/users.js";
export type { ExportRange, ExportRow } from "./exports/exports.js";
export type { ExportRunRow } from "./exports/export-runs.js";
export type { AuditFilter, AuditMaintenance, AuditRecord, AuditRow, AuditSubject } from "./audit.js";
export type { TeamPerson, TeamView } from "./people/teams.js";
export type { TimelineEntry, TimelineCursor } from "./activity/timeline.js";
export type { EntryKind, InteractionEntry, LockedCustomer, OrderEntry } from "./activity/entry-corrections.js";
export { entryStamp } from "./activity/entry-corrections.js";
export type { RankedCustomer, RankMetric } from "./analytics/rankings.js";
export type { ChannelCounts, CustomerActivity, LeadCounts, OrderTotals, Range, WaitCounts } from "./analytics/analytics.js";
export { emptyChannelCounts } from "./analytics/analytics.js";
export { ROLLUP_KINDS, rollUpStatements, type RollupKind } from "./analytics/rollups.js";
export { rebuildPurchaseMonthsSql } from "./analytics/purchase-months.js";
export { REBUILD_WECHAT_WAITS_SQL } from "./delivery/wechat-waits.js";
export type { SegmentFactsRow, SegmentMember, StageAlertEntry } from "./customers/segments.js";
export type { InteractionView } from "./activity/interactions.js";
export type { ReminderView } from "./reminders.js";
export type { AtRiskCustomer, OpenDealFact, StageRow, WaitingConversation } from "./home/home-facts.js";
export { INTERRUPTED, UNCERTAIN, asksFirst, bookedSlot } from "./delivery/outbox.js";
export type { InboxRouteKind, InboxRouteRow } from "./delivery/inbox-routes.js";
export type { ClaimHolder, OutboxRow } from "./delivery/outbox.js";
export type { InboxThreadView } from "./delivery/inbox-threads.js";
export type { DigestSubscriptionRow } from "./delivery/digests.js";
export type { SharedChannelAllowanceRow } from "./delivery/shared-channels.js";
export type { LowScore, RepReminders, StageTurn } from "./analytics/digest-facts.js";
export type { SurveyContact, SurveyRow, SurveyStatsRow, SurveyView, WindowFacts } from "./surveys.js";
// Encryption at rest
export { DataKeyError, FieldCipher, dataKey, type LookupKind, type SealedField } from "./encryption/field-cipher.js";
export { sealContactSecrets, sealedContactRow, openContactSecrets, type ContactSecrets } from "./encryption/contact-secrets.js";
export { wechatEventId, wechatEventIdPrefixes } from "./customers/customer-messages.js";
export type { AliasHit, ContactChange, ContactWrite, CustomerChange, CustomerWrite, ImportRunRow, ImportStore, InteractionWrite, OrderWrite, RunCounts, StoredContact, StoredCustomer, StoredInteraction, StoredOrder } from "./imports/imports.js";
export { IMPORT_CHUNK_BYTES } from "./imports/imports.js";
export { GENERATED_KEY_FILE, activeKeyIds, cipherFromSettings, keyFileWarning, openDataKeys, type KeySettings, type OpenedKeys } from "./encryption/data-keys.js";
export { SEALED_TABLES, resealAll, retireUnusedKeys, sealPlaintext, valuesByKey, type ResealCounts, type ResealProgress } from "./encryption/key-rotation.js";
export type { PrismaClient } from "./prisma.js";
export type { AmountTotal, ClosedTotals, DealScope, PipelineDeal, PipelineMover, StageTotal } from "./deals/pipeline-figures.js";
