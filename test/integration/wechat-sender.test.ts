import { createServer, type Server } from "node:http";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAccessTokens } from "../../adapters/wechat/access-token.js";
import { splitText } from "../../adapters/wechat/render-text.js";
import { createWechatSender } from "../../adapters/wechat/sender.js";
import type { Message } from "../../src/core/index.js";
import { TEST_REDIS_URL } from "../support/env.js";
import { deleteKeys } from "../support/redis.js";

/** A fake WeChat API: the token endpoint and the customer-service send, with scripted errcodes. */
let server: Server;
let base = "";
let issued = 0;
const sent: { token: string; body: { touser: string; msgtype: string; text: { content: string } } }[] = [];
let script: ({ status: number } | { errcode: number; errmsg: string })[] = [];
const redis = new Redis(TEST_REDIS_URL);
const prefix = `crmtest-${randomBytes(5).toString("hex")}`;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      if (url.pathname === "/cgi-bin/token") return res.end(JSON.stringify({ access_token: `TOKEN-${++issued}`, expires_in: 7200 }));
      if (url.pathname !== "/cgi-bin/message/custom/send") return res.writeHead(404).end();
      const next = script.shift();
      if (next && "status" in next) return res.writeHead(next.status).end("{}");
      sent.push({ token: url.searchParams.get("access_token") ?? "", body: JSON.parse(raw) as (typeof sent)[number]["body"] });
      res.end(JSON.stringify(next ?? { errcode: 0, errmsg: "ok" }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});
afterAll(async () => {
  server.close();
  await deleteKeys(prefix);
  redis.disconnect();
});
beforeEach(() => {
  sent.length = 0;
  script = [];
});

const sender = () => createWechatSender({ tokens: createAccessTokens({ redis, prefix, appId: "wxsend", appSecret: "x", apiBaseUrl: base }), apiBaseUrl: base });
const message = (text: string): Message => ({ visibility: "private", summary: text, blocks: [{ type: "text", text }, { type: "buttons", buttons: [{ label: "Done", action: { id: "x", value: "y" } }] }] });

describe("sending to WeChat users through the customer-service API", () => {
  it("sends plain text with the shared token, without buttons", async () => {
    await sender().send("oUser1", message("您好，这是满意度调查"), "key");
    expect(sent).toEqual([{ token: "TOKEN-1", body: { touser: "oUser1", msgtype: "text", text: { content: "您好，这是满意度调查" } } }]);
  });

  it("refreshes the token once and retries when WeChat says it expired (42001)", async () => {
    script = [{ errcode: 42001, errmsg: "access_token expired" }];
    await sender().send("oUser2", message("hello"), "key");
    expect(sent.map((s) => s.token)).toEqual(["TOKEN-1", "TOKEN-2"]);
  });

  it("classes refusals for the outbox: outside the 48-hour window is permanent, a 500 is temporary", async () => {
    script = [{ errcode: 45015, errmsg: "response out of time limit" }];
    await expect(sender().send("oUser3", message("late"), "key")).rejects.toMatchObject({ kind: "permanent", reason: expect.stringContaining("45015") as string });
    script = [{ status: 500 }];
    await expect(sender().send("oUser3", message("busy"), "key")).rejects.toMatchObject({ kind: "temporary", reason: "HTTP 500" });
  });

  it("splits long text into parts within WeChat's limit, at sentence or line breaks", async () => {
    const long = Array.from({ length: 300 }, (_, i) => `第${i}句话说明一下情况。`).join("");
    await sender().send("oUser4", message(long), "key");
    expect(sent.length).toBeGreaterThan(1);
    for (const s of sent) {
      expect(Buffer.byteLength(s.body.text.content, "utf8")).toBeLessThanOrEqual(2_000);
      expect(s.body.text.content.endsWith("。")).toBe(true);
    }
    expect(sent.map((s) => s.body.text.content).join("")).toBe(long);
    expect(splitText("short")).toEqual(["short"]);
    expect(splitText("x".repeat(5000), 2000).map((p) => p.length)).toEqual([2000, 2000, 1000]);
  });
});
