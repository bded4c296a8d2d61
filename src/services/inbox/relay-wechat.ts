import { AppError } from "../../domain/errors.js";
import type { NotificationPayload } from "../../domain/notification-payload.js";
import type { Rep, Repositories } from "../../store/index.js";
import { valueOfCustomer } from "../customers/customer-value.js";
import type { ServiceDeps } from "../deps.js";
import { CHANNEL_READER, maySeePrivate, withoutDetails } from "../audience.js";
import { deliveriesNow, scheduleAfterCommit } from "../delivery/schedule-after-commit.js";

/**
 * WeChat's customer-service window (PROTOCOLS.md): after a customer's message the account may
 * answer for 48 hours, at most five messages. A conversation quiet for that long ends its thread.
 */
export const CUSTOMER_SERVICE_WINDOW = { ms: 48 * 3_600_000, messages: 5 } as const;

/** Longest reply we accept; the sender splits it into WeChat-sized parts. */
export const MAX_REPLY_CHARS = 4_000;

export interface WindowState {
  open: boolean;
  /** When it closes (or closed); null when the customer never wrote. */
  closesAt: Date | null;
  messagesLeft: number;
}

export function windowState(lastInboundAt: Date | null, outboundSince: number, now: Date): WindowState {
  if (!lastInboundAt) return { open: false, closesAt: null, messagesLeft: 0 };
  const closesAt = new Date(lastInboundAt.getTime() + CUSTOMER_SERVICE_WINDOW.ms);
  const messagesLeft = Math.max(0, CUSTOMER_SERVICE_WINDOW.messages - outboundSince);
  return { open: closesAt.getTime() > now.getTime() && messagesLeft > 0, closesAt, messagesLeft };
}

async function enqueueSlack(tx: Repositories, channel: string, payload: NotificationPayload, dedupeKey: string, at: Date): Promise<string> {
  const row = await tx.outbox.enqueue({ platform: "slack", destination: channel, payload, dedupeKey, at });
  return row.id;
}

/**
 * Mirrors a stored customer message into its Slack inbox channel: into the conversation's thread, or
 * a new thread (with its header) when the conversation had gone quiet. Runs in the transaction
 * that stored the message, and so does its audit row (the bot shows the message to the channel);
 * returns the outbox rows to schedule once it commits.
 */
export async function queueInboxRelay(tx: Repositories, defaultChannel: string, message: { interactionId: string; contactId: string; customerId: string; at: Date }, now: Date): Promise<string[]> {
  // Routed by the customer's owner, or the owner's team (/crm inbox route); else the default.
  const channel = (await tx.inboxRoutes.channelFor(message.customerId)) ?? defaultChannel;
  const thread = await tx.inboxThreads.continueOrOpen({ contactId: message.contactId, channel, at: message.at, quietMs: CUSTOMER_SERVICE_WINDOW.ms });
  const queued: string[] = [];
  if (thread.opened) {
    const header = await enqueueSlack(tx, channel, { type: "inbox.header", threadId: thread.id }, `inbox-header:${thread.id}`, now);
    await tx.inboxThreads.setHeader(thread.id, header);
    queued.push(header);
  }
  queued.push(await enqueueSlack(tx, channel, { type: "inbox.message", threadId: thread.id, interactionId: message.interactionId }, `inbox-message:${message.interactionId}`, now));
  await tx.audit.write({ actorId: null, action: "inbox.relay", entityId: message.interactionId, customerIds: [message.customerId], detail: { contactId: message.contactId, threadId: thread.id, channel } });
  return queued;
}

async function threadFor(deps: ServiceDeps, threadId: string) {
  const thread = await deps.store.inboxThreads.get(threadId);
  if (!thread) throw new AppError("NOT_FOUND", "inbox.gone");
  return thread;
}

/** A conversation as its header and the Reply form show it: who, whose, worth, and the window. */
export async function getInboxThread(deps: ServiceDeps, threadId: string) {
  const thread = await deps.store.inboxThreads.get(threadId);
  if (!thread) return null;
  const detail = await deps.store.customers.getDetail(thread.customerId);
  if (!detail) return null;
  const stats = detail.stats;
  const value = valueOfCustomer(deps, stats);
  return {
    thread,
    customer: { id: detail.id, name: detail.name, stage: detail.stage, owner: detail.owner, clv: value.clv, currency: deps.settings.baseCurrency },
    window: windowState(thread.lastInboundAt, thread.outboundSinceInbound, deps.now()),
  };
}

export type InboxThreadDetail = NonNullable<Awaited<ReturnType<typeof getInboxThread>>>;

/**
 * A message of a conversation as the inbox channel reads it. Everyone in the channel reads it,
 * and a channel sees no private details (maySeePrivate): the customer's contacts' emails, phones
 * and WeChat ids are hidden where the text mentions them; /history shows them to whoever may see.
 */
export async function getInboxMessage(deps: ServiceDeps, threadId: string, interactionId: string) {
  const [detail, interaction] = await Promise.all([getInboxThread(deps, threadId), deps.store.interactions.get(interactionId)]);
  if (!detail || !interaction) return null;
  if (maySeePrivate(CHANNEL_READER, detail.customer.owner?.id ?? null, "channel")) return { detail, interaction };
  const contacts = await deps.store.customers.contactDetails(detail.customer.id);
  return { detail, interaction: { ...interaction, body: withoutDetails(interaction.body, contacts) } };
}

/**
 * Several messages of a conversation for one post (they waited for the same send slot), oldest
 * first, as the channel reads them; ones gone since (erased) are left out.
 */
