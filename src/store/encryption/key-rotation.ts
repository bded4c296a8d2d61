import { isInvalidEmail, isInvalidPhone } from "../../domain/customers/data-quality.js";
import { sealedPrefix, type FieldCipher, type LookupKind, type SealedField } from "./field-cipher.js";
import { Prisma, type PrismaClient } from "../prisma.js";

/**
 * Every sealed column, and the work on all of them at once: sealing plaintext left from before
 * encryption at rest (at the bot's start), and re-encrypting every value under the current key
 * (rotate-key). Both go through the rows in id order, a batch per transaction with the batch's
 * rows locked, so they can run beside the bot, stop anywhere and start again: a row is done
 * when none of its values is plaintext or under another key, and done rows are never taken.
 */

interface SealedColumn {
  /** The sealed column. */
  enc: string;
  field: SealedField;
  /** Its keyed hash, for columns that are looked up. */
  hash?: { column: string; kind: LookupKind };
  /** Whether the value counts as invalid for the data quality report, kept beside it. */
  invalid?: { column: string; check: (value: string) => boolean };
  /** SQL giving the plaintext from before encryption at rest, or null. */
  plaintext: string;
}

interface SealedTable {
  table: "contacts" | "customers" | "outbox";
  columns: SealedColumn[];
  /** SQL true for a row still holding plaintext: the predicate of the table's partial index. */
  plaintextWhere: string;
  /** SQL assignments that empty the plaintext once sealed. */
  clearPlaintext: string;
}

/** The register of sealed columns: erasure, exports and tests find them here too. */
export const SEALED_TABLES: readonly SealedTable[] = [
  {
    table: "contacts",
    columns: [
      { enc: "email_enc", field: "contacts.email", hash: { column: "email_hash", kind: "email" }, invalid: { column: "email_invalid", check: isInvalidEmail }, plaintext: "email_plaintext" },
      { enc: "phone_enc", field: "contacts.phone", hash: { column: "phone_hash", kind: "phone" }, invalid: { column: "phone_invalid", check: isInvalidPhone }, plaintext: "phone_plaintext" },
      { enc: "wechat_open_id_enc", field: "contacts.wechat_open_id", hash: { column: "wechat_open_id_hash", kind: "wechat" }, plaintext: "wechat_open_id_plaintext" },
    ],
    plaintextWhere: "email_plaintext IS NOT NULL OR phone_plaintext IS NOT NULL OR wechat_open_id_plaintext IS NOT NULL",
    clearPlaintext: "email_plaintext = NULL, phone_plaintext = NULL, wechat_open_id_plaintext = NULL",
  },
  {
    table: "customers",
    columns: [{ enc: "address_enc", field: "customers.address", plaintext: "address_plaintext" }],
    plaintextWhere: "address_plaintext IS NOT NULL",
    clearPlaintext: "address_plaintext = NULL",
  },
  {
    table: "outbox",
    // A WeChat message queued before encryption at rest names its openid in destination
    // ("erased" is what an erasure leaves there).
    columns: [{ enc: "destination_enc", field: "outbox.destination", hash: { column: "destination_hash", kind: "wechat" }, plaintext: "CASE WHEN platform = 'wechat' AND destination <> 'erased' THEN destination END" }],
    plaintextWhere: "platform = 'wechat' AND destination IS NOT NULL AND destination <> 'erased'",
    clearPlaintext: "destination = CASE WHEN t.platform = 'wechat' AND t.destination <> 'erased' THEN NULL ELSE t.destination END",
  },
];

export interface ResealProgress {
  table: string;
  /** Rows of this table rewritten so far. */
  done: number;
}

/** Rows rewritten per table. */
export type ResealCounts = Record<SealedTable["table"], number>;

const BATCH = 500;

const plaintextCondition = (t: SealedTable): string => `(${t.plaintextWhere})`;
const otherKeyCondition = (t: SealedTable, prefix: string): Prisma.Sql =>
  Prisma.join(t.columns.map((c) => Prisma.sql`(${Prisma.raw(c.enc)} IS NOT NULL AND ${Prisma.raw(c.enc)} NOT LIKE ${`${prefix}%`})`), " OR ");

