import { FIRST_RESPONSE_TARGET_MS, LAST_RESPONSE_BIN, RESPONSE_BINS } from "../../domain/measures.js";
import { LIVE_INTERACTIONS_SQL, LIVE_ORDERS_SQL } from "../live-rows.js";
import { Prisma, type Db } from "../prisma.js";

/**
 * Rollups of complete UTC time buckets: orders and interactions per hour, WeChat waits per day.
 * A job rolls every complete bucket that has no row yet; readers use the rows where they exist
 * and count the rest (the current bucket, the edges, anything un-rolled) from the source rows,
 * so an answer is right even if the job never ran. A write into a bucket that may be rolled
 * deletes that bucket's row in its own transaction ("un-rolls" it), so no answer is ever stale;
 * the next run rolls it again.
 *
 * The race between a write and the job is closed with an advisory lock per rollup: the job holds
 * it exclusively while it reads and writes, a write into a complete bucket takes it shared
 * before deleting the row. Either the job waits for the write to commit (and then sees it), or
 * the write waits for the job to commit (and then deletes the row the job just made). Writes
 * into buckets that are still open, such as every WeChat message as it arrives, take no lock:
 * the job only rolls buckets that ended ROLL_GRACE_MINUTES ago, which is safe as long as the bot's
 * and Postgres' clocks agree within CLOCK_SKEW_MS and no write transaction stays open that long.
 */

export type RollupKind = "orderHours" | "interactionHours" | "waitDays" | "leadHours";
export const ROLLUP_KINDS: readonly RollupKind[] = ["orderHours", "interactionHours", "waitDays", "leadHours"];

/** The advisory-lock namespace of the rollups (pg_advisory_xact_lock(namespace, kind)). */
export const ROLLUP_LOCK = 7_462_001;
export const ROLL_GRACE_MINUTES = 10;
const CLOCK_SKEW_MS = 60_000;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

interface KindSpec {
  table: string;
  column: string;
  widthMs: number;
  lockId: number;
  build: string;
}

const horizon = (unit: "hour" | "day", width: string) =>
  `date_trunc('${unit}', clock_timestamp() - interval '${ROLL_GRACE_MINUTES} minutes', 'UTC') - interval '${width}'`;

/** A SQL expression of the response bin (domain/measures.ts) of a wait answered after `seconds`. */
export function responseBinSql(seconds: string): string {
  const cases: string[] = [];
  let first = 0;
  let start = 0;
  for (const { below, widthSeconds } of RESPONSE_BINS) {
    const bin = `${first} + floor((${seconds} - ${start}) / ${widthSeconds})`;
    cases.push(Number.isFinite(below) ? `WHEN ${seconds} < ${below} THEN ${bin}` : `ELSE LEAST(${bin}, ${LAST_RESPONSE_BIN})`);
    first += (below - start) / widthSeconds;
    start = below;
  }
  // LEAST ignores NULLs, so an unanswered wait must not reach the last branch.
  return `(CASE WHEN ${seconds} IS NULL THEN NULL ${cases.join(" ")} END)::int`;
}

const WAIT_SECONDS = "extract(epoch FROM w.answered_at - w.started_at)";
const WITHIN_TARGET = `w.answered_at <= w.started_at + interval '${FIRST_RESPONSE_TARGET_MS / 1000} seconds'`;

