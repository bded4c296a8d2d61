-- Duplicates, merge and data quality (issue 13).

-- A phone number as a duplicate key: its last nine digits, so "+86 138 0013 8000", "+8613800138000"
-- and "138-0013-8000" (written at home, without the country code) meet, in any region. Numbers of
-- fewer than seven digits are no key. src/domain/duplicate-reasons.ts has the same rule (phoneKey).
CREATE FUNCTION "crm_phone_key"(phone TEXT) RETURNS TEXT
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT CASE WHEN length(d) >= 7 THEN right(d, 9) END FROM (SELECT regexp_replace(phone, '[^0-9]', '', 'g') AS d) s $$;

-- Equal phones and emails across customers are found by joining contacts on these keys.
CREATE INDEX "contacts_phone_key" ON "contacts" ("crm_phone_key"("phone")) WHERE "crm_phone_key"("phone") IS NOT NULL;
CREATE INDEX "contacts_email_key" ON "contacts" (lower(btrim("email"))) WHERE "email" IS NOT NULL AND btrim("email") <> '';

-- The likely duplicates the last scan found, one row per pair (customer_a < customer_b), with the
-- reasons. The scan replaces them all, reads join customers, so a pair whose customer is gone drops out.
CREATE TABLE "duplicate_pairs" (
    "customer_a" UUID NOT NULL,
    "customer_b" UUID NOT NULL,
    -- Strongest reason first: the ordering key of the list.
    "score" REAL NOT NULL,
    -- [{ "kind": "phone" | "email" | "pinyin" | "alias" | "similar", ... }]
    "reasons" JSONB NOT NULL,
    CONSTRAINT "duplicate_pairs_pkey" PRIMARY KEY ("customer_a", "customer_b"),
    CONSTRAINT "duplicate_pairs_order" CHECK ("customer_a" < "customer_b")
);
CREATE INDEX "duplicate_pairs_customer_b_idx" ON "duplicate_pairs" ("customer_b");
CREATE INDEX "duplicate_pairs_score_idx" ON "duplicate_pairs" ("score" DESC, "customer_a", "customer_b");

-- The one row saying when the pairs were found and from which state of the data: a scan is
-- repeated only when customers, aliases or contacts changed since.
CREATE TABLE "duplicate_scans" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "fingerprint" TEXT NOT NULL,
    "scanned_at" TIMESTAMPTZ(3) NOT NULL,
    "took_ms" INTEGER NOT NULL,
    "pairs" INTEGER NOT NULL,
    CONSTRAINT "duplicate_scans_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "duplicate_scans_single" CHECK ("id" = 1)
);

-- Pairs the team said are two different customers: never listed again.
CREATE TABLE "duplicate_dismissals" (
    "customer_a" UUID NOT NULL,
    "customer_b" UUID NOT NULL,
    "dismissed_by_id" UUID,
    "dismissed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "duplicate_dismissals_pkey" PRIMARY KEY ("customer_a", "customer_b"),
    CONSTRAINT "duplicate_dismissals_order" CHECK ("customer_a" < "customer_b"),
    CONSTRAINT "duplicate_dismissals_customer_a_fkey" FOREIGN KEY ("customer_a") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "duplicate_dismissals_customer_b_fkey" FOREIGN KEY ("customer_b") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "duplicate_dismissals_customer_b_idx" ON "duplicate_dismissals" ("customer_b");

-- Customers merged away (their row is gone): where they went, so an old button or a second merge
-- answers "X no longer exists (merged into Y)". A later merge of Y re-points these rows.
CREATE TABLE "customer_merges" (
    "from_id" UUID NOT NULL,
    "from_name" TEXT NOT NULL,
    "into_id" UUID NOT NULL,
    "merged_by_id" UUID,
    "merged_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "customer_merges_pkey" PRIMARY KEY ("from_id"),
    CONSTRAINT "customer_merges_into_id_fkey" FOREIGN KEY ("into_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "customer_merges_into_id_idx" ON "customer_merges" ("into_id");

-- The team's data quality figures as the digest of a local day saw them (the first digest of
-- that day writes them, retries and later digests that day read the same row), so the next
-- day's digest can say when quality fell.
CREATE TABLE "data_quality_snapshots" (
    "day" DATE NOT NULL,
    "figures" JSONB NOT NULL,
    "taken_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "data_quality_snapshots_pkey" PRIMARY KEY ("day")
);
