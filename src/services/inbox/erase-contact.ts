import type { ServiceDeps } from "../deps.js";

export interface EraseContactInput {
  contactId: string;
  /** The rep who asked, or null for the bot (WeChat's unfollow rule). */
  actorId: string | null;
  /** Why, for the audit log ("wechat.unsubscribe", "request"). */
  reason: string;
  /** An interaction whose body stays (the unfollow event itself, say). */
  keepInteractionId?: string;
}

/**
 * Erases a contact's personal data in one transaction (see the contact-erasure store).
 * Returns the counts, or null when the contact does not exist or was erased before.
 */
export async function eraseContact(deps: ServiceDeps, input: EraseContactInput): Promise<{ interactions: number; outbox: number } | null> {
  const at = deps.now();
  return deps.store.transaction((tx) => tx.contactErasure.eraseContact({ ...input, at }));
}
