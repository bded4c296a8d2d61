import { once } from "node:events";
import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { stringify as stringifySync } from "csv-stringify/sync";
import ExcelJS from "exceljs";
import { COLUMNS, type ColumnDefinition, type DataKind } from "../../domain/transfer/import-columns.js";
import type { ExportFormat } from "../../domain/transfer/export-request.js";
import { escapeFormula } from "../../domain/transfer/spreadsheet-cell.js";
import type { ExportRow } from "../../store/exports/exports.js";

/** The languages headers are written in (the keys of a column's `header`). */
export type HeaderLocale = keyof ColumnDefinition["header"];

/**
 * Writes rows into a CSV or XLSX file as they come, never holding more than the batch it is
 * given: CSV through csv-stringify (UTF-8 with a BOM so Excel reads Chinese right, RFC 4180
 * quoting, CRLF), XLSX through exceljs' streaming WorkbookWriter (rows committed as written,
 * no shared-strings table). end() ends the output, as a pipe would (standard output stays open). Text cells that a spreadsheet would run as a formula are prefixed
 * with an apostrophe (domain/transfer/spreadsheet-cell.ts); amounts and scores in XLSX are number cells.
 */
export interface RowWriter {
  write(rows: readonly ExportRow[]): Promise<void>;
  /** Finishes the file; resolves when every byte is handed to the output. */
  end(): Promise<void>;
}

/** The value of a text cell: escaped. Numbers only in the columns that hold them. */
function textCell(value: string | null): string {
  return value === null ? "" : escapeFormula(value);
}

function csvCells(columns: readonly ColumnDefinition[], row: ExportRow): string[] {
  return columns.map((c) => (c.type === "decimal" || c.type === "integer" ? (row[c.key] ?? "") : textCell(row[c.key] ?? null)));
}

/**
 * A line break in an XLSX cell is a line feed, as Excel writes it: a carriage return in the
 * sheet's XML would not survive reading (XML reads CR LF as LF), so CR LF and a lone CR are
 * written as LF. CSV keeps every character.
 */
const xlsxText = (text: string): string => text.replace(/\r\n?/g, "\n");

function xlsxCells(columns: readonly ColumnDefinition[], row: ExportRow): (string | number | null)[] {
  return columns.map((c) => {
    const value = row[c.key] ?? null;
    if (value === null) return null;
    // Decimal(16,2) amounts below 1e12 (MAX_ORDER_AMOUNT) are exact as doubles to the cent.
    if (c.type === "decimal" || c.type === "integer") return Number(value);
    return escapeFormula(xlsxText(value));
  });
}

/** Waits while the output's buffer is full, so a slow disk or pipe holds back the reading. */
async function drained(out: Writable): Promise<void> {
  if (out.writableNeedDrain) await once(out, "drain");
}

/** RFC 4180 records with CRLF; every field holding a line break (CR or LF alone too) quoted. */
const CSV_OPTIONS = { record_delimiter: "windows", quoted_match: /[\r\n]/ } as const;
const BOM = "\uFEFF";

/**
 * Each batch becomes one chunk: csv-stringify's sync form over the batch's records, written
 * with one write. Streaming record by record through its transform cost three times the
 * reading in allocations and garbage collection for the same bytes.
 */
function csvWriter(kind: DataKind, locale: HeaderLocale, out: Writable): RowWriter {
  const columns = COLUMNS[kind];
  const failed = new Promise<never>((_, reject) => out.once("error", reject));
  failed.catch(() => undefined);
  let started = false;
  const push = async (records: string[][]) => {
    let text = stringifySync(records, CSV_OPTIONS);
    if (!started) {
      started = true;
      text = BOM + stringifySync([columns.map((c) => c.header[locale])], CSV_OPTIONS) + text;
    }
    if (!out.write(text)) await Promise.race([once(out, "drain"), failed]);
  };
  return {
    async write(rows) {
      await push(rows.map((row) => csvCells(columns, row)));
    },
    async end() {
      if (!started) await push([]);
      await endOutput(out, failed);
    },
  };
}

/** Ends the output (a file, a pipe), as piping into it would; standard output is left open. */
async function endOutput(out: Writable, failed: Promise<never>): Promise<void> {
  if (out === process.stdout) {
    await Promise.race([drained(out), failed]);
    return;
  }
  const done = finished(out);
  out.end();
  await Promise.race([done, failed]);
}

/** Column widths (in characters) for a readable sheet; long texts wrap at this width. */
const WIDTH: Partial<Record<string, number>> = { id: 38, customerId: 38, body: 60, about: 40, comment: 40, address: 40, createdAt: 30, orderedAt: 30, occurredAt: 30, sentAt: 30, answeredAt: 30 };

const SHEET_NAMES: Readonly<Record<DataKind, Record<HeaderLocale, string>>> = {
  customers: { en: "Customers", "zh-CN": "客户" },
  contacts: { en: "Contacts", "zh-CN": "联系人" },
  orders: { en: "Orders", "zh-CN": "订单" },
  interactions: { en: "Interactions", "zh-CN": "沟通记录" },
  surveys: { en: "Surveys", "zh-CN": "调查" },
};

function xlsxWriter(kind: DataKind, locale: HeaderLocale, out: Writable): RowWriter {
  const columns = COLUMNS[kind];
  const failed = new Promise<never>((_, reject) => out.once("error", reject));
  failed.catch(() => undefined);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(SHEET_NAMES[kind][locale], { views: [{ state: "frozen", ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({
    key: c.key,
    width: WIDTH[c.key] ?? Math.max(12, c.header[locale].length + 4),
    ...(c.type === "decimal" ? { style: { numFmt: "0.00" } } : {}),
  }));
  const head = sheet.addRow(columns.map((c) => c.header[locale]));
  head.font = { bold: true };
  head.commit();
  return {
    async write(rows) {
      for (const row of rows) sheet.addRow(xlsxCells(columns, row)).commit();
      await Promise.race([drained(out), failed]);
    },
    async end() {
      sheet.commit();
      // The workbook's zip is piped into `out` and ends it (standard output excepted).
      const done = out === process.stdout ? drained(out) : finished(out);
      await Promise.race([workbook.commit(), failed]);
      await Promise.race([done, failed]);
    },
  };
}

export function createRowWriter(format: ExportFormat, kind: DataKind, locale: HeaderLocale, out: Writable): RowWriter {
  return format === "csv" ? csvWriter(kind, locale, out) : xlsxWriter(kind, locale, out);
}

export const MIME_TYPES: Readonly<Record<ExportFormat, string>> = {
  csv: "text/csv",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};
