-- Orders and interactions can be corrected and (softly) deleted: the row stays, with who deleted
-- it and when, so a deletion can be undone and the audit log can point at it. Every read ignores
-- deleted rows (src/store/live-rows.ts). Who deleted or corrected is a user id without a foreign
-- key, like audit_log.actor_id: the record of who did it outlives the user.

-- AlterTable
ALTER TABLE "orders" ADD COLUMN "deleted_at" TIMESTAMPTZ(3),
ADD COLUMN "deleted_by_id" UUID,
ADD COLUMN "corrected_at" TIMESTAMPTZ(3),
ADD COLUMN "corrected_by_id" UUID;

-- AlterTable
ALTER TABLE "interactions" ADD COLUMN "deleted_at" TIMESTAMPTZ(3),
ADD COLUMN "deleted_by_id" UUID,
ADD COLUMN "corrected_at" TIMESTAMPTZ(3),
ADD COLUMN "corrected_by_id" UUID;

-- The covering indexes of the analytics hold live rows only, so period sums and channel counts stay
-- index-only scans with the `deleted_at IS NULL` every read adds (Postgres drops a condition
-- the index predicate implies, and needs no heap visit for it). The per-customer indexes stay
-- whole: moving and cascading deletes find every row of a customer through them.
DROP INDEX "orders_ordered_at_customer_id_base_amount_idx";
CREATE INDEX "orders_ordered_at_customer_id_base_amount_idx" ON "orders"("ordered_at", "customer_id", "base_amount") WHERE "deleted_at" IS NULL;

DROP INDEX "interactions_occurred_at_channel_direction_idx";
CREATE INDEX "interactions_occurred_at_channel_direction_idx" ON "interactions"("occurred_at", "channel", "direction") WHERE "deleted_at" IS NULL;

-- A customer with live orders in date order, index-only: the purchase months (their second order)
-- and the segment facts read it. Without it a statement planned without statistics (a bulk load
-- inside one transaction) looked up each customer in the covering index above, whose first
-- column is the date: a scan of every order per customer.
CREATE INDEX "orders_live_customer_id_ordered_at_idx" ON "orders"("customer_id", "ordered_at" DESC) WHERE "deleted_at" IS NULL;

-- `/order undo` and `/log undo`: the latest live entry of a rep.
CREATE INDEX "orders_created_by_id_created_at_idx" ON "orders"("created_by_id", "created_at" DESC) WHERE "deleted_at" IS NULL;
CREATE INDEX "interactions_author_id_created_at_idx" ON "interactions"("author_id", "created_at" DESC) WHERE "deleted_at" IS NULL;
