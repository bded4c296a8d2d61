import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { spawn } from "node:child_process";
import { startTerminal } from "../adapters/local/terminal.js";
import { createSlackAdapter, type SlackAdapter } from "../adapters/slack/slack-adapter.js";
import { createSlackSender } from "../adapters/slack/slack-sender.js";
import { createSlackConversations } from "../adapters/slack/conversations.js";
import { createAccessTokens } from "../adapters/wechat/access-token.js";
import { createCustomerServiceApi } from "../adapters/wechat/customer-service-api.js";
import { PuppetOfficialAccount } from "../adapters/wechat/official-account-puppet.js";
import { createReplayGuard } from "../adapters/wechat/replay-guard.js";
import { templateData } from "../adapters/wechat/sender.js";
import { createWechatyBot, type WechatyBot, type WechatyBotOptions } from "../adapters/wechat/wechaty-bot.js";
import { seedDemoData } from "../prisma/seed-data.js";
import { createChartRenderer } from "./charts/render-pool.js";
import { ConfigError, loadConfig, type Config } from "./config.js";
import { DeliveryError, createCore, type Actor, type Core, type Notice, type RenderChart, type Route, type Sender } from "./core/index.js";
import { ratesToBase } from "./domain/money.js";
import { createHttpServer } from "./http/server.js";
import { createFormatter, resolveLocale, translator } from "./i18n/index.js";
import { importWords, progressMessage } from "./commands/views/import.js";
import { createMetrics, metricsObserver } from "./http/metrics.js";
import { createJobQueues } from "./jobs/queues.js";
import { createRateLimiter } from "./jobs/rate-limiter.js";
import { checkRedis, createRedis, createRedisErrors } from "./jobs/redis.js";
import { createSightings } from "./jobs/first-sightings.js";
import { startWorkers, type RunningWorkers } from "./jobs/workers.js";
import { createLogger, type Logger } from "./logger.js";
import {
  applyAdminList, createServices, deliverOutbox, dropFinishedHomePublishes, maintainAuditLog, deliverTerminalMessages, fireReminder, planNudges, processInbound, reconcileJobs, rollUpAnalytics, sweepInbound, runSurveyCheck, runSurveyTimer, scanCustomerStages, scoreSegmentsIfNeeded, sendDigest, runExportJob, runQueuedImport, type ImportJobHooks, type Deliverer, type ExportDelivery, type JobScheduler, type ServiceDeps, type Services,
} from "./services/index.js";
import { NO_JOBS, type ConversationDirectory } from "./services/ports.js";
import { checkDatabase, closePrisma, createPrisma, createStore, DataKeyError, FieldCipher, keyFileWarning, openDataKeys, type ClaimHolder, type Store } from "./store/index.js";
import { checkKeysAtStart } from "./data-keys-at-start.js";
import { EMBEDDED_DATA_DIR, EmbeddedDatabaseError, startEmbeddedDatabase, type EmbeddedDatabase } from "./embedded-database.js";

export type Role = "web" | "worker" | "all";

export interface StartOptions {
  log?: Logger;
  /** web: webhooks and probes; worker: jobs (reminders, outbox) and probes; all: both. */
  role?: Role;
  /** Host to listen on; tests use loopback. */
  host?: string;
  /** Slack's acknowledgement budget for slash commands (tests shorten it). */
  slackAckBudgetMs?: number;
  now?: () => Date;
  sweepEveryMs?: number;
  /**
   * The data encryption keys did not fit the stored data, found only once Postgres answered
   * (a refusal at start throws instead). main.ts exits; personal details stay held back anyway.
   */
  onDataKeyRefused?: (error: DataKeyError) => void;
  /** Where a key generated for a keyless install goes (default .data/data-encryption-key; tests use a temp dir). */
  dataKeyFile?: string;
  /** A Wechaty puppet instance to use instead of loading WECHATY_PUPPET by name (tests: the mock). */
  wechatyPuppet?: WechatyBotOptions["puppet"];
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
  const wechat = !config.wechat.enabled
    ? `WeChat off (${config.wechat.reason})`
    : config.wechat.mode === "official-account"
      ? `WeChat on (Official Account webhook at /wechat${config.wechat.encodingAesKey ? ", safe mode" : ""})`
      : `WeChat on (Wechaty puppet ${config.wechat.puppet})`;
  return `${slack}; ${wechat}`;
}

