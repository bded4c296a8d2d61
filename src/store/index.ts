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
import type { Db, PrismaClient } from "./prisma.js";
import { createRankingStore } from "./rankings.js";
import { createSegmentStore } from "./segments.js";
import { createReminderStore } from "./reminders.js";
import { createTimelineStore } from "./timeline.js";
import { createSurveyStore } from "./surveys.js";
import { createUserStore } from "./users.js";

function repositories(db: Db) {
  return {
    users: createUserStore(db),
    customers: createCustomerStore(db),
    customerNames: createCustomerNameStore(db),
    customerFields: createCustomerFieldStore(db),
    interactions: createInteractionStore(db),
    orders: createOrderStore(db),
    timeline: createTimelineStore(db),
    rankings: createRankingStore(db),
    analytics: createAnalyticsStore(db),
    segments: createSegmentStore(db),
    followUps: createFollowUpStore(db),
    audit: createAuditStore(db),
    reminders: createReminderStore(db),
    outbox: createOutboxStore(db),
    customerMessages: createCustomerMessageStore(db),
    inboxThreads: createInboxThreadStore(db),
    customerMerge: createCustomerMergeStore(db),
    contactErasure: createContactErasureStore(db),
    contacts: createContactStore(db),
    surveys: createSurveyStore(db),
    digests: createDigestStore(db),
    digestFacts: createDigestFactStore(db),
    duplicates: createDuplicateStore(db),
    dataQuality: createDataQualityStore(db),
    entryCorrections: createEntryCorrectionStore(db),
  };
}

export type Repositories = ReturnType<typeof repositories>;

export interface Store extends Repositories {
  /**
   * Runs `work` in one database transaction; the repositories it gets write inside it. `options`
   * lifts Prisma's limits (5 s to run, 2 s to get a connection) for the rare long one.
   */
  transaction<T>(work: (tx: Repositories) => Promise<T>, options?: { timeout?: number; maxWait?: number }): Promise<T>;
  /** Postgres answers (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function createStore(prisma: PrismaClient): Store {
  return {
    ...repositories(prisma),
    transaction: (work, options) => prisma.$transaction((tx) => work(repositories(tx)), options),
    ping: async () => {
      await prisma.$queryRaw`SELECT 1`;
    },
    close: () => prisma.$disconnect(),
  };
}

export { createPrisma } from "./prisma.js";
export { checkDatabase, explainDatabaseError, type DatabaseProblem } from "./database-check.js";
export type { CustomerSummary, CustomerSearch, MatchTier } from "./customers.js";
export type { DuplicatePairRow, LikelyDuplicate, PairSide, ScanState } from "./duplicates.js";
export type { CountedFigures, QualityOffender } from "./data-quality.js";
export type { MergedCustomers, MovedRows } from "./customer-merge.js";
export type { ContactRow } from "./contacts.js";
export type { CustomerNameStore } from "./customer-names.js";
export type { EditableCustomer } from "./customer-fields.js";
export type { Rep, RepProfile } from "./users.js";
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
export type { LowScore, RepReminders, StageTurn } from "./digest-facts.js";
export type { SurveyContact, SurveyRow, SurveyStatsRow, SurveyView, WindowFacts } from "./surveys.js";
