import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { wechatSignature } from "./signature.js";

/**
 * WeChat Official Account safe mode (PROTOCOLS.md, "Safe mode (AES)"):
 *
 * - key = base64-decode(EncodingAESKey + "=") → 32 bytes; IV = the key's first 16 bytes;
 *   AES-256-CBC.
 * - plaintext = 16 random bytes + 4-byte big-endian length of the message in bytes + the message
 *   (UTF-8) + the appid, padded PKCS#7-style to a 32-byte block (1–32 bytes of padding). Node's
 *   own padding only knows 16-byte blocks, so it is turned off and done here.
 *
 * Decrypting does not check `msg_signature`: callers verify it first (signature.ts), so a forged
 * body never reaches the cipher and no padding oracle is exposed.
 */

const BLOCK = 32;
const RANDOM_BYTES = 16;
const LENGTH_BYTES = 4;
const HEADER = RANDOM_BYTES + LENGTH_BYTES;

/** Every failure of the cipher layer; an HTTP handler answers these with 400. */
export class WechatCryptoError extends Error {
  override readonly name = "WechatCryptoError";
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The 32-byte AES key of a 43-character EncodingAESKey. */
export function aesKeyFromEncodingAesKey(encodingAesKey: string): Buffer {
  if (typeof encodingAesKey !== "string" || !/^[A-Za-z0-9+/]{43}$/.test(encodingAesKey)) {
    throw new WechatCryptoError(
      `EncodingAESKey must be 43 characters of base64 (A-Z, a-z, 0-9, +, /); got ${typeof encodingAesKey === "string" ? encodingAesKey.length : typeof encodingAesKey} characters`,
    );
  }
  const key = Buffer.from(`${encodingAesKey}=`, "base64");
  if (key.length !== 32) throw new WechatCryptoError(`EncodingAESKey decodes to ${key.length} bytes, expected 32`);
  return key;
}

function pkcs7Pad(data: Buffer): Buffer {
  const pad = BLOCK - (data.length % BLOCK); // 1..32: a full block when already aligned
  return Buffer.concat([data, Buffer.alloc(pad, pad)]);
}

function pkcs7Unpad(data: Buffer): Buffer {
  const pad = data.at(-1);
  if (pad === undefined || pad < 1 || pad > BLOCK || pad > data.length) {
    throw new WechatCryptoError(`bad padding: last byte ${pad ?? "missing"} is not a pad length of 1-${BLOCK}`);
  }
  for (let i = data.length - pad; i < data.length; i++) {
    if (data[i] !== pad) throw new WechatCryptoError(`bad padding: expected ${pad} bytes of value ${pad}`);
  }
  return data.subarray(0, data.length - pad);
}

/**
 * Decrypts a safe-mode `Encrypt` value and returns the message (XML or JSON text). Throws a
 * WechatCryptoError for a bad key, a ciphertext that is not whole AES blocks, bad padding, a
 * length field that does not fit, text that is not UTF-8, or an appid other than `appId`.
 */
export function decryptMessage(encodingAesKey: string, appId: string, encryptBase64: string): string {
  const key = aesKeyFromEncodingAesKey(encodingAesKey);
  if (typeof encryptBase64 !== "string" || !/^[A-Za-z0-9+/]+={0,2}$/.test(encryptBase64)) {
    throw new WechatCryptoError("Encrypt is not base64");
  }
  const ciphertext = Buffer.from(encryptBase64, "base64");
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) {
    throw new WechatCryptoError(`truncated ciphertext: ${ciphertext.length} bytes is not a whole number of AES blocks`);
  }

  const decipher = createDecipheriv("aes-256-cbc", key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  const plain = pkcs7Unpad(padded);

  if (plain.length < HEADER) throw new WechatCryptoError(`truncated plaintext: ${plain.length} bytes, need at least ${HEADER}`);
  const length = plain.readUInt32BE(RANDOM_BYTES);
  if (length > plain.length - HEADER) {
    throw new WechatCryptoError(`truncated plaintext: message length ${length} exceeds the ${plain.length - HEADER} bytes left`);
  }

  let message: string;
  let receivedAppId: string;
  try {
    message = utf8.decode(plain.subarray(HEADER, HEADER + length));
    receivedAppId = utf8.decode(plain.subarray(HEADER + length));
  } catch {
    throw new WechatCryptoError("decrypted message is not valid UTF-8");
  }
  if (receivedAppId !== appId) {
    throw new WechatCryptoError(`appid mismatch: the message is for ${JSON.stringify(receivedAppId.slice(0, 64))}, not ${JSON.stringify(appId)}`);
  }
  return message;
}

/**
 * Encrypts `message` for `appId` and returns the base64 `Encrypt` value. `random16` (16 bytes)
 * makes the output deterministic, for tests; otherwise fresh random bytes are used.
 */
export function encryptMessage(encodingAesKey: string, appId: string, message: string, random16?: Buffer): string {
  const key = aesKeyFromEncodingAesKey(encodingAesKey);
  const random = random16 ?? randomBytes(RANDOM_BYTES);
  if (random.length !== RANDOM_BYTES) throw new WechatCryptoError(`random16 must be ${RANDOM_BYTES} bytes, got ${random.length}`);

  const body = Buffer.from(message, "utf8");
  const length = Buffer.alloc(LENGTH_BYTES);
  length.writeUInt32BE(body.length);
  const plain = pkcs7Pad(Buffer.concat([random, length, body, Buffer.from(appId, "utf8")]));

  const cipher = createCipheriv("aes-256-cbc", key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString("base64");
}

export interface EncryptedReplyParams {
  token: string;
  encodingAesKey: string;
  appId: string;
  /** The reply in plain text (the passive-reply XML). */
  message: string;
  /** The reply's own timestamp, decimal seconds. */
  timestamp: string | number;
  /** The reply's own nonce. */
  nonce: string;
  /** For deterministic tests only. */
  random16?: Buffer;
}

export interface EncryptedReply {
  Encrypt: string;
  MsgSignature: string;
  TimeStamp: string;
  Nonce: string;
}

/** A safe-mode passive reply: the encrypted message signed over its own timestamp and nonce. */
export function encryptedReply({ token, encodingAesKey, appId, message, timestamp, nonce, random16 }: EncryptedReplyParams): EncryptedReply {
  const TimeStamp = String(timestamp);
  if (!/^\d+$/.test(TimeStamp)) throw new WechatCryptoError(`reply timestamp must be decimal seconds, got ${JSON.stringify(TimeStamp)}`);
  if (typeof nonce !== "string" || nonce.length === 0) throw new WechatCryptoError("reply nonce must be a non-empty string");
  const Encrypt = encryptMessage(encodingAesKey, appId, message, random16);
  return { Encrypt, MsgSignature: wechatSignature(token, TimeStamp, nonce, Encrypt), TimeStamp, Nonce: nonce };
}

/** CDATA that stays one text node even if the value contains "]]>". */
function cdata(value: string): string {
  return `<![CDATA[${value.replace(/]]>/g, "]]]]><![CDATA[>")}]]>`;
}

/** The reply body: `<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>`. */
export function encryptedReplyXml(params: EncryptedReplyParams): string {
  const r = encryptedReply(params);
  return (
    `<xml><Encrypt>${cdata(r.Encrypt)}</Encrypt><MsgSignature>${cdata(r.MsgSignature)}</MsgSignature>` +
    `<TimeStamp>${r.TimeStamp}</TimeStamp><Nonce>${cdata(r.Nonce)}</Nonce></xml>`
  );
}
