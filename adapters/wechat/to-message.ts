import { storableFields, type CustomerMessage } from "../../src/core/index.js";

export interface ToCustomerMessageOptions {
  /**
   * The push's body was covered by the platform's signature (safe mode's msg_signature). Only
   * then may an event such as `unsubscribe` erase anything: a plain-mode body is not signed.
   */
  bodySigned?: boolean;
}

/**
 * A parsed Official Account push as the core's CustomerMessage. Messages are identified by
 * MsgId, events by sender + CreateTime (they have no MsgId). Media is kept as a reference with
 * its MediaId; anything unknown is stored raw, never dropped. Every field is made storable first
 * (a NUL or a lone surrogate would be refused by Postgres on every retry, for ever).
 */
export function toCustomerMessage(raw: Readonly<Record<string, string>>, options: ToCustomerMessageOptions = {}): CustomerMessage | undefined {
  const fields = storableFields(raw);
  const sender = fields.FromUserName;
  const created = Number(fields.CreateTime);
  const type = fields.MsgType;
  if (!sender || !type || !Number.isFinite(created)) return undefined;
  const at = new Date(created * 1000);
  const isEvent = type === "event";
  const kind = isEvent ? `event:${fields.Event ?? "unknown"}` : type;
  const id = !isEvent && fields.MsgId ? fields.MsgId : `${sender}:${fields.CreateTime}:${kind}`;
  const scene = fields.EventKey?.startsWith("qrscene_") ? fields.EventKey.slice("qrscene_".length) : undefined;
  return {
    platform: "wechat",
    senderId: sender,
    id,
    at,
    kind,
    body: describe(type, fields),
    ...(options.bodySigned ? { bodySigned: true } : {}),
    ...(scene ? { source: `wechat:qrscene:${scene}` } : {}),
  };
}

function describe(type: string, f: Readonly<Record<string, string>>): string {
  switch (type) {
    case "text":
      return f.Content ?? "";
    case "image":
      return `[image] MediaId ${f.MediaId ?? "?"}${f.PicUrl ? ` ${f.PicUrl}` : ""}`;
    case "voice":
      return `[voice] MediaId ${f.MediaId ?? "?"}${f.Recognition ? `: ${f.Recognition}` : ""}`;
    case "video":
    case "shortvideo":
      return `[${type}] MediaId ${f.MediaId ?? "?"}`;
    case "location":
      return `[location] ${f.Label ?? ""} (${f.Location_X ?? "?"}, ${f.Location_Y ?? "?"})`.trim();
    case "link":
      return `[link] ${f.Title ?? ""} ${f.Url ?? ""}`.trim();
    case "event":
      return `[event ${f.Event ?? "?"}]${f.EventKey ? ` ${f.EventKey}` : ""}`;
    default:
      return `[${type}] ${JSON.stringify(f)}`;
  }
}
