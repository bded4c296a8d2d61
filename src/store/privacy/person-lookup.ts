import { Prisma } from "@prisma/client";
import type { FieldCipher } from "../encryption/field-cipher.js";
import type { Db } from "../prisma.js";

/** A contact as a privacy request names it: who, whose, and whether it was removed. */
export interface PersonMatch {
  id: string;
  name: string;
  customerId: string;
  customerName: string;
  ownerId: string | null;
  removed: boolean;
}

/** How a request names a person: exactly one of these, and optionally the customer they belong to. */
export type PersonKey =
  | { by: "name"; name: string }
  | { by: "email"; email: string }
  | { by: "phone"; phone: string }
  | { by: "platform-id"; id: string };

/**
 * Finds the contacts a privacy request (/crm erase, /crm export-person) means, across customers
 * or within one: by name (any case and spacing), or by the keyed hash of an email (any case), a
 * phone (as E.164 in the default region, so "+86 138 0013 8000" and "138 0013 8000" meet) or a
 * WeChat openid (details are sealed: store/encryption/field-cipher.ts), or a Slack user id. Removed contacts
 * count (their data is still held); erased ones do not.
 */
export function createPersonLookupStore(db: Db, cipher: FieldCipher) {
  return {
    async find(key: PersonKey, customerId: string | null, limit: number): Promise<PersonMatch[]> {
      const match = (() => {
        switch (key.by) {
          case "name":
            return Prisma.sql`lower(regexp_replace(btrim(ct.name), '\\s+', ' ', 'g')) = lower(regexp_replace(btrim(${key.name}), '\\s+', ' ', 'g'))`;
          case "email":
            return Prisma.sql`ct.email_hash = ANY(${cipher.lookups("email", key.email)}::text[])`;
          case "phone":
            return Prisma.sql`ct.phone_hash = ANY(${cipher.lookups("phone", key.phone)}::text[])`;
          case "platform-id":
            return Prisma.sql`(ct.wechat_open_id_hash = ANY(${cipher.lookups("wechat", key.id)}::text[]) OR ct.slack_user_id = ${key.id})`;
        }
      })();
      const rows = await db.$queryRaw<{ id: string; name: string; customer_id: string; customer_name: string; owner_id: string | null; removed: boolean }[]>`
        SELECT ct.id, ct.name, ct.customer_id, c.name AS customer_name, c.owner_id, ct.deleted_at IS NOT NULL AS removed
        FROM contacts ct JOIN customers c ON c.id = ct.customer_id
        WHERE ct.erased_at IS NULL AND ${match} AND (${customerId}::uuid IS NULL OR ct.customer_id = ${customerId}::uuid)
        ORDER BY ct.deleted_at IS NOT NULL, c.name, ct.created_at, ct.id
        LIMIT ${limit}`;
      return rows.map((r) => ({ id: r.id, name: r.name, customerId: r.customer_id, customerName: r.customer_name, ownerId: r.owner_id, removed: r.removed }));
    },

    /** A customer's contacts whose name starts with the typed words (when no name is exact). */
    async startingWith(customerId: string, typed: string, limit: number): Promise<PersonMatch[]> {
      const rows = await db.$queryRaw<{ id: string; name: string; customer_id: string; customer_name: string; owner_id: string | null; removed: boolean }[]>`
        SELECT ct.id, ct.name, ct.customer_id, c.name AS customer_name, c.owner_id, ct.deleted_at IS NOT NULL AS removed
        FROM contacts ct JOIN customers c ON c.id = ct.customer_id
        WHERE ct.customer_id = ${customerId}::uuid AND ct.erased_at IS NULL
          AND lower(ct.name) LIKE lower(${typed.replace(/[\\%_]/g, (c) => `\\${c}`)}) || '%'
        ORDER BY ct.deleted_at IS NOT NULL, ct.created_at, ct.id
        LIMIT ${limit}`;
      return rows.map((r) => ({ id: r.id, name: r.name, customerId: r.customer_id, customerName: r.customer_name, ownerId: r.owner_id, removed: r.removed }));
    },
  };
}

export type PersonLookupStore = ReturnType<typeof createPersonLookupStore>;
