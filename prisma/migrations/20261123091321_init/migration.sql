-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('ADMIN', 'MANAGER', 'REP');

-- CreateEnum
CREATE TYPE "Stage" AS ENUM ('LEAD', 'PROSPECT', 'ACTIVE', 'AT_RISK', 'CHURNED');

-- CreateEnum
CREATE TYPE "Channel" AS ENUM ('CALL', 'MEETING', 'EMAIL', 'WECHAT', 'SLACK', 'NOTE');

-- CreateEnum
CREATE TYPE "Direction" AS ENUM ('INBOUND', 'OUTBOUND', 'INTERNAL');

-- CreateEnum
CREATE TYPE "DealStatus" AS ENUM ('OPEN', 'WON', 'LOST');

-- CreateEnum
CREATE TYPE "ReminderStatus" AS ENUM ('PENDING', 'DONE', 'CANCELLED');

-- CreateEnum
CREATE TYPE "SurveyKind" AS ENUM ('CSAT', 'NPS');

-- CreateEnum
CREATE TYPE "SurveyStatus" AS ENUM ('PENDING', 'SENT', 'ANSWERED', 'EXPIRED', 'UNDELIVERABLE');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "platform" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "team_id" TEXT,
    "display_name" TEXT NOT NULL,
    "role" "Role" NOT NULL DEFAULT 'REP',
    "locale" TEXT,
    "timezone" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "customers" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "normalized_name" TEXT NOT NULL,
    "pinyin" TEXT NOT NULL,
    "pinyin_initials" TEXT NOT NULL,
    "stage" "Stage" NOT NULL DEFAULT 'LEAD',
    "owner_id" UUID,
    "source" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "customers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "customer_aliases" (
    "id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "alias" TEXT NOT NULL,
    "normalized_name" TEXT NOT NULL,
    "pinyin" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "customer_aliases_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "customer_stats" (
    "customer_id" UUID NOT NULL,
    "order_count" INTEGER NOT NULL DEFAULT 0,
    "total_spent" DECIMAL(16,2) NOT NULL DEFAULT 0,
    "first_order_at" TIMESTAMPTZ(3),
    "last_order_at" TIMESTAMPTZ(3),
    "last_interaction_at" TIMESTAMPTZ(3),
    "interaction_count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "customer_stats_pkey" PRIMARY KEY ("customer_id")
);

