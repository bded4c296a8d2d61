import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import { Queue } from "bullmq";
import type { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccessTokens } from "../../adapters/wechat/access-token.js";
import { createSightings } from "../../src/jobs/first-sightings.js";
import { createJobQueues, digestSchedulerId, QUEUES, type JobQueues } from "../../src/jobs/queues.js";
import { createRateLimiter } from "../../src/jobs/rate-limiter.js";
import { checkRedis, createRedis } from "../../src/jobs/redis.js";
import { startWorkers, type JobHandlers, type RunningWorkers } from "../../src/jobs/workers.js";
import { createLogger } from "../../src/logger.js";
import { eventually } from "../fakes/fake-slack-api.js";
import { startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { OwnRedisCluster } from "../support/redis-cluster.js";
import { SlackDriver, visibleText } from "../support/slack-driver.js";

/**
 * The bot's Redis side on a Redis Cluster of three masters (no replicas) started by this file:
 * every queue's jobs are enqueued and run, each queue's keys stay in one slot while the queues
 * spread over the masters, the per-channel rate limiter books and pauses, first sightings and the
 * WeChat token work, and the whole bot delivers a due reminder and reports readiness.
 */
const log = createLogger("silent");
let cluster: OwnRedisCluster;
/** A plain client to look inside the cluster with. */
let inspect: Cluster;

beforeAll(async () => {
  cluster = new OwnRedisCluster();
  await cluster.start();
  inspect = cluster.client();
}, 60_000);

afterAll(async () => {
  inspect?.disconnect();
  await cluster?.stop();
});

const target = () => ({ nodes: cluster.seedNodes, tls: false });
const slotOf = async (key: string) => Number(await inspect.cluster("KEYSLOT", key));

/** The master serving a slot, as host:port. */
async function ownerOf(slot: number): Promise<string> {
  const range = (await inspect.cluster("SLOTS")).find(([from, to]) => slot >= from && slot <= to);
  const master = range?.[2];
  if (!master) throw new Error(`no master serves slot ${slot}`);
  return `${master[0]}:${master[1]}`;
}

/** Every key under a prefix, from every master (SCAN sees one node only). */
async function keysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for (const node of inspect.nodes("master")) {
    let cursor = "0";
    do {
      const [next, found] = await node.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      keys.push(...found);
      cursor = next;
    } while (cursor !== "0");
  }
  return keys;
}

