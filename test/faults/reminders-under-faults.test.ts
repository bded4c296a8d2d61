import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeSlackApi } from "../fakes/fake-slack-api.js";
import { FakeWechatApi } from "../fakes/fake-wechat-api.js";
import { BOT_TOKEN, BotProcess, OwnPostgres, OwnRedis, removeRoot, sleep, stopProc, suiteRoot, waitFor } from "./harness.js";
import { deliveries, markRefused, marker, pushLikeWechat, report, setReminders, tally, type ReminderLoad } from "./load.js";

/**
 * Issue 16's fault suite: reminders set through the real web process, fired and delivered by
 * real worker processes, while a fault is injected into servers of the suite's own (a Postgres
 * cluster and Redis servers on free ports). Counting is done at the fake Slack API only. A fault
 * may make delivery late; it must never lose a reminder or deliver one twice.
 */

/** Reminders per scenario: due 10 to 25 s after they are set. */
const REMINDERS = 150;
/**
 * How long after the last due time delivery may still be running: a DM whose worker was killed
 * mid-send stays SENDING for two minutes before a sweep (once a minute) takes it over.
 */
const RECOVERY_MS = 240_000;

let root: string;
let postgres: OwnPostgres;

beforeAll(async () => {
  root = suiteRoot();
  postgres = new OwnPostgres(root);
  await postgres.init();
}, 240_000);

afterAll(async () => {
  await postgres?.destroy();
  if (root) removeRoot(root);
}, 120_000);

interface World {
  scenario: string;
  slack: FakeSlackApi;
  redis: OwnRedis;
  web: BotProcess;
  workers: BotProcess[];
  databaseUrl: string;
  load: ReminderLoad;
  /** How many reminders Slack has received so far (first deliveries). */
  delivered(): number;
  startWorker(): Promise<BotProcess>;
}

/**
 * One scenario: a fresh database (a copy of the migrated one), its own Redis, a web process and
 * `workers` worker processes; sets the load, runs `fault` while it falls due, waits for every
 * reminder (or the deadline), then a little longer to catch duplicates, and reports.
 */
async function scenario(name: string, options: { persistence?: "aof" | "none"; workers?: number }, fault: (w: World) => Promise<void>): Promise<void> {
  const scenarioId = name.replace(/[^a-z]/g, "").slice(0, 6) + randomBytes(2).toString("hex").replace(/[0-9]/g, "x");
  const database = `crm_${scenarioId}`;
  await postgres.query(`CREATE DATABASE ${database} TEMPLATE ${postgres.database}`);
  const databaseUrl = postgres.url.replace(/\/crm$/, `/${database}`);
  const slack = new FakeSlackApi(BOT_TOKEN);
  await slack.start();
  const redis = new OwnRedis(root, options.persistence ?? "aof");
  await redis.start();
  const env = { databaseUrl, redisUrl: redis.url, slackApiUrl: slack.apiUrl, prefix: `crmfault-${scenarioId}` };
  const web = new BotProcess("web", env);
  const workers: BotProcess[] = [];
  const startWorker = async () => {
    const worker = new BotProcess("worker", env);
    workers.push(worker);
    await worker.start();
    return worker;
  };
  try {
    await Promise.all([web.start(), ...Array.from({ length: options.workers ?? 1 }, () => startWorker())]);
    const load = await setReminders(web.base, slack, scenarioId, REMINDERS);
    const world: World = { scenario: scenarioId, slack, redis, web, workers, databaseUrl, load, delivered: () => deliveries(slack, scenarioId).size, startWorker };
    await fault(world);
    const lastDue = Math.max(...load.dueAt.values());
    const printed = () => workers.map((w) => w.proc?.output().slice(-3000) ?? "").join("\n---\n");
    await waitFor(`all ${REMINDERS} reminders at Slack`, () => world.delivered() >= REMINDERS, Math.max(10_000, lastDue + RECOVERY_MS - Date.now()), printed).catch(() => undefined);
    // Anything still in flight (a retried delivery) would show up as a second DM now.
    await sleep(5_000);
    const due = new Map((await postgres.queryAt<{ text: string; due: string }>(databaseUrl, "SELECT text, (extract(epoch FROM due_at) * 1000)::bigint AS due FROM reminders")).flatMap((r) => {
      const m = /ftag-[a-z0-9]+-\d{4}-end/.exec(r.text);
      return m ? [[m[0], Number(r.due)] as [string, number]] : [];
    }));
    const t = tally(slack, load, due);
    // Where undelivered ones stand, for the report of a failing run.
    const states = t.lost > 0 ? await postgres.queryAt<{ s: string }>(databaseUrl, "SELECT 'outbox ' || status || ' ' || count(*) AS s FROM outbox GROUP BY status UNION ALL SELECT 'reminders ' || status || ' ' || count(*) FROM reminders GROUP BY status") : [];
    report(name, t, states.map((r) => r.s).join(", "));
    expect(t.lost, `${name}: reminders never delivered`).toBe(0);
    expect(t.twice, `${name}: reminders delivered more than once`).toBe(0);
  } finally {
    await Promise.all([web, ...workers].map((p) => stopProc(p.proc, "SIGKILL")));
    await redis.kill();
    await slack.stop();
    await postgres.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
  }
}

