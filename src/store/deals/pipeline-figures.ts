import type { Db } from "../prisma.js";

/**
 * The pipeline's figures at scale (/pipeline, the report's pipeline section, the digest's line):
 * counts and sums computed in Postgres, so an answer never loads the deals themselves. What each
 * figure means is decided in src/domain/deals/deal-measures.ts (tests hold the two equal on
 * crafted data); this module only adds up. Soft-deleted deals never count.
 *
 * Indexes they rely on (migrations 20261207220000_deal_pipeline and 20261208000100_pipeline_figures):
 * open deals by (owner_id, stage) and by (owner_id, expected_close_at), closed ones by
 * (owner_id, closed_at) and by closed_at, live ones by (owner_id, last_activity_at) and by
 * last_activity_at, and stage changes by (deal_id, at).
 */

/** Whose deals: everyone's, or those owned by these people. */
export type DealScope = { kind: "all" } | { kind: "owners"; ownerIds: readonly string[] };

export interface Span {
  from: Date;
  /** Exclusive. */
  to: Date;
}

/** A sum of base amounts as Postgres gives it: a decimal string, how many deals, how many without an amount. */
export interface AmountTotal {
  count: number;
  total: string;
  withoutAmount: number;
}

export interface StageTotal extends AmountTotal {
  stage: string;
}

export interface PipelineDeal {
  id: string;
  title: string;
  customerId: string;
  customerName: string;
  ownerName: string | null;
  stage: string;
  baseAmount: string | null;
  expectedCloseAt: Date | null;
}

export interface PipelineMover extends PipelineDeal {
  /** The stage it left at its first move in the span. */
  from: string;
}

export interface ClosedTotals {
  won: AmountTotal;
  lost: AmountTotal;
}


const ZERO: AmountTotal = { count: 0, total: "0", withoutAmount: 0 };

type TotalRow = { count: number; total: string; without_amount: number };
const toTotal = (r: TotalRow | undefined): AmountTotal => (r ? { count: Number(r.count), total: r.total, withoutAmount: Number(r.without_amount) } : { ...ZERO });

const TOTALS = `count(*)::int AS count, COALESCE(sum(d.base_amount), 0)::text AS total, (count(*) - count(d.base_amount))::int AS without_amount`;

type ListRow = {
  id: string; title: string; customer_id: string; customer_name: string; owner_name: string | null; stage: string; base_amount: string | null; expected_close_at: Date | null;
};
const LIST_COLUMNS = `d.id, d.title, d.customer_id, c.name AS customer_name, u.display_name AS owner_name, d.stage, d.base_amount::text AS base_amount, d.expected_close_at`;
const toListed = (r: ListRow): PipelineDeal => ({
  id: r.id, title: r.title, customerId: r.customer_id, customerName: r.customer_name, ownerName: r.owner_name, stage: r.stage, baseAmount: r.base_amount, expectedCloseAt: r.expected_close_at,
});

/**
 * The owner condition as SQL text with its parameter at position `n`: nothing for everyone, so
 * the planner never sees an "all or these" disjunction that would keep it off the owner indexes.
 */
function ownerFilter(scope: DealScope, n: number): { sql: string; params: unknown[] } {
  return scope.kind === "all" ? { sql: "", params: [] } : { sql: ` AND d.owner_id = ANY($${n}::uuid[])`, params: [[...scope.ownerIds]] };
}

