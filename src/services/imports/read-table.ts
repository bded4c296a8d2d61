import { Readable, pipeline } from "node:stream";
import { parse } from "csv-parse";
import ExcelJS from "exceljs";
import iconv from "iconv-lite";
import { AppError } from "../../domain/errors.js";
import type { Cell } from "../../domain/transfer/import-rows.js";
import type { ImportSource } from "./import-source.js";
import { checkZip, type ZipLimits } from "./xlsx-guard.js";

/**
 * A spreadsheet file as a header and a stream of rows, whatever it was written as: CSV in UTF-8
 * (with or without a BOM) or GB18030/GBK, which Excel on Chinese Windows writes (a file that is
 * not valid UTF-8 is read as GB18030), with commas, semicolons or tabs; or XLSX (the first
 * sheet). Rows are streamed, never all held. `inspectTable` reads the whole file once and
 * refuses a malformed or hostile one before anything is written; `readRows` then streams it.
 * Cells come back as text; a formula cell of an XLSX file comes back as such and is never run.
 */

export interface TableLimits {
  /** IMPORT_MAX_BYTES: the file's size. */
  maxBytes: number;
  /** Columns of any row. */
  maxColumns: number;
  /** Characters of one line of a CSV file (or one record). */
  maxLineChars: number;
  zip: ZipLimits;
}

export function tableLimits(maxBytes: number): TableLimits {
  return {
    maxBytes,
    maxColumns: 200,
    maxLineChars: 1_000_000,
    // Spreadsheet XML compresses about 10:1; a bomb far more.
    zip: { maxUncompressed: Math.max(maxBytes * 12, 50 << 20), maxEntries: 2_000, maxRatio: 200 },
  };
}

export type TableFormat = "csv" | "xlsx";

export interface TableInfo {
  format: TableFormat;
  encoding: "utf-8" | "gb18030" | null;
  delimiter: string;
  headers: string[];
  /** The spreadsheet row number of the header (1 unless blank rows come first). */
  headerRow: number;
  /** Data rows (blank ones not counted). */
  rows: number;
}

export interface TableRow {
  /** The row's number as a spreadsheet shows it (the header is row 1). */
  row: number;
  cells: Cell[];
  /** Cells beyond the header's columns that are not empty: the row is out of line with the header. */
  extra: number;
}

const fileError = (key: string, params: Record<string, string | number> = {}, detail = key) => new AppError("INVALID_INPUT", key, params, `import file refused: ${detail}`);

function formatOf(head: Uint8Array, name: string): TableFormat {
  if (head.length === 0) throw fileError("import.file.empty");
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return "xlsx";
  if (head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) throw fileError("import.file.xls");
  // Text has no NUL bytes (UTF-16 does, and binary files): CSV must be UTF-8 or GB18030.
  if (head.subarray(0, 8192).includes(0)) throw fileError("import.file.notTable", { name });
  return "csv";
}

async function firstBytes(source: ImportSource): Promise<Uint8Array> {
  return source.read(0, Math.min(source.size, 8192));
}

/** Reads the whole file once: its format, encoding, header and row count; throws an AppError for anything it will not import. */
export async function inspectTable(source: ImportSource, limits: TableLimits): Promise<TableInfo> {
  if (source.size > limits.maxBytes) throw fileError("import.file.tooBig", { size: megabytes(source.size), max: megabytes(limits.maxBytes) });
  const format = formatOf(await firstBytes(source), source.name);
  if (format === "xlsx") {
    await checkZip(source, limits.zip);
    return scan(source, { format, encoding: null, delimiter: "," }, limits);
  }
  try {
    return await scan(source, { format, encoding: "utf-8", delimiter: await sniffDelimiter(source, "utf-8") }, limits);
  } catch (error) {
    if (!(error instanceof NotUtf8)) throw error;
    return scan(source, { format, encoding: "gb18030", delimiter: await sniffDelimiter(source, "gb18030") }, limits);
  }
}

async function scan(source: ImportSource, how: Pick<TableInfo, "format" | "encoding" | "delimiter">, limits: TableLimits): Promise<TableInfo> {
  let headers: string[] | undefined;
  let headerRow = 0;
  let rows = 0;
  for await (const row of records(source, how, limits)) {
    if (!headers) {
      headers = row.cells.map((c, i) => (typeof c === "string" ? c.trim() : "") || `#${i + 1}`);
      headerRow = row.row;
      continue;
    }
    rows++;
  }
  if (!headers) throw fileError("import.file.noHeader");
  return { ...how, headers, headerRow, rows };
}

/** The data rows, after the header, as inspectTable found it. */
export async function* readRows(source: ImportSource, info: TableInfo, limits: TableLimits): AsyncIterable<TableRow> {
  const width = info.headers.length;
  for await (const row of records(source, info, limits)) {
    if (row.row <= info.headerRow) continue;
    let extra = 0;
    for (let i = width; i < row.cells.length; i++) if (row.cells[i] !== "") extra++;
    yield { row: row.row, cells: row.cells.length > width ? row.cells.slice(0, width) : row.cells, extra };
  }
}

/** Every non-blank row, the header included. */
function records(source: ImportSource, how: Pick<TableInfo, "format" | "encoding" | "delimiter">, limits: TableLimits): AsyncIterable<{ row: number; cells: Cell[] }> {
  return how.format === "xlsx" ? xlsxRecords(source, limits) : csvRecords(source, how.encoding ?? "utf-8", how.delimiter, limits);
}

const megabytes = (bytes: number) => (bytes / (1 << 20)).toFixed(1);

// ---------------------------------------------------------------------------------------------
// CSV

