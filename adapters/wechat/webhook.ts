import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger, Route } from "../../src/core/index.js";
import { decryptMessage } from "./crypto.js";
import { PUSH_WINDOW_MS, type ReplayGuard } from "./replay-guard.js";
import { isFreshTimestamp, verifyMessageSignature, verifyUrlSignature } from "./signature.js";
import { WechatXmlError, parseWechatXml } from "./xml.js";

export interface WechatWebhookOptions {
  token: string;
  appId: string;
  /** Set: safe mode, every push is checked by msg_signature and decrypted. */
  encodingAesKey?: string;
  /**
   * Takes a verified, parsed push; resolves once it is stored. Rejects (the answer is then 503,
   * so WeChat delivers again) when it could not be, or with NotAMessage for a push that is none.
   */
  receive(fields: Record<string, string>): Promise<void>;
  /** Remembers signed query strings, so a captured one cannot carry another body. */
  replays: ReplayGuard;
  log: Logger;
  maxBodyBytes?: number;
  /** The clock the timestamp window is measured on (tests). */
  now?: () => Date;
}

class TooLarge extends Error {}

/** A push that is not a message or event the bot understands (no sender, type or time). */
export class NotAMessage extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) throw new TooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new TooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
  res.end(body);
}

/**
 * The Official Account webhook: GET answers URL verification, POST takes pushes. Every POST is
 * verified (plain `signature`, or `msg_signature` over the ciphertext in safe mode), parsed
 * without entity expansion, handed on, and answered `success` only once it is stored. If it
 * cannot be stored the answer is 503, so WeChat delivers it again.
 *
 * Replays: a POST whose `timestamp` is more than 5 minutes from our clock is refused (403, no
 * reason given), and so is a signed query string seen before with a different body (see
 * replay-guard.ts); the same request again is taken as WeChat's retry and changes nothing. The
 * GET is not checked for freshness: it changes nothing and echoes only what its caller sent.
 */
export function createWechatWebhook(options: WechatWebhookOptions): Route[] {
  const { token, log } = options;
  const limit = options.maxBodyBytes ?? 64 * 1024;

  return [
    {
      method: "GET",
      path: "/wechat",
      handler: (req, res) => {
        const q = new URL(req.url ?? "/", "http://localhost").searchParams;
        const ok = verifyUrlSignature({ token, timestamp: q.get("timestamp"), nonce: q.get("nonce"), signature: q.get("signature") });
        if (!ok) return send(res, 401, "invalid signature");
        send(res, 200, q.get("echostr") ?? "");
      },
    },
    {
      method: "POST",
      path: "/wechat",
      handler: async (req, res) => {
        const q = new URL(req.url ?? "/", "http://localhost").searchParams;
        const timestamp = q.get("timestamp") ?? "";
        const nonce = q.get("nonce") ?? "";
        let body: string;
        try {
          body = await readBody(req, limit);
        } catch (error) {
          if (error instanceof TooLarge) return send(res, 413, "body too large");
          throw error;
        }
        let fields: Record<string, string>;
        try {
          let signature: string;
          let signed: string;
          if (options.encodingAesKey) {
            const envelope = parseWechatXml(body, { maxBytes: limit });
            const encrypt = envelope.Encrypt ?? "";
            signature = q.get("msg_signature") ?? "";
            if (!verifyMessageSignature({ token, timestamp, nonce, encrypt, msgSignature: signature })) return send(res, 401, "invalid signature");
            signed = encrypt;
          } else {
            signature = q.get("signature") ?? "";
            if (!verifyUrlSignature({ token, timestamp, nonce, signature })) return send(res, 401, "invalid signature");
            signed = body;
          }
          // Checked after the signature, so unsigned noise fills no memory; the answers say no more
          // than "forbidden", so nobody learns which check a captured request failed.
          if (!isFreshTimestamp(timestamp, options.now?.() ?? new Date(), PUSH_WINDOW_MS / 1000)) {
            log.warn({ timestamp }, "refused a WeChat push whose timestamp is more than 5 minutes away (a replay?)");
            return send(res, 403, "");
          }
          if ((await options.replays.check({ timestamp, nonce, signature, signed })) === "forged") {
            log.warn({ timestamp, nonce }, "refused a WeChat push reusing a signed query string with another body (a replay)");
            return send(res, 403, "");
          }
          fields = options.encodingAesKey ? parseWechatXml(decryptMessage(options.encodingAesKey, options.appId, signed), { maxBytes: limit }) : parseWechatXml(body, { maxBytes: limit });
        } catch (error) {
          log.warn({ err: error }, "refused a WeChat push that is not valid");
          return send(res, 400, error instanceof WechatXmlError ? "malformed xml" : "cannot decrypt");
        }
        try {
          await options.receive(fields);
        } catch (error) {
          if (error instanceof NotAMessage) return send(res, 400, "not a message");
          log.error({ err: error, msgId: fields.MsgId, from: fields.FromUserName }, "could not store a WeChat message; answering 503 so WeChat retries");
          return send(res, 503, "try again");
        }
        send(res, 200, "success");
      },
    },
  ];
}
