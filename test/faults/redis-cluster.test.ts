import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OwnRedisCluster } from "../support/redis-cluster.js";
import { midBurst, scenario, useFaultSite } from "./scenario.js";

/**
 * The bot on a 3-node Redis Cluster (REDIS_CLUSTER_NODES): each queue's keys in a slot of its
 * own (hash-tagged names), the rate limiter's scripts within one slot. Two workers share the
 * burst, and every master is flushed mid-burst: the sweep re-creates the jobs from Postgres.
 */
const site = useFaultSite();
const cluster = new OwnRedisCluster();

beforeAll(async () => {
  await cluster.start();
}, 120_000);
afterAll(async () => {
  await cluster.stop();
}, 60_000);

describe("reminders on a Redis Cluster", () => {
  it("two workers, every master flushed mid-burst", async () => {
    await scenario(site, "Redis Cluster, FLUSHALL", { workers: 2, redisEnv: cluster.env }, async (w) => {
      await midBurst(w);
      const client = cluster.client();
      try {
        // The client knows the masters only once it has read the slot map.
        if (client.status !== "ready") await new Promise((resolve) => client.once("ready", resolve));
        const masters = client.nodes("master");
        expect(masters).toHaveLength(3);
        const before = await Promise.all(masters.map((node) => node.dbsize()));
        await Promise.all(masters.map((node) => node.flushall()));
        // Every master held keys of the bot's (queues spread over the slots), and none is left.
        expect(before.every((n) => n > 0), `keys per master before the flush: ${before.join(", ")}`).toBe(true);
        expect(await Promise.all(masters.map((node) => node.dbsize()))).toEqual([0, 0, 0]);
      } finally {
        client.disconnect();
      }
    });
  });
});