function serviceDeps(config: Config, store: Store, jobs: JobScheduler, now?: () => Date, conversations?: ConversationDirectory): ServiceDeps {
  const rates = ratesToBase(config.baseCurrency, config.fxRates);
  return {
    store,
    settings: {
      baseCurrency: config.baseCurrency,
      ratesToBase: new Map([...rates].map(([code, rate]) => [code, rate.toString()])),
      orderConfirmAbove: config.orderConfirmAbove,
      clvLifespanMonths: config.clvLifespanMonths,
      clvMinObservationMonths: config.clvMinObservationMonths,
      timeZone: config.defaultTimezone,
      adminUserIds: config.slack.adminUserIds,
      wechatEraseOnUnsubscribe: config.wechatEraseOnUnsubscribe,
      ...(config.wechatInboxChannel ? { wechatInboxChannel: config.wechatInboxChannel } : {}),
      defaultLocale: config.defaultLocale,
      defaultPhoneRegion: config.defaultPhoneRegion,
      importMaxBytes: config.importMaxBytes,
      surveyAfterIdleMs: config.surveyAfterIdleMs,
      surveyCooldownDays: config.surveyCooldownDays,
      auditRetentionMonths: config.auditRetentionMonths,
      exportInlineMaxRows: config.exportInlineMaxRows,
      wechatSurveyTemplate: config.wechatSurveyTemplateId !== undefined && config.wechat.enabled && config.wechat.mode === "official-account",
    },
    jobs,
    ...(conversations ? { conversations } : {}),
    now: now ?? (() => new Date()),
  };
}

/**
 * Who is in a conversation, as its platform says: Slack's channels may be shared with other
 * organisations (Slack Connect); other platforms have no such channels.
 */
function conversationDirectory(config: Config, log: Logger): ConversationDirectory | undefined {
  if (!config.slack.enabled) return undefined;
  const slack = createSlackConversations({ botToken: config.slack.botToken, apiUrl: config.slack.apiUrl, log });
  return { reach: async (platform, conversation, options) => (platform === "slack" ? slack.reach(conversation, options) : { kind: "internal" }) };
}

