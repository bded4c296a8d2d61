import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { AppError } from "../../domain/errors.js";
import { applyOverrides, checkMapping, guessKind, IMPORT_KINDS, suggestMapping, type ImportKind, type Mapping, type MappingProblem } from "../../domain/transfer/import-mapping.js";
import type { NotificationPayload } from "../../domain/notification-payload.js";
import type { RowProblem } from "../../domain/transfer/import-rows.js";
import { IMPORT_CHUNK_BYTES, type ImportRunRow, type Rep } from "../../store/index.js";
import { deliveriesNow, scheduleAfterCommit } from "../delivery/schedule-after-commit.js";
import type { ServiceDeps } from "../deps.js";
import { bytesSource, fileSource, type ImportSource } from "./import-source.js";
import { inspectTable, tableLimits, type TableInfo } from "./read-table.js";
import { runImport, type ImportOutcome, type ProblemSummary } from "./run-import.js";

/**
 * Imports as reps and operators start them: a file shared in chat is checked and previewed (a
 * dry run: what would be created, updated, skipped, and the problem rows) and kept, by id, in
 * import_runs with its bytes, until the rep presses Import (a worker runs it) or Cancel; the
 * operator's command line imports a file on the server directly. Only admins and managers
 * import. Every import that wrote is one audit row (import.run), written with the run's end.
 */

/** How the rep's language words the problems (the caller has the catalogue; services do not). */
export interface ImportWords {
  describe(problem: RowProblem): string;
  labels: { row: string; problem: string };
}

export interface ImportSettings {
  /** IMPORT_MAX_BYTES. */
  maxBytes: number;
}

export interface ImportPreview {
  runId: string;
  fileName: string;
  info: TableInfo;
  kind: ImportKind | undefined;
  /** The kind was worked out from the headers, not said. */
  guessed: boolean;
  mapping: Mapping;
  mappingProblems: MappingProblem[];
  /** The dry run, when the mapping allows one. */
  outcome?: Omit<ImportOutcome, "problemFile">;
}

/** A preview or run nobody finished is forgotten (its file deleted) after this long. */
const KEEP_MS = 24 * 3_600_000;

export function mayImport(rep: Pick<Rep, "role">): boolean {
  return rep.role === "ADMIN" || rep.role === "MANAGER";
}

function assertMayImport(rep: Rep): void {
  if (!mayImport(rep)) throw new AppError("FORBIDDEN", "import.forbidden", { role: rep.role.toLowerCase() }, "only admins and managers import");
}

/** The stored pieces of an upload, streamed back in order. */
function storedSource(deps: ServiceDeps, run: ImportRunRow): ImportSource {
  const piece = (seq: number) => deps.store.imports.chunk(run.id, seq);
  return {
    name: run.fileName,
    size: run.byteSize,
    async *stream() {
      for (let seq = 0; ; seq++) {
        const bytes = await piece(seq);
        if (!bytes) return;
        yield bytes;
      }
    },
    async read(start, end) {
      const parts: Uint8Array[] = [];
      for (let seq = Math.floor(start / IMPORT_CHUNK_BYTES); seq * IMPORT_CHUNK_BYTES < end; seq++) {
        const bytes = await piece(seq);
        if (!bytes) break;
        const base = seq * IMPORT_CHUNK_BYTES;
        parts.push(bytes.subarray(Math.max(0, start - base), Math.min(bytes.length, end - base)));
      }
      return Buffer.concat(parts);
    },
  };
}

async function plan(deps: ServiceDeps, rep: Rep, source: ImportSource, choice: { kind?: ImportKind; mapping?: Mapping; overrides?: ReadonlyMap<string, string | null> }) {
  const limits = tableLimits(deps.settings.importMaxBytes ?? 20 << 20);
  const info = await inspectTable(source, limits);
  const kind = choice.kind ?? guessKind(info.headers);
  let mapping = kind ? (choice.mapping && choice.mapping.length === info.headers.length ? choice.mapping : suggestMapping(kind, info.headers)) : info.headers.map((header) => ({ header, field: null }));
  if (choice.overrides) mapping = applyOverrides(mapping, choice.overrides);
  const mappingProblems = kind ? checkMapping(kind, mapping) : [];
  return { info, limits, kind, guessed: choice.kind === undefined, mapping, mappingProblems };
}

