import type { ServiceDeps } from "../deps.js";
import type { ScheduleItem } from "../ports.js";

/**
 * Schedules the jobs for rows a committed transaction wrote (outbox rows, survey timers). A
 * failure to reach Redis is not the caller's: the rows are saved and the sweep schedules them.
 */
export async function scheduleAfterCommit(deps: ServiceDeps, items: readonly ScheduleItem[]): Promise<void> {
  if (items.length === 0) return;
  await deps.jobs.scheduleMany([...items]).catch(() => undefined);
}

/** Delivery now of outbox rows a committed transaction wrote. */
export function deliveriesNow(deps: ServiceDeps, outboxIds: readonly string[]): ScheduleItem[] {
  const at = deps.now();
  return outboxIds.map((id) => ({ kind: "delivery", id, at }));
}
