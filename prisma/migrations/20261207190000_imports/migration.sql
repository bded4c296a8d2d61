-- Imports of customers, contacts, orders and interactions from CSV or XLSX files (issue 14).

-- The id a record has in the system it came from (or in an export of this one): a re-import of
-- the same file finds the record by it and changes nothing. Unique where set. Partial indexes
-- keep the millions of rows entered in chat (no external id) out of them.
ALTER TABLE "customers" ADD COLUMN "external_id" TEXT;
ALTER TABLE "contacts" ADD COLUMN "external_id" TEXT;
ALTER TABLE "orders" ADD COLUMN "external_id" TEXT;
ALTER TABLE "interactions" ADD COLUMN "external_id" TEXT;
CREATE UNIQUE INDEX "customers_external_id_key" ON "customers" ("external_id") WHERE "external_id" IS NOT NULL;
CREATE UNIQUE INDEX "contacts_external_id_key" ON "contacts" ("external_id") WHERE "external_id" IS NOT NULL;
CREATE UNIQUE INDEX "orders_external_id_key" ON "orders" ("external_id") WHERE "external_id" IS NOT NULL;
CREATE UNIQUE INDEX "interactions_external_id_key" ON "interactions" ("external_id") WHERE "external_id" IS NOT NULL;

-- One import: the file as uploaded (in import_file_chunks until it ran or was cancelled), the
-- column mapping the rep confirmed, and how it went. A chat preview is a row in status
-- 'previewed'; the Import button queues it, a worker runs it. The file name and counts are what
-- the audit row repeats; no cell values are kept here except in the problem rows' CSV, which is
-- for the person who ran the import and is cleared with the run's other leftovers.
CREATE TABLE "import_runs" (
    "id" UUID NOT NULL,
    -- The rep who started it (no foreign key: like audit_log.actor_id it outlives the user).
    "created_by_id" UUID NOT NULL,
    -- customers, contacts, orders or interactions.
    "kind" TEXT NOT NULL,
    "file_name" TEXT NOT NULL,
    -- csv or xlsx.
    "format" TEXT NOT NULL,
    "byte_size" INTEGER NOT NULL,
    -- previewed, queued, running, done, failed or cancelled.
    "status" TEXT NOT NULL,
    -- The header of each file column and the field it fills (null: ignored).
    "mapping" JSONB NOT NULL,
    -- Dates without a zone are read in this zone, messages written in this language.
    "timezone" TEXT NOT NULL,
    "locale" TEXT NOT NULL,
    -- Where the progress message is (a Slack DM and the message's ts), when it came from chat.
    "platform" TEXT,
    "channel" TEXT,
    "message_ts" TEXT,
    "rows" INTEGER NOT NULL DEFAULT 0,
    "created" INTEGER NOT NULL DEFAULT 0,
    "updated" INTEGER NOT NULL DEFAULT 0,
    "unchanged" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    -- The first problems (row, column, what, how), and all of them as CSV once the run ended.
    "problems" JSONB,
    "problem_csv" BYTEA,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    CONSTRAINT "import_runs_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "import_runs_created_at_idx" ON "import_runs" ("created_at");

-- The uploaded file in pieces of up to 1 MiB, so any worker can stream it back.
CREATE TABLE "import_file_chunks" (
    "run_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "bytes" BYTEA NOT NULL,
    CONSTRAINT "import_file_chunks_pkey" PRIMARY KEY ("run_id", "seq"),
    CONSTRAINT "import_file_chunks_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "import_runs"("id") ON DELETE CASCADE
);
