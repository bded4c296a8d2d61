import type { Db } from "./prisma.js";

/** What is still open for a customer: reminders and deals, for the card. */
export function createFollowUpStore(db: Db) {
  return {
    async openReminders(customerId: string, take: number) {
      return db.reminder.findMany({
        where: { customerId, status: { in: ["PENDING", "FIRED"] } },
        orderBy: { dueAt: "asc" },
        take,
        select: { id: true, text: true, dueAt: true, user: { select: { displayName: true } } },
      });
    },

    async openDeals(customerId: string, take: number) {
      const deals = await db.deal.findMany({
        where: { customerId, status: "OPEN" },
        orderBy: [{ expectedCloseAt: { sort: "asc", nulls: "last" } }, { createdAt: "asc" }],
        take,
        select: { id: true, title: true, amount: true, currency: true, expectedCloseAt: true },
      });
      return deals.map((d) => ({ ...d, amount: d.amount?.toString() ?? null }));
    },
  };
}

export type FollowUpStore = ReturnType<typeof createFollowUpStore>;
