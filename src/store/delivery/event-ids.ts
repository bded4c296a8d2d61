import { createHash } from "node:crypto";

/**
 * An erased sender's event ids (which WeChat makes of the sender, see customer-messages.ts) are
 * kept as this digest: a late retry of the same event still finds its row (the webhook looks for
 * both forms), so the retry neither stores the event again nor makes a new lead of the sender.
 */
export function erasedSourceId(sourceId: string): string {
  return `erased:${createHash("sha256").update(sourceId, "utf8").digest("hex")}`;
}
