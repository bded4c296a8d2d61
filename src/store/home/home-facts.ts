import type { ReminderKind, ReminderStatus } from "@prisma/client";
import type { Prisma } from "../prisma.js";
import type { Db } from "../prisma.js";
import type { ReminderView } from "../reminders.js";

/**
 * What a rep's Home shows, each part in one statement: the Home is published again after every
 * button pressed on it, so it stays a handful of indexed reads (reminders by user, customers by
 * owner, open deals by owner and stage, unanswered WeChat waits).
 */

export interface AtRiskCustomer {
  id: string;
  name: string;
  /** When a stage change last made it at risk (none when it was set so before changes were kept). */
  since: Date | null;
  /** The rule and its figures, as the stage change recorded it. */
  reason: unknown;
}

export interface OpenDealFact {
  id: string;
  createdAt: Date;
  stage: string;
  /** In the base currency, as a decimal string; null without an amount. */
  baseAmount: string | null;
  expectedCloseAt: Date | null;
}

export interface WaitingConversation {
  contactId: string;
  contactName: string;
  customerId: string;
  customerName: string;
  /** The customer's first message the team has not answered yet. */
  since: Date;
  /** The conversation's thread in the Slack inbox, once its header is posted. */
  thread: { channel: string; ts: string } | null;
}

export interface StageRow {
  key: string;
  nameEn: string;
  nameZh: string;
  probability: number;
}

/** The advisory-lock namespace of one rep's Home publishes. */
const HOME_LOCK = 7_462_003;

