import { copyFile } from "node:fs/promises";
import { basename, dirname, extname, join, resolve } from "node:path";
import type { Config } from "../config.js";
import { AppError } from "../domain/errors.js";
import { IMPORT_KINDS, mappingOverrides, parseImportKind } from "../domain/transfer/import-mapping.js";
import { ratesToBase } from "../domain/money.js";
import { isMessageKey, translator, type Locale } from "../i18n/index.js";
import { fieldLabel, importWords } from "../commands/views/import.js";
import { importFile, type ServiceDeps } from "../services/index.js";
import { NO_JOBS } from "../services/ports.js";
import type { Rep, Store } from "../store/index.js";
import { CliUsageError, type CliCommand } from "./types.js";

/**
 * `npm run crm -- import <customers|contacts|orders|interactions> <file> [--dry-run] [--as <user>]
 * [--map "Header=field,…"] [--locale en|zh-CN]`: imports a file on the server with the same
 * rules and report as a file shared in chat. Progress goes to stderr, the report to stdout, the
 * problem rows to `<file>.problems.csv` beside the file. Exit code 0 when every row was taken,
 * 1 when rows failed or the file was refused (nothing written then), 2 for a usage mistake.
 */

function serviceDeps(config: Config, store: Store): ServiceDeps {
  const rates = ratesToBase(config.baseCurrency, config.fxRates);
  return {
    store,
    settings: {
      baseCurrency: config.baseCurrency, ratesToBase: new Map([...rates].map(([code, rate]) => [code, rate.toString()])), clvLifespanMonths: config.clvLifespanMonths,
      clvMinObservationMonths: config.clvMinObservationMonths, timeZone: config.defaultTimezone, adminUserIds: config.slack.adminUserIds,
      wechatEraseOnUnsubscribe: config.wechatEraseOnUnsubscribe, defaultLocale: config.defaultLocale, surveyAfterIdleMs: config.surveyAfterIdleMs,
      surveyCooldownDays: config.surveyCooldownDays, wechatSurveyTemplate: false, defaultPhoneRegion: config.defaultPhoneRegion, importMaxBytes: config.importMaxBytes,
    },
    jobs: NO_JOBS,
    now: () => new Date(),
  };
}

interface Options {
  kind: (typeof IMPORT_KINDS)[number];
  file: string;
  dryRun: boolean;
  as?: string;
  map?: string;
  locale?: Locale;
}

function parseArgs(args: string[]): Options {
  const rest: string[] = [];
  let dryRun = false;
  let as: string | undefined;
  let map: string | undefined;
  let locale: Locale | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--dry-run") dryRun = true;
    else if (a === "--as" || a === "--map" || a === "--locale") {
      const value = args[++i];
      if (value === undefined) throw new CliUsageError(`${a} needs a value.`);
      if (a === "--as") as = value;
      else if (a === "--map") map = value;
      else if (value === "en" || value === "zh-CN") locale = value;
      else throw new CliUsageError(`--locale must be en or zh-CN (got "${value}").`);
    } else if (a.startsWith("--")) throw new CliUsageError(`Unknown option ${a}.`);
    else rest.push(a);
  }
  const [kindWord, file, ...extra] = rest;
  if (!kindWord || !file || extra.length > 0) throw new CliUsageError("Give the kind of data and one file.");
  const kind = parseImportKind(kindWord);
  if (!kind) throw new CliUsageError(`"${kindWord}" is not a kind of data I import: ${IMPORT_KINDS.join(", ")}.`);
  return { kind, file, dryRun, ...(as ? { as } : {}), ...(map ? { map } : {}), ...(locale ? { locale } : {}) };
}

/** The user the import is recorded as: --as (a user id, a platform id such as U123, or a display name), else the only admin. */
async function importer(store: Store, as: string | undefined): Promise<Rep> {
  if (as) {
    const byId = /^[0-9a-f-]{36}$/i.test(as) ? await store.users.findById(as) : null;
    if (byId) return byId;
    for (const platform of ["slack", "local", "wechat"]) {
      const found = (await store.users.findByIdentity(platform, as)) ?? (await store.users.onPlatform(platform)).find((r) => r.displayName.toLowerCase() === as.toLowerCase());
      if (found) return found;
    }
    throw new CliUsageError(`No user "${as}": give a user id, a Slack user id or a display name of someone who has used the bot.`);
  }
  const admins = (await Promise.all(["slack", "local"].map((p) => store.users.withRoles(p, ["ADMIN"])))).flat();
  if (admins.length === 1) return admins[0]!;
  throw new CliUsageError(admins.length === 0 ? "No admin has used the bot yet: give --as <user> (an admin or manager)." : `Several admins (${admins.map((a) => a.displayName).join(", ")}): say which with --as <user>.`);
}