export async function getInboxMessages(deps: ServiceDeps, threadId: string, interactionIds: readonly string[]) {
  const [detail, interactions] = await Promise.all([getInboxThread(deps, threadId), Promise.all(interactionIds.map((id) => deps.store.interactions.get(id)))]);
  // In the order the customer wrote them, whatever order their rows were queued in.
  const found = interactions.filter((i): i is NonNullable<typeof i> => i !== null).sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  if (!detail || found.length === 0) return null;
  if (maySeePrivate(CHANNEL_READER, detail.customer.owner?.id ?? null, "channel")) return { detail, interactions: found };
  const contacts = await deps.store.customers.contactDetails(detail.customer.id);
  return { detail, interactions: found.map((i) => ({ ...i, body: withoutDetails(i.body, contacts) })) };
}

/**
 * A rep answers the customer: the reply is logged as an outbound WeChat interaction and queued
 * for the customer; what becomes of it is said in the thread. WeChat itself decides about the
 * window (it may have heard from the customer on another path), so a closed window here is a
 * warning, and a refusal comes back as 45015 and is said plainly; the text stays logged.
 */
export async function replyOnWechat(deps: ServiceDeps, rep: Rep, input: { threadId: string; text: string; source?: { platform: string; id: string } }) {
  const text = input.text.trim();
  if (!text) throw new AppError("INVALID_INPUT", "inbox.reply.empty");
  if (text.length > MAX_REPLY_CHARS) throw new AppError("INVALID_INPUT", "inbox.reply.tooLong", { max: MAX_REPLY_CHARS });
  const thread = await threadFor(deps, input.threadId);
  const openId = thread.contact.wechatOpenId;
  if (!openId || thread.contact.unsubscribedAt) throw new AppError("CONFLICT", "inbox.reply.unsubscribed");
  const now = deps.now();
  const queued = await deps.store.transaction(async (tx) => {
    const logged = await tx.interactions.record({
      customerId: thread.customerId,
      contactId: thread.contact.id,
      authorId: rep.id,
      channel: "WECHAT",
      direction: "OUTBOUND",
      body: text,
      source: input.source ?? null,
      occurredAt: now,
    });
    if (!logged.created) return { interactionId: logged.id, outboxIds: [] as string[], checkAt: now };
    const row = await tx.outbox.enqueue({
      platform: "wechat",
      destination: openId,
      payload: { type: "wechat.reply", interactionId: logged.id, threadId: thread.id } satisfies NotificationPayload,
      dedupeKey: `wechat-reply:${logged.id}`,
      at: now,
    });
    await tx.audit.write({ actorId: rep.id, action: "inbox.reply", entityId: logged.id, customerIds: [thread.customerId], detail: { contactId: thread.contact.id, threadId: thread.id } });
    // A rep answered: once the conversation goes quiet, the customer is asked how it went.
    const checkAt = new Date(now.getTime() + deps.settings.surveyAfterIdleMs);
    await tx.surveys.setSurveyCheck(thread.contact.id, checkAt);
    return { interactionId: logged.id, outboxIds: [row.id], checkAt };
  });
  const surveyCheck = queued.outboxIds.length > 0 ? [{ kind: "survey-check" as const, id: thread.contact.id, at: queued.checkAt }] : [];
  await scheduleAfterCommit(deps, [...deliveriesNow(deps, queued.outboxIds), ...surveyCheck]);
  return { interactionId: queued.interactionId, window: windowState(thread.lastInboundAt, thread.outboundSinceInbound, now) };
}

/** Colleagues talking in a conversation's thread: kept on the customer's timeline, never sent. */
export async function noteFromThread(deps: ServiceDeps, rep: Rep, input: { threadId: string; text: string; permalink?: string; source: { platform: string; id: string } }) {
  const thread = await threadFor(deps, input.threadId);
  const text = input.text.trim();
  if (!text) return { created: false };
  return deps.store.transaction(async (tx) => {
    const logged = await tx.interactions.record({
      customerId: thread.customerId,
      contactId: thread.contact.id,
      authorId: rep.id,
      channel: "NOTE",
      direction: "INTERNAL",
      body: text,
      permalink: input.permalink ?? null,
      source: input.source,
      occurredAt: deps.now(),
    });
    if (logged.created) {
      await tx.audit.write({ actorId: rep.id, action: "interaction.create", entityId: logged.id, customerIds: [thread.customerId], detail: { customerId: thread.customerId, channel: "NOTE", via: "inbox-thread" } });
    }
    return { created: logged.created };
  });
}

/** Says in the thread that a contact now belongs to a customer (after /link or the Link button). */
export async function announceLink(deps: ServiceDeps, input: { contactId: string; customerId: string; repId: string }): Promise<void> {
  if (!deps.settings.wechatInboxChannel) return;
  // The conversation may be in a routed channel rather than the default one.
  const latest = await deps.store.inboxThreads.latestAnywhere(input.contactId);
  if (!latest) return;
  const { id: threadId, channel } = latest;
  const now = deps.now();
  const row = await deps.store.outbox.enqueue({
    platform: "slack",
    destination: channel,
    payload: { type: "inbox.linked", threadId, customerId: input.customerId, repId: input.repId } satisfies NotificationPayload,
    dedupeKey: `inbox-linked:${threadId}:${input.customerId}:${now.getTime()}`,
    at: now,
  });
  await scheduleAfterCommit(deps, deliveriesNow(deps, [row.id]));
}
