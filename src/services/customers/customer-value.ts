import { customerValue, valueAsOf, type ValueMeasures } from "../../domain/customers/clv.js";
import type { ServiceDeps } from "../deps.js";

/** The per-customer stats CLV is computed from (customer_stats), as the store returns them. */
export interface StatsForValue {
  totalSpent: { toString(): string } | number;
  orderCount: number;
  firstOrderAt: Date | null;
}

/**
 * A customer's CLV with the team's settings, measured to the start of the team's day: every
 * place that shows one (the card, the inbox header) shows the same figure as /top ranks by.
 */
export function valueOfCustomer(deps: Pick<ServiceDeps, "settings" | "now">, stats: StatsForValue | null | undefined): ValueMeasures {
  const { settings } = deps;
  return customerValue(
    { totalSpent: Number(stats?.totalSpent ?? 0), orderCount: stats?.orderCount ?? 0, firstOrderAt: stats?.firstOrderAt ?? null },
    valueAsOf(deps.now(), settings.timeZone),
    { lifespanMonths: settings.clvLifespanMonths, minObservationMonths: settings.clvMinObservationMonths },
  );
}
