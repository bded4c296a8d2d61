import type { Action } from "../reply/reply.js";
import type { CustomerMessageInput } from "../services/index.js";

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
 * A message a customer sent the company (WeChat Official Account), as adapters hand it in;
 * see services/record-customer-message.ts for what each field means.
 */
export type CustomerMessage = CustomerMessageInput & { platform: Platform };

/** Everything a rep can do, in platform-neutral form; adapters translate into this. */
export type InboundEvent =
  /** `channel`: where it was typed (a Slack channel or DM id), when the platform says. */
  | { type: "command"; actor: Actor; command: string; text: string; channel?: string }
  | { type: "action"; actor: Actor; action: Action }
  | { type: "form"; actor: Actor; formId: string; values: Record<string, string>; state: string }
  /** "Log to CRM" on a chat message: answers with a form to pick the customer. */
  | { type: "log-message"; actor: Actor; message: { text: string; permalink?: string; source: { platform: Platform; id: string } } }
  /** Someone wrote in a thread; it matters when the thread mirrors a WeChat conversation. */
  | { type: "thread-message"; actor: Actor; thread: { channel: string; ts: string }; message: { text: string; permalink?: string; source: { platform: Platform; id: string } } };
