import { createHash, timingSafeEqual } from "node:crypto";

/**
 * WeChat Official Account signatures (PROTOCOLS.md, "URL verification" and "Safe mode"): the
 * parts are sorted as strings, joined without a separator and hashed with SHA-1 (lowercase hex).
 *
 * - URL verification (GET) and plain-mode POSTs: `signature` over token, timestamp, nonce. It does
 *   not cover the body, so a plain-mode POST body is only as trustworthy as the transport.
 * - Safe mode: `msg_signature` over token, timestamp, nonce and the body's `Encrypt`.
 */
export function wechatSignature(...parts: string[]): string {
  // Default sort compares UTF-16 code units; every part WeChat signs is ASCII.
  const sorted = [...parts].sort();
  return createHash("sha1").update(sorted.join(""), "utf8").digest("hex");
}

/** Query values arrive as whatever the HTTP layer produced: anything but a non-empty string fails. */
type Maybe = string | undefined | null;

function present(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}

/** Constant-time comparison of an expected hex digest with what the request carried. */
function sameDigest(expected: string, given: string): boolean {
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(given, "utf8");
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

export interface UrlSignatureParams {
  token: Maybe;
  timestamp: Maybe;
  nonce: Maybe;
  signature: Maybe;
}

/** The `signature` query parameter of the GET verification and of plain-mode POSTs. */
export function verifyUrlSignature({ token, timestamp, nonce, signature }: UrlSignatureParams): boolean {
  if (!present(token) || !present(timestamp) || !present(nonce) || !present(signature)) return false;
  return sameDigest(wechatSignature(token, timestamp, nonce), signature);
}

export interface MessageSignatureParams {
  token: Maybe;
  timestamp: Maybe;
  nonce: Maybe;
  /** The `Encrypt` element of the body, exactly as received. */
  encrypt: Maybe;
  /** The `msg_signature` query parameter. */
  msgSignature: Maybe;
}

/** Safe mode: `msg_signature` covers the encrypted body; check it before decrypting. */
export function verifyMessageSignature({ token, timestamp, nonce, encrypt, msgSignature }: MessageSignatureParams): boolean {
  if (!present(token) || !present(timestamp) || !present(nonce) || !present(encrypt) || !present(msgSignature)) {
    return false;
  }
  return sameDigest(wechatSignature(token, timestamp, nonce, encrypt), msgSignature);
}

/**
 * True when `timestamp` (decimal seconds, digits only) is within `maxSkewSeconds` of `now`, in
 * either direction. Anything else (empty, signed, fractional, "abc") is not fresh.
 */
export function isFreshTimestamp(timestamp: string, now: Date, maxSkewSeconds = 300): boolean {
  if (typeof timestamp !== "string" || !/^\d{1,15}$/.test(timestamp)) return false;
  const seconds = Number(timestamp);
  const nowSeconds = now.getTime() / 1000;
  if (!Number.isFinite(nowSeconds)) return false;
  return Math.abs(nowSeconds - seconds) <= maxSkewSeconds;
}
