import type { Stage } from "../../domain/customers/customer-stage.js";
import type { NameKeys } from "../../domain/language/customer-name.js";
import { REASON_WEIGHTS, SCAN_NEIGHBOURS, SIMILAR_NAMES_FROM, type DuplicateReason } from "../../domain/customers/duplicate-reasons.js";
import type { FieldCipher } from "../encryption/field-cipher.js";
import { Prisma, type Db } from "../prisma.js";

/** One customer of a listed pair, with what decides which of the two to keep. */
export interface PairSide {
  id: string;
  name: string;
  stage: Stage;
  ownerId: string | null;
  ownerName: string | null;
  orders: number;
  interactions: number;
  createdAt: Date;
}

export interface DuplicatePairRow {
  a: PairSide;
  b: PairSide;
  score: number;
  /** Strongest first. */
  reasons: DuplicateReason[];
}

export interface ScanState {
  fingerprint: string;
  scannedAt: Date;
  tookMs: number;
  pairs: number;
}

export interface LikelyDuplicate {
  id: string;
  name: string;
  stage: Stage;
  ownerId: string | null;
  ownerName: string | null;
  reason: DuplicateReason;
}

/** A scan of 100k customers takes seconds; the app pool's 5 s statement limit is for ordinary reads. */
const SCAN_TIMEOUT_MS = 180_000;
/** One scan at a time across processes: the second waits and then finds the first's result fresh. */
const SCAN_LOCK = 0x6475_7073; // "dups"

const side = (p: "a" | "b") => Prisma.raw(`
  ${p}.id AS ${p}_id, ${p}.name AS ${p}_name, ${p}.stage::text AS ${p}_stage, ${p}.owner_id AS ${p}_owner_id,
  u${p}.display_name AS ${p}_owner_name, coalesce(s${p}.order_count, 0) AS ${p}_orders,
  coalesce(s${p}.interaction_count, 0) AS ${p}_interactions, ${p}.created_at AS ${p}_created_at`);

type SideRow<P extends string> = {
  [K in `${P}_id` | `${P}_name` | `${P}_stage`]: string;
} & { [K in `${P}_owner_id` | `${P}_owner_name`]: string | null } & { [K in `${P}_orders` | `${P}_interactions`]: number } & { [K in `${P}_created_at`]: Date };

function toSide<P extends "a" | "b">(row: SideRow<P>, p: P): PairSide {
  const r = row as unknown as Record<string, unknown>;
  return {
    id: r[`${p}_id`] as string,
    name: r[`${p}_name`] as string,
    stage: r[`${p}_stage`] as Stage,
    ownerId: r[`${p}_owner_id`] as string | null,
    ownerName: r[`${p}_owner_name`] as string | null,
    orders: r[`${p}_orders`] as number,
    interactions: r[`${p}_interactions`] as number,
    createdAt: r[`${p}_created_at`] as Date,
  };
}

/**
 * The neighbours of each customer in one sort order, as (id, pinyin) columns i1, p1 … iN, pN.
 * The sort is bytewise (COLLATE "C"): it only has to put alike names side by side, and is cheaper.
 */
function neighbours(order: string): Prisma.Sql {
  const columns = Array.from({ length: SCAN_NEIGHBOURS }, (_, k) => `lead(id, ${k + 1}) OVER w AS i${k + 1}, lead(pinyin, ${k + 1}) OVER w AS p${k + 1}`).join(", ");
  return Prisma.raw(`SELECT id, pinyin AS p, ${columns} FROM customers WINDOW w AS (ORDER BY ${order} COLLATE "C", id)`);
}

const NEIGHBOUR_VALUES = Prisma.raw(Array.from({ length: SCAN_NEIGHBOURS }, (_, k) => `(f.i${k + 1}, f.p${k + 1})`).join(", "));

