import type { ServiceDeps } from "./deps.js";

export interface CustomerMessageInput {
  platform: string;
  /** The platform's id for the sender (WeChat openid). */
  senderId: string;
  senderName?: string;
  /** The platform's id of this message or event (MsgId, or sender + CreateTime for events). */
  id: string;
  at: Date;
  /** text, image, voice, video, location, link, event:subscribe, event:CLICK ... */
  kind: string;
  /** What the timeline shows: the text, or a description with the media reference. */
  body: string;
  /** Where a new contact came from (the QR scene of a subscribe). */
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