/** The composition root: the only place that wires store, services, core, jobs, adapters and HTTP. */
export async function start(config: Config, options: StartOptions = {}): Promise<RunningBot> {
  const log = options.log ?? createLogger(config.logLevel);
  const role = options.role ?? "all";
  const prisma = createPrisma({
    url: config.databaseUrl, poolMax: config.databasePoolMax, connectionTimeoutMs: 3_000,
    statementTimeoutMs: config.databaseTimeouts.statementMs, lockTimeoutMs: config.databaseTimeouts.lockMs,
  });
  // Encryption at rest: the keys are checked against the stored data before anything is served
  // (a refusal throws DataKeyError, one line for the operator).
  const keys = await checkKeysAtStart(prisma, config, log, {
    onRefused: options.onDataKeyRefused ?? (() => undefined),
    ...(options.dataKeyFile ? { keyFile: options.dataKeyFile } : {}),
  }).catch(async (error: unknown) => {
    await closePrisma(prisma);
    throw error;
  });
  const store = createStore(prisma, { cipher: keys.cipher, ...(options.now ? { now: options.now } : {}) });
  // Every Redis connection of the process reports through one place: a line per retry interval.
  const redisErrors = createRedisErrors(log);
  const redisCluster = config.redisCluster ? { redisCluster: config.redisCluster } : {};
  const redis = createRedis(config.redisCluster ?? config.redisUrl, { errors: redisErrors, source: "probe" });
  const queues = createJobQueues({ redisUrl: config.redisUrl, ...redisCluster, prefix: config.jobsPrefix, log, redisErrors });
  // Signed Slack requests and WeChat pushes already taken by any web process of this install.
  const sightings = createSightings({ redis, prefix: config.jobsPrefix, log });
  if (!(await queues.ready(2_000))) log.warn("Redis is not reachable yet: HTTP is served, reminders are saved, and workers start once it is back");
  const conversations = conversationDirectory(config, log);
  const deps = serviceDeps(config, store, queues, options.now, conversations);
  const services = createServices(deps);
  const metrics = createMetrics();
  const core = createCore({
    services,
    defaultLocale: config.defaultLocale,
    defaultTimezone: config.defaultTimezone,
    observer: metricsObserver(metrics, (command, error) => log.error({ err: error, command }, "command failed")),
  });

  // One pool of chart threads for the whole process (started on the first chart), shared by
  // Slack replies and outbox deliveries.
  const chartRenderer = createChartRenderer();
  const renderChart: RenderChart = (spec) => chartRenderer.png(spec);

  let slack: SlackAdapter | undefined;
  if (config.slack.enabled && role !== "worker") {
    slack = createSlackAdapter({
      signingSecret: config.slack.signingSecret,
      botToken: config.slack.botToken,
      ...(config.slack.appToken ? { appToken: config.slack.appToken } : {}),
      apiUrl: config.slack.apiUrl,
      core,
      log,
      ...(options.slackAckBudgetMs !== undefined ? { ackBudgetMs: options.slackAckBudgetMs } : {}),
      renderChart,
      sightings,
      importMaxBytes: config.importMaxBytes,
    });
  }

  // WeChat through Wechaty: our Official Account puppet (webhook routes in the web role), or any
  // other puppet by name. Every role gets the bot: the worker says outbox messages through it.
  let wechat: WechatyBot | undefined;
  const wechatRoutes: Route[] = [];
  if (config.wechat.enabled) {
    if (config.wechat.mode === "official-account") {
      const { appId, appSecret, apiBaseUrl, token, encodingAesKey } = config.wechat;
      const tokens = createAccessTokens({ redis, prefix: config.jobsPrefix, appId, appSecret, apiBaseUrl });
      const api = createCustomerServiceApi({ tokens, apiBaseUrl });
      // Every web process remembers signed pushes in Redis, so a captured one is refused at all of them.
      const replays = createReplayGuard({ sightings });
      const puppet = new PuppetOfficialAccount({ appId, token, ...(encodingAesKey ? { encodingAesKey } : {}), api, log, replays });
      if (role !== "worker") wechatRoutes.push(...puppet.routes());
      const templateId = config.wechatSurveyTemplateId;
      const sendNotice = templateId ? (openId: string, notice: Notice, key: string) => api.sendTemplate(openId, templateId, templateData(notice), key) : undefined;
      wechat = createWechatyBot({ puppet: options.wechatyPuppet ?? puppet, core, log, ...(sendNotice ? { sendNotice } : {}) });
    } else {
      const { puppet, puppetToken } = config.wechat;
      wechat = createWechatyBot({ puppet: options.wechatyPuppet ?? puppet, ...(puppetToken ? { puppetToken } : {}), core, log });
    }
  }

  let workers: RunningWorkers | undefined;
  let jobStore: Store | undefined;
  let reminderStore: Store | undefined;
  if (role !== "web") {
    // Jobs get a pool of their own with longer statement and lock timeouts than the webhook and
    // command paths (the nightly scan and the rollups run for minutes at scale).
    const workerStore = createStore(createPrisma({
      url: config.databaseUrl, poolMax: config.databasePoolMax, connectionTimeoutMs: 3_000,
      statementTimeoutMs: config.jobsDatabaseTimeouts.statementMs, lockTimeoutMs: config.jobsDatabaseTimeouts.lockMs,
    }), { cipher: keys.cipher, ...(options.now ? { now: options.now } : {}) });
    jobStore = workerStore;
    const jobDeps = serviceDeps(config, workerStore, queues, options.now, conversations);
    // Reminders fire and send from a small pool of their own: rollups, scans, exports and
    // reports hold the other pools' connections for seconds, and a due DM must not queue behind them.
    reminderStore = createStore(createPrisma({
      url: config.databaseUrl, poolMax: REMINDER_POOL_MAX, connectionTimeoutMs: 3_000,
      statementTimeoutMs: config.databaseTimeouts.statementMs, lockTimeoutMs: config.databaseTimeouts.lockMs,
    }), { cipher: keys.cipher, ...(options.now ? { now: options.now } : {}) });
    const reminderDeps = serviceDeps(config, reminderStore, queues, options.now, conversations);
    const senders: Record<string, Sender> = {};
    if (config.slack.enabled) senders.slack = createSlackSender({ botToken: config.slack.botToken, apiUrl: config.slack.apiUrl, renderChart, log });
    if (wechat) senders.wechat = wechat.sender;
    const senderFor = (platform: string): Sender => {
      const sender = senders[platform];
      if (!sender) throw new DeliveryError("permanent", `${platform} is not configured in this process`);
      return sender;
    };
    const delivererOf = (renderer: Core): Deliverer => ({
      deliver: async ({ id, platform, destination, payload }) => senderFor(platform).send(destination, await renderer.renderNotification(payload), id),
      findDelivered: async ({ id, platform, destination, payload }) => {
        const thread = (await renderer.renderNotification(payload).catch(() => undefined))?.thread;
        return senderFor(platform).findSent?.(destination, id, thread);
      },
    });
    const rateLimiter = createRateLimiter(redis, config.jobsPrefix);
    const io = { deliverer: delivererOf(core), rateLimiter, giveUpAfterMs: config.outboxGiveUpAfterMs };
    // A reminder's DM is read and rendered through the reminder pool too.
    const reminderCore = createCore({ services: createServices(reminderDeps), defaultLocale: config.defaultLocale, defaultTimezone: config.defaultTimezone });
    const reminderIo = { ...io, deliverer: delivererOf(reminderCore) };
    const deliverCounted = async (on: ServiceDeps, id: string, holder: ClaimHolder) => {
      const outcome = await deliverOutbox(on, on === reminderDeps ? reminderIo : io, id, holder);
      metrics.delivered(outcome);
      if (outcome === "failed") {
        const row = await on.store.outbox.get(id);
        log.error({ outboxId: id, platform: row?.platform, reason: row?.lastError }, "outgoing message failed for good");
      }
      return outcome;
    };
    // A finished export goes straight from the worker that wrote it to the rep's DM: its file is
    // a temporary one on this machine, so it cannot wait in the outbox for another worker.
    const exportDelivery: ExportDelivery = {
      deliver: async ({ runId, recipientId, file }) => {
        const rep = await workerStore.users.findById(recipientId);
        if (!rep) throw new DeliveryError("permanent", "the rep who asked for the export is gone");
        const message = await core.renderNotification({ type: "export.ready", runId, file });
        const sender = senderFor(rep.platform);
        if (sender.sendFiles) await sender.sendFiles(rep.externalId, message);
        else await sender.send(rep.externalId, message, `export-${runId}`);
      },
    };
    workers = startWorkers({
      redisUrl: config.redisUrl,
      ...redisCluster,
      prefix: config.jobsPrefix,
      log,
      redisErrors,
      defaultTimezone: config.defaultTimezone,
      ...(options.sweepEveryMs ? { sweepEveryMs: options.sweepEveryMs } : {}),
      handlers: {
        // The reminder's DM goes out in the same job (services/reminders/fire-reminder.ts).
        fireReminder: (id) => fireReminder(reminderDeps, id, (outboxId, holder) => deliverCounted(reminderDeps, outboxId, holder)),
        deliverOutbox: (id, holder) => deliverCounted(jobDeps, id, holder),
        surveyTimer: (id) => runSurveyTimer(jobDeps, id),
        surveyCheck: (id) => runSurveyCheck(jobDeps, id),
        digest: (id, firedAt) => sendDigest(jobDeps, id, firedAt),
        sweep: async () => ({ ...(await reconcileJobs(jobDeps, new Date(Date.now() + SWEEP_HORIZON_MS))), ...(await sweepInbound(jobDeps)) }),
        processInbound: (senderHash, rowId) => processInbound(jobDeps, senderHash, rowId),
        planNudges: () => planNudges(jobDeps, { quietDays: config.followUpAfterDays, defaultTimezone: config.defaultTimezone, dealStaleDays: config.dealStaleDays }),
        analyticsRollUp: () => rollUpAnalytics(jobDeps),
        auditMaintenance: async () => {
          const done = await maintainAuditLog(jobDeps);
          if (done.created.length + done.dropped.length + done.moved > 0) log.info(done, "audit log partitions maintained");
          // The day's other housekeeping: Home publishes done with.
          const homePublishes = await dropFinishedHomePublishes(jobDeps);
          if (homePublishes > 0) log.info({ homePublishes }, "finished Home publishes dropped from the outbox");
          return { ...done, homePublishes };
        },
        exportData: (id, lastAttempt) => runExportJob(jobDeps, exportDelivery, id, { lastAttempt }),
        importData: (id) => runQueuedImport(jobDeps, id, importHooks(config, senders)),
        stageScan: async (at) => {
          const result = await scanCustomerStages(jobDeps, { now: at, timeZone: config.defaultTimezone });
          // Owners who are not on Slack get no DM: say so, once per scan, where operators look.
          log.info({ ...result, scanAt: at.toISOString() }, "stage scan done");
          return result;
        },
      },
    });
    // Redis may have lost jobs while we were away: once the workers run, re-create every pending
    // one from its row.
    workers.started
      // The producer connection reconnects on its own timer: wait for it too, or the first
      // enqueue fails and the work waits for the next sweep.
      .then(async (running) => (running && (await queues.ready(30_000)) ? { ...(await reconcileJobs(jobDeps, new Date("9999-12-31T00:00:00Z"))), ...(await sweepInbound(jobDeps, 0)) } : undefined))
      .then(
        (counts) => counts && log.info(counts, "reconciled jobs with Postgres"),
        (error: unknown) => log.error({ err: error }, "reconcile at start failed; the sweep will retry"),
      );
    // Segments from the first day: an install never scored is scored now, not at the nightly scan
    // (segments only; stages and alerts stay with the scan). In the background, like the reconcile.
    scoreSegmentsIfNeeded(jobDeps).then(
      (first) => first && log.info({ customers: first.customers }, "scored customer segments for the first time"),
      (error: unknown) => log.error({ err: error }, "first segment scoring at start failed; /segment or the nightly scan will score"),
    );
  }
  // The dictionary of customer names (names found anywhere in a reminder's text) takes a second
  // or two to build at 100k customers: build it now rather than in a rep's first /remind.
  if (role !== "worker") {
    services.customersNamedIn("warm up").catch((error: unknown) => log.warn({ err: error }, "could not load customer names yet; the first lookup will"));
  }
  // The audit log's partitions for this month and the next ones, before the daily job first runs
  // (a write without one lands in the default partition, never fails).
  maintainAuditLog(deps).then(
    (done) => done.created.length + done.dropped.length + done.moved > 0 && log.info(done, "audit log partitions maintained"),
    (error: unknown) => log.warn({ err: error }, "could not maintain the audit log partitions at start; the daily job will"),
  );
  // Admins taken off ADMIN_SLACK_USER_IDS are reps from now on (their next use would do it too).
  applyAdminList(deps).then(
    (demoted) => demoted.length > 0 && log.info({ demoted: demoted.map((r) => r.externalId) }, "admins no longer in ADMIN_SLACK_USER_IDS are reps now"),
    (error: unknown) => log.warn({ err: error }, "could not apply ADMIN_SLACK_USER_IDS at start; each admin's next use will"),
  );

  const http = createHttpServer({
    port: config.port,
    ...(options.host ? { host: options.host } : {}),
    routes: [
      ...(slack?.routes ?? []),
      ...wechatRoutes,
    ],
    probes: [
      { name: "postgres", check: () => store.ping() },
      {
        name: "redis",
        check: async () => {
          // The producer connection fails at once while away; say so plainly rather than as ioredis' queue wording.
          if (redis.status !== "ready") throw new Error(`not reachable (connection ${redis.status})`);
          await checkRedis(redis);
        },
      },
    ],
    metrics,
    log,
  });
  const port = await http.listen();
  await slack?.start();
  await wechat?.start();
  log.info({ port, role }, `listening on port ${port} as ${role}; ${platformSummary(config)}`);

  return {
    port,
    core,
    services,
    async stop() {
      // Stop taking new work first, then let jobs in flight finish, then close connections.
      keys.stop();
      await http.close();
      await slack?.stop();
      await workers?.close();
      await chartRenderer.close();
      await wechat?.stop();
      await queues.close();
      redis.disconnect();
      await store.close();
      await jobStore?.close();
      await reminderStore?.close();
    },
  };
}

