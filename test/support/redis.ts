import { Redis } from "ioredis";
import { TEST_REDIS_URL } from "./env.js";

/**
 * Deletes every key under a prefix: cleans up after a test file, and stands in for "Redis lost
 * everything" without touching other test files that share the server (FLUSHALL would).
 */
export async function deleteKeys(prefix: string): Promise<number> {
  const redis = new Redis(TEST_REDIS_URL);
  let deleted = 0;
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
  return deleted;
}
