import { DeliveryError } from "../../src/core/index.js";
import type { AccessTokens } from "./access-token.js";
import { classifyWechatError } from "./errcodes.js";

const TOKEN_ERRORS = new Set([40001, 40014, 42001]);

export interface CustomerServiceApi {
  /** One customer-service text; throws DeliveryError with the errcode's class when refused. */
  sendText(openId: string, content: string): Promise<void>;
}

/**
 * The Official Account's customer-service send, with the shared access token: refreshed once and
 * retried once when WeChat calls it invalid (another process may have replaced it).
 */
export function createCustomerServiceApi(options: { tokens: AccessTokens; apiBaseUrl: string }): CustomerServiceApi {
  async function post(openId: string, content: string, retried: boolean): Promise<void> {
    const token = await options.tokens.get();
    const url = new URL("/cgi-bin/message/custom/send", options.apiBaseUrl);
    url.searchParams.set("access_token", token);
    let body: { errcode?: number; errmsg?: string };
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ touser: openId, msgtype: "text", text: { content } }),
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
      return post(openId, content, true);
    }
    throw classifyWechatError(code, body.errmsg);
  }
  return { sendText: (openId, content) => post(openId, content, false) };
}
