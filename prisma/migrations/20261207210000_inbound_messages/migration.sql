-- Customer messages as the webhook took them, before the worker turned them into contacts,
-- interactions, waits and survey answers. A row lives from the push until it was processed.
-- message_key and sender_hash are keyed hashes (no openid or MsgId in clear), payload is sealed.
CREATE TABLE "inbound_messages" (
  "id" BIGSERIAL PRIMARY KEY,
  "platform" TEXT NOT NULL,
  "message_key" TEXT NOT NULL,
  "sender_hash" TEXT NOT NULL,
  "payload_enc" TEXT NOT NULL,
  "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  "attempts" INTEGER NOT NULL DEFAULT 0,
  "last_error" TEXT
);

-- One row per platform message while it waits: WeChat's retries of a waiting push change nothing.
CREATE UNIQUE INDEX "inbound_messages_platform_message_key_key" ON "inbound_messages" ("platform", "message_key");

-- The worker takes one sender's rows oldest first.
CREATE INDEX "inbound_messages_sender_hash_id_idx" ON "inbound_messages" ("sender_hash", "id");
