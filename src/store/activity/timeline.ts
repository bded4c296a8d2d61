import { liveInteractions, liveOrders } from "../live-rows.js";
import type { Db } from "../prisma.js";

/** `authorId`: who wrote the entry (whether the viewer may correct it follows from it). */
export type TimelineEntry =
  | { kind: "interaction"; id: string; at: Date; channel: string; direction: string; body: string; authorId: string | null; authorName: string | null; permalink: string | null }
  | { kind: "order"; id: string; at: Date; amount: string; currency: string; product: string | null; authorId: string | null; authorName: string | null }
  /** A deal made (`from` null) or moved between stages: a row of deal_stage_changes; `id` is that row's. */
  | { kind: "deal"; id: string; at: Date; dealId: string; title: string; from: string | null; to: string; authorId: string | null; authorName: string | null };

/** Position after which the next page starts: the last entry's time and id. */
export interface TimelineCursor {
  at: Date;
  id: string;
}

interface Row {
  kind: "interaction" | "order" | "deal";
  id: string;
  at: Date;
  channel: string | null;
  direction: string | null;
  body: string | null;
  permalink: string | null;
  amount: string | null;
  currency: string | null;
  product: string | null;
  deal_id: string | null;
  from_stage: string | null;
  to_stage: string | null;
  author_id: string | null;
  author_name: string | null;
  total: number;
}

export function createTimelineStore(db: Db) {
  return {
    /**
     * A customer's interactions, orders and deal stage changes (of deals not deleted), newest
     * first, `take` at a time, and how many there are in all (three index counts in the same statement). Keyset paging on (time, id) so a page
     * never repeats or skips entries when new ones arrive meanwhile.
     */
    async page(customerId: string, take: number, after?: TimelineCursor): Promise<{ entries: TimelineEntry[]; next?: TimelineCursor; total: number }> {
      const at = after?.at ?? new Date("9999-12-31T00:00:00Z");
      const id = after?.id ?? "ffffffff-ffff-ffff-ffff-ffffffffffff";
      const rows = await db.$queryRaw<Row[]>`
        SELECT t.*, ((SELECT count(*) FROM ${liveInteractions} i WHERE customer_id = ${customerId}::uuid)
                   + (SELECT count(*) FROM ${liveOrders} o WHERE customer_id = ${customerId}::uuid)
                   + (SELECT count(*) FROM deal_stage_changes h JOIN deals d ON d.id = h.deal_id WHERE d.customer_id = ${customerId}::uuid AND d.deleted_at IS NULL))::int AS total
        FROM ((SELECT 'interaction' AS kind, i.id, i.occurred_at AS at, i.channel::text AS channel, i.direction::text AS direction,
                i.body, i.permalink, NULL::text AS amount, NULL::text AS currency, NULL::text AS product,
                NULL::uuid AS deal_id, NULL::text AS from_stage, NULL::text AS to_stage, i.author_id, u.display_name AS author_name
         FROM ${liveInteractions} i LEFT JOIN users u ON u.id = i.author_id
         WHERE i.customer_id = ${customerId}::uuid AND (i.occurred_at, i.id) < (${at}, ${id}::uuid)
         ORDER BY i.occurred_at DESC, i.id DESC LIMIT ${take + 1})
        UNION ALL
        (SELECT 'order', o.id, o.ordered_at, NULL, NULL, NULL, NULL, o.amount::text, o.currency::text, o.product, NULL, NULL, NULL, o.created_by_id, u.display_name
         FROM ${liveOrders} o LEFT JOIN users u ON u.id = o.created_by_id
         WHERE o.customer_id = ${customerId}::uuid AND (o.ordered_at, o.id) < (${at}, ${id}::uuid)
         ORDER BY o.ordered_at DESC, o.id DESC LIMIT ${take + 1})
        UNION ALL
        (SELECT 'deal', h.id, h.at, NULL, NULL, d.title, NULL, NULL, NULL, NULL, d.id, h.from_stage, h.to_stage, h.changed_by_id, u.display_name
         FROM deal_stage_changes h JOIN deals d ON d.id = h.deal_id LEFT JOIN users u ON u.id = h.changed_by_id
         WHERE d.customer_id = ${customerId}::uuid AND d.deleted_at IS NULL AND (h.at, h.id) < (${at}, ${id}::uuid)
         ORDER BY h.at DESC, h.id DESC LIMIT ${take + 1})
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
  if (r.kind === "deal") {
    return { kind: "deal", id: r.id, at: r.at, dealId: r.deal_id ?? "", title: r.body ?? "", from: r.from_stage, to: r.to_stage ?? "", authorId: r.author_id, authorName: r.author_name };
  }
  if (r.kind === "order") {
    return { kind: "order", id: r.id, at: r.at, amount: r.amount ?? "0", currency: r.currency ?? "", product: r.product, authorId: r.author_id, authorName: r.author_name };
  }
  return {
    kind: "interaction", id: r.id, at: r.at, channel: r.channel ?? "NOTE", direction: r.direction ?? "INTERNAL",
    body: r.body ?? "", authorId: r.author_id, authorName: r.author_name, permalink: r.permalink,
  };
}

export type TimelineStore = ReturnType<typeof createTimelineStore>;