async function dryRun(deps: ServiceDeps, rep: Rep, source: ImportSource, planned: Awaited<ReturnType<typeof plan>>, timeZone: string, words: ImportWords): Promise<ImportPreview["outcome"]> {
  if (!planned.kind || planned.mappingProblems.length > 0) return undefined;
  const outcome = await runImport(deps, {
    kind: planned.kind, mapping: planned.mapping, source, info: planned.info, limits: planned.limits, rep, timeZone, dryRun: true, ...words,
  });
  await outcome.problemFile?.remove();
  const { problemFile: _file, ...rest } = outcome;
  return rest;
}

/**
 * A file shared in chat: checked whole (a malformed or hostile file is refused with the reason,
 * and nothing is kept), its kind guessed or taken as said, its columns mapped, and a dry run
 * made. The file is kept with the run until it is imported or cancelled.
 */
export async function previewUpload(
  deps: ServiceDeps, rep: Rep, upload: { name: string; bytes: Uint8Array; platform: string; channel: string | null },
  options: { kind?: ImportKind; timeZone: string; locale: string; words: ImportWords },
): Promise<ImportPreview> {
  assertMayImport(rep);
  await deps.store.imports.purge(new Date(deps.now().getTime() - KEEP_MS));
  const source = bytesSource(upload.name, upload.bytes);
  const planned = await plan(deps, rep, source, { ...(options.kind ? { kind: options.kind } : {}) });
  const runId = randomUUID();
  await deps.store.transaction(async (tx) => {
    await tx.imports.createRun({
      id: runId, createdById: rep.id, kind: planned.kind ?? "", fileName: upload.name.slice(0, 200), format: planned.info.format, byteSize: upload.bytes.length, status: "previewed",
      mapping: planned.mapping, timezone: options.timeZone, locale: options.locale, platform: upload.platform, channel: upload.channel, rows: planned.info.rows,
    });
    for (let seq = 0; seq * IMPORT_CHUNK_BYTES < upload.bytes.length; seq++) {
      await tx.imports.addChunk(runId, seq, upload.bytes.subarray(seq * IMPORT_CHUNK_BYTES, (seq + 1) * IMPORT_CHUNK_BYTES));
    }
  }, { timeout: 60_000 });
  const outcome = await dryRun(deps, rep, source, planned, options.timeZone, options.words);
  return { runId, fileName: upload.name, info: planned.info, kind: planned.kind, guessed: planned.guessed, mapping: planned.mapping, mappingProblems: planned.mappingProblems, ...(outcome ? { outcome } : {}) };
}

/** A previewed run that is still the rep's to import or change, or the reason it is not. */
async function ownPreview(deps: ServiceDeps, rep: Rep, runId: string): Promise<ImportRunRow> {
  assertMayImport(rep);
  const run = await deps.store.imports.getRun(runId);
  if (!run) throw new AppError("NOT_FOUND", "import.gone");
  if (run.createdById !== rep.id) throw new AppError("FORBIDDEN", "import.notYours");
  if (run.status !== "previewed") throw new AppError("CONFLICT", `import.already.${run.status === "queued" || run.status === "running" ? "running" : run.status === "cancelled" ? "cancelled" : "done"}`);
  return run;
}

/** The preview again, as another kind of data or with columns mapped otherwise. */
export async function changePreview(deps: ServiceDeps, rep: Rep, runId: string, change: { kind?: ImportKind; mapping?: Mapping }, words: ImportWords): Promise<ImportPreview> {
  const run = await ownPreview(deps, rep, runId);
  const source = storedSource(deps, run);
  const kind = change.kind ?? ((IMPORT_KINDS as readonly string[]).includes(run.kind) ? (run.kind as ImportKind) : undefined);
  const planned = await plan(deps, rep, source, { ...(kind ? { kind } : {}), ...(change.mapping ? { mapping: change.mapping } : change.kind ? {} : { mapping: run.mapping as Mapping }) });
  await deps.store.imports.moveRun(run.id, ["previewed"], "previewed", { mapping: planned.mapping, ...(planned.kind ? { kind: planned.kind } : {}) });
  const outcome = await dryRun(deps, rep, source, planned, run.timezone, words);
  return { runId, fileName: run.fileName, info: planned.info, kind: planned.kind, guessed: false, mapping: planned.mapping, mappingProblems: planned.mappingProblems, ...(outcome ? { outcome } : {}) };
}

