/**
 * The period measures of reports, /top and the digest, defined once: what each one counts, how
 * a ratio is formed, how a change against the previous period is expressed, and the thresholds.
 * Postgres computes the counts and sums (src/store/analytics/analytics.ts); this module only combines them,
 * so the same figures give the same answer everywhere. CLV is in clv.ts, CSAT and NPS in
 * satisfaction.ts, periods in report-period.ts.
 *
 * A period is [from, to): an order placed exactly at `from` counts, one at `to` does not.
 * - revenue: the sum of orders.base_amount (base currency) of orders placed in the period.
 * - orders: how many orders were placed in it.
 * - average order value: revenue ÷ orders; none without orders.
 * - buyers: distinct customers with an order in the period.
 * - purchase frequency: orders ÷ buyers (orders per buying customer); none without buyers.
 * - repeat-purchase rate: of the period's buyers, the share that had ordered before the period
 *   or ordered at least twice in it.
 * - new leads: customers created in the period.
 * - new customers: customers whose first order falls in the period.
 * - open leads: customers created before the period's end whose first order is not before its
 *   start (none yet, or inside the period): the leads that could convert in it.
 * - converted leads: customers whose first order falls in the period and came on or after their
 *   created_at (a lead that became a paying customer in it, whenever it was created; a customer
 *   entered after their first purchase was never a lead).
 * - conversion rate: converted leads ÷ open leads. A lead created Oct 30 who buys Nov 2 counts
 *   in November.
 * - interactions by channel: interactions that happened in the period, per channel; WeChat also
 *   split into customers' messages (inbound) and the team's (outbound).
 * - WeChat first response: a customer's inbound WeChat message starts a wait when it is their
 *   first, or the first after the team's last outbound WeChat message to them; the wait ends at
 *   the team's next outbound WeChat message. Waits belong to the period they started in. The
 *   median is over answered waits; "within the hour" is the share of all the period's waits
 *   answered within FIRST_RESPONSE_TARGET_MS; unanswered counts waits nobody has answered yet.
 */

/** How a measure's value reads, and how its change is expressed. */
export type MeasureKind =
  /** An amount of money: changes as an amount and a percentage. */
  | "money"
  /** A count: changes as a number and a percentage. */
  | "count"
  /** A quotient that is not a share (orders per buyer): changes as a number and a percentage. */
  | "ratio"
  /** A share from 0 to 1: changes in percentage points, never as a percentage of a percentage. */
  | "rate"
  /** A score on its own scale (NPS, −100 to 100): changes in points. */
  | "score"
  /** A length of time in milliseconds: changes as a length and a percentage. */
  | "duration";

export const MEASURES = {
  revenue: "money",
  orders: "count",
  averageOrderValue: "money",
  buyers: "count",
  purchaseFrequency: "ratio",
  repeatRate: "rate",
  newLeads: "count",
  newCustomers: "count",
  conversionRate: "rate",
  interactions: "count",
  firstResponseMedian: "duration",
  answeredWithinTarget: "rate",
  unanswered: "count",
  csatPercent: "rate",
  csatAverage: "ratio",
  nps: "score",
  responseRate: "rate",
  dealsWon: "count",
  wonValue: "money",
  dealsLost: "count",
  winRate: "rate",
} as const satisfies Record<string, MeasureKind>;

export type MeasureName = keyof typeof MEASURES;

/** The first answer to a WeChat wait should come within this. */
export const FIRST_RESPONSE_TARGET_MS = 3_600_000;

