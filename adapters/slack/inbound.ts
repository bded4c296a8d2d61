import type { Actor, InboundEvent } from "../../src/core/index.js";
import { handlerOfActionId, parseModalMetadata } from "./render-blocks.js";

/** What the profile look-up adds to the ids in a payload. */
export interface SlackProfile {
  displayName?: string;
  locale?: string;
  timezone?: string;
}

export function toActor(userId: string, teamId: string | undefined, fallbackName: string | undefined, profile: SlackProfile): Actor {
  return {
    platform: "slack",
    externalId: userId,
    ...(teamId ? { teamId } : {}),
    displayName: profile.displayName || fallbackName || userId,
    ...(profile.locale ? { locale: profile.locale } : {}),
    ...(profile.timezone ? { timezone: profile.timezone } : {}),
  };
}

/** "/customer" with text "Acme" → the neutral command event. */
export function commandEvent(actor: Actor, body: { command: string; text?: string; channel_id?: string }): InboundEvent {
  return { type: "command", actor, command: body.command.replace(/^\//, ""), text: body.text ?? "", ...(body.channel_id ? { channel: body.channel_id } : {}) };
}

/** A button press; `channelId`: where the message with the button is (a Share posts there). */
export function actionEvent(actor: Actor, action: { action_id: string; value?: string }, channelId?: string, messageTs?: string): InboundEvent {
  return { type: "action", actor, action: { id: handlerOfActionId(action.action_id), value: action.value ?? "" }, ...(channelId ? { channel: channelId } : {}), ...(channelId && messageTs ? { messageTs } : {}) };
}

type ViewStateValues = Record<string, Record<string, { value?: string | null; selected_option?: { value?: string } | null }>>;

/** A submitted modal: one input per block (a plain-text input or a static select), block id = field id. */
export function formEvent(actor: Actor, view: { callback_id: string; private_metadata?: string; state: { values: ViewStateValues } }): { event: InboundEvent; channelId?: string; fromHome?: boolean } {
  const values: Record<string, string> = {};
  for (const [blockId, elements] of Object.entries(view.state.values)) {
    values[blockId] = elements.value?.value ?? elements.value?.selected_option?.value ?? "";
  }
  const metadata = parseModalMetadata(view.private_metadata);
  return {
    event: { type: "form", actor, formId: view.callback_id, values, state: metadata.state },
    ...(metadata.channelId ? { channelId: metadata.channelId } : {}),
    ...(metadata.fromHome ? { fromHome: true } : {}),
  };
}

/** "Log to CRM" on a message; the source id makes a second save of the same message a no-op. */
export function logMessageEvent(actor: Actor, channelId: string, message: { ts: string; text?: string }, permalink: string | undefined): InboundEvent {
  return {
    type: "log-message",
    actor,
    message: { text: message.text ?? "", ...(permalink ? { permalink } : {}), source: { platform: "slack", id: `${channelId}:${message.ts}` } },
  };
}

/**
 * A direct message or mention as a command: "customer Acme", "/log Acme call: ...", or
 * "<@UBOT> top 5". An empty message is help; an unknown word gets the list of commands.
 */
export function textCommandEvent(actor: Actor, text: string, channel?: string, botUserId?: string): InboundEvent {
  // A leading slash stays: "/foo" is a command for sure (unknown, if so), "foo" may be a question.
  // Only mentions of the bot go (anywhere when its id is known, else in front): "assign Acme to
  // <@U123>" names a colleague.
  const bot = botUserId && /^[A-Z0-9]+$/.test(botUserId) ? new RegExp(`<@${botUserId}(?:\\|[^>]*)?>`, "g") : undefined;
  const cleaned = (bot ? text.replace(bot, " ") : text).replace(/^\s*(?:<@[A-Z0-9]+>\s*)+/, " ").trim();
  const [command = "", ...rest] = cleaned.split(/\s+/);
  return { type: "command", actor, command: "crm", text: command ? [command, ...rest].join(" ") : "help", ...(channel ? { channel } : {}) };
}

/** A person's message in a channel thread: the core decides whether the thread is one of ours. */
export function threadMessageEvent(actor: Actor, message: { channel: string; thread_ts: string; ts: string; text?: string }): InboundEvent {
  return {
    type: "thread-message",
    actor,
    thread: { channel: message.channel, ts: message.thread_ts },
    message: { text: message.text ?? "", source: { platform: "slack", id: `${message.channel}:${message.ts}` } },
  };
}

/** A file shared in a direct message with the bot (an import), fetched or refused by the adapter. */
export function fileEvent(actor: Actor, channel: string, file: { name: string; size?: number; bytes?: Uint8Array; refused?: "too-big" | "unreadable" }): InboundEvent {
  return { type: "file", actor, channel, file };
}