/** Plaintext is left from before encryption at rest (cheap: partial indexes hold only such rows). */
export async function plaintextLeft(db: PrismaClient): Promise<boolean> {
  const checks = SEALED_TABLES.map((t) => `EXISTS (SELECT 1 FROM ${t.table} WHERE ${plaintextCondition(t)})`).join(" OR ");
  const rows = await db.$queryRawUnsafe<{ left: boolean }[]>(`SELECT (${checks}) AS "left"`);
  return rows[0]?.left === true;
}

/** One table's rows that need work, a batch at a time; returns how many were rewritten. */
async function resealTable(db: PrismaClient, cipher: FieldCipher, t: SealedTable, rotate: boolean, onProgress?: (p: ResealProgress) => void): Promise<number> {
  const prefix = sealedPrefix(cipher.keyId);
  const needsWork = rotate ? Prisma.sql`(${Prisma.raw(plaintextCondition(t))} OR ${otherKeyCondition(t, prefix)})` : Prisma.sql`(${Prisma.raw(plaintextCondition(t))})`;
  const selected = Prisma.raw(t.columns.map((c, i) => `${c.enc} AS e${i}, (${c.plaintext}) AS p${i}`).join(", "));
  let after = "00000000-0000-0000-0000-000000000000";
  let done = 0;
  for (;;) {
    const count = await db.$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<({ id: string } & Record<string, string | null>)[]>`
          SELECT id, ${selected} FROM ${Prisma.raw(t.table)}
          WHERE id > ${after}::uuid AND ${needsWork}
          ORDER BY id LIMIT ${BATCH} FOR UPDATE`;
        if (rows.length === 0) return 0;
        after = rows.at(-1)!.id;
        const arrays: Prisma.Sql[] = [Prisma.sql`${rows.map((r) => r.id)}::uuid[]`];
        const names = ["id"];
        const sets: string[] = [];
        t.columns.forEach((c, i) => {
          // A sealed value wins over plaintext beside it (written since by this code).
          const values = rows.map((r) => {
            const sealed = r[`e${i}`];
            const plain = sealed !== null && sealed !== undefined ? cipher.open(c.field, sealed) : (r[`p${i}`] ?? null);
            return plain === null || plain.trim() === "" ? null : plain;
          });
          arrays.push(Prisma.sql`${values.map((v) => cipher.sealOrNull(c.field, v))}::text[]`);
          names.push(`e${i}`);
          sets.push(`${c.enc} = v.e${i}`);
          if (c.hash) {
            const kind = c.hash.kind;
            arrays.push(Prisma.sql`${values.map((v) => cipher.lookup(kind, v))}::text[]`);
            names.push(`h${i}`);
            sets.push(`${c.hash.column} = v.h${i}`);
          }
          if (c.invalid) {
            const check = c.invalid.check;
            arrays.push(Prisma.sql`${values.map((v) => v !== null && check(v))}::boolean[]`);
            names.push(`i${i}`);
            sets.push(`${c.invalid.column} = v.i${i}`);
          }
        });
        await tx.$executeRaw`
          UPDATE ${Prisma.raw(t.table)} t SET ${Prisma.raw(sets.join(", "))}, ${Prisma.raw(t.clearPlaintext)}
          FROM unnest(${Prisma.join(arrays, ", ")}) AS v(${Prisma.raw(names.join(", "))})
          WHERE t.id = v.id`;
        return rows.length;
      },
      { timeout: 120_000, maxWait: 10_000 },
    );
    if (count === 0) return done;
    done += count;
    onProgress?.({ table: t.table, done });
  }
}

/** Seals every plaintext value left from before encryption at rest, with the cipher's current key. */
export async function sealPlaintext(db: PrismaClient, cipher: FieldCipher, onProgress?: (p: ResealProgress) => void): Promise<number> {
  let total = 0;
  for (const t of SEALED_TABLES) total += await resealTable(db, cipher, t, false, onProgress);
  return total;
}

/** Re-encrypts (and rehashes) every value that is not under the current key, plaintext included. */
export async function resealAll(db: PrismaClient, cipher: FieldCipher, onProgress?: (p: ResealProgress) => void): Promise<ResealCounts> {
  const counts: ResealCounts = { contacts: 0, customers: 0, outbox: 0 };
  for (const t of SEALED_TABLES) counts[t.table] = await resealTable(db, cipher, t, true, onProgress);
  await resealImportLeftovers(db, cipher);
  return counts;
}

