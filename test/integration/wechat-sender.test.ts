import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAccessTokens } from "../../adapters/wechat/access-token.js";
import { splitText } from "../../adapters/wechat/render-text.js";
import { createCustomerServiceApi } from "../../adapters/wechat/customer-service-api.js";
import { createWechatSender } from "../../adapters/wechat/sender.js";
import type { Message } from "../../src/core/index.js";
import { FakeWechatApi } from "../fakes/fake-wechat-api.js";
import { TEST_REDIS_URL } from "../support/env.js";
import { deleteKeys } from "../support/redis.js";

const api = new FakeWechatApi();
const redis = new Redis(TEST_REDIS_URL);
const prefix = `crmtest-${randomBytes(5).toString("hex")}`;

beforeAll(() => api.start());
afterAll(async () => {
  await api.stop();
  await deleteKeys(prefix);
  redis.disconnect();
});
beforeEach(() => {
  api.sent.length = 0;
  api.script = [];
});

const sender = () => {
  const customerService = createCustomerServiceApi({ tokens: createAccessTokens({ redis, prefix, appId: "wxsend", appSecret: "x", apiBaseUrl: api.url }), apiBaseUrl: api.url });
  return createWechatSender((openId, text) => customerService.sendText(openId, text));
};
const message = (text: string): Message => ({ visibility: "private", summary: text, blocks: [{ type: "text", text }, { type: "buttons", buttons: [{ label: "Done", action: { id: "x", value: "y" } }] }] });

describe("sending to WeChat users through the customer-service API", () => {
  it("sends plain text with the shared token, without buttons", async () => {
    await sender().send("oUser1", message("您好，这是满意度调查"), "key");
    expect(api.sent).toEqual([{ token: "TOKEN-1", touser: "oUser1", msgtype: "text", content: "您好，这是满意度调查" }]);
  });

  it("refreshes the token once and retries when WeChat says it expired (42001)", async () => {
    api.script = [{ errcode: 42001, errmsg: "access_token expired" }];
    const issued = api.tokensIssued;
    await sender().send("oUser2", message("hello"), "key");
    expect(api.tokensIssued).toBe(issued + 1);
    expect(api.sentTo("oUser2")).toEqual(["hello"]);
    expect(api.sent[0]!.token).toBe(`TOKEN-${issued + 1}`);
  });

  it("classes refusals for the outbox: outside the 48-hour window is permanent, a 500 is temporary", async () => {
    api.script = [{ errcode: 45015, errmsg: "response out of time limit" }];
    await expect(sender().send("oUser3", message("late"), "key")).rejects.toMatchObject({ kind: "permanent", reason: expect.stringContaining("45015") as string });
    api.script = [{ status: 500 }];
    await expect(sender().send("oUser3", message("busy"), "key")).rejects.toMatchObject({ kind: "temporary", reason: "HTTP 500" });
  });

  it("splits long text into parts within WeChat's limit, at sentence or line breaks", async () => {
    const long = Array.from({ length: 300 }, (_, i) => `第${i}句话说明一下情况。`).join("");
    await sender().send("oUser4", message(long), "key");
    const parts = api.sentTo("oUser4");
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(Buffer.byteLength(part, "utf8")).toBeLessThanOrEqual(2_000);
      expect(part.endsWith("。")).toBe(true);
    }
    expect(parts.join("")).toBe(long);
    expect(splitText("short")).toEqual(["short"]);
    expect(splitText("x".repeat(5000), 2000).map((p) => p.length)).toEqual([2000, 2000, 1000]);
  });
});
