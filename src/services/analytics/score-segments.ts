import { SEGMENT_CODES, classifyCustomer, quintile, wholeDays, type Classification, type CustomerFacts } from "../../domain/customers/customer-segments.js";
import type { Repositories, SegmentFactsRow } from "../../store/index.js";
import type { ScoreWrite } from "../../store/customers/segments.js";
import type { ServiceDeps } from "../deps.js";

/** A first scoring of a large install reads and writes every customer in one transaction. */
const FIRST_SCORING_TIMEOUT_MS = 5 * 60_000;

/** One customer's facts as the rules read them (src/domain/customers/customer-segments.ts), as of `now`. */
export function factsOf(row: SegmentFactsRow, now: Date): CustomerFacts {
  const ranked = row.recencyRank !== null && row.frequencyRank !== null && row.monetaryRank !== null;
  return {
    orderCount: row.orderCount,
    daysSinceLastOrder: row.lastOrderAt ? wholeDays(row.lastOrderAt, now) : null,
    daysSinceFirstOrder: row.firstOrderAt ? wholeDays(row.firstOrderAt, now) : null,
    medianGapDays: row.medianGapDays,
    ordersLast90: row.ordersLast90,
    ordersPrevious90: row.ordersPrevious90,
    complaints30: row.complaints30,
    lowScores30: row.lowScores30,
    interactions90: row.interactions90,
    rfm: ranked
      ? { r: quintile(row.recencyRank!, row.payingCustomers), f: quintile(row.frequencyRank!, row.payingCustomers), m: quintile(row.monetaryRank!, row.payingCustomers) }
      : null,
    boughtSinceAtRisk: row.lastOrderAt !== null && row.atRiskSince !== null && row.lastOrderAt > row.atRiskSince,
  };
}

/**
 * What is written for a customer: their RFM, segment and why. Null for a customer with no stats
 * row and no segment (a lead nobody talked to), who gets no row.
 */
export function scoreOf(row: SegmentFactsRow, facts: CustomerFacts, classification: Classification | null): ScoreWrite | null {
  if (!row.hasStats && !classification) return null;
  return { customerId: row.id, rfm: facts.rfm, segment: classification ? SEGMENT_CODES[classification.segment] : null, reason: classification?.reason ?? null };
}

function scoresOf(rows: readonly SegmentFactsRow[], now: Date): ScoreWrite[] {
  return rows.flatMap((row) => {
    const facts = factsOf(row, now);
    return scoreOf(row, facts, classifyCustomer(facts)) ?? [];
  });
}

/**
 * Re-scores customers whose facts a write just changed (an order, a complaint, a survey answer,
 * a logged interaction), inside that write's transaction, so /segment and "who is at risk"
 * answer from current facts. Only segments and RFM: stages move, and owners are alerted, in the
 * nightly scan alone (scan-customer-stages.ts), which reads its own facts and so alerts once.
 */
export async function refreshSegments(tx: Repositories, deps: Pick<ServiceDeps, "settings" | "now">, customerIds: readonly string[]): Promise<void> {
  const now = deps.now();
  const rows = await tx.segments.facts(now, deps.settings.timeZone, customerIds);
  await tx.segments.writeScores(scoresOf(rows, now), now);
}

/**
 * The same for every customer in one pass (a large import changed most of them): the facts of
 * a list of ids are read per customer, which at tens of thousands costs minutes; all at once,
 * as the first scoring does, seconds.
 */
export async function refreshAllSegments(tx: Repositories, deps: Pick<ServiceDeps, "settings" | "now">): Promise<void> {
  const now = deps.now();
  const rows = await tx.segments.facts(now, deps.settings.timeZone);
  await tx.segments.writeScores(scoresOf(rows, now), now);
}

export interface FirstScoring {
  at: Date;
  customers: number;
}

/**
 * Scores every customer when some wait for a first score (segments.needsScoring): at start-up,
 * and when /segment is asked before that has happened, so a team that just started does not
 * wait for the night. Segments only, like refreshSegments. Two processes doing it at once score
 * once: the second waits for the first's lock and then finds nothing to do. Returns null when
 * nothing was needed.
 */
export async function scoreSegmentsIfNeeded(deps: ServiceDeps): Promise<FirstScoring | null> {
  if (!(await deps.store.segments.needsScoring())) return null;
  return deps.store.transaction(
    async (tx) => {
      await tx.segments.lockScoring();
      if (!(await tx.segments.needsScoring())) return null;
      const now = deps.now();
      const rows = await tx.segments.facts(now, deps.settings.timeZone);
      await tx.segments.writeScores(scoresOf(rows, now), now);
      return { at: now, customers: rows.length };
    },
    { timeout: FIRST_SCORING_TIMEOUT_MS, maxWait: 10_000 },
  );
}
