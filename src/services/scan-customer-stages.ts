import {
  SEGMENT_CODES, SEGMENT_NAMES, classifyCustomer, quintile, stageMove, wholeDays, type CustomerFacts, type SegmentName,
} from "../domain/customer-segments.js";
import type { NotificationPayload } from "../domain/notification-payload.js";
import type { SegmentFactsRow } from "../store/index.js";
import type { ScoreWrite, StageMoveWrite } from "../store/segments.js";
import type { ServiceDeps } from "./deps.js";
import { deliveriesNow, scheduleAfterCommit } from "./schedule-after-commit.js";

/** Customers classified and written per transaction: small enough to keep each one short. */
export const SCAN_BATCH_SIZE = 5_000;

export interface StageScanResult {
  customers: number;
  segments: Record<SegmentName, number>;
  moved: number;
  /** Owners who got an alert written this run (none on a re-run of the same scan). */
  alerts: number;
  /** Owners with moved customers who are not on Slack, so get no DM. */
  ownersWithoutDm: number;
}

function factsOf(row: SegmentFactsRow, now: Date): CustomerFacts {
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
 * The nightly scan: scores every customer (RFM, segment and why) and moves stages by the churn
 * rules (src/domain/customer-segments.ts), then alerts each owner once with what moved.
 *
 * Postgres gathers the facts in one set-based statement; classification runs here in batches,
 * each written back in one transaction with its stage moves and their change rows. Every change
 * of a scan carries the scan's time, and the alert is read from those rows when it is delivered.
 * BullMQ may run a scan twice (at-least-once): the job passes its planned time as `now`, moves
 * only happen from the stage the facts saw, and the alert's dedupe key is owner + scan time, so a
 * re-run moves nobody twice and alerts nobody twice, and one cut short finishes the alert.
 * Every fact is as of `now`, however late the job runs. `timeZone` is the team's zone (its dates
 * are the purchase days the buying rhythm is measured in); UTC when not given.
 */
export async function scanCustomerStages(deps: ServiceDeps, options: { now: Date; batchSize?: number; timeZone?: string }): Promise<StageScanResult> {
  const { now } = options;
  const batchSize = options.batchSize ?? SCAN_BATCH_SIZE;
  const rows = await deps.store.segments.facts(now, options.timeZone);
  const segments = Object.fromEntries(SEGMENT_NAMES.map((name) => [name, 0])) as Record<SegmentName, number>;
  let moved = 0;
  for (let start = 0; start < rows.length; start += batchSize) {
    const scores: ScoreWrite[] = [];
    const moves: StageMoveWrite[] = [];
    for (const row of rows.slice(start, start + batchSize)) {
      const facts = factsOf(row, now);
      const classification = classifyCustomer(facts);
      if (classification) segments[classification.segment]++;
      if (row.hasStats || classification) {
        scores.push({ customerId: row.id, rfm: facts.rfm, segment: classification ? SEGMENT_CODES[classification.segment] : null, reason: classification?.reason ?? null });
      }
      const move = stageMove(row.stage, facts, classification);
      if (move) moves.push({ customerId: row.id, from: row.stage, to: move.to, reason: move.reason, lastOrderAt: row.lastOrderAt });
    }
    moved += await deps.store.transaction(async (tx) => {
      await tx.segments.writeScores(scores, now);
      return tx.segments.moveStages(moves, now);
    });
  }

  await deps.store.segments.analyze();

  const recipients = await deps.store.segments.alertRecipients(now);
  const onSlack = recipients.filter((r) => r.platform === "slack");
  const created = await deps.store.transaction(async (tx) => {
    const ids: string[] = [];
    for (const owner of onSlack) {
      const row = await tx.outbox.enqueue({
        platform: "slack",
        destination: owner.externalId,
        payload: { type: "stage.alert", ownerId: owner.ownerId, scanAt: now.toISOString() } satisfies NotificationPayload,
        dedupeKey: `stage-alert:${owner.ownerId}:${now.getTime()}`,
        at: now,
      });
      if (row.created) ids.push(row.id);
    }
    return ids;
  });
  await scheduleAfterCommit(deps, deliveriesNow(deps, created));
  return { customers: rows.length, segments, moved, alerts: created.length, ownersWithoutDm: recipients.length - onSlack.length };
}
