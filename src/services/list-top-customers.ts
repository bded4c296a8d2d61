import type { RankMetric } from "../domain/question-intent.js";
import type { RankedCustomer } from "../store/index.js";
import type { ServiceDeps } from "./deps.js";

export const DEFAULT_TOP = 10;

export interface TopRequest {
  count?: number;
  /** CLV when left out. */
  metric?: RankMetric;
  /** Lifetime when left out. */
  period?: { from: Date; to: Date };
}

/**
 * The best customers: by lifetime value (DESIGN's CLV), revenue or orders, over their lifetime
 * or in a period. With a period, revenue and orders rank what was bought in it, and CLV ranks
 * the customers who bought in it by their lifetime value.
 */
export async function listTopCustomers(deps: ServiceDeps, request: TopRequest = {}): Promise<RankedCustomer[]> {
  return deps.store.rankings.top({
    metric: request.metric ?? "clv",
    limit: request.count ?? DEFAULT_TOP,
    now: deps.now(),
    lifespanMonths: deps.settings.clvLifespanMonths,
    ...(request.period ? { period: { from: request.period.from, to: request.period.to } } : {}),
  });
}
