import type { OutboxStatus, Prisma } from "@prisma/client";
import type { Db } from "../prisma.js";
import { TERMINAL_PLATFORM } from "../../domain/terminal-platform.js";
import type { FieldCipher } from "../encryption/field-cipher.js";

export interface OutboxRow {
  id: string;
  platform: string;
  destination: string;
  payload: unknown;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
}

/** last_error of a row whose worker died mid-delivery: the next attempt checks before sending. */
export const INTERRUPTED = "interrupted: the worker stopped during delivery";

/** Start of last_error of a row whose last attempt got no answer from the platform: the next attempt asks it first. */
export const UNCERTAIN = "uncertain: no answer from the platform, asked before sending again: ";

/**
 * The next attempt must ask the platform whether the message arrived before sending it. The
 * marker is the first line of last_error: a slot booked meanwhile is a line after it.
 */
export function asksFirst(lastError: string | null): boolean {
  const first = lastError?.split("\n", 1)[0] ?? "";
  return first === INTERRUPTED || first.startsWith(UNCERTAIN);
}

/** last_error of a row that booked a send slot (Slack's one message per second per channel) and waits for it. */
export const SLOT_BOOKED = "waiting for its send slot at ";

/** The time of the send slot this row booked earlier, if any (its own line of last_error). */
export function bookedSlot(lastError: string | null): number | undefined {
  const line = lastError?.split("\n").find((l) => l.startsWith(SLOT_BOOKED));
  return line ? Number(line.slice(SLOT_BOOKED.length)) : undefined;
}

/**
 * Who claims a row: this job attempt's token, and the tokens of attempts it takes over from
 * because they have ended for sure (the same job's attempt before, which failed; a reminder job
 * whose own send broke and handed the row to this delivery job). Never its own token: a job
 * that BullMQ thinks stalled runs again under the same attempt while the first may still be
 * sending.
 */
export interface ClaimHolder {
  token: string;
  retake?: readonly string[];
}

const select = { id: true, platform: true, destination: true, destinationEnc: true, payload: true, status: true, attempts: true, nextAttemptAt: true, lastError: true } as const;

/**
 * Platforms whose destination is a person's id (a WeChat openid): sealed in destination_enc with
 * its keyed hash, destination left null. Slack channel and user ids and terminal reps stay plain.
 * Payloads hold no personal data to begin with: they are references (ids) rendered at delivery
 * (domain/notification-payload.ts), so a card's phone is never written here.
 */
const SEALED_DESTINATIONS: ReadonlySet<string> = new Set(["wechat"]);

/** What rows give back: the destination, opened when it is sealed ("" for one erased). */
function withDestination<T extends { destination: string | null; destinationEnc: string | null }>(cipher: FieldCipher, row: T): Omit<T, "destination" | "destinationEnc"> & { destination: string } {
  const { destination, destinationEnc, ...rest } = row;
  return { ...rest, destination: destinationEnc !== null ? cipher.open("outbox.destination", destinationEnc) : (destination ?? "") };
}

