import type { Db } from "./prisma.js";
import type { Role } from "@prisma/client";

export interface Rep {
  id: string;
  platform: string;
  externalId: string;
  displayName: string;
  role: Role;
  locale: string | null;
  timezone: string | null;
}

export interface RepProfile {
  platform: string;
  externalId: string;
  teamId?: string | undefined;
  displayName: string;
  locale?: string | undefined;
  timezone?: string | undefined;
}

/** How the admin role is decided for one person; see upsertRep. */
export type AdminRule = "first-user" | "listed" | "unlisted";

const select = { id: true, platform: true, externalId: true, displayName: true, role: true, locale: true, timezone: true } as const;

export function createUserStore(db: Db) {
  return {
    /**
     * Registers a rep on first use, or refreshes the profile when it changed. `admin` says how
     * the admin role is decided for this person:
     * - "first-user": the first user of each platform becomes admin (the demo seed's local reps
     *   do not stop the first Slack user of a fresh install from being one);
     * - "listed": an admin list names them: admin, promoted if need be;
     * - "unlisted": an admin list exists and does not name them: never admin by being first,
     *   and an admin taken off the list is a rep again from this call on.
     */
    async upsertRep(profile: RepProfile, admin: AdminRule): Promise<Rep> {
      const existing = await db.user.findUnique({
        where: { platform_externalId: { platform: profile.platform, externalId: profile.externalId } },
        select,
      });
      if (existing) {
        const changes: { displayName?: string; locale?: string; timezone?: string; role?: Role } = {};
        if (profile.displayName && profile.displayName !== existing.displayName) changes.displayName = profile.displayName;
        if (profile.locale && profile.locale !== existing.locale) changes.locale = profile.locale;
        if (profile.timezone && profile.timezone !== existing.timezone) changes.timezone = profile.timezone;
        if (admin === "listed" && existing.role !== "ADMIN") changes.role = "ADMIN";
        if (admin === "unlisted" && existing.role === "ADMIN") changes.role = "REP";
        if (Object.keys(changes).length === 0) return existing;
        return db.user.update({ where: { id: existing.id }, data: changes, select });
      }
      const listed = admin === "listed";
      const firstMayLead = admin === "first-user";
      const insert = async (tx: Db): Promise<Rep> => {
        // Serialise first registrations so two people arriving at once are not both "first".
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('users.first-admin'))`;
        const rows = await tx.$queryRaw<{ id: string }[]>`
          INSERT INTO users (id, platform, external_id, team_id, display_name, locale, timezone, role, updated_at)
          SELECT gen_random_uuid(), ${profile.platform}, ${profile.externalId}, ${profile.teamId ?? null},
                 ${profile.displayName}, ${profile.locale ?? null}, ${profile.timezone ?? null},
                 (CASE WHEN ${listed} OR (${firstMayLead} AND NOT EXISTS (SELECT 1 FROM users WHERE platform = ${profile.platform})) THEN 'ADMIN' ELSE 'REP' END)::"Role",
                 now()
          ON CONFLICT (platform, external_id) DO UPDATE SET updated_at = users.updated_at
          RETURNING id`;
        return tx.user.findUniqueOrThrow({ where: { id: rows[0]!.id }, select });
      };
      return "$transaction" in db ? db.$transaction(insert) : insert(db);
    },

    /**
     * Makes every admin of `platform` that `listed` does not name a rep; returns who changed.
     * For an operator who took ids off the admin list: they lose the role at start, not only
     * when they next use the bot.
     */
    async demoteAdminsNotIn(platform: string, listed: readonly string[]): Promise<Rep[]> {
      const rows = await db.$queryRaw<{ id: string }[]>`
        UPDATE users SET role = 'REP'::"Role", updated_at = now()
        WHERE platform = ${platform} AND role = 'ADMIN'::"Role" AND NOT (external_id = ANY(${[...listed]}::text[]))
        RETURNING id`;
      if (rows.length === 0) return [];
      return db.user.findMany({ where: { id: { in: rows.map((r) => r.id) } }, orderBy: { externalId: "asc" }, select });
    },

    async findByIdentity(platform: string, externalId: string): Promise<Rep | null> {
      return db.user.findUnique({ where: { platform_externalId: { platform, externalId } }, select });
    },

    /** Everyone registered on one platform, by name (the demo's reps on "local"). */
    async onPlatform(platform: string): Promise<Rep[]> {
      return db.user.findMany({ where: { platform }, orderBy: [{ displayName: "asc" }, { externalId: "asc" }], select });
    },

    async findById(id: string): Promise<Rep | null> {
      return db.user.findUnique({ where: { id }, select });
    },
  };
}

export type UserStore = ReturnType<typeof createUserStore>;
