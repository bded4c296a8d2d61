import { ROLLUP_KINDS, type RollupKind } from "../../store/index.js";
import type { ServiceDeps } from "../deps.js";

/**
 * The first run after the migration rolls years of history in one statement, far past Prisma's
 * default 5 s; later runs take milliseconds. A stuck run still ends (and releases its lock).
 */
const ROLLUP_TRANSACTION = { timeout: 10 * 60_000, maxWait: 10_000 };

/**
 * The analytics job (every few minutes on the maintenance queue): rolls up every complete hour
 * of orders and interactions and every complete day of WeChat waits that has no rollup yet,
 * including buckets a backdated write un-rolled. Each rollup commits on its own, so a long first
 * run over years of history holds one rollup's lock at a time. Returns the buckets rolled.
 */
export async function rollUpAnalytics(deps: ServiceDeps): Promise<Record<RollupKind, number>> {
  const rolled = { orderHours: 0, interactionHours: 0, waitDays: 0, leadHours: 0 } satisfies Record<RollupKind, number>;
  for (const kind of ROLLUP_KINDS) rolled[kind] = await deps.store.transaction((tx) => tx.analytics.rollUp(kind), ROLLUP_TRANSACTION);
  return rolled;
}
