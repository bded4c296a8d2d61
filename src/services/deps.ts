import type { Store } from "../store/index.js";
import type { ConversationDirectory, JobScheduler } from "./ports.js";

/** What every use-case may rely on; built once in main.ts. */
export interface ServiceDeps {
  store: Store;
  settings: {
    baseCurrency: string;
    /** Rates from each accepted currency to the base currency, as decimal strings. */
    ratesToBase: ReadonlyMap<string, string>;
    clvLifespanMonths: number;
    /** CLV's purchase frequency is measured over at least this many months (CLV_MIN_OBSERVATION_MONTHS). */
    clvMinObservationMonths: number;
    /** The team's zone (DEFAULT_TIMEZONE): CLV is measured to the start of its day, segments count its purchase days. */
    timeZone: string;
    adminUserIds: readonly string[];
    /** Slack channel mirroring WeChat conversations; no relay when unset. */
    wechatInboxChannel?: string;
    /** Erase a WeChat contact's personal data when they unfollow (WeChat's rule). */
    wechatEraseOnUnsubscribe: boolean;
    /** The team's language, for customers on Slack whose language we do not know. */
    defaultLocale: string;
    /** A WeChat conversation quiet this long after a rep answered gets the CSAT survey. */
    surveyAfterIdleMs: number;
    /** At most one automatic survey per contact in this many days. */
    surveyCooldownDays: number;
    /** A WeChat template message for surveys is set up (WECHAT_SURVEY_TEMPLATE_ID). */
    wechatSurveyTemplate: boolean;
    /** ORDER_CONFIRM_ABOVE: orders above this (base currency, decimal string) are confirmed first; unset, defaultConfirmAbove. */
    orderConfirmAbove?: string;
    /** DEFAULT_PHONE_REGION: the region of phone numbers written without a country code; unset, CN. */
    defaultPhoneRegion?: string;
    /** IMPORT_MAX_BYTES: the largest file an import takes; unset, 20 MB. */
    importMaxBytes?: number;
    /** AUDIT_RETENTION_MONTHS: whole months of the audit log older than this are dropped (0: never); unset, 24. */
    auditRetentionMonths?: number;
    /** EXPORT_INLINE_MAX_ROWS: larger exports are written by a worker and sent to the rep's DM; unset, services/exports' default. */
    exportInlineMaxRows?: number;
  };
  /** Timers live in the job system; rows in Postgres stay the record (see DESIGN). */
  jobs: JobScheduler;
  /**
   * What the platforms say about who is in a conversation (Slack Connect). Unset where no
   * platform with shared channels runs (the terminal demo): every conversation counts as internal.
   */
  conversations?: ConversationDirectory;
  now(): Date;
}
