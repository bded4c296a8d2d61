import type { Store } from "../store/index.js";

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
  now(): Date;
}
