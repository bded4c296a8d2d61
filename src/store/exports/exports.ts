import { StringDecoder } from "node:string_decoder";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import type { DataKind } from "../../domain/transfer/import-columns.js";
import type { FieldCipher, SealedField } from "../encryption/field-cipher.js";
import { Prisma, poolOf, type Db } from "../prisma.js";

/**
 * The rows of an export, read by one statement: a consistent snapshot (a merge or an import
 * running meanwhile neither doubles nor drops a row), one query plan, and a batch at a time in
 * memory however many rows there are. Values come back as text in the shape the file takes:
 * times formatted by Postgres in the reader's zone (ISO 8601 with the offset), amounts as their
 * decimal text, tags joined; the service only escapes and writes.
 *
 * The rows stream as `COPY (SELECT …) TO STDOUT` in Postgres' text format: a million orders
 * read at 1.1-1.2 times the cost of the same COPY to CSV, where a cursor's FETCH through the row
 * protocol cost 2.8 times (bench/RESULTS.md). A client inside a transaction (no pool of ours to
 * take a connection from) reads through a cursor instead.
 *
 * Every id column carries the record's external id when it came from an import, else its own id,
 * so a file exported, imported elsewhere and exported again names each record the same way.
 */

/** Instants an export covers; either end open. */
export interface ExportRange {
  from?: Date | undefined;
  to?: Date | undefined;
}

/** One row: the value of each column by its key (domain/transfer/import-columns.ts), and whose customer it is. */
export type ExportRow = Record<string, string | null> & { ownerId: string | null };

export interface ExportReadOptions {
  kind: DataKind;
  range: ExportRange;
  /** IANA zone the times are written in. */
  timeZone: string;
  /** The base currency (the orders' base amount column): three capital letters. */
  baseCurrency: string;
  /**
   * Whether the reader may see the private details of a customer with this owner
   * (services/audience.ts maySeePrivate): asked once per row; when not, the details are left
   * empty and never decrypted.
   */
  mayShowPrivate: (ownerId: string | null) => boolean;
  /** Rows handed on at a time. */
  batchSize?: number;
}

const DEFAULT_BATCH = 1_000;
/** An export may take minutes at a million rows (XLSX about 50 s here); an hour stops one that is stuck. */
const EXPORT_STATEMENT_MS = 3600_000;
/** The cursor of a transaction client: each FETCH is short, the transaction is not. */
const EXPORT_TRANSACTION_MS = EXPORT_STATEMENT_MS;

/** A timestamptz as ISO 8601 in the session's zone, with its offset: 2026-03-05T10:20:00.000+08:00. */
const iso = (column: Prisma.Sql) => Prisma.sql`to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MSTZH:TZM')`;
const day = (column: Prisma.Sql) => Prisma.sql`to_char(${column}, 'YYYY-MM-DD')`;
const raw = (sql: string) => Prisma.raw(sql);

/**
 * The instants go as ISO text with their "Z", cast in SQL: the session runs in the reader's zone
 * (for the formatting), where a timestamp without an offset would be read as local time.
 */
function within(column: string, range: ExportRange): Prisma.Sql {
  const from = range.from ? Prisma.sql`AND ${raw(column)} >= ${range.from.toISOString()}::timestamptz` : Prisma.empty;
  const to = range.to ? Prisma.sql`AND ${raw(column)} < ${range.to.toISOString()}::timestamptz` : Prisma.empty;
  return Prisma.sql`${from} ${to}`;
}

/** A personal detail: sealed (store/encryption/field-cipher.ts) and, until the bot sealed them at start, plaintext from before. */
interface Personal {
  key: string;
  field: Extract<SealedField, `${"contacts" | "customers"}.${string}`>;
}

/**
 * One kind's statement: the selected columns in order (the keys of domain/transfer/import-columns.ts, a
 * personal detail as two, `<key>$sealed` and `<key>$plain`, and the customer's owner last),
 * its table and joins, filter and order.
 */
interface Plan {
  columns: readonly (readonly [string, Prisma.Sql])[];
  table: Prisma.Sql;
  joins: Prisma.Sql;
  where: Prisma.Sql;
  order: Prisma.Sql;
  personal: readonly Personal[];
}

