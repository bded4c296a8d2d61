import { createHmac } from "node:crypto";

/** Signs a body exactly as Slack does: v0=HMAC-SHA256(secret, "v0:{ts}:{body}"). */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

export interface SignedPost {
  status: number;
  text: string;
  json(): Record<string, unknown>;
}

/** POSTs to the bot as Slack would; `sign` can forge or age the signature. */
export async function postToSlackEndpoint(
  url: string,
  body: string,
  contentType: "application/x-www-form-urlencoded" | "application/json",
  options: { secret: string; timestamp?: number; signature?: string; headers?: Record<string, string> },
): Promise<SignedPost> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": contentType,
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": options.signature ?? slackSignature(options.secret, timestamp, body),
      ...options.headers,
    },
    body,
  });
  const text = await response.text();
  return { status: response.status, text, json: () => (text ? (JSON.parse(text) as Record<string, unknown>) : {}) };
}

export function slashCommandBody(fields: { command: string; text: string; userId: string; userName?: string; channelId?: string; responseUrl: string; triggerId?: string }): string {
  return new URLSearchParams({
    token: "deprecated-verification-token",
    team_id: "T0001",
    team_domain: "acme-sales",
    channel_id: fields.channelId ?? "C0SALES",
    channel_name: "sales",
    user_id: fields.userId,
    user_name: fields.userName ?? fields.userId.toLowerCase(),
    command: fields.command,
    text: fields.text,
    api_app_id: "A0CRM",
    is_enterprise_install: "false",
    response_url: fields.responseUrl,
    trigger_id: fields.triggerId ?? `${Date.now()}.1.trigger`,
  }).toString();
}

export function interactivityBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
