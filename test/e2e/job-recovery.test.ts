import { randomBytes } from "node:crypto";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { JOB, QUEUES } from "../../src/jobs/queues.js";
import { createServices } from "../../src/services/index.js";
import { startBot, useDatabaseAndSlack } from "../support/bot.js";
import { testServiceDeps } from "../support/core.js";
import { TEST_REDIS_URL } from "../support/env.js";
import { deleteKeys } from "../support/redis.js";
import { eventually, type FakeSlackApi } from "../fakes/fake-slack-api.js";

/** Messages the bot posted to a user's DM (chat.postMessage with the user id as channel). */
const dmsTo = (slack: FakeSlackApi, userId: string) => slack.callsTo("chat.postMessage").filter((c) => c.body.channel === userId);

/**
 * Faults of a dependency delay work, never lose it (issue 16): a job whose attempts ran out while
 * Postgres was away, and Redis losing its data (the sweep's own schedule included).
 */
describe("jobs come back after a dependency failed", () => {
  const fixture = useDatabaseAndSlack();

  async function remindIn(ms: number, text: string, userId: string) {
    const services = createServices(testServiceDeps(fixture.db.store));
    const rep = await services.registerRep({ platform: "slack", externalId: userId, displayName: userId });
    // Saved the way /remind saves it, but without a job: only the workers' own passes find it.
    return services.scheduleReminder(rep, { text, dueAt: new Date(Date.now() + ms), customerId: null });
  }

  /** Leaves a job of this id in BullMQ's failed set, the way 5 attempts against a stopped Postgres do. */
  async function failedJob(prefix: string, queueName: string, name: string, jobId: string, data: Record<string, string>): Promise<void> {
    const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(queueName, { connection, prefix });
    const worker = new Worker(queueName, async () => {
      throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
    }, { connection, prefix });
    try {
      await queue.add(name, data, { jobId, attempts: 1, removeOnFail: { age: 7 * 24 * 3600 } });
      await eventually(async () => (await queue.getJobState(jobId)) === "failed", 5_000);
    } finally {
      await worker.close();
      await queue.close();
      connection.disconnect();
    }
  }

  it("delivers a reminder and an outbox message whose jobs used up their attempts while Postgres was away", async () => {
    const prefix = `crmtest-${randomBytes(5).toString("hex")}`;
    const reminder = await remindIn(500, "after the outage", "U0PGDOWN");
    await failedJob(prefix, QUEUES.reminders, JOB.fireReminder, `reminder-${reminder.id}-${reminder.dueAt.getTime()}`, { reminderId: reminder.id });
    const services = createServices(testServiceDeps(fixture.db.store));
    await services.registerRep({ platform: "slack", externalId: "U0OUTBOX", displayName: "U0OUTBOX" });
    const at = new Date(Date.now() - 1_000);
    const { rows } = await fixture.db.sql.query<{ id: string }>(
      `INSERT INTO outbox (id, platform, destination, payload, dedupe_key, next_attempt_at, updated_at)
       VALUES (gen_random_uuid(), 'slack', 'U0OUTBOX', $1, $2, $3, now()) RETURNING id`,
      [JSON.stringify({ type: "reminder.due", reminderId: reminder.id }), `outage:${randomBytes(4).toString("hex")}`, at],
    );
    const outboxId = rows[0]!.id;
    await failedJob(prefix, QUEUES.outbox, JOB.deliver, `outbox-${outboxId}-${at.getTime()}`, { outboxId });

    // Postgres is back: the reconcile at start and the sweep find both rows still due.
    const bot = await startBot(fixture.db, fixture.slack, prefix, { role: "worker", sweepEveryMs: 500 });
    try {
      await eventually(() => dmsTo(fixture.slack, "U0PGDOWN").length > 0, 10_000);
      await eventually(async () => (await fixture.db.sql.query<{ status: string }>("SELECT status FROM outbox WHERE id = $1", [outboxId])).rows[0]?.status === "SENT", 10_000);
      expect((await fixture.db.sql.query("SELECT status FROM reminders WHERE id = $1", [reminder.id])).rows).toEqual([{ status: "FIRED" }]);
      expect(dmsTo(fixture.slack, "U0OUTBOX")).toHaveLength(1);
    } finally {
      await bot.stop();
      await deleteKeys(prefix);
    }
  });

  it("keeps sweeping after Redis lost every key, its own schedule included, and delivers what falls due", async () => {
    const prefix = `crmtest-${randomBytes(5).toString("hex")}`;
    const bot = await startBot(fixture.db, fixture.slack, prefix, { role: "worker", sweepEveryMs: 500 });
    const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const maintenance = new Queue(QUEUES.maintenance, { connection, prefix });
    try {
      await eventually(async () => (await maintenance.getJobScheduler("sweep")) !== undefined, 10_000);
      // FLUSHALL of only this bot's keys (the shared server holds other test files' jobs).
      expect(await deleteKeys(prefix)).toBeGreaterThan(0);
      // Saved after the loss, without a job: only a sweep running after it can find them.
      const first = await remindIn(300, "after the flush", "U0FLUSH1");
      const second = await remindIn(1_500, "after the flush, later", "U0FLUSH2");
      await eventually(() => dmsTo(fixture.slack, "U0FLUSH1").length > 0 && dmsTo(fixture.slack, "U0FLUSH2").length > 0, 15_000);
      const { rows } = await fixture.db.sql.query("SELECT status FROM reminders WHERE id = ANY($1::uuid[]) ORDER BY status", [[first.id, second.id]]);
      expect(rows).toEqual([{ status: "FIRED" }, { status: "FIRED" }]);
      expect(await maintenance.getJobScheduler("sweep")).toBeDefined();
      expect(await maintenance.getJobScheduler("stage-scan")).toBeDefined();
    } finally {
      await maintenance.close();
      connection.disconnect();
      await bot.stop();
      await deleteKeys(prefix);
    }
  });
});

