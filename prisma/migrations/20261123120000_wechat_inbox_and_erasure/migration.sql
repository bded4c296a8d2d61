-- AlterTable
ALTER TABLE "contacts" ADD COLUMN     "erased_at" TIMESTAMPTZ(3),
ADD COLUMN     "unsubscribed_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "interactions" ADD COLUMN     "undelivered" TEXT;

-- CreateTable
CREATE TABLE "inbox_threads" (
    "id" UUID NOT NULL,
    "contact_id" UUID NOT NULL,
    "channel" TEXT NOT NULL,
    "header_outbox_id" UUID,
    "thread_ts" TEXT,
    "opened_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_message_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inbox_threads_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "inbox_threads_header_outbox_id_key" ON "inbox_threads"("header_outbox_id");

-- CreateIndex
CREATE INDEX "inbox_threads_contact_id_opened_at_idx" ON "inbox_threads"("contact_id", "opened_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "inbox_threads_channel_thread_ts_key" ON "inbox_threads"("channel", "thread_ts");

-- CreateIndex
CREATE INDEX "interactions_contact_id_occurred_at_idx" ON "interactions"("contact_id", "occurred_at" DESC);

-- AddForeignKey
ALTER TABLE "inbox_threads" ADD CONSTRAINT "inbox_threads_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;
