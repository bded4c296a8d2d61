import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReplayGuard } from "../../adapters/wechat/replay-guard.js";
import { createSightings } from "../../src/jobs/first-sightings.js";
import { createRedis } from "../../src/jobs/redis.js";
import { createLogger } from "../../src/logger.js";
import { TEST_REDIS_URL } from "../support/env.js";
import { deleteKeys } from "../support/redis.js";

/**
 * The memory of signed requests already taken (Slack requests, WeChat pushes): shared through
 * the real Redis by every process of an install, and kept by each process for itself while Redis
 * does not answer (a Redis on a port where nothing listens).
 */
const log = createLogger("silent");
const prefix = `crmtest-seen-${randomBytes(4).toString("hex")}`;
const shared = createRedis(TEST_REDIS_URL);
const away = createRedis("redis://127.0.0.1:1");
beforeAll(async () => {
  if (shared.status !== "ready") await new Promise((resolve) => shared.once("ready", resolve));
});
afterAll(async () => {
  await deleteKeys(prefix);
  shared.disconnect();
  away.disconnect();
});

const push = { timestamp: "1700000000", nonce: "1", signature: "abc", signed: "<xml>one</xml>" };

describe("first sightings", () => {
  it("are shared by two processes through Redis: the second sees the first's value", async () => {
    const one = createSightings({ redis: shared, prefix, log });
    const two = createSightings({ redis: shared, prefix, log });
    expect(await one.sight("k1", "digest-a", 60_000)).toBeUndefined();
    expect(await two.sight("k1", "digest-b", 60_000)).toBe("digest-a");
    expect(await two.sight("k2", "digest-b", 60_000)).toBeUndefined();
  });

  it("tell a WeChat retry (same body) from a forged body under a captured query string, across processes", async () => {
    const first = createReplayGuard({ sightings: createSightings({ redis: shared, prefix, log }) });
    const second = createReplayGuard({ sightings: createSightings({ redis: shared, prefix, log }) });
    expect(await first.check(push)).toBe("first");
    expect(await second.check(push)).toBe("repeat");
    expect(await second.check({ ...push, signed: "<xml>injected</xml>" })).toBe("forged");
    expect(await first.check({ ...push, nonce: "2", signed: "<xml>two</xml>" })).toBe("first");
  });

  it("fall back to the process's own memory while Redis does not answer, still refusing a forged body", async () => {
    const guard = createReplayGuard({ sightings: createSightings({ redis: away, prefix, log }) });
    expect(await guard.check(push)).toBe("first");
    expect(await guard.check(push)).toBe("repeat");
    expect(await guard.check({ ...push, signed: "<xml>other</xml>" })).toBe("forged");
  });

  it("forget the oldest keys beyond the process's capacity", async () => {
    const sightings = createSightings({ prefix, log, localCapacity: 2 });
    for (const key of ["a", "b", "c"]) expect(await sightings.sight(key, key, 60_000)).toBeUndefined();
    expect(await sightings.sight("a", "again", 60_000)).toBeUndefined();
    expect(await sightings.sight("c", "again", 60_000)).toBe("c");
  });
});
