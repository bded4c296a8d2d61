import { Redis } from "ioredis";

/**
 * A Redis connection for producers and probes: commands fail at once while Redis is away
 * instead of queueing in memory (Postgres rows are the record; see DESIGN). Workers will need
 * their own connection with `maxRetriesPerRequest: null`.
 */
export function createRedis(url: string): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 3_000,
    lazyConnect: false,
  });
  // Connection errors are reported by /readyz; without a listener ioredis would print each one.
  redis.on("error", () => undefined);
  return redis;
}

export type { Redis };
