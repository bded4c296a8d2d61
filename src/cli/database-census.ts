import type pg from "pg";

/**
 * What a database holds, read from the catalog rather than from a list of ours, so tables added
 * by later migrations (and a partitioned table's partitions, counted through their parent) are
 * always included.
 */

export interface UserTable {
  schema: string;
  name: string;
  /** A partitioned table: its rows are those of its partitions. */
  partitioned: boolean;
}

/** Namespaces that belong to Postgres itself. */
const SYSTEM_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'`;

/** Objects an extension created (pg_trgm's functions, say) are the extension's, not data. */
const NOT_FROM_EXTENSION = `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')`;

/** Every table with rows of its own or through its partitions: plain tables and partitioned parents, never a partition. */
export async function userTables(client: pg.ClientBase): Promise<UserTable[]> {
  const { rows } = await client.query<{ schema: string; name: string; kind: string }>(
    `SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS kind
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND ${SYSTEM_SCHEMAS} AND ${NOT_FROM_EXTENSION}
     ORDER BY n.nspname, c.relname`,
  );
  return rows.map((r) => ({ schema: r.schema, name: r.name, partitioned: r.kind === "p" }));
}

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

export const qualifiedName = (table: UserTable) => `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;

/** The name to print: without "public.", which holds everything of ours. */
export const displayName = (table: UserTable) => (table.schema === "public" ? table.name : `${table.schema}.${table.name}`);

/**
 * Rows per table. A partitioned parent counts its partitions' rows; a plain table only its own
 * (ONLY), so an inheritance child is not counted twice.
 */
export async function rowCounts(client: pg.ClientBase, tables: readonly UserTable[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const table of tables) {
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table.partitioned ? "" : "ONLY "}${qualifiedName(table)}`);
    counts.set(displayName(table), Number(rows[0]!.n));
  }
  return counts;
}

export interface Contents {
  /** Tables, views, sequences, types and functions in the user's schemas. */
  objects: number;
  /** A few of their names, tables first, for the message. */
  examples: string[];
}

/**
 * What a database already holds besides Postgres' own catalog and extensions' objects: any of
 * it would clash with what a restore creates.
 */
export async function contentsOf(client: pg.ClientBase): Promise<Contents> {
  const named = (schema: string, name: string) => `CASE WHEN ${schema} = 'public' THEN ${name} ELSE ${schema} || '.' || ${name} END`;
  const { rows } = await client.query<{ name: string; total: string }>(
    `WITH objects AS (
       SELECT ${named("n.nspname", "c.relname")} AS name, CASE c.relkind WHEN 'r' THEN 0 WHEN 'p' THEN 0 ELSE 1 END AS rank
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND ${SYSTEM_SCHEMAS} AND ${NOT_FROM_EXTENSION}
       UNION ALL
       SELECT ${named("n.nspname", "t.typname")}, 2
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE t.typtype IN ('e', 'd', 'r') AND ${SYSTEM_SCHEMAS}
         AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
       UNION ALL
       SELECT ${named("n.nspname", "p.proname")} || '()', 3
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE ${SYSTEM_SCHEMAS}
         AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
     )
     SELECT name, count(*) OVER () AS total FROM objects ORDER BY rank, name LIMIT 5`,
  );
  return { objects: rows[0] ? Number(rows[0].total) : 0, examples: rows.map((r) => r.name) };
}

/** Counts as aligned lines: "  customers      65". */
export function formatCounts(counts: ReadonlyMap<string, number>): string[] {
  const width = Math.max(0, ...[...counts.keys()].map((k) => k.length));
  const digits = Math.max(0, ...[...counts.values()].map((v) => v.toLocaleString("en-US").length));
  return [...counts].map(([name, n]) => `  ${name.padEnd(width)}  ${n.toLocaleString("en-US").padStart(digits)}`);
}

/** 1536 -> "1.5 KiB". */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

/** 1234 ms -> "1.2 s"; 83000 -> "1 min 23 s". */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
