-- Roles and teams (issue 15). Where a role came from, so that ADMIN_SLACK_USER_IDS takes back
-- only an admin role it (or being first) gave, never one an admin granted with /crm role.
CREATE TYPE "RoleSource" AS ENUM ('AUTOMATIC', 'ADMIN_LIST', 'COMMAND');
ALTER TABLE "users" ADD COLUMN "role_source" "RoleSource" NOT NULL DEFAULT 'AUTOMATIC';

-- Sales teams: a manager leads one (or several), a person is a member of at most one. The name
-- is unique by its folded key (NFKC, lower case, single spaces), so "East" and "east" are one.
CREATE TABLE "sales_teams" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "name_key" TEXT NOT NULL,
    "lead_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "sales_teams_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "sales_teams_name_key_key" ON "sales_teams"("name_key");
CREATE INDEX "sales_teams_lead_id_idx" ON "sales_teams"("lead_id");
ALTER TABLE "sales_teams" ADD CONSTRAINT "sales_teams_lead_id_fkey" FOREIGN KEY ("lead_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Membership is a column: one team per person by construction. users.team_id stays the Slack
-- workspace id it always was.
ALTER TABLE "users" ADD COLUMN "sales_team_id" UUID;
CREATE INDEX "users_sales_team_id_idx" ON "users"("sales_team_id");
ALTER TABLE "users" ADD CONSTRAINT "users_sales_team_id_fkey" FOREIGN KEY ("sales_team_id") REFERENCES "sales_teams"("id") ON DELETE SET NULL ON UPDATE CASCADE;
