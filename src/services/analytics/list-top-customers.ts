import { isEarlyEstimate, valueAsOf } from "../../domain/clv.js";
import type { RankMetric } from "../../domain/question-intent.js";
import type { RankedCustomer } from "../../store/index.js";
import type { ServiceDeps } from "../deps.js";

export const DEFAULT_TOP = 10;

export interface TopRequest {
  count?: number;
  /** CLV when left out. */
  metric?: RankMetric;
  /** Lifetime when left out. */
  period?: { from: Date; to: Date };
  /** Only customers with all of these tags (normalised, domain/customer-fields.ts). */
  tags?: readonly string[];
}

export interface TopCustomer extends RankedCustomer {
  /** Less purchase history than the observation window: the CLV is an early estimate. */
  earlyEstimate: boolean;
}

/**
 * The best customers: by lifetime value (DESIGN's CLV), revenue or orders, over their lifetime
 * or in a period. With a period, revenue and orders rank what was bought in it, and CLV ranks
 * the customers who bought in it by their lifetime value. CLV is measured to the start of the
 * team's day, as on the card, so the ranking does not drift between two calls that day.
 */
export async function listTopCustomers(deps: ServiceDeps, request: TopRequest = {}): Promise<TopCustomer[]> {
  const { settings } = deps;
  const asOf = valueAsOf(deps.now(), settings.timeZone);
  const ranked = await deps.store.rankings.top({
    metric: request.metric ?? "clv",
    limit: request.count ?? DEFAULT_TOP,
    value: { asOf, lifespanMonths: settings.clvLifespanMonths, minObservationMonths: settings.clvMinObservationMonths },
    ...(request.period ? { period: { from: request.period.from, to: request.period.to } } : {}),
    ...(request.tags?.length ? { tags: request.tags } : {}),
  });
  return ranked.map((c) => ({ ...c, earlyEstimate: isEarlyEstimate(c.firstOrderAt, asOf, settings.clvMinObservationMonths) }));
}
