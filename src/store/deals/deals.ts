import type { Db } from "../prisma.js";

/**
 * Deals and their moves through the pipeline (src/domain/deals/pipeline.ts decides what a stage
 * is; this module only keeps them). A deal and its first stage change are written in one
 * statement, a move and its row of deal_stage_changes in another, so the history never misses a
 * move; the status column follows the stage (a check constraint holds the two together).
 */

export interface DealWrite {
  customerId: string;
  ownerId: string | null;
  createdById: string | null;
  title: string;
  amount: string | null;
  currency: string | null;
  baseAmount: string | null;
  rateToBase: string | null;
  stage: string;
  expectedCloseAt: Date | null;
  at: Date;
}

export interface DealMove {
  dealId: string;
  to: string;
  /** Whether `to` closes the deal, and how. */
  outcome: "won" | "lost" | null;
  byId: string | null;
  at: Date;
  lost?: { reason: string; note: string | null };
}

export interface StoredDeal {
  id: string;
  customerId: string;
  ownerId: string | null;
  title: string;
  amount: string | null;
  currency: string | null;
  baseAmount: string | null;
  stage: string;
  expectedCloseAt: Date | null;
  closedAt: Date | null;
  lostReason: string | null;
  lastActivityAt: Date | null;
  createdAt: Date;
}

type Row = {
  id: string; customer_id: string; owner_id: string | null; title: string; amount: string | null; currency: string | null; base_amount: string | null; stage: string;
  expected_close_at: Date | null; closed_at: Date | null; lost_reason: string | null; last_activity_at: Date | null; created_at: Date;
};

/** The columns a StoredDeal is read from, of the table or alias `t`. */
const columns = (t = "deals"): string =>
  `${t}.id, ${t}.customer_id, ${t}.owner_id, ${t}.title, ${t}.amount::text AS amount, ${t}.currency::text AS currency, ${t}.base_amount::text AS base_amount, ` +
  `${t}.stage, ${t}.expected_close_at, ${t}.closed_at, ${t}.lost_reason, ${t}.last_activity_at, ${t}.created_at`;

const toDeal = (r: Row): StoredDeal => ({
  id: r.id, customerId: r.customer_id, ownerId: r.owner_id, title: r.title, amount: r.amount, currency: r.currency?.trim() ?? null, baseAmount: r.base_amount, stage: r.stage,
  expectedCloseAt: r.expected_close_at, closedAt: r.closed_at, lostReason: r.lost_reason, lastActivityAt: r.last_activity_at, createdAt: r.created_at,
});

const statusOf = (outcome: "won" | "lost" | null): string => (outcome === "won" ? "WON" : outcome === "lost" ? "LOST" : "OPEN");

export function createDealStore(db: Db) {
  return {
    /** A new deal in `stage`, with that stage as the first row of its history. */
    async add(deal: DealWrite): Promise<StoredDeal> {
      const rows = await db.$queryRawUnsafe<Row[]>(
        `WITH made AS (
           INSERT INTO deals (id, customer_id, owner_id, created_by_id, title, amount, currency, base_amount, rate_to_base, stage, status, expected_close_at, last_activity_at, created_at, updated_at)
           VALUES (gen_random_uuid(), $1::uuid, $2::uuid, $3::uuid, $4, $5::numeric, $6, $7::numeric, $8::numeric, $9, 'OPEN', $10::timestamptz, $11::timestamptz, $11::timestamptz, $11::timestamptz)
           RETURNING ${columns()}
         ), history AS (
           INSERT INTO deal_stage_changes (deal_id, from_stage, to_stage, changed_by_id, at) SELECT id, NULL, stage, $3::uuid, $11::timestamptz FROM made
         )
         SELECT * FROM made`,
        deal.customerId, deal.ownerId, deal.createdById, deal.title, deal.amount, deal.currency, deal.baseAmount, deal.rateToBase, deal.stage, deal.expectedCloseAt, deal.at,
      );
      return toDeal(rows[0]!);
    },

    /**
     * Moves a live deal to another stage and records the move; null when the deal is gone or is
     * in that stage already (a second press of the same button changes nothing). The row is
     * locked, so two moves at once are recorded one after the other, each from where the other left it.
     */
    async move(move: DealMove): Promise<{ from: string; deal: StoredDeal } | null> {
      const rows = await db.$queryRawUnsafe<(Row & { from_stage: string })[]>(
        `WITH before AS (
           SELECT id, stage FROM deals WHERE id = $1::uuid AND deleted_at IS NULL AND stage <> $2 FOR UPDATE
         ), moved AS (
           UPDATE deals d SET stage = $2, status = $3::"DealStatus",
                  closed_at = CASE WHEN $3 = 'OPEN' THEN NULL ELSE $5::timestamptz END,
                  lost_reason = CASE WHEN $3 = 'LOST' THEN $6 END, lost_note = CASE WHEN $3 = 'LOST' THEN $7 END,
                  last_activity_at = $5::timestamptz, updated_at = $5::timestamptz
           FROM before b WHERE d.id = b.id
           RETURNING ${columns("d")}, b.stage AS from_stage
         ), history AS (
           INSERT INTO deal_stage_changes (deal_id, from_stage, to_stage, changed_by_id, at) SELECT id, from_stage, stage, $4::uuid, $5::timestamptz FROM moved
         )
         SELECT * FROM moved`,
        move.dealId, move.to, statusOf(move.outcome), move.byId, move.at, move.lost?.reason ?? null, move.lost?.note ?? null,
      );
      const row = rows[0];
      return row ? { from: row.from_stage, deal: toDeal(row) } : null;
    },

    async get(id: string): Promise<StoredDeal | null> {
      const rows = await db.$queryRawUnsafe<Row[]>(`SELECT ${columns()} FROM deals WHERE id = $1::uuid AND deleted_at IS NULL`, id);
      return rows[0] ? toDeal(rows[0]) : null;
    },

    /** A deal's moves, oldest first. */
    async history(id: string): Promise<{ from: string | null; to: string; byId: string | null; at: Date }[]> {
      const rows = await db.$queryRaw<{ from_stage: string | null; to_stage: string; changed_by_id: string | null; at: Date }[]>`
        SELECT from_stage, to_stage, changed_by_id, at FROM deal_stage_changes WHERE deal_id = ${id}::uuid ORDER BY at, id`;
      return rows.map((r) => ({ from: r.from_stage, to: r.to_stage, byId: r.changed_by_id, at: r.at }));
    },
  };
}

export type DealStore = ReturnType<typeof createDealStore>;
