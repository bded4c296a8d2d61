import * as PUPPET from "wechaty-puppet";
import { createSightings, type CustomerMessage, type Logger, type Route } from "../../src/core/index.js";
import type { CustomerServiceApi } from "./customer-service-api.js";
import { createReplayGuard, type ReplayGuard } from "./replay-guard.js";
import { toCustomerMessage } from "./to-message.js";
import { NotAMessage, createWechatWebhook } from "./webhook.js";

export interface OfficialAccountOptions {
  appId: string;
  token: string;
  encodingAesKey?: string;
  api: CustomerServiceApi;
  log: Logger;
  /** WeChat gives up after 5 s; answer 503 a little before so the retry finds us ready. */
  storeTimeoutMs?: number;
  maxBodyBytes?: number;
  /**
   * Memory of signed query strings shared by every web process (main.ts: in Redis). Without
   * one, this process remembers by itself.
   */
  replays?: ReplayGuard;
}

/** A push as the puppet keeps it: the verified XML fields. */
export type OfficialAccountRawMessage = Readonly<Record<string, string>>;

interface Pending {
  promise: Promise<void>;
  settle(error?: unknown): void;
}

function pending(): Pending {
  let settle: Pending["settle"] = () => undefined;
  const promise = new Promise<void>((resolve, reject) => {
    settle = (error) => (error === undefined ? resolve() : reject(error instanceof Error ? error : new Error("the bot could not store the message")));
  });
  // A push whose HTTP request already timed out still settles; nobody may be listening then.
  promise.catch(() => undefined);
  return { promise, settle };
}

/** Which Wechaty message type each Official Account MsgType is. */
const MESSAGE_TYPES: Readonly<Record<string, PUPPET.types.Message>> = {
  text: PUPPET.types.Message.Text,
  image: PUPPET.types.Message.Image,
  voice: PUPPET.types.Message.Audio,
  video: PUPPET.types.Message.Video,
  shortvideo: PUPPET.types.Message.Video,
  location: PUPPET.types.Message.Location,
  link: PUPPET.types.Message.Url,
  // Events (subscribe, unsubscribe, CLICK, SCAN, VIEW) have no Wechaty type: Unknown, with the raw push.
};

/**
 * A Wechaty puppet for a WeChat Official Account (公众号). Unlike the published
 * wechaty-puppet-official-account it checks the signature on every push (safe mode included),
 * answers events too, gives every push its platform id so retries are recognised, shares the
 * access token between processes, and reports refusals (45015 ...) as classified errors.
 *
 * The push is only acknowledged once the bot has stored it: the webhook waits until the bot
 * calls `settle(messageId)` for the message it was handed (see wechaty-bot.ts).
 */
export class PuppetOfficialAccount extends PUPPET.Puppet {
  private readonly pushes = new Map<string, OfficialAccountRawMessage>();
  private readonly inFlight = new Map<string, Pending>();

  constructor(private readonly oa: OfficialAccountOptions) {
    super();
  }

  /**
   * Safe mode: every push taken was covered by msg_signature, its body included. In plain mode
   * only the query string is signed, so a push's content is not the platform's word.
   */
  get bodySigned(): boolean {
    return Boolean(this.oa.encodingAesKey);
  }

  /** The push in flight as the core's CustomerMessage, with how far it is vouched for. */
  async customerMessage(id: string): Promise<CustomerMessage | undefined> {
    return toCustomerMessage(await this.messageRawPayload(id), { bodySigned: this.bodySigned });
  }

  override name(): string {
    return "crm-puppet-official-account";
  }

  /** GET and POST /wechat, mounted on the bot's HTTP server. */
  routes(): Route[] {
    return createWechatWebhook({
      token: this.oa.token,
      appId: this.oa.appId,
      ...(this.oa.encodingAesKey ? { encodingAesKey: this.oa.encodingAesKey } : {}),
      ...(this.oa.maxBodyBytes ? { maxBodyBytes: this.oa.maxBodyBytes } : {}),
      log: this.oa.log,
      replays: this.oa.replays ?? createReplayGuard({ sightings: createSightings({ prefix: "local", log: this.oa.log }) }),
      receive: (fields) => this.receive(fields),
    });
  }

  /**
   * Hands a push to Wechaty as a message and waits until the bot stored it. A retry that
   * arrives while the first delivery is still being stored waits for that one instead of
   * handing the message over twice.
   */
  private async receive(fields: Record<string, string>): Promise<void> {
    const message = toCustomerMessage(fields);
    if (!message) throw new NotAMessage();
    let waiting = this.inFlight.get(message.id);
    if (!waiting) {
      waiting = pending();
      this.inFlight.set(message.id, waiting);
      this.pushes.set(message.id, fields);
      this.emit("message", { messageId: message.id });
    }
    const limit = this.oa.storeTimeoutMs ?? 4_500;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`message ${message.id} was not stored within ${limit} ms`)), limit);
    });
    try {
      await Promise.race([waiting.promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The bot reports that a message was stored (or why it was not); the webhook answers then. */
  settle(messageId: string, error?: unknown): void {
    const waiting = this.inFlight.get(messageId);
    this.inFlight.delete(messageId);
    this.pushes.delete(messageId);
    waiting?.settle(error);
  }

  override async onStart(): Promise<void> {
    // An Official Account is always "logged in": it is the account itself, reached by webhook.
    this.login(this.oa.appId);
  }

  override async onStop(): Promise<void> {
    for (const [id, waiting] of this.inFlight) waiting.settle(new Error(`stopped before message ${id} was stored`));
    this.inFlight.clear();
    this.pushes.clear();
  }

  override ding(data?: string): void {
    this.emit("dong", { data: data ?? "" });
  }

  override async messageRawPayload(id: string): Promise<OfficialAccountRawMessage> {
    const raw = this.pushes.get(id);
    if (!raw) throw new Error(`no Official Account push with id ${id} is in flight`);
    return raw;
  }

  override async messageRawPayloadParser(raw: OfficialAccountRawMessage): Promise<PUPPET.payloads.Message> {
    const message = toCustomerMessage(raw);
    if (!message) throw new Error("not an Official Account message");
    return {
      id: message.id,
      talkerId: message.senderId,
      listenerId: this.currentUserId,
      timestamp: message.at.getTime(),
      type: MESSAGE_TYPES[raw.MsgType ?? ""] ?? PUPPET.types.Message.Unknown,
      text: message.body,
    };
  }

  override async contactRawPayload(id: string): Promise<{ id: string }> {
    return { id };
  }

  override async contactRawPayloadParser(raw: { id: string }): Promise<PUPPET.payloads.Contact> {
    const self = raw.id === this.oa.appId;
    // The platform no longer tells nicknames to Official Accounts: name people by their openid's tail.
    return {
      id: raw.id,
      name: self ? "Official Account" : `WeChat user ${raw.id.slice(-6)}`,
      type: self ? PUPPET.types.Contact.Official : PUPPET.types.Contact.Individual,
      gender: PUPPET.types.ContactGender.Unknown,
      avatar: "",
      phone: [],
      friend: !self,
    };
  }

  override async messageSendText(conversationId: string, text: string): Promise<void> {
    await this.oa.api.sendText(conversationId, text);
  }
}
