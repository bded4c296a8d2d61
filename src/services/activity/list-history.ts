import type { Rep, TimelineCursor, TimelineEntry } from "../../store/index.js";
import { maySeePrivate, withoutDetails, type Audience } from "../audience.js";
import { recordRead } from "../audit/record-read.js";
import type { ServiceDeps } from "../deps.js";

export const HISTORY_PAGE_SIZE = 10;

/**
 * One page of a customer's timeline, newest first; each page read is audit-logged. For a reader
 * who may not see the customer's private details (maySeePrivate: a channel, or a rep outside
 * the owner's scope), the contacts' details are hidden wherever a note or message mentions them.
 */
export async function listHistory(deps: ServiceDeps, viewer: Rep, customerId: string, after?: TimelineCursor, audience: Audience = "rep"): Promise<{ entries: TimelineEntry[]; next?: TimelineCursor; total: number }> {
  const page = await deps.store.timeline.page(customerId, HISTORY_PAGE_SIZE, after);
  await recordRead(deps.store, viewer, "customer.history", { entityId: customerId, audience, detail: { entries: page.entries.length, ...(after ? { after: after.at.toISOString() } : {}) } });
  if (!page.entries.some((e) => e.kind === "interaction")) return page;
  if (audience === "rep" && maySeePrivate(viewer, (await deps.store.customers.getSummary(customerId))?.ownerId ?? null, audience)) return page;
  const contacts = await deps.store.customers.contactDetails(customerId);
  const entries = page.entries.map((e) => (e.kind === "interaction" ? { ...e, body: withoutDetails(e.body, contacts) } : e));
  return { ...page, entries };
}
