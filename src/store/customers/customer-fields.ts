import type { Stage } from "@prisma/client";
import type { NameKeys } from "../../domain/language/customer-name.js";
import type { CustomerProfile, TextField } from "../../domain/customers/customer-fields.js";
import type { FieldCipher } from "../encryption/field-cipher.js";
import { Prisma, type Db } from "../prisma.js";

/** A customer as the edit paths read and change it. */
export interface EditableCustomer extends CustomerProfile {
  id: string;
  name: string;
  stage: Stage;
  ownerId: string | null;
  ownerName: string | null;
  updatedAt: Date;
}

interface Row {
  id: string;
  name: string;
  stage: Stage;
  owner_id: string | null;
  owner_name: string | null;
  industry: string | null;
  website: string | null;
  address_enc: string | null;
  source: string | null;
  about: string | null;
  tags: string[];
  updated_at: Date;
}

const toEditable = (cipher: FieldCipher, r: Row): EditableCustomer => ({
  id: r.id, name: r.name, stage: r.stage, ownerId: r.owner_id, ownerName: r.owner_name, industry: r.industry, website: r.website,
  address: cipher.openOrNull("customers.address", r.address_enc), source: r.source, about: r.about, tags: r.tags, updatedAt: r.updated_at,
});

/** The column of each text field; a fixed map, so no typed word ever becomes SQL. */
const COLUMNS: Readonly<Record<TextField, Prisma.Sql>> = {
  industry: Prisma.raw("industry"),
  website: Prisma.raw("website"),
  // Sealed (encryption at rest): setText seals the value.
  address: Prisma.raw("address_enc"),
  source: Prisma.raw("source"),
  about: Prisma.raw("about"),
};

/**
 * Reads and writes of a customer's own fields (name, stage, owner, industry, tags ...). Every
 * edit runs in a transaction that first takes the row with `lockForEdit`: concurrent edits of
 * one customer then run one after the other, each sees the other's result, and each writes only
 * the columns it changes, so an edit of one field never puts back an old value of another.
 * Every write moves `updated_at`, which the in-memory name dictionary follows.
 */
