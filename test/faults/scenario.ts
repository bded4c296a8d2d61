import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, inject } from "vitest";
import { FakeSlackApi } from "../fakes/fake-slack-api.js";
import { BOT_TOKEN, BotProcess, OwnPostgres, OwnRedis, removeRoot, sleep, stopProc, suiteRoot, waitFor, type BotEnv } from "./harness.js";
import { acceptedPosts, deliveries, report, setReminders, tally, type ReminderLoad } from "./load.js";

/**
 * Issue 16's fault suite: reminders set through the real web process, fired and delivered by
 * real worker processes, while a fault is injected into servers of the file's own (a Postgres
 * cluster and Redis servers on free ports). Counting is done at the fake Slack API only. A fault
 * may make delivery late; it must never lose a reminder or deliver one twice.
 */

/** Reminders per scenario: due 10 to 25 s after they are set. */
export const REMINDERS = 150;
/**
 * How long after the last due time delivery may still be running: a DM whose worker was killed
 * mid-send stays SENDING for two minutes before a sweep (once a minute) takes it over, and an
 * outage of two minutes comes before that.
 */
const RECOVERY_MS = 300_000;

/** A test file's servers: its own Postgres cluster (and a directory for its Redis servers). */
export interface FaultSite {
  root: string;
  postgres: OwnPostgres;
}

/** Gives the calling test file a Postgres cluster of its own for its scenarios, removed after them. */
export function useFaultSite(): FaultSite {
  const site = {} as FaultSite;
  beforeAll(async () => {
    site.root = suiteRoot();
    site.postgres = new OwnPostgres(site.root);
    await site.postgres.copyOf(inject("faultsPostgresTemplate"));
  }, 120_000);
  afterAll(async () => {
    await site.postgres?.destroy();
    if (site.root) removeRoot(site.root);
  }, 120_000);
  return site;
}

/** A database of the scenario's own on the site's cluster, copied from the migrated one. */
export async function scenarioDatabase(site: FaultSite, id: string): Promise<{ url: string; drop(): Promise<void> }> {
  const database = `crm_${id}`;
  await site.postgres.query(`CREATE DATABASE ${database} TEMPLATE ${site.postgres.database}`);
  return {
    url: site.postgres.url.replace(/\/crm$/, `/${database}`),
    drop: () => site.postgres.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).then(() => undefined, () => undefined),
  };
}

/** A short id for a scenario's names (database, key prefix, markers): lower-case letters only. */
export const scenarioIdOf = (name: string) => name.replace(/[^a-z]/g, "").slice(0, 6) + randomBytes(2).toString("hex").replace(/[0-9]/g, "x");

