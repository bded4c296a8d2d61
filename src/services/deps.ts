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
  };
  /** Timers live in the job system; rows in Postgres stay the record (see DESIGN). */
  jobs: JobScheduler;
  now(): Date;
}
