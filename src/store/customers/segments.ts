import type { Stage } from "../../domain/customers/customer-stage.js";
import { LOW_SCORE_MAX } from "../../domain/surveys/survey-answer.js";
import {
  ACTIVATED_BY_PURCHASE, COMPLAINT_HINT_PATTERN, COMPLAINT_PATTERN, NOT_COMPLAINT_PATTERN, SEGMENT_RULES, type SegmentCode, type StageReason,
} from "../../domain/customers/customer-segments.js";
import { liveInteractions, liveOrders } from "../live-rows.js";
import { Prisma, type Db } from "../prisma.js";

/** One customer's raw facts as Postgres gathers them for the nightly scan. */
export interface SegmentFactsRow {
  id: string;
  stage: Stage;
  ownerId: string | null;
  /** Whether a customer_stats row exists (one is made only when the customer gets a segment). */
  hasStats: boolean;
  /** Orders, first and last order as of the scan's `now` (later orders left out). */
  orderCount: number;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
  /** rank() among paying customers (ties share the lowest rank), and how many pay. */
  recencyRank: number | null;
  frequencyRank: number | null;
  monetaryRank: number | null;
  payingCustomers: number;
  /** Median of the days between consecutive purchase days (dates in the scan's zone). */
  medianGapDays: number | null;
  ordersLast90: number;
  ordersPrevious90: number;
  complaints30: number;
  lowScores30: number;
  interactions90: number;
  /** For a customer now AT_RISK: when the latest recorded move to AT_RISK happened. */
  atRiskSince: Date | null;
}

export interface ScoreWrite {
  customerId: string;
  rfm: { r: number; f: number; m: number } | null;
  segment: SegmentCode | null;
  reason: unknown;
}

export interface StageMoveWrite {
  customerId: string;
  from: Stage;
  to: Stage;
  reason: StageReason;
  /**
   * The latest order the decision saw (as of the scan's `now`): a purchase recorded since then,
   * or placed after `now` and so left out of the facts, cancels the move.
   */
  lastOrderAt: Date | null;
}

export interface SegmentMember {
  id: string;
  name: string;
  ownerName: string | null;
  totalSpent: number;
  orderCount: number;
  reason: unknown;
}

export interface StageAlertEntry {
  customerId: string;
  name: string;
  fromStage: Stage;
  toStage: Stage;
  reason: unknown;
}

const DAY_MS = 86_400_000;
/** Far above the facts statement's few seconds at 100k customers; Prisma's default is 5 s. */
const FACTS_TIMEOUT_MS = 5 * 60_000;
const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * DAY_MS);

/**
 * The SQL form of isComplaint (src/domain/customers/customer-segments.ts): the same patterns on the same
 * NFKC, lower-cased text.
 */
export function complaintSql(body: Prisma.Sql): Prisma.Sql {
  const text = Prisma.sql`lower(normalize(${body}, NFKC))`;
  // CASE keeps the order: the full patterns cost ~50 µs a text, the hint a few.
  return Prisma.sql`(CASE WHEN ${text} ~ ${COMPLAINT_HINT_PATTERN} THEN regexp_replace(${text}, ${NOT_COMPLAINT_PATTERN}, ' ', 'g') ~ ${COMPLAINT_PATTERN} ELSE false END)`;
}

interface FactsSqlRow {
  id: string;
  stage: Stage;
  owner_id: string | null;
  has_stats: boolean;
  order_count: number;
  first_order_at: Date | null;
  last_order_at: Date | null;
  r_rank: number | null;
  f_rank: number | null;
  m_rank: number | null;
  paying: number | null;
  median_gap_days: number | null;
  last90: number;
  previous90: number;
  complaints: number;
  low_scores: number;
  interactions: number;
  at_risk_since: Date | null;
}