// What imports keep for a day at most (uploaded files, problem rows), sealed as bytes or as one
// sealed text in a JSON object: the key id is the second dot-separated part of their start.
const LEFTOVER_KEY_IDS = [
  "SELECT split_part(convert_from(substring(bytes FROM 1 FOR 12), 'SQL_ASCII'), '.', 2) AS key_id FROM import_file_chunks",
  "SELECT split_part(convert_from(substring(problem_csv FROM 1 FOR 12), 'SQL_ASCII'), '.', 2) AS key_id FROM import_runs WHERE problem_csv IS NOT NULL",
  "SELECT split_part(problems->>'sealed', '.', 2) AS key_id FROM import_runs WHERE problems->>'sealed' IS NOT NULL",
];

/** The few import leftovers under another key, sealed again under the current one (row by row: there are few). */
async function resealImportLeftovers(db: PrismaClient, cipher: FieldCipher): Promise<void> {
  const prefix = Buffer.from(sealedPrefix(cipher.keyId), "ascii");
  const chunks = await db.$queryRaw<{ run_id: string; seq: number; bytes: Uint8Array }[]>`
    SELECT run_id, seq, bytes FROM import_file_chunks WHERE substring(bytes FROM 1 FOR 12) <> ${prefix}`;
  for (const c of chunks) {
    const bytes = cipher.sealBytes("import_file_chunks.bytes", cipher.openBytes("import_file_chunks.bytes", c.bytes));
    await db.$executeRaw`UPDATE import_file_chunks SET bytes = ${bytes} WHERE run_id = ${c.run_id}::uuid AND seq = ${c.seq}`;
  }
  const runs = await db.$queryRaw<{ id: string; problem_csv: Uint8Array | null; sealed: string | null }[]>`
    SELECT id, problem_csv, problems->>'sealed' AS sealed FROM import_runs
    WHERE (problem_csv IS NOT NULL AND substring(problem_csv FROM 1 FOR 12) <> ${prefix}) OR (problems->>'sealed' IS NOT NULL AND problems->>'sealed' NOT LIKE ${`${sealedPrefix(cipher.keyId)}%`})`;
  for (const r of runs) {
    const csv = r.problem_csv ? cipher.sealBytes("import_runs.problem_csv", cipher.openBytes("import_runs.problem_csv", r.problem_csv)) : null;
    const problems = r.sealed ? JSON.stringify({ sealed: cipher.seal("import_runs.problems", cipher.open("import_runs.problems", r.sealed)) }) : null;
    await db.$executeRaw`UPDATE import_runs SET problem_csv = coalesce(${csv}, problem_csv), problems = coalesce(${problems}::jsonb, problems) WHERE id = ${r.id}::uuid`;
  }
}

/** How many values each key id holds, over every sealed column (a full scan: for the operator's report). */
export async function valuesByKey(db: PrismaClient): Promise<Record<string, number>> {
  const parts = [
    ...SEALED_TABLES.flatMap((t) => t.columns.map((c) => `SELECT split_part(${c.enc}, '.', 2) AS key_id FROM ${t.table} WHERE ${c.enc} IS NOT NULL`)),
    ...LEFTOVER_KEY_IDS,
  ];
  const rows = await db.$queryRawUnsafe<{ key_id: string; n: number }[]>(`SELECT key_id, count(*)::int AS n FROM (${parts.join(" UNION ALL ")}) v GROUP BY key_id ORDER BY key_id`);
  return Object.fromEntries(rows.map((r) => [r.key_id, r.n]));
}

/** Retires the registered keys no stored value uses any more; returns their ids. */
export async function retireUnusedKeys(db: PrismaClient, currentKeyId: string): Promise<string[]> {
  const used = await valuesByKey(db);
  const rows = await db.$queryRaw<{ key_id: string }[]>`
    UPDATE data_keys SET retired_at = now()
    WHERE retired_at IS NULL AND key_id <> ${currentKeyId} AND NOT (key_id = ANY(${Object.keys(used)}::text[]))
    RETURNING key_id`;
  return rows.map((r) => r.key_id).sort();
}