/** Waits until a share of the load has reached Slack: the fault then hits a burst in progress. */
const midBurst = (w: World, share = 0.25) => waitFor("the burst to be under way", () => w.delivered() >= REMINDERS * share, 90_000);

describe("reminders under faults", { timeout: 420_000 }, () => {
  it("worker SIGKILL mid-burst, then a new worker", async () => {
    await scenario("worker SIGKILL", {}, async (w) => {
      await midBurst(w);
      await w.workers[0]!.signal("SIGKILL");
      await sleep(2_000);
      await w.startWorker();
    });
  });

  it("Redis FLUSHALL mid-burst", async () => {
    await scenario("Redis FLUSHALL", {}, async (w) => {
      await midBurst(w);
      await w.redis.command("FLUSHALL");
    });
  });

  it("Redis without persistence killed mid-burst and restarted", async () => {
    await scenario("Redis killed, no persistence", { persistence: "none" }, async (w) => {
      await midBurst(w);
      await w.redis.kill();
      await sleep(3_000);
      await w.redis.start();
    });
  });

  it("Postgres stopped 30 s mid-burst", async () => {
    await scenario("Postgres down 30 s", {}, async (w) => {
      await midBurst(w);
      await postgres.stop("fast");
      await sleep(30_000);
      await postgres.start();
    });
  });

  it("Slack 429 storm (honest Retry-After), then 500s", async () => {
    type Answer = FakeSlackApi["overrides"] extends Map<string, infer A> ? A : never;
    let storm: Answer = [];
    await scenario("Slack 429 storm then 500s", {}, async (w) => {
      await midBurst(w, 0.1);
      storm = [
        ...Array.from({ length: 40 }, () => ({ status: 429, headers: { "retry-after": "2" }, body: { ok: false, error: "ratelimited" }, when: markRefused })),
        ...Array.from({ length: 30 }, () => ({ status: 500, body: { ok: false, error: "internal_error" }, when: markRefused })),
      ];
      w.slack.overrides.set("chat.postMessage", storm);
    });
    // Every scripted refusal was answered to some delivery.
    expect(storm).toHaveLength(0);
  });

  it("two workers competing", async () => {
    await scenario("two workers", { workers: 2 }, async () => undefined);
  });

  it("worker SIGTERM mid-burst, then a new worker", async () => {
    await scenario("worker SIGTERM", {}, async (w) => {
      await midBurst(w);
      const code = await w.workers[0]!.signal("SIGTERM");
      expect(code).toBe(0);
      await w.startWorker();
    });
  });
});

