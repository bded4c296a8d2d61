import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { start, type RunningBot } from "../../src/main.js";
import { FakeSlackApi } from "../fakes/fake-slack-api.js";
import { createTestDatabase, type TestDatabase } from "./database.js";
import { TEST_REDIS_URL } from "./env.js";

export const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
export const BOT_TOKEN = "xoxb-test-0000-fake";

export interface BotUnderTest {
  db: TestDatabase;
  slack: FakeSlackApi;
  bot: RunningBot;
  /** http://127.0.0.1:<port> */
  base: string;
  stop(): Promise<void>;
}

/** The real bot (HTTP server, Bolt, core, Postgres) against a fake Slack API and a fresh database. */
export async function startBotUnderTest(options: { ackBudgetMs?: number; env?: Record<string, string>; now?: () => Date } = {}): Promise<BotUnderTest> {
  const db = await createTestDatabase();
  const slack = new FakeSlackApi(BOT_TOKEN);
  await slack.start();
  const config = loadConfig({
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    PORT: "0",
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_API_URL: slack.apiUrl,
    LOG_LEVEL: "silent",
    ...options.env,
  });
  const bot = await start(config, {
    log: createLogger(process.env.TEST_LOG_LEVEL ?? "silent"),
    host: "127.0.0.1",
    ...(options.ackBudgetMs !== undefined ? { slackAckBudgetMs: options.ackBudgetMs } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  return {
    db,
    slack,
    bot,
    base: `http://127.0.0.1:${bot.port}`,
    async stop() {
      await bot.stop();
      await slack.stop();
      await db.drop();
    },
  };
}
