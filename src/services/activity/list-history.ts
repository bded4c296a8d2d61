import type { TimelineCursor, TimelineEntry } from "../../store/index.js";
import { withoutDetails, type Audience } from "../audience.js";
import type { ServiceDeps } from "../deps.js";

export const HISTORY_PAGE_SIZE = 10;

/**
 * One page of a customer's timeline, newest first. For a channel, the contacts' private details
 * are hidden wherever a note or message mentions them.
 */
export async function listHistory(deps: ServiceDeps, customerId: string, after?: TimelineCursor, audience: Audience = "rep"): Promise<{ entries: TimelineEntry[]; next?: TimelineCursor; total: number }> {
  const page = await deps.store.timeline.page(customerId, HISTORY_PAGE_SIZE, after);
  if (audience === "rep") return page;
  const contacts = await deps.store.customers.contactDetails(customerId);
  const entries = page.entries.map((e) => (e.kind === "interaction" ? { ...e, body: withoutDetails(e.body, contacts) } : e));
  return { ...page, entries };
}
