import { Prisma, type Db } from "../prisma.js";

/** An export written by a worker (migration 20261207200000_exports): what was asked, and how it went. */
export interface ExportRunRow {
  id: string;
  requestedById: string;
  kind: string;
  format: string;
  periodFrom: Date | null;
  periodTo: Date | null;
  periodLabel: unknown;
  locale: string;
  timezone: string;
  status: "pending" | "running" | "delivered" | "failed";
  attempts: number;
  rowCount: number | null;
  error: string | null;
  createdAt: Date;
}

export interface NewExportRun {
  id: string;
  requestedById: string;
  kind: string;
  format: string;
  periodFrom: Date | null;
  periodTo: Date | null;
  periodLabel: unknown;
  locale: string;
  timezone: string;
  at: Date;
}

const COLUMNS = Prisma.sql`
  id::text AS id, requested_by_id::text AS "requestedById", kind, format, period_from AS "periodFrom", period_to AS "periodTo",
  period_label AS "periodLabel", locale, timezone, status, attempts, row_count AS "rowCount", error, created_at AS "createdAt"`;

/** Errors are kept short: they are read by operators and the rep, never parsed. */
const short = (text: string) => text.slice(0, 500);

export function createExportRunStore(db: Db) {
  return {
    async create(run: NewExportRun): Promise<void> {
      await db.$executeRaw`
        INSERT INTO export_runs (id, requested_by_id, kind, format, period_from, period_to, period_label, locale, timezone, created_at)
        VALUES (${run.id}::uuid, ${run.requestedById}::uuid, ${run.kind}, ${run.format}, ${run.periodFrom}, ${run.periodTo},
                ${run.periodLabel === null ? null : JSON.stringify(run.periodLabel)}::jsonb, ${run.locale}, ${run.timezone}, ${run.at})`;
    },

    async get(id: string): Promise<ExportRunRow | null> {
      const rows = await db.$queryRaw<ExportRunRow[]>`SELECT ${COLUMNS} FROM export_runs WHERE id = ${id}::uuid`;
      return rows[0] ?? null;
    },

    /**
     * Takes a run to work on: a pending one, or a running one whose worker is gone (BullMQ hands
     * a job on only when its holder lost the lock). Null when it was delivered or failed already.
     */
    async claim(id: string, at: Date): Promise<ExportRunRow | null> {
      const rows = await db.$queryRaw<ExportRunRow[]>`
        UPDATE export_runs SET status = 'running', attempts = attempts + 1, started_at = ${at}, error = NULL
        WHERE id = ${id}::uuid AND status IN ('pending', 'running')
        RETURNING ${COLUMNS}`;
      return rows[0] ?? null;
    },

    /** An attempt failed and another will follow: pending again, with why. */
    async release(id: string, error: string): Promise<void> {
      await db.$executeRaw`UPDATE export_runs SET status = 'pending', error = ${short(error)} WHERE id = ${id}::uuid AND status = 'running'`;
    },

    async delivered(id: string, rowCount: number, at: Date): Promise<void> {
      await db.$executeRaw`UPDATE export_runs SET status = 'delivered', row_count = ${rowCount}, finished_at = ${at}, error = NULL WHERE id = ${id}::uuid`;
    },

    /** Failed for good; false when it had already ended (so the rep is told once). */
    async failed(id: string, error: string, at: Date): Promise<boolean> {
      const n = await db.$executeRaw`UPDATE export_runs SET status = 'failed', error = ${short(error)}, finished_at = ${at} WHERE id = ${id}::uuid AND status IN ('pending', 'running')`;
      return n > 0;
    },

    /**
     * Runs still to do (id order, a page after `after`): pending ones, and running ones started
     * before `staleBefore` whose job may have been lost with Redis.
     */
    async open(staleBefore: Date, take: number, after?: string): Promise<{ id: string }[]> {
      return db.$queryRaw<{ id: string }[]>`
        SELECT id::text AS id FROM export_runs
        WHERE (status = 'pending' OR (status = 'running' AND started_at < ${staleBefore}))
          ${after ? Prisma.sql`AND id > ${after}::uuid` : Prisma.empty}
        ORDER BY id LIMIT ${take}`;
    },
  };
}

export type ExportRunStore = ReturnType<typeof createExportRunStore>;
