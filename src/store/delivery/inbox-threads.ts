import type { FieldCipher } from "../encryption/field-cipher.js";
import type { Db } from "../prisma.js";
import { createSurveyStore } from "../surveys.js";

export interface InboxThreadView {
  id: string;
  channel: string;
  threadTs: string | null;
  /** Status of the header's outbox row: the thread exists in Slack once it is SENT. */
  headerStatus: string | null;
  contact: {
    id: string;
    name: string;
    wechatOpenId: string | null;
    unsubscribedAt: Date | null;
    erasedAt: Date | null;
  };
  customerId: string;
  /** The customer's latest message to us: WeChat's customer-service window runs from it. */
  lastInboundAt: Date | null;
  /** Our messages to the customer since then (WeChat allows five). */
  outboundSinceInbound: number;
}

/**
 * WeChat conversations mirrored into a Slack inbox channel (the default one, or the one its
 * customer's owner or team is routed to). A conversation continues while
 * the customer keeps writing within `quietMs` of their previous message; after that, their
 * next message opens a new thread, so the channel shows it at the bottom.
 */
export function createInboxThreadStore(db: Db, cipher: FieldCipher) {
  const surveys = createSurveyStore(db, cipher);
  return {
    async continueOrOpen(input: { contactId: string; channel: string; at: Date; quietMs: number }): Promise<{ id: string; opened: boolean }> {
      // Two first messages of one person, stored at once, must not open two threads.
      await db.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('inbox-thread'), hashtext(${input.contactId}))`;
      const since = new Date(input.at.getTime() - input.quietMs);
      const rows = await db.$queryRaw<{ id: string }[]>`
        UPDATE inbox_threads SET last_message_at = GREATEST(last_message_at, ${input.at})
        WHERE id = (SELECT id FROM inbox_threads WHERE contact_id = ${input.contactId}::uuid AND channel = ${input.channel}
                    AND last_message_at >= ${since} ORDER BY opened_at DESC LIMIT 1)
        RETURNING id`;
      if (rows[0]) return { id: rows[0].id, opened: false };
      const created = await db.inboxThread.create({
        data: { contactId: input.contactId, channel: input.channel, openedAt: input.at, lastMessageAt: input.at },
        select: { id: true },
      });
      return { id: created.id, opened: true };
    },

    async setHeader(threadId: string, outboxId: string): Promise<void> {
      await db.inboxThread.update({ where: { id: threadId }, data: { headerOutboxId: outboxId } });
    },

    /** The header arrived in Slack: its ts is the thread's. */
    async headerSent(outboxId: string, threadTs: string): Promise<void> {
      await db.inboxThread.updateMany({ where: { headerOutboxId: outboxId }, data: { threadTs } });
    },

    async get(threadId: string): Promise<InboxThreadView | null> {
      const rows = await db.$queryRaw<
        {
          id: string; channel: string; thread_ts: string | null; header_status: string | null; contact_id: string; contact_name: string;
          wechat_open_id_enc: string | null; unsubscribed_at: Date | null; erased_at: Date | null; customer_id: string;
        }[]
      >`
        SELECT t.id, t.channel, t.thread_ts, o.status::text AS header_status, c.id AS contact_id, c.name AS contact_name,
               c.wechat_open_id_enc, c.unsubscribed_at, c.erased_at, c.customer_id
        FROM inbox_threads t
        -- Removed contacts too: a thread is a conversation that happened (a contact on WeChat cannot be removed).
        JOIN contacts c ON c.id = t.contact_id
        LEFT JOIN outbox o ON o.id = t.header_outbox_id
        WHERE t.id = ${threadId}::uuid`;
      const r = rows[0];
      if (!r) return null;
      const window = await surveys.windowFacts(r.contact_id);
      return {
        id: r.id,
        channel: r.channel,
        threadTs: r.thread_ts,
        headerStatus: r.header_status,
        contact: { id: r.contact_id, name: r.contact_name, wechatOpenId: cipher.openOrNull("contacts.wechat_open_id", r.wechat_open_id_enc), unsubscribedAt: r.unsubscribed_at, erasedAt: r.erased_at },
        customerId: r.customer_id,
        lastInboundAt: window.lastInboundAt,
        outboundSinceInbound: window.outboundSince,
      };
    },

    /** The conversation a Slack thread mirrors, if it is one of ours. */
    async findBySlackThread(channel: string, threadTs: string): Promise<string | null> {
      const row = await db.inboxThread.findUnique({ where: { channel_threadTs: { channel, threadTs } }, select: { id: true } });
      return row?.id ?? null;
    },

    /** The Slack channel a conversation's thread is in (conversations may be routed to several). */
    async channelOf(threadId: string): Promise<string | null> {
      const row = await db.inboxThread.findUnique({ where: { id: threadId }, select: { channel: true } });
      return row?.channel ?? null;
    },

    /** The contact's latest thread in any inbox channel, and that channel. */
    async latestAnywhere(contactId: string): Promise<{ id: string; channel: string } | null> {
      return db.inboxThread.findFirst({ where: { contactId }, orderBy: { openedAt: "desc" }, select: { id: true, channel: true } });
    },

    /** The contact's latest thread in a channel (where to say what happened to a reply). */
    async latestFor(contactId: string, channel: string): Promise<string | null> {
      const row = await db.inboxThread.findFirst({ where: { contactId, channel }, orderBy: { openedAt: "desc" }, select: { id: true } });
      return row?.id ?? null;
    },
  };
}