-- CreateTable
CREATE TABLE "contacts" (
    "id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "title" TEXT,
    "email" TEXT,
    "phone" TEXT,
    "wechat_open_id" TEXT,
    "locale" TEXT,
    "birthday" DATE,
    "anniversary" DATE,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "contacts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "interactions" (
    "id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "contact_id" UUID,
    "author_id" UUID,
    "channel" "Channel" NOT NULL,
    "direction" "Direction" NOT NULL DEFAULT 'INTERNAL',
    "body" TEXT NOT NULL,
    "permalink" TEXT,
    "source_platform" TEXT,
    "source_id" TEXT,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "interactions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "orders" (
    "id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "created_by_id" UUID,
    "amount" DECIMAL(16,2) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "base_amount" DECIMAL(16,2) NOT NULL,
    "rate_to_base" DECIMAL(18,8) NOT NULL,
    "product" TEXT,
    "ordered_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "orders_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deals" (
    "id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "owner_id" UUID,
    "title" TEXT NOT NULL,
    "amount" DECIMAL(16,2),
    "currency" CHAR(3),
    "status" "DealStatus" NOT NULL DEFAULT 'OPEN',
    "expected_close_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "deals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reminders" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "customer_id" UUID,
    "text" TEXT NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "status" "ReminderStatus" NOT NULL DEFAULT 'PENDING',
    "fired_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "reminders_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "surveys" (
    "id" UUID NOT NULL,
    "customer_id" UUID NOT NULL,
    "contact_id" UUID,
    "served_by_id" UUID,
    "kind" "SurveyKind" NOT NULL DEFAULT 'CSAT',
    "status" "SurveyStatus" NOT NULL DEFAULT 'PENDING',
    "score" INTEGER,
    "comment" TEXT,
    "sent_at" TIMESTAMPTZ(3),
    "answered_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "surveys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "actor_id" UUID,
    "action" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "entity_id" TEXT,
    "detail" JSONB,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_platform_external_id_key" ON "users"("platform", "external_id");

-- CreateIndex
CREATE UNIQUE INDEX "customers_normalized_name_key" ON "customers"("normalized_name");

-- CreateIndex
CREATE INDEX "customers_normalized_name_trgm" ON "customers" USING GIN ("normalized_name" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "customers_pinyin_trgm" ON "customers" USING GIN ("pinyin" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "customers_normalized_name_prefix" ON "customers"("normalized_name" text_pattern_ops);

-- CreateIndex
CREATE INDEX "customers_pinyin_prefix" ON "customers"("pinyin" text_pattern_ops);

-- CreateIndex
CREATE INDEX "customers_pinyin_initials_idx" ON "customers"("pinyin_initials");

-- CreateIndex
CREATE INDEX "customers_owner_id_idx" ON "customers"("owner_id");

-- CreateIndex
CREATE INDEX "customer_aliases_normalized_name_prefix" ON "customer_aliases"("normalized_name" text_pattern_ops);

-- CreateIndex
CREATE INDEX "customer_aliases_normalized_name_trgm" ON "customer_aliases" USING GIN ("normalized_name" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "customer_aliases_pinyin_prefix" ON "customer_aliases"("pinyin" text_pattern_ops);

-- CreateIndex
CREATE UNIQUE INDEX "customer_aliases_customer_id_normalized_name_key" ON "customer_aliases"("customer_id", "normalized_name");

-- CreateIndex
CREATE INDEX "customer_stats_total_spent_idx" ON "customer_stats"("total_spent" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "contacts_wechat_open_id_key" ON "contacts"("wechat_open_id");

-- CreateIndex
CREATE INDEX "contacts_customer_id_idx" ON "contacts"("customer_id");

-- CreateIndex
CREATE INDEX "interactions_customer_id_occurred_at_id_idx" ON "interactions"("customer_id", "occurred_at" DESC, "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "interactions_source_platform_source_id_key" ON "interactions"("source_platform", "source_id");

-- CreateIndex
CREATE INDEX "orders_customer_id_ordered_at_idx" ON "orders"("customer_id", "ordered_at" DESC);

-- CreateIndex
CREATE INDEX "orders_ordered_at_idx" ON "orders"("ordered_at");

-- CreateIndex
CREATE INDEX "deals_customer_id_status_idx" ON "deals"("customer_id", "status");

-- CreateIndex
CREATE INDEX "reminders_customer_id_status_due_at_idx" ON "reminders"("customer_id", "status", "due_at");

-- CreateIndex
CREATE INDEX "reminders_status_due_at_idx" ON "reminders"("status", "due_at");

-- CreateIndex
CREATE INDEX "surveys_customer_id_answered_at_idx" ON "surveys"("customer_id", "answered_at" DESC);

-- CreateIndex
CREATE INDEX "audit_log_entity_entity_id_idx" ON "audit_log"("entity", "entity_id");

-- CreateIndex
CREATE INDEX "audit_log_actor_id_at_idx" ON "audit_log"("actor_id", "at");

-- AddForeignKey
ALTER TABLE "customers" ADD CONSTRAINT "customers_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customer_aliases" ADD CONSTRAINT "customer_aliases_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "customer_stats" ADD CONSTRAINT "customer_stats_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "interactions" ADD CONSTRAINT "interactions_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "interactions" ADD CONSTRAINT "interactions_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "interactions" ADD CONSTRAINT "interactions_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "orders" ADD CONSTRAINT "orders_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "orders" ADD CONSTRAINT "orders_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deals" ADD CONSTRAINT "deals_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reminders" ADD CONSTRAINT "reminders_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "surveys" ADD CONSTRAINT "surveys_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "surveys" ADD CONSTRAINT "surveys_served_by_id_fkey" FOREIGN KEY ("served_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
