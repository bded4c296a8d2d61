import type { Channel, Direction } from "@prisma/client";
import { LIVE } from "../live-rows.js";
import type { Db } from "../prisma.js";
import { unroll } from "../analytics/rollups.js";
import { refreshWaits } from "../delivery/wechat-waits.js";

export interface NewInteraction {
  customerId: string;
  authorId: string | null;
  contactId?: string | null;
  channel: Channel;
  direction: Direction;
  body: string;
  permalink?: string | null;
  /** Platform and its id of the event, so a retried delivery finds the row it already made. */
  source?: { platform: string; id: string } | null;
  occurredAt?: Date;
}

export interface InteractionView {
  id: string;
  channel: Channel;
  direction: Direction;
  body: string;
  occurredAt: Date;
  authorName: string | null;
  permalink: string | null;
}

export function createInteractionStore(db: Db) {
  return {
    /**
     * Records an interaction once per source event and keeps the customer's stats current.
     * Returns `created: false` with the existing id when the source event was seen before.
     */
    async record(input: NewInteraction): Promise<{ id: string; created: boolean }> {
      const occurredAt = input.occurredAt ?? new Date();
      const rows = await db.$queryRaw<{ id: string }[]>`
        INSERT INTO interactions (id, customer_id, contact_id, author_id, channel, direction, body, permalink,
                                  source_platform, source_id, occurred_at)
        VALUES (gen_random_uuid(), ${input.customerId}::uuid, ${input.contactId ?? null}::uuid, ${input.authorId}::uuid,
                ${input.channel}::"Channel", ${input.direction}::"Direction", ${input.body}, ${input.permalink ?? null},
                ${input.source?.platform ?? null}, ${input.source?.id ?? null}, ${occurredAt})
        ON CONFLICT (source_platform, source_id) DO NOTHING
        RETURNING id`;
      const id = rows[0]?.id;
      if (!id) {
        // all-rows: a retried delivery lands on the row it made, deleted or not, and makes no second one.
        const existing = await db.interaction.findFirstOrThrow({
          where: { sourcePlatform: input.source?.platform ?? null, sourceId: input.source?.id ?? null },
          select: { id: true },
        });
        return { id: existing.id, created: false };
      }
      await db.$executeRaw`
        INSERT INTO customer_stats (customer_id, interaction_count, last_interaction_at)
        VALUES (${input.customerId}::uuid, 1, ${occurredAt})
        ON CONFLICT (customer_id) DO UPDATE SET
          interaction_count = customer_stats.interaction_count + 1,
          last_interaction_at = GREATEST(customer_stats.last_interaction_at, EXCLUDED.last_interaction_at)`;
      await unroll(db, "interactionHours", [occurredAt]);
      if (input.channel === "WECHAT" && input.contactId && (input.direction === "INBOUND" || input.direction === "OUTBOUND")) {
        await refreshWaits(db, { contactId: input.contactId, at: occurredAt, direction: input.direction });
      }
      return { id, created: true };
    },

    /** The platform refused an outbound message for good; the text stays, marked with why. */
    async markUndelivered(id: string, reason: string): Promise<void> {
      const rows = await db.$queryRaw<{ contact_id: string | null; occurred_at: Date; channel: string; direction: string }[]>`
        UPDATE interactions SET undelivered = ${reason.slice(0, 500)} WHERE id = ${id}::uuid
        RETURNING contact_id, occurred_at, channel::text AS channel, direction::text AS direction`;
      const row = rows[0];
      // A refused reply answered nothing: the wait it ended is open again (or ends at the next reply).
      if (row?.contact_id && row.channel === "WECHAT" && row.direction === "OUTBOUND") {
        await refreshWaits(db, { contactId: row.contact_id, at: row.occurred_at, direction: "OUTBOUND" });
      }
    },

    async get(id: string) {
      // all-rows: a notification shows the WeChat message it was made for (those are never deleted).
      return db.interaction.findUnique({
        where: { id },
        select: { id: true, body: true, channel: true, direction: true, occurredAt: true, undelivered: true, sourceId: true, author: { select: { displayName: true, platform: true, externalId: true } } },
      });
    },

    async latest(customerId: string, take: number): Promise<InteractionView[]> {
      const rows = await db.interaction.findMany({
        where: { customerId, ...LIVE },
        orderBy: [{ occurredAt: "desc" }, { id: "desc" }],
        take,
        select: {
          id: true, channel: true, direction: true, body: true, occurredAt: true, permalink: true,
          author: { select: { displayName: true } },
        },
      });
      return rows.map(({ author, ...r }) => ({ ...r, authorName: author?.displayName ?? null }));
    },
  };
}

export type InteractionStore = ReturnType<typeof createInteractionStore>;
