import type { Prisma, ReminderKind, ReminderStatus } from "@prisma/client";
import type { Db } from "./prisma.js";

export interface ReminderView {
  id: string;
  userId: string;
  customerId: string | null;
  customerName: string | null;
  kind: ReminderKind;
  text: string;
  dueAt: Date;
  status: ReminderStatus;
  late: boolean;
}

const select = {
  id: true, userId: true, customerId: true, kind: true, text: true, dueAt: true, status: true, late: true,
} as const;

type Row = Prisma.ReminderGetPayload<{ select: typeof select }>;

export function createReminderStore(db: Db) {
  async function withCustomerNames(rows: Row[]): Promise<ReminderView[]> {
    const ids = [...new Set(rows.map((r) => r.customerId).filter((id): id is string => id !== null))];
    const customers = ids.length > 0 ? await db.customer.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }) : [];
    const names = new Map(customers.map((c) => [c.id, c.name]));
    return rows.map((r) => ({ ...r, customerName: r.customerId ? (names.get(r.customerId) ?? null) : null }));
  }

  return {
    async create(input: { userId: string; customerId: string | null; text: string; dueAt: Date; kind?: ReminderKind; dedupeKey?: string }): Promise<ReminderView | null> {
      const rows = await db.$queryRaw<{ id: string }[]>`
        INSERT INTO reminders (id, user_id, customer_id, kind, text, due_at, dedupe_key, updated_at)
        VALUES (gen_random_uuid(), ${input.userId}::uuid, ${input.customerId}::uuid, ${input.kind ?? "MANUAL"}::"ReminderKind",
                ${input.text}, ${input.dueAt}, ${input.dedupeKey ?? null}, now())
        ON CONFLICT (dedupe_key) DO NOTHING
        RETURNING id`;
      return rows[0] ? this.get(rows[0].id) : null;
    },

    async get(id: string): Promise<ReminderView | null> {
      const row = await db.reminder.findUnique({ where: { id }, select });
      return row ? (await withCustomerNames([row]))[0]! : null;
    },

    /**
     * Takes a due reminder for firing. Only one caller wins: the row moves PENDING -> FIRED
     * in one conditional UPDATE, so two workers (or a retried job) cannot both fire it.
     */
    async claimDue(id: string, now: Date, lateAfterMs: number): Promise<ReminderView | null> {
      const rows = await db.$queryRaw<{ id: string }[]>`
        UPDATE reminders SET status = 'FIRED', fired_at = ${now},
               late = (${now}::timestamptz - due_at) > (${lateAfterMs} * interval '1 millisecond'), updated_at = now()
        WHERE id = ${id}::uuid AND status = 'PENDING' AND due_at <= ${now}::timestamptz + interval '1 second'
        RETURNING id`;
      return rows[0] ? this.get(rows[0].id) : null;
    },

    /** Moves an open reminder (pending or fired) to a new time; false when it is closed or not the rep's. */
    async reschedule(id: string, userId: string, dueAt: Date): Promise<boolean> {
      const { count } = await db.reminder.updateMany({
        where: { id, userId, status: { in: ["PENDING", "FIRED"] } },
        data: { dueAt, status: "PENDING", firedAt: null, late: false },
      });
      return count > 0;
    },

    async close(id: string, userId: string, status: "DONE" | "CANCELLED"): Promise<boolean> {
      const { count } = await db.reminder.updateMany({ where: { id, userId, status: { in: ["PENDING", "FIRED"] } }, data: { status } });
      return count > 0;
    },

    async listOpen(userId: string, take: number): Promise<ReminderView[]> {
      const rows = await db.reminder.findMany({ where: { userId, status: { in: ["PENDING", "FIRED"] } }, orderBy: { dueAt: "asc" }, take, select });
      return withCustomerNames(rows);
    },

    /** Pending reminders due before `until`, oldest first, for the reconcile pass and the sweep. */
    async pendingDueBefore(until: Date, take: number, after?: string): Promise<{ id: string; dueAt: Date }[]> {
      return db.reminder.findMany({
        where: { status: "PENDING", dueAt: { lte: until }, ...(after ? { id: { gt: after } } : {}) },
        orderBy: { id: "asc" },
        take,
        select: { id: true, dueAt: true },
      });
    },
  };
}

export type ReminderStore = ReturnType<typeof createReminderStore>;