/**
 * Every likely duplicate pair with its reasons, set-based, as one INSERT into duplicate_pairs:
 * - names alike: pg_trgm similarity of the pinyin (which is the name itself for Latin names) of
 *   each customer and its SCAN_NEIGHBOURS neighbours in pinyin order and in reversed-pinyin order,
 *   from SIMILAR_NAMES_FROM (a length check first, so most pairs never compute a similarity);
 * - the same pinyin (the same name in another script, or a homophone), by equality;
 * - an alias of one that is the other's name or pinyin;
 * - a live contact of each with the same phone or email, by their keyed hashes (phones hashed as
 *   E.164, emails lower-cased: src/store/encryption/field-cipher.ts). The values are sealed, so the reason
 *   keeps the two contacts' ids, and reading the pair opens the value (openReasons).
 * One reason of each kind per pair (the strongest), the pair's score as pairScore computes it,
 * pairs marked "not a duplicate" left out.
 */
function scanStatement(): Prisma.Sql {
  const w = REASON_WEIGHTS;
  return Prisma.sql`
    WITH fwd AS (${neighbours("pinyin")}),
    bwd AS (${neighbours("reverse(pinyin)")}),
    alike AS MATERIALIZED (
      SELECT f.id AS x, n.id AS y,
             CASE WHEN abs(length(f.p) - length(n.p)) * 5 <= 2 * greatest(length(f.p), length(n.p)) THEN similarity(f.p, n.p) END AS s
      FROM (SELECT * FROM fwd UNION ALL SELECT * FROM bwd) f
      CROSS JOIN LATERAL (VALUES ${NEIGHBOUR_VALUES}) AS n(id, p)
      WHERE n.id IS NOT NULL AND n.p <> f.p
    ),
    found (x, y, reason, weight) AS (
      SELECT x, y, jsonb_build_object('kind', 'similar', 'similarity', round(s::numeric, 2)), least(s, 0.94)::real
      FROM alike WHERE s >= ${SIMILAR_NAMES_FROM}
      UNION ALL
      SELECT x.id, y.id, jsonb_build_object('kind', 'pinyin', 'pinyin', x.pinyin), ${w.pinyin}::real
      FROM customers x JOIN customers y ON y.pinyin = x.pinyin AND y.id > x.id
      UNION ALL
      SELECT a.customer_id, c.id, jsonb_build_object('kind', 'alias', 'alias', a.alias), ${w.alias}::real
      FROM customer_aliases a JOIN customers c ON c.normalized_name = a.normalized_name
      UNION ALL
      SELECT a.customer_id, c.id, jsonb_build_object('kind', 'alias', 'alias', a.alias), ${w.alias}::real
      FROM customer_aliases a JOIN customers c ON c.pinyin = a.pinyin
      UNION ALL
      SELECT x.customer_id, y.customer_id, jsonb_build_object('kind', 'phone', 'contacts', jsonb_build_array(x.id, y.id)), ${w.phone}::real
      FROM contacts x JOIN contacts y ON y.phone_hash = x.phone_hash AND y.customer_id > x.customer_id
      WHERE x.phone_hash IS NOT NULL AND x.deleted_at IS NULL AND y.deleted_at IS NULL
      UNION ALL
      SELECT x.customer_id, y.customer_id, jsonb_build_object('kind', 'email', 'contacts', jsonb_build_array(x.id, y.id)), ${w.email}::real
      FROM contacts x JOIN contacts y ON y.email_hash = x.email_hash AND y.customer_id > x.customer_id
      WHERE x.email_hash IS NOT NULL AND x.deleted_at IS NULL AND y.deleted_at IS NULL
    ),
    strongest AS (
      SELECT DISTINCT ON (a, b, reason->>'kind') a, b, reason, weight
      FROM (SELECT least(x, y) AS a, greatest(x, y) AS b, reason, weight FROM found WHERE x <> y) r
      ORDER BY a, b, reason->>'kind', weight DESC
    )
    INSERT INTO duplicate_pairs (customer_a, customer_b, score, reasons)
    SELECT a, b, (1 - exp(sum(ln(1 - weight))))::real, jsonb_agg(reason ORDER BY weight DESC)
    FROM strongest s
    WHERE NOT EXISTS (SELECT 1 FROM duplicate_dismissals d WHERE d.customer_a = s.a AND d.customer_b = s.b)
    GROUP BY a, b`;
}

