-- AlterTable
ALTER TABLE "interactions" ADD COLUMN     "survey_reply" TEXT;

-- Answers recorded before this column: their survey names the message.
UPDATE "interactions" SET "survey_reply" = 'answer'
WHERE "id" IN (SELECT "answer_interaction_id" FROM "surveys" WHERE "answer_interaction_id" IS NOT NULL);