const col = (key: string, expression: string | Prisma.Sql) => [key, typeof expression === "string" ? raw(expression) : expression] as const;

function plan(kind: DataKind, range: ExportRange, baseCurrency: string): Plan {
  switch (kind) {
    case "customers":
      return {
        columns: [
          col("id", "coalesce(c.external_id, c.id::text)"), col("name", "c.name"), col("stage", "c.stage::text"), col("owner", "u.display_name"),
          col("industry", "c.industry"), col("website", "c.website"), col("address$sealed", "c.address_enc"), col("address$plain", "c.address_plaintext"),
          col("about", "c.about"), col("tags", "array_to_string(c.tags, ', ')"), col("source", "c.source"), col("createdAt", iso(raw("c.created_at"))),
          col("ownerId", "c.owner_id::text"),
        ],
        table: raw("customers c"),
        joins: raw("LEFT JOIN users u ON u.id = c.owner_id"),
        where: within("c.created_at", range),
        order: raw("ORDER BY c.created_at, c.id"),
        personal: [{ key: "address", field: "customers.address" }],
      };
    case "contacts":
      return {
        columns: [
          col("id", "coalesce(ct.external_id, ct.id::text)"), col("customerId", "coalesce(c.external_id, c.id::text)"), col("customer", "c.name"),
          col("name", "ct.name"), col("title", "ct.title"),
          col("email$sealed", "ct.email_enc"), col("email$plain", "ct.email_plaintext"),
          col("phone$sealed", "ct.phone_enc"), col("phone$plain", "ct.phone_plaintext"),
          col("wechatOpenId$sealed", "ct.wechat_open_id_enc"), col("wechatOpenId$plain", "ct.wechat_open_id_plaintext"),
          col("birthday", day(raw("ct.birthday"))), col("anniversary", day(raw("ct.anniversary"))), col("createdAt", iso(raw("ct.created_at"))),
          col("ownerId", "c.owner_id::text"),
        ],
        table: raw("contacts ct"),
        joins: raw("JOIN customers c ON c.id = ct.customer_id"),
        where: Prisma.sql`AND ct.deleted_at IS NULL ${within("ct.created_at", range)}`,
        order: raw("ORDER BY ct.created_at, ct.id"),
        personal: [{ key: "email", field: "contacts.email" }, { key: "phone", field: "contacts.phone" }, { key: "wechatOpenId", field: "contacts.wechat_open_id" }],
      };
    case "orders":
      return {
        columns: [
          col("id", "coalesce(o.external_id, o.id::text)"), col("customerId", "coalesce(c.external_id, c.id::text)"), col("customer", "c.name"),
          col("amount", "o.amount::text"), col("currency", "o.currency::text"), col("product", "o.product"), col("orderedAt", iso(raw("o.ordered_at"))),
          col("baseAmount", "o.base_amount::text"), col("baseCurrency", Prisma.sql`${baseCurrency}::text`), col("createdBy", "u.display_name"),
          col("createdAt", iso(raw("o.created_at"))), col("ownerId", "c.owner_id::text"),
        ],
        table: raw("orders o"),
        joins: raw("JOIN customers c ON c.id = o.customer_id LEFT JOIN users u ON u.id = o.created_by_id"),
        where: Prisma.sql`AND o.deleted_at IS NULL ${within("o.ordered_at", range)}`,
        order: raw("ORDER BY o.ordered_at, o.id"),
        personal: [],
      };
    case "interactions":
      return {
        columns: [
          col("id", "coalesce(i.external_id, i.id::text)"), col("customerId", "coalesce(c.external_id, c.id::text)"), col("customer", "c.name"),
          col("contact", "ct.name"), col("channel", "i.channel::text"), col("direction", "i.direction::text"), col("body", "i.body"),
          col("occurredAt", iso(raw("i.occurred_at"))), col("author", "u.display_name"), col("createdAt", iso(raw("i.created_at"))), col("ownerId", "c.owner_id::text"),
        ],
        table: raw("interactions i"),
        joins: raw("JOIN customers c ON c.id = i.customer_id LEFT JOIN contacts ct ON ct.id = i.contact_id LEFT JOIN users u ON u.id = i.author_id"),
        where: Prisma.sql`AND i.deleted_at IS NULL ${within("i.occurred_at", range)}`,
        order: raw("ORDER BY i.occurred_at, i.id"),
        personal: [],
      };
    case "surveys":
      return {
        columns: [
          col("id", "s.id::text"), col("customerId", "coalesce(c.external_id, c.id::text, s.customer_id::text)"), col("customer", "c.name"),
          col("contact", "ct.name"), col("kind", "s.kind::text"), col("status", "s.status::text"), col("score", "s.score::text"), col("comment", "s.comment"),
          col("servedBy", "u.display_name"), col("sentAt", iso(raw("s.sent_at"))), col("answeredAt", iso(raw("s.answered_at"))), col("ownerId", "c.owner_id::text"),
        ],
        table: raw("surveys s"),
        joins: raw("LEFT JOIN customers c ON c.id = s.customer_id LEFT JOIN contacts ct ON ct.id = s.contact_id LEFT JOIN users u ON u.id = s.served_by_id"),
        where: within("s.created_at", range),
        order: raw("ORDER BY s.created_at, s.id"),
        personal: [],
      };
  }
}

