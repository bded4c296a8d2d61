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
  createdById: string | null;
}

/** A deal as a list shows it: with its customer's name and owner, and its owner's name. */
export interface ListedDeal extends StoredDeal {
  customerName: string;
  customerOwnerId: string | null;
  ownerName: string | null;
}

/** What an edit may change; the base amount follows the amount at the rate of its currency. */
export interface DealEdit {
  title: string;
  amount: string | null;
  currency: string | null;
  baseAmount: string | null;
  rateToBase: string | null;
  expectedCloseAt: Date | null;
}

export interface StoredStage {
  key: string;
  nameEn: string;
  nameZh: string;
  probability: number;
}

/** Whose deals a list holds: a customer's, or an owner's. */
export type DealFilter = { customerId: string } | { ownerId: string };

type Row = {
  id: string; customer_id: string; owner_id: string | null; title: string; amount: string | null; currency: string | null; base_amount: string | null; stage: string;
  expected_close_at: Date | null; closed_at: Date | null; lost_reason: string | null; last_activity_at: Date | null; created_at: Date; created_by_id: string | null;
};

type ListedRow = Row & { customer_name: string; customer_owner_id: string | null; owner_name: string | null };

/** The columns a StoredDeal is read from, of the table or alias `t`. */
const columns = (t = "deals"): string =>
  `${t}.id, ${t}.customer_id, ${t}.owner_id, ${t}.title, ${t}.amount::text AS amount, ${t}.currency::text AS currency, ${t}.base_amount::text AS base_amount, ` +
  `${t}.stage, ${t}.expected_close_at, ${t}.closed_at, ${t}.lost_reason, ${t}.last_activity_at, ${t}.created_at, ${t}.created_by_id`;

const toDeal = (r: Row): StoredDeal => ({
  id: r.id, customerId: r.customer_id, ownerId: r.owner_id, title: r.title, amount: r.amount, currency: r.currency?.trim() ?? null, baseAmount: r.base_amount, stage: r.stage,
  expectedCloseAt: r.expected_close_at, closedAt: r.closed_at, lostReason: r.lost_reason, lastActivityAt: r.last_activity_at, createdAt: r.created_at, createdById: r.created_by_id,
});

const toListed = (r: ListedRow): ListedDeal => ({ ...toDeal(r), customerName: r.customer_name, customerOwnerId: r.customer_owner_id, ownerName: r.owner_name });

