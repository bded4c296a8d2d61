import { calendarPeriod } from "../time/report-period.js";

/** An average Gregorian month (365.2425 / 12 days) in milliseconds. */
export const MS_PER_MONTH = 2_629_746_000;

export const DEFAULT_LIFESPAN_MONTHS = 36;

/**
 * Purchase frequency is never measured over less than this many months: one order three weeks
 * ago is one order in three months, not one a month (which would make it worth 36 orders).
 */
export const DEFAULT_MIN_OBSERVATION_MONTHS = 3;

export interface PurchaseSummary {
  /** In the base currency. */
  totalSpent: number;
  orderCount: number;
  firstOrderAt: Date | null;
}

export interface ValueMeasures {
  averageOrderValue: number;
  /** Purchases per month since the first purchase, over at least the observation window. */
  purchaseFrequency: number;
  clv: number;
  /**
   * The purchase history is shorter than the observation window, so the frequency (and the
   * CLV) is an early estimate; false for a customer without orders (there is no estimate).
   */
  earlyEstimate: boolean;
}

export interface ValueSettings {
  lifespanMonths?: number;
  minObservationMonths?: number;
}

/**
 * The instant CLV is measured to: the start of the current day in the team's zone. Every call
 * on one day gives the same figure, so a card read twice a minute apart does not drift, and the
 * rankings (which compute it in SQL from the same instant) agree with the card.
 */
export function valueAsOf(now: Date, timeZone: string): Date {
  return calendarPeriod("day", now, timeZone).from;
}

/** Months from the first purchase to `asOf`, unclamped (negative for a purchase after it). */
export function monthsSince(first: Date, asOf: Date): number {
  return (asOf.getTime() - first.getTime()) / MS_PER_MONTH;
}

/** The months purchase frequency is measured over: the history, but never less than the window. */
export function observationMonths(first: Date, asOf: Date, minObservationMonths = DEFAULT_MIN_OBSERVATION_MONTHS): number {
  return Math.max(minObservationMonths, monthsSince(first, asOf));
}

/** Whether a history starting at `first` is too short to measure a rhythm by (see ValueMeasures). */
export function isEarlyEstimate(first: Date, asOf: Date, minObservationMonths = DEFAULT_MIN_OBSERVATION_MONTHS): boolean {
  return monthsSince(first, asOf) < minObservationMonths;
}

/**
 * Customer lifetime value = average purchase value × purchase frequency × expected lifespan,
 * as DESIGN.md defines it: 100 per purchase × 2 a month × 36 months = 7,200. Frequency is the
 * orders over max(months since the first purchase, the observation window), measured to
 * `asOf` (valueAsOf: the start of the team's day). store/analytics/rankings.ts computes the same in SQL.
 */
export function customerValue(summary: PurchaseSummary, asOf: Date, settings: ValueSettings = {}): ValueMeasures {
  const lifespanMonths = settings.lifespanMonths ?? DEFAULT_LIFESPAN_MONTHS;
  const minMonths = settings.minObservationMonths ?? DEFAULT_MIN_OBSERVATION_MONTHS;
  if (summary.orderCount <= 0 || !summary.firstOrderAt) {
    return { averageOrderValue: 0, purchaseFrequency: 0, clv: 0, earlyEstimate: false };
  }
  const averageOrderValue = summary.totalSpent / summary.orderCount;
  const purchaseFrequency = summary.orderCount / observationMonths(summary.firstOrderAt, asOf, minMonths);
  return {
    averageOrderValue,
    purchaseFrequency,
    clv: averageOrderValue * purchaseFrequency * lifespanMonths,
    earlyEstimate: isEarlyEstimate(summary.firstOrderAt, asOf, minMonths),
  };
}