export function createPipelineFigureStore(db: Db) {
  return {
    /** Open deals per stage they are in (stages without deals are absent). */
    async openByStage(scope: DealScope): Promise<StageTotal[]> {
      const owner = ownerFilter(scope, 1);
      const rows = await db.$queryRawUnsafe<(TotalRow & { stage: string })[]>(
        `SELECT d.stage, ${TOTALS} FROM deals d
         WHERE d.deleted_at IS NULL AND d.status = 'OPEN'${owner.sql}
         GROUP BY d.stage`,
        ...owner.params,
      );
      return rows.map((r) => ({ stage: r.stage, ...toTotal(r) }));
    },

    /** Open deals expected to close inside the span: their total, and the `limit` largest. */
    async closing(scope: DealScope, span: Span, limit: number): Promise<{ total: AmountTotal; deals: PipelineDeal[] }> {
      const where = (n: number) => `d.deleted_at IS NULL AND d.status = 'OPEN' AND d.expected_close_at >= $1::timestamptz AND d.expected_close_at < $2::timestamptz${ownerFilter(scope, n).sql}`;
      const params = ownerFilter(scope, 0).params;
      const [totals, deals] = await Promise.all([
        db.$queryRawUnsafe<TotalRow[]>(`SELECT ${TOTALS} FROM deals d WHERE ${where(3)}`, span.from, span.to, ...params),
        db.$queryRawUnsafe<ListRow[]>(
          `SELECT ${LIST_COLUMNS} FROM deals d JOIN customers c ON c.id = d.customer_id LEFT JOIN users u ON u.id = d.owner_id
           WHERE ${where(4)}
           ORDER BY d.base_amount DESC NULLS LAST, d.expected_close_at, d.id LIMIT $3`,
          span.from, span.to, limit, ...params,
        ),
      ]);
      return { total: toTotal(totals[0]), deals: deals.map(toListed) };
    },

    /** Deals won and lost (by when they closed) in each span, in the order given. */
    async closed(scope: DealScope, spans: readonly Span[]): Promise<ClosedTotals[]> {
      if (spans.length === 0) return [];
      const owner = ownerFilter(scope, 3);
      const rows = await db.$queryRawUnsafe<(TotalRow & { i: number; status: string })[]>(
        `SELECT s.i, d.status::text AS status, ${TOTALS}
         FROM unnest($1::timestamptz[], $2::timestamptz[]) WITH ORDINALITY AS s(from_at, to_at, i)
         JOIN deals d ON d.closed_at >= s.from_at AND d.closed_at < s.to_at
         WHERE d.deleted_at IS NULL AND d.status IN ('WON', 'LOST')${owner.sql}
         GROUP BY s.i, d.status`,
        spans.map((s) => s.from), spans.map((s) => s.to), ...owner.params,
      );
      return spans.map((_, k) => ({
        won: toTotal(rows.find((r) => Number(r.i) === k + 1 && r.status === "WON")),
        lost: toTotal(rows.find((r) => Number(r.i) === k + 1 && r.status === "LOST")),
      }));
    },

    /**
     * The biggest movers of the span: deals moved (creation is no move) inside it, with the stage
     * their first move there took them from, where that is not where they stand now; largest
     * amount first (none last), then by id. Every move sets last_activity_at, so only deals active
     * since the span began are candidates (an index range, not every deal), and each candidate's
     * first move is one probe of deal_stage_changes (deal_id, at).
     */
    async movers(scope: DealScope, span: Span, limit: number): Promise<PipelineMover[]> {
      const owner = ownerFilter(scope, 4);
      const rows = await db.$queryRawUnsafe<(ListRow & { from_stage: string })[]>(
        `SELECT ${LIST_COLUMNS}, f.from_stage
         FROM deals d
         JOIN LATERAL (
           SELECT x.from_stage FROM deal_stage_changes x
           WHERE x.deal_id = d.id AND x.at >= $1::timestamptz AND x.at < $2::timestamptz AND x.from_stage IS NOT NULL
           ORDER BY x.at, x.id LIMIT 1
         ) f ON true
         JOIN customers c ON c.id = d.customer_id LEFT JOIN users u ON u.id = d.owner_id
         WHERE d.deleted_at IS NULL AND d.last_activity_at >= $1::timestamptz AND d.stage <> f.from_stage${owner.sql}
         ORDER BY d.base_amount DESC NULLS LAST, d.id LIMIT $3`,
        span.from, span.to, limit, ...owner.params,
      );
      return rows.map((r) => ({ ...toListed(r), from: r.from_stage }));
    },

    /** Deals moved at least once inside the span (creation is no move), and their amount. */
    async moved(scope: DealScope, span: Span): Promise<AmountTotal> {
      const owner = ownerFilter(scope, 3);
      const rows = await db.$queryRawUnsafe<TotalRow[]>(
        `SELECT ${TOTALS} FROM deals d
         WHERE d.deleted_at IS NULL AND d.last_activity_at >= $1::timestamptz${owner.sql} AND EXISTS (
           SELECT 1 FROM deal_stage_changes x WHERE x.deal_id = d.id AND x.from_stage IS NOT NULL AND x.at >= $1::timestamptz AND x.at < $2::timestamptz)`,
        span.from, span.to, ...owner.params,
      );
      return toTotal(rows[0]);
    },
  };
}

export type PipelineFigureStore = ReturnType<typeof createPipelineFigureStore>;
