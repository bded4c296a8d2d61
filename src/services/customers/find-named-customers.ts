import type { NameVia } from "../../domain/language/name-forms.js";
import type { CustomerSummary } from "../../store/index.js";
import { customerNameIndexOf, type CustomerNameIndex } from "./customer-name-index.js";
import type { ServiceDeps } from "../deps.js";

export interface NamedCustomer {
  customer: CustomerSummary;
  /** UTF-16 offsets of the name in the text, end exclusive (a company suffix included). */
  start: number;
  end: number;
  /** The words as written ("Acme Ltd", "华为"). */
  matched: string;
  /** Which of the customer's names it was: the name, an alias, its pinyin, or a short form ("华为"). */
  via: NameVia;
}

/**
 * Customers named anywhere in a free text ("call Acme tomorrow", "明天给华为打电话"), in text
 * order, one entry per customer per place. Several entries with the same `start` mean the same
 * words name several customers equally well: the caller asks which. Matching is in memory
 * (customer-name-index.ts); one query fetches the summaries, and drops customers gone since.
 */
export async function findNamedCustomers(deps: ServiceDeps, text: string, index: CustomerNameIndex = customerNameIndexOf(deps.store.customerNames)): Promise<NamedCustomer[]> {
  const matches = await index.find(text);
  if (matches.length === 0) return [];
  const ids = [...new Set(matches.flatMap((m) => m.customers.map((c) => c.id)))];
  const summaries = new Map((await deps.store.customerNames.summaries(ids)).map((s) => [s.id, s]));
  return matches.flatMap((m) =>
    m.customers.flatMap((c) => {
      const customer = summaries.get(c.id);
      return customer ? [{ customer, start: m.start, end: m.end, matched: m.matched, via: c.via }] : [];
    }),
  );
}

/** After this process added, renamed or aliased a customer: its next lookup sees it at once. */
export function customerNamesChanged(deps: ServiceDeps): void {
  customerNameIndexOf(deps.store.customerNames).markStale();
}
