import { createServer, type Server } from "node:http";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccessTokens } from "../../adapters/wechat/access-token.js";
import { TEST_REDIS_URL } from "../support/env.js";
import { deleteKeys } from "../support/redis.js";

/** A fake of WeChat's token endpoint: each call issues a new token and counts. */
let server: Server;
let base = "";
let issued = 0;
let answer: "ok" | "ip" = "ok";
const redis = new Redis(TEST_REDIS_URL);
const prefix = `crmtest-${randomBytes(5).toString("hex")}`;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    res.setHeader("content-type", "application/json");
    if (url.pathname !== "/cgi-bin/token" || url.searchParams.get("secret") !== "s3cret") return res.end(JSON.stringify({ errcode: 40125, errmsg: "invalid appsecret" }));
    if (answer === "ip") return res.end(JSON.stringify({ errcode: 40164, errmsg: "invalid ip 1.2.3.4, not in whitelist" }));
    // A little slow, like the real one, so concurrent callers really overlap.
    setTimeout(() => res.end(JSON.stringify({ access_token: `TOKEN-${++issued}`, expires_in: 7200 })), 100);
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

const tokens = (appSecret = "s3cret") => createAccessTokens({ redis, prefix, appId: "wxtoken", appSecret, apiBaseUrl: base });

describe("the shared WeChat access token", () => {
  it("is fetched once for several processes asking at the same moment, then served from Redis", async () => {
    const processes = [tokens(), tokens(), tokens(), tokens(), tokens()];
    const got = await Promise.all(processes.map((p) => p.get()));
    expect(new Set(got)).toEqual(new Set(["TOKEN-1"]));
    expect(issued).toBe(1);
    expect(await tokens().get()).toBe("TOKEN-1");
    expect(issued).toBe(1);
  });

  it("is refreshed once when WeChat calls it invalid, and a stale invalidation does not drop the new one", async () => {
    const a = tokens();
    const b = tokens();
    await Promise.all([a.invalidate("TOKEN-1"), b.invalidate("TOKEN-1")]);
    expect(await a.get()).toBe("TOKEN-2");
    await b.invalidate("TOKEN-1"); // late report about the old token
    expect(await b.get()).toBe("TOKEN-2");
    expect(issued).toBe(2);
  });

  it("is refreshed before WeChat's expiry", async () => {
    await redis.set(`${prefix}:wechat:token:{wxtoken}`, JSON.stringify({ token: "TOKEN-2", expiresAt: Date.now() + 60_000 }));
    expect(await tokens().get()).toBe("TOKEN-3");
  });

  it("gives up with WeChat's reason when the account refuses (IP not whitelisted)", async () => {
    await redis.del(`${prefix}:wechat:token:{wxtoken}`);
    answer = "ip";
    await expect(tokens().get()).rejects.toMatchObject({ kind: "permanent", reason: expect.stringContaining("40164") as string });
    answer = "ok";
  });
});
