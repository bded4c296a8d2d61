import type { Store } from "../store/index.js";
import type { JobScheduler } from "./ports.js";

/** What every use-case may rely on; built once in main.ts. */
export interface ServiceDeps {
  store: Store;
  settings: {
    baseCurrency: string;
    /** Rates from each accepted currency to the base currency, as decimal strings. */
    ratesToBase: ReadonlyMap<string, string>;
    clvLifespanMonths: number;
    adminUserIds: readonly string[];
    /** Slack channel mirroring WeChat conversations; no relay when unset. */
    wechatInboxChannel?: string;
    /** Erase a WeChat contact's personal data when they unfollow (WeChat's rule). */
    wechatEraseOnUnsubscribe: boolean;
  };
  /** Timers live in the job system; rows in Postgres stay the record (see DESIGN). */
  jobs: JobScheduler;
  now(): Date;
}