export interface World {
  scenario: string;
  site: FaultSite;
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

export interface ScenarioOptions {
  persistence?: "aof" | "none";
  workers?: number;
  /** Redis to use instead of a server of the scenario's own (a cluster): variables for the bot. */
  redisEnv?: Record<string, string>;
}

/**
 * One scenario: a fresh database, its own Redis, a web process and `workers` worker processes;
 * sets the load, runs `fault` while it falls due, waits for every reminder (or the deadline),
 * then a little longer to catch duplicates, and reports.
 */
export async function scenario(site: FaultSite, name: string, options: ScenarioOptions, fault: (w: World) => Promise<void>): Promise<void> {
  const scenarioId = scenarioIdOf(name);
  const db = await scenarioDatabase(site, scenarioId);
  const slack = new FakeSlackApi(BOT_TOKEN);
  await slack.start();
  const redis = new OwnRedis(site.root, options.persistence ?? "aof");
  if (!options.redisEnv) await redis.start();
  const env: BotEnv = { databaseUrl: db.url, redisUrl: redis.url, slackApiUrl: slack.apiUrl, prefix: `crmfault-${scenarioId}`, extra: options.redisEnv };
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
    const stored = async (marker: string) => (await site.postgres.queryAt(db.url, "SELECT 1 FROM reminders WHERE text LIKE $1", [`%${marker}%`])).length > 0;
    const load = await setReminders(web.base, slack, scenarioId, REMINDERS, stored).catch((error: unknown) => {
      throw new Error(`${String(error)}\nthe web process printed:\n${web.proc?.output().slice(-4000) ?? ""}`);
    });
    const world: World = { scenario: scenarioId, site, slack, redis, web, workers, databaseUrl: db.url, load, delivered: () => deliveries(slack, scenarioId).size, startWorker };
    await fault(world);
    const lastDue = Math.max(...load.dueAt.values());
    const printed = () => workers.map((w) => w.proc?.output().slice(-3000) ?? "").join("\n---\n");
    await waitFor(`all ${REMINDERS} reminders at Slack`, () => world.delivered() >= REMINDERS, Math.max(10_000, lastDue + RECOVERY_MS - Date.now()), printed).catch(() => undefined);
    // Anything still in flight (a retried delivery) would show up as a second DM now.
    await sleep(5_000);
    const due = new Map((await site.postgres.queryAt<{ text: string; due: string }>(db.url, "SELECT text, (extract(epoch FROM due_at) * 1000)::bigint AS due FROM reminders")).flatMap((r) => {
      const m = /ftag-[a-z0-9]+-\d{4}-end/.exec(r.text);
      return m ? [[m[0], Number(r.due)] as [string, number]] : [];
    }));
    const t = tally(slack, load, due);
    // Where undelivered ones stand, for the report of a failing run.
    const states = t.lost > 0 ? await site.postgres.queryAt<{ s: string }>(db.url, "SELECT 'outbox ' || status || ' ' || count(*) AS s FROM outbox GROUP BY status UNION ALL SELECT 'reminders ' || status || ' ' || count(*) FROM reminders GROUP BY status") : [];
    report(name, t, [...states.map((r) => r.s), ...(t.twice > 0 ? await twiceDetail(site, db.url, slack, scenarioId) : [])].join(", "));
    expect(t.lost, `${name}: reminders never delivered`).toBe(0);
    expect(t.twice, `${name}: reminders delivered more than once`).toBe(0);
  } finally {
    await Promise.all([web, ...workers].map((p) => stopProc(p.proc, "SIGKILL")));
    await redis.kill();
    await slack.stop();
    await db.drop();
  }
}

/** Waits until a share of the load has reached Slack: the fault then hits a burst in progress. */
export const midBurst = (w: World, share = 0.25) => waitFor("the burst to be under way", () => w.delivered() >= REMINDERS * share, 90_000);

/**
 * For a run that delivered some reminders twice: for a few of them, each post (when, which
 * outbox row it carried, which method) and that row as Postgres has it, to tell two rows of one
 * reminder from one row sent twice, and from what.
 */
async function twiceDetail(site: FaultSite, databaseUrl: string, slack: FakeSlackApi, scenarioId: string): Promise<string[]> {
  const twice = [...deliveries(slack, scenarioId)].filter(([, times]) => times.length > 1).slice(0, 4);
  const lines: string[] = [];
  for (const [marker] of twice) {
    const posts = acceptedPosts(slack).filter((c) => JSON.stringify(c.body).includes(marker));
    const rows = posts.map((c) => String(((c.body.metadata as { event_payload?: { outbox_id?: string } } | undefined)?.event_payload?.outbox_id) ?? "?"));
    const states = await site.postgres.queryAt<{ s: string }>(
      databaseUrl,
      "SELECT left(id::text, 8) || ' ' || status || ' attempts ' || attempts || coalesce(' token ' || claim_token, '') || coalesce(' (' || last_error || ')', '') AS s FROM outbox WHERE id::text = ANY($1)",
      [rows],
    ).catch(() => []);
    lines.push(`${marker}: posted at ${posts.map((c) => c.at % 1_000_000).join(" and ")} carrying ${rows.map((r) => r.slice(0, 8)).join(" and ")}; ${states.map((r) => r.s).join("; ")}`);
  }
  return lines;
}
