import type { FieldCipher } from "../encryption/field-cipher.js";
import { poolOf, type Db } from "../prisma.js";

/** A customer message as the webhook took it (the input of services/inbox/record-customer-message.ts). */
export interface InboundMessage {
  platform: string;
  /** The platform's id for the sender (WeChat openid). */
  senderId: string;
  senderName?: string;
  /** The platform's id of this message or event (MsgId, or sender + CreateTime for events). */
  id: string;
  at: Date;
  /** text, image, voice, video, location, link, event:subscribe, event:CLICK ... */
  kind: string;
  /** What the timeline shows: the text, or a description with the media reference. */
  body: string;
  /** Where a new contact came from (the QR scene of a subscribe). */
  source?: string;
  /**
   * The platform signed the message itself, not only the request (WeChat safe mode). A
   * destructive event (an unsubscribe that erases the person) is acted on only then: a plain-mode
   * body is covered by no signature, and a forged "unsubscribe" must not erase a real contact.
   */
  bodySigned?: boolean;
}

/** A waiting row: its id (a bigint, as a string) and its sender's keyed hash. */
export interface InboundRow {
  id: string;
  senderHash: string;
}

/**
 * Customer messages between the webhook and the worker. The webhook's one write is an INSERT …
 * ON CONFLICT DO NOTHING through the bare pg pool (no Prisma on the hot path: a push's whole cost
 * is this round trip); the worker takes one sender's rows oldest first under that sender's
 * advisory lock, records each, and deletes it in the same transaction. Nothing personal is in
 * clear: the message and sender are keyed hashes, the message itself is sealed.
 */
export function createInboundMessageStore(db: Db, cipher: FieldCipher) {
  const pool = poolOf(db);
  const messageKey = (m: Pick<InboundMessage, "platform" | "id">) => cipher.lookup("inbound-message", `${m.platform}\u0000${m.id}`)!;
  const senderHashOf = (m: Pick<InboundMessage, "senderId">) => cipher.lookup("wechat", m.senderId) ?? cipher.lookup("inbound-message", "\u0000no sender")!;
  const open = (sealed: string): InboundMessage => {
    const parsed = JSON.parse(cipher.open("inbound_messages.payload", sealed)) as Omit<InboundMessage, "at"> & { at: string };
    return { ...parsed, at: new Date(parsed.at) };
  };

  return {
    /** Stores the message once; null when it is already waiting (WeChat's retry of it). */
    async accept(message: InboundMessage): Promise<InboundRow | null> {
      const key = messageKey(message);
      const senderHash = senderHashOf(message);
      const payload = cipher.seal("inbound_messages.payload", JSON.stringify(message));
      const sql = `INSERT INTO inbound_messages (platform, message_key, sender_hash, payload_enc) VALUES ($1, $2, $3, $4)
                   ON CONFLICT (platform, message_key) DO NOTHING RETURNING id::text AS id`;
      const values = [message.platform, key, senderHash, payload];
      const rows = pool
        ? (await pool.query<{ id: string }>(sql, values)).rows
        : await db.$queryRawUnsafe<{ id: string }[]>(sql, ...values);
      return rows[0] ? { id: rows[0].id, senderHash } : null;
    },

    /**
     * The sender's oldest waiting row, with the sender's lock held to the end of the transaction
     * (call inside one): one sender's messages are recorded one at a time, in the order taken.
     */
    async takeOldest(senderHash: string): Promise<{ id: string; message: InboundMessage } | null> {
      await db.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`crm:inbound:${senderHash}`}, 0))`;
      // Ordered by the bigint column, not the text alias ("10" sorts before "9").
      const rows = await db.$queryRaw<{ id: string; payload_enc: string }[]>`
        SELECT id::text AS id, payload_enc FROM inbound_messages WHERE sender_hash = ${senderHash} ORDER BY inbound_messages.id LIMIT 1`;
      return rows[0] ? { id: rows[0].id, message: open(rows[0].payload_enc) } : null;
    },

    async remove(id: string): Promise<void> {
      await db.$executeRaw`DELETE FROM inbound_messages WHERE id = ${id}::bigint`;
    },

    /** A failed attempt, for operators: the error's kind only (its message may quote the customer). */
    async noteFailure(id: string, error: unknown): Promise<void> {
      const code = error instanceof Error ? `${error.name}${"code" in error && typeof error.code === "string" ? ` ${error.code}` : ""}` : "unknown";
      await db.$executeRaw`UPDATE inbound_messages SET attempts = attempts + 1, last_error = ${code.slice(0, 200)} WHERE id = ${id}::bigint`;
    },

    /** Rows waiting longer than `minAgeMs` (by Postgres' clock): their job may be lost. */
    async waiting(options: { minAgeMs: number; limit: number }): Promise<InboundRow[]> {
      const rows = await db.$queryRaw<{ id: string; sender_hash: string }[]>`
        SELECT id::text AS id, sender_hash FROM inbound_messages
        WHERE received_at < now() - make_interval(secs => ${options.minAgeMs / 1000}::float8)
        ORDER BY inbound_messages.id LIMIT ${options.limit}`;
      return rows.map((r) => ({ id: r.id, senderHash: r.sender_hash }));
    },

    /** Erasure: the person's messages still waiting go with them (by their openid's hashes). */
    async dropForSenders(senderHashes: readonly string[]): Promise<number> {
      if (senderHashes.length === 0) return 0;
      return db.$executeRaw`DELETE FROM inbound_messages WHERE sender_hash = ANY(${[...senderHashes]}::text[])`;
    },
  };
}