class NotUtf8 extends Error {}

/** The file as text, in pieces; a UTF-8 BOM (or GB18030's) is dropped. */
async function* decoded(source: ImportSource, encoding: "utf-8" | "gb18030"): AsyncIterable<string> {
  if (encoding === "utf-8") {
    const decoder = new TextDecoder("utf-8", { fatal: true });
    try {
      for await (const chunk of source.stream()) yield decoder.decode(chunk, { stream: true });
      yield decoder.decode();
    } catch (error) {
      if (error instanceof TypeError) throw new NotUtf8();
      throw error;
    }
    return;
  }
  const decoder = iconv.getDecoder("gb18030", { stripBOM: true });
  for await (const chunk of source.stream()) yield decoder.write(Buffer.from(chunk));
  const rest = decoder.end();
  if (rest) yield rest;
}

/** The separator the first line uses most: comma, semicolon (Excel in much of Europe) or tab. */
async function sniffDelimiter(source: ImportSource, encoding: "utf-8" | "gb18030"): Promise<string> {
  const head = Buffer.from(await source.read(0, Math.min(source.size, 65_536)));
  const text = encoding === "utf-8" ? head.toString("utf8") : iconv.decode(head, "gb18030");
  const line = text.split(/\r?\n/, 1)[0] ?? "";
  const count = (d: string) => line.split(d).length - 1;
  const [best] = [",", ";", "\t"].sort((a, b) => count(b) - count(a));
  return best && count(best) > 0 ? best : ",";
}

/**
 * Refuses, while the text streams by, a record with more columns or characters than allowed,
 * before the CSV parser builds it (a row of a million commas is a million-element array).
 */
class CsvGuard {
  private quoted = false;
  private columns = 1;
  private chars = 0;
  private record = 1;

  constructor(private readonly delimiter: string, private readonly limits: TableLimits) {}

  feed(text: string): void {
    const delimiter = this.delimiter.charCodeAt(0);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      this.chars++;
      if (c === 34) this.quoted = !this.quoted; // '"'; a doubled quote toggles twice
      else if (!this.quoted && c === delimiter) {
        if (++this.columns > this.limits.maxColumns) throw fileError("import.file.tooManyColumns", { row: this.record, max: this.limits.maxColumns });
      } else if (!this.quoted && c === 10) {
        this.record++;
        this.columns = 1;
        this.chars = 0;
      }
      if (this.chars > this.limits.maxLineChars) throw fileError("import.file.lineTooLong", { row: this.record, max: this.limits.maxLineChars });
    }
  }
}

function csvError(error: unknown): unknown {
  if (error instanceof AppError || error instanceof NotUtf8) return error;
  const e = error as { code?: string; lines?: number; message?: string };
  if (typeof e.code === "string" && e.code.startsWith("CSV_")) return fileError("import.file.malformed", { row: e.lines ?? 0 }, `${e.code}: ${e.message ?? ""}`);
  return error;
}

async function* csvRecords(source: ImportSource, encoding: "utf-8" | "gb18030", delimiter: string, limits: TableLimits): AsyncIterable<{ row: number; cells: Cell[] }> {
  const guard = new CsvGuard(delimiter, limits);
  const text = Readable.from((async function* () {
    for await (const piece of decoded(source, encoding)) {
      guard.feed(piece);
      yield piece;
    }
  })());
  const parser = parse({ delimiter, relax_column_count: true, skip_empty_lines: false, max_record_size: limits.maxLineChars, bom: true });
  let failure: unknown;
  pipeline(text, parser, (error) => {
    if (error) failure = error;
  });
  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      row++;
      if (record.every((c) => c.trim() === "")) continue;
      yield { row, cells: record };
    }
  } catch (error) {
    throw csvError(failure ?? error);
  }
  if (failure) throw csvError(failure);
}

// ---------------------------------------------------------------------------------------------
// XLSX

/** A date cell as the wall-clock time it shows (exceljs gives it as that time in UTC). */
function wallClock(date: Date): string {
  const iso = date.toISOString();
  return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso.slice(0, 19).replace("T", " ");
}

function cellOf(value: unknown): Cell {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "" : wallClock(value);
  if (typeof value === "object") {
    const v = value as { formula?: unknown; sharedFormula?: unknown; richText?: { text: string }[]; text?: unknown; error?: unknown };
    if (v.formula !== undefined || v.sharedFormula !== undefined) return { formula: String(v.formula ?? v.sharedFormula) };
    if (Array.isArray(v.richText)) return v.richText.map((r) => r.text).join("");
    if (v.text !== undefined) return cellOf(v.text);
    if (v.error !== undefined) return "";
  }
  return "";
}

async function* xlsxRecords(source: ImportSource, limits: TableLimits): AsyncIterable<{ row: number; cells: Cell[] }> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from(source.stream()), { worksheets: "emit", sharedStrings: "cache", styles: "cache", hyperlinks: "ignore", entries: "ignore" });
  try {
    for await (const sheet of reader) {
      for await (const row of sheet) {
        const values = row.values as unknown[];
        if (values.length - 1 > limits.maxColumns) throw fileError("import.file.tooManyColumns", { row: row.number, max: limits.maxColumns });
        const cells: Cell[] = [];
        for (let i = 1; i < values.length; i++) cells.push(cellOf(values[i]));
        if (cells.every((c) => c === "" || (typeof c === "string" && c.trim() === ""))) continue;
        yield { row: row.number, cells };
      }
      // The first sheet is the data; the others (notes, lookups) are not read.
      break;
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw fileError("import.file.badXlsx", {}, error instanceof Error ? error.message : String(error));
  }
}
