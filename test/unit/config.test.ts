import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";

const DATABASE_URL = "postgresql://crm@127.0.0.1:5432/crm";

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError, but the configuration loaded");
}

const mentions = (error: ConfigError, variable: string) => error.problems.some((p) => p.includes(variable));

describe("loadConfig", () => {
  it("gives the defaults when only DATABASE_URL is set", () => {
    const config = loadConfig({ DATABASE_URL });
    expect(config).toMatchObject({
      databaseUrl: DATABASE_URL,
      databasePoolMax: 10,
      port: 3000,
      redisUrl: "redis://127.0.0.1:6379",
      logLevel: "info",
      defaultTimezone: "Asia/Shanghai",
      defaultLocale: "en",
      clvLifespanMonths: 36,
      clvMinObservationMonths: 3,
      baseCurrency: "CNY",
      fxRates: {},
    });
    expect(config.slack.enabled).toBe(false);
    if (config.slack.enabled) throw new Error("unreachable");
    expect(config.slack.reason).toMatch(/SLACK_SIGNING_SECRET/);
    expect(config.slack.reason).toMatch(/SLACK_BOT_TOKEN/);
    expect(config.slack.adminUserIds).toEqual([]);
  });

  it("reads PORT from the env it is given", () => {
    expect(loadConfig({ DATABASE_URL, PORT: "8080" }).port).toBe(8080);
  });

  it("reads the values it is given", () => {
    const config = loadConfig({
      DATABASE_URL,
      PORT: "8080",
      REDIS_URL: "rediss://cache:6380",
      DEFAULT_TIMEZONE: "Europe/Berlin",
      DEFAULT_LOCALE: "zh-CN",
      CLV_LIFESPAN_MONTHS: "24",
      CLV_MIN_OBSERVATION_MONTHS: "6",
      BASE_CURRENCY: "usd",
      FX_RATES: "cny=0.14, EUR=1.08",
      LOG_LEVEL: "debug",
    });
    expect(config).toMatchObject({
      port: 8080,
      redisUrl: "rediss://cache:6380",
      defaultTimezone: "Europe/Berlin",
      defaultLocale: "zh-CN",
      clvLifespanMonths: 24,
      clvMinObservationMonths: 6,
      baseCurrency: "USD",
      fxRates: { CNY: "0.14", EUR: "1.08" },
      logLevel: "debug",
    });
  });

  it("reports every bad value at once, naming each variable", () => {
    const error = configError({ PORT: "abc", DEFAULT_TIMEZONE: "Mars/Base", SLACK_SIGNING_SECRET: "secret", FX_RATES: "XYZ=1" });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("ConfigError");
    for (const variable of ["DATABASE_URL", "PORT", "DEFAULT_TIMEZONE", "FX_RATES"]) {
      expect(mentions(error, variable), `${variable} in ${JSON.stringify(error.problems)}`).toBe(true);
    }
    expect(error.problems).toContain("DATABASE_URL is required");
    expect(error.message).toContain("DEFAULT_TIMEZONE");
  });

  it("reports a Slack secret without its token even when other values are bad too", () => {
    const error = configError({ PORT: "abc", DEFAULT_TIMEZONE: "Mars/Base", SLACK_SIGNING_SECRET: "secret", FX_RATES: "XYZ=1" });
    expect(mentions(error, "SLACK_BOT_TOKEN"), JSON.stringify(error.problems)).toBe(true);
  });

  it("reports a Slack secret without its token", () => {
    const error = configError({ DATABASE_URL, SLACK_SIGNING_SECRET: "secret" });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/SLACK_BOT_TOKEN is required when SLACK_SIGNING_SECRET is set/);
  });

  it("reports a Slack token without its secret", () => {
    const error = configError({ DATABASE_URL, SLACK_BOT_TOKEN: "xoxb-fake-test-token" });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/SLACK_SIGNING_SECRET is required when SLACK_BOT_TOKEN is set/);
  });

  it("treats empty Slack variables as unset", () => {
    expect(loadConfig({ DATABASE_URL, SLACK_SIGNING_SECRET: "  ", SLACK_BOT_TOKEN: "" }).slack.enabled).toBe(false);
  });

  it("treats an empty PORT as unset rather than as port 0", () => {
    expect(loadConfig({ DATABASE_URL, PORT: "" }).port).toBe(3000);
  });

  it("enables Slack when both the signing secret and the bot token are set", () => {
    const config = loadConfig({ DATABASE_URL, SLACK_SIGNING_SECRET: " secret ", SLACK_BOT_TOKEN: "xoxb-fake-test-token", ADMIN_SLACK_USER_IDS: "U1, U2,," });
    expect(config.slack).toEqual({
      enabled: true,
      signingSecret: "secret",
      botToken: "xoxb-fake-test-token",
      apiUrl: "https://slack.com/api/",
      adminUserIds: ["U1", "U2"],
    });
  });

  it("takes an app-level token for Socket Mode when it starts with xapp-", () => {
    const config = loadConfig({ DATABASE_URL, SLACK_SIGNING_SECRET: "secret", SLACK_BOT_TOKEN: "xoxb-fake-test-token", SLACK_APP_TOKEN: "xapp-1-abc" });
    expect(config.slack).toMatchObject({ enabled: true, appToken: "xapp-1-abc" });
  });

  it("refuses an app-level token that does not start with xapp-", () => {
    const error = configError({ DATABASE_URL, SLACK_SIGNING_SECRET: "secret", SLACK_BOT_TOKEN: "xoxb-fake-test-token", SLACK_APP_TOKEN: "xoxb-fake-test-token" });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^SLACK_APP_TOKEN: .*xapp-/);
  });

  it("refuses an app-level token without the bot token and secret", () => {
    const error = configError({ DATABASE_URL, SLACK_APP_TOKEN: "xapp-1-abc" });
    expect(mentions(error, "SLACK_APP_TOKEN")).toBe(true);
  });

  it("refuses a bot token that does not start with xoxb-", () => {
    const error = configError({ DATABASE_URL, SLACK_SIGNING_SECRET: "secret", SLACK_BOT_TOKEN: "xapp-123" });
    expect(error.problems.some((p) => p.startsWith("SLACK_BOT_TOKEN:"))).toBe(true);
  });

  it.each([
    ["DATABASE_URL", { DATABASE_URL: "mysql://crm@db/crm" }],
    ["DATABASE_URL", { DATABASE_URL: "not a url" }],
    ["REDIS_URL", { DATABASE_URL, REDIS_URL: "http://cache:6379" }],
    ["PORT", { DATABASE_URL, PORT: "70000" }],
    ["PORT", { DATABASE_URL, PORT: "80.5" }],
    ["DEFAULT_LOCALE", { DATABASE_URL, DEFAULT_LOCALE: "fr" }],
    ["CLV_LIFESPAN_MONTHS", { DATABASE_URL, CLV_LIFESPAN_MONTHS: "0" }],
    ["CLV_LIFESPAN_MONTHS", { DATABASE_URL, CLV_LIFESPAN_MONTHS: "601" }],
    ["CLV_MIN_OBSERVATION_MONTHS", { DATABASE_URL, CLV_MIN_OBSERVATION_MONTHS: "0" }],
    ["CLV_MIN_OBSERVATION_MONTHS", { DATABASE_URL, CLV_MIN_OBSERVATION_MONTHS: "three" }],
    ["CLV_MIN_OBSERVATION_MONTHS", { DATABASE_URL, CLV_MIN_OBSERVATION_MONTHS: "121" }],
    ["BASE_CURRENCY", { DATABASE_URL, BASE_CURRENCY: "XYZ" }],
    ["FX_RATES", { DATABASE_URL, FX_RATES: "USD=0" }],
    ["FX_RATES", { DATABASE_URL, FX_RATES: "USD:7.1" }],
    ["LOG_LEVEL", { DATABASE_URL, LOG_LEVEL: "verbose" }],
    ["WECHAT_INBOX_CHANNEL", { DATABASE_URL, WECHAT_INBOX_CHANNEL: "#wechat-inbox" }],
    ["WECHAT_INBOX_CHANNEL", { DATABASE_URL, WECHAT_INBOX_CHANNEL: "C0123ABCD" }],
    ["WECHAT_ERASE_ON_UNSUBSCRIBE", { DATABASE_URL, WECHAT_ERASE_ON_UNSUBSCRIBE: "maybe" }],
    ["WECHATY_PUPPET", { DATABASE_URL, WECHATY_PUPPET: "../../evil" }],
    ["WECHATY_PUPPET", { DATABASE_URL, WECHATY_PUPPET: "wechaty-puppet-service", WECHAT_APP_ID: "wx1", WECHAT_APP_SECRET: "s", WECHAT_TOKEN: "t" }],
  ] as const)("refuses a bad %s", (variable, env) => {
    const error = configError({ ...env });
    expect(mentions(error, variable), JSON.stringify(error.problems)).toBe(true);
  });

  it("reads the WeChat inbox, erasure and puppet settings", () => {
    const oa = loadConfig({ DATABASE_URL, WECHAT_APP_ID: "wx1", WECHAT_APP_SECRET: "s", WECHAT_TOKEN: "t", SLACK_SIGNING_SECRET: "x", SLACK_BOT_TOKEN: "xoxb-fake", WECHAT_INBOX_CHANNEL: "C0123ABCD", WECHAT_ERASE_ON_UNSUBSCRIBE: "false" });
    expect(oa.wechat).toMatchObject({ enabled: true, mode: "official-account", appId: "wx1" });
    expect(oa.wechatInboxChannel).toBe("C0123ABCD");
    expect(oa.wechatEraseOnUnsubscribe).toBe(false);
    expect(loadConfig({ DATABASE_URL }).wechatEraseOnUnsubscribe).toBe(true);
    const other = loadConfig({ DATABASE_URL, WECHATY_PUPPET: "wechaty-puppet-service", WECHATY_PUPPET_TOKEN: "tok" });
    expect(other.wechat).toEqual({ enabled: true, mode: "wechaty", puppet: "wechaty-puppet-service", puppetToken: "tok" });
  });

  it("reads the survey settings: idle time, cooldown and the template", () => {
    const defaults = loadConfig({ DATABASE_URL });
    expect(defaults.surveyAfterIdleMs).toBe(2 * 3_600_000);
    expect(defaults.surveyCooldownDays).toBe(30);
    expect(defaults.wechatSurveyTemplateId).toBeUndefined();
    const set = loadConfig({ DATABASE_URL, SURVEY_AFTER_IDLE: "90m", SURVEY_COOLDOWN_DAYS: "0", WECHAT_APP_ID: "wx1", WECHAT_APP_SECRET: "s", WECHAT_TOKEN: "t", WECHAT_SURVEY_TEMPLATE_ID: "tmpl_SurveyRating_0001" });
    expect(set.surveyAfterIdleMs).toBe(90 * 60_000);
    expect(set.surveyCooldownDays).toBe(0);
    expect(set.wechatSurveyTemplateId).toBe("tmpl_SurveyRating_0001");
  });

  it.each([
    [{ SURVEY_AFTER_IDLE: "soon" }, "SURVEY_AFTER_IDLE"],
    [{ SURVEY_AFTER_IDLE: "45d" }, "SURVEY_AFTER_IDLE"],
    [{ SURVEY_COOLDOWN_DAYS: "-1" }, "SURVEY_COOLDOWN_DAYS"],
    [{ WECHAT_SURVEY_TEMPLATE_ID: "tmpl_SurveyRating_0001" }, "WECHAT_SURVEY_TEMPLATE_ID"],
  ])("refuses %j, naming %s", (env, variable) => {
    const error = configError({ DATABASE_URL, ...env });
    expect(mentions(error, variable), JSON.stringify(error.problems)).toBe(true);
  });
});
