import { isComplaint } from "../../domain/customers/customer-segments.js";
import { storableText } from "../../domain/language/storable-text.js";
import { readSurveyReply } from "../surveys/answer-survey.js";
import type { ServiceDeps } from "../deps.js";
import type { ScheduleItem } from "../ports.js";
import type { Repositories } from "../../store/index.js";
import type { StoredCustomerMessage } from "../../store/customers/customer-messages.js";
import type { InboundMessage } from "../../store/delivery/inbound-messages.js";
import { queueInboxRelay } from "./relay-wechat.js";
import { deliveriesNow, scheduleAfterCommit } from "../delivery/schedule-after-commit.js";
import { refreshSegments } from "../analytics/score-segments.js";

/** A customer message as the webhook takes it: the same shape the inbound table stores. */
export type CustomerMessageInput = InboundMessage;

/**
 * A customer's message recorded (by the inbound worker from its waiting row, see
 * inbound-queue.ts; at once where no worker runs): exactly one interaction per platform message
 * id, and a lead for a sender the CRM has never seen; what it means for the inbox and for surveys
 * is decided in the same transaction. Throws when Postgres is away, so the caller retries.
 */
export async function recordCustomerMessage(deps: ServiceDeps, raw: CustomerMessageInput) {
  const stored = await deps.store.transaction((tx) => recordCustomerMessageIn(tx, deps, raw));
  await scheduleAfterCommit(deps, stored.queued);
  return stored;
}

/**
 * recordCustomerMessage's work inside the caller's transaction (the inbound worker deletes its
 * waiting row in the same one); `queued` is what to schedule once it committed.
 */
/** Adapters clean at their edge; this keeps every platform's text storable all the same. */
export function storableMessage(raw: CustomerMessageInput): CustomerMessageInput {
  return {
    ...raw,
    senderId: storableText(raw.senderId),
    id: storableText(raw.id),
    kind: storableText(raw.kind),
    body: storableText(raw.body),
    ...(raw.senderName !== undefined ? { senderName: storableText(raw.senderName) } : {}),
    ...(raw.source !== undefined ? { source: storableText(raw.source) } : {}),
  };
}

export async function recordCustomerMessageIn(tx: Repositories, deps: ServiceDeps, raw: CustomerMessageInput): Promise<StoredCustomerMessage & { queued: ScheduleItem[] }> {
  const channel = deps.settings.wechatInboxChannel;
  const input = storableMessage(raw);
  const result = await tx.customerMessages.record(input);
  const queued: ScheduleItem[] = [];
  if (!result.created) return { ...result, queued };
  // A sender the CRM never saw became a lead: the bot wrote a customer (one INSERT, new senders only).
  if (result.newLead) await tx.audit.write({ actorId: null, action: "customer.create", entityId: result.customerId, detail: { source: input.platform, contactId: result.contactId } });
  // Only a signed body may act on an unfollow: in plain mode anyone holding one captured signed
  // query string could otherwise erase (or silence for good: nothing clears the flag) any
  // contact whose openid they know. There the event stays on the timeline and does nothing
  // more; a send to a real unfollower fails visibly with WeChat's 45015 (see README, safe mode).
  if (input.kind === "event:unsubscribe" && input.bodySigned === true) {
    // WeChat's rule: someone who unfollows has their personal data deleted (aggregates stay).
    await tx.contactErasure.flagUnsubscribed(result.contactId, input.at);
    if (deps.settings.wechatEraseOnUnsubscribe) {
      await tx.contactErasure.eraseContact({ contactId: result.contactId, actorId: null, reason: "unfollowed the WeChat Official Account", keepInteractionId: result.interactionId, at: deps.now() });
    }
  }
  // Someone who follows again may be written to again. Not destructive, so any mode may say it:
  // a forged follow only lets a reply be tried, which WeChat refuses visibly (45015).
  if (input.kind === "event:subscribe") await tx.contactErasure.clearUnsubscribed(result.contactId, input.at);
  if (channel && input.platform === "wechat") {
    const relayed = await queueInboxRelay(tx, channel, { interactionId: result.interactionId, contactId: result.contactId, customerId: result.customerId, at: input.at }, deps.now());
    queued.push(...deliveriesNow(deps, relayed));
  }
  if (input.platform === "wechat") {
    queued.push(...(await readSurveyReply(tx, deps, { contactId: result.contactId, interactionId: result.interactionId, senderId: input.senderId, kind: input.kind, body: input.body, at: input.at })));
  }
  // A complaint counts towards churn risk: the segment follows it now (after the survey reading
  // above, which marks a survey answer so it counts as its score instead). Only complaints:
  // this is the webhook's hot path, and other messages change no segment fact a buyer has.
  if (input.kind === "text" && isComplaint(input.body)) await refreshSegments(tx, deps, [result.customerId]);
  return { ...result, queued };
}
