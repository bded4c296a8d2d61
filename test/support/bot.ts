import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { start, type Role, type RunningBot, type StartOptions } from "../../src/main.js";
import { FakeSlackApi } from "../fakes/fake-slack-api.js";
import { createTestDatabase, type TestDatabase } from "./database.js";
import { rememberBotDatabase } from "./inbound.js";
import { TEST_DATA_ENCRYPTION_KEY, TEST_REDIS_URL } from "./env.js";
import { deleteKeys } from "./redis.js";

export const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
export const BOT_TOKEN = "xoxb-fake";

export interface BotUnderTest {
  db: TestDatabase;
  slack: FakeSlackApi;
  bot: RunningBot;
  /** BullMQ key prefix of this bot: unique per test file, so files never share jobs. */
  prefix: string;
  /** http://127.0.0.1:<port> */
  base: string;
  /** Stops the bot, the fake Slack API and drops the database. */
  stop(): Promise<void>;
}

export interface BotOptions {
  ackBudgetMs?: number;
  env?: Record<string, string>;
  now?: () => Date;
  role?: Role;
  sweepEveryMs?: number;
  /** Reuse these instead of making new ones (a second process of the same install). */
  db?: TestDatabase;
  slack?: FakeSlackApi;
  prefix?: string;
  /** A Wechaty puppet instance for WECHATY_PUPPET (the mock puppet in tests). */
  wechatyPuppet?: StartOptions["wechatyPuppet"];
  /** Where a bot started without DATA_ENCRYPTION_KEY keeps the key it generates (encryption at rest). */
  dataKeyFile?: string;
}

/** Starts only the bot, against an existing database, fake Slack and job prefix. */
export async function startBot(db: TestDatabase, slack: FakeSlackApi, prefix: string, options: BotOptions = {}): Promise<RunningBot> {
  const config = loadConfig({
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    PORT: "0",
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_API_URL: slack.apiUrl,
    BULLMQ_PREFIX: prefix,
    LOG_LEVEL: "silent",
    DATA_ENCRYPTION_KEY: TEST_DATA_ENCRYPTION_KEY,
    ...options.env,
  });
  const bot = await start(config, {
    log: createLogger(process.env.TEST_LOG_LEVEL ?? "silent"),
    host: "127.0.0.1",
    ...(options.role ? { role: options.role } : {}),
    ...(options.sweepEveryMs ? { sweepEveryMs: options.sweepEveryMs } : {}),
    ...(options.ackBudgetMs !== undefined ? { slackAckBudgetMs: options.ackBudgetMs } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.wechatyPuppet ? { wechatyPuppet: options.wechatyPuppet } : {}),
    ...(options.dataKeyFile ? { dataKeyFile: options.dataKeyFile } : {}),
  });
  // Pushes are recorded by this bot's worker: the push helpers wait for it (support/inbound.ts).
  if (options.role !== "web") rememberBotDatabase(`http://127.0.0.1:${bot.port}`, db.url);
  return bot;
}

/** The real bot (HTTP server, Bolt, core, jobs, Postgres, Redis) against a fake Slack API and a fresh database. */
export async function startBotUnderTest(options: BotOptions = {}): Promise<BotUnderTest> {
  const db = options.db ?? (await createTestDatabase());
  const slack = options.slack ?? new FakeSlackApi(BOT_TOKEN);
  if (!options.slack) await slack.start();
  const prefix = options.prefix ?? `crmtest-${randomBytes(5).toString("hex")}`;
  const bot = await startBot(db, slack, prefix, options);
  return {
    db,
    slack,
    bot,
    prefix,
    base: `http://127.0.0.1:${bot.port}`,
    async stop() {
      await bot.stop();
      if (!options.prefix) await deleteKeys(prefix);
      if (!options.slack) await slack.stop();
      if (!options.db) await db.drop();
    },
  };
}

/** A database and a fake Slack API for the tests of one describe block: made before them, gone after. */
export function useDatabaseAndSlack(): { readonly db: TestDatabase; readonly slack: FakeSlackApi } {
  const fixture = {} as { db: TestDatabase; slack: FakeSlackApi };
  beforeAll(async () => {
    fixture.db = await createTestDatabase();
    fixture.slack = new FakeSlackApi(BOT_TOKEN);
    await fixture.slack.start();
  });
  afterAll(async () => {
    await fixture.slack.stop();
    await fixture.db.drop();
  });
  return fixture;
}
