-- The pipeline's figures per owner (src/store/deals/pipeline-figures.ts): open deals by when they
-- are expected to close, and closed deals by when they closed, each for one owner or a team's
-- owners. Partial, like deals_owner_open_idx, so deleted and (for the first) closed deals cost nothing.
-- Prisma's schema cannot say partial indexes, so they live here only, as the deal_pipeline ones do.
CREATE INDEX "deals_owner_closing_idx" ON "deals" ("owner_id", "expected_close_at") WHERE "deleted_at" IS NULL AND "status" = 'OPEN';
CREATE INDEX "deals_owner_closed_idx" ON "deals" ("owner_id", "closed_at") WHERE "closed_at" IS NOT NULL AND "deleted_at" IS NULL;
-- Team-wide closing lists read open deals by close date alone.
CREATE INDEX "deals_closing_idx" ON "deals" ("expected_close_at") WHERE "deleted_at" IS NULL AND "status" = 'OPEN';
-- The week's movers and a day's movement start from the deals active since (every move sets
-- last_activity_at), then look up each one's moves by (deal_id, at).
CREATE INDEX "deals_owner_activity_idx" ON "deals" ("owner_id", "last_activity_at") WHERE "deleted_at" IS NULL;
CREATE INDEX "deals_activity_idx" ON "deals" ("last_activity_at") WHERE "deleted_at" IS NULL;
