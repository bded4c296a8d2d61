import { WechatyBuilder, log as wechatyLog, types, type Message as WechatyMessage, type Wechaty, type WechatyOptions } from "wechaty";
import type * as PUPPET from "wechaty-puppet";
import { storableText, type Core, type CustomerMessage, type Logger, type Sender } from "../../src/core/index.js";
import { PuppetOfficialAccount } from "./official-account-puppet.js";
import { createWechatSender, type NoticeSender } from "./sender.js";

export interface WechatyBotOptions {
  /** Our Official Account puppet, another puppet instance, or a puppet package name (WECHATY_PUPPET). */
  puppet: PUPPET.impls.PuppetInterface | string;
  /** Passed to a puppet named by package (WECHATY_PUPPET_TOKEN), e.g. for WeCom through a puppet service. */
  puppetToken?: string;
  core: Core;
  log: Logger;
  /** Template messages (the Official Account with a survey template); other puppets have none. */
  sendNotice?: NoticeSender;
}

export interface WechatyBot {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The outbox's sender for the "wechat" platform: says text through the puppet. */
  sender: Sender;
}

/** What each Wechaty message type is called on the timeline. */
const KINDS: Partial<Record<types.Message, string>> = {
  [types.Message.Text]: "text",
  [types.Message.Image]: "image",
  [types.Message.Audio]: "voice",
  [types.Message.Video]: "video",
  [types.Message.Location]: "location",
  [types.Message.Url]: "link",
  [types.Message.Attachment]: "file",
  [types.Message.Emoticon]: "emoticon",
  [types.Message.Contact]: "contact-card",
  [types.Message.MiniProgram]: "mini-program",
};

/**
 * A Wechaty message as the core's CustomerMessage. Our Official Account puppet keeps the raw
 * push, which says more than Wechaty's payload can (events, MediaId, QR scene): use it there.
 * Other puppets are mapped from Wechaty's neutral payload; media is described, never dropped.
 */
async function customerMessageOf(puppet: PUPPET.impls.PuppetInterface, message: WechatyMessage): Promise<CustomerMessage> {
  if (puppet instanceof PuppetOfficialAccount) {
    const mapped = await puppet.customerMessage(message.id);
    if (mapped) return mapped;
  }
  const talker = message.talker();
  const type = message.type();
  const kind = KINDS[type] ?? `unknown:${types.Message[type] ?? type}`;
  // Other puppets' text is cleaned here, at our edge, as the Official Account's pushes are.
  const text = storableText(message.text());
  return {
    platform: "wechat",
    senderId: storableText(talker.id),
    senderName: storableText(talker.name()),
    id: message.id,
    at: message.date(),
    kind,
    body: type === types.Message.Text ? text : `[${kind}]${text ? ` ${text}` : ""} (message ${message.id})`,
  };
}

/**
 * The WeChat side of the bot, on Wechaty: any puppet's inbound messages become customer
 * messages stored by the core, and the outbox says its messages through the same puppet.
 * Group chats and the account's own messages are not customer conversations and are skipped.
 */
export function createWechatyBot(options: WechatyBotOptions): WechatyBot {
  const { core, log } = options;
  // Wechaty logs through its own logger; our logs say what matters.
  wechatyLog.level("silent");
  const buildOptions = (
    typeof options.puppet === "string"
      ? { puppet: options.puppet, ...(options.puppetToken ? { puppetOptions: { token: options.puppetToken } } : {}) }
      : { puppet: options.puppet }
  ) as WechatyOptions;
  const bot: Wechaty = WechatyBuilder.build(buildOptions);

  async function onMessage(message: WechatyMessage): Promise<void> {
    const puppet = bot.puppet;
    const settle = (error?: unknown) => {
      if (puppet instanceof PuppetOfficialAccount) puppet.settle(message.id, error);
    };
    try {
      if (message.self() || message.room()) return settle();
      const customerMessage = await customerMessageOf(puppet, message);
      await core.ingest(customerMessage);
      settle();
    } catch (error) {
      log.error({ err: error, messageId: message.id }, "could not store a WeChat message");
      settle(error);
    }
  }

  bot.on("message", (message) => void onMessage(message));
  bot.on("error", (error) => log.warn({ err: error }, "Wechaty reported an error"));

  return {
    start: () => bot.start(),
    stop: () => bot.stop(),
    sender: createWechatSender((conversationId, text) => bot.puppet.messageSendText(conversationId, text), options.sendNotice),
  };
}
