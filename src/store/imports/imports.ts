import type { Prisma as PrismaTypes } from "@prisma/client";
import type { NameKeys } from "../../domain/language/customer-name.js";
import { recomputeCustomerStats } from "../customers/customer-merge.js";
import { sealedContactRow } from "../encryption/contact-secrets.js";
import type { FieldCipher } from "../encryption/field-cipher.js";
import type { Db } from "../prisma.js";
import { LIVE_INTERACTIONS_SQL, LIVE_ORDERS_SQL } from "../live-rows.js";
import { rebuildPurchaseMonthsSql } from "../analytics/purchase-months.js";
import { unroll } from "../analytics/rollups.js";

/**
 * Bulk writes of an import (src/services/imports/): a batch of rows is matched with what is
 * stored in one query per table and written with one `INSERT … SELECT FROM unnest(…)` or
 * `UPDATE … FROM unnest(…)` per table, instead of a statement per row. Personal details are
 * sealed here, with the same helpers as every other write (contact-secrets.ts, field-cipher.ts),
 * and matched by their keyed hashes. Aggregates are not kept per row: `refreshAggregates` brings
 * them up to date once for everything an import touched.
 */

// ---------------------------------------------------------------------------------------------
// Customers

export interface StoredCustomer {
  id: string;
  externalId: string | null;
  name: string;
  normalizedName: string;
  pinyin: string;
  stage: string;
  ownerId: string | null;
  industry: string | null;
  website: string | null;
  address: string | null;
  about: string | null;
  source: string | null;
  tags: string[];
  /** Erased on request (/crm erase): a file naming it again is refused, never written back. */
  erased: boolean;
}

/** A customer known by an alias a row's name matches. */
export interface AliasHit {
  customerId: string;
  name: string;
  normalizedName: string;
  pinyin: string;
}

export interface CustomerWrite {
  id: string;
  externalId: string | null;
  name: string;
  keys: NameKeys;
  stage: string | null;
  ownerId: string | null;
  industry: string | null;
  website: string | null;
  address: string | null;
  about: string | null;
  source: string | null;
  tags: string[] | null;
}

/** The fields an update sets (the others stay as stored). */
export type CustomerChange = { id: string } & Partial<Pick<CustomerWrite, "externalId" | "stage" | "ownerId" | "industry" | "website" | "address" | "about" | "source" | "tags">>;

// ---------------------------------------------------------------------------------------------
// Contacts

export interface StoredContact {
  id: string;
  customerId: string;
  externalId: string | null;
  name: string;
  title: string | null;
  emailHash: string | null;
  phoneHash: string | null;
  wechatHash: string | null;
  birthday: string | null;
  anniversary: string | null;
  /** Erased on request: found by its external id only, and never written again. */
  erased: boolean;
}

export interface ContactWrite {
  id: string;
  customerId: string;
  externalId: string | null;
  name: string;
  title: string | null;
  email: string | null;
  phone: string | null;
  wechatOpenId: string | null;
  birthday: string | null;
  anniversary: string | null;
}

export type ContactChange = { id: string } & Partial<Omit<ContactWrite, "id" | "customerId">>;

// ---------------------------------------------------------------------------------------------
// Orders and interactions

export interface OrderWrite {
  externalId: string | null;
  customerId: string;
  createdById: string | null;
  amount: string;
  currency: string;
  baseAmount: string;
  rateToBase: string;
  product: string | null;
  orderedAt: Date;
}

/** An order found by its external id or its natural key (customer, time, amount, currency). */
export interface StoredOrder {
  id: string;
  externalId: string | null;
  customerId: string;
  amount: string;
  currency: string;
  product: string | null;
  orderedAt: Date;
}

export interface InteractionWrite {
  externalId: string | null;
  customerId: string;
  authorId: string | null;
  contactName: string | null;
  channel: string;
  direction: string;
  body: string;
  occurredAt: Date;
}

export interface StoredInteraction {
  id: string;
  externalId: string | null;
  customerId: string;
  channel: string;
  direction: string;
  bodyHash: string;
  occurredAt: Date;
}

const iso = (d: Date) => d.toISOString();
/** Arrays of nullable values go to Postgres as text[] and are cast there. */
const texts = (values: readonly (string | null)[]) => values as string[];

