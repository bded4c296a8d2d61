-- Exports of customers, contacts, orders, interactions and surveys as CSV or XLSX (issue 14).

-- An export too large to write while Slack waits for its answer: the row is the record, the
-- BullMQ job only points at it, so an export asked for before Redis lost its data still runs
-- (the sweep finds pending rows). No file content is kept here, only what was asked and how it
-- went.
CREATE TABLE "export_runs" (
    "id" UUID NOT NULL,
    -- The rep who asked (no foreign key: like audit_log.actor_id it outlives the user).
    "requested_by_id" UUID NOT NULL,
    -- customers, contacts, orders, interactions or surveys.
    "kind" TEXT NOT NULL,
    -- csv or xlsx.
    "format" TEXT NOT NULL,
    -- The instants covered (from inclusive, to exclusive), none for all time, and how the rep named them.
    "period_from" TIMESTAMPTZ(3),
    "period_to" TIMESTAMPTZ(3),
    "period_label" JSONB,
    -- Headers in this language, times in this zone: the asker's when they asked.
    "locale" TEXT NOT NULL,
    "timezone" TEXT NOT NULL,
    -- pending, running, delivered or failed.
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "row_count" INTEGER,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    CONSTRAINT "export_runs_pkey" PRIMARY KEY ("id")
);
-- The sweep looks for runs still to do.
CREATE INDEX "export_runs_open_idx" ON "export_runs" ("created_at") WHERE "status" IN ('pending', 'running');
