import { SEGMENT_NAMES, classifyCustomer, stageMove, type SegmentName } from "../../domain/customers/customer-segments.js";
import type { NotificationPayload } from "../../domain/notification-payload.js";
import type { ScoreWrite, StageMoveWrite } from "../../store/customers/segments.js";
import type { ServiceDeps } from "../deps.js";
import { deliveriesNow, scheduleAfterCommit } from "../delivery/schedule-after-commit.js";
import { factsOf, scoreOf } from "../analytics/score-segments.js";

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

/**
 * The nightly scan: scores every customer (RFM, segment and why) and moves stages by the churn
 * rules (src/domain/customers/customer-segments.ts), then alerts each owner once with what moved.
 *
 * Postgres gathers the facts in one set-based statement; classification runs here in batches,
 * each written back in one transaction with its stage moves and their change rows. Every change
 * of a scan carries the scan's time, and the alert is read from those rows when it is delivered.
 * BullMQ may run a scan twice (at-least-once): the job passes its planned time as `now`, moves
 * only happen from the stage the facts saw, and the alert's dedupe key is owner + scan time, so a
 * re-run moves nobody twice and alerts nobody twice, and one cut short finishes the alert.
 * Every fact is as of `now`, however late the job runs. `timeZone` is the team's zone (its dates
 * are the purchase days the buying rhythm is measured in); UTC when not given.
 *
 * Between scans a customer's own writes re-score them at once, and start-up scores an install
 * that was never scored (score-segments.ts); only this scan moves stages and alerts, and it
 * decides from the facts it reads itself, never from stored segments.
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
      const score = scoreOf(row, facts, classification);
      if (score) scores.push(score);
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
