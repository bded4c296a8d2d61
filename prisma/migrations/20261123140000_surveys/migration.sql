-- Surveys answered in the chat: where and how they went out, their timers, opt-out and
-- Slack Connect contacts (issue 5).

-- CreateEnum
CREATE TYPE "SurveyTrigger" AS ENUM ('MANUAL', 'AUTO');

-- AlterEnum (Postgres 12 and later add enum values inside the migration's transaction)
ALTER TYPE "SurveyStatus" ADD VALUE 'WAITING';
ALTER TYPE "SurveyStatus" ADD VALUE 'CANCELLED';

-- AlterTable
ALTER TABLE "contacts" ADD COLUMN     "slack_user_id" TEXT,
ADD COLUMN     "survey_check_at" TIMESTAMPTZ(3),
ADD COLUMN     "survey_opt_out_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "surveys" ADD COLUMN     "answer_interaction_id" UUID,
ADD COLUMN     "closed_reason" TEXT,
ADD COLUMN     "locale" TEXT NOT NULL DEFAULT 'zh-CN',
ADD COLUMN     "next_check_at" TIMESTAMPTZ(3),
ADD COLUMN     "platform" TEXT NOT NULL DEFAULT 'wechat',
ADD COLUMN     "reminded_at" TIMESTAMPTZ(3),
ADD COLUMN     "trigger" "SurveyTrigger" NOT NULL DEFAULT 'MANUAL',
ADD COLUMN     "via" TEXT,
ADD COLUMN     "waiting_since" TIMESTAMPTZ(3);

-- CreateIndex
CREATE UNIQUE INDEX "contacts_slack_user_id_key" ON "contacts"("slack_user_id");

-- CreateIndex
CREATE INDEX "contacts_survey_check_at_idx" ON "contacts"("survey_check_at");

-- CreateIndex
CREATE INDEX "surveys_contact_id_created_at_idx" ON "surveys"("contact_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "surveys_next_check_at_idx" ON "surveys"("next_check_at");

-- CreateIndex
CREATE INDEX "surveys_sent_at_idx" ON "surveys"("sent_at");

-- CreateIndex
CREATE INDEX "surveys_answered_at_idx" ON "surveys"("answered_at");