function selectSql(p: Plan): Prisma.Sql {
  const columns = Prisma.join(p.columns.map(([key, expression]) => Prisma.sql`${expression} AS ${raw(`"${key}"`)}`));
  return Prisma.sql`SELECT ${columns} FROM ${p.table} ${p.joins} WHERE true ${p.where} ${p.order}`;
}

/**
 * COPY takes no bind parameters: the statement's values (ISO instants, the base currency) are
 * written into it as quoted literals, escaped by the driver.
 */
function inlined(sql: Prisma.Sql, client: pg.PoolClient): string {
  return sql.strings.reduce((text, part, i) => {
    if (i === 0) return part;
    const value = sql.values[i - 1];
    if (typeof value !== "string") throw new Error(`an export statement takes text values only, not ${typeof value}`);
    return text + client.escapeLiteral(value) + part;
  }, "");
}

/** Postgres' COPY text format: these backslash sequences, and \N alone for null (COPY TO writes no octal or hex ones). */
const UNESCAPE: Readonly<Record<string, string>> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\" };
const ESCAPED = /\\(.)/g;

function copyField(text: string): string | null {
  if (text === "\\N") return null;
  return text.includes("\\") ? text.replace(ESCAPED, (_m, c: string) => UNESCAPE[c] ?? c) : text;
}

/**
 * Turns COPY's text-format stream into rows (objects by column key), `batchSize` at a time, and
 * waits for each batch to be taken before reading on: the COPY stream is held back with it.
 */
class CopyRows extends Writable {
  private readonly decoder = new StringDecoder("utf8");
  private rest = "";
  private batch: Record<string, string | null>[] = [];
  rows = 0;

  constructor(
    private readonly keys: readonly string[],
    private readonly batchSize: number,
    private readonly onBatch: (rows: Record<string, string | null>[]) => Promise<void>,
  ) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    const text = this.rest + this.decoder.write(chunk);
    let start = 0;
    const full: Record<string, string | null>[][] = [];
    for (let end = text.indexOf("\n", start); end >= 0; end = text.indexOf("\n", start)) {
      const fields = text.slice(start, end).split("\t");
      if (fields.length !== this.keys.length) return done(new Error(`an export row has ${fields.length} fields, not ${this.keys.length}`));
      const row: Record<string, string | null> = {};
      for (let i = 0; i < fields.length; i++) row[this.keys[i]!] = copyField(fields[i]!);
      this.batch.push(row);
      if (this.batch.length >= this.batchSize) {
        full.push(this.batch);
        this.batch = [];
      }
      start = end + 1;
    }
    this.rest = text.slice(start);
    this.hand(full).then(() => done(), done);
  }

  override _final(done: (error?: Error | null) => void): void {
    const last = this.batch;
    this.batch = [];
    if (this.rest + this.decoder.end() !== "") return done(new Error("the export stream ended inside a row"));
    this.hand(last.length > 0 ? [last] : []).then(() => done(), done);
  }

  private async hand(batches: Record<string, string | null>[][]): Promise<void> {
    for (const batch of batches) {
      this.rows += batch.length;
      await this.onBatch(batch);
    }
  }
}

