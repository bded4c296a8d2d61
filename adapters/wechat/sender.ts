import type { Message, Sender } from "../../src/core/index.js";
import { DeliveryError } from "../../src/core/index.js";
import type { AccessTokens } from "./access-token.js";
import { classifyWechatError } from "./errcodes.js";
import { renderWechatText, splitText } from "./render-text.js";

const TOKEN_ERRORS = new Set([40001, 40014, 42001]);

/**
 * Sends outbox messages to WeChat users through the customer-service API: plain text, split
 * into parts within WeChat's limit, with the shared access token (refreshed once and retried
 * once when WeChat calls it invalid). Errcodes become DeliveryError kinds (errcodes.ts).
 */
export function createWechatSender(options: { tokens: AccessTokens; apiBaseUrl: string }): Sender {
  async function post(openId: string, content: string, retried = false): Promise<void> {
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

  return {
    async send(destination: string, message: Message) {
      for (const part of splitText(renderWechatText(message))) await post(destination, part);
      return {};
    },
  };
}