describe("jobs on a Redis Cluster", () => {
  const prefix = `crmtest-${randomBytes(5).toString("hex")}`;
  const calls: Record<string, string[]> = {};
  const record = (name: string, value: string) => {
    (calls[name] ??= []).push(value);
    return Promise.resolve();
  };
  const handlers: JobHandlers = {
    fireReminder: (id) => record("fireReminder", id),
    deliverOutbox: (id) => record("deliverOutbox", id),
    surveyTimer: (id) => record("surveyTimer", id),
    surveyCheck: (id) => record("surveyCheck", id),
    digest: (id) => record("digest", id),
    sweep: () => record("sweep", ""),
    planNudges: () => record("planNudges", ""),
    stageScan: () => record("stageScan", ""),
    analyticsRollUp: () => record("analyticsRollUp", ""),
    exportData: (id) => record("exportData", id),
    importData: (id) => record("importData", id),
    processInbound: (senderHash, rowId) => record("processInbound", `${senderHash}/${rowId}`),
  };
  let queues: JobQueues;
  let workers: RunningWorkers;

  beforeAll(async () => {
    queues = createJobQueues({ redisUrl: "redis://127.0.0.1:1", redisCluster: target(), prefix, log });
    workers = startWorkers({ redisUrl: "redis://127.0.0.1:1", redisCluster: target(), prefix, log, handlers, sweepEveryMs: 300 });
    expect(await queues.ready(10_000)).toBe(true);
    expect(await workers.started).toBe(true);
  }, 30_000);

  afterAll(async () => {
    await workers?.close();
    await queues?.close();
  });

  it("connects producers and workers, and the readiness check passes", async () => {
    const probe = createRedis(target());
    try {
      await eventually(() => probe.status === "ready", 10_000);
      await expect(checkRedis(probe)).resolves.toBeUndefined();
    } finally {
      probe.disconnect();
    }
  });

  it("enqueues and runs jobs on every queue: reminders, outbox, surveys, digests and the maintenance schedules", async () => {
    const [reminder, delivery, survey, contact, subscription] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await queues.scheduleReminder(reminder, new Date());
    await queues.scheduleDelivery(delivery, new Date());
    await queues.scheduleMany([{ kind: "survey", id: survey, at: new Date() }, { kind: "survey-check", id: contact, at: new Date() }]);
    await eventually(() => calls.fireReminder?.includes(reminder) && calls.deliverOutbox?.includes(delivery) && calls.surveyTimer?.includes(survey) && calls.surveyCheck?.includes(contact), 10_000);
    const exportRun = randomUUID();
    await queues.scheduleExport?.(exportRun);
    await eventually(() => calls.exportData?.includes(exportRun), 10_000);
    const importRun = randomUUID();
    await queues.scheduleImport?.(importRun);
    await eventually(() => calls.importData?.includes(importRun), 10_000);
    await queues.scheduleInbound?.([{ id: "42", senderHash: "sender-hash" }]);
    await eventually(() => calls.processInbound?.includes("sender-hash/42"), 10_000);

    // A digest repeats daily at its local time: its planned job is brought forward to run now.
    await queues.scheduleDigest({ id: subscription, localTime: "09:00", timezone: "Asia/Shanghai", updatedAt: new Date(0) });
    const digests = new Queue(QUEUES.digests, { connection: cluster.client(), prefix });
    try {
      expect((await digests.getJobScheduler(digestSchedulerId(subscription)))?.pattern).toBe("0 9 * * *");
      const planned = await eventually(async () => (await digests.getDelayed()).find((j) => (j.data as { subscriptionId?: string }).subscriptionId === subscription), 5_000);
      await planned.promote();
      await eventually(() => calls.digest?.includes(subscription), 10_000);
    } finally {
      await digests.close();
    }

    // The sweep runs every 300 ms here: repeated runs show the schedule lives on the cluster.
    await eventually(() => (calls.sweep?.length ?? 0) >= 3, 10_000);
    const maintenance = new Queue(QUEUES.maintenance, { connection: cluster.client(), prefix });
    try {
      const ids = (await maintenance.getJobSchedulers(0, -1)).map((s) => s.key).sort();
      expect(ids).toEqual(["analytics-rollup", "audit-maintenance", "plan-nudges", "stage-scan", "sweep"]);
    } finally {
      await maintenance.close();
    }
  });

  it("keeps every key of a queue in one slot, and spreads the queues over the masters", async () => {
    // A job waiting a year keeps its keys (delayed set, job hash) around to be looked at.
    await queues.scheduleReminder(randomUUID(), new Date(Date.now() + 365 * 86_400_000));
    const keys = await keysUnder(prefix);
    const byQueue = new Map<string, string[]>();
    for (const key of keys) {
      const queue = /^[^:]+:(\{[a-z]+\}):/.exec(key)?.[1];
      expect(queue, `a key outside any queue: ${key}`).toBeDefined();
      byQueue.set(queue!, [...(byQueue.get(queue!) ?? []), key]);
    }
    expect([...byQueue.keys()].sort()).toEqual(Object.values(QUEUES).sort());
    expect(byQueue.get(QUEUES.reminders)).toEqual(expect.arrayContaining([`${prefix}:${QUEUES.reminders}:delayed`]));

    const slotOfQueue = new Map<string, number>();
    for (const [queue, queueKeys] of byQueue) {
      const slots = new Set(await Promise.all(queueKeys.map(slotOf)));
      expect([...slots], `slots of ${queue}`).toEqual([await slotOf(queue)]);
      slotOfQueue.set(queue, [...slots][0]!);
    }
    expect(new Set(slotOfQueue.values()).size).toBe(Object.keys(QUEUES).length);
    const masters = new Set(await Promise.all([...slotOfQueue.values()].map(ownerOf)));
    expect(masters.size).toBe(3);
  });
});

