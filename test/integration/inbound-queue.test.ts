import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJobQueues, type JobQueues } from "../../src/jobs/queues.js";
import { startWorkers, type RunningWorkers } from "../../src/jobs/workers.js";
import { createLogger } from "../../src/logger.js";
import { acceptCustomerMessage, processInbound } from "../../src/services/inbox/inbound-queue.js";
import type { ServiceDeps } from "../../src/services/deps.js";
import { FakeSlackApi } from "../fakes/fake-slack-api.js";
import { startBot } from "../support/bot.js";
import { recordingScheduler, testServiceDeps } from "../support/core.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { TEST_REDIS_URL } from "../support/env.js";
import { waitForInbound } from "../support/inbound.js";
import { deleteKeys } from "../support/redis.js";
import { pushToWechat } from "../support/wechat-push.js";

const log = createLogger("silent");
const AT = new Date("2026-11-20T04:00:00Z");
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  // What the worker records, in the order it records it, and a way to make recording fail: a
  // trigger in Postgres (the code under test is not touched).
  await db.sql.query(`
    CREATE TABLE test_recorded (n bigserial PRIMARY KEY, body text NOT NULL);
    CREATE TABLE test_fail (body text PRIMARY KEY);
    CREATE FUNCTION test_watch_interactions() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM test_fail WHERE body = NEW.body) THEN RAISE EXCEPTION 'recording fails for this test'; END IF;
      INSERT INTO test_recorded (body) VALUES (NEW.body);
      RETURN NEW;
    END $$;
    CREATE TRIGGER test_watch BEFORE INSERT ON interactions FOR EACH ROW EXECUTE FUNCTION test_watch_interactions();`);
});
afterAll(async () => {
  await db.drop();
});

/** Deps whose job system takes inbound rows (and remembers them) without running them. */
function queuedDeps(): ServiceDeps & { rows: { id: string; senderHash: string }[] } {
  const rows: { id: string; senderHash: string }[] = [];
  const jobs = { ...recordingScheduler(), scheduleInbound: async (r: readonly { id: string; senderHash: string }[]) => void rows.push(...r) };
  return Object.assign(testServiceDeps(db.store, { jobs, now: () => AT }), { rows });
}

const message = (sender: string, id: string, body: string, at = AT) => ({ platform: "wechat", senderId: sender, id, at, kind: "text", body });

