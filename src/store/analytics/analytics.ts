import { CHANNELS, type Channel } from "../../domain/interaction-channel.js";
import { FIRST_RESPONSE_TARGET_MS } from "../../domain/measures.js";
import { daySpans } from "../../domain/time/report-spans.js";
import { liveInteractions, liveOrders } from "../live-rows.js";
import { Prisma, type Db } from "../prisma.js";
import { perCustomerSql } from "./purchase-months.js";
import { responseBinSql, rollUp, type RollupKind } from "./rollups.js";

/**
 * Period measures in SQL (definitions in src/domain/measures.ts). Every reader takes [from, to)
 * ranges and answers from the rollups where they cover whole buckets and from the rows for the
 * rest (see rollups.ts and purchase-months.ts), so it is right whether or not the job has run.
 * Several ranges go in one statement (a period, its previous one, a trend's buckets).
 */

export interface Range {
  from: Date;
  /** Exclusive. */
  to: Date;
}

export interface OrderTotals {
  orders: number;
  /** Base currency. */
  revenue: number;
}

export type ChannelCounts = Record<Channel, number> & { wechatInbound: number; wechatOutbound: number };

export interface WaitCounts {
  waits: number;
  answered: number;
  answeredWithinTarget: number;
  /** Answers per response bin (domain/measures.ts). */
  histogram: Map<number, number>;
}

export interface LeadCounts {
  /** Customers created in the period. */
  newLeads: number;
  /** Leads open during the period: created before its end, with no first order before its start. */
  openLeads: number;
  /** Leads that became paying customers in it: a first order in the period, on or after created_at. */
  converted: number;
}

export interface CustomerActivity {
  /** Customers with an order in the period. */
  buyers: number;
  /** Buyers who had ordered before the period or ordered at least twice in it. */
  repeatBuyers: number;
  /** Customers whose first order falls in the period. */
  newCustomers: number;
  /** Customers created in the period. */
  newLeads: number;
  /** Leads open during the period (LeadCounts.openLeads). */
  openLeads: number;
  /** Leads that became paying customers in the period (LeadCounts.converted). */
  convertedLeads: number;
}

/** The ranges as an indexed relation `ranges (i, lo, hi)`, i from 1. */
function rangesSql(ranges: readonly Range[]): Prisma.Sql {
  const los = ranges.map((r) => r.from);
  const his = ranges.map((r) => r.to);
  return Prisma.sql`SELECT i::int AS i, lo, hi FROM unnest(${los}::timestamptz[], ${his}::timestamptz[]) WITH ORDINALITY AS r(lo, hi, i)`;
}

/**
 * Per range, the sums of the rolled rows of `table` that lie wholly inside it
 * (`covered (i, <sums>)`), and the parts of the range they leave (`gaps (i, gap tstzrange)`),
 * to be counted from the rows.
 */
function gapsSql(table: string, column: string, width: string, sums: readonly string[]): Prisma.Sql {
  const t = Prisma.raw(table);
  const c = Prisma.raw(column);
  const w = Prisma.raw(`interval '${width}'`);
  const totals = Prisma.raw(sums.map((col) => `coalesce(sum(x.${col}), 0) AS ${col}`).join(", "));
  return Prisma.sql`
    covered AS (
      SELECT r.i, r.lo, r.hi, ${totals},
             range_agg(tstzrange(x.${c}, x.${c} + ${w})) FILTER (WHERE x.${c} IS NOT NULL) AS cover
      FROM ranges r LEFT JOIN ${t} x ON x.${c} >= r.lo AND x.${c} <= r.hi - ${w}
      GROUP BY r.i, r.lo, r.hi
    ),
    gaps AS (
      SELECT i, unnest(tstzmultirange(tstzrange(lo, hi)) - coalesce(cover, '{}'::tstzmultirange)) AS gap FROM covered
    )`;
}

const HOUR_COLUMNS = ["calls", "meetings", "emails", "wechat", "wechat_inbound", "wechat_outbound", "slack", "notes"] as const;

const num = (value: string | number | null | undefined): number => (value === null || value === undefined ? 0 : Number(value));

