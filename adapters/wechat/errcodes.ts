import { DeliveryError, type DeliveryRefusal } from "../../src/core/index.js";

/**
 * How the outbox treats each customer-service API errcode (PROTOCOLS.md): wait and try again,
 * wait for the quota, or give up with the code as the reason. The WeChat sender throws these.
 */
const PERMANENT: Readonly<Record<number, string>> = {
  45015: "outside the 48-hour customer-service window, or the user unfollowed",
  45047: "the customer-service window's message quota is used up",
  40003: "invalid openid",
  43004: "the user must follow the account first",
  48001: "the account may not use this API",
  40164: "this server's IP is not in the account's whitelist",
  40037: "invalid template_id (check WECHAT_SURVEY_TEMPLATE_ID)",
  43101: "the user declined messages from this account",
};

/** Refusals that say when a later message could get through (see DeliveryRefusal). */
const REFUSAL: Readonly<Record<number, DeliveryRefusal>> = { 45015: "outside-window", 45047: "outside-window", 40003: "recipient-gone", 43004: "recipient-gone", 43101: "recipient-gone" };

/** Token problems: the sender refreshes the shared token once and the outbox retries soon. */
const TOKEN = new Set([40001, 40014, 42001]);

export function classifyWechatError(errcode: number, errmsg = "", now = new Date()): DeliveryError {
  const reason = `errcode ${errcode}${errmsg ? ` ${errmsg}` : ""}`;
  const known = PERMANENT[errcode];
  if (known) return new DeliveryError("permanent", `${reason} (${known})`, undefined, REFUSAL[errcode]);
  if (TOKEN.has(errcode)) return new DeliveryError("rate-limited", `${reason} (access token refreshed)`, 1_000);
  // The account's quotas cover every recipient: the whole token waits, not one openid at a time.
  if (errcode === 45011) return new DeliveryError("rate-limited", `${reason} (minute quota)`, 60_000, undefined, "platform");
  if (errcode === 45009) {
    // The daily quota resets at midnight Beijing time.
    const nextMidnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + (now.getUTCHours() >= 16 ? 1 : 0), 16);
    return new DeliveryError("rate-limited", `${reason} (daily quota)`, Math.max(60_000, nextMidnight - now.getTime()), undefined, "platform");
  }
  // -1 (system busy) and anything unknown: try again with backoff.
  return new DeliveryError("temporary", reason);
}
