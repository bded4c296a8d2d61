import { DeliveryError } from "../../src/core/index.js";
import type { AccessTokens } from "./access-token.js";
import { classifyWechatError } from "./errcodes.js";

const TOKEN_ERRORS = new Set([40001, 40014, 42001]);

/** A template message's fields: `{ first: { value: "…" }, keyword1: { value: "…" } }`. */
export type TemplateData = Readonly<Record<string, { value: string }>>;

export interface CustomerServiceApi {
  /** One customer-service text; throws DeliveryError with the errcode's class when refused. */
  sendText(openId: string, content: string): Promise<void>;
  /**
   * A template message, which reaches a follower outside the 48-hour window. `clientMsgId`
   * makes WeChat drop a repeat of the same message (the outbox may retry after a lost answer).
   */
  sendTemplate(openId: string, templateId: string, data: TemplateData, clientMsgId: string): Promise<void>;
}

/**
 * The Official Account's message sends, with the shared access token: refreshed once and
 * retried once when WeChat calls it invalid (another process may have replaced it).
 */
export function createCustomerServiceApi(options: { tokens: AccessTokens; apiBaseUrl: string }): CustomerServiceApi {
  async function post(path: string, payload: unknown, retried = false): Promise<void> {
    const token = await options.tokens.get();
    const url = new URL(path, options.apiBaseUrl);
    url.searchParams.set("access_token", token);
    let body: { errcode?: number; errmsg?: string };
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) throw new DeliveryError("temporary", `HTTP ${res.status}`);
      body = (await res.json()) as typeof body;
    } catch (error) {
      if (error instanceof DeliveryError) throw error;
      throw new DeliveryError("temporary", error instanceof Error ? error.message : String(error));
    }
    const code = body.errcode ?? 0;
    if (code === 0) return;
    if (TOKEN_ERRORS.has(code) && !retried) {
      await options.tokens.invalidate(token);
      return post(path, payload, true);
    }
    throw classifyWechatError(code, body.errmsg);
  }
  return {
    sendText: (openId, content) => post("/cgi-bin/message/custom/send", { touser: openId, msgtype: "text", text: { content } }),
    // WeChat drops a second template send with the same client_msg_id (for a while): the outbox id.
    sendTemplate: (openId, templateId, data, clientMsgId) =>
      post("/cgi-bin/message/template/send", { touser: openId, template_id: templateId, data, client_msg_id: clientMsgId.replace(/-/g, "").slice(0, 32) }),
  };
}