export function createAnalyticsStore(db: Db) {
  async function orderTotals(ranges: readonly Range[]): Promise<OrderTotals[]> {
    if (ranges.length === 0) return [];
    const rows = await db.$queryRaw<{ i: number; orders: number; revenue: string }[]>`
      WITH ranges AS (${rangesSql(ranges)}), ${gapsSql("order_hours", "hour", "1 hour", ["orders", "revenue"])},
      live AS (
        SELECT g.i, sum(l.orders) AS orders, sum(l.revenue) AS revenue FROM gaps g
        CROSS JOIN LATERAL (SELECT count(*) AS orders, sum(o.base_amount) AS revenue FROM ${liveOrders} o
                            WHERE o.ordered_at >= lower(g.gap) AND o.ordered_at < upper(g.gap)) l
        GROUP BY g.i
      )
      SELECT c.i, (c.orders + coalesce(l.orders, 0))::int AS orders, (c.revenue + coalesce(l.revenue, 0))::text AS revenue
      FROM covered c LEFT JOIN live l ON l.i = c.i ORDER BY c.i`;
    return rows.map((r) => ({ orders: r.orders, revenue: num(r.revenue) }));
  }

  /** Buyers, repeat buyers and new customers in each range in one pass for all; the leads beside it. */
  async function customerActivity(ranges: readonly Range[]): Promise<CustomerActivity[]> {
    if (ranges.length === 0) return [];
    const counts = ranges.flatMap((r, k) => {
      const n = Prisma.raw(String(k + 1));
      return [
        Prisma.sql`count(*) FILTER (WHERE orders_${n} > 0)::int AS buyers_${n}`,
        Prisma.sql`count(*) FILTER (WHERE orders_${n} > 0 AND (first_order_at < ${r.from} OR second_order_at < ${r.to}))::int AS repeat_${n}`,
        Prisma.sql`count(*) FILTER (WHERE first_order_at >= ${r.from} AND first_order_at < ${r.to})::int AS new_${n}`,
      ];
    });
    const [rows, leads] = await Promise.all([
      db.$queryRaw<Record<string, number>[]>`WITH per AS (${perCustomerSql(ranges, false)}) SELECT ${Prisma.join(counts, ", ")} FROM per`,
      leadCounts(ranges),
    ]);
    const row = rows[0] ?? {};
    return ranges.map((_, k) => ({
      buyers: row[`buyers_${k + 1}`] ?? 0,
      repeatBuyers: row[`repeat_${k + 1}`] ?? 0,
      newCustomers: row[`new_${k + 1}`] ?? 0,
      newLeads: leads[k]?.newLeads ?? 0,
      openLeads: leads[k]?.openLeads ?? 0,
      convertedLeads: leads[k]?.converted ?? 0,
    }));
  }

  /** Customers whose first order falls in the range. */
  async function newCustomers(range: Range): Promise<number> {
    const rows = await db.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM customer_order_months WHERE first_order_at >= ${range.from} AND first_order_at < ${range.to}`;
    return rows[0]?.n ?? 0;
  }

  /**
   * New, open and converted leads of each range (definitions in domain/measures.ts), from the
   * lead_hours rollup where it covers whole hours and from customers and customer_order_months
   * for the rest. Open leads are the customers created before the end less those of them who
   * bought before the start: created-before-the-end less bought-before-the-start (both running
   * sums of the rollup from the beginning of time) plus the few customers entered after the end
   * who bought before the start (a backdated order), read from their index. The yearly report's
   * lead counts took 127 ms as index counts over 100k customers; the rollup reads ~26k small rows.
   */
  async function leadCounts(ranges: readonly Range[]): Promise<LeadCounts[]> {
    if (ranges.length === 0) return [];
    // Per range k, three spans: the range itself, everything before its end, everything before its start.
    const los = ranges.flatMap((r) => [r.from.toISOString(), "-infinity", "-infinity"]);
    const his = ranges.flatMap((r) => [r.to.toISOString(), r.to.toISOString(), r.from.toISOString()]);
    const rows = await db.$queryRaw<{ i: number; created: number; first_orders: number; converted: number; late: number }[]>`
      WITH ranges AS (SELECT i::int AS i, lo, hi FROM unnest(${los}::timestamptz[], ${his}::timestamptz[]) WITH ORDINALITY AS r(lo, hi, i)),
      ${gapsSql("lead_hours", "hour", "1 hour", ["created", "first_orders", "converted"])},
      live AS (
        SELECT g.i, sum(l.created) AS created, sum(l.first_orders) AS first_orders, sum(l.converted) AS converted FROM gaps g
        CROSS JOIN LATERAL (
          SELECT (SELECT count(*) FROM customers c WHERE c.created_at >= lower(g.gap) AND c.created_at < upper(g.gap)) AS created,
                 m.first_orders, m.converted
          FROM (SELECT count(*) AS first_orders, count(*) FILTER (WHERE m.first_order_at >= m.customer_created_at) AS converted
                FROM customer_order_months m WHERE m.first_order_at >= lower(g.gap) AND m.first_order_at < upper(g.gap)) m) l
        GROUP BY g.i
      )
      SELECT c.i, (c.created + coalesce(l.created, 0))::int AS created, (c.first_orders + coalesce(l.first_orders, 0))::int AS first_orders,
             (c.converted + coalesce(l.converted, 0))::int AS converted,
             CASE WHEN c.i % 3 = 1 THEN (SELECT count(*) FROM customer_order_months m WHERE m.customer_created_at >= c.hi AND m.first_order_at < c.lo)::int END AS late
      FROM covered c LEFT JOIN live l ON l.i = c.i ORDER BY c.i`;
    return ranges.map((_, k) => {
      const period = rows[3 * k]!;
      const beforeEnd = rows[3 * k + 1]!;
      const beforeStart = rows[3 * k + 2]!;
      return { newLeads: period.created, openLeads: beforeEnd.created - beforeStart.first_orders + (period.late ?? 0), converted: period.converted };
    });
  }

  return {
    /** Orders and revenue in each range. */
    orderTotals,

    /** Interactions in each range by channel, WeChat also by direction. */
    async interactionCounts(ranges: readonly Range[]): Promise<ChannelCounts[]> {
      if (ranges.length === 0) return [];
      const rows = await db.$queryRaw<{ i: number; calls: number; meetings: number; emails: number; wechat: number; wechat_inbound: number; wechat_outbound: number; slack: number; notes: number }[]>`
        WITH ranges AS (${rangesSql(ranges)}), ${gapsSql("interaction_hours", "hour", "1 hour", HOUR_COLUMNS)},
        live AS (
          SELECT g.i, ${Prisma.raw(HOUR_COLUMNS.map((col) => `sum(l.${col}) AS ${col}`).join(", "))} FROM gaps g
          CROSS JOIN LATERAL (
            SELECT count(*) FILTER (WHERE channel = 'CALL') AS calls, count(*) FILTER (WHERE channel = 'MEETING') AS meetings,
                   count(*) FILTER (WHERE channel = 'EMAIL') AS emails, count(*) FILTER (WHERE channel = 'WECHAT') AS wechat,
                   count(*) FILTER (WHERE channel = 'WECHAT' AND direction = 'INBOUND') AS wechat_inbound,
                   count(*) FILTER (WHERE channel = 'WECHAT' AND direction = 'OUTBOUND') AS wechat_outbound,
                   count(*) FILTER (WHERE channel = 'SLACK') AS slack, count(*) FILTER (WHERE channel = 'NOTE') AS notes
            FROM ${liveInteractions} i WHERE occurred_at >= lower(g.gap) AND occurred_at < upper(g.gap)) l
          GROUP BY g.i
        )
        SELECT c.i, ${Prisma.raw(HOUR_COLUMNS.map((col) => `(c.${col} + coalesce(l.${col}, 0))::int AS ${col}`).join(", "))}
        FROM covered c LEFT JOIN live l ON l.i = c.i ORDER BY c.i`;
      return rows.map((r) => ({
        CALL: r.calls, MEETING: r.meetings, EMAIL: r.emails, WECHAT: r.wechat, SLACK: r.slack, NOTE: r.notes,
        wechatInbound: r.wechat_inbound, wechatOutbound: r.wechat_outbound,
      }));
    },

    /** WeChat waits that started in each range: how many, answered, within the target, and the answers' bins. */
    async waitCounts(ranges: readonly Range[]): Promise<WaitCounts[]> {
      if (ranges.length === 0) return [];
      const target = Prisma.raw(`interval '${FIRST_RESPONSE_TARGET_MS / 1000} seconds'`);
      const bin = Prisma.raw(responseBinSql("extract(epoch FROM answered_at - started_at)"));
      const rows = await db.$queryRaw<{ i: number; waits: number; answered: number; within: number; bins: number[] | null; counts: number[] | null }[]>`
        WITH ranges AS (${rangesSql(ranges)}), ${gapsSql("wechat_wait_days", "day", "24 hours", ["waits", "answered", "within_hour"])},
        live AS (
          SELECT g.i, w.started_at, w.answered_at FROM gaps g
          CROSS JOIN LATERAL (SELECT started_at, answered_at FROM wechat_waits
                              WHERE started_at >= lower(g.gap) AND started_at < upper(g.gap)) w
        ), live_totals AS (
          SELECT i, count(*) AS waits, count(answered_at) AS answered, count(*) FILTER (WHERE answered_at <= started_at + ${target}) AS within
          FROM live GROUP BY i
        ), bins AS (
          SELECT i, bin, sum(n)::int AS n FROM (
            SELECT r.i, u.bin, u.n FROM ranges r
            JOIN wechat_wait_days x ON x.day >= r.lo AND x.day <= r.hi - interval '24 hours'
            CROSS JOIN LATERAL unnest(x.bins, x.counts) AS u(bin, n)
            UNION ALL
            SELECT i, ${bin}, 1 FROM live WHERE answered_at IS NOT NULL
          ) b GROUP BY i, bin
        )
        SELECT c.i, (c.waits + coalesce(l.waits, 0))::int AS waits, (c.answered + coalesce(l.answered, 0))::int AS answered,
               (c.within_hour + coalesce(l.within, 0))::int AS within,
               (SELECT array_agg(b.bin ORDER BY b.bin) FROM bins b WHERE b.i = c.i) AS bins,
               (SELECT array_agg(b.n ORDER BY b.bin) FROM bins b WHERE b.i = c.i) AS counts
        FROM covered c LEFT JOIN live_totals l ON l.i = c.i ORDER BY c.i`;
      return rows.map((r) => ({
        waits: r.waits,
        answered: r.answered,
        answeredWithinTarget: r.within,
        histogram: new Map((r.bins ?? []).map((b, k) => [b, r.counts?.[k] ?? 0])),
      }));
    },

    customerActivity,

    /** New, open and converted leads of the range. */
    async leads(range: Range): Promise<LeadCounts> {
      return (await leadCounts([range]))[0] ?? { newLeads: 0, openLeads: 0, converted: 0 };
    },

    newCustomers,

    /** Orders and revenue of each local day from `fromDate` to `toDate` (inclusive, YYYY-MM-DD) in a zone. */
    async dailyRevenue(fromDate: string, toDate: string, timeZone: string): Promise<({ date: string } & OrderTotals)[]> {
      const days = daySpans(fromDate, toDate, timeZone);
      const totals = await orderTotals(days);
      return days.map((d, k) => ({ date: d.date, ...(totals[k] ?? { orders: 0, revenue: 0 }) }));
    },

    /** The analytics job's work for one rollup; run it in a transaction (it holds that rollup's lock). */
    rollUp: (kind: RollupKind) => rollUp(db, kind),
  };
}

export type AnalyticsStore = ReturnType<typeof createAnalyticsStore>;

/** Every channel with no interactions. */
export function emptyChannelCounts(): ChannelCounts {
  return { ...(Object.fromEntries(CHANNELS.map((c) => [c, 0])) as Record<Channel, number>), wechatInbound: 0, wechatOutbound: 0 };
}
