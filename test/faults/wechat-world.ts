import { FakeSlackApi } from "../fakes/fake-slack-api.js";
import { FakeWechatApi } from "../fakes/fake-wechat-api.js";
import { BOT_TOKEN, BotProcess, OwnRedis, stopProc, type BotEnv } from "./harness.js";
import { scenarioDatabase, scenarioIdOf, type FaultSite } from "./scenario.js";

/** The WeChat scenarios' world: a bot with an Official Account whose conversations go to a Slack inbox channel. */

/** The inbox channel of the WeChat scenarios' account. */
export const INBOX = "C0FAULTINBOX";
export const WECHAT_TOKEN = "fault-suite-wechat-token";

export interface WechatWorld {
  id: string;
  slack: FakeSlackApi;
  wechat: FakeWechatApi;
  web: BotProcess;
  worker: BotProcess;
  databaseUrl: string;
  printed: () => string;
}

/** A web and a worker process with a WeChat account whose conversations go to INBOX. */
export async function withWechatBot(site: FaultSite, name: string, run: (w: WechatWorld) => Promise<void>): Promise<void> {
  const id = scenarioIdOf(name);
  const db = await scenarioDatabase(site, id);
  const slack = new FakeSlackApi(BOT_TOKEN);
  await slack.start();
  const wechat = new FakeWechatApi();
  await wechat.start();
  const redis = new OwnRedis(site.root, "aof");
  await redis.start();
  const env: BotEnv = {
    databaseUrl: db.url, redisUrl: redis.url, slackApiUrl: slack.apiUrl, prefix: `crmfault-${id}`,
    extra: { WECHAT_APP_ID: "wxfaults", WECHAT_APP_SECRET: "secret", WECHAT_TOKEN, WECHAT_API_BASE_URL: wechat.url, WECHAT_INBOX_CHANNEL: INBOX },
  };
  const web = new BotProcess("web", env);
  const world: WechatWorld = {
    id, slack, wechat, web, worker: new BotProcess("worker", env), databaseUrl: db.url,
    printed: () => `${web.proc?.output().slice(-3000) ?? ""}\n---\n${world.worker.proc?.output().slice(-3000) ?? ""}`,
  };
  try {
    await Promise.all([web.start(), world.worker.start()]);
    await run(world);
  } finally {
    await Promise.all([web, world.worker].map((p) => stopProc(p.proc, "SIGKILL")));
    await redis.kill();
    await slack.stop();
    await wechat.stop();
    await db.drop();
  }
}

/** A 28-character openid per scenario and sender. */
export const openIdOf = (id: string, n: number) => `oFault${id}`.padEnd(24, "0").slice(0, 24) + String(n).padStart(4, "0");

/** Where the outbox stands, for the report of a failing run. */
export async function outboxStates(site: FaultSite, databaseUrl: string): Promise<string> {
  const rows = await site.postgres.queryAt<{ s: string }>(databaseUrl, "SELECT status || ' ' || coalesce(payload->>'type', '?') || ' ' || count(*) || coalesce(' last error: ' || max(last_error), '') AS s FROM outbox GROUP BY status, payload->>'type'");
  // Each row not sent, with its timing and what it waits for: enough to tell a stuck job from a
  // row waiting on another.
  const waiting = await site.postgres.queryAt<{ s: string }>(
    databaseUrl,
    `SELECT left(o.id::text, 8) || ' ' || o.status || ' ' || coalesce(o.payload->>'type', '?') || ' thread ' || left(coalesce(o.payload->>'threadId', '-'), 8)
            || ' attempts ' || o.attempts || ' due in ' || round(extract(epoch FROM o.next_attempt_at - now()))::int || ' s, touched ' || round(extract(epoch FROM now() - o.updated_at))::int || ' s ago'
            || coalesce(' into ' || left(o.coalesced_into::text, 8), '') || coalesce(' (' || o.last_error || ')', '') AS s
     FROM outbox o WHERE o.status NOT IN ('SENT', 'FAILED') ORDER BY o.created_at LIMIT 30`,
  );
  const inbound = await site.postgres.queryAt<{ s: string }>(databaseUrl, "SELECT 'inbound_messages ' || count(*) AS s FROM inbound_messages").catch(() => []);
  return [rows.map((r) => r.s).join(", "), ...waiting.map((r) => `  ${r.s}`), ...inbound.map((r) => r.s)].join("\n");
}
export const msgIdOf = (n: number) => String(9_100_000_000_000_000_000n + BigInt(n));

