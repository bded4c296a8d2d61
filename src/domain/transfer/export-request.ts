/**
 * What an export asks for, read from the words of `/crm export …` and of the operator's
 * `npm run crm -- export …`: the kind of data (English or Chinese words), the file format and
 * an optional period (the period phrases of the other commands, or a year such as "2026").
 */
import { DATA_KINDS, type DataKind } from "./import-columns.js";
import { parsePeriod, type ReportPeriod } from "../time/report-period.js";
import { startOfDate } from "../time/report-spans.js";

export const EXPORT_FORMATS = ["csv", "xlsx"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The instants an export covers: from inclusive, to exclusive, with how to name them. */
export interface ExportPeriod {
  from: Date;
  to: Date;
  /** A phrase of the period vocabulary ("this month"), or a calendar year. */
  label: ReportPeriod["label"] | { key: "year"; year: number };
}

const KIND_WORDS: Readonly<Record<string, DataKind>> = {
  customers: "customers", customer: "customers", clients: "customers", client: "customers", accounts: "customers", 客户: "customers", 客户列表: "customers",
  contacts: "contacts", contact: "contacts", people: "contacts", 联系人: "contacts",
  orders: "orders", order: "orders", sales: "orders", purchases: "orders", 订单: "orders", 销售: "orders",
  interactions: "interactions", interaction: "interactions", notes: "interactions", history: "interactions", activities: "interactions", logs: "interactions",
  沟通记录: "interactions", 沟通: "interactions", 记录: "interactions", 互动: "interactions", 跟进记录: "interactions",
  surveys: "surveys", survey: "surveys", feedback: "surveys", 调查: "surveys", 满意度调查: "surveys", 问卷: "surveys", 满意度: "surveys",
};

const FORMAT_WORDS: Readonly<Record<string, ExportFormat>> = {
  csv: "csv", ".csv": "csv", xlsx: "xlsx", ".xlsx": "xlsx", excel: "xlsx", 表格: "xlsx",
};

/** Words meaning "the whole history", which is also what no period means. */
const ALL_TIME = new Set(["all", "all time", "alltime", "everything", "ever", "全部", "所有", "全部时间", "所有时间", "全部数据"]);

export function kindOf(word: string): DataKind | undefined {
  return KIND_WORDS[word.normalize("NFKC").trim().toLowerCase()];
}

export function formatOf(word: string): ExportFormat | undefined {
  return FORMAT_WORDS[word.normalize("NFKC").trim().toLowerCase()];
}

/** "2026", "2026年", "in 2026", "year 2026": that calendar year in the zone. */
const YEAR = /^(?:(?:in|for|during|year)\s+)?(\d{4})\s*年?(?:度|全年)?$/iu;

/**
 * A period phrase as the other commands read it ("this month", "last quarter", "本月", "最近30
 * 天"), a year ("2026"), or "all time"; undefined when the text is none of these. The empty
 * text and "all time" give `null`: no period, every row.
 */
export function readExportPeriod(text: string, now: Date, timeZone: string): ExportPeriod | null | undefined {
  const phrase = text.normalize("NFKC").trim().replace(/\s+/g, " ");
  if (!phrase || ALL_TIME.has(phrase.toLowerCase())) return null;
  const year = YEAR.exec(phrase);
  if (year) {
    const y = Number(year[1]);
    if (y < 1900 || y > 9998) return undefined;
    return { from: startOfDate(`${y}-01-01`, timeZone), to: startOfDate(`${y + 1}-01-01`, timeZone), label: { key: "year", year: y } };
  }
  const period = parsePeriod(phrase, now, timeZone);
  // "last 30 days" ends now; a calendar period may end in the future, which changes nothing here.
  return period ? { from: period.from, to: period.to, label: period.label } : undefined;
}

export type ExportTextProblem =
  | { kind: "no-kind" }
  | { kind: "bad-kind"; word: string }
  | { kind: "two-formats"; words: [string, string] }
  | { kind: "bad-period"; text: string };

export interface ExportRequestWords {
  kind: DataKind;
  format: ExportFormat;
  period: ExportPeriod | null;
}

/**
 * "/crm export orders last quarter xlsx", "/crm 导出 订单 本季度 excel": the kind first, then a
 * period and a format in either order (csv when none is named). Chinese kind words may stand
 * without a space before the period ("订单本月").
 */
export function parseExportText(text: string, now: Date, timeZone: string): { request: ExportRequestWords } | { problem: ExportTextProblem } {
  const words = text.normalize("NFKC").trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return { problem: { kind: "no-kind" } };
  let first = words[0]!;
  let kind = kindOf(first);
  if (!kind) {
    // "订单本月": a Chinese kind word glued to what follows.
    const glued = Object.keys(KIND_WORDS).filter((w) => /\p{Script=Han}/u.test(w) && first.startsWith(w) && first.length > w.length).sort((a, b) => b.length - a.length)[0];
    if (!glued) return { problem: { kind: "bad-kind", word: first.slice(0, 40) } };
    kind = KIND_WORDS[glued]!;
    words.splice(0, 1, glued, first.slice(glued.length));
    first = glued;
  }
  const rest = words.slice(1);
  const formats = rest.map((w, i) => ({ w, i, format: formatOf(w) })).filter((f) => f.format !== undefined);
  if (formats.length > 1) return { problem: { kind: "two-formats", words: [formats[0]!.w, formats[1]!.w] } };
  const format = formats[0]?.format ?? "csv";
  const periodText = rest.filter((_, i) => i !== formats[0]?.i).join(" ");
  const period = readExportPeriod(periodText, now, timeZone);
  if (period === undefined) return { problem: { kind: "bad-period", text: periodText.slice(0, 60) } };
  return { request: { kind, format, period } };
}

export { DATA_KINDS, type DataKind };
