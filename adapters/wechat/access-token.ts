import type { Cluster, Redis } from "ioredis";
import { DeliveryError } from "../../src/core/index.js";

export interface AccessTokenOptions {
  /** One Redis or a cluster: each command here touches one key. */
  redis: Redis | Cluster;
  /** Key prefix shared by every process of one install (BULLMQ_PREFIX). */
  prefix: string;
  appId: string;
  appSecret: string;
  apiBaseUrl: string;
  /** Refresh this long before WeChat's expiry, so a token is never used in its last minutes. */
  marginMs?: number;
  /** How long a process waits for another one's refresh before trying itself. */
  waitMs?: number;
}

interface Cached {
  token: string;
  expiresAt: number;
}

// Deletes the cached token only if it is still the one that failed: another process may
// already have stored a fresh one.
const DELETE_IF_SAME = `
local cached = redis.call('GET', KEYS[1])
if cached and cjson.decode(cached).token == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * The Official Account access token, one per app id for all bot processes: cached in Redis,
 * fetched by one process at a time under a lock, refreshed before it expires and at once when
 * WeChat says it is invalid (40001/42001). Each call of /cgi-bin/token invalidates the previous
 * token, which is why processes must not refresh on their own (PROTOCOLS.md).
 */
export function createAccessTokens(options: AccessTokenOptions) {
  const key = `${options.prefix}:wechat:token:{${options.appId}}`;
  const lockKey = `${options.prefix}:wechat:token-lock:{${options.appId}}`;
  const margin = options.marginMs ?? 5 * 60_000;
  const waitMs = options.waitMs ?? 5_000;

  async function cached(): Promise<Cached | undefined> {
    const raw = await options.redis.get(key);
    if (!raw) return undefined;
    const value = JSON.parse(raw) as Cached;
    return value.expiresAt - margin > Date.now() ? value : undefined;
  }

  async function fetchToken(): Promise<Cached> {
    const url = new URL("/cgi-bin/token", options.apiBaseUrl);
    url.search = new URLSearchParams({ grant_type: "client_credential", appid: options.appId, secret: options.appSecret }).toString();
    let body: { access_token?: string; expires_in?: number; errcode?: number; errmsg?: string };
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new DeliveryError("temporary", `token endpoint HTTP ${res.status}`);
      body = (await res.json()) as typeof body;
    } catch (error) {
      if (error instanceof DeliveryError) throw error;
      throw new DeliveryError("temporary", `token endpoint unreachable: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!body.access_token) {
      // -1 is "system busy"; anything else (bad secret, IP not whitelisted) needs a person.
      throw new DeliveryError(body.errcode === -1 ? "temporary" : "permanent", `token errcode ${body.errcode ?? "?"} ${body.errmsg ?? ""}`.trim());
    }
    return { token: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 7_200) * 1000 };
  }

  return {
    /** A valid token, from the shared cache or freshly fetched by exactly one process. */
    async get(): Promise<string> {
      const deadline = Date.now() + waitMs;
      for (;;) {
        const hit = await cached();
        if (hit) return hit.token;
        const locked = await options.redis.set(lockKey, "1", "PX", 15_000, "NX");
        if (locked === "OK") {
          try {
            const again = await cached();
            if (again) return again.token;
            const fresh = await fetchToken();
            await options.redis.set(key, JSON.stringify(fresh), "PX", Math.max(1_000, fresh.expiresAt - Date.now()));
            return fresh.token;
          } finally {
            await options.redis.del(lockKey);
          }
        }
        if (Date.now() > deadline) throw new DeliveryError("temporary", "another process is refreshing the WeChat token");
        await new Promise((r) => setTimeout(r, 100));
      }
    },

    /** WeChat refused `token` (40001/42001/40014): forget it so the next get() refreshes. */
    async invalidate(token: string): Promise<void> {
      await options.redis.eval(DELETE_IF_SAME, 1, key, token);
    },
  };
}

export type AccessTokens = ReturnType<typeof createAccessTokens>;