/** What a run is (for the views and the job). */
export async function getImportRun(deps: ServiceDeps, runId: string): Promise<ImportRunRow | null> {
  return deps.store.imports.getRun(runId);
}

/**
 * The Import button: the run is queued for a worker (or, where none runs, such as the terminal
 * demo, run now). `message` is where the preview was shown, which the worker updates with its
 * progress. Pressing twice queues once.
 */
export async function startImport(deps: ServiceDeps, rep: Rep, runId: string, message: { channel: string; ts: string } | undefined, words: (locale: string) => ImportWords): Promise<{ queued: boolean; run: ImportRunRow }> {
  const run = await ownPreview(deps, rep, runId);
  const kind = run.kind as ImportKind;
  if (!(IMPORT_KINDS as readonly string[]).includes(kind) || checkMapping(kind, run.mapping as Mapping).length > 0) throw new AppError("INVALID_INPUT", "import.mapping.invalid");
  if (!(await deps.store.imports.moveRun(run.id, ["previewed"], "queued"))) throw new AppError("CONFLICT", "import.already.running");
  if (message) await deps.store.imports.setMessage(run.id, message.channel, message.ts);
  if (deps.jobs.scheduleImport) {
    await deps.jobs.scheduleImport(run.id);
    return { queued: true, run: (await deps.store.imports.getRun(run.id))! };
  }
  await runQueuedImport(deps, run.id, { words });
  return { queued: false, run: (await deps.store.imports.getRun(run.id))! };
}

export async function cancelImport(deps: ServiceDeps, rep: Rep, runId: string): Promise<ImportRunRow> {
  const run = await ownPreview(deps, rep, runId);
  await deps.store.transaction(async (tx) => {
    if (await tx.imports.moveRun(run.id, ["previewed"], "cancelled")) await tx.imports.finishRun(run.id, { status: "cancelled", at: deps.now() });
  });
  return (await deps.store.imports.getRun(run.id))!;
}

export interface ImportJobHooks {
  words(locale: string): ImportWords;
  /** After each batch: the run as it stands, and the rows done of all (a chat message shows it). */
  progress?(run: ImportRunRow, done: number, total: number): Promise<void>;
}

/**
 * The worker's side of the Import button: runs a queued import (again, if a worker died in the
 * middle: the import is idempotent, so a second run only finishes what the first began), keeps
 * the problem rows' CSV with the run, writes the audit row, and tells the rep through the
 * outbox (their DM), with the problem rows as a file.
 */
export async function runQueuedImport(deps: ServiceDeps, runId: string, hooks: ImportJobHooks): Promise<ImportRunRow | null> {
  const run = await deps.store.imports.getRun(runId);
  if (!run || (run.status !== "queued" && run.status !== "running")) return run;
  await deps.store.imports.moveRun(run.id, ["queued", "running"], "running", { startedAt: deps.now() });
  await deps.store.imports.finishCountsReset(run.id);
  const rep = await deps.store.users.findById(run.createdById);
  const words = hooks.words(run.locale);
  let outcome: ImportOutcome | undefined;
  let failure: AppError | undefined;
  try {
    if (!rep) throw new AppError("NOT_FOUND", "import.gone");
    const source = storedSource(deps, run);
    const limits = tableLimits(deps.settings.importMaxBytes ?? 20 << 20);
    const info = await inspectTable(source, limits);
    let last = 0;
    outcome = await runImport(deps, {
      kind: run.kind as ImportKind, mapping: run.mapping as Mapping, source, info, limits, rep, timeZone: run.timezone, dryRun: false, runId: run.id, ...words,
      onProgress: async (done, total) => {
        // A chat message is updated at most every two seconds (Slack's chat.update limits).
        if (!hooks.progress || Date.now() - last < 2_000) return;
        last = Date.now();
        await hooks.progress({ ...run, status: "running" }, done, total).catch(() => undefined);
      },
    });
    await hooks.progress?.({ ...run, status: "running" }, outcome.rows, outcome.rows).catch(() => undefined);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    failure = error;
  }
  const csv = outcome?.problemFile ? await readFile(outcome.problemFile.path) : null;
  await outcome?.problemFile?.remove();
  const at = deps.now();
  const outboxId = await deps.store.transaction(async (tx) => {
    if (outcome) {
      const counts = { rows: outcome.rows, created: outcome.created, updated: outcome.updated, unchanged: outcome.unchanged, failed: outcome.failed };
      await tx.imports.finishRun(run.id, { status: "done", at, counts, problems: outcome.firstProblems, problemCsv: csv });
      await tx.audit.write({ actorId: run.createdById, action: "import.run", entity: "import", entityId: run.id, detail: { file: run.fileName, kind: run.kind, format: run.format, ...counts, customers: outcome.customers } });
    } else {
      await tx.imports.finishRun(run.id, { status: "failed", at, error: failure?.userKey ?? "error" });
    }
    if (!rep) return undefined;
    const row = await tx.outbox.enqueue({
      platform: rep.platform, destination: rep.externalId, payload: { type: "import.done", runId: run.id } satisfies NotificationPayload, dedupeKey: `import-done:${run.id}`, at,
    });
    return row.id;
  }, { timeout: 60_000 });
  if (outboxId) await scheduleAfterCommit(deps, deliveriesNow(deps, [outboxId]));
  return deps.store.imports.getRun(run.id);
}