/** A reason as duplicate_pairs keeps it: a shared phone or email by the two contacts' ids, never the value. */
type StoredReason = Exclude<DuplicateReason, { kind: "phone" | "email" }> | { kind: "phone" | "email"; contacts: string[] };

/**
 * The reasons as the list shows them, the shared phone or email opened from the contacts it
 * came from (the one written with a country code first). A contact erased or changed since no
 * longer gives its reason.
 */
async function openReasons(db: Db, cipher: FieldCipher, lists: readonly StoredReason[][]): Promise<DuplicateReason[][]> {
  const ids = [...new Set(lists.flat().flatMap((r) => ("contacts" in r ? r.contacts : [])))];
  const rows = ids.length === 0 ? [] : await db.$queryRaw<{ id: string; phone_enc: string | null; email_enc: string | null }[]>`
    SELECT id, phone_enc, email_enc FROM contacts WHERE id = ANY(${ids}::uuid[])`;
  const byId = new Map(rows.map((r) => [r.id, r]));
  const valueOf = (kind: "phone" | "email", id: string): string | null => {
    const row = byId.get(id);
    return kind === "phone" ? cipher.openOrNull("contacts.phone", row?.phone_enc) : cipher.openOrNull("contacts.email", row?.email_enc);
  };
  return lists.map((reasons) =>
    reasons.flatMap((r): DuplicateReason[] => {
      if (!("contacts" in r)) return [r];
      const values = r.contacts.map((id) => valueOf(r.kind, id)).filter((v): v is string => v !== null);
      if (values.length < 2 || cipher.normalise(r.kind, values[0]!) !== cipher.normalise(r.kind, values[1]!)) return [];
      const shown = r.kind === "phone" ? (values.find((v) => v.trim().startsWith("+")) ?? values[0]!) : cipher.normalise("email", values[0]!);
      return [r.kind === "phone" ? { kind: "phone", phone: shown } : { kind: "email", email: shown }];
    }),
  );
}

/**
 * Duplicate detection: the scan that finds likely pairs and keeps them (duplicate_pairs), the
 * list, "not a duplicate", and the check of one new name against everyone.
 */
