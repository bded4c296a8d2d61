import type { Logger } from "../logger.js";
import type { RedisClient } from "./redis.js";

/**
 * A memory of things seen once, shared by every process of an install: signed Slack requests
 * and WeChat pushes, so a captured request replayed at any web process is known for what it is.
 */
export interface Sightings {
  /**
   * Records `value` under `key` for `ttlMs`, unless something is recorded there already.
   * Undefined on a first sighting; otherwise the value recorded first (a caller may store a
   * digest of what it saw, to tell a repeat from a different thing under the same key).
   */
  sight(key: string, value: string, ttlMs: number): Promise<string | undefined>;
}

export interface SightingsOptions {
  /** Shared memory; without it (or while it does not answer) only this process remembers. */
  redis?: Pick<RedisClient, "set">;
  /** Key prefix of one install (BULLMQ_PREFIX). */
  prefix: string;
  log: Logger;
  /** How many keys this process keeps by itself; only a flood of distinct requests reaches it. */
  localCapacity?: number;
}

/**
 * Redis `SET key value NX PX ttl GET` decides for the install. Every sighting is also kept in
 * this process's own bounded memory, which decides while Redis is away: refusing requests then
 * would turn a Redis outage into a Slack or WeChat outage, and the memory still catches every
 * replay sent to this process. What stays open during an outage is a replay sent to another.
 */
export function createSightings(options: SightingsOptions): Sightings {
  const capacity = options.localCapacity ?? 100_000;
  /** Key -> first value and expiry; insertion order is expiry order for one ttl. */
  const local = new Map<string, { value: string; until: number }>();
  let warnedAt = 0;

  function sightLocally(key: string, value: string, ttlMs: number, now: number): string | undefined {
    const seen = local.get(key);
    if (seen && seen.until > now) return seen.value;
    local.delete(key);
    local.set(key, { value, until: now + ttlMs });
    for (const [oldKey, entry] of local) {
      if (local.size <= capacity && entry.until > now) break;
      local.delete(oldKey);
    }
    return undefined;
  }

  return {
    async sight(key, value, ttlMs) {
      const now = Date.now();
      const locally = sightLocally(key, value, ttlMs, now);
      if (locally !== undefined || !options.redis) return locally;
      try {
        const before = await options.redis.set(`${options.prefix}:seen:${key}`, value, "PX", ttlMs, "NX", "GET");
        return before ?? undefined;
      } catch (error) {
        // One line a minute at most: during an outage every request would say the same.
        if (now - warnedAt > 60_000) {
          warnedAt = now;
          options.log.warn({ err: error, component: "sightings" }, "Redis is not reachable: replays are checked in this process's memory only");
        }
        return undefined;
      }
    },
  };
}
