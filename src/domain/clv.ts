/** An average Gregorian month (365.2425 / 12 days) in milliseconds. */
export const MS_PER_MONTH = 2_629_746_000;

export const DEFAULT_LIFESPAN_MONTHS = 36;

export interface PurchaseSummary {
  /** In the base currency. */
  totalSpent: number;
  orderCount: number;
  firstOrderAt: Date | null;
}

export interface ValueMeasures {
  averageOrderValue: number;
  /** Purchases per month since the first purchase. */
  purchaseFrequency: number;
  clv: number;
}

/** Months from the first purchase to now, never less than one. */
export function monthsSince(first: Date, now: Date): number {
  return Math.max(1, (now.getTime() - first.getTime()) / MS_PER_MONTH);
}

/**
 * Customer lifetime value = average purchase value × purchase frequency × expected lifespan,
 * as DESIGN.md defines it. 100 per purchase × 2 a month × 36 months = 7,200.
 */
export function customerValue(summary: PurchaseSummary, now: Date, lifespanMonths = DEFAULT_LIFESPAN_MONTHS): ValueMeasures {
  if (summary.orderCount <= 0 || !summary.firstOrderAt) {
    return { averageOrderValue: 0, purchaseFrequency: 0, clv: 0 };
  }
  const averageOrderValue = summary.totalSpent / summary.orderCount;
  const purchaseFrequency = summary.orderCount / monthsSince(summary.firstOrderAt, now);
  return { averageOrderValue, purchaseFrequency, clv: averageOrderValue * purchaseFrequency * lifespanMonths };
}
