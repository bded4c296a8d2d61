import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { extname, relative, resolve } from "node:path";
import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { EXPORT_FORMATS, formatOf, kindOf, readExportPeriod, type ExportFormat, type ExportPeriod } from "../domain/transfer/export-request.js";
import { DATA_KINDS, type DataKind } from "../domain/transfer/import-columns.js";
import { writeExport, type ExportRequest } from "../services/index.js";
import { CliUsageError, type CliCommand, type CliContext } from "./types.js";

/**
 * `npm run crm -- export <kind> [--format csv|xlsx] [--period …] [--out file]`: a full export, as
 * an admin sees it (every private detail), for the operator on the server. The file goes to
 * standard output, or to `--out` (written beside it first and renamed when complete, readable
 * by its owner only); the line saying how many rows goes to standard error, so `> file` stays clean.
 */
export interface ExportArguments {
  kind: DataKind;
  format: ExportFormat;
  period: ExportPeriod | null;
  out?: string;
  locale: "en" | "zh-CN";
  timeZone: string;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const OPTIONS = new Set(["--format", "-f", "--period", "-p", "--out", "-o", "--lang", "--tz"]);

/** Reads the arguments; `--period` takes every word up to the next option ("--period last quarter"). */
export function parseExportArguments(args: readonly string[], defaults: { locale: "en" | "zh-CN"; timeZone: string; now: Date }): ExportArguments {
  const positional: string[] = [];
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!arg.startsWith("-") || arg === "-") {
      positional.push(arg);
      continue;
    }
    if (!OPTIONS.has(name)) throw new CliUsageError(`Unknown option ${name}.`);
    const long = name === "-f" ? "--format" : name === "-p" ? "--period" : name === "-o" ? "--out" : name;
    if (values.has(long)) throw new CliUsageError(`${long} is given twice.`);
    const words: string[] = eq > 0 ? [arg.slice(eq + 1)] : [];
    if (eq < 0) {
      while (i + 1 < args.length && !OPTIONS.has(args[i + 1]!.split("=")[0]!)) {
        words.push(args[++i]!);
        if (long !== "--period") break;
      }
    }
    const value = words.join(" ").trim();
    if (!value) throw new CliUsageError(`${long} needs a value.`);
    values.set(long, value);
  }
  if (positional.length === 0) throw new CliUsageError(`Say what to export: ${DATA_KINDS.join(", ")}.`);
  if (positional.length > 1) throw new CliUsageError(`One kind of data at a time, not "${positional.join(" ")}". Put a period after --period.`);
  const kind = kindOf(positional[0]!);
  if (!kind) throw new CliUsageError(`Cannot export "${positional[0]}": choose ${DATA_KINDS.join(", ")}.`);

  const out = values.get("--out");
  const formatText = values.get("--format");
  const format = formatText ? formatOf(formatText) : out ? (formatOf(extname(out)) ?? "csv") : "csv";
  if (!format) throw new CliUsageError(`--format must be ${EXPORT_FORMATS.join(" or ")}, not "${formatText}".`);

  const lang = values.get("--lang") ?? defaults.locale;
  if (lang !== "en" && lang !== "zh-CN") throw new CliUsageError(`--lang must be en or zh-CN, not "${lang}".`);
  const timeZone = values.get("--tz") ?? defaults.timeZone;
  if (!isTimeZone(timeZone)) throw new CliUsageError(`--tz must be an IANA time zone such as Asia/Shanghai, not "${timeZone}".`);

  const periodText = values.get("--period") ?? "";
  const period = readExportPeriod(periodText, defaults.now, timeZone);
  if (period === undefined) throw new CliUsageError(`--period "${periodText}" is not a period: try "this month", "last quarter", "last 30 days", 2026, 本月 or all.`);
  return { kind, format, period, ...(out ? { out } : {}), locale: lang, timeZone };
}

/** Everything an admin sees: the command line runs with the operator's rights over the database. */
const OPERATOR = { id: "00000000-0000-0000-0000-000000000000", role: "ADMIN" as const, teamRepIds: [] };

async function run(ctx: CliContext, args: string[]): Promise<number> {
  const now = new Date();
  const parsed = parseExportArguments(args, { locale: ctx.config.defaultLocale, timeZone: ctx.config.defaultTimezone, now });
  const request: ExportRequest = { kind: parsed.kind, format: parsed.format, period: parsed.period, locale: parsed.locale, timeZone: parsed.timeZone };
  const deps = { store: ctx.store(), now: () => new Date(), settings: { baseCurrency: ctx.config.baseCurrency } };
  const reader = { viewer: OPERATOR, actorId: null, via: "cli" as const };

  if (!parsed.out) {
    if (parsed.format === "xlsx" && (ctx.out as { isTTY?: boolean }).isTTY) throw new CliUsageError("An xlsx file is binary: give --out file.xlsx, or redirect standard output to a file.");
    const rows = await writeExport(deps, reader, request, ctx.out as Writable);
    ctx.err.write(`Exported ${rows} ${parsed.kind} (${describe(parsed)}) as ${parsed.format}.\n`);
    return 0;
  }

  const file = resolve(parsed.out);
  const partial = `${file}.partial`;
  const stream = createWriteStream(partial, { mode: 0o600 });
  try {
    const rows = await writeExport(deps, reader, request, stream);
    if (!stream.writableFinished) await finished(stream);
    await rename(partial, file);
    const shown = relative(process.cwd(), file).startsWith("..") ? file : relative(process.cwd(), file);
    ctx.err.write(`Exported ${rows} ${parsed.kind} (${describe(parsed)}) as ${parsed.format} to ${shown}.\n`);
    return 0;
  } catch (error) {
    stream.destroy();
    await rm(partial, { force: true });
    throw error;
  }
}

function describe(parsed: ExportArguments): string {
  if (!parsed.period) return "all time";
  return `${parsed.period.from.toISOString()} to ${parsed.period.to.toISOString()}`;
}

export const exportCommand: CliCommand = {
  name: "export",
  summary: "customers, contacts, orders, interactions or surveys as CSV or XLSX: a full admin export, every private detail included",
  usage: "<kind> [--format csv|xlsx] [--period <period>] [--out <file>] [--lang en|zh-CN] [--tz <zone>]",
  run,
};
