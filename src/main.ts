import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { execFileSync } from "node:child_process";
import { runTerminal } from "../adapters/local/terminal.js";
import { createSlackAdapter, type SlackAdapter } from "../adapters/slack/slack-adapter.js";
import { seedDemoData } from "../prisma/seed-data.js";
import { ConfigError, loadConfig, type Config } from "./config.js";
import { createCore, type Core } from "./core/index.js";
import { ratesToBase } from "./domain/money.js";
import { createHttpServer } from "./http/server.js";
import { createMetrics, metricsObserver } from "./http/metrics.js";
import { createRedis } from "./jobs/redis.js";
import { createLogger, type Logger } from "./logger.js";
import { createServices, type ServiceDeps, type Services } from "./services/index.js";
import { createPrisma, createStore, type Store } from "./store/index.js";

export interface StartOptions {
  log?: Logger;
  /** Host to listen on; tests use loopback. */
  host?: string;
  /** Slack's acknowledgement budget for slash commands (tests shorten it). */
  slackAckBudgetMs?: number;
  now?: () => Date;
}

export interface RunningBot {
  port: number;
  core: Core;
  services: Services;
  stop(): Promise<void>;
}

/** One line for the operator: which platforms run, and why the others do not. */
export function platformSummary(config: Config): string {
  const slack = config.slack.enabled
    ? `Slack on (${config.slack.appToken ? "Socket Mode" : "HTTP at POST /slack/events"})`
    : `Slack off (${config.slack.reason})`;
  return `${slack}; WeChat off (not part of this build yet)`;
}

function serviceDeps(config: Config, store: Store, now?: () => Date): ServiceDeps {
  const rates = ratesToBase(config.baseCurrency, config.fxRates);
  return {
    store,
    settings: {
      baseCurrency: config.baseCurrency,
      ratesToBase: new Map([...rates].map(([code, rate]) => [code, rate.toString()])),
      clvLifespanMonths: config.clvLifespanMonths,
      adminUserIds: config.slack.adminUserIds,
    },
    now: now ?? (() => new Date()),
  };
}

/** The composition root: the only place that wires store, services, core, adapters and HTTP. */
export async function start(config: Config, options: StartOptions = {}): Promise<RunningBot> {
  const log = options.log ?? createLogger(config.logLevel);
  const prisma = createPrisma({ url: config.databaseUrl, poolMax: config.databasePoolMax, connectionTimeoutMs: 3_000 });
  const store = createStore(prisma);
  const redis = createRedis(config.redisUrl);
  const services = createServices(serviceDeps(config, store, options.now));
  const metrics = createMetrics();
  const core = createCore({
    services,
    defaultLocale: config.defaultLocale,
    defaultTimezone: config.defaultTimezone,
    observer: metricsObserver(metrics, (command, error) => log.error({ err: error, command }, "command failed")),
  });

  let slack: SlackAdapter | undefined;
  if (config.slack.enabled) {
    slack = createSlackAdapter({
      signingSecret: config.slack.signingSecret,
      botToken: config.slack.botToken,
      ...(config.slack.appToken ? { appToken: config.slack.appToken } : {}),
      apiUrl: config.slack.apiUrl,
      core,
      log,
      ...(options.slackAckBudgetMs !== undefined ? { ackBudgetMs: options.slackAckBudgetMs } : {}),
    });
  }

  const http = createHttpServer({
    port: config.port,
    ...(options.host ? { host: options.host } : {}),
    routes: [...(slack?.routes ?? [])],
    probes: [
      { name: "postgres", check: () => store.ping() },
      { name: "redis", check: async () => void (await redis.ping()) },
    ],
    metrics,
    log,
  });
  const port = await http.listen();
  await slack?.start();
  log.info({ port }, `listening on port ${port}; ${platformSummary(config)}`);

  return {
    port,
    core,
    services,
    async stop() {
      await http.close();
      await slack?.stop();
      redis.disconnect();
      await store.close();
    },
  };
}

/** A seeded rep the demo acts as; `npm run demo -- --as rep-li-na` picks another. */
const DEMO_REP = "rep-alex-chen";

/**
 * `npm run demo`: migrate, seed the demo data (once), and open the terminal adapter as one of
 * the seeded reps. No Slack or WeChat credentials and no HTTP listener are needed.
 */
async function demo(config: Config, args: string[]): Promise<void> {
  const flag = args.indexOf("--as");
  const as = (flag >= 0 ? args[flag + 1] : undefined) ?? DEMO_REP;
  console.error("Applying database migrations…");
  execFileSync("npx", ["prisma", "migrate", "deploy"], { stdio: ["ignore", "ignore", "inherit"], env: process.env });
  const prisma = createPrisma({ url: config.databaseUrl, poolMax: 4 });
  const seeded = await seedDemoData(prisma);
  console.error(seeded.skipped ? "Demo data already present." : `Seeded ${seeded.customers} customers, ${seeded.orders} orders, ${seeded.interactions} interactions.`);
  const store = createStore(prisma);
  const rep = await store.users.findByIdentity("local", as);
  const services = createServices(serviceDeps(config, store));
  const core = createCore({ services, defaultLocale: config.defaultLocale, defaultTimezone: config.defaultTimezone });
  await runTerminal({
    core,
    actor: { platform: "local", externalId: as, displayName: rep?.displayName ?? as, ...(rep?.timezone ? { timezone: rep.timezone } : {}), locale: config.defaultLocale },
    input: process.stdin,
    output: process.stdout,
    banner: `You are ${rep?.displayName ?? as}. Type /crm help, /customer Acme, /top 5 … a number presses a button; exit quits.`,
  });
  await store.close();
}

async function main(): Promise<void> {
  // A local .env is a convenience for development; real environment variables win.
  if (existsSync(".env")) process.loadEnvFile(".env");
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const args = process.argv.slice(2);
  if (args[0] === "demo") {
    await demo(config, args.slice(1));
    return;
  }
  const log = createLogger(config.logLevel);
  const bot = await start(config, { log });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    bot.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
