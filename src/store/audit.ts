import type { Prisma } from "@prisma/client";
import type { Db } from "./prisma.js";

export interface AuditRecord {
  actorId: string | null;
  /** Verb-noun such as "customer.view", "order.create". */
  action: string;
  entity: string;
  entityId: string | null;
  detail?: Record<string, unknown>;
}

export function createAuditStore(db: Db) {
  return {
    async write(entry: AuditRecord): Promise<void> {
      await db.auditEntry.create({
        data: {
          actorId: entry.actorId,
          action: entry.action,
          entity: entry.entity,
          entityId: entry.entityId,
          detail: (entry.detail ?? undefined) as Prisma.InputJsonValue | undefined,
        },
      });
    },
  };
}

export type AuditStore = ReturnType<typeof createAuditStore>;
