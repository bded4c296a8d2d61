import type { DataKind } from "../../domain/transfer/import-columns.js";
import type { ExportFormat, ExportPeriod } from "../../domain/transfer/export-request.js";
import type { Block, Message, OutgoingFile } from "../../reply/reply.js";
import type { ExportedFile } from "../../services/index.js";
import type { RenderContext } from "../notification-types.js";
import { periodLabel } from "./report.js";

const FORMAT_NAMES: Readonly<Record<ExportFormat, string>> = { csv: "CSV", xlsx: "Excel (xlsx)" };

/** "this month", "2026", "all time" in the reader's language. */
export function exportPeriodText(ctx: RenderContext, period: Pick<ExportPeriod, "label"> | null): string {
  if (!period) return ctx.t("export.allTime");
  const label = period.label;
  if (label.key === "year") return ctx.t("export.year", { year: String(label.year) });
  return periodLabel(ctx, { label });
}

export interface ExportDescription {
  kind: DataKind;
  format: ExportFormat;
  period: Pick<ExportPeriod, "label"> | null;
}

/** What an export run was asked for, as stored. */
export function exportDescription(run: { kind: string; format: string; periodFrom: Date | null; periodTo: Date | null; periodLabel: unknown }): ExportDescription {
  const period = run.periodFrom && run.periodTo && run.periodLabel ? { label: run.periodLabel as ExportPeriod["label"] } : null;
  return { kind: run.kind as DataKind, format: run.format === "xlsx" ? "xlsx" : "csv", period };
}

function parts(ctx: RenderContext, what: ExportDescription, rows: number) {
  return { what: ctx.t("export.what", { kind: what.kind, rows }), period: exportPeriodText(ctx, what.period), format: FORMAT_NAMES[what.format] };
}

function fileBlock(ctx: RenderContext, what: ExportDescription, file: ExportedFile): Block {
  const p = parts(ctx, what, file.rows);
  const outgoing: OutgoingFile = { filename: file.filename, title: `${p.what} · ${p.period}`, mimeType: file.mimeType, content: { path: file.path } };
  return { type: "file", file: outgoing, summary: `${file.filename} (${p.what})` };
}

/**
 * The answer to an export written at once: how many rows, of what, and the file (the adapter
 * uploads it; on Slack into the rep's DM, as a file cannot be ephemeral).
 */
export function exportDoneMessage(ctx: RenderContext & { platform?: string }, what: ExportDescription, file: ExportedFile): Message {
  const p = parts(ctx, what, file.rows);
  const said = file.rows === 0 ? ctx.t("export.empty", { period: p.period }) : ctx.t("export.done", p);
  const text = ctx.platform === "slack" ? ctx.t("export.inDm", { said }) : said;
  return { visibility: "private", summary: text, blocks: [{ type: "text", text }, fileBlock(ctx, what, file)] };
}

/** The answer to an export a worker writes: it is on its way to the DM. */
export function exportQueuedMessage(ctx: RenderContext, what: ExportDescription, rows: number): Message {
  const text = ctx.t("export.queued", parts(ctx, what, rows));
  return { visibility: "private", summary: text, blocks: [{ type: "text", text }] };
}

/** The worker's DM: the export is ready, with the file. */
export function exportReadyMessage(ctx: RenderContext, what: ExportDescription, file: ExportedFile): Message {
  const text = ctx.t("export.ready", parts(ctx, what, file.rows));
  return { visibility: "private", summary: text, blocks: [{ type: "text", text }, fileBlock(ctx, what, file)] };
}

/** The outbox DM after the last attempt failed. */
export function exportFailedMessage(ctx: RenderContext, what: ExportDescription): Message {
  const text = ctx.t("export.failed", { kind: ctx.t("export.kind", { kind: what.kind }), period: exportPeriodText(ctx, what.period) });
  return { visibility: "private", summary: text, blocks: [{ type: "text", text }], isError: true };
}
