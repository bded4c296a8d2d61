import type { RedisClient } from "./redis.js";
import type { RateLimiter } from "../services/ports.js";

/**
 * Books send slots per destination in Redis, shared by every worker process: each call takes
 * the next free slot (at least `interval` after the previous one, and not before a pause the
 * platform asked for) and returns how long to wait for it. BullMQ's own limiter is per queue;
 * Slack's limit is per channel. KEYS: the destination's next free slot, its pause; ARGV: the
 * interval (0: book nothing, only say how long a pause lasts), the earliest start (a pause of
 * the whole platform, read separately: its key hashes to another Redis Cluster slot).
 */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local slot = math.max(now, tonumber(ARGV[2]), tonumber(redis.call('GET', KEYS[2]) or '0'))
if interval > 0 then
  slot = math.max(slot, tonumber(redis.call('GET', KEYS[1]) or '0'))
  redis.call('SET', KEYS[1], slot + interval, 'PX', slot + interval - now + 1000)
end
return slot - now
`;

/** Extends a pause to `ARGV[1]` ms from now; never shortens a longer one. */
const PAUSE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
if untilMs > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], untilMs, 'PX', tonumber(ARGV[1]) + 1000)
end
return untilMs
`;

export function createRateLimiter(redis: RedisClient, prefix: string): RateLimiter {
  const slotKey = (key: string) => `${prefix}:rate:{${key}}`;
  const pauseKey = (key: string) => `${prefix}:rate:{${key}}:paused`;
  return {
    async reserve(key, intervalMs, scope) {
      const scopeUntil = scope ? Number((await redis.get(pauseKey(scope))) ?? 0) : 0;
      const wait = await redis.eval(RESERVE, 2, slotKey(key), pauseKey(key), String(intervalMs), String(scopeUntil));
      return Number(wait);
    },
    async pause(key, ms) {
      await redis.eval(PAUSE, 1, pauseKey(key), String(Math.max(1, Math.ceil(ms))));
    },
  };
}
