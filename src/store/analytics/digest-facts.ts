import { LOW_SCORE_MAX } from "../../domain/surveys/survey-answer.js";
import type { Db } from "../prisma.js";

export interface RepReminders {
  userId: string;
  platform: string;
  externalId: string;
  name: string;
  count: number;
  /** The first few, soonest first: what they are about. */
  first: { text: string; customerName: string | null; dueAt: Date }[];
}

export interface StageTurn {
  customerId: string;
  customerName: string;
  ownerName: string | null;
  reason: unknown;
  changedAt: Date;
}

export interface LowScore {
  customerId: string;
  customerName: string;
  kind: "CSAT" | "NPS";
  score: number;
  comment: string | null;
  servedByName: string | null;
}

/** The few facts of the morning digest that are not period measures (those are in analytics.ts). */
export function createDigestFactStore(db: Db) {
  return {
    /** Open reminders due in [from, to), per rep, busiest first. */
    async remindersDue(from: Date, to: Date, perRep: number): Promise<RepReminders[]> {
      const rows = await db.$queryRaw<{ user_id: string; platform: string; external_id: string; name: string; count: number; first: { text: string; customer_name: string | null; due_at: string }[] }[]>`
        SELECT u.id AS user_id, u.platform, u.external_id, u.display_name AS name, count(*)::int AS count,
               to_jsonb((array_agg(jsonb_build_object('text', r.text, 'customer_name', c.name, 'due_at', r.due_at) ORDER BY r.due_at, r.id))[1:${perRep}]) AS first
        FROM reminders r
        JOIN users u ON u.id = r.user_id
        LEFT JOIN customers c ON c.id = r.customer_id
        WHERE r.status IN ('PENDING', 'FIRED') AND r.due_at >= ${from} AND r.due_at < ${to}
        GROUP BY u.id
        ORDER BY count(*) DESC, u.display_name`;
      return rows.map((r) => ({
        userId: r.user_id,
        platform: r.platform,
        externalId: r.external_id,
        name: r.name,
        count: r.count,
        first: r.first.map((f) => ({ text: f.text, customerName: f.customer_name, dueAt: new Date(f.due_at) })),
      }));
    },

    /** Customers moved to a stage in [from, to), and how many in all. */
    async turnedTo(stage: "AT_RISK" | "CHURNED", from: Date, to: Date, take: number): Promise<{ total: number; items: StageTurn[] }> {
      const [rows, total] = await Promise.all([
        db.$queryRaw<{ customer_id: string; customer_name: string; owner_name: string | null; reason: unknown; changed_at: Date }[]>`
          SELECT DISTINCT ON (s.customer_id) s.customer_id, c.name AS customer_name, u.display_name AS owner_name, s.reason, s.changed_at
          FROM customer_stage_changes s
          JOIN customers c ON c.id = s.customer_id
          LEFT JOIN users u ON u.id = c.owner_id
          WHERE s.to_stage = ${stage}::"Stage" AND s.changed_at >= ${from} AND s.changed_at < ${to}
          ORDER BY s.customer_id, s.changed_at DESC`,
        db.$queryRaw<{ n: number }[]>`
          SELECT count(DISTINCT customer_id)::int AS n FROM customer_stage_changes
          WHERE to_stage = ${stage}::"Stage" AND changed_at >= ${from} AND changed_at < ${to}`,
      ]);
      const items = rows
        .sort((a, b) => a.customer_name.localeCompare(b.customer_name))
        .slice(0, take)
        .map((r) => ({ customerId: r.customer_id, customerName: r.customer_name, ownerName: r.owner_name, reason: r.reason, changedAt: r.changed_at }));
      return { total: total[0]?.n ?? 0, items };
    },

    /** Low survey scores answered in [from, to), lowest first, the first `take` of `total`. */
    async lowScores(from: Date, to: Date, take: number): Promise<{ total: number; items: LowScore[] }> {
      const rows = await db.$queryRaw<{ customer_id: string; customer_name: string; kind: "CSAT" | "NPS"; score: number; comment: string | null; served_by: string | null; total: number }[]>`
        SELECT c.id::text AS customer_id, c.name AS customer_name, s.kind, s.score, s.comment, u.display_name AS served_by,
               count(*) OVER ()::int AS total
        FROM surveys s
        JOIN customers c ON c.id = s.customer_id
        LEFT JOIN users u ON u.id = s.served_by_id
        WHERE s.status = 'ANSWERED' AND s.answered_at >= ${from} AND s.answered_at < ${to}
          AND ((s.kind = 'CSAT' AND s.score <= ${LOW_SCORE_MAX.CSAT}) OR (s.kind = 'NPS' AND s.score <= ${LOW_SCORE_MAX.NPS}))
        ORDER BY s.kind, s.score, s.answered_at
        LIMIT ${take}`;
      return { total: rows[0]?.total ?? 0, items: rows.map((r) => ({ customerId: r.customer_id, customerName: r.customer_name, kind: r.kind, score: r.score, comment: r.comment, servedByName: r.served_by })) };
    },
  };
}

export type DigestFactStore = ReturnType<typeof createDigestFactStore>;