export const importCommand: CliCommand = {
  name: "import",
  summary: "import customers, contacts, orders or interactions from a CSV or XLSX file",
  usage: "<customers|contacts|orders|interactions> <file> [--dry-run] [--as <user>] [--map \"Header=field,…\"] [--locale en|zh-CN]",
  async run(ctx, args) {
    const options = parseArgs(args);
    const store = ctx.store();
    const rep = await importer(store, options.as);
    const locale: Locale = options.locale ?? (rep.locale === "zh-CN" || rep.locale === "en" ? rep.locale : ctx.config.defaultLocale);
    const t = translator(locale);
    const deps = serviceDeps(ctx.config, store);
    const tty = (ctx.err as NodeJS.WriteStream).isTTY === true;
    let shown = -1;
    const progress = (done: number, total: number) => {
      const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
      if (tty) ctx.err.write(`\r${bar(percent)} ${percent}% (${done}/${total})`);
      else if (Math.floor(percent / 10) !== shown) ctx.err.write(`${percent}% (${done}/${total})\n`);
      shown = Math.floor(percent / 10);
    };
    let result: Awaited<ReturnType<typeof importFile>>;
    try {
      result = await importFile(deps, rep, resolve(options.file), {
        kind: options.kind, ...(options.map ? { overrides: mappingOverrides(options.map) } : {}), dryRun: options.dryRun, timeZone: rep.timezone ?? ctx.config.defaultTimezone,
        locale, words: importWords(t), onProgress: progress,
      });
    } catch (error) {
      if (error instanceof AppError) {
        ctx.err.write(`${isMessageKey(error.userKey) ? t(error.userKey, error.params) : error.message}\n`);
        return 1;
      }
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        ctx.err.write(`No such file: ${options.file}\n`);
        return 1;
      }
      throw error;
    }
    if (tty) ctx.err.write("\n");
    const lines = [t("import.preview.title", { file: basename(options.file) }), t("import.preview.kind", { kind: t(`import.kind.${options.kind}`) })];
    lines.push(`${t("import.preview.columns")}: ${result.mapping.map((m) => (m.field ? t("import.mapped", { field: fieldLabel(options.kind, m.field, locale), header: m.header }) : null)).filter(Boolean).join(" · ")}`);
    if (!("outcome" in result)) {
      for (const p of result.mappingProblems) lines.push(p.kind === "missing" ? t("import.mapping.missing", { fields: p.fields.map((f) => fieldLabel(options.kind, f, locale)).join(t("import.or")) }) : p.kind === "twice" ? t("import.mapping.twice", { field: fieldLabel(options.kind, p.field, locale), first: p.headers[0], second: p.headers[1] }) : t("import.mapping.unknown", { field: p.field, header: p.header }));
      ctx.err.write(`${lines.join("\n")}\n`);
      return 1;
    }
    const o = result.outcome;
    lines.push(`${t("import.count.created")}: ${o.created}  ${t("import.count.updated")}: ${o.updated}  ${t("import.count.unchanged")}: ${o.unchanged}  ${t("import.count.failed")}: ${o.failed}`);
    if (options.dryRun) lines.push(t("import.cli.dryRun"));
    for (const p of o.firstProblems.slice(0, 10)) lines.push(t("import.problemLine", { row: p.row, text: p.problems.map((x) => importWords(t).describe(x)).join(" ") }));
    if (o.problemFile) {
      const target = join(dirname(resolve(options.file)), `${basename(options.file, extname(options.file))}.problems.csv`);
      await copyFile(o.problemFile.path, target);
      await o.problemFile.remove();
      lines.push(t("import.cli.problems", { count: o.failed, path: target }));
    }
    ctx.out.write(`${lines.join("\n")}\n`);
    return o.failed > 0 ? 1 : 0;
  },
};

function bar(percent: number): string {
  const filled = Math.round(percent / 5);
  return `[${"#".repeat(filled)}${"-".repeat(20 - filled)}]`;
}
