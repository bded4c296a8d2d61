import type { Action } from "../reply/reply.js";

export type Platform = "slack" | "wechat" | "local";

/** The person behind an event, as the platform describes them. */
export interface Actor {
  platform: Platform;
  externalId: string;
  teamId?: string;
  displayName: string;
  /** Platform locale such as "zh-CN" or "en-US"; the bot picks the nearest it speaks. */
  locale?: string;
  /** IANA time zone from the platform profile. */
  timezone?: string;
}

/**
 * A message a customer sent the company (WeChat Official Account). It is stored once per
 * `id` however often the platform delivers it.
 */
export interface CustomerMessage {
  platform: Platform;
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

/** Everything a rep can do, in platform-neutral form; adapters translate into this. */
export type InboundEvent =
  | { type: "command"; actor: Actor; command: string; text: string }
  | { type: "action"; actor: Actor; action: Action }
  | { type: "form"; actor: Actor; formId: string; values: Record<string, string>; state: string }
  /** "Log to CRM" on a chat message: answers with a form to pick the customer. */
  | { type: "log-message"; actor: Actor; message: { text: string; permalink?: string; source: { platform: Platform; id: string } } };
