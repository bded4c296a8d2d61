-- The audit log becomes a table partitioned by month (retention drops whole months), append-only
-- for the application (a trigger refuses UPDATE, DELETE and TRUNCATE, with one exception for
-- erasure, see crm_audit_append_only), and gains customer_ids: every customer a row is about, so
-- "/crm audit <customer>" is one index look-up whatever the action. Existing rows are kept, with
-- the personal values older code wrote into their details replaced by the names of the fields.

ALTER TABLE "audit_log" RENAME TO "audit_log_before_partitioning";
ALTER TABLE "audit_log_before_partitioning" RENAME CONSTRAINT "audit_log_pkey" TO "audit_log_before_partitioning_pkey";
DROP INDEX "audit_log_entity_entity_id_idx";
DROP INDEX "audit_log_actor_id_at_idx";
ALTER SEQUENCE "audit_log_id_seq" OWNED BY NONE;

CREATE TABLE "audit_log" (
    "id" BIGINT NOT NULL DEFAULT nextval('audit_log_id_seq'),
    "actor_id" UUID,
    "action" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "entity_id" TEXT,
    -- The customers the row is about (one for a card view, every one listed for a list answer).
    "customer_ids" UUID[] NOT NULL DEFAULT '{}',
    "detail" JSONB,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id", "at")
) PARTITION BY RANGE ("at");
ALTER SEQUENCE "audit_log_id_seq" OWNED BY "audit_log"."id";

CREATE INDEX "audit_log_entity_entity_id_at_idx" ON "audit_log" ("entity", "entity_id", "at");
CREATE INDEX "audit_log_actor_id_at_idx" ON "audit_log" ("actor_id", "at");
CREATE INDEX "audit_log_customer_ids_idx" ON "audit_log" USING GIN ("customer_ids");
CREATE INDEX "audit_log_at_idx" ON "audit_log" ("at");

-- Raised by the triggers below: the log is only ever added to.
CREATE FUNCTION "crm_audit_refuse"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

-- Rows are never updated or deleted, with one exception: a transaction that ran
-- SET LOCAL crm.audit_redaction = on (an erasure on request) may change the detail of a row, and
-- nothing else of it, to scrub the traces of a person. Whole months go by DROP, deleting no row.
CREATE FUNCTION "crm_audit_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND current_setting('crm.audit_redaction', true) = 'on'
     AND NEW.id = OLD.id AND NEW.at = OLD.at
     AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
     AND NEW.action = OLD.action AND NEW.entity = OLD.entity
     AND NEW.entity_id IS NOT DISTINCT FROM OLD.entity_id
     AND NEW.customer_ids = OLD.customer_ids THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'only an erasure may change a row''s detail, after SET LOCAL crm.audit_redaction = ''on''';
END
$$;

-- Row triggers of a partitioned table are cloned onto every partition, present and future.
CREATE TRIGGER "audit_log_append_only" BEFORE UPDATE OR DELETE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION "crm_audit_append_only"();
-- TRUNCATE triggers are not cloned: each partition gets its own where it is made.
CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log"
  FOR EACH STATEMENT EXECUTE FUNCTION "crm_audit_refuse"();

-- The partition of one month (UTC), made if missing, refusing TRUNCATE like the table.
-- Returns its name when it made it, else NULL.
CREATE FUNCTION "crm_audit_partition"(month_start DATE) RETURNS TEXT LANGUAGE plpgsql AS $$
DECLARE
  first DATE := date_trunc('month', month_start)::date;
  part TEXT := 'audit_log_p' || to_char(first, 'YYYYMM');
  home TEXT := (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = '"audit_log"'::regclass);
BEGIN
  IF to_regclass(format('%I.%I', home, part)) IS NOT NULL THEN
    RETURN NULL;
  END IF;
  EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I."audit_log" FOR VALUES FROM (%L) TO (%L)',
    home, part, home, first::text || ' 00:00:00+00', (first + interval '1 month')::date::text || ' 00:00:00+00');
  EXECUTE format('CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON %I.%I FOR EACH STATEMENT EXECUTE FUNCTION "crm_audit_refuse"()', home, part);
  RETURN part;
