import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeliveryError } from "../../src/domain/errors.js";
import { createRateLimiter } from "../../src/jobs/rate-limiter.js";
import { createRedis } from "../../src/jobs/redis.js";
import { deliverOutbox, type DeliveryIo } from "../../src/services/delivery/deliver-outbox.js";
import { fireReminder } from "../../src/services/reminders/fire-reminder.js";
import { closePrisma, createPrisma, createStore, type Store } from "../../src/store/index.js";
import { recordingScheduler, testServiceDeps } from "../support/core.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { TEST_REDIS_URL } from "../support/env.js";
import { deleteKeys } from "../support/redis.js";
import { testCipher } from "../support/sealed.js";

/**
 * A reminder's job claims the row, writes its DM to the outbox and sends it in the same job
 * (no delivery job in between). The outbox row is what keeps the send single: two workers firing
 * the same reminders at once (each with its own pool, as two processes would) send each DM once;
 * a send that fails for now is retried from the row, and a retried fire job sends nothing more.
 * Real Postgres and Redis; the platform is a recording deliverer.
 */
const prefix = `crmtest-remfire-${randomBytes(4).toString("hex")}`;
const redis = createRedis(TEST_REDIS_URL);
let db: TestDatabase;
let second: { store: Store; close: () => Promise<void> };
const clock = new Date("2026-12-07T10:00:00Z");

beforeAll(async () => {
  db = await createTestDatabase();
  const prisma = createPrisma({ url: db.url, poolMax: 5 });
  second = { store: createStore(prisma, { cipher: testCipher() }), close: () => closePrisma(prisma) };
  if (redis.status !== "ready") await new Promise((resolve) => redis.once("ready", resolve));
});
afterAll(async () => {
  await second.close();
  await deleteKeys(prefix);
  redis.disconnect();
  await db.drop();
});

/** `n` reps (one Slack DM channel each) with one reminder due a minute before the clock. */
async function dueReminders(n: number, tag: string): Promise<{ id: string; channel: string }[]> {
  const { rows } = await db.sql.query<{ id: string; channel: string }>(
    `WITH reps AS (
       INSERT INTO users (id, platform, external_id, display_name, locale, timezone, updated_at)
       SELECT gen_random_uuid(), 'slack', $1 || g, 'Rep ' || g, 'en-US', 'Asia/Shanghai', now() FROM generate_series(1, $2::int) g
       RETURNING id, external_id)
     , rems AS (
       INSERT INTO reminders (id, user_id, text, due_at, updated_at)
       SELECT gen_random_uuid(), r.id, 'call back', $3::timestamptz - interval '1 minute', now() FROM reps r
       RETURNING id, user_id)
     SELECT rems.id, reps.external_id AS channel FROM rems JOIN reps ON reps.id = rems.user_id`,
    [`U${tag}`, n, clock],
  );
  return rows;
}

function recordingDeliverer(fail: (destination: string, attempt: number) => DeliveryError | undefined = () => undefined) {
  const sends: string[] = [];
  const attempts = new Map<string, number>();
  return {
    sends,
    io: (limiterPrefix: string): DeliveryIo => ({
      deliverer: {
        deliver: async (m: { destination: string }) => {
          const attempt = (attempts.get(m.destination) ?? 0) + 1;
          attempts.set(m.destination, attempt);
          // Long enough that two workers' attempts overlap.
          await new Promise((resolve) => setTimeout(resolve, 5));
          const error = fail(m.destination, attempt);
          if (error) throw error;
          sends.push(m.destination);
          return { externalId: `ts-${m.destination}` };
        },
        findDelivered: async () => undefined,
      },
      rateLimiter: createRateLimiter(redis, limiterPrefix),
    }),
  };
}

const outboxOf = async (reminderIds: string[]) =>
  (await db.sql.query<{ status: string; n: number }>(
    "SELECT status::text, count(*)::int AS n FROM outbox WHERE payload->>'reminderId' = ANY($1::text[]) GROUP BY 1",
    [reminderIds],
  )).rows;

