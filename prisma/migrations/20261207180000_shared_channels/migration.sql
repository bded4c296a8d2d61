-- Slack Connect (issue 15): channels shared with other organisations that an admin allowed for
-- digests and shared answers. Any other externally shared channel gets neither.
CREATE TABLE "shared_channel_allowances" (
    "platform" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "channel_name" TEXT,
    "allowed_by_id" UUID,
    "allowed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "shared_channel_allowances_pkey" PRIMARY KEY ("platform", "channel")
);

-- A digest held back because its channel became shared with other organisations (or could not
-- be checked): the subscriber is told once, and the mark is cleared when a digest goes out again.
ALTER TABLE "digest_subscriptions" ADD COLUMN "withheld_at" TIMESTAMPTZ(3);