END
$$;

-- The maintenance the bot runs at start and daily (src/store/audit.ts): rows that fell into the
-- default partition (no partition of their month existed yet) move into one of their month,
-- partitions are made for this month and `months_ahead` more, and partitions whose whole month
-- is more than `retention_months` before `as_of` are dropped (0: kept for ever).
CREATE FUNCTION "crm_audit_maintain"(as_of TIMESTAMPTZ, months_ahead INTEGER, retention_months INTEGER) RETURNS JSONB LANGUAGE plpgsql AS $$
DECLARE
  created TEXT[] := '{}';
  dropped TEXT[] := '{}';
  moved BIGINT := 0;
  made TEXT;
  month DATE;
  part RECORD;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('crm_audit_maintain'));
  IF EXISTS (SELECT 1 FROM "audit_log_default") THEN
    -- A new partition cannot be made over rows of its range in the default one: the default is
    -- set aside whole, a new empty one takes its place, and its rows go back through the parent.
    LOCK TABLE "audit_log" IN ACCESS EXCLUSIVE MODE;
    ALTER TABLE "audit_log" DETACH PARTITION "audit_log_default";
    ALTER TABLE "audit_log_default" RENAME TO "audit_log_default_moving";
    CREATE TABLE "audit_log_default" PARTITION OF "audit_log" DEFAULT;
    CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log_default" FOR EACH STATEMENT EXECUTE FUNCTION "crm_audit_refuse"();
    FOR month IN SELECT DISTINCT date_trunc('month', at AT TIME ZONE 'UTC')::date FROM "audit_log_default_moving" LOOP
      made := "crm_audit_partition"(month);
      IF made IS NOT NULL THEN created := created || made; END IF;
    END LOOP;
    INSERT INTO "audit_log" ("id", "actor_id", "action", "entity", "entity_id", "customer_ids", "detail", "at")
      SELECT "id", "actor_id", "action", "entity", "entity_id", "customer_ids", "detail", "at" FROM "audit_log_default_moving";
    GET DIAGNOSTICS moved = ROW_COUNT;
    DROP TABLE "audit_log_default_moving";
  END IF;
  FOR i IN 0..greatest(months_ahead, 0) LOOP
    made := "crm_audit_partition"((date_trunc('month', as_of AT TIME ZONE 'UTC') + make_interval(months => i))::date);
    IF made IS NOT NULL THEN created := created || made; END IF;
  END LOOP;
  IF retention_months > 0 THEN
    FOR part IN
      SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'audit_log'::regclass AND c.relname ~ '^audit_log_p[0-9]{6}$'
      ORDER BY c.relname
    LOOP
      IF (to_date(substr(part.relname, 12), 'YYYYMM') + interval '1 month')::timestamp AT TIME ZONE 'UTC'
         <= as_of - make_interval(months => retention_months) THEN
        EXECUTE format('DROP TABLE %I', part.relname);
        dropped := dropped || part.relname::text;
      END IF;
    END LOOP;
  END IF;
  RETURN jsonb_build_object('created', to_jsonb(created), 'dropped', to_jsonb(dropped), 'moved', moved);
END
$$;

-- A write never fails for want of a partition: rows of a month without one land here until the
-- next maintenance moves them.
CREATE TABLE "audit_log_default" PARTITION OF "audit_log" DEFAULT;
CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log_default"
  FOR EACH STATEMENT EXECUTE FUNCTION "crm_audit_refuse"();

-- Partitions for every month the existing rows fall in, and this month and the next three.
SELECT "crm_audit_partition"(m::date) FROM (
  SELECT DISTINCT date_trunc('month', "at" AT TIME ZONE 'UTC') AS m FROM "audit_log_before_partitioning"
  UNION SELECT date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => n) FROM generate_series(0, 3) n
) months;