/**
 * What an import's worker says in the rep's language: the problems, and its progress in the chat
 * message that had the Import button (replaced through the platform's sender, best effort).
 */
function importHooks(config: Config, senders: Readonly<Record<string, Sender>>): ImportJobHooks {
  return {
    words: (locale) => importWords(translator(resolveLocale(locale, config.defaultLocale))),
    progress: async (run, done, total) => {
      const sender = run.platform ? senders[run.platform] : undefined;
      if (!sender?.edit || !run.channel || !run.messageTs) return;
      const locale = resolveLocale(run.locale, config.defaultLocale);
      await sender.edit(run.channel, run.messageTs, progressMessage({ t: translator(locale), f: createFormatter(locale, run.timezone) }, run, done, total));
    },
  };
}

/** The sweep looks this far ahead, so a job lost from Redis is re-created before it is due. */
const SWEEP_HORIZON_MS = 2 * 60_000;
/**
 * Connections for firing and sending reminders. A DM is about eight short statements; with 6
 * connections a loaded machine fired 50 a second, behind 10k due in a minute (bench/RESULTS.md).
 */
const REMINDER_POOL_MAX = 20;

/** Host, port and database of a DATABASE_URL, never its password. */
function databaseWhere(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "5432"}${u.pathname}`;
  } catch {
    return "DATABASE_URL";
  }
}

/** A seeded rep the demo acts as; `npm run demo -- --as rep-li-na` picks another. */
const DEMO_REP = "rep-alex-chen";

/** How often the demo looks for reminders that fell due and messages for its terminal. */
const DEMO_CLOCK_MS = 2_000;

/**
 * `npm run demo`: migrate, seed the demo data (once), and open the terminal adapter as one of
 * the seeded reps, in that rep's language and time zone as stored (never changed by the demo).
 * No Slack or WeChat credentials and no Redis are needed; with Redis, the bot's workers run too.
 */
async function demo(config: Config, args: string[]): Promise<void> {
  const flag = args.indexOf("--as");
  const as = flag >= 0 ? (args[flag + 1] ?? "") : DEMO_REP;
  console.error("Applying database migrations…");
  if (!(await migrate(config.databaseUrl))) {
    process.exitCode = 1;
    return;
  }
  const prisma = createPrisma({ url: config.databaseUrl, poolMax: 4 });
  // The demo needs no key: without DATA_ENCRYPTION_KEY one is generated into .data/ (data-keys.ts).
  let opened;
  try {
    opened = await openDataKeys(prisma, config.dataEncryption, { generate: true, phoneRegion: config.defaultPhoneRegion });
  } catch (error) {
    await closePrisma(prisma);
    if (!(error instanceof DataKeyError)) throw error;
    console.error(error.message);
    process.exitCode = 1;
    return;
  }
  const warning = keyFileWarning(opened);
  if (warning) console.error(warning);
  const cipher = new FieldCipher(opened.current, opened.old, { phoneRegion: config.defaultPhoneRegion });
  const seeded = await seedDemoData(prisma, { cipher });
  console.error(seeded.skipped ? "Demo data already present." : `Seeded ${seeded.customers} customers, ${seeded.orders} orders, ${seeded.interactions} interactions.`);
  const store = createStore(prisma, { cipher });
  const rep = as ? await store.users.findByIdentity("local", as) : null;
  if (!rep) {
    // One line naming the reps there are, each with the language they would get.
    const reps = await store.users.onPlatform("local");
    const t = translator(config.defaultLocale);
    const list = reps.map((r) => t("demo.rep", { id: r.externalId, name: r.displayName, language: translator(resolveLocale(r.locale, config.defaultLocale))("locale.name") }));
    const oneOf = new Intl.ListFormat(config.defaultLocale, { type: "disjunction" }).format(list);
    console.error(list.length > 0 ? t("demo.unknownRep", { id: as, reps: oneOf }) : t("demo.noReps"));
    process.exitCode = 1;
    await store.close();
    return;
  }
  const deps = serviceDeps(config, store, NO_JOBS);
  // The nightly job may never run here: score the customers now so /segment and the digest have segments.
  await scanCustomerStages(deps, { now: new Date(), timeZone: config.defaultTimezone });
  const workers = await demoWorkers(config);
  // With workers the terminal schedules real jobs; without, the demo's own clock below is all.
  const core = workers?.core ?? createCore({ services: createServices(deps), defaultLocale: config.defaultLocale, defaultTimezone: config.defaultTimezone });
  // The rep as stored: the core registers the actor again on every command, and a profile that
  // said otherwise would overwrite the rep's language or time zone.
  const actor: Actor = {
    platform: "local", externalId: rep.externalId, displayName: rep.displayName, ...(rep.locale ? { locale: rep.locale } : {}), ...(rep.timezone ? { timezone: rep.timezone } : {}),
  };
  const terminal = startTerminal({ core, actor, input: process.stdin, output: process.stdout, banner: core.translatorFor(actor)("demo.banner", { name: rep.displayName }) });

  // No workers run here, so the demo keeps the rep's clock itself: their reminders fire, and
  // every message waiting for them at the terminal (also ones a bot queued while no demo ran)
  // is shown and marked delivered, instead of waiting for a bot that could only fail them.
  const shown = {
    deliver: async ({ payload }: { payload: unknown }) => {
      // A message for a terminal that has just closed waits for the next demo, unseen not sent.
      if (!terminal.notify(await core.renderNotification(payload))) throw new DeliveryError("not-ready", "the demo's terminal has closed");
      return {};
    },
    findDelivered: async () => undefined,
  };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();
  let failing = false;
  const tick = () => {
    round = deliverTerminalMessages(deps, rep, shown).then(
      () => void (failing = false),
      (error: unknown) => {
        // Once per outage, not every two seconds.
        if (!failing) console.error(`Could not check for reminders: ${error instanceof Error ? error.message : String(error)}`);
        failing = true;
      },
    ).finally(() => {
      if (!stopped) timer = setTimeout(tick, DEMO_CLOCK_MS);
    });
  };
  tick();
  await terminal.closed;
  stopped = true;
  clearTimeout(timer);
  await round;
  await workers?.stop();
  await store.close();
}

/** Where Redis is, without a password, for a line on the terminal. */
function redisWhere(config: Config): string {
  if (config.redisCluster) return "the Redis Cluster (REDIS_CLUSTER_NODES)";
  try {
    const u = new URL(config.redisUrl);
    return `${u.hostname}:${u.port || "6379"}`;
  } catch {
    return "REDIS_URL";
  }
}

/** True when Redis answers within `ms` (the clients used by the bot do not queue commands while away). */
async function redisAnswers(config: Config, ms = 2_000): Promise<boolean> {
  const client = createRedis(config.redisCluster ?? config.redisUrl);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no answer")), ms);
      client.once("ready", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await checkRedis(client);
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * The bot's workers in the demo's process when Redis answers, so reminders, surveys and the
 * digest really fire; else one line saying timed jobs are off. The worker role: the demo takes no
 * Slack events or WeChat pushes, while messages for Slack or WeChat (when .env configures them)
 * are delivered as the bot would. Its HTTP listener (probes only) takes a free loopback port, and
 * its BullMQ keys a prefix of their own unless BULLMQ_PREFIX says otherwise: a bot on another
 * database may share this Redis.
 */
async function demoWorkers(config: Config): Promise<RunningBot | undefined> {
  const t = translator(config.defaultLocale);
  const redis = redisWhere(config);
  if (!(await redisAnswers(config))) {
    console.error(t("demo.jobsOff", { redis }));
    return undefined;
  }
  // Only errors, on stderr: the terminal is the demo's output.
  const log = createLogger(process.env.LOG_LEVEL ? config.logLevel : "error", process.stderr);
  const jobsPrefix = process.env.BULLMQ_PREFIX ? config.jobsPrefix : `${config.jobsPrefix}-demo`;
  try {
    const bot = await start({ ...config, port: 0, jobsPrefix }, { role: "worker", host: "127.0.0.1", log });
    console.error(t("demo.jobsOn", { redis }));
    return bot;
  } catch (error) {
    console.error(`${t("demo.jobsOff", { redis })} (${error instanceof Error ? error.message : String(error)})`);
    return undefined;
  }
}

/** `prisma migrate deploy` against `url`, its errors on stderr; false when it failed. */
async function migrate(url: string): Promise<boolean> {
  // Asynchronous on purpose: the embedded database answers from this very process.
  const child = spawn("npx", ["prisma", "migrate", "deploy"], { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, DATABASE_URL: url } });
  const code = await new Promise<number | null>((resolve) => {
    child.on("error", () => resolve(-1));
    child.on("exit", (exitCode) => resolve(exitCode));
  });
  if (code !== 0) console.error("Applying the database migrations failed (see above).");
  return code === 0;
}

async function main(): Promise<void> {
  // A local .env is a convenience for development; real environment variables win.
  if (existsSync(".env")) process.loadEnvFile(".env");
  let config: Config;
  try {
    config = loadConfig(process.env, { allowEmbeddedDatabase: true });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const args = process.argv.slice(2);
  const roleArg = args.find((a) => a.startsWith("--role="))?.slice("--role=".length) ?? "all";
  const role = roleArg === "web" || roleArg === "worker" || roleArg === "all" ? roleArg : undefined;
  if (args[0] !== "demo" && !role) {
    console.error(`--role must be web, worker or all (got "${roleArg}")`);
    process.exit(1);
  }
  const t = translator(config.defaultLocale);
  let embedded: EmbeddedDatabase | undefined;
  if (config.embeddedDatabase) {
    try {
      embedded = await startEmbeddedDatabase(config.embeddedDatabaseDir ? { dataDir: config.embeddedDatabaseDir } : {});
    } catch (error) {
      if (!(error instanceof EmbeddedDatabaseError)) throw error;
      console.error(error.message);
      process.exit(1);
    }
    config = { ...config, databaseUrl: embedded.url };
    console.error(t("demo.embeddedDatabase", { dir: config.embeddedDatabaseDir ?? EMBEDDED_DATA_DIR }));
  } else if (args[0] === "demo") {
    console.error(t("demo.database", { where: databaseWhere(config.databaseUrl) }));
  }
  // One plain line for a DATABASE_URL that cannot work, instead of a stack trace from the first query.
  const problem = await checkDatabase(config.databaseUrl);
  if (problem && (problem.lasting || args[0] === "demo")) {
    console.error(problem.message);
    process.exit(1);
  }
  if (args[0] === "demo") {
    await demo(config, args.slice(1));
    await embedded?.stop();
    return;
  }
  const log = createLogger(config.logLevel);
  if (embedded) {
    log.warn(`The embedded database (${config.embeddedDatabaseDir ?? EMBEDDED_DATA_DIR}) is for trying the bot out, not for production: it serves this one process only, so no second web or worker process can share it, and it is slower than a Postgres server. Set DATABASE_URL to run on one.`);
    // Nobody runs `npm run db:migrate` against a database that lives inside this process.
    if (!(await migrate(config.databaseUrl))) {
      await embedded.stop();
      process.exit(1);
    }
  }
  // A server that does not answer yet may be starting: serve probes (not ready) and keep trying.
  if (problem) log.warn({ database: problem.kind }, `${problem.message} /readyz reports not ready until it answers.`);
  let bot: RunningBot;
  try {
    bot = await start(config, {
      log,
      role: role ?? "all",
      // Found only once Postgres answered: the process cannot serve with keys that do not fit.
      onDataKeyRefused: () => process.exit(1),
    });
  } catch (error) {
    if (!(error instanceof DataKeyError)) throw error;
    // One plain line naming the variable, like a configuration error.
    console.error(error.message);
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    bot.stop().then(() => embedded?.stop()).then(
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
