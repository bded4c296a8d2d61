import { z } from "zod";
import { AppError, invalidInput } from "../domain/errors.js";
import { findPeriod, lastDays, parsePeriod, type ReportPeriod } from "../domain/time/report-period.js";
import type { Outcome } from "../reply/reply.js";
import { AUDIT_EXPORT_MAX, type AuditQuery, type AuditTarget, type CustomerSummary } from "../services/index.js";
import { withCustomer } from "./customer-picker.js";
import { leadingQuoted } from "./parse.js";
import type { ActionHandler, CommandContext, CommandDefinition } from "./types.js";
import { auditCsv, auditTrailMessage, type TrailHeading } from "./views/audit.js";
import { MAX_PAGE } from "./views/list-page.js";
import { periodLabel, spanText } from "./views/report.js";

/** Without a period, the trail of the last 30 days. */
const DEFAULT_DAYS = 30;

/** What was typed: a person (a mention, "@li.na") or a customer's name, and the period's words. */
export type AuditRequest = { kind: "person"; typed: string; period: string } | { kind: "customer"; name: string; period: string };

const PERSON = /^(?:<@|[@＠])/;

/**
 * "/crm audit Acme this month", "/crm audit @li.na last 7 days", "/crm 审计 阿里巴巴 本月",
 * "/crm audit "This Month Media" last month": whose trail, and the words of the period (empty:
 * the default). A quoted name is taken whole; otherwise the period is the first period phrase
 * found and the rest is the name.
 */
export function parseAuditText(text: string, now: Date, timeZone: string): AuditRequest {
  const typed = text.trim();
  if (!typed) throw invalidInput("audit.usage");
  const quoted = leadingQuoted(typed);
  if (quoted) {
    if (!quoted.name) throw invalidInput("audit.usage");
    return PERSON.test(quoted.name) ? { kind: "person", typed: quoted.name, period: quoted.rest } : { kind: "customer", name: quoted.name, period: quoted.rest };
  }
  const found = findPeriod(typed, now, timeZone);
  const period = found ? typed.slice(found.index, found.index + found.length) : "";
  const rest = found ? `${typed.slice(0, found.index)} ${typed.slice(found.index + found.length)}`.replace(/\s+/g, " ").trim() : typed;
  if (!rest) throw invalidInput("audit.usage");
  return PERSON.test(rest) ? { kind: "person", typed: rest, period } : { kind: "customer", name: rest, period };
}

/**
 * The period of the words typed (the last 30 days for none). One that runs up to now or beyond
 * ends just after now (so what happened this very millisecond is in it), and stays there: later
 * pages of the same trail do not shift as new entries come in.
 */
function periodOf(ctx: CommandContext, words: string): ReportPeriod {
  const period = words.trim() ? parsePeriod(words, ctx.now, ctx.timezone) : lastDays(DEFAULT_DAYS, ctx.now);
  if (!period) throw invalidInput("audit.badPeriod", { text: words.trim().slice(0, 60) });
  const end = ctx.now.getTime() + 1;
  return period.to.getTime() >= ctx.now.getTime() ? { ...period, to: new Date(end) } : period;
}

const LABEL_KEYS = ["today", "yesterday", "thisWeek", "lastWeek", "thisMonth", "lastMonth", "thisQuarter", "lastQuarter", "thisYear", "lastYear", "lastDays"] as const;

/** What the page and export buttons carry: the query as it was first asked (the period as instants), and the page. */
const trailValue = z.object({
  k: z.enum(["customer", "user"]),
  id: z.uuid(),
  f: z.number().int(),
  t: z.number().int(),
  l: z.enum(LABEL_KEYS),
  d: z.number().int().positive().optional(),
  p: z.number().int().min(1).max(MAX_PAGE).optional(),
});
type TrailValue = z.infer<typeof trailValue>;

function valueOf(target: AuditTarget, period: Pick<ReportPeriod, "from" | "to" | "label">, page?: number): string {
  const value: TrailValue = { k: target.kind, id: target.id, f: period.from.getTime(), t: period.to.getTime(), l: period.label.key, ...(period.label.days ? { d: period.label.days } : {}), ...(page ? { p: page } : {}) };
  return JSON.stringify(value);
}

function readValue(raw: string): { query: AuditQuery; period: Pick<ReportPeriod, "from" | "to" | "label">; page: number } {
  const v = trailValue.parse(JSON.parse(raw));
  const period = { from: new Date(v.f), to: new Date(v.t), label: { key: v.l, ...(v.d ? { days: v.d } : {}) } };
  return { query: { target: { kind: v.k, id: v.id }, from: period.from, to: period.to }, period, page: v.p ?? 1 };
}

function headingOf(ctx: CommandContext, target: AuditTarget, period: Pick<ReportPeriod, "from" | "to" | "label">): TrailHeading {
  return { kind: target.kind, period: periodLabel(ctx, period), span: spanText(ctx, period, period.to) };
}

