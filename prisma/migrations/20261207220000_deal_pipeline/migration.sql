-- Deals move through an ordered pipeline of stages (src/domain/deals/pipeline.ts): the stage a
-- deal is in, its amount in the base currency, when it closed and why it was lost, who made it,
-- when it last saw activity, and a soft delete. Every move is a row of deal_stage_changes.
ALTER TABLE "deals"
  ADD COLUMN "stage" TEXT NOT NULL DEFAULT 'qualification',
  ADD COLUMN "base_amount" DECIMAL(16,2),
  ADD COLUMN "rate_to_base" DECIMAL(20,10),
  ADD COLUMN "closed_at" TIMESTAMPTZ(3),
  ADD COLUMN "lost_reason" TEXT,
  ADD COLUMN "lost_note" TEXT,
  ADD COLUMN "created_by_id" UUID,
  ADD COLUMN "last_activity_at" TIMESTAMPTZ(3),
  ADD COLUMN "deleted_at" TIMESTAMPTZ(3);

UPDATE "deals" SET
  "stage" = CASE "status" WHEN 'WON' THEN 'won' WHEN 'LOST' THEN 'lost' ELSE 'qualification' END,
  "closed_at" = CASE WHEN "status" <> 'OPEN' THEN "updated_at" END,
  "last_activity_at" = "updated_at";

-- status stays for the readers that only ask whether a deal is open, and cannot disagree with stage.
ALTER TABLE "deals" ADD CONSTRAINT "deals_status_matches_stage"
  CHECK (("status" = 'WON') = ("stage" = 'won') AND ("status" = 'LOST') = ("stage" = 'lost'));
ALTER TABLE "deals" ADD CONSTRAINT "deals_closed_when_not_open"
  CHECK (("status" = 'OPEN') = ("closed_at" IS NULL));
ALTER TABLE "deals" ADD CONSTRAINT "deals_created_by_id_fkey"
  FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE INDEX "deals_owner_open_idx" ON "deals" ("owner_id", "stage") WHERE "deleted_at" IS NULL AND "status" = 'OPEN';
CREATE INDEX "deals_closed_at_idx" ON "deals" ("closed_at") WHERE "closed_at" IS NOT NULL AND "deleted_at" IS NULL;

CREATE TABLE "deal_stage_changes" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "deal_id" UUID NOT NULL,
  "from_stage" TEXT,
  "to_stage" TEXT NOT NULL,
  "changed_by_id" UUID,
  "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "deal_stage_changes_pkey" PRIMARY KEY ("id")
);
ALTER TABLE "deal_stage_changes" ADD CONSTRAINT "deal_stage_changes_deal_id_fkey"
  FOREIGN KEY ("deal_id") REFERENCES "deals"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "deal_stage_changes" ADD CONSTRAINT "deal_stage_changes_changed_by_id_fkey"
  FOREIGN KEY ("changed_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX "deal_stage_changes_deal_id_at_idx" ON "deal_stage_changes" ("deal_id", "at");
CREATE INDEX "deal_stage_changes_at_idx" ON "deal_stage_changes" ("at");

-- A deal made before stages existed starts its history where it was made.
INSERT INTO "deal_stage_changes" ("deal_id", "from_stage", "to_stage", "at")
SELECT "id", NULL, 'qualification', "created_at" FROM "deals";
INSERT INTO "deal_stage_changes" ("deal_id", "from_stage", "to_stage", "at")
SELECT "id", 'qualification', "stage", "closed_at" FROM "deals" WHERE "closed_at" IS NOT NULL;

-- The open stages an admin set (none: the defaults of src/domain/deals/pipeline.ts).
CREATE TABLE "pipeline_stages" (
  "position" INTEGER NOT NULL,
  "key" TEXT NOT NULL,
  "name_en" TEXT NOT NULL,
  "name_zh" TEXT NOT NULL,
  "probability" INTEGER NOT NULL,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "pipeline_stages_pkey" PRIMARY KEY ("position"),
  CONSTRAINT "pipeline_stages_probability" CHECK ("probability" BETWEEN 1 AND 99)
);
CREATE UNIQUE INDEX "pipeline_stages_key_key" ON "pipeline_stages" ("key");
