-- Leads of one complete UTC hour, rolled up by the analytics job like order_hours: customers
-- created in the hour, customers whose first order falls in it, and those of them whose first
-- order is on or after their creation (converted leads).
CREATE TABLE "lead_hours" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "created" INTEGER NOT NULL,
    "first_orders" INTEGER NOT NULL,
    "converted" INTEGER NOT NULL,

    CONSTRAINT "lead_hours_pkey" PRIMARY KEY ("hour")
);

-- Un-rolls the hours a write touches, in the writer's transaction, whatever the write path
-- (new customers, imports, merges, erasure, orders folded into customer_order_months).
-- Statement-level with transition tables so a bulk write costs one DELETE.
-- An hour still open by the clock is never rolled, so it costs no lock. Otherwise the shared
-- advisory lock of the lead rollup (namespace 7462001, kind 4) is taken first, as
-- src/store/analytics/rollups.ts unroll() does for the other rollups.
CREATE FUNCTION "lead_hours_unroll"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  touched timestamptz[];
BEGIN
  IF TG_TABLE_NAME = 'customers' THEN
    IF TG_OP = 'INSERT' THEN
      SELECT array_agg(DISTINCT date_trunc('hour', n.created_at, 'UTC')) INTO touched FROM new_rows n;
    ELSIF TG_OP = 'DELETE' THEN
      SELECT array_agg(DISTINCT date_trunc('hour', o.created_at, 'UTC')) INTO touched FROM old_rows o;
    ELSE
      SELECT array_agg(DISTINCT h) INTO touched FROM (
        SELECT date_trunc('hour', o.created_at, 'UTC') AS h FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE n.created_at IS DISTINCT FROM o.created_at
        UNION ALL
        SELECT date_trunc('hour', n.created_at, 'UTC') FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE n.created_at IS DISTINCT FROM o.created_at
      ) t;
    END IF;
  ELSE
    IF TG_OP = 'INSERT' THEN
      SELECT array_agg(DISTINCT date_trunc('hour', n.first_order_at, 'UTC')) INTO touched FROM new_rows n;
    ELSIF TG_OP = 'DELETE' THEN
      SELECT array_agg(DISTINCT date_trunc('hour', o.first_order_at, 'UTC')) INTO touched FROM old_rows o;
    ELSE
      SELECT array_agg(DISTINCT h) INTO touched FROM (
        SELECT date_trunc('hour', o.first_order_at, 'UTC') AS h FROM old_rows o JOIN new_rows n ON n.customer_id = o.customer_id
        WHERE n.first_order_at IS DISTINCT FROM o.first_order_at OR n.customer_created_at IS DISTINCT FROM o.customer_created_at
        UNION ALL
        SELECT date_trunc('hour', n.first_order_at, 'UTC') FROM old_rows o JOIN new_rows n ON n.customer_id = o.customer_id
        WHERE n.first_order_at IS DISTINCT FROM o.first_order_at OR n.customer_created_at IS DISTINCT FROM o.customer_created_at
      ) t;
    END IF;
  END IF;
  touched := ARRAY(SELECT h FROM unnest(touched) AS h WHERE h + interval '1 hour' <= clock_timestamp() + interval '1 minute');
  IF cardinality(touched) > 0 THEN
    PERFORM pg_advisory_xact_lock_shared(7462001, 4);
    DELETE FROM lead_hours WHERE hour = ANY(touched);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER "customers_lead_hours_insert" AFTER INSERT ON "customers" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "lead_hours_unroll"();
CREATE TRIGGER "customers_lead_hours_update" AFTER UPDATE ON "customers" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "lead_hours_unroll"();
CREATE TRIGGER "customers_lead_hours_delete" AFTER DELETE ON "customers" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "lead_hours_unroll"();
CREATE TRIGGER "customer_order_months_lead_hours_insert" AFTER INSERT ON "customer_order_months" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "lead_hours_unroll"();
CREATE TRIGGER "customer_order_months_lead_hours_update" AFTER UPDATE ON "customer_order_months" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "lead_hours_unroll"();
CREATE TRIGGER "customer_order_months_lead_hours_delete" AFTER DELETE ON "customer_order_months" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "lead_hours_unroll"();
