import type { Db } from "../prisma.js";

export interface OpenReminder {
  id: string;
  text: string;
  dueAt: Date;
  ownerName: string;
}

export interface OpenDeal {
  id: string;
  title: string;
  amount: string | null;
  currency: string | null;
  expectedCloseAt: Date | null;
}

/** A page of a list and how long the whole list is. */
export interface Counted<T> {
  items: T[];
  total: number;
}

/**
 * What is still open for a customer: reminders and deals, for the card and its "all" views.
 * Each page carries the total from the same statement (count(*) OVER ()): the card says
 * "5 of 12" without a second round trip.
 */
export function createFollowUpStore(db: Db) {
  /** A page past the end has no row to carry the total: count then, which only that page pays for. */
  async function totalOf<T>(rows: (T & { total: number })[], skip: number, count: () => Promise<number>): Promise<number> {
    if (rows[0]) return rows[0].total;
    return skip > 0 ? count() : 0;
  }

  return {
    async openReminders(customerId: string, take: number, skip = 0): Promise<Counted<OpenReminder>> {
      const rows = await db.$queryRaw<{ id: string; text: string; due_at: Date; owner_name: string; total: number }[]>`
        SELECT r.id, r.text, r.due_at, u.display_name AS owner_name, count(*) OVER ()::int AS total
        FROM reminders r JOIN users u ON u.id = r.user_id
        WHERE r.customer_id = ${customerId}::uuid AND r.status IN ('PENDING', 'FIRED')
        ORDER BY r.due_at, r.id
        LIMIT ${take} OFFSET ${skip}`;
      const total = await totalOf(rows, skip, () => db.reminder.count({ where: { customerId, status: { in: ["PENDING", "FIRED"] } } }));
      return { items: rows.map((r) => ({ id: r.id, text: r.text, dueAt: r.due_at, ownerName: r.owner_name })), total };
    },

    async openDeals(customerId: string, take: number, skip = 0): Promise<Counted<OpenDeal>> {
      const rows = await db.$queryRaw<{ id: string; title: string; amount: string | null; currency: string | null; expected_close_at: Date | null; total: number }[]>`
        SELECT id, title, amount::text AS amount, currency::text AS currency, expected_close_at, count(*) OVER ()::int AS total
        FROM deals
        WHERE customer_id = ${customerId}::uuid AND status = 'OPEN' AND deleted_at IS NULL
        ORDER BY expected_close_at ASC NULLS LAST, created_at, id
        LIMIT ${take} OFFSET ${skip}`;
      const total = await totalOf(rows, skip, () => db.deal.count({ where: { customerId, status: "OPEN", deletedAt: null } }));
      return {
        items: rows.map((d) => ({ id: d.id, title: d.title, amount: d.amount, currency: d.currency?.trim() ?? null, expectedCloseAt: d.expected_close_at })),
        total,
      };
    },
  };
}

export type FollowUpStore = ReturnType<typeof createFollowUpStore>;
