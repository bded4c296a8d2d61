import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRateLimiter } from "../../src/jobs/rate-limiter.js";
import { createRedis } from "../../src/jobs/redis.js";
import { deliverOutbox } from "../../src/services/delivery/deliver-outbox.js";
import { DeliveryError } from "../../src/domain/errors.js";
import { INTERRUPTED, UNCERTAIN } from "../../src/store/index.js";
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

describe("a send that got no answer", () => {
  const fresh = async () =>
    (await db.store.outbox.enqueue({ platform: "wechat", destination: "oRetakeCustomer00000000002", payload: { type: "test" }, dedupeKey: `retake:${randomUUID()}`, at: new Date() })).id;
  const due = (id: string) => db.sql.query("UPDATE outbox SET next_attempt_at = now() - interval '1 second' WHERE id = $1", [id]);
  const lastError = async (id: string) => (await db.sql.query<{ last_error: string | null }>("SELECT last_error FROM outbox WHERE id = $1", [id])).rows[0]!.last_error;

  it("is asked about at the next attempt, and not sent again when it arrived", async () => {
    const id = await fresh();
    const deps = testServiceDeps(db.store);
    const io = (deliverer: { deliver: () => Promise<{ externalId: string }>; findDelivered: () => Promise<{ externalId: string } | undefined> }) => ({ deliverer, rateLimiter: createRateLimiter(redis, prefix) });
    const calls: string[] = [];
    const timedOut = io({
      deliver: async () => {
        calls.push("deliver");
        throw new DeliveryError("temporary", "timeout of 10000ms exceeded", undefined, undefined, "destination", true);
      },
      findDelivered: async () => undefined,
    });
    expect(await deliverOutbox(deps, timedOut, id)).toBe("retry");
    expect(await lastError(id)).toBe(`${UNCERTAIN}timeout of 10000ms exceeded`);

    // The next attempt cannot ask (the history call fails for a reason of its own): still unknown.
    await due(id);
    const cannotAsk = io({
      deliver: async () => {
        calls.push("deliver");
        return { externalId: "never" };
      },
      findDelivered: async () => {
        calls.push("findDelivered");
        throw new DeliveryError("temporary", "HTTP 500");
      },
    });
    expect(await deliverOutbox(deps, cannotAsk, id)).toBe("retry");
    expect(await lastError(id)).toBe(`${UNCERTAIN}HTTP 500`);

    await due(id);
    const arrived = platform("1700000000.000200");
    expect(await deliverOutbox(deps, io(arrived.deliverer), id)).toBe("sent");
    expect(calls).toEqual(["deliver", "findDelivered"]);
    expect(arrived.calls).toEqual(["findDelivered"]);
    expect(await row(id)).toMatchObject({ status: "SENT", external_id: "1700000000.000200" });
  });

  it("is a plain failure once asked and refused, and a plain refusal never makes the next attempt ask", async () => {
    const id = await fresh();
    const deps = testServiceDeps(db.store);
    await db.sql.query("UPDATE outbox SET last_error = $2 WHERE id = $1", [id, `${UNCERTAIN}socket hang up`]);
    const refused = {
      deliver: async () => {
        throw new DeliveryError("temporary", "HTTP 503");
      },
      findDelivered: async () => undefined,
    };
    expect(await deliverOutbox(deps, { deliverer: refused, rateLimiter: createRateLimiter(redis, prefix) }, id)).toBe("retry");
    expect(await lastError(id)).toBe("HTTP 503");
    await due(id);
    const next = platform();
    expect(await deliverOutbox(deps, { deliverer: next.deliverer, rateLimiter: createRateLimiter(redis, prefix) }, id)).toBe("sent");
    expect(next.calls).toEqual(["deliver"]);
  });
});

describe("a row that asks first, on a busy Slack channel", () => {
  it("keeps the send slot it booked and goes in it, instead of booking another at every turn", async () => {
    const channel = `C0BUSY${randomBytes(3).toString("hex").toUpperCase()}`;
    const { id } = await db.store.outbox.enqueue({ platform: "slack", destination: channel, payload: { type: "test" }, dedupeKey: `retake:${randomUUID()}`, at: new Date() });
    await db.sql.query("UPDATE outbox SET last_error = $2 WHERE id = $1", [id, INTERRUPTED]);
    const limiter = createRateLimiter(redis, prefix);
    // Another post holds the channel's current slot.
    expect(await limiter.reserve(`slack:${channel}`, 1_000, "slack")).toBe(0);
    const deps = testServiceDeps(db.store);
    const p = platform();
    expect(await deliverOutbox(deps, { deliverer: p.deliverer, rateLimiter: limiter }, id, { token: "job:busy#0" })).toBe("postponed");
    const waiting = (await db.sql.query<{ last_error: string; due: string }>("SELECT last_error, (extract(epoch FROM next_attempt_at) * 1000)::bigint AS due FROM outbox WHERE id = $1", [id])).rows[0]!;
    expect(waiting.last_error).toBe(`${INTERRUPTED}\nwaiting for its send slot at ${waiting.due}`);
    // Its turn: it goes, asking Slack first; booking again, it would wait behind itself forever.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(waiting.due) - Date.now())));
    expect(await deliverOutbox(deps, { deliverer: p.deliverer, rateLimiter: limiter }, id, { token: "job:busy2#0" })).toBe("sent");
    expect(p.calls).toEqual(["findDelivered", "deliver"]);
  });
});
