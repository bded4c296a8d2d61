import type { ReminderKind, ReminderStatus } from "@prisma/client";
import { Prisma, type Db } from "./prisma.js";

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
  detail: Prisma.JsonValue;
}

const select = {
  id: true, userId: true, customerId: true, kind: true, text: true, dueAt: true, status: true, late: true, detail: true,
} as const;

type Row = Prisma.ReminderGetPayload<{ select: typeof select }>;

export function createReminderStore(db: Db) {
  async function withCustomerNames(rows: Row[]): Promise<ReminderView[]> {
    const ids = [...new Set(rows.map((r) => r.customerId).filter((id): id is string => id !== null))];
    const customers = ids.length > 0 ? await db.customer.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }) : [];
    const names = new Map(customers.map((c) => [c.id, c.name]));
    return rows.map((r) => ({ ...r, customerName: r.customerId ? (names.get(r.customerId) ?? null) : null }));
  }

  /**
   * Care dates of today (in each owner's zone): one reminder per contact, occasion and year (the
   * dedupe key). Removed contacts have none. `contactId` plans one contact's only, right after it
   * was added, edited or restored, so a date of today does not wait for the hourly run.
   */
  async function planCare(now: Date, defaultTimezone: string, contactId?: string): Promise<{ id: string; due_at: Date }[]> {
    const one = contactId ? Prisma.sql`AND k.id = ${contactId}::uuid` : Prisma.empty;
    return db.$queryRaw<{ id: string; due_at: Date }[]>`
        WITH owners AS (
          SELECT k.id AS contact_id, k.name AS contact_name, k.customer_id, c.owner_id, occasion, day,
                 (${now}::timestamptz AT TIME ZONE coalesce(u.timezone, ${defaultTimezone}))::date AS today,
                 coalesce(u.timezone, ${defaultTimezone}) AS tz
          FROM contacts k
          JOIN customers c ON c.id = k.customer_id
          JOIN users u ON u.id = c.owner_id
          CROSS JOIN LATERAL (VALUES ('birthday', k.birthday), ('anniversary', k.anniversary)) AS o(occasion, day)
          WHERE day IS NOT NULL AND k.deleted_at IS NULL ${one}
        )
        INSERT INTO reminders (id, user_id, customer_id, kind, text, due_at, dedupe_key, detail, updated_at)
        SELECT gen_random_uuid(), owner_id, customer_id, 'CARE_DATE', contact_name || ': ' || occasion,
               greatest(${now}::timestamptz, (today + time '09:00') AT TIME ZONE tz),
               'care:' || contact_id || ':' || occasion || ':' || extract(year FROM today),
               jsonb_build_object('contactName', contact_name, 'occasion', occasion), now()
        FROM owners
        WHERE (extract(month FROM day) = extract(month FROM today) AND extract(day FROM day) = extract(day FROM today))
           OR (extract(month FROM day) = 2 AND extract(day FROM day) = 29 AND extract(month FROM today) = 2 AND extract(day FROM today) = 28
               AND extract(day FROM (date_trunc('year', today) + interval '1 month 28 days')) <> 29)
        ON CONFLICT (dedupe_key) DO NOTHING
        RETURNING id, due_at`;
  }

  /** A contact's open care reminders (of some occasions), found by their dedupe key "care:<contact>:<occasion>:<year>". */
  const careOf = (contactId: string, customerId: string, occasions: readonly string[]) => Prisma.sql`
    kind = 'CARE_DATE' AND customer_id = ${customerId}::uuid AND status IN ('PENDING', 'FIRED')
    AND dedupe_key LIKE ${`care:${contactId}:%`} AND split_part(dedupe_key, ':', 3) = ANY(${[...occasions]}::text[])`;

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

    /** One reminder with its customer's name, in one query (it is read for every delivery). */
    async get(id: string): Promise<ReminderView | null> {
      const rows = await db.$queryRaw<(Omit<ReminderView, "customerName"> & { customerName: string | null })[]>`
        SELECT r.id, r.user_id AS "userId", r.customer_id AS "customerId", r.kind, r.text, r.due_at AS "dueAt", r.status, r.late, r.detail,
               c.name AS "customerName"
        FROM reminders r LEFT JOIN customers c ON c.id = r.customer_id
        WHERE r.id = ${id}::uuid`;
      return rows[0] ?? null;
    },

    /**
     * Fires a due reminder in one statement: claims the row (PENDING -> FIRED, so only one
     * caller wins) and writes the direct message to its owner into the outbox, atomically.
     * The outbox dedupe key names the reminder and its due time: a snoozed reminder fires again.
     * Returns the outbox row's id, or null when there was nothing to fire.
     */
    async fireDue(id: string, now: Date, lateAfterMs: number): Promise<{ outboxId: string } | null> {
      const rows = await db.$queryRaw<{ id: string }[]>`
        WITH claimed AS (
          UPDATE reminders SET status = 'FIRED', fired_at = ${now},
                 late = (${now}::timestamptz - due_at) > (${lateAfterMs} * interval '1 millisecond'), updated_at = now()
          WHERE id = ${id}::uuid AND status = 'PENDING' AND due_at <= ${now}::timestamptz + interval '1 second'
          RETURNING id, user_id, due_at
        )
        INSERT INTO outbox (id, platform, destination, payload, dedupe_key, next_attempt_at, updated_at)
        SELECT gen_random_uuid(), u.platform, u.external_id, jsonb_build_object('type', 'reminder.due', 'reminderId', c.id),
               'reminder:' || c.id || ':' || (extract(epoch FROM c.due_at) * 1000)::bigint, ${now}, now()
        FROM claimed c JOIN users u ON u.id = c.user_id
        ON CONFLICT (dedupe_key) DO NOTHING
        RETURNING id`;
      return rows[0] ? { outboxId: rows[0].id } : null;
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

    /** A page of a rep's open reminders, soonest first, and how many are open in all. */
    async listOpen(userId: string, take: number, skip = 0): Promise<{ reminders: ReminderView[]; total: number }> {
      const where = { userId, status: { in: ["PENDING", "FIRED"] as ReminderStatus[] } };
      const [rows, total] = await Promise.all([
        db.reminder.findMany({ where, orderBy: [{ dueAt: "asc" }, { id: "asc" }], take, skip, select }),
        db.reminder.count({ where }),
      ]);
      return { reminders: await withCustomerNames(rows), total };
    },

    /** See services/plan-nudges.ts. One statement per kind; ON CONFLICT on the dedupe key. */
    async planNudges(now: Date, quietDays: number, defaultTimezone: string): Promise<{ id: string; dueAt: Date }[]> {
      const followUps = await db.$queryRaw<{ id: string; due_at: Date }[]>`
        INSERT INTO reminders (id, user_id, customer_id, kind, text, due_at, dedupe_key, detail, updated_at)
        SELECT gen_random_uuid(), c.owner_id, c.id, 'FOLLOW_UP', 'Follow up with ' || c.name, ${now},
               'follow-up:' || c.id || ':' || extract(epoch FROM coalesce(s.last_interaction_at, c.created_at))::bigint,
               jsonb_build_object('quietDays', floor(extract(epoch FROM (${now}::timestamptz - coalesce(s.last_interaction_at, c.created_at))) / 86400)::int),
               now()
        FROM customers c LEFT JOIN customer_stats s ON s.customer_id = c.id
        WHERE c.stage = 'ACTIVE' AND c.owner_id IS NOT NULL
          AND coalesce(s.last_interaction_at, c.created_at) < ${now}::timestamptz - (${quietDays} * interval '1 day')
        ON CONFLICT (dedupe_key) DO NOTHING
        RETURNING id, due_at`;
      const care = await planCare(now, defaultTimezone);
      return [...followUps, ...care].map((r) => ({ id: r.id, dueAt: r.due_at }));
    },

    /** One contact's care dates of today, when it was just added, edited or restored (see planCare). */
    async planCareFor(contactId: string, now: Date, defaultTimezone: string): Promise<{ id: string; dueAt: Date }[]> {
      return (await planCare(now, defaultTimezone, contactId)).map((r) => ({ id: r.id, dueAt: r.due_at }));
    },

    /**
     * Stops a contact's care reminders of these occasions (the contact was removed, or the date
     * moved). A pending one gives its dedupe key up, so an undo or a date moved back on the same
     * day plans it again; one already delivered keeps it, so nobody is told twice.
     */
    async cancelCareDates(contactId: string, customerId: string, occasions: readonly ("birthday" | "anniversary")[]): Promise<number> {
      if (occasions.length === 0) return 0;
      return db.$executeRaw`
        UPDATE reminders SET status = 'CANCELLED', updated_at = now(),
               dedupe_key = CASE WHEN status = 'PENDING' THEN dedupe_key || ':cancelled:' || id ELSE dedupe_key END
        WHERE ${careOf(contactId, customerId, occasions)}`;
    },

    /** A renamed contact's pending care reminders say the new name when they fire. */
    async renameCareDates(contactId: string, customerId: string, name: string): Promise<number> {
      return db.$executeRaw`
        UPDATE reminders SET text = ${name} || ': ' || split_part(dedupe_key, ':', 3), detail = jsonb_set(coalesce(detail, '{}'::jsonb), '{contactName}', to_jsonb(${name}::text)), updated_at = now()
        WHERE ${careOf(contactId, customerId, ["birthday", "anniversary"])} AND status = 'PENDING'`;
    },

    /** One person's pending reminders due by `until`, oldest first (the demo fires its rep's). */
    async pendingDueFor(userId: string, until: Date, take: number): Promise<{ id: string }[]> {
      return db.reminder.findMany({
        where: { userId, status: "PENDING", dueAt: { lte: until } },
        orderBy: [{ dueAt: "asc" }, { id: "asc" }],
        take,
        select: { id: true },
      });
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