describe("the per-channel rate limiter on a Redis Cluster", () => {
  const prefix = `crmtest-${randomBytes(5).toString("hex")}`;
  let limiter: ReturnType<typeof createRateLimiter>;
  let client: ReturnType<typeof createRedis>;

  beforeAll(async () => {
    client = createRedis(target());
    await eventually(() => client.status === "ready", 10_000);
    limiter = createRateLimiter(client, prefix);
  });
  afterAll(() => client?.disconnect());

  it("books one slot a second per channel, and channels do not wait for each other", async () => {
    expect(await limiter.reserve("slack:C0FIRST", 1_000)).toBe(0);
    const second = await limiter.reserve("slack:C0FIRST", 1_000);
    expect(second).toBeGreaterThan(800);
    expect(second).toBeLessThanOrEqual(1_000);
    expect(await limiter.reserve("slack:C0OTHER", 1_000)).toBe(0);
  });

  it("pauses a channel (a 429) and releases it when the pause is over", async () => {
    await limiter.pause("slack:C0PAUSED", 600);
    const wait = await limiter.reserve("slack:C0PAUSED", 0);
    expect(wait).toBeGreaterThan(300);
    expect(wait).toBeLessThanOrEqual(600);
    await new Promise((r) => setTimeout(r, 700));
    expect(await limiter.reserve("slack:C0PAUSED", 0)).toBe(0);
  });

  it("pauses every channel of a platform, whose pause lives in another slot", async () => {
    await limiter.pause("slack", 600);
    expect(await limiter.reserve("slack:C0SCOPED", 1_000, "slack")).toBeGreaterThan(300);
    expect(await limiter.reserve("wechat:o1", 1_000, "wechat")).toBe(0);
  });

  it("keeps a channel's slot and pause in one slot, and different channels in different slots", async () => {
    const channels = ["slack:C0FIRST", "slack:C0OTHER", "slack:C0PAUSED", "slack:C0SCOPED"];
    for (const channel of channels) {
      const keys = (await keysUnder(`${prefix}:rate`)).filter((k) => k.startsWith(`${prefix}:rate:{${channel}}`));
      expect(keys.length, channel).toBeGreaterThan(0);
      expect(new Set(await Promise.all(keys.map(slotOf))).size, channel).toBe(1);
    }
    const slots = new Set(await Promise.all(channels.map((c) => slotOf(`${prefix}:rate:{${c}}`))));
    expect(slots.size).toBeGreaterThan(1);
  });
});