describe("a rate limit is not a failure", () => {
  const fixture = useDatabaseAndSlack();

  it("pauses the channel for Slack's Retry-After: nothing is sent to it meanwhile, no attempt is used, all arrive after", async () => {
    const prefix = `crmtest-${randomBytes(5).toString("hex")}`;
    const channel = "C0LIMITED";
    fixture.slack.overrides.set("chat.postMessage", [{ status: 429, headers: { "retry-after": "3" }, body: { ok: false, error: "ratelimited" }, when: (args) => args.channel === channel }]);
    const services = createServices(testServiceDeps(fixture.db.store));
    const rep = await services.registerRep({ platform: "slack", externalId: "U0PAUSE", displayName: "U0PAUSE" });
    const reminder = await services.scheduleReminder(rep, { text: "rate limited channel", dueAt: new Date(Date.now() + 60_000), customerId: null });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { rows } = await fixture.db.sql.query<{ id: string }>(
        `INSERT INTO outbox (id, platform, destination, payload, dedupe_key, next_attempt_at, updated_at)
         VALUES (gen_random_uuid(), 'slack', $1, $2, $3, now(), now()) RETURNING id`,
        [channel, JSON.stringify({ type: "reminder.due", reminderId: reminder.id }), `limited:${prefix}:${i}`],
      );
      ids.push(rows[0]!.id);
    }
    const toChannel = () => fixture.slack.callsTo("chat.postMessage").filter((c) => c.body.channel === channel);
    const bot = await startBot(fixture.db, fixture.slack, prefix, { role: "worker" });
    try {
      await eventually(async () => {
        const { rows } = await fixture.db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE id = ANY($1::uuid[]) AND status = 'SENT'", [ids]);
        return rows[0]!.n === ids.length;
      }, 20_000);
      const calls = toChannel();
      // The refused one, then one per message once the pause is over (one per second, Slack's pace).
      expect(calls).toHaveLength(ids.length + 1);
      const refusedAt = calls[0]!.at;
      for (const later of calls.slice(1)) expect(later.at - refusedAt).toBeGreaterThanOrEqual(2_900);
      const { rows } = await fixture.db.sql.query("SELECT status, attempts FROM outbox WHERE id = ANY($1::uuid[])", [ids]);
      expect(rows).toEqual(ids.map(() => ({ status: "SENT", attempts: 1 })));
    } finally {
      await bot.stop();
      await deleteKeys(prefix);
    }
  });
});
