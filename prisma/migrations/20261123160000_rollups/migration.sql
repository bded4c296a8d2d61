-- CreateTable
CREATE TABLE "order_hours" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "orders" INTEGER NOT NULL,
    "revenue" DECIMAL(18,2) NOT NULL,

    CONSTRAINT "order_hours_pkey" PRIMARY KEY ("hour")
);

-- CreateTable
CREATE TABLE "interaction_hours" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "calls" INTEGER NOT NULL,
    "meetings" INTEGER NOT NULL,
    "emails" INTEGER NOT NULL,
    "wechat" INTEGER NOT NULL,
    "wechat_inbound" INTEGER NOT NULL,
    "wechat_outbound" INTEGER NOT NULL,
    "slack" INTEGER NOT NULL,
    "notes" INTEGER NOT NULL,

    CONSTRAINT "interaction_hours_pkey" PRIMARY KEY ("hour")
);

-- CreateTable
CREATE TABLE "customer_order_months" (
    "customer_id" UUID NOT NULL,
    "customer_created_at" TIMESTAMPTZ(3) NOT NULL,
    "first_order_at" TIMESTAMPTZ(3) NOT NULL,
    "second_order_at" TIMESTAMPTZ(3),
    "last_order_at" TIMESTAMPTZ(3) NOT NULL,
    "first_month" INTEGER NOT NULL,
    "orders" INTEGER[],
    "revenue" DECIMAL(18,2)[],

    CONSTRAINT "customer_order_months_pkey" PRIMARY KEY ("customer_id")
);

-- CreateTable
CREATE TABLE "wechat_waits" (
    "contact_id" UUID NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "answered_at" TIMESTAMPTZ(3),

    CONSTRAINT "wechat_waits_pkey" PRIMARY KEY ("contact_id","started_at")
);

-- CreateTable
CREATE TABLE "wechat_wait_days" (
    "day" TIMESTAMPTZ(3) NOT NULL,
    "waits" INTEGER NOT NULL,
    "answered" INTEGER NOT NULL,
    "within_hour" INTEGER NOT NULL,
    "bins" INTEGER[],
    "counts" INTEGER[],

    CONSTRAINT "wechat_wait_days_pkey" PRIMARY KEY ("day")
);

-- CreateIndex
CREATE INDEX "customer_order_months_first_order_at_idx" ON "customer_order_months"("first_order_at");

-- CreateIndex
CREATE INDEX "customer_order_months_last_order_at_idx" ON "customer_order_months"("last_order_at");

-- CreateIndex
CREATE INDEX "customer_order_months_customer_created_at_idx" ON "customer_order_months"("customer_created_at");

-- CreateIndex
CREATE INDEX "wechat_waits_started_at_answered_at_idx" ON "wechat_waits"("started_at", "answered_at");

-- Backfill of the two tables kept on the write path (the same statements as
-- rebuildPurchaseMonthsSql("all") in src/store/purchase-months.ts and REBUILD_WECHAT_WAITS_SQL in
-- src/store/wechat-waits.ts): from here on every order and WeChat message keeps them current.
-- The hourly and daily rollups need no backfill: readers count whatever is not rolled from the
-- rows, and the analytics job rolls it.
INSERT INTO customer_order_months (customer_id, customer_created_at, first_order_at, second_order_at, last_order_at, first_month, orders, revenue)
WITH months AS (
  SELECT customer_id,
         (extract(year FROM ordered_at AT TIME ZONE 'UTC') * 12 + extract(month FROM ordered_at AT TIME ZONE 'UTC') - 1)::int AS month,
         count(*)::int AS n, sum(base_amount) AS r, min(ordered_at) AS first_at, max(ordered_at) AS last_at
  FROM orders GROUP BY 1, 2
), spans AS (
  SELECT customer_id, min(month) AS low, max(month) AS high, min(first_at) AS first_at, max(last_at) AS last_at FROM months GROUP BY 1
), running AS (
  SELECT s.customer_id, g.month, sum(coalesce(m.n, 0)) OVER w AS n, sum(coalesce(m.r, 0)) OVER w AS r
  FROM spans s
  CROSS JOIN LATERAL generate_series(s.low, s.high) AS g(month)
  LEFT JOIN months m ON m.customer_id = s.customer_id AND m.month = g.month
  WINDOW w AS (PARTITION BY s.customer_id ORDER BY g.month)
), arrays AS (
  SELECT customer_id, array_agg(n::int ORDER BY month) AS orders, array_agg(r ORDER BY month) AS revenue FROM running GROUP BY 1
)
SELECT s.customer_id, c.created_at, s.first_at,
       (SELECT o.ordered_at FROM orders o WHERE o.customer_id = s.customer_id ORDER BY o.ordered_at OFFSET 1 LIMIT 1),
       s.last_at, s.low, a.orders, a.revenue
FROM spans s JOIN arrays a ON a.customer_id = s.customer_id JOIN customers c ON c.id = s.customer_id;

INSERT INTO wechat_waits (contact_id, started_at, answered_at)
WITH seq AS (
  SELECT contact_id, id, occurred_at, direction FROM interactions
  WHERE channel = 'WECHAT' AND direction IN ('INBOUND', 'OUTBOUND') AND contact_id IS NOT NULL
    AND (source_id IS NULL OR source_id NOT LIKE '%:event:%')
)
SELECT DISTINCT ON (contact_id, occurred_at) contact_id, occurred_at AS started_at, answer AS answered_at
FROM (
  SELECT contact_id, occurred_at, direction,
         lag(direction) OVER (PARTITION BY contact_id ORDER BY occurred_at, id) AS before,
         min(occurred_at) FILTER (WHERE direction = 'OUTBOUND')
           OVER (PARTITION BY contact_id ORDER BY occurred_at DESC, id DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS answer
  FROM seq
) x
WHERE direction = 'INBOUND' AND before IS DISTINCT FROM 'INBOUND'
ORDER BY contact_id, occurred_at, answer;
