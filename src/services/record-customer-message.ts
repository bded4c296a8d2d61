import type { ServiceDeps } from "./deps.js";

export interface CustomerMessageInput {
  platform: string;
  senderId: string;
  senderName?: string;
  id: string;
  at: Date;
  kind: string;
  body: string;
  source?: string;
}

/**
 * A customer's message, stored before the platform is answered: exactly one interaction per
 * platform message id, and a lead for a sender the CRM has never seen. Throws when Postgres is
 * away, so the webhook does not acknowledge and the platform delivers again.
 */
export async function recordCustomerMessage(deps: ServiceDeps, input: CustomerMessageInput) {
  return deps.store.transaction((tx) => tx.customerMessages.record(input));
}