export interface FileImportResult {
  info: TableInfo;
  kind: ImportKind;
  mapping: Mapping;
  outcome: ImportOutcome;
  runId: string | null;
}

/**
 * The operator's command line: imports a file on the server as `rep` (an admin or manager), or
 * only says what it would do (`dryRun`). Mapping problems are refused before anything is read.
 */
export async function importFile(
  deps: ServiceDeps, rep: Rep, path: string,
  options: { kind: ImportKind; overrides?: ReadonlyMap<string, string | null>; dryRun: boolean; timeZone: string; locale: string; words: ImportWords; onProgress?(done: number, total: number): void; wholeRefreshFrom?: number; batchSize?: number },
): Promise<FileImportResult | { info: TableInfo; kind: ImportKind; mapping: Mapping; mappingProblems: MappingProblem[] }> {
  assertMayImport(rep);
  const source = await fileSource(path);
  const planned = await plan(deps, rep, source, { kind: options.kind, ...(options.overrides ? { overrides: options.overrides } : {}) });
  if (planned.mappingProblems.length > 0) return { info: planned.info, kind: options.kind, mapping: planned.mapping, mappingProblems: planned.mappingProblems };
  const runId = options.dryRun ? null : randomUUID();
  if (runId) {
    await deps.store.imports.createRun({
      id: runId, createdById: rep.id, kind: options.kind, fileName: source.name.slice(0, 200), format: planned.info.format, byteSize: source.size, status: "running",
      mapping: planned.mapping, timezone: options.timeZone, locale: options.locale, platform: null, channel: null,
    });
  }
  const outcome = await runImport(deps, {
    kind: options.kind, mapping: planned.mapping, source, info: planned.info, limits: planned.limits, rep, timeZone: options.timeZone, dryRun: options.dryRun,
    ...(runId ? { runId } : {}), ...(options.wholeRefreshFrom !== undefined ? { wholeRefreshFrom: options.wholeRefreshFrom } : {}), ...(options.batchSize ? { batchSize: options.batchSize } : {}), ...options.words, ...(options.onProgress ? { onProgress: (done: number, total: number) => options.onProgress?.(done, total) } : {}),
  });
  if (runId) {
    const counts = { rows: outcome.rows, created: outcome.created, updated: outcome.updated, unchanged: outcome.unchanged, failed: outcome.failed };
    await deps.store.transaction(async (tx) => {
      await tx.imports.finishRun(runId, { status: "done", at: deps.now(), counts, problems: outcome.firstProblems });
      await tx.audit.write({ actorId: rep.id, action: "import.run", entity: "import", entityId: runId, detail: { file: source.name, kind: options.kind, format: planned.info.format, ...counts, customers: outcome.customers, via: "cli" } });
    });
  }
  return { info: planned.info, kind: options.kind, mapping: planned.mapping, outcome, runId };
}

export type { ProblemSummary };