export function createDuplicateStore(db: Db, cipher: FieldCipher) {
  async function inTransaction<T>(work: (tx: Db) => Promise<T>, timeout: number): Promise<T> {
    return "$transaction" in db ? db.$transaction(work, { timeout, maxWait: 5_000 }) : work(db);
  }

  return {
    /**
     * What the pairs depend on, cheaply: how many customers, aliases and contacts there are and
     * when each last changed. A scan is repeated only when this differs from the last scan's.
     */
    async fingerprint(): Promise<string> {
      const rows = await db.$queryRaw<{ fp: string }[]>`
        SELECT concat_ws('|',
          (SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') FROM customers),
          (SELECT count(*) || ':' || coalesce(max(created_at)::text, '') FROM customer_aliases),
          (SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') FROM contacts)) AS fp`;
      return rows[0]!.fp;
    },

    async lastScan(): Promise<ScanState | null> {
      const row = await db.duplicateScan.findUnique({ where: { id: 1 } });
      return row ? { fingerprint: row.fingerprint, scannedAt: row.scannedAt, tookMs: row.tookMs, pairs: row.pairs } : null;
    },

    /**
     * Finds every likely pair again and replaces the kept ones, unless the data is as the last
     * scan saw it (`force` scans anyway). One scan at a time: a second caller waits for the
     * first and then finds its result current.
     */
    async scan(at: Date, options: { force?: boolean } = {}): Promise<ScanState> {
      return inTransaction(async (tx) => {
        await tx.$executeRaw`SELECT set_config('statement_timeout', ${String(SCAN_TIMEOUT_MS)}, true), set_config('lock_timeout', ${String(SCAN_TIMEOUT_MS)}, true), set_config('work_mem', '64MB', true)`;
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SCAN_LOCK})`;
        const fingerprint = (await tx.$queryRaw<{ fp: string }[]>`
          SELECT concat_ws('|',
            (SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') FROM customers),
            (SELECT count(*) || ':' || coalesce(max(created_at)::text, '') FROM customer_aliases),
            (SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') FROM contacts)) AS fp`)[0]!.fp;
        const last = await tx.duplicateScan.findUnique({ where: { id: 1 } });
        if (last && last.fingerprint === fingerprint && !options.force) {
          return { fingerprint, scannedAt: last.scannedAt, tookMs: last.tookMs, pairs: last.pairs };
        }
        const started = performance.now();
        await tx.$executeRaw`DELETE FROM duplicate_pairs`;
        const pairs = await tx.$executeRaw(scanStatement());
        const tookMs = Math.round(performance.now() - started);
        const state = { fingerprint, scannedAt: at, tookMs, pairs };
        await tx.duplicateScan.upsert({ where: { id: 1 }, create: { id: 1, ...state }, update: state });
        return state;
      }, SCAN_TIMEOUT_MS + 10_000);
    },

    /**
     * A page of the kept pairs, strongest first, each side with its owner and history. The page
     * is cut from the score index first and joined after; pairs whose customer is gone drop out.
     */
    async listPairs(take: number, skip: number): Promise<{ pairs: DuplicatePairRow[]; total: number }> {
      const [rows, count] = await Promise.all([
        db.$queryRaw<(SideRow<"a"> & SideRow<"b"> & { score: number; reasons: StoredReason[] })[]>`
          SELECT p.score, p.reasons, ${side("a")}, ${side("b")}
          FROM (
            SELECT * FROM duplicate_pairs d
            WHERE EXISTS (SELECT 1 FROM customers x WHERE x.id = d.customer_a) AND EXISTS (SELECT 1 FROM customers y WHERE y.id = d.customer_b)
            ORDER BY d.score DESC, d.customer_a, d.customer_b
            LIMIT ${take} OFFSET ${skip}
          ) p
          JOIN customers a ON a.id = p.customer_a JOIN customers b ON b.id = p.customer_b
          LEFT JOIN users ua ON ua.id = a.owner_id LEFT JOIN users ub ON ub.id = b.owner_id
          LEFT JOIN customer_stats sa ON sa.customer_id = a.id LEFT JOIN customer_stats sb ON sb.customer_id = b.id
          ORDER BY p.score DESC, p.customer_a, p.customer_b`,
        this.countPairs(),
      ]);
      const reasons = await openReasons(db, cipher, rows.map((r) => r.reasons));
      return { pairs: rows.map((r, i) => ({ a: toSide(r, "a"), b: toSide(r, "b"), score: r.score, reasons: reasons[i]! })), total: count };
    },

    /**
     * How many pairs are kept, or how many involve a customer `involving` rep owns. A pair's
     * customers exist: a merge deletes the pairs of the customer it removes, and the only other
     * delete (a WeChat lead dropped in the transaction that made it) removes none a scan saw.
     */
    async countPairs(involving?: string): Promise<number> {
      const rows = involving
        ? await db.$queryRaw<{ n: number }[]>`
            SELECT count(*)::int AS n FROM duplicate_pairs p
            WHERE EXISTS (SELECT 1 FROM customers c WHERE c.id IN (p.customer_a, p.customer_b) AND c.owner_id = ${involving}::uuid)`
        : await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM duplicate_pairs`;
      return rows[0]?.n ?? 0;
    },

    /** The kept pair of these two customers, if the last scan found one. */
    async pair(x: string, y: string): Promise<{ score: number; reasons: DuplicateReason[] } | null> {
      const [a, b] = x < y ? [x, y] : [y, x];
      const row = await db.duplicatePair.findUnique({ where: { customerA_customerB: { customerA: a, customerB: b } } });
      if (!row) return null;
      const [reasons] = await openReasons(db, cipher, [row.reasons as unknown as StoredReason[]]);
      return { score: row.score, reasons: reasons! };
    },

    /**
     * Marks a pair "not a duplicate" (ids in order) and drops it from the kept pairs. False when
     * it was marked before. Both customers must exist (the caller checked; the keys enforce it).
     */
    async dismiss(a: string, b: string, byId: string): Promise<boolean> {
      const inserted = await db.$executeRaw`
        INSERT INTO duplicate_dismissals (customer_a, customer_b, dismissed_by_id, dismissed_at)
        VALUES (${a}::uuid, ${b}::uuid, ${byId}::uuid, now()) ON CONFLICT DO NOTHING`;
      await db.$executeRaw`DELETE FROM duplicate_pairs WHERE customer_a = ${a}::uuid AND customer_b = ${b}::uuid`;
      return inserted > 0;
    },

    /** Customers that exist of these ids, locked against a merge while a mark is written. */
    async lockExisting(ids: readonly string[]): Promise<{ id: string; name: string }[]> {
      return db.$queryRaw<{ id: string; name: string }[]>`
        SELECT id, name FROM customers WHERE id = ANY(${[...ids]}::uuid[]) ORDER BY id FOR KEY SHARE`;
    },

    /**
     * Customers a new name would likely duplicate, none when a customer has exactly its key: the
     * same pinyin, an alias with its name or pinyin, or a pinyin alike from SIMILAR_NAMES_FROM,
     * through the trigram index. Strongest first.
     */
    async likelyDuplicatesOf(keys: NameKeys, limit: number): Promise<LikelyDuplicate[]> {
      if (!keys.normalizedName) return [];
      const query = Prisma.sql`
        SELECT DISTINCT ON (c.id) c.id, c.name, c.stage::text AS stage, c.owner_id, u.display_name AS owner_name, m.reason, m.weight
        FROM (
          SELECT id, jsonb_build_object('kind', 'pinyin', 'pinyin', pinyin) AS reason, ${REASON_WEIGHTS.pinyin}::real AS weight
          FROM customers WHERE pinyin = ${keys.pinyin} AND normalized_name <> ${keys.normalizedName}
          UNION ALL
          SELECT customer_id, jsonb_build_object('kind', 'alias', 'alias', alias), ${REASON_WEIGHTS.alias}::real
          FROM customer_aliases WHERE normalized_name = ${keys.normalizedName} OR pinyin = ${keys.pinyin}
          UNION ALL
          SELECT id, jsonb_build_object('kind', 'similar', 'similarity', round(similarity(pinyin, ${keys.pinyin})::numeric, 2)), least(similarity(pinyin, ${keys.pinyin}), 0.94)::real
          FROM customers WHERE pinyin % ${keys.pinyin} AND pinyin <> ${keys.pinyin}
        ) m
        JOIN customers c ON c.id = m.id LEFT JOIN users u ON u.id = c.owner_id
        WHERE NOT EXISTS (SELECT 1 FROM customers e WHERE e.normalized_name = ${keys.normalizedName})
        ORDER BY c.id, m.weight DESC`;
      const rows = await inTransaction(async (tx) => {
        // The index does the filtering at the duplicates' threshold; the planner would rather scan.
        await tx.$executeRaw`SELECT set_config('pg_trgm.similarity_threshold', ${String(SIMILAR_NAMES_FROM)}, true), set_config('enable_seqscan', 'off', true)`;
        return tx.$queryRaw<{ id: string; name: string; stage: Stage; owner_id: string | null; owner_name: string | null; reason: DuplicateReason; weight: number }[]>(query);
      }, 10_000);
      return rows
        .sort((x, y) => y.weight - x.weight || x.name.localeCompare(y.name))
        .slice(0, limit)
        .map((r) => ({ id: r.id, name: r.name, stage: r.stage, ownerId: r.owner_id, ownerName: r.owner_name, reason: r.reason }));
    },

    /** A customer as a merge confirmation shows it: name and what it holds. */
    async mergeSide(id: string): Promise<{ id: string; name: string; orders: number; interactions: number; contacts: number } | null> {
      const rows = await db.$queryRaw<{ id: string; name: string; orders: number; interactions: number; contacts: number }[]>`
        SELECT c.id, c.name, coalesce(s.order_count, 0) AS orders, coalesce(s.interaction_count, 0) AS interactions,
               (SELECT count(*)::int FROM contacts k WHERE k.customer_id = c.id AND k.deleted_at IS NULL) AS contacts
        FROM customers c LEFT JOIN customer_stats s ON s.customer_id = c.id
        WHERE c.id = ${id}::uuid`;
      return rows[0] ?? null;
    },
  };
}

export type DuplicateStore = ReturnType<typeof createDuplicateStore>;
