import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import type { Person } from "../../domain/access/access-scope.js";
import { dateInZone } from "../../domain/time/calendar-date.js";
import { DeliveryError } from "../../domain/errors.js";
import type { ExportFormat, ExportPeriod } from "../../domain/transfer/export-request.js";
import type { DataKind } from "../../domain/transfer/import-columns.js";
import type { Rep } from "../../store/index.js";
import { maySeePrivate } from "../audience.js";
import type { ServiceDeps } from "../deps.js";
import type { ExportDelivery } from "../ports.js";
import { createRowWriter, MIME_TYPES, type HeaderLocale } from "./export-file.js";

/** What an export is of, and for whom it is written (headers in their language, times in their zone). */
export interface ExportRequest {
  kind: DataKind;
  format: ExportFormat;
  period: ExportPeriod | null;
  locale: HeaderLocale;
  timeZone: string;
}

/**
 * Who reads an export: `viewer` decides whose private details are in it (maySeePrivate, per
 * row), `actorId` is who the audit row names (null for the operator's command line, which
 * exports as an admin), `via` where it was asked.
 */
export interface ExportReader {
  viewer: Person;
  actorId: string | null;
  via: "chat" | "job" | "cli";
}

/** A finished export in a temporary file; whoever hands it on deletes it. */
export interface ExportedFile {
  path: string;
  filename: string;
  mimeType: string;
  rows: number;
}

/** What writing an export needs of the dependencies (the operator's command line builds only this). */
export type ExportDeps = Pick<ServiceDeps, "store" | "now"> & { settings: Pick<ServiceDeps["settings"], "baseCurrency"> };

/** Below this many rows (EXPORT_INLINE_MAX_ROWS) an export is written while the rep waits. */
export const DEFAULT_INLINE_MAX_ROWS = 20_000;

/**
 * Streams the rows of an export into `out` and audits it (`export.run`: kind, format, period,
 * rows, who; never a value of the rows). The audit row is written once the file is complete and
 * before anyone has it, so an export nobody can account for is never handed out.
 */
export async function writeExport(deps: ExportDeps, reader: ExportReader, request: ExportRequest, out: Writable, runId: string | null = null): Promise<number> {
  const writer = createRowWriter(request.format, request.kind, request.locale, out);
  const rows = await deps.store.exports.read(
    {
      kind: request.kind,
      range: request.period ? { from: request.period.from, to: request.period.to } : {},
      timeZone: request.timeZone,
      baseCurrency: deps.settings.baseCurrency,
      // The one visibility rule, asked per row with the customer's owner: the export shows what
      // the card would show this reader, and nothing is decrypted that they may not see.
      mayShowPrivate: (ownerId) => maySeePrivate(reader.viewer, ownerId),
    },
    (batch) => writer.write(batch),
  );
  await writer.end();
  await deps.store.audit.write({
    actorId: reader.actorId,
    action: "export.run",
    entityId: runId,
    detail: {
      kind: request.kind,
      format: request.format,
      period: request.period ? { from: request.period.from.toISOString(), to: request.period.to.toISOString() } : null,
      rows,
      via: reader.via,
      ...(reader.actorId === null ? { role: reader.viewer.role } : {}),
    },
  });
  return rows;
}

/** "crm-orders-2026-10-01_2026-12-31.csv", "crm-customers-all-2026-12-07.xlsx". */
export function exportFilename(request: ExportRequest, now: Date): string {
  const span = request.period
    ? `${dateInZone(request.period.from, request.timeZone)}_${dateInZone(new Date(request.period.to.getTime() - 1), request.timeZone)}`
    : `all-${dateInZone(now, request.timeZone)}`;
  return `crm-${request.kind}-${span}.${request.format}`;
}

/** Writes an export into a new temporary file (readable by this user only); removed again if anything fails. */
export async function exportToTempFile(deps: ExportDeps, reader: ExportReader, request: ExportRequest, runId: string | null = null): Promise<ExportedFile> {
  const path = join(tmpdir(), `crm-export-${randomUUID()}.${request.format}`);
  const file = createWriteStream(path, { mode: 0o600 });
  try {
    const rows = await writeExport(deps, reader, request, file, runId);
    // csv-stringify and exceljs end the file stream; wait until it is on disk.
    if (!file.writableFinished) await finished(file);
    return { path, filename: exportFilename(request, deps.now()), mimeType: MIME_TYPES[request.format], rows };
  } catch (error) {
    file.destroy();
    await rm(path, { force: true });
    throw error;
  }
}