export function createOutboxStore(db: Db, cipher: FieldCipher) {
  return {
    /** Queues a message once per dedupe key; a second call for the same cause returns the first row. */
    async enqueue(input: { platform: string; destination: string; payload: Prisma.InputJsonValue; dedupeKey: string; at: Date }): Promise<{ id: string; created: boolean }> {
      const sealed = SEALED_DESTINATIONS.has(input.platform);
      const destination = sealed ? null : input.destination;
      const destinationEnc = sealed ? cipher.seal("outbox.destination", input.destination) : null;
      const destinationHash = sealed ? cipher.lookup("wechat", input.destination) : null;
      const rows = await db.$queryRaw<{ id: string }[]>`
        INSERT INTO outbox (id, platform, destination, destination_enc, destination_hash, payload, dedupe_key, next_attempt_at, updated_at)
        VALUES (gen_random_uuid(), ${input.platform}, ${destination}, ${destinationEnc}, ${destinationHash}, ${JSON.stringify(input.payload)}::jsonb, ${input.dedupeKey}, ${input.at}, now())
        ON CONFLICT (dedupe_key) DO NOTHING
        RETURNING id`;
      if (rows[0]) return { id: rows[0].id, created: true };
      const existing = await db.outboxMessage.findUniqueOrThrow({ where: { dedupeKey: input.dedupeKey }, select: { id: true } });
      return { id: existing.id, created: false };
    },

    /** A message for this cause is queued already (in any state). */
    async isQueued(dedupeKey: string): Promise<boolean> {
      return (await db.outboxMessage.findUnique({ where: { dedupeKey }, select: { id: true } })) !== null;
    },

    async get(id: string): Promise<OutboxRow | null> {
      const row = await db.outboxMessage.findUnique({ where: { id }, select });
      return row ? withDestination(cipher, row) : null;
    },

    /**
     * PENDING -> SENDING for one delivery attempt, when due; only one worker gets the row.
     * Workers claim every platform's rows but the terminal's, the demo only the terminal's
     * (domain/terminal-platform.ts): a row the caller cannot deliver stays as it is.
     */
    async claim(id: string, now: Date, forTerminal = false, holder?: ClaimHolder): Promise<(OutboxRow & { createdAt: Date }) | null> {
      // A row still SENDING under a token the holder takes over from was left by an attempt that
      // broke before settling: taken back as interrupted, so the platform is asked first whether
      // that attempt's message arrived.
      const own = [...(holder?.retake ?? [])];
      const rows = await db.$queryRaw<(Omit<OutboxRow, "destination"> & { destination: string | null; destinationEnc: string | null; createdAt: Date })[]>`
        UPDATE outbox SET status = 'SENDING', attempts = attempts + 1, updated_at = now(), claim_token = ${holder?.token ?? null},
               last_error = CASE WHEN status = 'SENDING' THEN ${INTERRUPTED} ELSE last_error END
        WHERE id = ${id}::uuid
          AND ((status = 'PENDING' AND next_attempt_at <= ${now}::timestamptz + interval '1 second')
               OR (status = 'SENDING' AND claim_token = ANY(${own}::text[])))
          AND (platform = ${TERMINAL_PLATFORM}) = ${forTerminal}
        RETURNING id, platform, destination, destination_enc AS "destinationEnc", payload, status, attempts, next_attempt_at AS "nextAttemptAt", last_error AS "lastError", created_at AS "createdAt"`;
      return rows[0] ? withDestination(cipher, rows[0]) : null;
    },

    /**
     * SENDING -> PENDING without counting the attempt: it waits for its send slot (booked for
     * `at`, and remembered so the next attempt uses it instead of booking another), for the end
     * of a rate limit's pause, or for something it depends on.
     */
    async release(id: string, at: Date, slotBooked = false): Promise<void> {
      const marker = slotBooked ? `${SLOT_BOOKED}${at.getTime()}` : null;
      // A row that must ask the platform first keeps that (its first line) and remembers its
      // slot below it: forgetting the slot, it would book another at every turn and never go.
      await db.$executeRaw`
        UPDATE outbox SET status = 'PENDING', attempts = attempts - 1, next_attempt_at = ${at}, updated_at = now(),
               last_error = CASE
                 WHEN ${marker}::text IS NULL THEN last_error
                 WHEN split_part(last_error, chr(10), 1) = ${INTERRUPTED} OR starts_with(last_error, ${UNCERTAIN}) THEN split_part(last_error, chr(10), 1) || chr(10) || ${marker}
                 ELSE ${marker} END
        WHERE id = ${id}::uuid AND status = 'SENDING'`;
    },

    async postpone(id: string, at: Date): Promise<void> {
      await db.outboxMessage.updateMany({ where: { id, status: "PENDING" }, data: { nextAttemptAt: at } });
    },

    async markSent(id: string, externalId: string | undefined, now: Date): Promise<void> {
      await db.$executeRaw`
        UPDATE outbox SET status = 'SENT', sent_at = ${now}, external_id = ${externalId ?? null}, last_error = NULL, updated_at = now()
        WHERE id = ${id}::uuid`;
    },

    async markRetry(id: string, at: Date, error: string): Promise<void> {
      await db.outboxMessage.update({ where: { id }, data: { status: "PENDING", nextAttemptAt: at, lastError: error.slice(0, 1000) } });
    },

    async markFailed(id: string, error: string): Promise<void> {
      await db.outboxMessage.update({ where: { id }, data: { status: "FAILED", lastError: error.slice(0, 1000) } });
    },

    /**
     * Pending messages due before `until`, for the reconcile pass and the sweep; not the
     * terminal's, which no worker delivers (see claim).
     */
    async pendingDueBefore(until: Date, take: number, after?: string): Promise<{ id: string; nextAttemptAt: Date }[]> {
      return db.outboxMessage.findMany({
        where: { status: "PENDING", nextAttemptAt: { lte: until }, platform: { not: TERMINAL_PLATFORM }, ...(after ? { id: { gt: after } } : {}) },
        orderBy: { id: "asc" },
        take,
        select: { id: true, nextAttemptAt: true },
      });
    },

    /**
     * SENDING rows untouched for longer than `staleMs` belong to a worker that died mid-delivery:
     * they go back to PENDING (delivery is at-least-once; see deliver-outbox.ts). Rows merged
     * into another's post stay with it while it is unsettled: its next attempt asks Slack
     * whether that post arrived, and it carried them; released on their own, they would be
     * posted a second time. Ones whose post row is gone or settled without them go back too.
     */
    async releaseStale(staleMs: number): Promise<number> {
      return db.$executeRaw`
        UPDATE outbox o SET status = 'PENDING', next_attempt_at = now(), last_error = ${INTERRUPTED}, coalesced_into = NULL, updated_at = now()
        WHERE o.status = 'SENDING' AND o.updated_at < now() - (${staleMs} * interval '1 millisecond')
          AND (o.coalesced_into IS NULL
               OR NOT EXISTS (SELECT 1 FROM outbox l WHERE l.id = o.coalesced_into AND l.status IN ('PENDING', 'SENDING')))`;
    },

    /**
     * The inbox messages for the same Slack thread still waiting, taken into the post of row
     * `leaderId` (SENDING, pointing at it), with the ones it took at an earlier attempt: oldest
     * first, at most `max` in all. Rows another worker holds are left for their own post.
     */
    async coalesceInbox(leaderId: string, destination: string, threadId: string, max: number): Promise<{ id: string; payload: unknown; createdAt: Date }[]> {
      const taken = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM outbox WHERE coalesced_into = ${leaderId}::uuid AND status = 'SENDING'`;
      const room = max - (taken[0]?.n ?? 0);
      if (room > 0) {
        await db.$executeRaw`
          UPDATE outbox SET status = 'SENDING', coalesced_into = ${leaderId}::uuid, updated_at = now()
          WHERE id IN (
            SELECT id FROM outbox
            WHERE status = 'PENDING' AND payload->>'type' = 'inbox.message' AND payload->>'threadId' = ${threadId}
              AND platform = 'slack' AND destination = ${destination} AND id <> ${leaderId}::uuid
              -- A row waiting with messages merged into it keeps them: taken here, they would be
              -- marked sent with it without being in this post.
              AND NOT EXISTS (SELECT 1 FROM outbox f WHERE f.coalesced_into = outbox.id AND f.status = 'SENDING')
            ORDER BY created_at, id
            LIMIT ${room}
            FOR UPDATE SKIP LOCKED)
            AND status = 'PENDING'`;
      }
      return db.$queryRaw<{ id: string; payload: unknown; createdAt: Date }[]>`
        SELECT id, payload, created_at AS "createdAt" FROM outbox WHERE coalesced_into = ${leaderId}::uuid AND status = 'SENDING'
        ORDER BY created_at, id`;
    },

    /**
     * The oldest inbox message still waiting for the same thread before row `id` (created
     * earlier), if any: that one's post will carry this one.
     */
    async earlierInboxWaiting(id: string, destination: string, threadId: string): Promise<{ id: string; nextAttemptAt: Date } | null> {
      const rows = await db.$queryRaw<{ id: string; nextAttemptAt: Date }[]>`
        SELECT o.id, o.next_attempt_at AS "nextAttemptAt" FROM outbox o, outbox me
        WHERE me.id = ${id}::uuid AND o.status = 'PENDING' AND o.payload->>'type' = 'inbox.message' AND o.payload->>'threadId' = ${threadId}
          AND o.platform = 'slack' AND o.destination = ${destination} AND o.id <> me.id
          AND (o.created_at, o.id) < (me.created_at, me.id)
        ORDER BY o.created_at, o.id LIMIT 1`;
      return rows[0] ?? null;
    },

    /**
     * Settles the rows merged into `leaderId`'s post with it: sent with its Slack ts, or failed
     * with its reason. Called in the leader's settling transaction.
     */
    async settleCoalesced(leaderId: string, result: { sent: true; externalId: string | undefined; at: Date } | { sent: false; reason: string }): Promise<number> {
      if (result.sent) {
        return db.$executeRaw`
          UPDATE outbox SET status = 'SENT', sent_at = ${result.at}, external_id = ${result.externalId ?? null}, last_error = NULL, updated_at = now()
          WHERE coalesced_into = ${leaderId}::uuid AND status = 'SENDING'`;
      }
      return db.$executeRaw`
        UPDATE outbox SET status = 'FAILED', last_error = ${result.reason.slice(0, 1000)}, updated_at = now()
        WHERE coalesced_into = ${leaderId}::uuid AND status = 'SENDING'`;
    },

    /** Messages waiting for one person at the terminal and due by `until`, oldest first. */
    async pendingForTerminal(destination: string, until: Date, take: number): Promise<{ id: string }[]> {
      return db.outboxMessage.findMany({
        where: { platform: TERMINAL_PLATFORM, destination, status: "PENDING", nextAttemptAt: { lte: until } },
        orderBy: [{ nextAttemptAt: "asc" }, { id: "asc" }],
        take,
        select: { id: true },
      });
    },

    /** A failed message back in the queue for a fresh round of attempts (an admin's retry). */
    async requeue(id: string, now: Date): Promise<boolean> {
      const { count } = await db.outboxMessage.updateMany({ where: { id, status: "FAILED" }, data: { status: "PENDING", attempts: 0, nextAttemptAt: now } });
      return count > 0;
    },

    /** A page of the messages that failed for good, newest first, and how many there are. */
    async listFailed(take: number, skip = 0): Promise<{ messages: (OutboxRow & { updatedAt: Date })[]; total: number }> {
      const where = { status: "FAILED" as const };
      const [messages, total] = await Promise.all([
        db.outboxMessage.findMany({ where, orderBy: [{ updatedAt: "desc" }, { id: "asc" }], take, skip, select: { ...select, updatedAt: true } }),
        db.outboxMessage.count({ where }),
      ]);
      return { messages: messages.map((m) => withDestination(cipher, m)), total };
    },
  };
}

export type OutboxStore = ReturnType<typeof createOutboxStore>;
