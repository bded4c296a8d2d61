import type { RankedCustomer } from "../store/index.js";
import type { ServiceDeps } from "./deps.js";

/** The customers worth most over their lifetime (DESIGN's CLV), best first. */
export async function listTopCustomers(deps: ServiceDeps, limit: number): Promise<RankedCustomer[]> {
  return deps.store.rankings.topByClv(limit, deps.now(), deps.settings.clvLifespanMonths);
}
