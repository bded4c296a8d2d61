import { liveInteractions, liveOrders } from "../live-rows.js";
import type { Db } from "../prisma.js";

/** `authorId`: who wrote the entry (whether the viewer may correct it follows from it). */
export type TimelineEntry =
  | { kind: "interaction"; id: string; at: Date; channel: string; direction: string; body: string; authorId: string | null; authorName: string | null; permalink: string | null }
  | { kind: "order"; id: string; at: Date; amount: string; currency: string; product: string | null; authorId: string | null; authorName: string | null };

/** Position after which the next page starts: the last entry's time and id. */
export interface TimelineCursor {
  at: Date;
  id: string;
}

interface Row {
  kind: "interaction" | "order";
  id: string;
  at: Date;
  channel: string | null;
  direction: string | null;
  body: string | null;
  permalink: string | null;
  amount: string | null;
  currency: string | null;
  product: string | null;
  author_id: string | null;
  author_name: string | null;
  total: number;
}

export function createTimelineStore(db: Db) {
  return {
    /**
     * A customer's interactions and orders, newest first, `take` at a time, and how many there
     * are in all (two index counts in the same statement). Keyset paging on (time, id) so a page
     * never repeats or skips entries when new ones arrive meanwhile.
     */
    async page(customerId: string, take: number, after?: TimelineCursor): Promise<{ entries: TimelineEntry[]; next?: TimelineCursor; total: number }> {
      const at = after?.at ?? new Date("9999-12-31T00:00:00Z");
      const id = after?.id ?? "ffffffff-ffff-ffff-ffff-ffffffffffff";
      const rows = await db.$queryRaw<Row[]>`
        SELECT t.*, ((SELECT count(*) FROM ${liveInteractions} i WHERE customer_id = ${customerId}::uuid)
                   + (SELECT count(*) FROM ${liveOrders} o WHERE customer_id = ${customerId}::uuid))::int AS total
        FROM ((SELECT 'interaction' AS kind, i.id, i.occurred_at AS at, i.channel::text AS channel, i.direction::text AS direction,
                i.body, i.permalink, NULL::text AS amount, NULL::text AS currency, NULL::text AS product, i.author_id, u.display_name AS author_name
         FROM ${liveInteractions} i LEFT JOIN users u ON u.id = i.author_id
         WHERE i.customer_id = ${customerId}::uuid AND (i.occurred_at, i.id) < (${at}, ${id}::uuid)
         ORDER BY i.occurred_at DESC, i.id DESC LIMIT ${take + 1})
        UNION ALL
        (SELECT 'order', o.id, o.ordered_at, NULL, NULL, NULL, NULL, o.amount::text, o.currency::text, o.product, o.created_by_id, u.display_name
         FROM ${liveOrders} o LEFT JOIN users u ON u.id = o.created_by_id
         WHERE o.customer_id = ${customerId}::uuid AND (o.ordered_at, o.id) < (${at}, ${id}::uuid)
         ORDER BY o.ordered_at DESC, o.id DESC LIMIT ${take + 1})
        ORDER BY at DESC, id DESC LIMIT ${take + 1}) t
        ORDER BY t.at DESC, t.id DESC`;
      const entries = rows.slice(0, take).map(toEntry);
      const last = entries[entries.length - 1];
      const total = rows[0]?.total ?? 0;
      return rows.length > take && last ? { entries, next: { at: last.at, id: last.id }, total } : { entries, total };
    },
  };
}

function toEntry(r: Row): TimelineEntry {
  if (r.kind === "order") {
    return { kind: "order", id: r.id, at: r.at, amount: r.amount ?? "0", currency: r.currency ?? "", product: r.product, authorId: r.author_id, authorName: r.author_name };
  }
  return {
    kind: "interaction", id: r.id, at: r.at, channel: r.channel ?? "NOTE", direction: r.direction ?? "INTERNAL",
    body: r.body ?? "", authorId: r.author_id, authorName: r.author_name, permalink: r.permalink,
  };
}

export type TimelineStore = ReturnType<typeof createTimelineStore>;
