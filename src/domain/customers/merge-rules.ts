import type { Stage } from "./customer-stage.js";

/**
 * What a customer merged into another keeps of the one merged away. Everything that hangs off
 * a customer moves (contacts, orders, interactions, reminders, deals, surveys, stage history,
 * aliases); these are the rules for the customer's own fields.
 */

/**
 * The stage after a merge: the kept customer's, except that a merge does not leave a lead a
 * lead when the other record had got further (a customer who bought, merged into their own
 * lead, is not a lead). The nightly scan moves it on from there as the merged facts say.
 */
export function mergedStage(kept: Stage, mergedAway: Stage): Stage {
  return kept === "LEAD" && mergedAway !== "LEAD" ? mergedAway : kept;
}

/** Fields the kept customer takes from the other only where it has none of its own. */
export const FILLED_FROM_MERGED = ["owner_id", "source", "industry", "website", "address", "about"] as const;
