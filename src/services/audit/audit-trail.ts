import { inScope, ownerScope } from "../../domain/access/access-scope.js";
import { AppError } from "../../domain/errors.js";
import type { AuditFilter, AuditRow, Rep } from "../../store/index.js";
import { recordRead } from "./record-read.js";
import type { ServiceDeps } from "../deps.js";

/** Rows of /crm audit a page. */
export const AUDIT_PAGE_SIZE = 15;
/** At most this many rows go into one export file; a longer trail is cut, and the answer says so. */
export const AUDIT_EXPORT_MAX = 10_000;

/** Whose trail: one customer's, or one person's (what they did, and what was done to them). */
export type AuditTarget = { kind: "customer"; id: string } | { kind: "user"; id: string };

export interface AuditQuery {
  target: AuditTarget;
  /** [from, to): `to` is fixed when the first page is asked, so later pages do not shift. */
  from: Date;
  to: Date;
}

export interface AuditTrailPage {
  /** The customer's or person's name, as it is now. */
  subject: string;
  rows: AuditRow[];
  total: number;
  page: number;
  pageSize: number;
}

/**
 * Who may read whose trail: admins anyone's; a manager the customers and people their team
 * covers (domain/access/access-scope.ts: their own, their team members', unowned customers), and of a
 * person's trail only the rows about such customers; reps nobody's. Returns the filter.
 */
async function allowedFilter(deps: ServiceDeps, viewer: Rep, query: AuditQuery): Promise<{ filter: AuditFilter; subject: string }> {
  if (viewer.role === "REP") throw new AppError("FORBIDDEN", "audit.forbidden");
  const base = { from: query.from, to: query.to };
  if (query.target.kind === "customer") {
    const customer = await deps.store.customers.getSummary(query.target.id);
    if (!customer) throw new AppError("NOT_FOUND", "customer.gone");
    if (!inScope(viewer, customer.ownerId)) throw new AppError("FORBIDDEN", "audit.customerOutOfScope", { customer: customer.name, owner: customer.ownerName ?? "—" });
    return { filter: { ...base, subject: { customerId: customer.id } }, subject: customer.name };
  }
  const person = await deps.store.users.findById(query.target.id);
  if (!person) throw new AppError("NOT_FOUND", "audit.personGone");
  const scope = ownerScope(viewer);
  if (scope.kind === "all") return { filter: { ...base, subject: { userId: person.id } }, subject: person.displayName };
  if (!scope.ownerIds.includes(person.id)) throw new AppError("FORBIDDEN", "audit.personOutOfScope", { person: person.displayName });
  return { filter: { ...base, subject: { userId: person.id }, ownersIn: scope.ownerIds }, subject: person.displayName };
}

const subjectDetail = (query: AuditQuery) => ({ [query.target.kind === "customer" ? "customerId" : "userId"]: query.target.id, from: query.from.toISOString(), to: query.to.toISOString() });

/** A page (from 1) of a trail, newest first; reading it is itself audited (audit.view). */
export async function listAuditTrail(deps: ServiceDeps, viewer: Rep, query: AuditQuery, page: number): Promise<AuditTrailPage> {
  const { filter, subject } = await allowedFilter(deps, viewer, query);
  const [rows, total] = await Promise.all([deps.store.audit.page(filter, AUDIT_PAGE_SIZE, (page - 1) * AUDIT_PAGE_SIZE), deps.store.audit.count(filter)]);
  await recordRead(deps.store, viewer, "audit.view", {
    entityId: query.target.id,
    ...(query.target.kind === "customer" ? { customerIds: [query.target.id] } : {}),
    detail: { ...subjectDetail(query), page, rows: rows.length },
  });
  return { subject, rows, total, page, pageSize: AUDIT_PAGE_SIZE };
}

/** Every row of a trail (up to AUDIT_EXPORT_MAX), newest first, for a file; audited (audit.export). */
export async function exportAuditTrail(deps: ServiceDeps, viewer: Rep, query: AuditQuery): Promise<{ subject: string; rows: AuditRow[]; total: number }> {
  const { filter, subject } = await allowedFilter(deps, viewer, query);
  const [rows, total] = await Promise.all([deps.store.audit.page(filter, AUDIT_EXPORT_MAX, 0), deps.store.audit.count(filter)]);
  await recordRead(deps.store, viewer, "audit.export", {
    entityId: query.target.id,
    ...(query.target.kind === "customer" ? { customerIds: [query.target.id] } : {}),
    detail: { ...subjectDetail(query), rows: rows.length },
  });
  return { subject, rows, total };
}