describe("first sightings and the WeChat token on a Redis Cluster", () => {
  const prefix = `crmtest-${randomBytes(5).toString("hex")}`;
  let client: ReturnType<typeof createRedis>;
  let server: Server;
  let base = "";
  let issued = 0;

  beforeAll(async () => {
    client = createRedis(target());
    await eventually(() => client.status === "ready", 10_000);
    server = createServer((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ access_token: `TOKEN-${++issued}`, expires_in: 7200 }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  afterAll(() => {
    server?.close();
    client?.disconnect();
  });

  it("records a first sighting once for every process (SET NX), in the cluster", async () => {
    // Two processes: each its own memory, one shared cluster.
    const a = createSightings({ redis: client, prefix, log });
    const b = createSightings({ redis: client, prefix, log });
    expect(await a.sight("slack:v0=abc", "first", 60_000)).toBeUndefined();
    expect(await b.sight("slack:v0=abc", "second", 60_000)).toBe("first");
    expect(await inspect.get(`${prefix}:seen:slack:v0=abc`)).toBe("first");
  });

  it("shares the WeChat access token and forgets it when WeChat refuses it", async () => {
    const tokens = () => createAccessTokens({ redis: client, prefix, appId: "wxcluster", appSecret: "s", apiBaseUrl: base });
    expect(await Promise.all([tokens().get(), tokens().get(), tokens().get()])).toEqual(["TOKEN-1", "TOKEN-1", "TOKEN-1"]);
    await tokens().invalidate("TOKEN-1");
    expect(await tokens().get()).toBe("TOKEN-2");
    expect(issued).toBe(2);
    expect(JSON.parse((await inspect.get(`${prefix}:wechat:token:{wxcluster}`)) ?? "{}")).toMatchObject({ token: "TOKEN-2" });
  });
});

describe("the bot on a Redis Cluster", () => {
  const li = { id: "U0CLUSTER", name: "li.na" };
  /** The bot's clock, moved by the test: nothing depends on the day the suite runs. */
  const NOW = new Date("2026-03-02T02:00:00Z");
  let clock = NOW;
  let t: BotUnderTest;
  let slack: SlackDriver;

  beforeAll(async () => {
    t = await startBotUnderTest({ now: () => clock, env: cluster.env, sweepEveryMs: 500 });
    slack = new SlackDriver(t.base, t.slack);
    t.slack.addUser({ id: li.id, name: li.name, realName: "Li Na", locale: "en-US", tz: "Asia/Shanghai" });
  }, 30_000);
  afterAll(() => t?.stop());

  /** /readyz once it answers `status` (a probe connection may still be joining the cluster just after start). */
  const readyz = (status: number, timeoutMs: number) => eventually(async () => {
    const res = await fetch(`${t.base}/readyz`);
    return res.status === status && (await res.json());
  }, timeoutMs);

  it("is ready: Postgres answers and the cluster serves every slot", async () => {
    expect(await readyz(200, 5_000)).toEqual({ ready: true, checks: { postgres: "ok", redis: "ok" } });
  });

  it("delivers a reminder that fell due to Slack, through the reminder and outbox queues on the cluster", async () => {
    const reply = await slack.ask(li, "/remind", "in 1 minute call Acme about the renewal");
    expect(reply.text).toContain("I'll remind you");
    clock = new Date(NOW.getTime() + 2 * 60_000);
    const dm = await eventually(() => t.slack.callsTo("chat.postMessage").find((c) => c.body.channel === li.id), 15_000);
    expect(visibleText(dm.body.blocks as Record<string, unknown>[])).toContain("Reminder: call Acme about the renewal");
    expect((await t.db.sql.query("SELECT status FROM reminders")).rows).toEqual([{ status: "FIRED" }]);
    // Slack has the message a moment before the row says so.
    const outbox = await eventually(async () => {
      const { rows } = await t.db.sql.query<{ status: string }>("SELECT status FROM outbox");
      return rows.every((r) => r.status === "SENT") && rows;
    }, 5_000);
    expect(outbox).toEqual([{ status: "SENT" }]);
    // The jobs were on the cluster, under this bot's prefix and the queues' hash tags.
    expect((await keysUnder(t.prefix)).some((k) => k.startsWith(`${t.prefix}:${QUEUES.outbox}:`))).toBe(true);
  });

  // Last: the node comes back empty, which the tests above must not see.
  it("is not ready while the master of the reminders is down, and delivers again once it is back (empty)", async () => {
    const owner = await ownerOf(await slotOf(QUEUES.reminders));
    const index = cluster.seedNodes.findIndex((n) => `${n.host}:${n.port}` === owner);
    await cluster.stopNode(index);
    expect(await readyz(503, 20_000)).toEqual({ ready: false, checks: { postgres: "ok", redis: "not reachable" } });
    await cluster.startNode(index);
    await cluster.waitUntilOk();
    expect(await readyz(200, 30_000)).toEqual({ ready: true, checks: { postgres: "ok", redis: "ok" } });

    const reply = await slack.ask(li, "/remind", "in 3 minutes send the contract");
    expect(reply.text).toContain("I'll remind you");
    clock = new Date(clock.getTime() + 4 * 60_000);
    const dm = await eventually(() => t.slack.callsTo("chat.postMessage").filter((c) => c.body.channel === li.id)[1], 30_000);
    expect(visibleText(dm.body.blocks as Record<string, unknown>[])).toContain("Reminder: send the contract");
  }, 90_000);
});