/**
 * `cipher` opens sealed details (store/encryption/field-cipher.ts); without a data key a sealed value cannot
 * be read and the export fails saying so, rather than writing an empty column as if there were none.
 */
export function createExportStore(db: Db, cipher: FieldCipher) {
  function decode(personal: readonly Personal[], rows: Record<string, string | null>[], mayShowPrivate: (ownerId: string | null) => boolean): ExportRow[] {
    if (personal.length > 0) {
      for (const row of rows) {
        const show = mayShowPrivate(row.ownerId ?? null);
        for (const { key, field } of personal) {
          const sealed = row[`${key}$sealed`] ?? null;
          const plain = row[`${key}$plain`] ?? null;
          delete row[`${key}$sealed`];
          delete row[`${key}$plain`];
          if (!show) row[key] = null;
          else row[key] = sealed !== null ? cipher.open(field, sealed) : plain;
        }
      }
    }
    return rows as ExportRow[];
  }

  return {
    /** How many rows an export of this kind and range has now. */
    async count(kind: DataKind, range: ExportRange): Promise<number> {
      const p = plan(kind, range, "");
      const rows = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM ${p.table} WHERE true ${p.where}`;
      return rows[0]?.n ?? 0;
    },

    /**
     * Reads the rows in order and hands them to `onBatch`, `batchSize` at a time, waiting for
     * each before reading on (so a slow writer holds back the reading, and memory holds a batch).
     * Resolves with the number of rows.
     */
    async read(options: ExportReadOptions, onBatch: (rows: ExportRow[]) => Promise<void>): Promise<number> {
      if (!/^[A-Z]{3}$/.test(options.baseCurrency)) throw new Error(`a base currency is three capital letters, not "${options.baseCurrency}"`);
      const batch = Math.max(1, Math.min(options.batchSize ?? DEFAULT_BATCH, 50_000));
      const p = plan(options.kind, options.range, options.baseCurrency);
      const keys = p.columns.map(([key]) => key);
      const take = (rows: Record<string, string | null>[]) => onBatch(decode(p.personal, rows, options.mayShowPrivate));
      const pool = poolOf(db);
      if (pool) {
        const client = await pool.connect();
        let broken: Error | undefined;
        try {
          // Times are formatted in the reader's zone, set for this read-only transaction only. The
          // one COPY lasts as long as the writer takes (it is held back with it), so the pool's
          // statement timeout, meant for short queries, gives way to the export's own.
          await client.query("BEGIN READ ONLY");
          await client.query("SELECT set_config('TimeZone', $1, true), set_config('statement_timeout', $2, true)", [options.timeZone, String(EXPORT_STATEMENT_MS)]);
          const rows = new CopyRows(keys, batch, take);
          await pipeline(client.query(copyTo(`COPY (${inlined(selectSql(p), client)}) TO STDOUT`)), rows);
          await client.query("COMMIT");
          return rows.rows;
        } catch (error) {
          // A COPY stopped half way leaves the connection mid-protocol: it is closed, not reused.
          broken = error instanceof Error ? error : new Error(String(error));
          throw error;
        } finally {
          client.release(broken);
        }
      }
      // Inside a transaction: a cursor on that transaction's connection.
      const work = async (tx: Db): Promise<number> => {
        await tx.$executeRaw`SELECT set_config('TimeZone', ${options.timeZone}, true)`;
        await tx.$executeRaw`DECLARE crm_export NO SCROLL CURSOR FOR ${selectSql(p)}`;
        let total = 0;
        for (;;) {
          const rows = await tx.$queryRawUnsafe<Record<string, string | null>[]>(`FETCH ${batch} FROM crm_export`);
          if (rows.length === 0) break;
          total += rows.length;
          await take(rows);
          if (rows.length < batch) break;
        }
        await tx.$executeRawUnsafe("CLOSE crm_export");
        return total;
      };
      return "$transaction" in db ? db.$transaction(work, { timeout: EXPORT_TRANSACTION_MS, maxWait: 5_000 }) : work(db);
    },
  };
}

export type ExportStore = ReturnType<typeof createExportStore>;
