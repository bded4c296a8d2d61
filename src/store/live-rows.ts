import { Prisma } from "./prisma.js";

/**
 * Orders and interactions that are not deleted. A deleted row stays in its table (Undo brings it
 * back), so every read has to leave it out, and a read that forgets to is silently wrong: a
 * deleted order would still count in a report. Reads therefore name these relations instead of
 * the tables, and test/unit/live-rows-guard.test.ts fails on any read in src/store that names
 * `orders` or `interactions` directly without an `all-rows:` comment saying why it needs the
 * deleted rows too (the correction path itself, lookups by platform id, moves and erasure).
 *
 * Why a sub-select and not a database view: a view made with `SELECT *` freezes its column list
 * when it is created, so a column added later would be missing from it until every migration that
 * adds one remembers to recreate the view. Postgres inlines this sub-select like a view (the
 * condition joins the query's own), so the partial indexes `WHERE deleted_at IS NULL` of the
 * analytics still answer index-only.
 */
export const LIVE_ORDERS_SQL = "(SELECT * FROM orders WHERE deleted_at IS NULL)";
export const LIVE_INTERACTIONS_SQL = "(SELECT * FROM interactions WHERE deleted_at IS NULL)";

/** The same as Prisma fragments: `FROM ${liveOrders} o`. An alias is required (Postgres 15). */
export const liveOrders = Prisma.raw(LIVE_ORDERS_SQL);
export const liveInteractions = Prisma.raw(LIVE_INTERACTIONS_SQL);

/** The Prisma filter of live rows, for ordinary reads through the client: `where: { ...LIVE, ... }`. */
export const LIVE = { deletedAt: null } as const;
