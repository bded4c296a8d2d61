import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { canonicalTimeZone, dailyCronPattern, digestDay, owedDigestRun, parseDigestTime } from "../../src/domain/time/digest-schedule.js";
import { createJobQueues, digestSchedulerId, QUEUES, type JobQueues } from "../../src/jobs/queues.js";
import { startWorkers } from "../../src/jobs/workers.js";
import { createLogger } from "../../src/logger.js";
import { TEST_REDIS_URL } from "../support/env.js";
import { deleteKeys } from "../support/redis.js";

const prefix = `test-digest-schedule-${process.pid}`;
const log = createLogger("silent");
let queues: JobQueues;
let digests: Queue;
let connection: Redis;

beforeAll(async () => {
  queues = createJobQueues({ redisUrl: TEST_REDIS_URL, prefix, log });
  expect(await queues.ready(5_000)).toBe(true);
  connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  digests = new Queue(QUEUES.digests, { connection, prefix });
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  await digests.close();
  await queues.close();
  connection.disconnect();
  await deleteKeys(prefix);
});

/** Where BullMQ planned a subscription's next run. */
async function nextRun(id: string): Promise<string | undefined> {
  const scheduler = await digests.getJobScheduler(digestSchedulerId(id));
  return scheduler?.next === undefined ? undefined : new Date(scheduler.next).toISOString();
}

describe("digest time and zone", () => {
  it("reads 24-hour times and IANA zones, and refuses the rest", () => {
    expect(parseDigestTime("08:30")).toEqual({ hour: 8, minute: 30 });
    expect(parseDigestTime("8:05")).toEqual({ hour: 8, minute: 5 });
    expect(parseDigestTime("7：45")).toEqual({ hour: 7, minute: 45 });
    expect(parseDigestTime("23.59")).toEqual({ hour: 23, minute: 59 });
    for (const bad of ["24:00", "8:60", "8", "830", "8:5", "08:30am", ""]) expect(parseDigestTime(bad)).toBeUndefined();
    expect(parseDigestTime("８：３０")).toEqual({ hour: 8, minute: 30 });
    expect(canonicalTimeZone("Asia/Shanghai")).toBe("Asia/Shanghai");
    expect(canonicalTimeZone("america/new_york")).toBe("America/New_York");
    expect(canonicalTimeZone("北京时间")).toBe("Asia/Shanghai");
    expect(canonicalTimeZone("Asia/Beijing")).toBe("Asia/Shanghai");
    expect(canonicalTimeZone("UTC")).toBe("UTC");
    // Abbreviations mean different places to different people; fixed offsets have no DST.
    for (const bad of ["Mars/Olympus", "+08:00", "08:30", "#sales", "CST", "EST", "Etc/GMT-8", "GMT"]) expect(canonicalTimeZone(bad)).toBeUndefined();
    expect(dailyCronPattern({ hour: 8, minute: 30 })).toBe("30 8 * * *");
  });

  it("reports on the local day before the run, whatever the zone", () => {
    // 00:30 UTC on the 8th is 08:30 on the 8th in Shanghai but 19:30 on the 7th in New York.
    const at = new Date("2026-03-08T00:30:00Z");
    expect(digestDay(at, "Asia/Shanghai")).toEqual({ runDate: "2026-03-08", day: "2026-03-07", from: new Date("2026-03-06T16:00:00Z"), to: new Date("2026-03-07T16:00:00Z") });
    // New York's 7 March is a 24-hour day of EST; 8 March (the DST change) has 23 hours.
    expect(digestDay(at, "America/New_York")).toEqual({ runDate: "2026-03-07", day: "2026-03-06", from: new Date("2026-03-06T05:00:00Z"), to: new Date("2026-03-07T05:00:00Z") });
    const afterChange = digestDay(new Date("2026-03-09T12:30:00Z"), "America/New_York");
    expect(afterChange.day).toBe("2026-03-08");
    expect(afterChange.to.getTime() - afterChange.from.getTime()).toBe(23 * 3_600_000);
  });
});

describe("a run the schedule missed", () => {
  const subscription = { localTime: "08:30", timezone: "Asia/Shanghai", updatedAt: new Date("2026-03-01T00:00:00Z") };
  it("is owed from its time for six hours, and only if the subscription existed then", () => {
    expect(owedDigestRun(subscription, new Date("2026-03-08T00:29:59Z"))).toBeUndefined();
    expect(owedDigestRun(subscription, new Date("2026-03-08T00:30:00Z"))).toEqual(new Date("2026-03-08T00:30:00Z"));
    expect(owedDigestRun(subscription, new Date("2026-03-08T06:29:59Z"))).toEqual(new Date("2026-03-08T00:30:00Z"));
    expect(owedDigestRun(subscription, new Date("2026-03-08T06:30:00Z"))).toBeUndefined();
    expect(owedDigestRun({ ...subscription, updatedAt: new Date("2026-03-08T01:00:00Z") }, new Date("2026-03-08T02:00:00Z"))).toBeUndefined();
  });
});