const KINDS: Readonly<Record<RollupKind, KindSpec>> = {
  orderHours: {
    table: "order_hours",
    column: "hour",
    widthMs: HOUR_MS,
    lockId: 1,
    build: `
      INSERT INTO order_hours (hour, orders, revenue)
      SELECT h.hour, count(o.ordered_at)::int, coalesce(sum(o.base_amount), 0)
      FROM (
        SELECT g AS hour
        FROM (SELECT date_trunc('hour', min(ordered_at), 'UTC') AS first FROM ${LIVE_ORDERS_SQL} o) f,
             generate_series(f.first, ${horizon("hour", "1 hour")}, interval '1 hour') AS g
        WHERE NOT EXISTS (SELECT 1 FROM order_hours x WHERE x.hour = g)
      ) h
      LEFT JOIN ${LIVE_ORDERS_SQL} o ON o.ordered_at >= h.hour AND o.ordered_at < h.hour + interval '1 hour'
      GROUP BY h.hour`,
  },
  interactionHours: {
    table: "interaction_hours",
    column: "hour",
    widthMs: HOUR_MS,
    lockId: 2,
    build: `
      INSERT INTO interaction_hours (hour, calls, meetings, emails, wechat, wechat_inbound, wechat_outbound, slack, notes)
      SELECT h.hour,
             count(*) FILTER (WHERE i.channel = 'CALL')::int, count(*) FILTER (WHERE i.channel = 'MEETING')::int,
             count(*) FILTER (WHERE i.channel = 'EMAIL')::int, count(*) FILTER (WHERE i.channel = 'WECHAT')::int,
             count(*) FILTER (WHERE i.channel = 'WECHAT' AND i.direction = 'INBOUND')::int,
             count(*) FILTER (WHERE i.channel = 'WECHAT' AND i.direction = 'OUTBOUND')::int,
             count(*) FILTER (WHERE i.channel = 'SLACK')::int, count(*) FILTER (WHERE i.channel = 'NOTE')::int
      FROM (
        SELECT g AS hour
        FROM (SELECT date_trunc('hour', min(occurred_at), 'UTC') AS first FROM ${LIVE_INTERACTIONS_SQL} i) f,
             generate_series(f.first, ${horizon("hour", "1 hour")}, interval '1 hour') AS g
        WHERE NOT EXISTS (SELECT 1 FROM interaction_hours x WHERE x.hour = g)
      ) h
      LEFT JOIN ${LIVE_INTERACTIONS_SQL} i ON i.occurred_at >= h.hour AND i.occurred_at < h.hour + interval '1 hour'
      GROUP BY h.hour`,
  },
  // Un-rolled by triggers on customers and customer_order_months (migration
  // 20261207214000_lead_hours) rather than by unroll(): customers are created, imported, merged and
  // erased on many paths, and the trigger sees them all. It takes the same shared lock (kind 4).
  leadHours: {
    table: "lead_hours",
    column: "hour",
    widthMs: HOUR_MS,
    lockId: 4,
    // Set-based over the span of the hours to roll (usually the last one, or years on the first
    // run): one index range per table, not one look-up per hour.
    build: `
      INSERT INTO lead_hours (hour, created, first_orders, converted)
      WITH h AS (
        SELECT g AS hour
        FROM (SELECT date_trunc('hour', least((SELECT min(created_at) FROM customers), (SELECT min(first_order_at) FROM customer_order_months)), 'UTC') AS first) f,
             generate_series(f.first, ${horizon("hour", "1 hour")}, interval '1 hour') AS g
        WHERE NOT EXISTS (SELECT 1 FROM lead_hours x WHERE x.hour = g)
      ), span AS (
        SELECT min(hour) AS lo, max(hour) + interval '1 hour' AS hi FROM h
      ), c AS (
        SELECT date_trunc('hour', x.created_at, 'UTC') AS hour, count(*)::int AS n
        FROM customers x, span WHERE x.created_at >= span.lo AND x.created_at < span.hi GROUP BY 1
      ), m AS (
        SELECT date_trunc('hour', x.first_order_at, 'UTC') AS hour, count(*)::int AS n,
               count(*) FILTER (WHERE x.first_order_at >= x.customer_created_at)::int AS converted
        FROM customer_order_months x, span WHERE x.first_order_at >= span.lo AND x.first_order_at < span.hi GROUP BY 1
      )
      SELECT h.hour, coalesce(c.n, 0), coalesce(m.n, 0), coalesce(m.converted, 0)
      FROM h LEFT JOIN c ON c.hour = h.hour LEFT JOIN m ON m.hour = h.hour`,
  },
  waitDays: {
    table: "wechat_wait_days",
    column: "day",
    widthMs: DAY_MS,
    lockId: 3,
    build: `
      INSERT INTO wechat_wait_days (day, waits, answered, within_hour, bins, counts)
      WITH days AS (
        SELECT g AS day
        FROM (SELECT date_trunc('day', min(started_at), 'UTC') AS first FROM wechat_waits) f,
             generate_series(f.first, ${horizon("day", "24 hours")}, interval '24 hours') AS g
        WHERE NOT EXISTS (SELECT 1 FROM wechat_wait_days x WHERE x.day = g)
      ), waits AS (
        SELECT d.day, w.started_at, w.answered_at, ${WITHIN_TARGET} AS within, ${responseBinSql(WAIT_SECONDS)} AS bin
        FROM days d JOIN wechat_waits w ON w.started_at >= d.day AND w.started_at < d.day + interval '24 hours'
      ), bins AS (
        SELECT day, bin, count(*)::int AS n FROM waits WHERE bin IS NOT NULL GROUP BY day, bin
      )
      SELECT d.day, coalesce(t.waits, 0), coalesce(t.answered, 0), coalesce(t.within, 0),
             coalesce(b.bins, '{}'), coalesce(b.counts, '{}')
      FROM days d
      LEFT JOIN (SELECT day, count(*)::int AS waits, count(answered_at)::int AS answered, count(*) FILTER (WHERE within)::int AS within
                 FROM waits GROUP BY day) t ON t.day = d.day
      LEFT JOIN (SELECT day, array_agg(bin ORDER BY bin) AS bins, array_agg(n ORDER BY bin) AS counts FROM bins GROUP BY day) b ON b.day = d.day`,
  },
};

