import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeliveryError } from "../../src/domain/errors.js";
import { createRateLimiter } from "../../src/jobs/rate-limiter.js";
import { createRedis } from "../../src/jobs/redis.js";
import { deliverOutbox, type DeliveryOutcome } from "../../src/services/delivery/deliver-outbox.js";
import { testServiceDeps } from "../support/core.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { TEST_REDIS_URL } from "../support/env.js";
import { deleteKeys } from "../support/redis.js";

/**
 * Giving up is a matter of age, not of a count: a message a platform keeps answering with
 * temporary errors is retried (no attempt limit) until it is older than the give-up age, then
 * ends FAILED with the reason; a permanent refusal fails at once. Real Postgres and Redis (WeChat
 * rows: no per-channel send interval, so every attempt goes out at once).
 */
const prefix = `crmtest-giveup-${randomBytes(4).toString("hex")}`;
const redis = createRedis(TEST_REDIS_URL);
let db: TestDatabase;
let clock = new Date();

beforeAll(async () => {
  db = await createTestDatabase();
  if (redis.status !== "ready") await new Promise((resolve) => redis.once("ready", resolve));
});
afterAll(async () => {
  await deleteKeys(prefix);
  redis.disconnect();
  await db.drop();
});

const HOUR = 3_600_000;

async function attempt(id: string, error: DeliveryError): Promise<DeliveryOutcome> {
  const deps = testServiceDeps(db.store, { now: () => clock });
  const deliverer = { deliver: () => Promise.reject(error), findDelivered: async () => undefined };
  return deliverOutbox(deps, { deliverer, rateLimiter: createRateLimiter(redis, prefix), giveUpAfterMs: 24 * HOUR }, id);
}

/** Makes the row due at the clock's time, as its next job would find it. */
const due = (id: string) => db.sql.query("UPDATE outbox SET next_attempt_at = $2 WHERE id = $1", [id, clock]);

describe("the outbox gives up by age", () => {
  it("retries a temporary error far beyond any attempt count while the message is young, and fails it once older than the give-up age", async () => {
    clock = new Date();
    const { id } = await db.store.outbox.enqueue({ platform: "wechat", destination: "oGiveUpCustomer000000000000", payload: { type: "test" }, dedupeKey: `giveup:${id0()}`, at: clock });
    for (let i = 0; i < 12; i++) {
      await due(id);
      expect(await attempt(id, new DeliveryError("temporary", "internal_error"))).toBe("retry");
    }
    const young = await db.sql.query<{ status: string; attempts: number }>("SELECT status, attempts FROM outbox WHERE id = $1", [id]);
    expect(young.rows[0]).toEqual({ status: "PENDING", attempts: 12 });

    clock = new Date(Date.now() + 24 * HOUR + 60_000);
    await due(id);
    expect(await attempt(id, new DeliveryError("temporary", "internal_error"))).toBe("failed");
    const old = await db.sql.query<{ status: string; last_error: string }>("SELECT status, last_error FROM outbox WHERE id = $1", [id]);
    expect(old.rows[0]!.status).toBe("FAILED");
    expect(old.rows[0]!.last_error).toBe("gave up after 24 h (13 attempts): internal_error");
  });

  it("fails a permanent refusal at once, however young", async () => {
    clock = new Date();
    const { id } = await db.store.outbox.enqueue({ platform: "wechat", destination: "oGiveUpCustomer000000000001", payload: { type: "test" }, dedupeKey: `giveup:${id0()}`, at: clock });
    expect(await attempt(id, new DeliveryError("permanent", "channel_not_found"))).toBe("failed");
    const row = await db.sql.query<{ status: string; last_error: string }>("SELECT status, last_error FROM outbox WHERE id = $1", [id]);
    expect(row.rows[0]).toEqual({ status: "FAILED", last_error: "channel_not_found" });
  });
});

describe("a rate limit holds back what it covers", () => {
  /** Tries each row once with a sender that refuses the first send as `error`, and counts the sends. */
  async function burst(platform: "wechat" | "slack", destinations: string[], error: DeliveryError): Promise<{ outcomes: DeliveryOutcome[]; sends: string[] }> {
    clock = new Date();
    const sends: string[] = [];
    const limiter = createRateLimiter(redis, `${prefix}-${id0()}`);
    const deliverer = {
      deliver: async (m: { destination: string }) => {
        sends.push(m.destination);
        if (sends.length === 1) throw error;
        return { externalId: undefined };
      },
      findDelivered: async () => undefined,
    };
    const outcomes: DeliveryOutcome[] = [];
    for (const destination of destinations) {
      const { id } = await db.store.outbox.enqueue({ platform, destination, payload: { type: "test" }, dedupeKey: `scope:${id0()}`, at: clock });
      outcomes.push(await deliverOutbox(testServiceDeps(db.store, { now: () => clock }), { deliverer, rateLimiter: limiter, giveUpAfterMs: 24 * HOUR }, id));
    }
    return { outcomes, sends };
  }

  it("an account-wide quota (WeChat 45011) makes every recipient wait, without a send or an attempt", async () => {
    const { outcomes, sends } = await burst("wechat", ["oScopeA00000000000000000000", "oScopeB00000000000000000000", "oScopeC00000000000000000000"], new DeliveryError("rate-limited", "errcode 45011 (minute quota)", 60_000, undefined, "platform"));
    expect(sends).toEqual(["oScopeA00000000000000000000"]);
    expect(outcomes).toEqual(["postponed", "postponed", "postponed"]);
  });

  it("a channel's limit makes only that channel wait", async () => {
    const { outcomes, sends } = await burst("wechat", ["oScopeD00000000000000000000", "oScopeD00000000000000000000", "oScopeE00000000000000000000"], new DeliveryError("rate-limited", "ratelimited", 60_000));
    expect(sends).toEqual(["oScopeD00000000000000000000", "oScopeE00000000000000000000"]);
    expect(outcomes).toEqual(["postponed", "postponed", "sent"]);
  });
});

let n = 0;
const id0 = () => `${Date.now()}-${++n}`;
