import type { Redis } from "ioredis";
import type { RateLimiter } from "../services/ports.js";

/**
 * Books send slots per destination in Redis, shared by every worker process: each call takes
 * the next free slot (at least `interval` after the previous one) and returns how long to
 * wait for it. BullMQ's own limiter is per queue; Slack's limit is per channel.
 */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local nextFree = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, nextFree)
redis.call('SET', KEYS[1], slot + interval, 'PX', slot + interval - now + 1000)
return slot - now
`;

export function createRateLimiter(redis: Redis, prefix: string): RateLimiter {
  return {
    async reserve(key, intervalMs) {
      const wait = await redis.eval(RESERVE, 1, `${prefix}:rate:{${key}}`, String(intervalMs));
      return Number(wait);
    },
  };
}
