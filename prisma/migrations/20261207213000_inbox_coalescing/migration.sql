-- The WeChat inbox under a burst (issue 17): a customer's messages still waiting for the same
-- Slack thread go out as one post. The rows merged into another's post point at it and are
-- settled with it (sent, or failed with its reason), in the same transaction.
ALTER TABLE "outbox" ADD COLUMN "coalesced_into" UUID;

CREATE INDEX "outbox_coalesced_into_idx" ON "outbox" ("coalesced_into") WHERE "coalesced_into" IS NOT NULL;

-- Finding what else waits for one inbox thread, at every delivery of an inbox message.
CREATE INDEX "outbox_inbox_thread_waiting_idx" ON "outbox" (("payload"->>'threadId'), "created_at")
    WHERE "status" IN ('PENDING', 'SENDING') AND "payload"->>'type' = 'inbox.message';

-- Routing conversations to several inbox channels: by the customer's owner, or by the owner's
-- sales team. The owner's route wins over the team's, and with neither the default channel.
CREATE TABLE "inbox_routes" (
    "kind" TEXT NOT NULL,
    "target_id" UUID NOT NULL,
    "channel" TEXT NOT NULL,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inbox_routes_pkey" PRIMARY KEY ("kind", "target_id"),
    CONSTRAINT "inbox_routes_kind_check" CHECK ("kind" IN ('team', 'owner'))
);
