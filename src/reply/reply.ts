import type { ChartSpec } from "./chart-spec.js";

/**
 * The platform-neutral reply. Every string in it is plain text: adapters escape it for their
 * platform, so customer-supplied text can never turn into markup, mentions or links.
 */

export interface Action {
  /** Handler name, such as "customer.show". */
  id: string;
  /** Opaque to the adapter; the handler validates it again. At most 1,900 characters. */
  value: string;
}

export interface Button {
  label: string;
  action: Action;
  style?: "primary" | "danger";
  /** The button opens this conversation thread on the platform (a link) instead of asking the bot. */
  opens?: { channel: string; thread: string };
  /**
   * A menu instead of one button (a Slack static select, `label` its placeholder): the choice's
   * value is sent as the action's value. Platforms without menus show one button per choice.
   */
  choices?: SelectOption[];
  /** Asked before the action is sent, where the platform can ask (a Slack confirm dialog). */
  confirm?: { title: string; text: string; yes: string; no: string };
}

export interface Field {
  label: string;
  value: string;
}

export interface ListItem {
  title: string;
  detail?: string;
  /** Shown beside the item; a button that acts on it. */
  button?: Button;
  /** More buttons that act on the item (a contact's Edit and Remove), shown under it. */
  buttons?: Button[];
}

export type Block =
  | { type: "header"; text: string }
  | { type: "text"; text: string; title?: string }
  | { type: "fields"; fields: Field[] }
  | { type: "list"; title?: string; items: ListItem[]; empty?: string }
  | { type: "context"; text: string }
  /** Commands a user can copy, shown as code: "Try: `/order Acme 1200 CNY`". */
  | { type: "examples"; label: string; examples: string[] }
  | { type: "link"; label: string; url: string }
  | { type: "divider" }
  | { type: "buttons"; buttons: Button[] }
  /** Text addressed to people: a platform mentions them (and notifies) where it can, else names them. */
  | { type: "mention"; people: Person[]; text: string }
  /**
   * A chart: adapters that can show images render it to PNG (off the event loop) and upload it;
   * others show `alt`, a one-line plain-text reading of the same figures.
   */
  | { type: "chart"; chart: ChartSpec; alt: string }
  /**
   * A file for the reader (an export, an audit extract): platforms that take files upload it,
   * into the reader's DM when the reply is private (a file cannot be ephemeral); others say
   * where it was saved. `summary` is the one line shown in its place.
   */
  | { type: "file"; file: OutgoingFile; summary: string };

export interface OutgoingFile {
  filename: string;
  title: string;
  mimeType: string;
  /** The bytes of a file small enough to hold, or a temporary file the adapter deletes once sent. */
  content: Uint8Array | { path: string };
}

export interface Person {
  platform: string;
  /** The platform's user id. */
  id: string;
  name: string;
}

export interface Message {
  /** Private: only the person who asked sees it. Shared: everyone in the conversation. */
  visibility: "private" | "shared";
  /** Plain-text summary for notifications and platforms without rich layout. */
  summary: string;
  blocks: Block[];
  /** The reply says something went wrong (for metrics and styling). */
  isError?: boolean;
  /** Replaces the message whose button was pressed (a reminder marked done), instead of adding one. */
  replaceOriginal?: boolean;
  /** Posts into this thread of the destination (a Slack thread ts). */
  thread?: string;
  /**
   * "home": the rep's Home (Slack's App Home tab), which replaces the one published before
   * instead of being posted; its limit is 100 blocks, not a message's 50.
   */
  surface?: "home";
  /**
   * The message may also go out as a platform notice that reaches a person outside a
   * conversation (a WeChat template message), in these four short fields.
   */
  notice?: Notice;
}

export interface Notice {
  title: string;
  /** What it is about. */
  subject: string;
  time: string;
  /** What to do: "Reply 1-5 in this chat". */
  note: string;
}

export interface FormField {
  id: string;
  label: string;
  /** "select": one of `options`; the submitted value is the option's value. */
  kind: "text" | "long-text" | "select";
  /** For a select, the value of the option chosen at first. */
  initial?: string;
  placeholder?: string;
  optional?: boolean;
  maxLength?: number;
  /** A select's choices (at most 100, Slack's limit): value as submitted, label as shown. */
  options?: SelectOption[];
}

export interface SelectOption {
  value: string;
  label: string;
}

export interface Form {
  /** Handler name of the submission, such as "log.submit". */
  id: string;
  title: string;
  /** Plain text shown above the fields (what submitting will do, for a confirmation). */
  intro?: string;
  submitLabel: string;
  fields: FormField[];
  /** Opaque state returned with the submission (at most 2,900 characters). */
  state: string;
}

/** What the core answers an inbound event with. */
export type Outcome =
  | { kind: "message"; message: Message }
  | { kind: "form"; form: Form }
  /** The submitted form stays open with these messages by its fields. */
  | { kind: "form-errors"; errors: Record<string, string> }
  /** A submitted form closes and the submitter is told this. */
  | { kind: "form-done"; message: Message }
  /** Nothing to say (a colleague's note in a conversation thread was kept quietly). */
  | { kind: "none" };

export function message(blocks: Block[], summary: string, visibility: Message["visibility"] = "private"): Outcome {
  return { kind: "message", message: { visibility, summary, blocks } };
}

/** A private reply of one line of text. */
export function textMessage(text: string): Outcome {
  return message([{ type: "text", text }], text);
}

export function errorMessage(text: string, examples?: { label: string; examples: string[] }): Message {
  const blocks: Block[] = [{ type: "text", text }];
  if (examples && examples.examples.length > 0) blocks.push({ type: "examples", ...examples });
  return { visibility: "private", summary: text, blocks, isError: true };
}
