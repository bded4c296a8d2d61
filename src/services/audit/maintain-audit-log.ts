import type { AuditMaintenance } from "../../store/index.js";
import type { ServiceDeps } from "../deps.js";

/** Months of partitions made ahead of the current one, so a month never begins without one. */
export const AUDIT_MONTHS_AHEAD = 3;
/** AUDIT_RETENTION_MONTHS when the settings do not say. */
export const DEFAULT_AUDIT_RETENTION_MONTHS = 24;

/**
 * The audit log's monthly upkeep, at start and daily: partitions for this month and the next
 * AUDIT_MONTHS_AHEAD, rows that landed in the default partition moved into their month's, and
 * whole months older than the retention (AUDIT_RETENTION_MONTHS; 0 keeps everything)
 * dropped. Dropping a partition deletes no row one by one, so the append-only trigger stands.
 */
export function maintainAuditLog(deps: ServiceDeps): Promise<AuditMaintenance> {
  return deps.store.audit.maintain(deps.now(), AUDIT_MONTHS_AHEAD, deps.settings.auditRetentionMonths ?? DEFAULT_AUDIT_RETENTION_MONTHS);
}
