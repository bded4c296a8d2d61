import { createAnalyticsStore } from "./analytics.js";
import { createAuditStore } from "./audit.js";
import { createContactErasureStore } from "./contact-erasure.js";
import { createContactStore } from "./contacts.js";
import { createCustomerMergeStore } from "./customer-merge.js";
import { createCustomerMessageStore } from "./customer-messages.js";
import { createCustomerStore } from "./customers.js";
import { createCustomerNameStore } from "./customer-names.js";
import { createCustomerFieldStore } from "./customer-fields.js";
import { createDigestStore } from "./digests.js";
import { createSharedChannelStore } from "./shared-channels.js";
import { createDigestFactStore } from "./digest-facts.js";
// Duplicates, merge and data quality
import { createDuplicateStore } from "./duplicates.js";
import { createDataQualityStore } from "./data-quality.js";
import { createEntryCorrectionStore } from "./entry-corrections.js";
import { createFollowUpStore } from "./follow-ups.js";
import { createInboxThreadStore } from "./inbox-threads.js";
import { createInteractionStore } from "./interactions.js";
import { createOrderStore } from "./orders.js";
import { createOutboxStore } from "./outbox.js";
import { closePrisma, type Db, type PrismaClient } from "./prisma.js";
import { createRankingStore } from "./rankings.js";
import { createSegmentStore } from "./segments.js";
import { createReminderStore } from "./reminders.js";
import { createTimelineStore } from "./timeline.js";
import { createSurveyStore } from "./surveys.js";
import { createUserStore } from "./users.js";
// Imports
import { createImportStore } from "./imports.js";
// Privacy on request (erasure, a person's data export)
import { createPersonLookupStore } from "./person-lookup.js";
import { createPersonRecordStore } from "./person-records.js";
// Roles and teams
import { createTeamStore } from "./teams.js";

// Exports
import { createExportStore } from "./exports.js";
import { createExportRunStore } from "./export-runs.js";

// Encryption at rest of personal details
import { FieldCipher } from "./field-cipher.js";

/**
 * `now`: the application's clock, for what rows record as their time of writing (the audit log).
 * `cipher`: seals and opens personal details (phones, emails, openids, addresses) and hashes them for look-ups.
 */
function repositories(db: Db, now: (() => Date) | undefined, cipher: FieldCipher) {
  return {
    exports: createExportStore(db, cipher),
    exportRuns: createExportRunStore(db),
    users: createUserStore(db, now),
    teams: createTeamStore(db),
    customers: createCustomerStore(db, cipher),
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
    inboxThreads: createInboxThreadStore(db, cipher),
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
  /** Seals, opens and hashes personal details (encryption at rest, src/store/field-cipher.ts). */
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
export type { CustomerSummary, CustomerSearch, MatchTier } from "./customers.js";
export type { DuplicatePairRow, LikelyDuplicate, PairSide, ScanState } from "./duplicates.js";
export type { CountedFigures, QualityOffender } from "./data-quality.js";
export type { MergedCustomers, MovedRows } from "./customer-merge.js";
export type { ContactRow } from "./contacts.js";
export type { ErasureCounts, ErasurePreview, ErasureResult, ErasureTarget } from "./contact-erasure.js";
export type { PersonKey, PersonMatch } from "./person-lookup.js";
export type { PersonRecord } from "./person-records.js";
export type { CustomerNameStore } from "./customer-names.js";
export type { EditableCustomer } from "./customer-fields.js";
export type { Rep, RepProfile } from "./users.js";
export type { ExportRange, ExportRow } from "./exports.js";
export type { ExportRunRow } from "./export-runs.js";
export type { AuditFilter, AuditMaintenance, AuditRecord, AuditRow, AuditSubject } from "./audit.js";
export type { TeamPerson, TeamView } from "./teams.js";
export type { TimelineEntry, TimelineCursor } from "./timeline.js";
export type { EntryKind, InteractionEntry, LockedCustomer, OrderEntry } from "./entry-corrections.js";
export { entryStamp } from "./entry-corrections.js";
export type { RankedCustomer, RankMetric } from "./rankings.js";
export type { ChannelCounts, CustomerActivity, LeadCounts, OrderTotals, Range, WaitCounts } from "./analytics.js";
export { emptyChannelCounts } from "./analytics.js";
export { ROLLUP_KINDS, rollUpStatements, type RollupKind } from "./rollups.js";
export { rebuildPurchaseMonthsSql } from "./purchase-months.js";
export { REBUILD_WECHAT_WAITS_SQL } from "./wechat-waits.js";
export type { SegmentFactsRow, SegmentMember, StageAlertEntry } from "./segments.js";
export type { InteractionView } from "./interactions.js";
export type { ReminderView } from "./reminders.js";
export { INTERRUPTED, bookedSlot } from "./outbox.js";
export type { OutboxRow } from "./outbox.js";
export type { InboxThreadView } from "./inbox-threads.js";
export type { DigestSubscriptionRow } from "./digests.js";
export type { SharedChannelAllowanceRow } from "./shared-channels.js";
export type { LowScore, RepReminders, StageTurn } from "./digest-facts.js";
export type { SurveyContact, SurveyRow, SurveyStatsRow, SurveyView, WindowFacts } from "./surveys.js";
// Encryption at rest
export { DataKeyError, FieldCipher, dataKey, type LookupKind, type SealedField } from "./field-cipher.js";
export { sealContactSecrets, sealedContactRow, openContactSecrets, type ContactSecrets } from "./contact-secrets.js";
export { wechatEventId, wechatEventIdPrefixes } from "./customer-messages.js";
export type { AliasHit, ContactChange, ContactWrite, CustomerChange, CustomerWrite, ImportRunRow, ImportStore, InteractionWrite, OrderWrite, RunCounts, StoredContact, StoredCustomer, StoredInteraction, StoredOrder } from "./imports.js";
export { IMPORT_CHUNK_BYTES } from "./imports.js";
export { GENERATED_KEY_FILE, activeKeyIds, cipherFromSettings, keyFileWarning, openDataKeys, type KeySettings, type OpenedKeys } from "./data-keys.js";
export { SEALED_TABLES, resealAll, retireUnusedKeys, sealPlaintext, valuesByKey, type ResealCounts, type ResealProgress } from "./key-rotation.js";
export type { PrismaClient } from "./prisma.js";
