import type { Db } from "../prisma.js";
import { unroll } from "../analytics/rollups.js";

/**
 * WeChat waits (wechat_waits), kept on the write path: a customer's inbound WeChat message that
 * is their first, or the first after the team's last outbound one, starts a wait; the team's next
 * outbound WeChat message to them ends it (domain/measures.ts). Messages are ordered by time,
 * then id, so a tie is broken the same way every time. A reply that WeChat refused (undelivered)
 * answers nothing, and a customer's reply to a survey (score, comment, opt-out) asks nothing:
 * reps do not answer a score, so both are left out of the conversation altogether.
 *
 * Every new inbound or outbound WeChat message re-derives its contact's waits from the last one
 * it can change on: an inbound message from the contact's last wait that started before it, an
 * outbound one from the last wait still open at its time (none: it changes nothing). Earlier
 * waits stay as they are, because a later wait start means an answer came in between. So a
 * message as it arrives re-reads the current conversation only, and a backdated one re-reads
 * from the wait it lands in. The contact's messages are serialised by an advisory lock, so two
 * messages of one contact never derive from snapshots that miss each other.
 */

/** The advisory-lock namespace of a contact's waits (pg_advisory_xact_lock(namespace, hash)). */
const WAITS_LOCK = 7_462_002;

/** The derivation over a set of WeChat messages (`seq`: contact_id, id, occurred_at, direction). */
const DERIVE = `
  SELECT DISTINCT ON (contact_id, occurred_at) contact_id, occurred_at AS started_at, answer AS answered_at
  FROM (
    SELECT contact_id, occurred_at, direction,
           lag(direction) OVER (PARTITION BY contact_id ORDER BY occurred_at, id) AS before,
           min(occurred_at) FILTER (WHERE direction = 'OUTBOUND')
             OVER (PARTITION BY contact_id ORDER BY occurred_at DESC, id DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS answer
    FROM seq
  ) x
  WHERE direction = 'INBOUND' AND before IS DISTINCT FROM 'INBOUND'
  ORDER BY contact_id, occurred_at, answer`;

/**
 * Inbound and outbound WeChat messages of a contact, deleted ones left out. Events (follow, unfollow, menu clicks) are
 * interactions too but nobody waits for an answer to them; the webhook stores them under ids
 * that end in their kind (adapters/wechat/to-message.ts: "<sender>:<time>:event:subscribe").
 * `alias` is the interactions table's alias with its dot ("i.").
 */
const WECHAT_MESSAGES = (alias: string) =>
  `${alias}channel = 'WECHAT' AND ${alias}direction IN ('INBOUND', 'OUTBOUND') AND ${alias}contact_id IS NOT NULL
   AND (${alias}source_id IS NULL OR ${alias}source_id NOT LIKE '%:event:%') AND ${alias}undelivered IS NULL
   AND ${alias}survey_reply IS NULL AND ${alias}deleted_at IS NULL`;

/** Rebuilds every contact's waits from the interactions, set-based (bulk loads, the migration). */
export const REBUILD_WECHAT_WAITS_SQL = `
  INSERT INTO wechat_waits (contact_id, started_at, answered_at)
  -- all-rows: WECHAT_MESSAGES leaves deleted rows out itself.
  WITH seq AS (SELECT i.contact_id, i.id, i.occurred_at, i.direction FROM interactions i WHERE ${WECHAT_MESSAGES("i.")})
  ${DERIVE}
  ON CONFLICT (contact_id, started_at) DO UPDATE SET answered_at = EXCLUDED.answered_at`;

/**
 * Brings a contact's waits up to date after a WeChat message of theirs (or to them) was
 * recorded, marked undelivered or read as a survey reply in this transaction, and un-rolls the
 * days whose waits changed. An outbound message re-derives from the wait it answers or leaves
 * open (answered_at >= its time), so one that no longer counts hands the wait on.
 */
export async function refreshWaits(db: Db, message: { contactId: string; at: Date; direction: "INBOUND" | "OUTBOUND" }): Promise<void> {
  const { contactId, at, direction } = message;
  await db.$executeRaw`SELECT pg_advisory_xact_lock(${WAITS_LOCK}::int, hashtext(${contactId}))`;
  // Rows the upsert changes and rows the delete removes are disjoint (the delete keeps every
  // start the derivation still has), so one statement can do both.
  const changed = await db.$queryRawUnsafe<{ started_at: Date }[]>(
    `WITH anchor AS (
       SELECT CASE WHEN $3 = 'INBOUND' THEN coalesce(max(started_at), '-infinity')
                   ELSE max(started_at) FILTER (WHERE answered_at IS NULL OR answered_at >= $2) END AS at
       FROM wechat_waits WHERE contact_id = $1::uuid AND started_at <= $2
     ), seq AS (
       -- all-rows: WECHAT_MESSAGES leaves deleted rows out itself.
       SELECT i.contact_id, i.id, i.occurred_at, i.direction FROM interactions i, anchor
       WHERE i.contact_id = $1::uuid AND ${WECHAT_MESSAGES("i.")} AND i.occurred_at >= anchor.at
     ), fresh AS (${DERIVE}
     ), old AS (
       SELECT w.started_at, w.answered_at FROM wechat_waits w, anchor WHERE w.contact_id = $1::uuid AND w.started_at >= anchor.at
     ), gone AS (
       DELETE FROM wechat_waits w USING anchor
       WHERE w.contact_id = $1::uuid AND w.started_at >= anchor.at AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.started_at = w.started_at)
       RETURNING w.started_at
     ), added AS (
       INSERT INTO wechat_waits (contact_id, started_at, answered_at)
       SELECT $1::uuid, f.started_at, f.answered_at FROM fresh f
       WHERE NOT EXISTS (SELECT 1 FROM old o WHERE o.started_at = f.started_at AND o.answered_at IS NOT DISTINCT FROM f.answered_at)
       ON CONFLICT (contact_id, started_at) DO UPDATE SET answered_at = EXCLUDED.answered_at
       RETURNING started_at
     )
     SELECT started_at FROM gone UNION SELECT started_at FROM added`,
    contactId,
    at,
    direction,
  );
  if (changed.length > 0) await unroll(db, "waitDays", changed.map((r) => r.started_at));
}

/**
 * A customer's WeChat message, recorded in this transaction, was read as a reply to a survey (an
 * answer, a comment, an opt-out): it is recorded as such and the wait it started goes.
 */
export async function markSurveyReply(db: Db, reply: { interactionId: string; contactId: string; at: Date; reading: "answer" | "comment" | "opt-out" }): Promise<void> {
  await db.$executeRaw`UPDATE interactions SET survey_reply = ${reply.reading} WHERE id = ${reply.interactionId}::uuid`;
  await refreshWaits(db, { contactId: reply.contactId, at: reply.at, direction: "INBOUND" });
}