/** A deal with its customer and owner names, for `FROM deals d`. */
const LISTED = `SELECT ${columns("d")}, c.name AS customer_name, c.owner_id AS customer_owner_id, u.display_name AS owner_name
  FROM deals d JOIN customers c ON c.id = d.customer_id LEFT JOIN users u ON u.id = d.owner_id`;

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

    /** One live deal with its customer and owner names. */
    async view(id: string): Promise<ListedDeal | null> {
      const rows = await db.$queryRawUnsafe<ListedRow[]>(`${LISTED} WHERE d.id = $1::uuid AND d.deleted_at IS NULL`, id);
      return rows[0] ? toListed(rows[0]) : null;
    },

    /**
     * Live deals of a customer or an owner, open ones first (closing soonest first), then the
     * closed ones, latest first; `take` at most, and how many there are in all.
     */
    async list(filter: DealFilter, take: number): Promise<{ deals: ListedDeal[]; total: number }> {
      const [column, id] = "customerId" in filter ? ["customer_id", filter.customerId] : ["owner_id", filter.ownerId];
      const rows = await db.$queryRawUnsafe<(ListedRow & { total: number })[]>(
        `${LISTED.replace("SELECT ", "SELECT count(*) OVER ()::int AS total, ")} WHERE d.${column} = $1::uuid AND d.deleted_at IS NULL
         ORDER BY (d.status = 'OPEN') DESC, CASE WHEN d.status = 'OPEN' THEN d.expected_close_at END ASC NULLS LAST, d.closed_at DESC NULLS LAST, d.created_at DESC, d.id
         LIMIT $2`,
        id, take,
      );
      return { deals: rows.map(toListed), total: rows[0]?.total ?? 0 };
    },

    /** Changes a live deal's terms; counts as activity on it. Null when the deal is gone. */
    async edit(id: string, change: DealEdit, at: Date): Promise<StoredDeal | null> {
      const rows = await db.$queryRawUnsafe<Row[]>(
        `UPDATE deals SET title = $2, amount = $3::numeric, currency = $4, base_amount = $5::numeric, rate_to_base = $6::numeric, expected_close_at = $7::timestamptz,
                last_activity_at = $8::timestamptz, updated_at = $8::timestamptz
         WHERE id = $1::uuid AND deleted_at IS NULL RETURNING ${columns()}`,
        id, change.title, change.amount, change.currency, change.baseAmount, change.rateToBase, change.expectedCloseAt, at,
      );
      return rows[0] ? toDeal(rows[0]) : null;
    },

    /** Soft-deletes a live deal; false when it was gone already (a second press). */
    async softDelete(id: string, at: Date): Promise<boolean> {
      const n = await db.$executeRaw`UPDATE deals SET deleted_at = ${at}, updated_at = ${at} WHERE id = ${id}::uuid AND deleted_at IS NULL`;
      return n > 0;
    },

    /** The open stages an admin set, in order; none: the defaults. */
    async stages(): Promise<StoredStage[]> {
      return db.pipelineStage.findMany({ orderBy: { position: "asc" }, select: { key: true, nameEn: true, nameZh: true, probability: true } });
    },

    /** Replaces the open stages (validated by the caller); runs inside a transaction of the caller's. */
    async replaceStages(stages: readonly StoredStage[], at: Date): Promise<void> {
      await db.pipelineStage.deleteMany({});
      await db.pipelineStage.createMany({ data: stages.map((s, position) => ({ position, key: s.key, nameEn: s.nameEn, nameZh: s.nameZh, probability: s.probability, updatedAt: at })) });
    },

    /** How many live open deals sit in each stage (a stage that holds some cannot be dropped). */
    async openStageCounts(): Promise<Map<string, number>> {
      const rows = await db.$queryRaw<{ stage: string; n: number }[]>`
        SELECT stage, count(*)::int AS n FROM deals WHERE deleted_at IS NULL AND status = 'OPEN' GROUP BY stage`;
      return new Map(rows.map((r) => [r.stage, r.n]));
    },

    /**
     * The bot's nudges about deals, as reminders to their owners (dedupe keys make a second run
     * a no-op): an open deal quiet for `staleDays` once per quiet spell (named by its last
     * activity), and one past its expected close date once per close date.
     */
    async planNudges(now: Date, staleDays: number): Promise<{ id: string; dueAt: Date }[]> {
      const rows = await db.$queryRaw<{ id: string; due_at: Date }[]>`
        INSERT INTO reminders (id, user_id, customer_id, kind, text, due_at, dedupe_key, detail, updated_at)
        SELECT gen_random_uuid(), d.owner_id, d.customer_id, 'FOLLOW_UP', 'Deal: ' || d.title, ${now},
               n.key, n.detail, now()
        FROM deals d
        CROSS JOIN LATERAL (VALUES
          ('deal-stale:' || d.id || ':' || extract(epoch FROM coalesce(d.last_activity_at, d.created_at))::bigint,
           jsonb_build_object('deal', jsonb_build_object('id', d.id, 'title', d.title, 'nudge', 'stale',
             'days', floor(extract(epoch FROM (${now}::timestamptz - coalesce(d.last_activity_at, d.created_at))) / 86400)::int)),
           coalesce(d.last_activity_at, d.created_at) < ${now}::timestamptz - (${staleDays} * interval '1 day')),
          ('deal-overdue:' || d.id || ':' || coalesce(extract(epoch FROM d.expected_close_at)::bigint, 0),
           jsonb_build_object('deal', jsonb_build_object('id', d.id, 'title', d.title, 'nudge', 'overdue', 'closeAt', d.expected_close_at)),
           d.expected_close_at IS NOT NULL AND d.expected_close_at < ${now}::timestamptz)
        ) AS n(key, detail, due)
        WHERE d.deleted_at IS NULL AND d.status = 'OPEN' AND d.owner_id IS NOT NULL AND n.due
        ON CONFLICT (dedupe_key) DO NOTHING
        RETURNING id, due_at`;
      return rows.map((r) => ({ id: r.id, dueAt: r.due_at }));
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
