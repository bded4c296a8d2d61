-- What a sales team keeps about a customer besides its name, stage and owner (issue 13).
-- Lengths and tag rules are enforced where input arrives (src/domain/customer-fields.ts), and
-- the check here only keeps a stray writer from storing more tags than any screen shows.
ALTER TABLE "customers"
  ADD COLUMN "industry" TEXT,
  ADD COLUMN "website"  TEXT,
  ADD COLUMN "address"  TEXT,
  ADD COLUMN "about"    TEXT,
  ADD COLUMN "tags"     TEXT[] NOT NULL DEFAULT '{}',
  ADD CONSTRAINT "customers_tags_count" CHECK (cardinality("tags") <= 20);

-- The tag filters of /top and /segment ("tag vip") read it with tags @> ARRAY[...].
CREATE INDEX "customers_tags_gin" ON "customers" USING GIN ("tags");
