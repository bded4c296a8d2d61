import type { TimelineCursor, TimelineEntry } from "../store/index.js";
import type { ServiceDeps } from "./deps.js";

export const HISTORY_PAGE_SIZE = 10;

/** One page of a customer's timeline, newest first. */
export async function listHistory(deps: ServiceDeps, customerId: string, after?: TimelineCursor): Promise<{ entries: TimelineEntry[]; next?: TimelineCursor }> {
  return deps.store.timeline.page(customerId, HISTORY_PAGE_SIZE, after);
}
