import type { ContactValues } from "../domain/customers/contact-details.js";
import { SEALED_CONTACT_SELECT, sealContactSecrets, withContactSecrets } from "./encryption/contact-secrets.js";
import type { FieldCipher } from "./encryption/field-cipher.js";
import type { Db } from "./prisma.js";

/** A contact as reps manage it. Dates are YYYY-MM-DD; `deletedAt` is set while it is removed. */
export interface ContactRow extends ContactValues {
  id: string;
  customerId: string;
  wechatOpenId: string | null;
  slackUserId: string | null;
  erasedAt: Date | null;
  deletedAt: Date | null;
  updatedAt: Date;
}

const select = {
  id: true, customerId: true, name: true, title: true, ...SEALED_CONTACT_SELECT, birthday: true, anniversary: true,
  slackUserId: true, erasedAt: true, deletedAt: true, updatedAt: true,
} as const;

/** A DATE column comes back as midnight UTC of that day. */
const day = (d: Date | null): string | null => (d ? d.toISOString().slice(0, 10) : null);
const toDate = (d: string | null | undefined): Date | null | undefined => (d === undefined ? undefined : d === null ? null : new Date(`${d}T00:00:00Z`));

type Raw = {
  id: string; customerId: string; name: string; title: string | null; emailEnc: string | null; phoneEnc: string | null; birthday: Date | null; anniversary: Date | null;
  wechatOpenIdEnc: string | null; slackUserId: string | null; erasedAt: Date | null; deletedAt: Date | null; updatedAt: Date;
};

const toRow = (cipher: FieldCipher, r: Raw): ContactRow => {
  const open = withContactSecrets(cipher, r);
  return { ...open, birthday: day(r.birthday), anniversary: day(r.anniversary) };
};

function data(cipher: FieldCipher, values: Partial<ContactValues>) {
  return {
    ...(values.name !== undefined ? { name: values.name } : {}),
    ...(values.title !== undefined ? { title: values.title } : {}),
    ...sealContactSecrets(cipher, { ...(values.email !== undefined ? { email: values.email } : {}), ...(values.phone !== undefined ? { phone: values.phone } : {}) }),
    ...(values.birthday !== undefined ? { birthday: toDate(values.birthday) } : {}),
    ...(values.anniversary !== undefined ? { anniversary: toDate(values.anniversary) } : {}),
  };
}

/**
 * The contacts reps add, edit, remove and restore. Lists show live contacts only (a removed one
 * keeps its row, for undo and for the history that names it). Writes go through a transaction
 * that holds the customer's contacts lock, so two reps adding the same person end with one.
 */
export function createContactStore(db: Db, cipher: FieldCipher) {
  return {
    /** A page of a customer's live contacts, oldest first (the card's order), and how many there are. */
    async page(customerId: string, take: number, skip = 0): Promise<{ items: ContactRow[]; total: number }> {
      const where = { customerId, deletedAt: null };
      const [items, total] = await Promise.all([
        db.contact.findMany({ where, select, orderBy: [{ createdAt: "asc" }, { id: "asc" }], take, skip }),
        db.contact.count({ where }),
      ]);
      return { items: items.map((r) => toRow(cipher, r)), total };
    },

    /** One contact, removed or not. */
    async get(id: string): Promise<ContactRow | null> {
      const row = await db.contact.findUnique({ where: { id }, select });
      return row ? toRow(cipher, row) : null;
    },

    /** The contact, locked until the transaction ends (an edit and a removal of it queue up). */
    async lock(id: string): Promise<ContactRow | null> {
      const rows = await db.$queryRaw<{ id: string }[]>`SELECT id FROM contacts WHERE id = ${id}::uuid FOR UPDATE`;
      return rows[0] ? this.get(id) : null;
    },

    /**
     * Serialises the writes that must not make two contacts of one customer with one email or
     * phone; an advisory lock, so readers and other writers of the customer are not held up.
     */
    async lockCustomerContacts(customerId: string): Promise<void> {
      await db.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`crm:contacts:${customerId}`}, 0))`;
    },

    /**
     * A live contact of the customer with this email (any case) or phone (written any way: they
     * meet as E.164), other than `exceptId`; by their keyed hashes.
     */
    async findSame(customerId: string, match: { email: string | null; phone: string | null }, exceptId?: string): Promise<(ContactRow & { same: "email" | "phone" }) | null> {
      const emails = cipher.lookups("email", match.email);
      const phones = cipher.lookups("phone", match.phone);
      if (emails.length === 0 && phones.length === 0) return null;
      const rows = await db.$queryRaw<{ id: string; same: "email" | "phone" }[]>`
        SELECT id, CASE WHEN email_hash = ANY(${emails}::text[]) THEN 'email' ELSE 'phone' END AS same
        FROM contacts
        WHERE customer_id = ${customerId}::uuid AND deleted_at IS NULL AND id IS DISTINCT FROM ${exceptId ?? null}::uuid
          AND (email_hash = ANY(${emails}::text[]) OR phone_hash = ANY(${phones}::text[]))
        ORDER BY created_at, id LIMIT 1`;
      const found = rows[0] ? await this.get(rows[0].id) : null;
      return found ? { ...found, same: rows[0]!.same } : null;
    },

    async create(customerId: string, values: ContactValues): Promise<ContactRow> {
      return toRow(cipher, await db.contact.create({ data: { customerId, ...data(cipher, values) } as { customerId: string; name: string }, select }));
    },

    /** Writes only the fields given, so an edit of one field never undoes another's. */
    async update(id: string, values: Partial<ContactValues>): Promise<ContactRow> {
      return toRow(cipher, await db.contact.update({ where: { id }, data: data(cipher, values), select }));
    },

    /** Removes a live contact; false when it was removed already. */
    async remove(id: string, at: Date): Promise<boolean> {
      const { count } = await db.contact.updateMany({ where: { id, deletedAt: null }, data: { deletedAt: at } });
      return count > 0;
    },

    /** Brings a removed contact back; false when it was not removed. */
    async restore(id: string): Promise<boolean> {
      const { count } = await db.contact.updateMany({ where: { id, deletedAt: { not: null } }, data: { deletedAt: null } });
      return count > 0;
    },
  };
}

export type ContactStore = ReturnType<typeof createContactStore>;