describe("one BullMQ job scheduler per subscription, at local time", () => {
  it("plans 08:30 in Shanghai and New York, with New York moving an hour in UTC across the DST change", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-03-06T14:00:00Z"));
    const newYork = randomUUID();
    const shanghai = randomUUID();
    const CHANGED = new Date("2026-03-06T13:00:00Z");
    await queues.scheduleDigest({ id: newYork, localTime: "08:30", timezone: "America/New_York", updatedAt: CHANGED });
    await queues.scheduleDigest({ id: shanghai, localTime: "08:30", timezone: "Asia/Shanghai", updatedAt: CHANGED });
    expect(await nextRun(newYork)).toBe("2026-03-07T13:30:00.000Z"); // EST, UTC-5
    expect(await nextRun(shanghai)).toBe("2026-03-07T00:30:00.000Z");
    const scheduler = await digests.getJobScheduler(digestSchedulerId(newYork));
    expect(scheduler).toMatchObject({ pattern: "30 8 * * *", tz: "America/New_York" });

    // Scheduling the same subscription again keeps the one schedule.
    await queues.scheduleDigest({ id: newYork, localTime: "08:30", timezone: "America/New_York", updatedAt: CHANGED });
    const ours = (await digests.getJobSchedulers()).filter((s) => s.key === digestSchedulerId(newYork));
    expect(ours).toHaveLength(1);

    // The reconcile pass keeps exactly the listed schedules: a lost one comes back, an orphan goes.
    const orphan = randomUUID();
    await queues.scheduleDigest({ id: orphan, localTime: "10:00", timezone: "Asia/Shanghai", updatedAt: CHANGED });
    await digests.removeJobScheduler(digestSchedulerId(shanghai));
    await queues.keepDigests([{ id: newYork, localTime: "08:30", timezone: "America/New_York", updatedAt: CHANGED }, { id: shanghai, localTime: "08:30", timezone: "Asia/Shanghai", updatedAt: CHANGED }]);
    expect(await digests.getJobScheduler(digestSchedulerId(orphan))).toBeUndefined();
    expect(await nextRun(shanghai)).toBe("2026-03-07T00:30:00.000Z");

    // Moving it re-plans it; a sweep that read the subscription before the move (an older
    // change) does not put the old time back; cancelling removes it.
    const moved = new Date(CHANGED.getTime() + 60_000);
    await queues.scheduleDigest({ id: shanghai, localTime: "09:15", timezone: "Asia/Shanghai", updatedAt: moved });
    expect(await nextRun(shanghai)).toBe("2026-03-07T01:15:00.000Z");
    await queues.keepDigests([{ id: shanghai, localTime: "08:30", timezone: "Asia/Shanghai", updatedAt: CHANGED }, { id: newYork, localTime: "08:30", timezone: "America/New_York", updatedAt: CHANGED }]);
    expect(await digests.getJobScheduler(digestSchedulerId(shanghai))).toMatchObject({ pattern: "15 9 * * *", tz: "Asia/Shanghai" });
    expect(await nextRun(shanghai)).toBe("2026-03-07T01:15:00.000Z");
    await queues.cancelDigest(shanghai);
    expect(await digests.getJobScheduler(digestSchedulerId(shanghai))).toBeUndefined();
    await queues.cancelDigest(newYork);
  });

  it("fires each run once at its local time across the DST change, with two workers competing", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-03-06T14:00:00Z"));
    const newYork = randomUUID();
    const shanghai = randomUUID();
    const fired: { id: string; at: string }[] = [];
    const handlers = {
      fireReminder: async () => undefined,
      deliverOutbox: async () => undefined,
      surveyTimer: async () => undefined,
      surveyCheck: async () => undefined,
      sweep: async () => undefined,
      planNudges: async () => undefined,
      digest: async (id: string, at: Date) => void fired.push({ id, at: at.toISOString() }),
    } as unknown as Parameters<typeof startWorkers>[0]["handlers"];
    const workers = [1, 2].map(() => startWorkers({ redisUrl: TEST_REDIS_URL, prefix, log, handlers, sweepEveryMs: 3_600_000 }));
    await Promise.all(workers.map((w) => w.started));
    try {
      await queues.scheduleDigest({ id: newYork, localTime: "08:30", timezone: "America/New_York", updatedAt: new Date(0) });
      await queues.scheduleDigest({ id: shanghai, localTime: "08:30", timezone: "Asia/Shanghai", updatedAt: new Date(0) });
      const runsOf = (id: string) => fired.filter((f) => f.id === id).map((f) => f.at);
      // Step the clock to just after each planned run and let the workers take it.
      const steps = ["2026-03-07T00:30:01Z", "2026-03-07T13:30:01Z", "2026-03-08T00:30:01Z", "2026-03-08T12:30:01Z", "2026-03-09T00:30:01Z"];
      for (const [i, step] of steps.entries()) {
        vi.setSystemTime(new Date(step));
        // Wake the workers: a new delayed job is only looked at when its marker fires.
        await digests.add("nudge", {}, { delay: 0, removeOnComplete: true, removeOnFail: true, jobId: `nudge-${i}` }).catch(() => undefined);
        await vi.waitFor(() => expect(fired.length).toBeGreaterThanOrEqual(i + 1), { timeout: 10_000, interval: 50 });
      }
      expect(runsOf(shanghai)).toEqual(["2026-03-07T00:30:00.000Z", "2026-03-08T00:30:00.000Z", "2026-03-09T00:30:00.000Z"]);
      // 08:30 EST on the 7th, then 08:30 EDT on the 8th, the day the clocks went forward.
      expect(runsOf(newYork)).toEqual(["2026-03-07T13:30:00.000Z", "2026-03-08T12:30:00.000Z"]);
      expect(await nextRun(newYork)).toBe("2026-03-09T12:30:00.000Z");
    } finally {
      await queues.cancelDigest(newYork);
      await queues.cancelDigest(shanghai);
      await Promise.all(workers.map((w) => w.close()));
    }
  });
});