async function interactionsOf(id: string): Promise<number> {
  return (await db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM interactions WHERE source_id = $1", [id])).rows[0]!.n;
}
async function waiting(): Promise<number> {
  return (await db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM inbound_messages")).rows[0]!.n;
}

describe("customer messages: taken in one write, recorded by a worker", () => {
  it("stores one waiting row per MsgId however often it is delivered, and records one interaction", async () => {
    const deps = queuedDeps();
    const m = message("oInboundIdem0000000000001", "7100000000000000001", "hello once");
    expect(await acceptCustomerMessage(deps, m)).toEqual({ recorded: true, newLead: false });
    // WeChat's retries while the first delivery waits: nothing more stored, nothing more enqueued.
    expect(await acceptCustomerMessage(deps, m)).toEqual({ recorded: false, newLead: false });
    expect(await acceptCustomerMessage(deps, m)).toEqual({ recorded: false, newLead: false });
    expect(deps.rows).toHaveLength(1);
    // At rest the row holds no openid, MsgId or text in clear.
    const { rows } = await db.sql.query<{ all: string }>("SELECT concat_ws(' ', platform, message_key, sender_hash, payload_enc) AS all FROM inbound_messages");
    expect(rows[0]!.all).not.toMatch(/oInboundIdem|7100000000000000001|hello once/);
    expect(await interactionsOf(m.id)).toBe(0);

    expect(await processInbound(deps, deps.rows[0]!.senderHash, deps.rows[0]!.id)).toEqual({ recorded: 1 });
    expect(await interactionsOf(m.id)).toBe(1);
    expect(await waiting()).toBe(0);
    // A late retry, after the row was recorded and gone: taken again, and recorded as nothing new.
    expect((await acceptCustomerMessage(deps, m)).recorded).toBe(true);
    await processInbound(deps, deps.rows[1]!.senderHash, deps.rows[1]!.id);
    expect(await interactionsOf(m.id)).toBe(1);
    expect(await db.sql.query("SELECT 1 FROM contacts WHERE wechat_open_id_hash = $1", [deps.rows[0]!.senderHash]).then((r) => r.rowCount)).toBe(1);
  });

  it("records one sender's messages in the order they were taken, whichever job runs first", async () => {
    const deps = queuedDeps();
    const sender = "oInboundOrder00000000001";
    const bodies = ["order 1", "order 2", "order 3", "order 4", "order 5", "order 6"];
    for (const [i, body] of bodies.entries()) await acceptCustomerMessage(deps, message(sender, `71000000000000001${i}`, body, new Date(AT.getTime() + i * 1000)));
    // Another sender's message in between, recorded on its own.
    await acceptCustomerMessage(deps, message("oInboundOrder00000000002", "7100000000000000200", "other sender"));
    expect(deps.rows).toHaveLength(7);
    // The jobs run at once and last first, as a busy worker may take them.
    const results = await Promise.all([...deps.rows].reverse().map((r) => processInbound(deps, r.senderHash, r.id)));
    expect(results.reduce((n, r) => n + r.recorded, 0)).toBe(7);
    const { rows } = await db.sql.query<{ body: string }>("SELECT body FROM test_recorded WHERE body LIKE 'order %' ORDER BY n");
    expect(rows.map((r) => r.body)).toEqual(bodies);
    expect(await waiting()).toBe(0);
  });

  it("keeps a message whose recording fails, and the job system retries it until it is recorded", async () => {
    const prefix = `crmtest-${randomBytes(5).toString("hex")}`;
    const queues: JobQueues = createJobQueues({ redisUrl: TEST_REDIS_URL, prefix, log });
    expect(await queues.ready(5_000)).toBe(true);
    const deps = Object.assign(testServiceDeps(db.store, { now: () => AT }), { jobs: Object.assign(recordingScheduler(), { scheduleInbound: queues.scheduleInbound!.bind(queues) }) }) as ServiceDeps;
    const attempts: string[] = [];
    const workers: RunningWorkers = startWorkers({
      redisUrl: TEST_REDIS_URL, prefix, log, sweepEveryMs: 3_600_000,
      handlers: {
        fireReminder: async () => undefined, deliverOutbox: async () => undefined, surveyTimer: async () => undefined, surveyCheck: async () => undefined,
        digest: async () => undefined, sweep: async () => undefined, planNudges: async () => undefined, stageScan: async () => undefined, analyticsRollUp: async () => undefined,
        processInbound: async (senderHash, rowId) => {
          attempts.push(rowId);
          return processInbound(deps, senderHash, rowId);
        },
      },
    });
    try {
      expect(await workers.started).toBe(true);
      await db.sql.query("INSERT INTO test_fail (body) VALUES ('fails twice')");
      const m = message("oInboundRetry00000000001", "7100000000000000300", "fails twice");
      await acceptCustomerMessage(deps, m);
      // Two failed attempts: the row is still there, its failures counted (no text in the error).
      const until = Date.now() + 10_000;
      while (attempts.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(attempts.length).toBeGreaterThanOrEqual(2);
      const { rows } = await db.sql.query<{ attempts: number; last_error: string }>("SELECT attempts, last_error FROM inbound_messages");
      expect(rows).toHaveLength(1);
      expect(rows[0]!.attempts).toBeGreaterThanOrEqual(1);
      expect(rows[0]!.last_error).not.toContain("fails twice");
      expect(await interactionsOf(m.id)).toBe(0);
      // The fault goes: a later attempt records it.
      await db.sql.query("DELETE FROM test_fail");
      await waitForInbound(db.url, 15_000);
      expect(await interactionsOf(m.id)).toBe(1);
    } finally {
      await workers.close();
      await queues.close();
      await deleteKeys(prefix);
    }
  });

  it("erasing a contact also drops their messages still waiting", async () => {
    const deps = queuedDeps();
    const sender = "oInboundErase00000000001";
    await acceptCustomerMessage(deps, message(sender, "7100000000000000400", "first"));
    await processInbound(deps, deps.rows[0]!.senderHash, deps.rows[0]!.id);
    await acceptCustomerMessage(deps, message(sender, "7100000000000000401", "my phone is 13800138000"));
    await acceptCustomerMessage(deps, message("oInboundErase00000000002", "7100000000000000402", "someone else"));
    expect(await waiting()).toBe(2);
    const contact = (await db.sql.query<{ id: string }>("SELECT id FROM contacts WHERE wechat_open_id_hash = $1", [deps.rows[0]!.senderHash])).rows[0]!;
    await db.store.transaction((tx) => tx.contactErasure.eraseContact({ contactId: contact.id, actorId: null, reason: "test", at: AT }));
    const left = await db.sql.query<{ sender_hash: string }>("SELECT sender_hash FROM inbound_messages");
    expect(left.rows.map((r) => r.sender_hash)).toEqual([deps.rows[2]!.senderHash]);
    await processInbound(deps, deps.rows[2]!.senderHash, deps.rows[2]!.id);
    expect(await waiting()).toBe(0);
  });
});

describe("a push while Redis is unreachable", () => {
  it("is stored and answered success, and recorded once a worker with Redis sweeps it up", async () => {
    const slack = new FakeSlackApi("xoxb-fake");
    await slack.start();
    const env = { WECHAT_APP_ID: "wx0000000000test", WECHAT_APP_SECRET: "secret", WECHAT_TOKEN: "wechat-test-token" };
    const prefix = `crmtest-${randomBytes(5).toString("hex")}`;
    // Port 1: nothing listens there, so every Redis call of the web process fails.
    const web = await startBot(db, slack, prefix, { role: "web", env: { ...env, REDIS_URL: "redis://127.0.0.1:1" } });
    try {
      const res = await pushToWechat(`http://127.0.0.1:${web.port}`, env.WECHAT_TOKEN, { FromUserName: "oInboundNoRedis000000001", MsgType: "text", Content: "while redis is down", MsgId: "7100000000000000500" });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe("success");
      expect(await waiting()).toBe(1);
      expect(await interactionsOf("7100000000000000500")).toBe(0);
      // A worker with Redis: its start-up sweep enqueues the row whose job never was.
      const worker = await startBot(db, slack, prefix, { role: "worker", env });
      try {
        await waitForInbound(db.url, 15_000);
        expect(await interactionsOf("7100000000000000500")).toBe(1);
      } finally {
        await worker.stop();
      }
    } finally {
      await web.stop();
      await slack.stop();
      await deleteKeys(prefix);
    }
  });
});
