import { ROLLUP_KINDS, type RollupKind } from "../store/index.js";
import type { ServiceDeps } from "./deps.js";

/**
 * The analytics job (every few minutes on the maintenance queue): rolls up every complete hour
 * of orders and interactions and every complete day of WeChat waits that has no rollup yet,
 * including buckets a backdated write un-rolled. Each rollup commits on its own, so a long first
 * run over years of history holds one rollup's lock at a time. Returns the buckets rolled.
 */
export async function rollUpAnalytics(deps: ServiceDeps): Promise<Record<RollupKind, number>> {
  const rolled = { orderHours: 0, interactionHours: 0, waitDays: 0 } satisfies Record<RollupKind, number>;
  for (const kind of ROLLUP_KINDS) rolled[kind] = await deps.store.transaction((tx) => tx.analytics.rollUp(kind));
  return rolled;
}
