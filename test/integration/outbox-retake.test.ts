import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRateLimiter } from "../../src/jobs/rate-limiter.js";
import { createRedis } from "../../src/jobs/redis.js";
import { deliverOutbox } from "../../src/services/delivery/deliver-outbox.js";
import { INTERRUPTED } from "../../src/store/index.js";
import { testServiceDeps } from "../support/core.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { TEST_REDIS_URL } from "../support/env.js";
import { deleteKeys } from "../support/redis.js";

/**
 * A delivery attempt that breaks between claiming its row and settling it (Postgres restarted
 * under it) leaves the row SENDING. The next attempt of the same job (or the delivery job a
 * reminder's broken send hands over to) takes it back at once, asking the platform first whether
 * the message arrived; any other job, and the same attempt run again (BullMQ thought it stalled),
 * leave it for the stale-row release. Real Postgres and Redis.
 */
const prefix = `crmtest-retake-${randomBytes(4).toString("hex")}`;
const redis = createRedis(TEST_REDIS_URL);
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  if (redis.status !== "ready") await new Promise((resolve) => redis.once("ready", resolve));
});
afterAll(async () => {
  await deleteKeys(prefix);
  redis.disconnect();
  await db.drop();
});

/** A WeChat row (no per-channel send interval), claimed by `token` and left SENDING as a broken attempt leaves it. */
async function brokenAttempt(token: string): Promise<string> {
  const { id } = await db.store.outbox.enqueue({ platform: "wechat", destination: "oRetakeCustomer00000000000", payload: { type: "test" }, dedupeKey: `retake:${randomUUID()}`, at: new Date() });
  expect(await db.store.outbox.claim(id, new Date(), false, { token })).not.toBeNull();
  return id;
}

function platform(found?: string) {
  const calls: string[] = [];
  return {
    calls,
    deliverer: {
      deliver: async () => {
        calls.push("deliver");
        return { externalId: "sent-now" };
      },
      findDelivered: async () => {
        calls.push("findDelivered");
        return found ? { externalId: found } : undefined;
      },
    },
  };
}

const row = async (id: string) =>
  (await db.sql.query<{ status: string; attempts: number; external_id: string | null; claim_token: string | null }>("SELECT status, attempts, external_id, claim_token FROM outbox WHERE id = $1", [id])).rows[0]!;

describe("taking back a row a broken attempt left SENDING", () => {
  it("leaves it alone for another job, and takes it back for the retry of the same job, asking first whether it arrived", async () => {
    const id = await brokenAttempt("job:first#0");
    const io = (p: ReturnType<typeof platform>) => ({ deliverer: p.deliverer, rateLimiter: createRateLimiter(redis, prefix) });
    const deps = testServiceDeps(db.store);

    const other = platform();
    expect(await deliverOutbox(deps, io(other), id, { token: "job:other#0", retake: ["job:other#0"] })).toBe("skipped");
    expect(await deliverOutbox(deps, io(other), id)).toBe("skipped");
    // The same attempt again (BullMQ thought it stalled): its first run may still be sending.
    expect(await deliverOutbox(deps, io(other), id, { token: "job:first#0" })).toBe("skipped");
    expect(other.calls).toEqual([]);
    expect(await row(id)).toMatchObject({ status: "SENDING", attempts: 1, claim_token: "job:first#0" });

    const retry = platform();
    expect(await deliverOutbox(deps, io(retry), id, { token: "job:first#1", retake: ["job:first#0"] })).toBe("sent");
    expect(retry.calls).toEqual(["findDelivered", "deliver"]);
    expect(await row(id)).toMatchObject({ status: "SENT", attempts: 2, external_id: "sent-now" });

    // Settled: a further retry finds nothing to take.
    expect(await deliverOutbox(deps, io(retry), id, { token: "job:first#2", retake: ["job:first#1"] })).toBe("skipped");
    expect(retry.calls).toHaveLength(2);
  });

  it("takes over a reminder's broken send for the delivery job it handed the row to, without sending what arrived", async () => {
    const id = await brokenAttempt("reminder:r1");
    const deps = testServiceDeps(db.store);
    const arrived = platform("1700000000.000100");
    expect(await deliverOutbox(deps, { deliverer: arrived.deliverer, rateLimiter: createRateLimiter(redis, prefix) }, id, { token: "job:delivery#0", retake: ["reminder:r1"] })).toBe("sent");
    expect(arrived.calls).toEqual(["findDelivered"]);
    expect(await row(id)).toMatchObject({ status: "SENT", external_id: "1700000000.000100", claim_token: "job:delivery#0" });
  });

  it("marks a row taken back as interrupted while it is being sent, and a normal claim keeps its last error", async () => {
    const id = await brokenAttempt("job:a#0");
    const taken = await db.store.outbox.claim(id, new Date(), false, { token: "job:a#1", retake: ["job:a#0"] });
    expect(taken?.lastError).toBe(INTERRUPTED);
    const { id: fresh } = await db.store.outbox.enqueue({ platform: "wechat", destination: "oRetakeCustomer00000000001", payload: { type: "test" }, dedupeKey: `retake:${randomUUID()}`, at: new Date() });
    expect((await db.store.outbox.claim(fresh, new Date(), false, { token: "job:b#0" }))?.lastError).toBeNull();
  });
});
