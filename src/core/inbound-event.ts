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
  /** `channel`: the conversation of the message whose button was pressed, when the platform says. */
  | { type: "action"; actor: Actor; action: Action; channel?: string; /** The pressed message's id (a Slack ts), with `channel`: a long task updates it. */ messageTs?: string }
  | { type: "form"; actor: Actor; formId: string; values: Record<string, string>; state: string }
  /**
   * A file shared with the bot in a direct message (an import): its bytes, or why the adapter
   * did not fetch them (larger than IMPORT_MAX_BYTES, or the download failed).
   */
  | { type: "file"; actor: Actor; channel?: string; file: { name: string; size?: number; bytes?: Uint8Array; refused?: "too-big" | "unreadable" } }
  /** "Log to CRM" on a chat message: answers with a form to pick the customer. */
  | { type: "log-message"; actor: Actor; message: { text: string; permalink?: string; source: { platform: Platform; id: string } } }
  /** The rep opened their Home (Slack's App Home tab) or pressed a button on it: it is published again. */
  | { type: "home"; actor: Actor }
  /** Someone wrote in a thread; it matters when the thread mirrors a WeChat conversation. */
  | { type: "thread-message"; actor: Actor; thread: { channel: string; ts: string }; message: { text: string; permalink?: string; source: { platform: Platform; id: string } } };
