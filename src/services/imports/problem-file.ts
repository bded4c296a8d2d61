import { createWriteStream, type WriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify, type Stringifier } from "csv-stringify";
import type { Cell } from "../../domain/transfer/import-rows.js";
import { escapeFormula } from "../../domain/transfer/spreadsheet-cell.js";

/**
 * The rows an import could not take, as a CSV to fix and import again: the file's own columns
 * as they were, then the row's number and what was wrong, written as they are found (a file of
 * a million bad rows is never held). UTF-8 with a BOM, so Excel opens Chinese text right;
 * formula-like text is escaped as every export is.
 */
export class ProblemFile {
  private constructor(
    readonly path: string,
    private readonly dir: string,
    private readonly csv: Stringifier,
    private readonly out: WriteStream,
  ) {}

  count = 0;

  static async create(headers: readonly string[], labels: { row: string; problem: string }): Promise<ProblemFile> {
    const dir = await mkdtemp(join(tmpdir(), "crm-import-"));
    const path = join(dir, "problems.csv");
    const out = createWriteStream(path);
    out.write("\uFEFF");
    const csv = stringify({ record_delimiter: "\r\n" });
    csv.pipe(out);
    const file = new ProblemFile(path, dir, csv, out);
    await file.write([...headers.map(escapeFormula), labels.row, labels.problem]);
    return file;
  }

  async add(row: number, cells: readonly Cell[], problem: string): Promise<void> {
    this.count++;
    await this.write([...cells.map((c) => escapeFormula(typeof c === "string" ? c : `=${c.formula}`)), String(row), escapeFormula(problem)]);
  }

  private async write(record: string[]): Promise<void> {
    if (!this.csv.write(record)) await new Promise((r) => this.csv.once("drain", r));
  }

  /** Closes the file; it stays until remove(). */
  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.out.once("finish", resolve);
      this.out.once("error", reject);
      this.csv.end();
    });
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
