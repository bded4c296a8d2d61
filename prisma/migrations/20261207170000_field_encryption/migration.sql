-- Encryption at rest of personal details (issue 15). Phones, emails and WeChat openids of
-- contacts, customers' addresses and the openid an outgoing WeChat message goes to are stored
-- sealed (AES-256-GCM, "v1.<key id>.<base64url>", src/store/field-cipher.ts) by the application,
-- with a keyed hash (HMAC-SHA256 of the normalised value) beside each value that is looked up.
-- SQL holds no key, so this migration only makes room: the plaintext columns are renamed to
-- *_plaintext, and the bot seals what they hold at its next start (in batches) and empties them.
-- Nothing writes them any more.

-- Contacts: the plaintext columns, kept until the bot has sealed them.
ALTER TABLE "contacts" RENAME COLUMN "email" TO "email_plaintext";
ALTER TABLE "contacts" RENAME COLUMN "phone" TO "phone_plaintext";
ALTER TABLE "contacts" RENAME COLUMN "wechat_open_id" TO "wechat_open_id_plaintext";
DROP INDEX "contacts_wechat_open_id_key";
DROP INDEX "contacts_phone_key";
DROP INDEX "contacts_email_key";

ALTER TABLE "contacts"
  ADD COLUMN "email_enc" TEXT,
  ADD COLUMN "email_hash" TEXT,
  ADD COLUMN "email_invalid" BOOLEAN NOT NULL DEFAULT false,
  ADD COLUMN "phone_enc" TEXT,
  ADD COLUMN "phone_hash" TEXT,
  ADD COLUMN "phone_invalid" BOOLEAN NOT NULL DEFAULT false,
  ADD COLUMN "wechat_open_id_enc" TEXT,
  ADD COLUMN "wechat_open_id_hash" TEXT;

-- One contact per WeChat person, found by the hash on every push. Equal emails and phones
-- (duplicates, "already a contact") are found by theirs.
CREATE UNIQUE INDEX "contacts_wechat_open_id_hash_key" ON "contacts"("wechat_open_id_hash");
CREATE INDEX "contacts_email_hash_idx" ON "contacts"("email_hash");
CREATE INDEX "contacts_phone_hash_idx" ON "contacts"("phone_hash");
-- Rows still holding plaintext: empty once sealed, so the check at every start is instant.
CREATE INDEX "contacts_plaintext_left_idx" ON "contacts"("id")
  WHERE "email_plaintext" IS NOT NULL OR "phone_plaintext" IS NOT NULL OR "wechat_open_id_plaintext" IS NOT NULL;

-- Customers' addresses.
ALTER TABLE "customers" RENAME COLUMN "address" TO "address_plaintext";
ALTER TABLE "customers" ADD COLUMN "address_enc" TEXT;
CREATE INDEX "customers_plaintext_left_idx" ON "customers"("id") WHERE "address_plaintext" IS NOT NULL;

-- Outgoing WeChat messages go to an openid: sealed in destination_enc, with its hash (erasure
-- finds a person's queued messages by it), and destination left null. Slack and terminal
-- destinations (channel and user ids) stay in destination as before.
ALTER TABLE "outbox" ALTER COLUMN "destination" DROP NOT NULL;
ALTER TABLE "outbox" ADD COLUMN "destination_enc" TEXT, ADD COLUMN "destination_hash" TEXT;
CREATE INDEX "outbox_destination_hash_idx" ON "outbox"("destination_hash");
CREATE INDEX "outbox_plaintext_left_idx" ON "outbox"("id")
  WHERE "platform" = 'wechat' AND "destination" IS NOT NULL AND "destination" <> 'erased';

-- A WeChat event (no MsgId) was stored under "<openid>:<CreateTime>:<kind>". New ones use a
-- keyed hash of the openid ("~<hash>:..."). An old id only had to stop a retry within seconds
-- of its push, long past, so its openid becomes a random token here.
UPDATE "interactions"
SET "source_id" = '~' || replace(gen_random_uuid()::text, '-', '') || substr("source_id", strpos("source_id", ':'))
WHERE "source_platform" = 'wechat' AND strpos("source_id", ':') > 0 AND "source_id" NOT LIKE '~%';

-- The duplicate scan's reasons quoted the shared phone or email: they now name the two contacts
-- instead. The pairs are derived data, so they go, and the next /crm duplicates scans again.
DELETE FROM "duplicate_pairs";
DELETE FROM "duplicate_scans";

-- The keys personal details were written with. A key is registered before its first write, and
-- retired by rotate-key once no value uses it: the bot refuses to start when a key that is not
-- retired is not among the keys it was given, instead of failing on the first card it shows.
CREATE TABLE "data_keys" (
    "key_id" TEXT NOT NULL,
    "first_used_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retired_at" TIMESTAMPTZ(3),
    CONSTRAINT "data_keys_pkey" PRIMARY KEY ("key_id")
);