export function createCustomerFieldStore(db: Db, cipher: FieldCipher) {
  async function read(id: string, lock: boolean): Promise<EditableCustomer | null> {
    const rows = await db.$queryRaw<Row[]>`
      SELECT c.id, c.name, c.stage, c.owner_id, u.display_name AS owner_name, c.industry, c.website, c.address_enc, c.source, c.about, c.tags, c.updated_at
      FROM customers c LEFT JOIN users u ON u.id = c.owner_id
      WHERE c.id = ${id}::uuid
      ${lock ? Prisma.sql`FOR UPDATE OF c` : Prisma.empty}`;
    return rows[0] ? toEditable(cipher, rows[0]) : null;
  }

  return {
    get: (id: string) => read(id, false),
    /** The customer, locked until the transaction ends; null when it is gone. */
    lockForEdit: (id: string) => read(id, true),

    /** Sets the given text fields (null clears) and nothing else. */
    async setText(id: string, changes: Partial<Record<TextField, string | null>>): Promise<void> {
      const stored = (field: TextField): string | null => (field === "address" ? cipher.sealOrNull("customers.address", changes[field]) : (changes[field] ?? null));
      const sets = (Object.keys(changes) as TextField[]).map((field) => Prisma.sql`${COLUMNS[field]} = ${stored(field)}`);
      if (sets.length === 0) return;
      await db.$executeRaw`UPDATE customers SET ${Prisma.join(sets, ", ")}, updated_at = now() WHERE id = ${id}::uuid`;
    },

    /**
     * Adds tags in SQL (the stored array is never rewritten from a copy read earlier), keeping
     * the order they came in; returns the tags after, or null when they would be more than `max`.
     */
    async addTags(id: string, tags: readonly string[], max: number): Promise<string[] | null> {
      const rows = await db.$queryRaw<{ tags: string[] }[]>`
        WITH next AS (
          SELECT c.id, c.tags || ARRAY(
            SELECT t FROM unnest(${[...tags]}::text[]) WITH ORDINALITY AS n(t, i) WHERE NOT (t = ANY(c.tags)) ORDER BY i
          ) AS tags
          FROM customers c WHERE c.id = ${id}::uuid
        )
        UPDATE customers c SET tags = next.tags, updated_at = now()
        FROM next WHERE c.id = next.id AND cardinality(next.tags) <= ${max}
        RETURNING c.tags`;
      return rows[0]?.tags ?? null;
    },

    /** Removes tags in SQL, keeping the order of the rest; returns the tags after. */
    async removeTags(id: string, tags: readonly string[]): Promise<string[]> {
      const rows = await db.$queryRaw<{ tags: string[] }[]>`
        UPDATE customers c SET tags = ARRAY(
          SELECT t FROM unnest(c.tags) WITH ORDINALITY AS n(t, i) WHERE NOT (t = ANY(${[...tags]}::text[])) ORDER BY i
        ), updated_at = now()
        WHERE c.id = ${id}::uuid
        RETURNING c.tags`;
      return rows[0]?.tags ?? [];
    },

    /**
     * Another customer already called this (its name or one of its aliases has the same key),
     * for refusing a rename that would make two customers answer to one name.
     */
    async nameTakenBy(keys: NameKeys, exceptId: string): Promise<{ id: string; name: string } | null> {
      const rows = await db.$queryRaw<{ id: string; name: string }[]>`
        SELECT id, name FROM customers WHERE normalized_name = ${keys.normalizedName} AND id <> ${exceptId}::uuid
        UNION ALL
        SELECT c.id, c.name FROM customer_aliases a JOIN customers c ON c.id = a.customer_id
        WHERE a.normalized_name = ${keys.normalizedName} AND a.customer_id <> ${exceptId}::uuid
        LIMIT 1`;
      return rows[0] ?? null;
    },

    /**
     * The new name and its keys. The unique index on normalized_name still decides between two
     * renames to one name at once: the second fails with a unique violation (P2010/23505).
     */
    async rename(id: string, name: string, keys: NameKeys): Promise<void> {
      await db.$executeRaw`
        UPDATE customers SET name = ${name}, normalized_name = ${keys.normalizedName}, pinyin = ${keys.pinyin},
               pinyin_initials = ${keys.pinyinInitials}, updated_at = now()
        WHERE id = ${id}::uuid`;
    },

    /** Keeps a name the customer was known by, so looking it up still finds them. */
    async addAlias(customerId: string, alias: string, keys: NameKeys): Promise<void> {
      await db.$executeRaw`
        INSERT INTO customer_aliases (id, customer_id, alias, normalized_name, pinyin, created_at)
        VALUES (gen_random_uuid(), ${customerId}::uuid, ${alias}, ${keys.normalizedName}, ${keys.pinyin}, now())
        ON CONFLICT (customer_id, normalized_name) DO NOTHING`;
    },

    /** An alias that is now the name itself again ("rename back"): the name covers it. */
    async removeAlias(customerId: string, normalizedName: string): Promise<void> {
      await db.$executeRaw`DELETE FROM customer_aliases WHERE customer_id = ${customerId}::uuid AND normalized_name = ${normalizedName}`;
    },

    async setOwner(id: string, ownerId: string | null): Promise<void> {
      await db.$executeRaw`UPDATE customers SET owner_id = ${ownerId}::uuid, updated_at = now() WHERE id = ${id}::uuid`;
    },

    /**
     * A stage set by hand, and its customer_stage_changes row (reason { rule: "manual", by,
     * byId }: who set it), in one statement, as the nightly scan and purchases record theirs.
     */
    async setStage(id: string, from: Stage, to: Stage, by: { id: string; name: string }, changedAt: Date): Promise<void> {
      const reason = JSON.stringify({ rule: "manual", by: by.name, byId: by.id });
      await db.$executeRaw`
        WITH moved AS (
          UPDATE customers SET stage = ${to}::"Stage", updated_at = now() WHERE id = ${id}::uuid
          RETURNING id, owner_id
        )
        INSERT INTO customer_stage_changes (id, customer_id, from_stage, to_stage, reason, owner_id, changed_at)
        SELECT gen_random_uuid(), id, ${from}::"Stage", ${to}::"Stage", ${reason}::jsonb, owner_id, ${changedAt} FROM moved`;
    },
  };
}

export type CustomerFieldStore = ReturnType<typeof createCustomerFieldStore>;