export type ExportAnswer =
  /** Written now: the file for the reply. */
  | { kind: "file"; file: ExportedFile }
  /** Too large to write while the rep waits: a worker writes it and sends it to their DM. */
  | { kind: "queued"; runId: string; rows: number };

/**
 * `/crm export …`: an export small enough (EXPORT_INLINE_MAX_ROWS, counted first) is written at
 * once; a larger one becomes a run that a worker writes and sends to the rep's DM, so the
 * answer never waits on a million rows. Without a job system (the terminal demo) every export
 * is written at once.
 */
export async function requestExport(deps: ServiceDeps, rep: Rep, request: ExportRequest): Promise<ExportAnswer> {
  const limit = deps.settings.exportInlineMaxRows ?? DEFAULT_INLINE_MAX_ROWS;
  const scheduleExport = deps.jobs.scheduleExport?.bind(deps.jobs);
  const rows = scheduleExport ? await deps.store.exports.count(request.kind, request.period ?? {}) : 0;
  if (!scheduleExport || rows <= limit) {
    return { kind: "file", file: await exportToTempFile(deps, { viewer: rep, actorId: rep.id, via: "chat" }, request) };
  }
  const runId = randomUUID();
  await deps.store.exportRuns.create({
    id: runId,
    requestedById: rep.id,
    kind: request.kind,
    format: request.format,
    periodFrom: request.period?.from ?? null,
    periodTo: request.period?.to ?? null,
    periodLabel: request.period?.label ?? null,
    locale: request.locale,
    timezone: request.timeZone,
    at: deps.now(),
  });
  // The row is the record: if Redis is away, the sweep schedules it later (reconcile-jobs.ts).
  await scheduleExport(runId).catch(() => undefined);
  return { kind: "queued", runId, rows };
}

/** The request a run was made with, as stored. */
export function requestOfRun(run: { kind: string; format: string; periodFrom: Date | null; periodTo: Date | null; periodLabel: unknown; locale: string; timezone: string }): ExportRequest {
  const period = run.periodFrom && run.periodTo ? { from: run.periodFrom, to: run.periodTo, label: run.periodLabel as ExportPeriod["label"] } : null;
  return { kind: run.kind as DataKind, format: run.format as ExportFormat, period, locale: run.locale === "zh-CN" ? "zh-CN" : "en", timeZone: run.timezone };
}

/**
 * The export job: claims the run, writes the file with the asker's rights as they are now, hands
 * it to `delivery` (the rep's DM), and records how it went. A failure leaves the run pending for
 * the job's next attempt; after the last one (or a refusal no retry can change) the run fails
 * and the rep is told in a DM through the outbox, so an export ends delivered or visibly failed.
 */
export async function runExportJob(deps: ServiceDeps, delivery: ExportDelivery, runId: string, options: { lastAttempt: boolean }): Promise<"delivered" | "failed" | "skipped"> {
  const run = await deps.store.exportRuns.claim(runId, deps.now());
  if (!run) return "skipped";
  const rep = await deps.store.users.findById(run.requestedById);
  if (!rep) {
    // Nobody to send it to, and nobody to tell.
    await deps.store.exportRuns.failed(runId, "the rep who asked is gone", deps.now());
    return "failed";
  }
  let file: ExportedFile | undefined;
  try {
    file = await exportToTempFile(deps, { viewer: rep, actorId: rep.id, via: "job" }, requestOfRun(run), runId);
    await delivery.deliver({ runId, recipientId: rep.id, file });
    await deps.store.exportRuns.delivered(runId, file.rows, deps.now());
    return "delivered";
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const permanent = error instanceof DeliveryError && error.kind === "permanent";
    if (!options.lastAttempt && !permanent) {
      await deps.store.exportRuns.release(runId, reason);
      throw error;
    }
    if (await deps.store.exportRuns.failed(runId, reason, deps.now())) await tellFailed(deps, rep, runId);
    return "failed";
  } finally {
    if (file) await rm(file.path, { force: true });
  }
}

/** The rep's DM, through the outbox: their export could not be made. */
async function tellFailed(deps: ServiceDeps, rep: Rep, runId: string): Promise<void> {
  const row = await deps.store.outbox.enqueue({
    platform: rep.platform,
    destination: rep.externalId,
    payload: { type: "export.failed", runId },
    dedupeKey: `export-failed:${runId}`,
    at: deps.now(),
  });
  await deps.jobs.scheduleDelivery(row.id, deps.now()).catch(() => undefined);
}
