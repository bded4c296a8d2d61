import type { Stage } from "@prisma/client";
import { hasChinese, type NameKeys } from "../../domain/language/customer-name.js";
import { SEALED_CONTACT_SELECT, openContactSecrets, withContactSecrets, type ContactSecrets } from "../encryption/contact-secrets.js";
import type { FieldCipher } from "../encryption/field-cipher.js";
import { LIVE } from "../live-rows.js";
import { Prisma, type Db } from "../prisma.js";

export interface CustomerSummary {
  id: string;
  name: string;
  stage: Stage;
  ownerId: string | null;
  ownerName: string | null;
}

export type MatchTier = "exact" | "partial" | "similar" | "none";

export interface CustomerSearch {
  tier: MatchTier;
  candidates: CustomerSummary[];
}

interface Row {
  id: string;
  name: string;
  stage: Stage;
  owner_id: string | null;
  owner_name: string | null;
}

const toSummary = (r: Row): CustomerSummary => ({
  id: r.id,
  name: r.name,
  stage: r.stage,
  ownerId: r.owner_id,
  ownerName: r.owner_name,
});

/** Chinese queries of one or two characters make no trigram: they only match by prefix. */
const MIN_SUBSTRING_LENGTH = 3;

export function createCustomerStore(db: Db, cipher: FieldCipher) {
  async function exact(keys: NameKeys, limit: number): Promise<Row[]> {
    return db.$queryRaw<Row[]>`
      SELECT c.id, c.name, c.stage, c.owner_id, u.display_name AS owner_name
      FROM customers c LEFT JOIN users u ON u.id = c.owner_id
      WHERE c.id IN (
        SELECT id FROM customers WHERE normalized_name = ${keys.normalizedName} OR pinyin = ${keys.pinyin}
        UNION
        SELECT customer_id FROM customer_aliases WHERE normalized_name = ${keys.normalizedName} OR pinyin = ${keys.pinyin}
      )
      ORDER BY c.name LIMIT ${limit}`;
  }

  /**
   * Names that start with, or (for three or more characters) contain, the query. A Latin
   * query is compared with pinyin only: for Latin names pinyin equals the normalised name,
   * and for Chinese names it is the only column a Latin query can match.
   */
  async function partial(keys: NameKeys, limit: number): Promise<Row[]> {
    const n = keys.normalizedName;
    const p = keys.pinyin;
    const long = [...n].length >= MIN_SUBSTRING_LENGTH;
    const arms = [Prisma.sql`SELECT id FROM customers WHERE pinyin LIKE ${p + "%"}`];
    if (hasChinese(n)) arms.push(Prisma.sql`SELECT id FROM customers WHERE normalized_name LIKE ${n + "%"}`);
    if (long) {
      arms.push(Prisma.sql`SELECT id FROM customers WHERE pinyin LIKE ${"%" + p + "%"}`);
      if (hasChinese(n)) arms.push(Prisma.sql`SELECT id FROM customers WHERE normalized_name LIKE ${"%" + n + "%"}`);
      else arms.push(Prisma.sql`SELECT id FROM customers WHERE pinyin_initials = ${n}`);
    }
    arms.push(Prisma.sql`SELECT customer_id FROM customer_aliases WHERE normalized_name LIKE ${n + "%"} OR pinyin LIKE ${p + "%"}`);
    return db.$queryRaw<Row[]>`
      SELECT c.id, c.name, c.stage, c.owner_id, u.display_name AS owner_name
      FROM customers c LEFT JOIN users u ON u.id = c.owner_id
      WHERE c.id IN (${Prisma.join(arms, " UNION ")})
      ORDER BY length(c.normalized_name), c.name LIMIT ${limit}`;
  }

  /**
   * Typos: trigram similarity (pg_trgm's `%`, threshold 0.3) on the characters a query is
   * written in: the name for Chinese, pinyin for Latin (which covers Latin names and the pinyin
   * of Chinese ones). A homophone typed in Chinese already matches exactly by pinyin.
   * The planner misjudges how selective `%` is and may scan every row computing similarity
   * (300 ms at 100k customers); the trigram index answers in a few ms, so sequential scans are
   * switched off for this one statement.
   */
  async function similar(keys: NameKeys, limit: number): Promise<Row[]> {
    const arms = [
      hasChinese(keys.normalizedName)
        ? Prisma.sql`SELECT id, similarity(normalized_name, ${keys.normalizedName}) AS score FROM customers WHERE normalized_name % ${keys.normalizedName}`
        : Prisma.sql`SELECT id, similarity(pinyin, ${keys.pinyin}) AS score FROM customers WHERE pinyin % ${keys.pinyin}`,
      Prisma.sql`SELECT customer_id, similarity(normalized_name, ${keys.normalizedName}) FROM customer_aliases WHERE normalized_name % ${keys.normalizedName}`,
    ];
    const query = Prisma.sql`
      SELECT c.id, c.name, c.stage, c.owner_id, u.display_name AS owner_name
      FROM (${Prisma.join(arms, " UNION ALL ")}) m
      JOIN customers c ON c.id = m.id LEFT JOIN users u ON u.id = c.owner_id
      GROUP BY c.id, u.display_name
      ORDER BY max(m.score) DESC, c.name LIMIT ${limit}`;
    const run = async (tx: Db) => {
      await tx.$executeRaw`SET LOCAL enable_seqscan = off`;
      return tx.$queryRaw<Row[]>(query);
    };
    return "$transaction" in db ? db.$transaction(run) : run(db);
  }

  return {
    /**
     * Finds customers by a name as a rep types it, tier by tier: exact key (name, alias or
     * pinyin), then prefix/substring, then trigram similarity. Each tier uses an index.
     */
    async search(keys: NameKeys, limit = 8): Promise<CustomerSearch> {
      if (!keys.normalizedName) return { tier: "none", candidates: [] };
      const hits = await exact(keys, limit);
      if (hits.length > 0) return { tier: "exact", candidates: hits.map(toSummary) };
      const near = await partial(keys, limit);
      if (near.length > 0) return { tier: "partial", candidates: near.map(toSummary) };
      const alike = await similar(keys, 5);
      return { tier: alike.length > 0 ? "similar" : "none", candidates: alike.map(toSummary) };
    },

    /** Only exact keys (name, alias, pinyin): one indexed query, for scanning a text for names. */
    async findExact(keys: NameKeys, limit = 2): Promise<CustomerSummary[]> {
      return keys.normalizedName ? (await exact(keys, limit)).map(toSummary) : [];
    },

    /**
     * Creates a customer unless one with the same normalised name exists; the unique index
     * decides, so two reps adding "Acme" at once end with one customer.
     */
    async create(input: { name: string; keys: NameKeys; ownerId: string | null; stage?: Stage; source?: string }): Promise<{ created: boolean; customer: CustomerSummary }> {
      const rows = await db.$queryRaw<{ id: string }[]>`
        INSERT INTO customers (id, name, normalized_name, pinyin, pinyin_initials, stage, owner_id, source, updated_at)
        VALUES (gen_random_uuid(), ${input.name}, ${input.keys.normalizedName}, ${input.keys.pinyin},
                ${input.keys.pinyinInitials}, ${input.stage ?? "LEAD"}::"Stage", ${input.ownerId}::uuid,
                ${input.source ?? null}, now())
        ON CONFLICT (normalized_name) DO NOTHING
        RETURNING id`;
      const created = rows.length > 0;
      const id = rows[0]?.id;
      const customer = id
        ? await this.getSummary(id)
        : (await exact(input.keys, 1)).map(toSummary)[0];
      if (!customer) throw new Error(`customer ${input.keys.normalizedName} vanished after insert`);
      return { created, customer };
    },

    async getSummary(id: string): Promise<CustomerSummary | null> {
      const c = await db.customer.findUnique({
        where: { id },
        select: { id: true, name: true, stage: true, ownerId: true, owner: { select: { displayName: true } } },
      });
      return c ? { id: c.id, name: c.name, stage: c.stage, ownerId: c.ownerId, ownerName: c.owner?.displayName ?? null } : null;
    },

    /** The card's facts; the address and the contacts' details opened (they are stored sealed). */
    async getDetail(id: string) {
      const row = await db.customer.findUnique({
        where: { id },
        select: {
          id: true, name: true, stage: true, source: true, createdAt: true, ownerId: true,
          industry: true, website: true, addressEnc: true, about: true, tags: true,
          owner: { select: { id: true, displayName: true, platform: true, externalId: true } },
          aliases: { select: { alias: true }, orderBy: { alias: "asc" } },
          contacts: {
            where: { deletedAt: null },
            select: { id: true, name: true, title: true, ...SEALED_CONTACT_SELECT, slackUserId: true },
            orderBy: { createdAt: "asc" },
            take: 10,
          },
          stats: true,
          // How many the card's lists are cut from ("10 of 14"), in the same statement.
          _count: { select: { contacts: { where: { deletedAt: null } }, interactions: { where: LIVE } } },
        },
      });
      if (!row) return null;
      const { addressEnc, contacts, ...rest } = row;
      return { ...rest, address: cipher.openOrNull("customers.address", addressEnc), contacts: contacts.map((c) => withContactSecrets(cipher, c)) };
    },

    /** A page of a customer's live contacts, oldest first (the card's order), and how many there are. */
    async contactsPage(customerId: string, take: number, skip = 0) {
      const [items, total] = await Promise.all([
        db.contact.findMany({
          where: { customerId, deletedAt: null },
          select: { id: true, name: true, title: true, ...SEALED_CONTACT_SELECT },
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
          take,
          skip,
        }),
        db.contact.count({ where: { customerId, deletedAt: null } }),
      ]);
      return { items: items.map((c) => withContactSecrets(cipher, c)), total };
    },

    /**
     * Every contact's private details (for hiding them in text a channel reads). Removed contacts
     * too, on purpose: a note written while they were listed may still mention them.
     */
    async contactDetails(customerId: string): Promise<ContactSecrets[]> {
      const rows = await db.contact.findMany({ where: { customerId }, select: SEALED_CONTACT_SELECT });
      return rows.map((r) => openContactSecrets(cipher, r));
    },

    async addAlias(customerId: string, alias: string, keys: NameKeys): Promise<void> {
      await db.customerAlias.upsert({
        where: { customerId_normalizedName: { customerId, normalizedName: keys.normalizedName } },
        create: { customerId, alias, normalizedName: keys.normalizedName, pinyin: keys.pinyin },
        update: {},
      });
    },

    async setStage(id: string, from: readonly Stage[], to: Stage): Promise<boolean> {
      const { count } = await db.customer.updateMany({ where: { id, stage: { in: [...from] } }, data: { stage: to } });
      return count > 0;
    },
  };
}

export type CustomerStore = ReturnType<typeof createCustomerStore>;