/** A division that has nothing to divide by is no figure at all (not 0). */
export function quotient(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

export const averageOrderValue = (revenue: number, orders: number): number | null => quotient(revenue, orders);
export const purchaseFrequency = (orders: number, buyers: number): number | null => quotient(orders, buyers);
export const repeatRate = (repeatBuyers: number, buyers: number): number | null => quotient(repeatBuyers, buyers);
export const conversionRate = (converted: number, openLeads: number): number | null => quotient(converted, openLeads);

// ---------------------------------------------------------------------------------------------
// Changes

export type Change =
  /** Nothing to compare: the measure has no value in this period (no orders, no answers). */
  | { kind: "none" }
  /** Both are the same (0 and 0 included). */
  | { kind: "same" }
  /** There was nothing before (0 or no value): an increase from nothing has no percentage. */
  | { kind: "new"; delta: number }
  /** `relative` is a fraction of the previous value: 0.123 is +12.3%. */
  | { kind: "relative"; delta: number; relative: number }
  /** For rates in percentage points (0.05 → 0.08 is +3 points), for scores in their own points. */
  | { kind: "points"; delta: number };

/** Below this a relative change reads as no change at all when rounded to one decimal. */
const SAME_RELATIVE = 0.0005;

/** The change of a measure against the previous period, expressed as its kind demands. */
export function change(kind: MeasureKind, current: number | null, previous: number | null): Change {
  if (current === null) return { kind: "none" };
  if (kind === "rate" || kind === "score") {
    if (previous === null) return { kind: "none" };
    const delta = kind === "rate" ? (current - previous) * 100 : current - previous;
    return Math.abs(delta) < 0.05 ? { kind: "same" } : { kind: "points", delta };
  }
  if (previous === null || previous === 0) return current === 0 ? { kind: "same" } : { kind: "new", delta: current };
  const delta = current - previous;
  const relative = delta / Math.abs(previous);
  return Math.abs(relative) < SAME_RELATIVE ? { kind: "same" } : { kind: "relative", delta, relative };
}

/** "+12.3%", "−4.0%" (a real minus sign), one decimal. */
export function percentText(relative: number): string {
  const value = Math.abs(relative * 100).toFixed(1);
  return `${relative < 0 ? "−" : "+"}${value}%`;
}

/** "+3.2", "−0.5": percentage points or score points, one decimal. */
export function pointsText(delta: number): string {
  return `${delta < 0 ? "−" : "+"}${Math.abs(delta).toFixed(1)}`;
}

// ---------------------------------------------------------------------------------------------
// First-response times

/**
 * Response times are counted in bins so that long periods add up per-day histograms instead of
 * sorting every wait: a minute wide under an hour (where the target is), five minutes under six
 * hours, half an hour under two days, then a day. A median is the start of its bin.
 */
export const RESPONSE_BINS: readonly { below: number; widthSeconds: number }[] = [
  { below: 3_600, widthSeconds: 60 },
  { below: 21_600, widthSeconds: 300 },
  { below: 172_800, widthSeconds: 1_800 },
  { below: Number.POSITIVE_INFINITY, widthSeconds: 86_400 },
];

function uncappedBin(seconds: number): number {
  let first = 0;
  let start = 0;
  for (const { below, widthSeconds } of RESPONSE_BINS) {
    if (seconds < below) return first + Math.floor(Math.max(0, seconds - start) / widthSeconds);
    first += (below - start) / widthSeconds;
    start = below;
  }
  return first;
}

/** Waits answered after a year or more share the last bin. */
export const LAST_RESPONSE_BIN = uncappedBin(365 * 86_400);

/** The bin of a response time in seconds (0 for anything under a minute). */
export function responseBin(seconds: number): number {
  return Math.min(uncappedBin(seconds), LAST_RESPONSE_BIN);
}

/** Where a bin starts, in seconds. */
export function responseBinStart(bin: number): number {
  let first = 0;
  let start = 0;
  for (const { below, widthSeconds } of RESPONSE_BINS) {
    const bins = (below - start) / widthSeconds;
    if (bin < first + bins) return start + (bin - first) * widthSeconds;
    first += bins;
    start = below;
  }
  return start;
}

/**
 * The median response time in milliseconds from a histogram of bins: the start of the bin that
 * holds the middle answer (the lower middle one for an even count); null without answers.
 */
export function medianResponseMs(histogram: ReadonlyMap<number, number>): number | null {
  const total = [...histogram.values()].reduce((sum, n) => sum + n, 0);
  if (total === 0) return null;
  const middle = Math.ceil(total / 2);
  let seen = 0;
  for (const bin of [...histogram.keys()].sort((a, b) => a - b)) {
    seen += histogram.get(bin) ?? 0;
    if (seen >= middle) return responseBinStart(bin) * 1000;
  }
  return null;
}

export interface FirstResponseCounts {
  /** Waits that started in the period. */
  waits: number;
  answered: number;
  answeredWithinTarget: number;
  /** Answers by response bin. */
  histogram: ReadonlyMap<number, number>;
}

export interface FirstResponse {
  waits: number;
  medianMs: number | null;
  /** Share of the period's waits answered within FIRST_RESPONSE_TARGET_MS. */
  withinTarget: number | null;
  unanswered: number;
}

export function firstResponse(counts: FirstResponseCounts): FirstResponse {
  return {
    waits: counts.waits,
    medianMs: medianResponseMs(counts.histogram),
    withinTarget: quotient(counts.answeredWithinTarget, counts.waits),
    unanswered: counts.waits - counts.answered,
  };
}
