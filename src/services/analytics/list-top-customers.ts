import { isEarlyEstimate, valueAsOf } from "../../domain/customers/clv.js";
import type { RankMetric } from "../../domain/language/question-intent.js";
import type { RankedCustomer, Rep } from "../../store/index.js";
import type { Audience } from "../audience.js";
import { recordListed } from "../audit/record-read.js";
import type { ServiceDeps } from "../deps.js";

export const DEFAULT_TOP = 10;

export interface TopRequest {
  count?: number;
  /** CLV when left out. */
  metric?: RankMetric;
  /** Lifetime when left out. */
  period?: { from: Date; to: Date };
  /** Only customers with all of these tags (normalised, domain/customers/customer-fields.ts). */
  tags?: readonly string[];
  /**
   * Fetch this many more than `count`, to tell whether the ranking goes on: they come last in the
   * answer and are not shown, so they are not audited as read.
   */
  lookAhead?: number;
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
export async function listTopCustomers(deps: ServiceDeps, viewer: Rep, request: TopRequest = {}, audience: Audience = "rep"): Promise<TopCustomer[]> {
  const { settings } = deps;
  const asOf = valueAsOf(deps.now(), settings.timeZone);
  const count = request.count ?? DEFAULT_TOP;
  const ranked = await deps.store.rankings.top({
    metric: request.metric ?? "clv",
    limit: count + (request.lookAhead ?? 0),
    value: { asOf, lifespanMonths: settings.clvLifespanMonths, minObservationMonths: settings.clvMinObservationMonths },
    ...(request.period ? { period: { from: request.period.from, to: request.period.to } } : {}),
    ...(request.tags?.length ? { tags: request.tags } : {}),
  });
  await recordListed(deps.store, viewer, "top", ranked.slice(0, count).map((c) => c.id), audience, { metric: request.metric ?? "clv" });
  return ranked.map((c) => ({ ...c, earlyEstimate: isEarlyEstimate(c.firstOrderAt, asOf, settings.clvMinObservationMonths) }));
}