/** The statements of one roll-up, to run in one transaction in this order (bulk loaders use them with pg). */
export function rollUpStatements(kind: RollupKind): { lock: string; build: string } {
  const spec = KINDS[kind];
  return { lock: `SELECT pg_advisory_xact_lock(${ROLLUP_LOCK}, ${spec.lockId})`, build: spec.build };
}

/**
 * Rolls up every complete bucket of one kind that has no row. Run inside a transaction: the lock
 * is held until it commits. Returns how many buckets it rolled.
 */
export async function rollUp(db: Db, kind: RollupKind): Promise<number> {
  const { lock, build } = rollUpStatements(kind);
  await db.$executeRawUnsafe(lock);
  // A statement of its own, so its snapshot is taken after the lock: it sees every write that
  // had taken the lock shared before.
  return db.$executeRawUnsafe(build);
}

function bucketOf(kind: RollupKind, at: Date): number {
  const width = KINDS[kind].widthMs;
  return Math.floor(at.getTime() / width) * width;
}

/**
 * Un-rolls the buckets of `instants` that may be rolled. Call it in the transaction that writes
 * the rows; a bucket that is still open by the clock costs nothing.
 */
export async function unroll(db: Db, kind: RollupKind, instants: readonly Date[]): Promise<void> {
  const spec = KINDS[kind];
  const latestOpen = Date.now() + CLOCK_SKEW_MS;
  const buckets = [...new Set(instants.map((t) => bucketOf(kind, t)).filter((start) => start + spec.widthMs <= latestOpen))];
  if (buckets.length === 0) return;
  await db.$executeRaw`SELECT pg_advisory_xact_lock_shared(${ROLLUP_LOCK}::int, ${spec.lockId}::int)`;
  await db.$executeRaw`DELETE FROM ${Prisma.raw(spec.table)} WHERE ${Prisma.raw(spec.column)} = ANY(${buckets.map((b) => new Date(b))}::timestamptz[])`;
}