export function createSegmentStore(db: Db) {
  return {
    /**
     * Every customer's facts as of `now`, in one set-based statement. Orders after `now` (a late
     * run) are left out of every fact: customer_stats is corrected by the few orders placed
     * since, read through the orders(ordered_at, ...) index. RFM ranks by window functions over
     * those stats; the median gap between consecutive purchase days (lag() over each customer's
     * orders read in index order, same-day steps dropped, then percentile_cont); order counts in
     * the two slowing windows; complaints (inbound messages that read as one; survey answers and
     * comments, marked in interactions.survey_reply, left out: they count as their score) and low survey scores in the complaint
     * window; for customers who never bought, interactions in the engagement window (read
     * through the per-customer index, so buyers cost nothing there); and for customers now
     * AT_RISK, when they were last moved there.
     *
     * `timeZone` (IANA) says which dates are purchase days: the team's zone.
     *
     * `only` limits the rows to those customers (a write that changed their facts): the same
     * facts, each customer's ranks counted against every paying customer instead of ranked by a
     * window over all of them, so one customer costs one pass over customer_stats and no sort.
     */
    async facts(now: Date, timeZone = "UTC", only?: readonly string[]): Promise<SegmentFactsRow[]> {
      const ids = only ? [...only] : undefined;
      if (ids?.length === 0) return [];
      // Per-customer parts read only the listed customers' rows (their customer_id indexes).
      const scoped = (column: string) => (ids ? Prisma.sql`AND ${Prisma.raw(column)} = ANY(${ids}::uuid[])` : Prisma.empty);
      const slowing = SEGMENT_RULES.SLOWING_WINDOW_DAYS;
      const lastStart = daysBefore(now, slowing);
      const previousStart = daysBefore(now, 2 * slowing);
      const complaintStart = daysBefore(now, SEGMENT_RULES.COMPLAINT_WINDOW_DAYS);
      const engagedStart = daysBefore(now, SEGMENT_RULES.ENGAGED_WINDOW_DAYS);
      const query = Prisma.sql`
        WITH late AS (
          SELECT customer_id, count(*)::int AS n, sum(base_amount) AS spent
          FROM ${liveOrders} o WHERE ordered_at > ${now}
          GROUP BY customer_id
        ),
        stats AS (
          SELECT s.customer_id,
                 s.order_count - coalesce(l.n, 0) AS order_count,
                 s.total_spent - coalesce(l.spent, 0) AS total_spent,
                 CASE WHEN s.order_count - coalesce(l.n, 0) > 0 THEN s.first_order_at END AS first_order_at,
                 CASE WHEN l.customer_id IS NULL THEN s.last_order_at
                      ELSE (SELECT max(o.ordered_at) FROM ${liveOrders} o WHERE o.customer_id = s.customer_id AND o.ordered_at <= ${now}) END AS last_order_at
          FROM customer_stats s LEFT JOIN late l ON l.customer_id = s.customer_id
          ${ids ? Prisma.sql`WHERE s.customer_id IN (SELECT unnest(${ids}::uuid[]) UNION SELECT customer_id FROM late)` : Prisma.empty}
        ),
        paying AS (${ids
          ? Prisma.sql`
          -- rank() gives ties the lowest rank: 1 + how many pay and are strictly below. Counted
          -- on customer_stats as stored, except the few customers with orders after now, whose
          -- corrected rows are in stats (restricted to them and the listed customers): one
          -- customer's facts take about 30 ms at 100k customers, against 700 ms when stats held
          -- a corrected copy of every row.
          SELECT s.customer_id,
                 (1 + a.r + b.r)::int AS r_rank, (1 + a.f + b.f)::int AS f_rank, (1 + a.m + b.m)::int AS m_rank, (a.n + b.n)::int AS paying
          FROM stats s
          CROSS JOIN LATERAL (
            SELECT count(*) FILTER (WHERE o.last_order_at < s.last_order_at) AS r, count(*) FILTER (WHERE o.order_count < s.order_count) AS f,
                   count(*) FILTER (WHERE o.total_spent < s.total_spent) AS m, count(*) AS n
            FROM customer_stats o
            WHERE o.order_count > 0 AND NOT EXISTS (SELECT 1 FROM late l WHERE l.customer_id = o.customer_id)
          ) a
          CROSS JOIN LATERAL (
            SELECT count(*) FILTER (WHERE o.last_order_at < s.last_order_at) AS r, count(*) FILTER (WHERE o.order_count < s.order_count) AS f,
                   count(*) FILTER (WHERE o.total_spent < s.total_spent) AS m, count(*) AS n
            FROM stats o
            WHERE o.order_count > 0 AND EXISTS (SELECT 1 FROM late l WHERE l.customer_id = o.customer_id)
          ) b
          WHERE s.order_count > 0 AND s.customer_id = ANY(${ids}::uuid[])`
          : Prisma.sql`
          SELECT customer_id,
                 rank() OVER (ORDER BY last_order_at)::int AS r_rank,
                 rank() OVER (ORDER BY order_count)::int AS f_rank,
                 rank() OVER (ORDER BY total_spent)::int AS m_rank,
                 count(*) OVER ()::int AS paying
          FROM stats WHERE order_count > 0`}
        ),
        gaps AS (
          -- Newest first, as the (customer_id, ordered_at DESC) index reads: no sort. The dates
          -- never rise along that order, so dropping the zero steps leaves exactly the steps
          -- between distinct purchase days.
          SELECT customer_id, percentile_cont(0.5) WITHIN GROUP (ORDER BY gap) AS median_gap
          FROM (
            SELECT customer_id, lag(day) OVER w - day AS gap
            FROM (SELECT customer_id, ordered_at, (ordered_at AT TIME ZONE ${timeZone}::text)::date AS day FROM ${liveOrders} lo WHERE ordered_at <= ${now} ${scoped("customer_id")}) o
            WINDOW w AS (PARTITION BY customer_id ORDER BY ordered_at DESC)
          ) g
          WHERE gap > 0
          GROUP BY customer_id
        ),
        recent AS (
          SELECT customer_id,
                 count(*) FILTER (WHERE ordered_at > ${lastStart})::int AS last90,
                 count(*) FILTER (WHERE ordered_at <= ${lastStart})::int AS previous90
          FROM ${liveOrders} o WHERE ordered_at > ${previousStart} AND ordered_at <= ${now} ${scoped("customer_id")}
          GROUP BY customer_id
        ),
        complaints AS (
          SELECT i.customer_id, count(*)::int AS n FROM ${liveInteractions} i
          WHERE i.occurred_at > ${complaintStart} AND i.occurred_at <= ${now} AND i.direction = 'INBOUND' ${scoped("i.customer_id")} AND ${complaintSql(Prisma.sql`i.body`)}
            -- "1 不满意" is one low score, not a low score and a complaint: a message read as a
            -- survey answer or the comment after it (interactions.survey_reply) counts as the score.
            AND i.survey_reply IS NULL
          GROUP BY i.customer_id
        ),
        low_scores AS (
          SELECT customer_id, count(*)::int AS n FROM surveys
          WHERE answered_at > ${complaintStart} AND answered_at <= ${now} AND status = 'ANSWERED' ${scoped("customer_id")}
            AND ((kind = 'CSAT' AND score <= ${LOW_SCORE_MAX.CSAT}) OR (kind = 'NPS' AND score <= ${LOW_SCORE_MAX.NPS}))
          GROUP BY customer_id
        )
        SELECT c.id, c.stage, c.owner_id, s.customer_id IS NOT NULL AS has_stats,
               coalesce(s.order_count, 0)::int AS order_count, s.first_order_at, s.last_order_at,
               p.r_rank, p.f_rank, p.m_rank, p.paying,
               g.median_gap::float8 AS median_gap_days,
               coalesce(r.last90, 0) AS last90, coalesce(r.previous90, 0) AS previous90,
               coalesce(cp.n, 0) AS complaints, coalesce(ls.n, 0) AS low_scores,
               coalesce(e.n, 0) AS interactions, ar.changed_at AS at_risk_since
        FROM customers c
        LEFT JOIN stats s ON s.customer_id = c.id
        LEFT JOIN paying p ON p.customer_id = c.id
        LEFT JOIN gaps g ON g.customer_id = c.id
        LEFT JOIN recent r ON r.customer_id = c.id
        LEFT JOIN complaints cp ON cp.customer_id = c.id
        LEFT JOIN low_scores ls ON ls.customer_id = c.id
        LEFT JOIN LATERAL (
          SELECT count(*)::int AS n FROM ${liveInteractions} i
          WHERE coalesce(s.order_count, 0) = 0 AND i.customer_id = c.id AND i.occurred_at > ${engagedStart} AND i.occurred_at <= ${now}
        ) e ON true
        LEFT JOIN LATERAL (
          SELECT ch.changed_at FROM customer_stage_changes ch
          WHERE c.stage = 'AT_RISK' AND ch.customer_id = c.id AND ch.to_stage = 'AT_RISK' AND ch.changed_at <= ${now}
          ORDER BY ch.changed_at DESC LIMIT 1
        ) ar ON true
        ${ids ? Prisma.sql`WHERE c.id = ANY(${ids}::uuid[])` : Prisma.empty}
        ORDER BY c.id`;
      // JIT compilation costs this one statement seconds and saves nothing: it runs once a night.
      // The window sorts spill to disk with the default 4 MB of work memory.
      const run = async (tx: Db) => {
        await tx.$executeRaw`SET LOCAL jit = off`;
        await tx.$executeRaw`SET LOCAL work_mem = '64MB'`;
        return tx.$queryRaw<FactsSqlRow[]>(query);
      };
      // A few customers' facts are an ordinary statement, usually inside the write's transaction;
      // there JIT stays off too: past a million customers its estimate would compile for longer
      // than the statement runs.
      const scopedRun = async () => {
        if (!("$transaction" in db)) await db.$executeRaw`SET LOCAL jit = off`;
        return db.$queryRaw<FactsSqlRow[]>(query);
      };
      const rows = ids ? await scopedRun() : "$transaction" in db ? await db.$transaction(run, { timeout: FACTS_TIMEOUT_MS }) : await run(db);
      return rows.map((r) => ({
        id: r.id,
        stage: r.stage,
        ownerId: r.owner_id,
        hasStats: r.has_stats,
        orderCount: r.order_count,
        firstOrderAt: r.first_order_at,
        lastOrderAt: r.last_order_at,
        recencyRank: r.r_rank,
        frequencyRank: r.f_rank,
        monetaryRank: r.m_rank,
        payingCustomers: r.paying ?? 0,
        medianGapDays: r.median_gap_days,
        ordersLast90: r.last90,
        ordersPrevious90: r.previous90,
        complaints30: r.complaints,
        lowScores30: r.low_scores,
        interactions90: r.interactions,
        atRiskSince: r.at_risk_since,
      }));
    },

    /**
     * Writes RFM scores and segments in one statement. A customer without a stats row gets one
     * here (the caller only passes those that need a segment).
     */
    async writeScores(scores: readonly ScoreWrite[], scoredAt: Date): Promise<void> {
      if (scores.length === 0) return;
      const ids = scores.map((s) => s.customerId);
      const r = scores.map((s) => s.rfm?.r ?? null);
      const f = scores.map((s) => s.rfm?.f ?? null);
      const m = scores.map((s) => s.rfm?.m ?? null);
      const segments = scores.map((s) => s.segment);
      const reasons = scores.map((s) => (s.reason === null || s.reason === undefined ? null : JSON.stringify(s.reason)));
      await db.$executeRaw`
        INSERT INTO customer_stats (customer_id, rfm_recency, rfm_frequency, rfm_monetary, segment, segment_reason, scored_at)
        SELECT t.id, t.r, t.f, t.m, t.segment, t.reason, ${scoredAt}
        FROM unnest(${ids}::uuid[], ${r}::smallint[], ${f}::smallint[], ${m}::smallint[], ${segments}::"Segment"[], ${reasons}::jsonb[])
          AS t(id, r, f, m, segment, reason)
        ON CONFLICT (customer_id) DO UPDATE SET
          rfm_recency = EXCLUDED.rfm_recency, rfm_frequency = EXCLUDED.rfm_frequency, rfm_monetary = EXCLUDED.rfm_monetary,
          segment = EXCLUDED.segment, segment_reason = EXCLUDED.segment_reason, scored_at = EXCLUDED.scored_at`;
    },

    /**
     * Moves stages and records each move (with the owner at the time) in one statement. A
     * customer whose stage changed meanwhile, or who bought since the facts were read, is left
     * alone. Returns how many moved.
     */
    async moveStages(moves: readonly StageMoveWrite[], changedAt: Date): Promise<number> {
      if (moves.length === 0) return 0;
      const ids = moves.map((x) => x.customerId);
      const from = moves.map((x) => x.from);
      const to = moves.map((x) => x.to);
      const reasons = moves.map((x) => JSON.stringify(x.reason));
      const lastOrders = moves.map((x) => x.lastOrderAt);
      const rows = await db.$queryRaw<{ n: number }[]>`
        WITH wanted AS (
          SELECT * FROM unnest(${ids}::uuid[], ${from}::"Stage"[], ${to}::"Stage"[], ${reasons}::jsonb[], ${lastOrders}::timestamptz[])
            AS t(customer_id, from_stage, to_stage, reason, last_order_at)
        ),
        moved AS (
          UPDATE customers c SET stage = w.to_stage, updated_at = now()
          FROM wanted w
          WHERE c.id = w.customer_id AND c.stage = w.from_stage
            AND (SELECT s.last_order_at FROM customer_stats s WHERE s.customer_id = c.id) IS NOT DISTINCT FROM w.last_order_at
          RETURNING c.id, c.owner_id, w.from_stage, w.to_stage, w.reason
        ),
        recorded AS (
          INSERT INTO customer_stage_changes (id, customer_id, from_stage, to_stage, reason, owner_id, changed_at)
          SELECT gen_random_uuid(), id, from_stage, to_stage, reason, owner_id, ${changedAt} FROM moved
          RETURNING 1
        )
        SELECT count(*)::int AS n FROM recorded`;
      return rows[0]?.n ?? 0;
    },

    /**
     * A purchase makes a lead, prospect or churned customer active: the move and its record in
     * one statement. Returns the stage it came from, or null when nothing moved.
     */
    async activateOnPurchase(customerId: string, changedAt: Date): Promise<Stage | null> {
      const reason: StageReason = { rule: "purchase" };
      const rows = await db.$queryRaw<{ from_stage: Stage }[]>`
        WITH previous AS (
          SELECT id, stage, owner_id FROM customers WHERE id = ${customerId}::uuid AND stage = ANY(${[...ACTIVATED_BY_PURCHASE]}::"Stage"[]) FOR UPDATE
        ),
        moved AS (
          UPDATE customers c SET stage = 'ACTIVE', updated_at = now() FROM previous p WHERE c.id = p.id
          RETURNING c.id, c.owner_id, p.stage AS from_stage
        )
        INSERT INTO customer_stage_changes (id, customer_id, from_stage, to_stage, reason, owner_id, changed_at)
        SELECT gen_random_uuid(), id, from_stage, 'ACTIVE', ${JSON.stringify(reason)}::jsonb, owner_id, ${changedAt} FROM moved
        RETURNING from_stage`;
      return rows[0]?.from_stage ?? null;
    },

    /**
     * Whether customers wait for a first score: none was ever scored (a fresh install, or one
     * upgraded from before segments), or a buyer has none (orders that came in another way than
     * the write paths that score, such as a bulk import).
     */
    async needsScoring(): Promise<boolean> {
      const rows = await db.$queryRaw<{ needed: boolean }[]>`
        SELECT NOT EXISTS (SELECT 1 FROM customer_stats WHERE scored_at IS NOT NULL)
            OR EXISTS (SELECT 1 FROM customer_stats WHERE scored_at IS NULL AND order_count > 0) AS needed`;
      return rows[0]?.needed ?? true;
    },

    /**
     * Holds the scoring lock until the transaction ends (call inside one): two processes that
     * start at once score once, the second waits and then finds nothing left to do.
     */
    async lockScoring(): Promise<void> {
      await db.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('crm:segment-scoring'))`;
    },

    /**
     * Fresh planner statistics after a scan rewrote every segment: with the old ones (all
     * null) Postgres reads a whole segment to list its first fifteen.
     */
    async analyze(): Promise<void> {
      await db.$executeRaw`ANALYZE customer_stats`;
    },

    /** Owners of customers a scan moved (purchases and reps' own stage edits alert nobody), with where to reach them. */
    async alertRecipients(changedAt: Date): Promise<{ ownerId: string; platform: string; externalId: string; changes: number }[]> {
      const rows = await db.$queryRaw<{ owner_id: string; platform: string; external_id: string; changes: number }[]>`
        SELECT u.id AS owner_id, u.platform, u.external_id, count(*)::int AS changes
        FROM customer_stage_changes ch JOIN users u ON u.id = ch.owner_id
        WHERE ch.changed_at = ${changedAt} AND ch.reason->>'rule' NOT IN ('purchase', 'manual')
        GROUP BY u.id, u.platform, u.external_id
        ORDER BY u.id`;
      return rows.map((r) => ({ ownerId: r.owner_id, platform: r.platform, externalId: r.external_id, changes: r.changes }));
    },

    /**
     * One owner's stage changes of one scan for the alert: the first `limit` (at risk first, then
     * churned, then recovered; biggest spenders first within each), and how many moved to each stage.
     */
    async stageAlert(ownerId: string, changedAt: Date, limit: number): Promise<{ entries: StageAlertEntry[]; byStage: Partial<Record<Stage, number>> }> {
      const entries = await db.$queryRaw<{ customer_id: string; name: string; from_stage: Stage; to_stage: Stage; reason: unknown }[]>`
        SELECT ch.customer_id, c.name, ch.from_stage, ch.to_stage, ch.reason
        FROM customer_stage_changes ch
        JOIN customers c ON c.id = ch.customer_id
        LEFT JOIN customer_stats s ON s.customer_id = ch.customer_id
        WHERE ch.owner_id = ${ownerId}::uuid AND ch.changed_at = ${changedAt} AND ch.reason->>'rule' NOT IN ('purchase', 'manual')
        ORDER BY CASE ch.to_stage WHEN 'AT_RISK' THEN 0 WHEN 'CHURNED' THEN 1 ELSE 2 END, s.total_spent DESC NULLS LAST, c.name, c.id
        LIMIT ${limit}`;
      const counts = await db.$queryRaw<{ to_stage: Stage; n: number }[]>`
        SELECT to_stage, count(*)::int AS n FROM customer_stage_changes
        WHERE owner_id = ${ownerId}::uuid AND changed_at = ${changedAt} AND reason->>'rule' NOT IN ('purchase', 'manual')
        GROUP BY to_stage`;
      return {
        entries: entries.map((e) => ({ customerId: e.customer_id, name: e.name, fromStage: e.from_stage, toStage: e.to_stage, reason: e.reason })),
        byStage: Object.fromEntries(counts.map((c) => [c.to_stage, c.n])),
      };
    },

    /**
     * The biggest spenders of a segment as the last scan left it (the (segment, total_spent) index), from `offset` on;
     * with `tags`, only customers that have all of them (customers.tags @> tags, the GIN index).
     */
    async members(segment: SegmentCode, limit: number, offset = 0, tags: readonly string[] = []): Promise<SegmentMember[]> {
      const tagged = tags.length > 0
        ? Prisma.sql`AND customer_id IN (SELECT id FROM customers WHERE tags @> ${[...tags]}::text[])`
        : Prisma.empty;
      const rows = await db.$queryRaw<{ id: string; name: string; owner_name: string | null; total_spent: string; order_count: number; reason: unknown }[]>`
        SELECT c.id, c.name, u.display_name AS owner_name, s.total_spent::text AS total_spent, s.order_count, s.segment_reason AS reason
        FROM (
          -- Limited before the joins, so only the first index entries are read.
          SELECT customer_id, total_spent, order_count, segment_reason FROM customer_stats
          WHERE segment = ${segment}::"Segment" ${tagged} ORDER BY total_spent DESC, customer_id LIMIT ${limit} OFFSET ${offset}
        ) s
        JOIN customers c ON c.id = s.customer_id
        LEFT JOIN users u ON u.id = c.owner_id
        ORDER BY s.total_spent DESC, s.customer_id`;
      return rows.map((r) => ({ id: r.id, name: r.name, ownerName: r.owner_name, totalSpent: Number(r.total_spent), orderCount: r.order_count, reason: r.reason }));
    },

    /**
     * Customers per segment and when the last scan ran (null: never); with `tags`, only customers
     * that have all of them are counted (the scan time is still the whole scan's).
     */
    async counts(tags: readonly string[] = []): Promise<{ scoredAt: Date | null; counts: Partial<Record<SegmentCode, number>> }> {
      const rows = await db.$queryRaw<{ segment: SegmentCode | null; n: number; scored_at: Date | null }[]>`
        SELECT segment, count(*)::int AS n, max(scored_at) AS scored_at FROM customer_stats GROUP BY segment`;
      const stamps = rows.map((r) => r.scored_at).filter((d): d is Date => d !== null);
      const scoredAt = stamps.length > 0 ? new Date(Math.max(...stamps.map((d) => d.getTime()))) : null;
      const counted = tags.length === 0 ? rows : await db.$queryRaw<{ segment: SegmentCode | null; n: number }[]>`
        SELECT s.segment, count(*)::int AS n FROM customer_stats s
        WHERE s.segment IS NOT NULL AND s.customer_id IN (SELECT id FROM customers WHERE tags @> ${[...tags]}::text[])
        GROUP BY s.segment`;
      const counts: Partial<Record<SegmentCode, number>> = {};
      for (const r of counted) if (r.segment) counts[r.segment] = r.n;
      return { scoredAt, counts };
    },
  };
}

export type SegmentStore = ReturnType<typeof createSegmentStore>;