async function showTrail(ctx: CommandContext, target: AuditTarget, period: Pick<ReportPeriod, "from" | "to" | "label">, page = 1): Promise<Outcome> {
  const trail = await ctx.services.listAuditTrail(ctx.rep, { target, from: period.from, to: period.to }, page);
  const message = auditTrailMessage(ctx, trail, headingOf(ctx, target, period), { page: (p) => valueOf(target, period, p), export: valueOf(target, period) });
  return { kind: "message", message };
}

/** Reps are refused before anything is looked up: the trail is for admins and managers. */
function mayRead(ctx: CommandContext): void {
  if (ctx.rep.role === "REP") throw new AppError("FORBIDDEN", "audit.forbidden");
}

async function personTarget(ctx: CommandContext, typed: string): Promise<AuditTarget> {
  const lookup = await ctx.services.findRep(ctx.rep.platform, typed);
  if (lookup.kind === "found") return { kind: "user", id: lookup.rep.id };
  if (lookup.kind === "ambiguous") throw invalidInput("audit.ambiguousPerson", { person: typed.slice(0, 40), names: ctx.f.list(lookup.candidates.map((r) => r.displayName)) });
  const known = lookup.known.slice(0, 15).map((r) => r.displayName);
  throw invalidInput("audit.unknownPerson", { person: typed.slice(0, 40), known: known.length > 0 ? ctx.f.list(known) : "—" });
}

/** Once the customer is known (typed, or picked among several): the first page. */
export function auditCustomer(ctx: CommandContext, customer: Pick<CustomerSummary, "id">, periodWords: string): Promise<Outcome> {
  mayRead(ctx);
  return showTrail(ctx, { kind: "customer", id: customer.id }, periodOf(ctx, periodWords));
}

async function run(ctx: CommandContext, text: string): Promise<Outcome> {
  mayRead(ctx);
  // A customer whose whole name reads like a period ("Today Media") is that customer.
  const exact = text.trim() && !PERSON.test(text.trim()) ? await ctx.services.findCustomerByName(text.trim()) : null;
  if (exact) return auditCustomer(ctx, exact, "");
  const request = parseAuditText(text, ctx.now, ctx.timezone);
  const period = periodOf(ctx, request.period);
  if (request.kind === "person") return showTrail(ctx, await personTarget(ctx, request.typed), period);
  return withCustomer(ctx, request.name, { command: AUDIT_CONTINUATION, rest: request.period }, (c) => auditCustomer(ctx, c, request.period));
}

/** The customer picker continues /crm audit under this name, with the period's words. */
export const AUDIT_CONTINUATION = "audit";

/** "/crm audit <customer>|@person [period]" (审计): the audit trail, for admins and managers. */
export const auditCommand: CommandDefinition = {
  name: "audit",
  slash: false,
  help: [{
    usage: ["/crm audit <customer> [period]", "/crm audit @person [period]"],
    description: "help.audit",
    examples: ["/crm audit Acme", "/crm audit Acme this month", "/crm audit @li.na last 7 days", "/crm 审计 阿里巴巴 本月"],
  }],
  run,
};

/** Command words of /crm audit in Chinese. */
export const AUDIT_ALIASES: Readonly<Record<string, string>> = { 审计: "audit", 审计记录: "audit", 审计日志: "audit" };

export const auditActions: Record<string, ActionHandler> = {
  "audit.page": async (ctx, value) => {
    mayRead(ctx);
    const { query, period, page } = readValue(value);
    return showTrail(ctx, query.target, period, page);
  },
  /** The rows of the query as a CSV file block (the platform uploads it, or says where it was saved). */
  "audit.export": async (ctx, value) => {
    mayRead(ctx);
    const { query, period } = readValue(value);
    const { subject, rows, total } = await ctx.services.exportAuditTrail(ctx.rep, query);
    const label = periodLabel(ctx, period);
    if (rows.length === 0) {
      const text = ctx.t("audit.export.empty", { subject });
      return { kind: "message", message: { visibility: "private", summary: text, blocks: [{ type: "text", text }] } };
    }
    const summary = ctx.t("audit.export.summary", { subject, period: label, rows: rows.length });
    const day = ctx.now.toISOString().slice(0, 10);
    const file = { filename: `audit-${query.target.kind}-${query.target.id.slice(0, 8)}-${day}.csv`, title: ctx.t("audit.title", { subject }), mimeType: "text/csv", content: auditCsv(ctx, rows, query.target.kind) };
    const blocks: Outcome & { kind: "message" } = { kind: "message", message: { visibility: "private", summary, blocks: [{ type: "file", file, summary }] } };
    if (total > rows.length) blocks.message.blocks.push({ type: "context", text: ctx.t("audit.export.cut", { total, rows: Math.min(rows.length, AUDIT_EXPORT_MAX) }) });
    return blocks;
  },
};
