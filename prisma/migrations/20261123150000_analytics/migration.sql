-- CreateEnum
CREATE TYPE "Segment" AS ENUM ('HIGH_VALUE', 'POTENTIAL', 'NEW', 'CHURN_RISK', 'LOST');

-- DropIndex
DROP INDEX "orders_ordered_at_idx";

-- AlterTable
ALTER TABLE "customer_stats" ADD COLUMN     "rfm_frequency" SMALLINT,
ADD COLUMN     "rfm_monetary" SMALLINT,
ADD COLUMN     "rfm_recency" SMALLINT,
ADD COLUMN     "scored_at" TIMESTAMPTZ(3),
ADD COLUMN     "segment" "Segment",
ADD COLUMN     "segment_reason" JSONB;

-- CreateTable
CREATE TABLE "customer_stage_changes" (
    "id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "from_stage" "Stage" NOT NULL,
    "to_stage" "Stage" NOT NULL,
    "reason" JSONB NOT NULL,
    "owner_id" UUID,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "customer_stage_changes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "digest_subscriptions" (
    "id" UUID NOT NULL,
    "platform" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "local_time" TEXT NOT NULL,
    "timezone" TEXT NOT NULL,
    "locale" TEXT NOT NULL,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "digest_subscriptions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "customer_stage_changes_changed_at_idx" ON "customer_stage_changes"("changed_at");

-- CreateIndex
CREATE INDEX "customer_stage_changes_customer_id_changed_at_idx" ON "customer_stage_changes"("customer_id", "changed_at" DESC);

-- CreateIndex
CREATE INDEX "customer_stage_changes_owner_id_changed_at_idx" ON "customer_stage_changes"("owner_id", "changed_at");

-- CreateIndex
CREATE UNIQUE INDEX "digest_subscriptions_platform_channel_key" ON "digest_subscriptions"("platform", "channel");

-- CreateIndex
CREATE INDEX "customer_stats_segment_total_spent_idx" ON "customer_stats"("segment", "total_spent" DESC);

-- CreateIndex
CREATE INDEX "customers_created_at_idx" ON "customers"("created_at");

-- CreateIndex
CREATE INDEX "interactions_occurred_at_channel_direction_idx" ON "interactions"("occurred_at", "channel", "direction");

-- CreateIndex
CREATE INDEX "orders_ordered_at_customer_id_base_amount_idx" ON "orders"("ordered_at", "customer_id", "base_amount");

-- AddForeignKey
ALTER TABLE "customer_stage_changes" ADD CONSTRAINT "customer_stage_changes_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;
