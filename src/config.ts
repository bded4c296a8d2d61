import { isAbsolute } from "node:path";
import { z } from "zod";
import { DEFAULT_LIFESPAN_MONTHS, DEFAULT_MIN_OBSERVATION_MONTHS } from "./domain/customers/clv.js";
import { isSupportedCurrency } from "./domain/money.js";
import { defaultConfirmAbove } from "./domain/order-guard.js";
import { parseDuration } from "./domain/surveys/survey-policy.js";
import { isPhoneRegion } from "./domain/customers/phone-number.js";
import { parseClusterNodes, type RedisClusterTarget } from "./jobs/redis-target.js";

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

const isTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a ${protocols.join(" or ")} URL`);

const ratesList = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const rates: Record<string, string> = {};
    for (const pair of (v ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
      const m = /^([A-Za-z]{3})=(\d+(?:\.\d+)?)$/.exec(pair);
      if (!m || !isSupportedCurrency(m[1]!) || Number(m[2]) <= 0) {
        ctx.addIssue({ code: "custom", message: `"${pair}" is not CODE=rate with a known currency, e.g. USD=7.1,EUR=7.7` });
        continue;
      }
      rates[m[1]!.toUpperCase()] = m[2]!;
    }
    return rates;
  });

/** What a data encryption key must be; the message never repeats the value. */
const KEY_FORMAT = "must be 32 random bytes in base64 (44 characters), such as the output of: openssl rand -base64 32";

/** 32 bytes from standard or URL-safe base64, or undefined. */
function dataKeyBytes(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) return undefined;
  const bytes = Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  return bytes.length === 32 ? bytes : undefined;
}

const schema = z.object({
  // Unset: `npm start` and `npm run demo` run on the embedded database (loadConfig's option).
  DATABASE_URL: url(["postgres:", "postgresql:"]).optional(),
  EMBEDDED_DATABASE_DIR: optional,
  DATABASE_POOL_MAX: z.coerce.number({ error: "must be a whole number from 1 to 200" }).int().min(1).max(200).default(10),
  // Webhook and command paths answer within seconds: a statement or lock wait past this is cancelled.
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number({ error: "must be a whole number of milliseconds from 100 to 600000, such as 5000" }).int().min(100).max(600_000).default(5_000),
  DATABASE_LOCK_TIMEOUT_MS: z.coerce.number({ error: "must be a whole number of milliseconds from 100 to 600000, such as 2000" }).int().min(100).max(600_000).default(2_000),
  // Jobs (the nightly scan, rollups, digests) run on a pool of their own with longer limits.
  JOBS_STATEMENT_TIMEOUT_MS: z.coerce.number({ error: "must be a whole number of milliseconds from 100 to 3600000, such as 600000" }).int().min(100).max(3_600_000).default(600_000),
  JOBS_LOCK_TIMEOUT_MS: z.coerce.number({ error: "must be a whole number of milliseconds from 100 to 3600000, such as 10000" }).int().min(100).max(3_600_000).default(10_000),
  OUTBOX_GIVE_UP_AFTER_HOURS: z.coerce.number({ error: "must be a number of hours from 1 to 720, such as 24" }).positive().min(1).max(720).default(24),
  // Imports: the largest CSV or XLSX file taken (a chat upload is refused before it is downloaded).
  IMPORT_MAX_BYTES: z.coerce.number({ error: "must be a whole number of bytes from 1024 to 1073741824, such as 20971520 (20 MB)" }).int().min(1_024).max(1_073_741_824).default(20 * 1_048_576),
  // Exports: up to this many rows are written while the rep waits; larger ones by a worker, into the rep's DM.
  EXPORT_INLINE_MAX_ROWS: z.coerce.number({ error: "must be a whole number of rows from 0 to 10000000, such as 20000" }).int().min(0).max(10_000_000).default(20_000),
  REDIS_URL: url(["redis:", "rediss:"]).default("redis://127.0.0.1:6379"),
  // Redis Cluster: seed nodes instead of REDIS_URL (src/jobs/redis-target.ts says what an entry may be).
  REDIS_CLUSTER_NODES: optional.transform((v, ctx) => {
    if (v === undefined) return undefined;
    const parsed = parseClusterNodes(v);
    if (parsed.ok) return parsed.target;
    ctx.addIssue({ code: "custom", message: parsed.problem });
    return z.NEVER;
  }),
  PORT: z.coerce.number({ error: "must be a port number from 0 to 65535" }).int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SLACK_SIGNING_SECRET: optional,
  SLACK_BOT_TOKEN: optional.refine((v) => v === undefined || v.startsWith("xoxb-"), "must be a bot token (xoxb-...)"),
  SLACK_APP_TOKEN: optional.refine((v) => v === undefined || v.startsWith("xapp-"), "must be an app-level token (xapp-...)"),
  SLACK_API_URL: url(["http:", "https:"]).default("https://slack.com/api/"),
  ADMIN_SLACK_USER_IDS: z
    .string()
    .optional()
    .transform((v) => (v ?? "").split(",").map((s) => s.trim()).filter(Boolean)),
  DEFAULT_TIMEZONE: z.string().refine(isTimeZone, "must be an IANA time zone such as Asia/Shanghai").default("Asia/Shanghai"),
  DEFAULT_LOCALE: z.enum(["en", "zh-CN"]).default("en"),
  DEFAULT_PHONE_REGION: z
    .string()
    .default("CN")
    .transform((v) => v.trim().toUpperCase())
    .refine(isPhoneRegion, "must be a two-letter ISO 3166 country code, such as CN or US"),
  CLV_LIFESPAN_MONTHS: z.coerce.number({ error: "must be a number of months, such as 36" }).positive().max(600).default(DEFAULT_LIFESPAN_MONTHS),
  CLV_MIN_OBSERVATION_MONTHS: z.coerce.number({ error: "must be a number of months, such as 3" }).positive().max(120).default(DEFAULT_MIN_OBSERVATION_MONTHS),
  BASE_CURRENCY: z
    .string()
    .default("CNY")
    .transform((v) => v.toUpperCase())
    .refine(isSupportedCurrency, "must be an ISO 4217 code the bot knows, such as CNY or USD"),
  FX_RATES: ratesList,
  ORDER_CONFIRM_ABOVE: optional.refine(
    (v) => v === undefined || (/^\d+(?:\.\d{1,2})?$/.test(v) && Number(v) > 0 && Number(v) <= 1e12),
    "must be an amount in the base currency above 0, such as 500000",
  ),
  FOLLOW_UP_AFTER_DAYS: z.coerce.number({ error: "must be a whole number of days, such as 30" }).int().min(1).max(3650).default(30),
  // An open deal with no activity this long nudges its owner once per quiet spell.
  DEAL_STALE_DAYS: z.coerce.number({ error: "must be a whole number of days, such as 14" }).int().min(1).max(3650).default(14),
  // Audit trail: whole months of the audit log older than this are dropped; 0 keeps them for ever.
  AUDIT_RETENTION_MONTHS: z.coerce.number({ error: "must be a whole number of months from 0 (keep for ever) to 1200, such as 24" }).int().min(0).max(1200).default(24),
  WECHAT_APP_ID: optional,
  WECHAT_APP_SECRET: optional,
  WECHAT_TOKEN: optional,
  WECHAT_ENCODING_AES_KEY: optional.refine((v) => v === undefined || /^[A-Za-z0-9+/]{43}$/.test(v), "must be the 43-character EncodingAESKey from the Official Account settings"),
  WECHAT_API_BASE_URL: url(["http:", "https:"]).default("https://api.weixin.qq.com"),
  WECHAT_INBOX_CHANNEL: optional.refine((v) => v === undefined || /^[CG][A-Z0-9]{6,}$/.test(v), "must be a Slack channel id such as C0123ABCD (channel details > About), not its name"),
  WECHAT_ERASE_ON_UNSUBSCRIBE: z
    .enum(["true", "false", "1", "0", "yes", "no", "on", "off"], { error: "must be true or false" })
    .default("true")
    .transform((v) => ["true", "1", "yes", "on"].includes(v)),
  WECHATY_PUPPET: z.string().regex(/^(official-account|(@[a-z0-9-]+\/)?wechaty-puppet-[a-z0-9-]+)$/, "must be official-account (the default) or a Wechaty puppet package such as wechaty-puppet-service").default("official-account"),
  WECHATY_PUPPET_TOKEN: optional,
  SURVEY_AFTER_IDLE: z
    .string()
    .default("2h")
    .transform((v, ctx) => {
      const ms = parseDuration(v);
      if (ms === undefined || ms > 30 * 86_400_000) {
        ctx.addIssue({ code: "custom", message: "must be a duration such as 2h, 90m or 1d (at most 30d)" });
        return z.NEVER;
      }
      return ms;
    }),
  SURVEY_COOLDOWN_DAYS: z.coerce.number({ error: "must be a whole number of days, such as 30" }).int().min(0).max(3650).default(30),
  WECHAT_SURVEY_TEMPLATE_ID: optional.refine((v) => v === undefined || /^[A-Za-z0-9_-]{10,64}$/.test(v), "must be the template id from the Official Account's template message settings"),
  // Encryption at rest: 32 random bytes in base64 (openssl rand -base64 32); old keys while rotating.
  DATA_ENCRYPTION_KEY: optional.transform((v, ctx) => {
    if (v === undefined) return undefined;
    const key = dataKeyBytes(v);
    if (key) return key;
    ctx.addIssue({ code: "custom", message: KEY_FORMAT });
    return z.NEVER;
  }),
  DATA_ENCRYPTION_OLD_KEYS: optional.transform((v, ctx) => {
    const keys: Buffer[] = [];
    for (const [i, item] of (v ?? "").split(",").map((s) => s.trim()).filter(Boolean).entries()) {
      const key = dataKeyBytes(item);
      if (key) keys.push(key);
      else ctx.addIssue({ code: "custom", message: `entry ${i + 1}: ${KEY_FORMAT} (comma-separated)` });
    }
    return keys;
  }),
  BULLMQ_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, "must be letters, digits, - or _ (at most 40)").default("crm"),
  // Backups (npm run crm -- backup|restore): where pg_dump and pg_restore are, when not found by themselves.
  PG_BIN_DIR: optional.refine((v) => v === undefined || isAbsolute(v), "must be an absolute directory path holding pg_dump and pg_restore, such as /usr/lib/postgresql/16/bin"),
});

type Env = z.infer<typeof schema>;

export interface Config {
  /** Empty while embeddedDatabase: main.ts starts the embedded server and fills it in. */
  databaseUrl: string;
  /** DATABASE_URL unset and the caller allowed it: run on the embedded PGlite database. */
  embeddedDatabase: boolean;
  /** EMBEDDED_DATABASE_DIR: where the embedded database keeps its data (default .data/pglite). */
  embeddedDatabaseDir?: string;
  databasePoolMax: number;
  /** statement_timeout and lock_timeout of the app's pool (webhooks, commands) and of the jobs' pool. */
  databaseTimeouts: { statementMs: number; lockMs: number };
  jobsDatabaseTimeouts: { statementMs: number; lockMs: number };
  /** An outgoing message is retried through temporary errors and rate limits until this old, then failed. */
  outboxGiveUpAfterMs: number;
  /** IMPORT_MAX_BYTES: the largest file an import takes. */
  importMaxBytes: number;
  redisUrl: string;
  /** A Redis Cluster (REDIS_CLUSTER_NODES); when set, every Redis connection goes to it and redisUrl is unused. */
  redisCluster?: RedisClusterTarget;
  port: number;
  logLevel: Env["LOG_LEVEL"];
  slack:
    | { enabled: true; signingSecret: string; botToken: string; appToken?: string; apiUrl: string; adminUserIds: string[] }
    | { enabled: false; reason: string; apiUrl: string; adminUserIds: string[] };
  defaultTimezone: string;
  defaultLocale: "en" | "zh-CN";
  /** ISO 3166 alpha-2 region of phone numbers written without a country code (contacts). */
  defaultPhoneRegion: string;
  clvLifespanMonths: number;
  /** Purchase frequency (and so CLV) is measured over at least this many months; shorter histories are early estimates. */
  clvMinObservationMonths: number;
  baseCurrency: string;
  fxRates: Record<string, string>;
  /** Orders above this, in the base currency (a decimal string), are confirmed before they are written. */
  orderConfirmAbove: string;
  /** EXPORT_INLINE_MAX_ROWS: larger exports are written by a worker and sent to the rep's DM. */
  exportInlineMaxRows: number;
  /** Prefix of every BullMQ key in Redis. */
  jobsPrefix: string;
  /** An active customer nobody talked to for this many days reminds its owner. */
  followUpAfterDays: number;
  /** DEAL_STALE_DAYS: an open deal quiet this long nudges its owner. */
  dealStaleDays: number;
  /** AUDIT_RETENTION_MONTHS: months of the audit log kept (whole months older are dropped); 0 keeps all. */
  auditRetentionMonths: number;
  wechat:
    | { enabled: true; mode: "official-account"; appId: string; appSecret: string; token: string; encodingAesKey?: string; apiBaseUrl: string }
    /** Another Wechaty puppet (WeCom through wechaty-puppet-service, say), loaded by package name. */
    | { enabled: true; mode: "wechaty"; puppet: string; puppetToken?: string }
    | { enabled: false; reason: string };
  /** Slack channel (id) where WeChat conversations are mirrored as threads; off when unset. */
  wechatInboxChannel?: string;
  /** WeChat's rule: a person who unfollows has their personal data erased. */
  wechatEraseOnUnsubscribe: boolean;
  /** A WeChat conversation quiet this long (ms) after a rep answered gets the CSAT survey. */
  surveyAfterIdleMs: number;
  /** At most one automatic survey per contact in this many days. */
  surveyCooldownDays: number;
  /** WeChat template message for surveys outside the 48-hour window; none: surveys wait. */
  wechatSurveyTemplateId?: string;
  /**
   * Encryption at rest of personal details: the key new values are written with
   * (DATA_ENCRYPTION_KEY; unset, see src/store/encryption/data-keys.ts) and older ones still read while
   * they are rotated (DATA_ENCRYPTION_OLD_KEYS).
   */
  dataEncryption: { key?: Buffer; oldKeys: Buffer[] };
  /** PG_BIN_DIR: the directory of pg_dump and pg_restore for backups; unset, they are looked for on PATH and in Postgres' usual install directories. */
  pgBinDir?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/**
 * Reads the environment once, at start. Every problem is reported at once, naming the
 * variable; a platform's secrets are required only when that platform is switched on.
 */
export function loadConfig(rawEnv: NodeJS.ProcessEnv = process.env, options: { allowEmbeddedDatabase?: boolean } = {}): Config {
  // An empty variable (PORT= in a .env) means "not set", never zero or an empty secret.
  const env = Object.fromEntries(Object.entries(rawEnv).filter(([, v]) => v !== undefined && v.trim() !== ""));
  const parsed = schema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? "environment");
      problems.push(issue.code === "invalid_type" && env[name] === undefined ? `${name} is required` : `${name}: ${issue.message}`);
    }
  }
  // Only the bot and the demo can start the embedded database; every other tool needs a server.
  if (env.DATABASE_URL === undefined && !options.allowEmbeddedDatabase) problems.push("DATABASE_URL is required");
  // Pairs are checked on the raw values so they are reported along with every other problem.
  const hasSecret = env.SLACK_SIGNING_SECRET !== undefined;
  const hasToken = env.SLACK_BOT_TOKEN !== undefined;
  if (hasSecret !== hasToken) {
    problems.push(
      hasSecret
        ? "SLACK_BOT_TOKEN is required when SLACK_SIGNING_SECRET is set (Slack needs both)"
        : "SLACK_SIGNING_SECRET is required when SLACK_BOT_TOKEN is set (Slack needs both)",
    );
  }
  if (env.REDIS_CLUSTER_NODES !== undefined && env.REDIS_URL !== undefined) problems.push("REDIS_URL and REDIS_CLUSTER_NODES are both set: REDIS_URL names one Redis, REDIS_CLUSTER_NODES a Redis Cluster; unset one of them");
  if (env.SLACK_APP_TOKEN !== undefined && !hasToken) problems.push("SLACK_APP_TOKEN (Socket Mode) needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET too");
  const wechatNames = ["WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_TOKEN"] as const;
  const wechatMissing = wechatNames.filter((n) => env[n] === undefined);
  if (wechatMissing.length > 0 && wechatMissing.length < wechatNames.length) {
    problems.push(`${wechatMissing.join(" and ")} ${wechatMissing.length > 1 ? "are" : "is"} required when ${wechatNames.filter((n) => !wechatMissing.includes(n)).join(" and ")} ${wechatNames.length - wechatMissing.length > 1 ? "are" : "is"} set (WeChat needs all three)`);
  }
  if (env.WECHAT_INBOX_CHANNEL !== undefined && !(hasSecret && hasToken)) problems.push("WECHAT_INBOX_CHANNEL is a Slack channel: it needs SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN");
  const otherPuppet = env.WECHATY_PUPPET !== undefined && env.WECHATY_PUPPET !== "official-account";
  if (otherPuppet && wechatMissing.length < wechatNames.length) problems.push(`WECHATY_PUPPET=${env.WECHATY_PUPPET} replaces the Official Account: leave WECHAT_APP_ID, WECHAT_APP_SECRET and WECHAT_TOKEN unset, or WECHATY_PUPPET unset`);
  if (env.WECHAT_SURVEY_TEMPLATE_ID !== undefined && wechatMissing.length > 0) problems.push("WECHAT_SURVEY_TEMPLATE_ID is an Official Account template: it needs WECHAT_APP_ID, WECHAT_APP_SECRET and WECHAT_TOKEN");
  if (env.WECHAT_ENCODING_AES_KEY !== undefined && wechatMissing.length > 0) problems.push("WECHAT_ENCODING_AES_KEY (safe mode) needs WECHAT_APP_ID, WECHAT_APP_SECRET and WECHAT_TOKEN too");
  const e = parsed.data;
  if (problems.length > 0 || !e) throw new ConfigError(problems);

  const slack: Config["slack"] =
    e.SLACK_SIGNING_SECRET && e.SLACK_BOT_TOKEN
      ? {
          enabled: true,
          signingSecret: e.SLACK_SIGNING_SECRET,
          botToken: e.SLACK_BOT_TOKEN,
          ...(e.SLACK_APP_TOKEN ? { appToken: e.SLACK_APP_TOKEN } : {}),
          apiUrl: e.SLACK_API_URL,
          adminUserIds: e.ADMIN_SLACK_USER_IDS,
        }
      : { enabled: false, reason: "SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN are not set", apiUrl: e.SLACK_API_URL, adminUserIds: e.ADMIN_SLACK_USER_IDS };

  return {
    databaseUrl: e.DATABASE_URL ?? "",
    embeddedDatabase: e.DATABASE_URL === undefined,
    ...(e.EMBEDDED_DATABASE_DIR ? { embeddedDatabaseDir: e.EMBEDDED_DATABASE_DIR } : {}),
    databasePoolMax: e.DATABASE_POOL_MAX,
    databaseTimeouts: { statementMs: e.DATABASE_STATEMENT_TIMEOUT_MS, lockMs: e.DATABASE_LOCK_TIMEOUT_MS },
    jobsDatabaseTimeouts: { statementMs: e.JOBS_STATEMENT_TIMEOUT_MS, lockMs: e.JOBS_LOCK_TIMEOUT_MS },
    outboxGiveUpAfterMs: e.OUTBOX_GIVE_UP_AFTER_HOURS * 3_600_000,
    importMaxBytes: e.IMPORT_MAX_BYTES,
    redisUrl: e.REDIS_URL,
    ...(e.REDIS_CLUSTER_NODES ? { redisCluster: e.REDIS_CLUSTER_NODES } : {}),
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    slack,
    defaultTimezone: e.DEFAULT_TIMEZONE,
    defaultLocale: e.DEFAULT_LOCALE,
    defaultPhoneRegion: e.DEFAULT_PHONE_REGION,
    clvLifespanMonths: e.CLV_LIFESPAN_MONTHS,
    clvMinObservationMonths: e.CLV_MIN_OBSERVATION_MONTHS,
    baseCurrency: e.BASE_CURRENCY,
    fxRates: e.FX_RATES,
    orderConfirmAbove: e.ORDER_CONFIRM_ABOVE ?? defaultConfirmAbove(e.BASE_CURRENCY).toFixed(),
    exportInlineMaxRows: e.EXPORT_INLINE_MAX_ROWS,
    jobsPrefix: e.BULLMQ_PREFIX,
    followUpAfterDays: e.FOLLOW_UP_AFTER_DAYS,
    dealStaleDays: e.DEAL_STALE_DAYS,
    auditRetentionMonths: e.AUDIT_RETENTION_MONTHS,
    wechatEraseOnUnsubscribe: e.WECHAT_ERASE_ON_UNSUBSCRIBE,
    surveyAfterIdleMs: e.SURVEY_AFTER_IDLE,
    surveyCooldownDays: e.SURVEY_COOLDOWN_DAYS,
    ...(e.WECHAT_SURVEY_TEMPLATE_ID ? { wechatSurveyTemplateId: e.WECHAT_SURVEY_TEMPLATE_ID } : {}),
    dataEncryption: { ...(e.DATA_ENCRYPTION_KEY ? { key: e.DATA_ENCRYPTION_KEY } : {}), oldKeys: e.DATA_ENCRYPTION_OLD_KEYS },
    ...(e.PG_BIN_DIR ? { pgBinDir: e.PG_BIN_DIR } : {}),
    ...(e.WECHAT_INBOX_CHANNEL ? { wechatInboxChannel: e.WECHAT_INBOX_CHANNEL } : {}),
    wechat:
      e.WECHATY_PUPPET !== "official-account"
        ? { enabled: true, mode: "wechaty", puppet: e.WECHATY_PUPPET, ...(e.WECHATY_PUPPET_TOKEN ? { puppetToken: e.WECHATY_PUPPET_TOKEN } : {}) }
        : e.WECHAT_APP_ID && e.WECHAT_APP_SECRET && e.WECHAT_TOKEN
        ? {
            enabled: true,
            mode: "official-account",
            appId: e.WECHAT_APP_ID,
            appSecret: e.WECHAT_APP_SECRET,
            token: e.WECHAT_TOKEN,
            ...(e.WECHAT_ENCODING_AES_KEY ? { encodingAesKey: e.WECHAT_ENCODING_AES_KEY } : {}),
            apiBaseUrl: e.WECHAT_API_BASE_URL,
          }
        : { enabled: false, reason: "WECHAT_APP_ID, WECHAT_APP_SECRET and WECHAT_TOKEN are not set, nor WECHATY_PUPPET" },
  };
}