export function createHomeStore(db: Db) {
  return {
    /** A rep's open reminders due before `until` (overdue and fired ones included), soonest first, and how many there are. */
    async dueReminders(userId: string, until: Date, take: number): Promise<{ reminders: ReminderView[]; total: number }> {
      const rows = await db.$queryRaw<{
        id: string; user_id: string; customer_id: string | null; customer_name: string | null; kind: ReminderKind; text: string; due_at: Date; status: ReminderStatus; late: boolean; detail: Prisma.JsonValue; total: number;
      }[]>`
        SELECT r.id, r.user_id, r.customer_id, c.name AS customer_name, r.kind, r.text, r.due_at, r.status, r.late, r.detail, count(*) OVER ()::int AS total
        FROM reminders r LEFT JOIN customers c ON c.id = r.customer_id
        WHERE r.user_id = ${userId}::uuid AND r.status IN ('PENDING', 'FIRED') AND r.due_at < ${until}
        ORDER BY r.due_at, r.id
        LIMIT ${take}`;
      return {
        reminders: rows.map((r) => ({
          id: r.id, userId: r.user_id, customerId: r.customer_id, customerName: r.customer_name, kind: r.kind, text: r.text, dueAt: r.due_at, status: r.status, late: r.late, detail: r.detail,
        })),
        total: rows[0]?.total ?? 0,
      };
    },

    /** The owner's customers at risk, the latest to turn so first, and how many there are. */
    async atRiskCustomers(ownerId: string, take: number): Promise<{ customers: AtRiskCustomer[]; total: number }> {
      const rows = await db.$queryRaw<{ id: string; name: string; since: Date | null; reason: unknown; total: number }[]>`
        SELECT c.id, c.name, sc.changed_at AS since, sc.reason, count(*) OVER ()::int AS total
        FROM customers c
        LEFT JOIN LATERAL (
          SELECT changed_at, reason FROM customer_stage_changes
          WHERE customer_id = c.id AND to_stage = 'AT_RISK' ORDER BY changed_at DESC LIMIT 1
        ) sc ON true
        WHERE c.owner_id = ${ownerId}::uuid AND c.stage = 'AT_RISK'
        ORDER BY sc.changed_at DESC NULLS LAST, c.name, c.id
        LIMIT ${take}`;
      return { customers: rows.map(({ total: _total, ...c }) => c), total: rows[0]?.total ?? 0 };
    },

    /** The owner's open deals (live ones), as the pipeline's measures read them. */
    async openDeals(ownerId: string): Promise<OpenDealFact[]> {
      const rows = await db.$queryRaw<{ id: string; created_at: Date; stage: string; base_amount: string | null; expected_close_at: Date | null }[]>`
        SELECT id, created_at, stage, base_amount::text AS base_amount, expected_close_at
        FROM deals WHERE owner_id = ${ownerId}::uuid AND deleted_at IS NULL AND status = 'OPEN'`;
      return rows.map((r) => ({ id: r.id, createdAt: r.created_at, stage: r.stage, baseAmount: r.base_amount, expectedCloseAt: r.expected_close_at }));
    },

    /** The open stages an admin set, in order (none: the defaults). */
    async pipelineStages(): Promise<StageRow[]> {
      const rows = await db.pipelineStage.findMany({ orderBy: { position: "asc" }, select: { key: true, nameEn: true, nameZh: true, probability: true } });
      return rows;
    },

    /**
     * WeChat conversations of the owner's customers whose last message is the customer's (an
     * open wait), the longest waiting first, and how many there are.
     */
    async waitingConversations(ownerId: string, take: number): Promise<{ conversations: WaitingConversation[]; total: number }> {
      const rows = await db.$queryRaw<{ contact_id: string; contact_name: string; customer_id: string; customer_name: string; since: Date; channel: string | null; thread_ts: string | null; total: number }[]>`
        SELECT w.contact_id, k.name AS contact_name, c.id AS customer_id, c.name AS customer_name, w.started_at AS since, t.channel, t.thread_ts, count(*) OVER ()::int AS total
        FROM wechat_waits w
        JOIN contacts k ON k.id = w.contact_id
        JOIN customers c ON c.id = k.customer_id
        LEFT JOIN LATERAL (
          SELECT channel, thread_ts FROM inbox_threads WHERE contact_id = k.id ORDER BY opened_at DESC LIMIT 1
        ) t ON true
        WHERE w.answered_at IS NULL AND c.owner_id = ${ownerId}::uuid AND k.deleted_at IS NULL
        ORDER BY w.started_at, w.contact_id
        LIMIT ${take}`;
      return {
        conversations: rows.map((r) => ({
          contactId: r.contact_id, contactName: r.contact_name, customerId: r.customer_id, customerName: r.customer_name, since: r.since,
          thread: r.channel && r.thread_ts ? { channel: r.channel, ts: r.thread_ts } : null,
        })),
        total: rows[0]?.total ?? 0,
      };
    },

    /**
     * Takes the rep's other Home publishes still waiting into the one about to be rendered
     * (`leaderId`): it is rendered after they were asked for, so it answers them. They point at
     * it, SENDING, and end as it ends (outbox.settleCoalesced), as inbox messages merged into a post do.
     */
    async absorbPublishes(leaderId: string, repId: string): Promise<number> {
      return db.$executeRaw`
        UPDATE outbox SET status = 'SENDING', coalesced_into = ${leaderId}::uuid, updated_at = now()
        WHERE id IN (
          SELECT id FROM outbox
          WHERE status = 'PENDING' AND payload->>'type' = 'home.publish' AND payload->>'repId' = ${repId} AND id <> ${leaderId}::uuid
          FOR UPDATE SKIP LOCKED)
          AND status = 'PENDING'`;
    },

    /**
     * Home publishes finished (sent or failed, with what they took in) before `before`: every
     * open of the tab leaves one, and nothing reads them once done. At most `limit` per call.
     */
    async dropFinishedPublishes(before: Date, limit: number): Promise<number> {
      return db.$executeRaw`
        DELETE FROM outbox WHERE id IN (
          SELECT id FROM outbox
          WHERE payload->>'type' = 'home.publish' AND status IN ('SENT', 'FAILED') AND updated_at < ${before}
          LIMIT ${limit})`;
    },

    /**
     * Queues a publish of the rep's Home unless one is waiting to go already: that one renders
     * the Home as it is when it is delivered, so it stands for this request too. A row being
     * sent (or sent) may show the Home from before the change that asks again, so it does not
     * count. Call inside a transaction: the lock makes two requests at once queue one row.
     */
    async enqueuePublish(input: { repId: string; platform: string; destination: string; at: Date; dedupeKey: string }): Promise<{ id: string; created: boolean }> {
      await db.$executeRaw`SELECT pg_advisory_xact_lock(${HOME_LOCK}::int, hashtext(${input.repId}))`;
      const waiting = await db.$queryRaw<{ id: string }[]>`
        SELECT id FROM outbox
        WHERE status = 'PENDING' AND platform = ${input.platform} AND destination = ${input.destination}
          AND payload->>'type' = 'home.publish' AND payload->>'repId' = ${input.repId}
        LIMIT 1`;
      if (waiting[0]) return { id: waiting[0].id, created: false };
      const payload = JSON.stringify({ type: "home.publish", repId: input.repId });
      const rows = await db.$queryRaw<{ id: string }[]>`
        INSERT INTO outbox (id, platform, destination, payload, dedupe_key, next_attempt_at, updated_at)
        VALUES (gen_random_uuid(), ${input.platform}, ${input.destination}, ${payload}::jsonb, ${input.dedupeKey}, ${input.at}, now())
        RETURNING id`;
      return { id: rows[0]!.id, created: true };
    },
  };
}

export type HomeStore = ReturnType<typeof createHomeStore>;
