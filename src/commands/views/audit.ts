import { stringify } from "csv-stringify/sync";
import { escapeFormula } from "../../domain/transfer/spreadsheet-cell.js";
import { isMessageKey, type MessageKey } from "../../i18n/index.js";
import type { Block, Button, ListItem, Message } from "../../reply/reply.js";
import type { AuditRow, AuditTrailPage } from "../../services/index.js";
import type { CommandContext } from "../types.js";
import { noPageText, offsetOf, pageNote } from "./list-page.js";

/** What a trail's page shows about its query: whose, the period's name and span. */
export interface TrailHeading {
  kind: "customer" | "user";
  period: string;
  span: string;
}

/** "viewed the card"; an action this version has no words for is shown as it is stored. */
function actionLabel(ctx: Pick<CommandContext, "t">, action: string): string {
  const key = `audit.action.${action}`;
  return isMessageKey(key) ? ctx.t(key) : action;
}

function text(value: unknown): string {
  if (Array.isArray(value)) return value.map(text).join(", ");
  if (value === null || value === undefined) return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The detail of a row in words: what changed (non-personal values before → after), how many were listed, and how. */
function detailParts(ctx: Pick<CommandContext, "t" | "f">, detail: Record<string, unknown> | null): string[] {
  if (!detail) return [];
  const parts: string[] = [];
  const fields = Array.isArray(detail.fields) ? detail.fields.map(String) : [];
  if (fields.length > 0) {
    const before = (detail.before ?? {}) as Record<string, unknown>;
    const after = (detail.after ?? {}) as Record<string, unknown>;
    parts.push(ctx.t("audit.detail.fields", { fields: ctx.f.list(fields) }));
    for (const field of fields) if (field in after || field in before) parts.push(`${field}: ${text(before[field])} → ${text(after[field])}`);
  }
  if (typeof detail.list === "string" && typeof detail.count === "number") {
    const list = `audit.list.${detail.list}`;
    parts.push(`${ctx.t("audit.detail.listed", { count: detail.count })}${isMessageKey(list) ? ` (${ctx.t(list)})` : ""}`);
  }
  if (typeof detail.amount === "string" && typeof detail.currency === "string") parts.push(ctx.f.money(detail.amount, detail.currency));
  if (typeof detail.from === "string" && typeof detail.to === "string" && !("fields" in detail) && !/^\d{4}-/.test(detail.from)) parts.push(`${detail.from} → ${detail.to}`);
  if (typeof detail.rows === "number") parts.push(ctx.t("audit.detail.rows", { rows: detail.rows }));
  if (detail.private === true) parts.push(ctx.t("audit.detail.private"));
  if (detail.shared === true) parts.push(ctx.t("audit.detail.shared"));
  if (detail.via === "undo") parts.push(ctx.t("audit.detail.undo"));
  if (typeof detail.form === "string") parts.push(ctx.t("audit.detail.form"));
  if (typeof detail.reason === "string") parts.push(ctx.t("audit.detail.reason", { reason: detail.reason }));
  return parts;
}

/** Who or what a row is about, when that is not the trail's own subject. */
function aboutOf(ctx: Pick<CommandContext, "t">, row: AuditRow, kind: TrailHeading["kind"]): string | undefined {
  if (row.entity === "user") return row.subjectName ?? undefined;
  if (row.customerIds.length > 1 && row.action === "customer.list") return undefined;
  if (row.customerIds.length > 1) return ctx.t("audit.customers", { count: row.customerIds.length });
  return kind === "user" ? (row.customerName ?? undefined) : undefined;
}

function describe(ctx: Pick<CommandContext, "t" | "f">, row: AuditRow, kind: TrailHeading["kind"]): { what: string; detail: string } {
  const about = aboutOf(ctx, row, kind);
  return { what: actionLabel(ctx, row.action), detail: [...(about ? [about] : []), ...detailParts(ctx, row.detail)].join(" · ") };
}

function rowItem(ctx: CommandContext, row: AuditRow, kind: TrailHeading["kind"]): ListItem {
  const { what, detail } = describe(ctx, row, kind);
  const who = row.actorName ?? (row.actorId ? "?" : ctx.t("audit.bot"));
  return { title: `${ctx.f.dateTime(row.at)} · ${who} · ${what}`, ...(detail ? { detail } : {}) };
}

/**
 * A page of a trail: who did what, newest first, with Previous and Next where there are more,
 * and Export. `pageAction(page)` and `exportAction` are the buttons' actions (they carry the query).
 */
export function auditTrailMessage(
  ctx: CommandContext,
  trail: AuditTrailPage,
  heading: TrailHeading,
  actions: { page: (page: number) => string; export: string },
): Message {
  const title = ctx.t("audit.title", { subject: trail.subject });
  const at = { page: trail.page, size: trail.pageSize, total: trail.total, shown: trail.rows.length };
  const blocks: Block[] = [
    { type: "header", text: title },
    { type: "context", text: ctx.t("audit.period", { period: heading.period, span: heading.span, total: trail.total }) },
  ];
  const buttons: Button[] = [];
  if (trail.total === 0) blocks.push({ type: "text", text: ctx.t("audit.empty", { subject: trail.subject }) });
  else if (trail.rows.length === 0) blocks.push({ type: "text", text: noPageText(ctx, at) });
  else {
    blocks.push({ type: "list", items: trail.rows.map((row) => rowItem(ctx, row, heading.kind)) });
    const note = pageNote(ctx, at, { button: ctx.t("button.next") });
    if (note) blocks.push({ type: "context", text: note });
  }
  if (trail.page > 1) buttons.push({ label: ctx.t("button.previous"), action: { id: "audit.page", value: actions.page(Math.min(trail.page - 1, Math.max(1, Math.ceil(trail.total / trail.pageSize)))) } });
  if (offsetOf(trail.page, trail.pageSize) + trail.rows.length < trail.total) buttons.push({ label: ctx.t("button.next"), action: { id: "audit.page", value: actions.page(trail.page + 1) } });
  if (trail.total > 0) buttons.push({ label: ctx.t("button.export"), action: { id: "audit.export", value: actions.export } });
  if (buttons.length > 0) blocks.push({ type: "buttons", buttons });
  return { visibility: "private", summary: title, blocks };
}

/** The CSV of a trail: one row per entry, the reader's language in the header, spreadsheet formulas defused. */
export function auditCsv(ctx: CommandContext, rows: readonly AuditRow[], kind: TrailHeading["kind"]): Uint8Array {
  const columns: [string, MessageKey][] = [
    ["time", "audit.csv.time"], ["actor", "audit.csv.actor"], ["actorId", "audit.csv.actorId"], ["action", "audit.csv.action"], ["description", "audit.csv.description"],
    ["entity", "audit.csv.entity"], ["entityId", "audit.csv.entityId"], ["customer", "audit.csv.customer"], ["customerIds", "audit.csv.customerIds"], ["detail", "audit.csv.detail"],
  ];
  const records = rows.map((row) => {
    const { what, detail } = describe(ctx, row, kind);
    const record: Record<string, string> = {
      time: row.at.toISOString(),
      actor: row.actorName ?? (row.actorId ? "" : ctx.t("audit.bot")),
      actorId: row.actorId ?? "",
      action: row.action,
      description: detail ? `${what} · ${detail}` : what,
      entity: row.entity,
      entityId: row.entityId ?? "",
      customer: row.customerName ?? "",
      customerIds: row.customerIds.join(" "),
      detail: row.detail ? JSON.stringify(row.detail) : "",
    };
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, escapeFormula(v)]));
  });
  const csv = stringify(records, { header: true, bom: true, record_delimiter: "windows", columns: columns.map(([key, header]) => ({ key, header: ctx.t(header) })) });
  return new TextEncoder().encode(csv);
}