-- Older code wrote personal values (contact details, names, note texts) into details: they become
-- the names of the fields that changed, as the application writes them now.
CREATE FUNCTION "crm_audit_scrub_before_partitioning"(d JSONB) RETURNS JSONB LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  kept TEXT[] := ARRAY['stage', 'owner', 'ownerId', 'owner_id', 'tags', 'industry', 'source', 'amount', 'currency', 'baseAmount',
                       'rateToBase', 'product', 'orderedAt', 'channel', 'occurredAt', 'deletedAt', 'deletedById', 'dueAt', 'status', 'kind'];
  b JSONB;
  a JSONB;
  fields TEXT[];
BEGIN
  IF d IS NULL OR jsonb_typeof(d) <> 'object' THEN RETURN d; END IF;
  IF d ? 'before' OR d ? 'after' THEN
    b := CASE WHEN jsonb_typeof(d->'before') = 'object' THEN d->'before' ELSE '{}'::jsonb END;
    a := CASE WHEN jsonb_typeof(d->'after') = 'object' THEN d->'after' ELSE '{}'::jsonb END;
    SELECT coalesce(array_agg(k ORDER BY k), '{}') INTO fields
      FROM (SELECT jsonb_object_keys(b) AS k UNION SELECT jsonb_object_keys(a)) ks
      WHERE coalesce(b->k, 'null'::jsonb) IS DISTINCT FROM coalesce(a->k, 'null'::jsonb);
    d := d || jsonb_build_object(
      'fields', to_jsonb(fields),
      'before', CASE WHEN jsonb_typeof(d->'before') = 'object' THEN (SELECT coalesce(jsonb_object_agg(k, b->k), '{}') FROM unnest(fields) k WHERE k = ANY(kept) AND b ? k) ELSE d->'before' END,
      'after', CASE WHEN jsonb_typeof(d->'after') = 'object' THEN (SELECT coalesce(jsonb_object_agg(k, a->k), '{}') FROM unnest(fields) k WHERE k = ANY(kept) AND a ? k) ELSE d->'after' END);
  END IF;
  IF jsonb_typeof(d->'customers') = 'array' THEN
    d := jsonb_set(d, '{customers}', (SELECT coalesce(jsonb_agg(CASE WHEN jsonb_typeof(c) = 'object' THEN c->'id' ELSE c END), '[]') FROM jsonb_array_elements(d->'customers') c));
  END IF;
  IF jsonb_typeof(d->'from') = 'object' THEN d := jsonb_set(d, '{from}', jsonb_build_object('id', d->'from'->'id')); END IF;
  IF jsonb_typeof(d->'into') = 'object' THEN d := jsonb_set(d, '{into}', jsonb_build_object('id', d->'into'->'id')); END IF;
  RETURN d - 'name' - 'fromCustomerName' - 'body' - 'text' - 'email' - 'phone' - 'address';
END
$$;

INSERT INTO "audit_log" ("id", "actor_id", "action", "entity", "entity_id", "customer_ids", "detail", "at")
SELECT o."id", o."actor_id",
       CASE o."action" WHEN 'wechat.reply' THEN 'inbox.reply' ELSE o."action" END,
       o."entity", o."entity_id",
       ARRAY(SELECT DISTINCT u::uuid FROM unnest(ARRAY[
               CASE WHEN o."entity" = 'customer' THEN o."entity_id" END,
               o."detail"->>'customerId',
               o."detail"->'from'->>'id',
               o."detail"->'customers'->0->>'id',
               o."detail"->'customers'->1->>'id'
             ]) u
             WHERE u ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'),
       "crm_audit_scrub_before_partitioning"(o."detail"),
       o."at"
FROM "audit_log_before_partitioning" o;

DROP FUNCTION "crm_audit_scrub_before_partitioning"(JSONB);
DROP TABLE "audit_log_before_partitioning";