/** The inbox channel of the WeChat scenario's account. */
const INBOX = "C0FAULTINBOX";
const WECHAT_TOKEN = "fault-suite-wechat-token";
/** Messages in the WeChat burst, from this many customers: all go to one Slack channel, one post a second. */
const PUSHES = 45;
const SENDERS = 15;

describe("WeChat pushes under faults", { timeout: 420_000 }, () => {
  it("a burst of pushes, one in three retried by WeChat, during a Postgres restart: each message once in the Slack inbox", async () => {
    const scenarioId = `wx${randomBytes(2).toString("hex").replace(/[0-9]/g, "x")}`;
    const database = `crm_${scenarioId}`;
    await postgres.query(`CREATE DATABASE ${database} TEMPLATE ${postgres.database}`);
    const databaseUrl = postgres.url.replace(/\/crm$/, `/${database}`);
    const slack = new FakeSlackApi(BOT_TOKEN);
    await slack.start();
    const wechat = new FakeWechatApi();
    await wechat.start();
    const redis = new OwnRedis(root, "aof");
    await redis.start();
    const env = {
      databaseUrl, redisUrl: redis.url, slackApiUrl: slack.apiUrl, prefix: `crmfault-${scenarioId}`,
      extra: { WECHAT_APP_ID: "wxfaults", WECHAT_APP_SECRET: "secret", WECHAT_TOKEN, WECHAT_API_BASE_URL: wechat.url, WECHAT_INBOX_CHANNEL: INBOX },
    };
    const web = new BotProcess("web", env);
    const worker = new BotProcess("worker", env);
    try {
      await Promise.all([web.start(), worker.start()]);
      const sentAt = new Map<string, number>();
      const gaveUp: string[] = [];
      let retried = 0;
      const pushes: Promise<void>[] = [];
      for (let n = 0; n < PUSHES; n++) {
        const text = `price question ${marker(scenarioId, n)}`;
        const fields = { from: `oFaultSender${String(n % SENDERS).padStart(16, "0")}`, text, msgId: String(9_100_000_000_000_000_000n + BigInt(n)), createdAt: Date.now() };
        sentAt.set(marker(scenarioId, n), Date.now());
        pushes.push(pushLikeWechat(web.base, WECHAT_TOKEN, fields).then((attempts) => {
          if (attempts === 0) gaveUp.push(text);
          if (attempts > 1) retried++;
        }));
        // WeChat's own retry of one push in three: the same MsgId again, as a separate delivery.
        if (n % 3 === 0) pushes.push(sleep(700).then(() => pushLikeWechat(web.base, WECHAT_TOKEN, fields)).then(() => undefined));
        if (n === Math.floor(PUSHES / 3)) pushes.push(postgres.stop("fast").then(() => postgres.start()));
        await sleep(150);
      }
      await Promise.all(pushes);
      const load: ReminderLoad = { scenario: scenarioId, count: PUSHES, dueAt: sentAt };
      const printed = () => `${web.proc?.output().slice(-3000) ?? ""}\n---\n${worker.proc?.output().slice(-3000) ?? ""}`;
      await waitFor("every message in the inbox", () => deliveries(slack, scenarioId).size >= PUSHES, 180_000, printed).catch(() => undefined);
      await sleep(5_000);
      const t = tally(slack, load);
      report("WeChat burst, Postgres restart", t, `${retried} pushes answered only on a retry, WeChat gave up on ${gaveUp.length}`);
      expect(gaveUp, "pushes WeChat would have given up on").toEqual([]);
      expect(t.lost).toBe(0);
      expect(t.twice).toBe(0);
    } finally {
      await Promise.all([web, worker].map((p) => stopProc(p.proc, "SIGKILL")));
      await redis.kill();
      await slack.stop();
      await wechat.stop();
      await postgres.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    }
  });
});
