import type { CustomerNames } from "../../domain/language/name-matcher.js";
import type { CustomerSummary } from "./customers.js";
import type { Db } from "../prisma.js";

interface CustomerRow {
  id: string;
  name: string;
  normalized_name: string;
  pinyin: string;
}

interface AliasRow {
  customer_id: string;
  alias: string;
  normalized_name: string;
  pinyin: string;
}

/** Customers with their aliases; customers and aliases come from two plain, indexed reads. */
function withAliases(customers: readonly CustomerRow[], aliases: readonly AliasRow[]): CustomerNames[] {
  const byCustomer = new Map<string, CustomerNames["names"][number][]>();
  for (const a of aliases) {
    const entry = { kind: "alias" as const, written: a.alias, normalizedName: a.normalized_name, pinyin: a.pinyin };
    const list = byCustomer.get(a.customer_id);
    if (list) list.push(entry);
    else byCustomer.set(a.customer_id, [entry]);
  }
  return customers.map((c) => ({
    id: c.id,
    names: [{ kind: "name", written: c.name, normalizedName: c.normalized_name, pinyin: c.pinyin }, ...(byCustomer.get(c.id) ?? [])],
  }));
}

/**
 * Every customer's names and aliases with their stored keys, for the in-memory name matcher
 * (src/services/customers/find-named-customers.ts): read whole once per process, then only what changed.
 */
export function createCustomerNameStore(db: Db) {
  return {
    /**
     * The database's clock, and when the oldest transaction still open in another client session
     * began (null when there is none, or none this role may see): rows it writes will carry a time
     * from then on (Postgres' `now()` is the transaction's start), yet nobody can read them yet.
     */
    async clock(): Promise<{ now: Date; oldestOpen: Date | null }> {
      const rows = await db.$queryRaw<{ now: Date; oldest_open: Date | null }[]>`
        SELECT now() AS now,
               (SELECT min(xact_start) FROM pg_stat_activity
                WHERE datname = current_database() AND backend_type = 'client backend'
                  AND pid <> pg_backend_pid() AND xact_start IS NOT NULL) AS oldest_open`;
      return { now: rows[0]!.now, oldestOpen: rows[0]!.oldest_open };
    },

    /** One page of customers in id order, after `afterId`, with their aliases. */
    async page(afterId: string | null, limit: number): Promise<CustomerNames[]> {
      const customers = await db.$queryRaw<CustomerRow[]>`
        SELECT id, name, normalized_name, pinyin FROM customers
        WHERE ${afterId}::uuid IS NULL OR id > ${afterId}::uuid ORDER BY id LIMIT ${limit}`;
      if (customers.length === 0) return [];
      // The page is a range of ids: its aliases are one range of the (customer_id, …) index.
      const aliases = await db.$queryRaw<AliasRow[]>`
        SELECT customer_id, alias, normalized_name, pinyin FROM customer_aliases
        WHERE customer_id BETWEEN ${customers[0]!.id}::uuid AND ${customers[customers.length - 1]!.id}::uuid`;
      return withAliases(customers, aliases);
    },

    /**
     * Customers whose row changed (added, renamed; any update moves `updated_at`) or who got an
     * alias at or after `since`, at most `limit`. Both tables are scanned: neither time is indexed, and
     * this runs at most every few seconds (see bench/RESULTS.md for its cost at 100,000).
     */
    async changedSince(since: Date, limit: number): Promise<CustomerNames[]> {
      const customers = await db.$queryRaw<CustomerRow[]>`
        WITH changed AS (
          SELECT id FROM customers WHERE updated_at >= ${since}
          UNION
          SELECT customer_id FROM customer_aliases WHERE created_at >= ${since}
          LIMIT ${limit}
        )
        SELECT c.id, c.name, c.normalized_name, c.pinyin FROM customers c JOIN changed USING (id)`;
      if (customers.length === 0) return [];
      const aliases = await db.$queryRaw<AliasRow[]>`
        SELECT customer_id, alias, normalized_name, pinyin FROM customer_aliases
        WHERE customer_id = ANY(${customers.map((c) => c.id)}::uuid[])`;
      return withAliases(customers, aliases);
    },

    /** Summaries of these customers in one query; customers gone since are simply missing. */
    async summaries(ids: readonly string[]): Promise<CustomerSummary[]> {
      if (ids.length === 0) return [];
      const rows = await db.$queryRaw<{ id: string; name: string; stage: CustomerSummary["stage"]; owner_id: string | null; owner_name: string | null }[]>`
        SELECT c.id, c.name, c.stage, c.owner_id, u.display_name AS owner_name
        FROM customers c LEFT JOIN users u ON u.id = c.owner_id
        WHERE c.id = ANY(${[...ids]}::uuid[])`;
      return rows.map((r) => ({ id: r.id, name: r.name, stage: r.stage, ownerId: r.owner_id, ownerName: r.owner_name }));
    },
  };
}

export type CustomerNameStore = ReturnType<typeof createCustomerNameStore>;
