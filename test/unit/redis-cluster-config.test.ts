import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { QUEUES } from "../../src/jobs/queues.js";
import { parseClusterNodes } from "../../src/jobs/redis-target.js";

const DATABASE_URL = "postgresql://crm@127.0.0.1:5432/crm";

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError, but the configuration loaded");
}

describe("REDIS_CLUSTER_NODES", () => {
  it("is off by default: one Redis at REDIS_URL", () => {
    const config = loadConfig({ DATABASE_URL });
    expect(config.redisCluster).toBeUndefined();
    expect(config.redisUrl).toBe("redis://127.0.0.1:6379");
  });

  it("reads seed nodes as host:port, trimmed, without repeats", () => {
    const config = loadConfig({ DATABASE_URL, REDIS_CLUSTER_NODES: " 10.0.0.1:7000, 10.0.0.2:7001 ,10.0.0.1:7000,, redis-3.internal:7002 " });
    expect(config.redisCluster).toEqual({
      nodes: [{ host: "10.0.0.1", port: 7000 }, { host: "10.0.0.2", port: 7001 }, { host: "redis-3.internal", port: 7002 }],
      tls: false,
    });
  });

  it("takes user, password and TLS from redis:// or rediss:// entries, and IPv6 addresses", () => {
    expect(parseClusterNodes("rediss://crm:s%40cret@a.example:6380,rediss://crm:s%40cret@b.example:6380")).toEqual({
      ok: true,
      target: { nodes: [{ host: "a.example", port: 6380 }, { host: "b.example", port: 6380 }], username: "crm", password: "s@cret", tls: true },
    });
    expect(parseClusterNodes("redis://:pw@[::1]:7000")).toEqual({ ok: true, target: { nodes: [{ host: "::1", port: 7000 }], password: "pw", tls: false } });
    expect(parseClusterNodes("cache")).toEqual({ ok: true, target: { nodes: [{ host: "cache", port: 6379 }], tls: false } });
  });

  it("refuses what is not a seed node, in one line naming the variable, never showing a password", () => {
    const cases: [string, RegExp][] = [
      [",", /seed nodes as host:port/],
      ["10.0.0.1:99999", /is not host:port/],
      ["10.0.0.1:0", /is not host:port/],
      ["http://10.0.0.1:7000", /only redis:\/\/ and rediss:\/\//],
      ["redis://10.0.0.1:7000/2", /only database 0/],
      ["rediss://u:pw@a:7000,b:7001", /same scheme, user and password/],
      ["redis://u:one@a:7000,redis://u:two@b:7001", /same scheme, user and password/],
    ];
    for (const [value, message] of cases) {
      const found = problems({ DATABASE_URL, REDIS_CLUSTER_NODES: value });
      expect(found, value).toHaveLength(1);
      expect(found[0], value).toMatch(/^REDIS_CLUSTER_NODES: /);
      expect(found[0], value).toMatch(message);
      expect(found[0]).not.toContain("\n");
    }
    const secret = problems({ DATABASE_URL, REDIS_CLUSTER_NODES: "redis://crm:hunter2@a:7000/5" })[0];
    expect(secret).toContain("crm:***@a:7000");
    expect(secret).not.toContain("hunter2");
  });

  it("is refused next to REDIS_URL, reported along with every other problem", () => {
    const found = problems({ DATABASE_URL, REDIS_URL: "redis://cache:6379", REDIS_CLUSTER_NODES: "a:7000", PORT: "x" });
    expect(found).toContain("REDIS_URL and REDIS_CLUSTER_NODES are both set: REDIS_URL names one Redis, REDIS_CLUSTER_NODES a Redis Cluster; unset one of them");
    expect(found.some((p) => p.startsWith("PORT"))).toBe(true);
    // An empty REDIS_URL counts as not set.
    expect(loadConfig({ DATABASE_URL, REDIS_URL: "", REDIS_CLUSTER_NODES: "a:7000" }).redisCluster?.nodes).toEqual([{ host: "a", port: 7000 }]);
  });
});

describe("where jobs live on a cluster", () => {
  it("tags every queue name, so each queue's keys share a slot and BULLMQ_PREFIX cannot take the tag", () => {
    for (const name of Object.values(QUEUES)) expect(name).toMatch(/^\{[a-z]+\}$/);
    expect(problems({ DATABASE_URL, BULLMQ_PREFIX: "{crm}" })[0]).toMatch(/^BULLMQ_PREFIX: /);
  });
});