export interface ImportRunRow {
  id: string;
  createdById: string;
  kind: string;
  fileName: string;
  format: string;
  byteSize: number;
  status: string;
  mapping: unknown;
  timezone: string;
  locale: string;
  platform: string | null;
  channel: string | null;
  messageTs: string | null;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  problems: unknown;
  problemCsv: Uint8Array | null;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface RunCounts {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
}

/** The uploaded file is kept in pieces of this size. */
export const IMPORT_CHUNK_BYTES = 1 << 20;

export function createImportStore(db: Db, cipher: FieldCipher) {
  // The first problems name what the rows said (a phone as typed): sealed like the file itself.
  const sealProblems = (problems: unknown): PrismaTypes.InputJsonValue =>
    problems === null ? (null as unknown as PrismaTypes.InputJsonValue) : { sealed: cipher.seal("import_runs.problems", JSON.stringify(problems)) };
  const openProblems = (stored: unknown): unknown => {
    const sealed = stored && typeof stored === "object" && "sealed" in stored ? (stored).sealed : undefined;
    return typeof sealed === "string" ? JSON.parse(cipher.open("import_runs.problems", sealed)) : null;
  };
  return {
    // -- runs ---------------------------------------------------------------------------------

    async createRun(run: Pick<ImportRunRow, "id" | "createdById" | "kind" | "fileName" | "format" | "byteSize" | "status" | "mapping" | "timezone" | "locale" | "platform" | "channel"> & Partial<RunCounts> & { problems?: unknown }): Promise<void> {
      await db.importRun.create({
        data: {
          id: run.id, createdById: run.createdById, kind: run.kind, fileName: run.fileName, format: run.format, byteSize: run.byteSize, status: run.status,
          mapping: run.mapping as PrismaTypes.InputJsonValue, timezone: run.timezone, locale: run.locale, platform: run.platform, channel: run.channel,
          rows: run.rows ?? 0, created: run.created ?? 0, updated: run.updated ?? 0, unchanged: run.unchanged ?? 0, failed: run.failed ?? 0,
          ...(run.problems !== undefined ? { problems: sealProblems(run.problems) } : {}),
        },
      });
    },

    async getRun(id: string): Promise<ImportRunRow | null> {
      if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
      const run = await db.importRun.findUnique({ where: { id } });
      if (!run) return null;
      return {
        ...run,
        problems: openProblems(run.problems),
        problemCsv: run.problemCsv ? new Uint8Array(cipher.openBytes("import_runs.problem_csv", run.problemCsv)) : null,
      };
    },

    /** Moves a run from one of `from` to `to` (false: it was not in any of them: someone else got there first). */
    async moveRun(id: string, from: readonly string[], to: string, set: { startedAt?: Date; mapping?: unknown; kind?: string } = {}): Promise<boolean> {
      const { count } = await db.importRun.updateMany({
        where: { id, status: { in: [...from] } },
        data: { status: to, ...(set.startedAt ? { startedAt: set.startedAt } : {}), ...(set.mapping !== undefined ? { mapping: set.mapping as PrismaTypes.InputJsonValue } : {}), ...(set.kind ? { kind: set.kind } : {}) },
      });
      return count > 0;
    },

    /** Runs waiting for a worker, and runs started before `staleBefore` that never ended (their worker died). */
    async unfinished(staleBefore: Date): Promise<string[]> {
      const rows = await db.importRun.findMany({ where: { OR: [{ status: "queued" }, { status: "running", startedAt: { lt: staleBefore } }] }, select: { id: true }, take: 100 });
      return rows.map((r) => r.id);
    },

    /** A run that starts (again, after a worker died in it) counts from nothing. */
    async finishCountsReset(id: string): Promise<void> {
      await db.importRun.update({ where: { id }, data: { rows: 0, created: 0, updated: 0, unchanged: 0, failed: 0 } });
    },

    async setMessage(id: string, channel: string, ts: string): Promise<void> {
      await db.importRun.update({ where: { id }, data: { channel, messageTs: ts } });
    },

    /** The counts so far, written in the transaction of the batch they count. */
    async addCounts(id: string, counts: RunCounts): Promise<void> {
      await db.$executeRaw`
        UPDATE import_runs SET rows = rows + ${counts.rows}::int, created = created + ${counts.created}::int, updated = updated + ${counts.updated}::int,
               unchanged = unchanged + ${counts.unchanged}::int, failed = failed + ${counts.failed}::int
        WHERE id = ${id}::uuid`;
    },

    async finishRun(id: string, end: { status: "done" | "failed" | "cancelled"; at: Date; counts?: RunCounts; problems?: unknown; problemCsv?: Uint8Array | null; error?: string }): Promise<void> {
      await db.importRun.update({
        where: { id },
        data: {
          status: end.status, finishedAt: end.at, ...(end.counts ?? {}),
          ...(end.problems !== undefined ? { problems: sealProblems(end.problems) } : {}),
          ...(end.problemCsv !== undefined ? { problemCsv: end.problemCsv ? cipher.sealBytes("import_runs.problem_csv", end.problemCsv) : null } : {}),
          ...(end.error !== undefined ? { error: end.error } : {}),
        },
      });
      // The file is no longer needed once the run ended, however it ended.
      await db.importFileChunk.deleteMany({ where: { runId: id } });
    },

    async addChunk(runId: string, seq: number, bytes: Uint8Array): Promise<void> {
      await db.importFileChunk.create({ data: { runId, seq, bytes: cipher.sealBytes("import_file_chunks.bytes", bytes) } });
    },

    /** One stored piece of the uploaded file (null past the end). */
    async chunk(runId: string, seq: number): Promise<Uint8Array | null> {
      const row = await db.importFileChunk.findUnique({ where: { runId_seq: { runId, seq } }, select: { bytes: true } });
      return row ? new Uint8Array(cipher.openBytes("import_file_chunks.bytes", row.bytes)) : null;
    },

    /**
     * Clears what runs older than `before` left: the files of previews nobody imported (their
     * runs become cancelled) and every old problem CSV (it holds rows of the file as typed).
     */
    async purge(before: Date): Promise<number> {
      const { count } = await db.importRun.updateMany({ where: { createdAt: { lt: before }, status: "previewed" }, data: { status: "cancelled", finishedAt: new Date() } });
      await db.$executeRaw`DELETE FROM import_file_chunks c USING import_runs r WHERE r.id = c.run_id AND r.created_at < ${before} AND r.status NOT IN ('queued', 'running')`;
      await db.$executeRaw`UPDATE import_runs SET problem_csv = NULL, problems = NULL WHERE created_at < ${before} AND (problem_csv IS NOT NULL OR problems IS NOT NULL)`;
      return count;
    },

    /**
     * A batch's transaction commits without waiting for its WAL to reach the disk: a crash of
     * the database server may lose the last batches of a running import, never part of one (a
     * batch and its counts commit together), and an import found again is idempotent. The wait
     * per commit is what most separates a batched import from one COPY.
     */
    async batchCommit(): Promise<void> {
      await db.$executeRaw`SET LOCAL synchronous_commit = off`;
    },

    /** How many customers there are: an import touching a good part of them refreshes all at once. */
    async customerCount(): Promise<number> {
      const rows = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM customers`;
      return rows[0]!.n;
    },

    /** Customers with any order (or interaction), deleted ones too: only their rows can be found by natural key. */
    async customersWithRows(table: "orders" | "interactions"): Promise<Set<string>> {
      const rows = await db.$queryRawUnsafe<{ customer_id: string }[]>(
        // all-rows: a deleted order or entry still counts as the one a file names.
        `SELECT DISTINCT customer_id FROM ${table === "orders" ? "orders" : "interactions"}`,
      );
      return new Set(rows.map((r) => r.customer_id));
    },

    // -- matching -------------------------------------------------------------------------------

    /**
     * Customers a batch may name: by our id or their external id (`refs`), by exact name key,
     * and by pinyin; and the aliases whose key or pinyin a name matches. One round trip each.
     */
    async matchCustomers(refs: readonly string[], names: readonly NameKeys[]): Promise<{ customers: StoredCustomer[]; aliases: AliasHit[] }> {
      const ids = refs.filter((r) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(r));
      const norms = [...new Set(names.map((n) => n.normalizedName))];
      const pinyins = [...new Set(names.map((n) => n.pinyin))];
      const rows = await db.$queryRaw<{
        id: string; external_id: string | null; name: string; normalized_name: string; pinyin: string; stage: string; owner_id: string | null;
        industry: string | null; website: string | null; address_enc: string | null; about: string | null; source: string | null; tags: string[]; erased: boolean;
      }[]>`
        SELECT id, external_id, name, normalized_name, pinyin, stage::text AS stage, owner_id, industry, website, address_enc, about, source, tags, erased_at IS NOT NULL AS erased
        FROM customers
        WHERE id = ANY(${ids}::uuid[]) OR external_id = ANY(${[...refs]}::text[])
           OR normalized_name = ANY(${norms}::text[]) OR pinyin = ANY(${pinyins}::text[])`;
      const aliases = norms.length === 0 ? [] : await db.$queryRaw<{ customer_id: string; name: string; normalized_name: string; pinyin: string }[]>`
        SELECT a.customer_id, c.name, a.normalized_name, a.pinyin
        FROM customer_aliases a JOIN customers c ON c.id = a.customer_id
        WHERE a.normalized_name = ANY(${norms}::text[]) OR a.pinyin = ANY(${pinyins}::text[])`;
      return {
        customers: rows.map((r) => ({
          id: r.id, externalId: r.external_id, name: r.name, normalizedName: r.normalized_name, pinyin: r.pinyin, stage: r.stage, ownerId: r.owner_id,
          industry: r.industry, website: r.website, address: cipher.openOrNull("customers.address", r.address_enc), about: r.about, source: r.source, tags: r.tags, erased: r.erased,
        })),
        aliases: aliases.map((a) => ({ customerId: a.customer_id, name: a.name, normalizedName: a.normalized_name, pinyin: a.pinyin })),
      };
    },

    /** Live contacts of these customers, and any contact with one of these external ids, with their look-up hashes. */
    async matchContacts(customerIds: readonly string[], externalIds: readonly string[]): Promise<StoredContact[]> {
      if (customerIds.length === 0 && externalIds.length === 0) return [];
      const rows = await db.$queryRaw<{
        id: string; customer_id: string; external_id: string | null; name: string; title: string | null; email_hash: string | null; phone_hash: string | null;
        wechat_open_id_hash: string | null; birthday: Date | null; anniversary: Date | null; erased: boolean;
      }[]>`
        SELECT id, customer_id, external_id, name, title, email_hash, phone_hash, wechat_open_id_hash, birthday, anniversary, erased_at IS NOT NULL AS erased
        FROM contacts
        WHERE (customer_id = ANY(${[...customerIds]}::uuid[]) AND deleted_at IS NULL) OR external_id = ANY(${[...externalIds]}::text[])
        ORDER BY created_at, id`;
      const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);
      return rows.map((r) => ({
        id: r.id, customerId: r.customer_id, externalId: r.external_id, name: r.name, title: r.title, emailHash: r.email_hash, phoneHash: r.phone_hash,
        wechatHash: r.wechat_open_id_hash, birthday: day(r.birthday), anniversary: day(r.anniversary), erased: r.erased,
      }));
    },

    /** Contacts (any customer's) already holding one of these WeChat ids: a WeChat person is one contact. */
    async contactsWithWechat(hashes: readonly string[]): Promise<Map<string, string>> {
      if (hashes.length === 0) return new Map();
      const rows = await db.$queryRaw<{ id: string; wechat_open_id_hash: string }[]>`
        SELECT id, wechat_open_id_hash FROM contacts WHERE wechat_open_id_hash = ANY(${[...hashes]}::text[])`;
      return new Map(rows.map((r) => [r.wechat_open_id_hash, r.id]));
    },

    /**
     * Orders with one of these external ids, or with the same customer, time, amount and
     * currency as one of `keys` (deleted ones too: a re-import must not bring back an order a rep
     * deleted).
     */
    async matchOrders(externalIds: readonly string[], keys: readonly { customerId: string; orderedAt: Date; amount: string; currency: string }[]): Promise<StoredOrder[]> {
      type Row = { id: string; external_id: string | null; customer_id: string; amount: string; currency: string; product: string | null; ordered_at: Date };
      const byId = externalIds.length === 0 ? [] : await db.$queryRaw<Row[]>`
        -- all-rows: an order a rep deleted still holds its external id.
        SELECT id, external_id, customer_id, amount::text AS amount, currency::text AS currency, product, ordered_at FROM orders WHERE external_id = ANY(${[...externalIds]}::text[])`;
      const byKey = keys.length === 0 ? [] : await db.$queryRaw<Row[]>`
        -- all-rows: a deleted order still counts as the one a file names.
        SELECT o.id, o.external_id, o.customer_id, o.amount::text AS amount, o.currency::text AS currency, o.product, o.ordered_at
        FROM orders o
        JOIN unnest(${keys.map((k) => k.customerId)}::uuid[], ${keys.map((k) => iso(k.orderedAt))}::timestamptz[], ${keys.map((k) => k.amount)}::numeric[], ${keys.map((k) => k.currency)}::text[])
             AS v(customer_id, ordered_at, amount, currency)
          ON o.customer_id = v.customer_id AND o.ordered_at = v.ordered_at AND o.amount = v.amount AND o.currency = v.currency`;
      return [...byId, ...byKey].map((r) => ({ id: r.id, externalId: r.external_id, customerId: r.customer_id, amount: r.amount, currency: r.currency.trim(), product: r.product, orderedAt: r.ordered_at }));
    },

    /** Interactions with one of these external ids, or the same customer, time and text (by md5) as one of `keys`. */
    async matchInteractions(externalIds: readonly string[], keys: readonly { customerId: string; occurredAt: Date; bodyHash: string }[]): Promise<StoredInteraction[]> {
      type Row = { id: string; external_id: string | null; customer_id: string; channel: string; direction: string; body_hash: string; occurred_at: Date };
      const byId = externalIds.length === 0 ? [] : await db.$queryRaw<Row[]>`
        -- all-rows: an entry a rep deleted still holds its external id.
        SELECT id, external_id, customer_id, channel::text AS channel, direction::text AS direction, md5(body) AS body_hash, occurred_at FROM interactions WHERE external_id = ANY(${[...externalIds]}::text[])`;
      const byKey = keys.length === 0 ? [] : await db.$queryRaw<Row[]>`
        -- all-rows: a deleted entry still counts as the one a file names.
        SELECT i.id, i.external_id, i.customer_id, i.channel::text AS channel, i.direction::text AS direction, md5(i.body) AS body_hash, i.occurred_at
        FROM interactions i
        JOIN unnest(${keys.map((k) => k.customerId)}::uuid[], ${keys.map((k) => iso(k.occurredAt))}::timestamptz[], ${keys.map((k) => k.bodyHash)}::text[]) AS v(customer_id, occurred_at, body_hash)
          ON i.customer_id = v.customer_id AND i.occurred_at = v.occurred_at AND md5(i.body) = v.body_hash`;
      return [...byId, ...byKey].map((r) => ({ id: r.id, externalId: r.external_id, customerId: r.customer_id, channel: r.channel, direction: r.direction, bodyHash: r.body_hash, occurredAt: r.occurred_at }));
    },

    // -- writes ---------------------------------------------------------------------------------

    /**
     * New customers. A name or external id taken meanwhile (a rep added the customer a moment
     * ago) inserts nothing for that row: the ids returned are the ones written.
     */
    async insertCustomers(rows: readonly CustomerWrite[]): Promise<Set<string>> {
      if (rows.length === 0) return new Set();
      const written = await db.$queryRaw<{ id: string }[]>`
        INSERT INTO customers (id, name, normalized_name, pinyin, pinyin_initials, stage, owner_id, industry, website, address_enc, about, source, tags, external_id, updated_at)
        SELECT v.id, v.name, v.norm, v.pinyin, v.initials, coalesce(v.stage, 'LEAD')::"Stage", v.owner_id, v.industry, v.website, v.address_enc, v.about, v.source,
               coalesce(string_to_array(v.tags, chr(31)), '{}'), v.external_id, now()
        FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.name)}::text[], ${rows.map((r) => r.keys.normalizedName)}::text[],
                    ${rows.map((r) => r.keys.pinyin)}::text[], ${rows.map((r) => r.keys.pinyinInitials)}::text[], ${texts(rows.map((r) => r.stage))}::text[],
                    ${texts(rows.map((r) => r.ownerId))}::uuid[], ${texts(rows.map((r) => r.industry))}::text[], ${texts(rows.map((r) => r.website))}::text[],
                    ${texts(rows.map((r) => cipher.sealOrNull("customers.address", r.address)))}::text[], ${texts(rows.map((r) => r.about))}::text[],
                    ${texts(rows.map((r) => r.source))}::text[], ${texts(rows.map((r) => (r.tags ? r.tags.join("\u001f") : null)))}::text[], ${texts(rows.map((r) => r.externalId))}::text[])
             AS v(id, name, norm, pinyin, initials, stage, owner_id, industry, website, address_enc, about, source, tags, external_id)
        ON CONFLICT DO NOTHING
        RETURNING id`;
      return new Set(written.map((w) => w.id));
    },

    /** Sets the given fields of each customer (an absent field stays as it is). */
    async updateCustomers(changes: readonly CustomerChange[]): Promise<void> {
      if (changes.length === 0) return;
      const col = <K extends keyof CustomerChange>(key: K, map: (v: NonNullable<CustomerChange[K]>) => string | null = (v) => v as unknown as string) => ({
        set: changes.map((c) => key in c),
        value: texts(changes.map((c) => (key in c && c[key] !== null && c[key] !== undefined ? map(c[key] as NonNullable<CustomerChange[K]>) : null))),
      });
      const stage = col("stage");
      const owner = col("ownerId");
      const industry = col("industry");
      const website = col("website");
      const address = col("address", (a) => cipher.seal("customers.address", a));
      const about = col("about");
      const source = col("source");
      const tags = col("tags", (t) => t.join("\u001f"));
      const external = col("externalId");
      await db.$executeRaw`
        UPDATE customers c SET
          stage = CASE WHEN v.s_stage THEN v.stage::"Stage" ELSE c.stage END,
          owner_id = CASE WHEN v.s_owner THEN v.owner_id ELSE c.owner_id END,
          industry = CASE WHEN v.s_industry THEN v.industry ELSE c.industry END,
          website = CASE WHEN v.s_website THEN v.website ELSE c.website END,
          address_enc = CASE WHEN v.s_address THEN v.address_enc ELSE c.address_enc END,
          about = CASE WHEN v.s_about THEN v.about ELSE c.about END,
          source = CASE WHEN v.s_source THEN v.source ELSE c.source END,
          tags = CASE WHEN v.s_tags THEN coalesce(string_to_array(v.tags, chr(31)), '{}') ELSE c.tags END,
          external_id = CASE WHEN v.s_external THEN v.external_id ELSE c.external_id END,
          updated_at = now()
        FROM unnest(${changes.map((c) => c.id)}::uuid[],
                    ${stage.set}::boolean[], ${stage.value}::text[], ${owner.set}::boolean[], ${owner.value}::uuid[],
                    ${industry.set}::boolean[], ${industry.value}::text[], ${website.set}::boolean[], ${website.value}::text[],
                    ${address.set}::boolean[], ${address.value}::text[], ${about.set}::boolean[], ${about.value}::text[],
                    ${source.set}::boolean[], ${source.value}::text[], ${tags.set}::boolean[], ${tags.value}::text[],
                    ${external.set}::boolean[], ${external.value}::text[])
             AS v(id, s_stage, stage, s_owner, owner_id, s_industry, industry, s_website, website, s_address, address_enc, s_about, about,
                  s_source, source, s_tags, tags, s_external, external_id)
        WHERE c.id = v.id`;
    },

    async insertContacts(rows: readonly ContactWrite[]): Promise<void> {
      if (rows.length === 0) return;
      const sealed = rows.map((r) => sealedContactRow(cipher, { email: r.email, phone: r.phone, wechatOpenId: r.wechatOpenId }));
      await db.$executeRaw`
        INSERT INTO contacts (id, customer_id, external_id, name, title, birthday, anniversary, email_enc, email_hash, email_invalid, phone_enc, phone_hash, phone_invalid,
                              wechat_open_id_enc, wechat_open_id_hash, updated_at)
        SELECT v.id, v.customer_id, v.external_id, v.name, v.title, v.birthday, v.anniversary, v.email_enc, v.email_hash, v.email_invalid, v.phone_enc, v.phone_hash,
               v.phone_invalid, v.wechat_enc, v.wechat_hash, now()
        FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.customerId)}::uuid[], ${texts(rows.map((r) => r.externalId))}::text[],
                    ${rows.map((r) => r.name)}::text[], ${texts(rows.map((r) => r.title))}::text[], ${texts(rows.map((r) => r.birthday))}::date[],
                    ${texts(rows.map((r) => r.anniversary))}::date[], ${texts(sealed.map((s) => s.email_enc))}::text[], ${texts(sealed.map((s) => s.email_hash))}::text[],
                    ${sealed.map((s) => s.email_invalid)}::boolean[], ${texts(sealed.map((s) => s.phone_enc))}::text[], ${texts(sealed.map((s) => s.phone_hash))}::text[],
                    ${sealed.map((s) => s.phone_invalid)}::boolean[], ${texts(sealed.map((s) => s.wechat_open_id_enc))}::text[], ${texts(sealed.map((s) => s.wechat_open_id_hash))}::text[])
             AS v(id, customer_id, external_id, name, title, birthday, anniversary, email_enc, email_hash, email_invalid, phone_enc, phone_hash, phone_invalid, wechat_enc, wechat_hash)
        ON CONFLICT DO NOTHING`;
    },

    /** Sets the given fields of each contact (an absent field stays as it is). */
    async updateContacts(changes: readonly ContactChange[]): Promise<void> {
      for (const change of changes) {
        const { id, ...fields } = change;
        const secrets = sealedContactRow(cipher, { email: fields.email ?? null, phone: fields.phone ?? null, wechatOpenId: fields.wechatOpenId ?? null });
        await db.contact.update({
          where: { id },
          data: {
            ...(fields.name !== undefined ? { name: fields.name } : {}),
            ...(fields.title !== undefined ? { title: fields.title } : {}),
            ...(fields.externalId !== undefined ? { externalId: fields.externalId } : {}),
            ...(fields.birthday !== undefined ? { birthday: fields.birthday ? new Date(`${fields.birthday}T00:00:00Z`) : null } : {}),
            ...(fields.anniversary !== undefined ? { anniversary: fields.anniversary ? new Date(`${fields.anniversary}T00:00:00Z`) : null } : {}),
            ...(fields.email !== undefined ? { emailEnc: secrets.email_enc, emailHash: secrets.email_hash, emailInvalid: secrets.email_invalid } : {}),
            ...(fields.phone !== undefined ? { phoneEnc: secrets.phone_enc, phoneHash: secrets.phone_hash, phoneInvalid: secrets.phone_invalid } : {}),
            ...(fields.wechatOpenId !== undefined ? { wechatOpenIdEnc: secrets.wechat_open_id_enc, wechatOpenIdHash: secrets.wechat_open_id_hash } : {}),
          },
        });
      }
    },

    /** New orders; one whose external id was taken meanwhile is skipped. Returns how many were written. */
    async insertOrders(rows: readonly OrderWrite[]): Promise<number> {
      if (rows.length === 0) return 0;
      return db.$executeRaw`
        INSERT INTO orders (id, customer_id, created_by_id, amount, currency, base_amount, rate_to_base, product, ordered_at, external_id)
        SELECT gen_random_uuid(), v.customer_id, v.created_by_id, v.amount, v.currency, v.base_amount, v.rate_to_base, v.product, v.ordered_at, v.external_id
        FROM unnest(${rows.map((r) => r.customerId)}::uuid[], ${texts(rows.map((r) => r.createdById))}::uuid[], ${rows.map((r) => r.amount)}::numeric[],
                    ${rows.map((r) => r.currency)}::text[], ${rows.map((r) => r.baseAmount)}::numeric[], ${rows.map((r) => r.rateToBase)}::numeric[],
                    ${texts(rows.map((r) => r.product))}::text[], ${rows.map((r) => iso(r.orderedAt))}::timestamptz[], ${texts(rows.map((r) => r.externalId))}::text[])
             AS v(customer_id, created_by_id, amount, currency, base_amount, rate_to_base, product, ordered_at, external_id)
        ON CONFLICT (external_id) WHERE external_id IS NOT NULL DO NOTHING`;
    },

    /** Orders whose terms the file changed (found by external id). */
    async updateOrders(changes: readonly (OrderWrite & { id: string })[], by: string | null, at: Date): Promise<void> {
      if (changes.length === 0) return;
      await db.$executeRaw`
        UPDATE orders o SET customer_id = v.customer_id, amount = v.amount, currency = v.currency, base_amount = v.base_amount, rate_to_base = v.rate_to_base,
               product = v.product, ordered_at = v.ordered_at, corrected_at = ${at}, corrected_by_id = ${by}::uuid
        FROM unnest(${changes.map((r) => r.id)}::uuid[], ${changes.map((r) => r.customerId)}::uuid[], ${changes.map((r) => r.amount)}::numeric[],
                    ${changes.map((r) => r.currency)}::text[], ${changes.map((r) => r.baseAmount)}::numeric[], ${changes.map((r) => r.rateToBase)}::numeric[],
                    ${texts(changes.map((r) => r.product))}::text[], ${changes.map((r) => iso(r.orderedAt))}::timestamptz[])
             AS v(id, customer_id, amount, currency, base_amount, rate_to_base, product, ordered_at)
        WHERE o.id = v.id`;
    },

    /** New interactions, linked to the customer's live contact of that name when there is one. */
    async insertInteractions(rows: readonly InteractionWrite[]): Promise<number> {
      if (rows.length === 0) return 0;
      return db.$executeRaw`
        INSERT INTO interactions (id, customer_id, contact_id, author_id, channel, direction, body, occurred_at, external_id)
        SELECT gen_random_uuid(), v.customer_id,
               (SELECT k.id FROM contacts k WHERE k.customer_id = v.customer_id AND k.deleted_at IS NULL AND lower(k.name) = lower(v.contact) ORDER BY k.created_at LIMIT 1),
               v.author_id, v.channel::"Channel", v.direction::"Direction", v.body, v.occurred_at, v.external_id
        FROM unnest(${rows.map((r) => r.customerId)}::uuid[], ${texts(rows.map((r) => r.authorId))}::uuid[], ${texts(rows.map((r) => r.contactName))}::text[],
                    ${rows.map((r) => r.channel)}::text[], ${rows.map((r) => r.direction)}::text[], ${rows.map((r) => r.body)}::text[],
                    ${rows.map((r) => iso(r.occurredAt))}::timestamptz[], ${texts(rows.map((r) => r.externalId))}::text[])
             AS v(customer_id, author_id, contact, channel, direction, body, occurred_at, external_id)
        ON CONFLICT (external_id) WHERE external_id IS NOT NULL DO NOTHING`;
    },

    async updateInteractions(changes: readonly (InteractionWrite & { id: string })[], by: string | null, at: Date): Promise<void> {
      if (changes.length === 0) return;
      await db.$executeRaw`
        UPDATE interactions i SET customer_id = v.customer_id, channel = v.channel::"Channel", direction = v.direction::"Direction", body = v.body,
               occurred_at = v.occurred_at, corrected_at = ${at}, corrected_by_id = ${by}::uuid
        FROM unnest(${changes.map((r) => r.id)}::uuid[], ${changes.map((r) => r.customerId)}::uuid[], ${changes.map((r) => r.channel)}::text[],
                    ${changes.map((r) => r.direction)}::text[], ${changes.map((r) => r.body)}::text[], ${changes.map((r) => iso(r.occurredAt))}::timestamptz[])
             AS v(id, customer_id, channel, direction, body, occurred_at)
        WHERE i.id = v.id`;
    },

    /**
     * Brings every aggregate up to date for what an import wrote: customer_stats and the
     * purchase months of the customers it touched (recomputed from their rows, as corrections
     * do), and the rollup hours its orders and interactions fell in (un-rolled: the job rolls
     * them again). In pieces, each a statement of its own, so no statement runs for minutes.
     */
    /**
     * The same for every customer at once, set-based (a large import touched most of them):
     * customer_stats from one pass over the orders and interactions, every purchase-months row
     * rebuilt, the hours un-rolled. Only rows that change are written.
     */
    async refreshAllAggregates(orderHours: readonly Date[], interactionHours: readonly Date[]): Promise<void> {
      await db.$executeRawUnsafe(`
        INSERT INTO customer_stats (customer_id, order_count, total_spent, first_order_at, last_order_at, interaction_count, last_interaction_at)
        SELECT c.id, coalesce(o.n, 0), coalesce(o.total, 0), o.first, o.last, coalesce(i.n, 0), i.last
        FROM customers c
        LEFT JOIN (SELECT customer_id, count(*)::int AS n, sum(base_amount) AS total, min(ordered_at) AS first, max(ordered_at) AS last
                   FROM ${LIVE_ORDERS_SQL} o GROUP BY customer_id) o ON o.customer_id = c.id
        LEFT JOIN (SELECT customer_id, count(*)::int AS n, max(occurred_at) AS last FROM ${LIVE_INTERACTIONS_SQL} i GROUP BY customer_id) i ON i.customer_id = c.id
        ON CONFLICT (customer_id) DO UPDATE SET
          order_count = EXCLUDED.order_count, total_spent = EXCLUDED.total_spent, first_order_at = EXCLUDED.first_order_at,
          last_order_at = EXCLUDED.last_order_at, interaction_count = EXCLUDED.interaction_count, last_interaction_at = EXCLUDED.last_interaction_at
        WHERE (customer_stats.order_count, customer_stats.total_spent, customer_stats.first_order_at, customer_stats.last_order_at, customer_stats.interaction_count, customer_stats.last_interaction_at)
              IS DISTINCT FROM (EXCLUDED.order_count, EXCLUDED.total_spent, EXCLUDED.first_order_at, EXCLUDED.last_order_at, EXCLUDED.interaction_count, EXCLUDED.last_interaction_at)`);
      await db.$executeRawUnsafe(rebuildPurchaseMonthsSql("all"));
      await unroll(db, "orderHours", orderHours);
      await unroll(db, "interactionHours", interactionHours);
    },

    async refreshAggregates(customerIds: readonly string[], orderHours: readonly Date[], interactionHours: readonly Date[]): Promise<void> {
      for (let i = 0; i < customerIds.length; i += 2_000) await recomputeCustomerStats(db, customerIds.slice(i, i + 2_000));
      await unroll(db, "orderHours", orderHours);
      await unroll(db, "interactionHours", interactionHours);
    },
  };
}

export type ImportStore = ReturnType<typeof createImportStore>;