describe("a reminder fires and sends in one job", () => {
  it("sends each DM once when two workers fire the same reminders at the same time", async () => {
    const reminders = await dueReminders(30, "TWO");
    const platform = recordingDeliverer();
    const limiter = `${prefix}-two`;
    const workers = [db.store, second.store].map((store) => {
      const deps = testServiceDeps(store, { now: () => clock });
      const io = platform.io(limiter);
      return (id: string) => fireReminder(deps, id, (outboxId) => deliverOutbox(deps, io, outboxId));
    });
    // Both workers get every job (a duplicated job, a stalled one handed to a second worker).
    const results = await Promise.all(reminders.flatMap((r) => workers.map((fire) => fire(r.id))));

    expect(results.filter((r) => r.fired)).toHaveLength(30);
    expect(platform.sends.sort()).toEqual(reminders.map((r) => r.channel).sort());
    expect(await outboxOf(reminders.map((r) => r.id))).toEqual([{ status: "SENT", n: 30 }]);
    const fired = await db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM reminders WHERE id = ANY($1::uuid[]) AND status = 'FIRED'", [reminders.map((r) => r.id)]);
    expect(fired.rows[0]!.n).toBe(30);

    // A delivery job for the same rows (the reconcile pass found them pending a moment ago) sends nothing.
    const deps = testServiceDeps(second.store, { now: () => clock });
    const outboxIds = results.flatMap((r) => (r.outboxId ? [r.outboxId] : []));
    const again = await Promise.all(outboxIds.map((id) => deliverOutbox(deps, platform.io(limiter), id)));
    expect(again).toEqual(Array(30).fill("skipped"));
    expect(platform.sends).toHaveLength(30);
  });

  it("keeps a DM whose send fails for now, sends it on the retry, and a retried fire job sends nothing more", async () => {
    const [reminder] = await dueReminders(1, "TMP");
    const platform = recordingDeliverer((_, attempt) => (attempt === 1 ? new DeliveryError("temporary", "service_unavailable") : undefined));
    const jobs = recordingScheduler();
    let now = clock;
    const deps = testServiceDeps(db.store, { now: () => now, jobs });
    const io = platform.io(`${prefix}-tmp`);
    const outcomes: string[] = [];
    const fire = () => fireReminder(deps, reminder!.id, async (outboxId) => outcomes.push(await deliverOutbox(deps, io, outboxId)));

    const first = await fire();
    expect(first.fired).toBe(true);
    expect(outcomes).toEqual(["retry"]);
    expect(platform.sends).toEqual([]);
    // The failed attempt left the row pending with a delivery job for its retry.
    expect(await outboxOf([reminder!.id])).toEqual([{ status: "PENDING", n: 1 }]);
    expect(jobs.deliveries.map((d) => d.id)).toEqual([first.outboxId]);
    const retryAt = jobs.deliveries[0]!.at;
    expect(retryAt.getTime()).toBeGreaterThan(now.getTime());

    // The fire job runs again (BullMQ retried it): the reminder is taken, nothing is sent.
    expect(await fire()).toEqual({ fired: false });
    expect(platform.sends).toEqual([]);

    // Slack's one-message-per-second slot for the DM channel is kept in Redis, on the real clock.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    now = new Date(retryAt.getTime() + 10);
    expect(await deliverOutbox(deps, io, first.outboxId!)).toBe("sent");
    expect(platform.sends).toEqual([reminder!.channel]);
    expect(await outboxOf([reminder!.id])).toEqual([{ status: "SENT", n: 1 }]);
  });

  it("hands the DM to a delivery job when sending breaks outright, and the job's error is seen", async () => {
    const [reminder] = await dueReminders(1, "BRK");
    const jobs = recordingScheduler();
    const deps = testServiceDeps(db.store, { now: () => clock, jobs });
    await expect(fireReminder(deps, reminder!.id, () => Promise.reject(new Error("connection terminated")))).rejects.toThrow("connection terminated");
    const outbox = await db.sql.query<{ id: string; status: string }>("SELECT id, status::text FROM outbox WHERE payload->>'reminderId' = $1", [reminder!.id]);
    expect(outbox.rows).toHaveLength(1);
    expect(outbox.rows[0]!.status).toBe("PENDING");
    expect(jobs.deliveries.map((d) => d.id)).toEqual([outbox.rows[0]!.id]);
  });

  it("without a sender in the job, schedules the delivery as before", async () => {
    const [reminder] = await dueReminders(1, "OLD");
    const jobs = recordingScheduler();
    const fired = await fireReminder(testServiceDeps(db.store, { now: () => clock, jobs }), reminder!.id);
    expect(fired.fired).toBe(true);
    expect(jobs.deliveries).toEqual([{ id: fired.outboxId, at: clock }]);
  });
});
