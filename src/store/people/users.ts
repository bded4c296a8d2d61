import type { Db } from "../prisma.js";
import type { Role, RoleSource } from "@prisma/client";
import { Prisma } from "../prisma.js";
import { createAuditStore } from "../audit.js";

export interface Rep {
  id: string;
  platform: string;
  externalId: string;
  displayName: string;
  role: Role;
  /** Where the role came from: registration, ADMIN_SLACK_USER_IDS, or an admin's /crm role. */
  roleSource: RoleSource;
  locale: string | null;
  timezone: string | null;
  /**
   * The members of the sales teams this person leads, loaded with them in the same statement: a
   * manager sees and changes their customers (domain/access/access-scope.ts), so every request knows
   * its viewer's scope without another query.
   */
  teamRepIds: readonly string[];
}

export interface RepProfile {
  platform: string;
  externalId: string;
  teamId?: string | undefined;
  displayName: string;
  locale?: string | undefined;
  timezone?: string | undefined;
}

/** How the admin role is decided for a person registered now; see upsertRep. */
export type AdminRule = "first-user" | "listed" | "unlisted";

/** The columns of a Rep and the members of the teams they lead, for `FROM users u`. */
const REP_COLUMNS = Prisma.sql`
  u.id::text AS id, u.platform, u.external_id AS "externalId", u.display_name AS "displayName",
  u.role::text AS role, u.role_source::text AS "roleSource", u.locale, u.timezone,
  ARRAY(SELECT m.id::text FROM sales_teams t JOIN users m ON m.sales_team_id = t.id
        WHERE t.lead_id = u.id ORDER BY m.id) AS "teamRepIds"`;

/** `now`: the application's clock, for the audit row of a registration. */
export function createUserStore(db: Db, now?: () => Date) {
  const reps = async (where: Prisma.Sql, order = Prisma.sql`u.display_name, u.external_id`): Promise<Rep[]> =>
    db.$queryRaw<Rep[]>`SELECT ${REP_COLUMNS} FROM users u WHERE ${where} ORDER BY ${order}`;
  const one = async (where: Prisma.Sql): Promise<Rep | null> => (await reps(where))[0] ?? null;

  const byIdentity = (platform: string, externalId: string) => one(Prisma.sql`u.platform = ${platform} AND u.external_id = ${externalId}`);

  async function insert(profile: RepProfile, admin: AdminRule): Promise<Rep> {
    const listed = admin === "listed";
    const firstMayLead = admin === "first-user";
    const work = async (tx: Db): Promise<Rep> => {
      // Serialise first registrations so two people arriving at once are not both "first".
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('users.first-admin'))`;
      const rows = await tx.$queryRaw<{ id: string; role: string; inserted: boolean }[]>`
        INSERT INTO users (id, platform, external_id, team_id, display_name, locale, timezone, role, role_source, updated_at)
        SELECT gen_random_uuid(), ${profile.platform}, ${profile.externalId}, ${profile.teamId ?? null},
               ${profile.displayName}, ${profile.locale ?? null}, ${profile.timezone ?? null},
               (CASE WHEN ${listed} OR (${firstMayLead} AND NOT EXISTS (SELECT 1 FROM users WHERE platform = ${profile.platform})) THEN 'ADMIN' ELSE 'REP' END)::"Role",
               (CASE WHEN ${listed} THEN 'ADMIN_LIST' ELSE 'AUTOMATIC' END)::"RoleSource",
               now()
        ON CONFLICT (platform, external_id) DO UPDATE SET updated_at = users.updated_at
        RETURNING id, role::text AS role, (xmax = 0) AS inserted`;
      // A new rep's first use is audited with the row that makes them one (not when a racing request made it first).
      if (rows[0]!.inserted) {
        await createAuditStore(tx, now).write({ actorId: rows[0]!.id, action: "user.register", entityId: rows[0]!.id, detail: { platform: profile.platform, role: rows[0]!.role } });
      }
      const rep = await createUserStore(tx, now).findById(rows[0]!.id);
      return rep!;
    };
    return "$transaction" in db ? db.$transaction(work) : work(db);
  }

  return {
    /**
     * Registers a rep on first use, or refreshes the profile when it changed (one statement when
     * nothing did). `admin` decides the role of a person registered now:
     * - "first-user": the first user of each platform becomes admin (the demo seed's local reps
     *   do not stop the first Slack user of a fresh install from being one);
     * - "listed": an admin list names them: admin (the list is its source);
     * - "unlisted": an admin list exists and does not name them: never admin by being first.
     * The role of someone already registered is left alone: services/register-rep.ts applies
     * the admin list to it, audited.
     */
    async upsertRep(profile: RepProfile, admin: AdminRule): Promise<Rep> {
      const existing = await byIdentity(profile.platform, profile.externalId);
      if (!existing) return insert(profile, admin);
      const changes: { displayName?: string; locale?: string; timezone?: string } = {};
      if (profile.displayName && profile.displayName !== existing.displayName) changes.displayName = profile.displayName;
      if (profile.locale && profile.locale !== existing.locale) changes.locale = profile.locale;
      if (profile.timezone && profile.timezone !== existing.timezone) changes.timezone = profile.timezone;
      if (Object.keys(changes).length === 0) return existing;
      await db.user.update({ where: { id: existing.id }, data: changes, select: { id: true } });
      return { ...existing, ...changes };
    },

    /**
     * The person with this identity, registered now (with `admin` deciding their role) when the
     * bot never saw them: someone an admin names in /crm role or /crm team before they used the
     * bot. An existing person's profile is left as it is (a mention carries only a handle).
     */
    async findOrRegister(profile: RepProfile, admin: Exclude<AdminRule, "first-user">): Promise<Rep> {
      return (await byIdentity(profile.platform, profile.externalId)) ?? insert(profile, admin);
    },

    /**
     * Makes every automatic admin of `platform` that `listed` does not name a rep; returns who
     * changed. For an operator who took ids off the admin list: they lose the role at start, not
     * only when they next use the bot. An admin role granted with /crm role stays.
     */
    async demoteAdminsNotIn(platform: string, listed: readonly string[]): Promise<Rep[]> {
      const rows = await db.$queryRaw<{ id: string }[]>`
        UPDATE users SET role = 'REP'::"Role", role_source = 'AUTOMATIC'::"RoleSource", updated_at = now()
        WHERE platform = ${platform} AND role = 'ADMIN'::"Role" AND role_source <> 'COMMAND'::"RoleSource"
          AND NOT (external_id = ANY(${[...listed]}::text[]))
        RETURNING id`;
      if (rows.length === 0) return [];
      return reps(Prisma.sql`u.id = ANY(${rows.map((r) => r.id)}::uuid[])`, Prisma.sql`u.external_id`);
    },

    /** Sets a person's role and where it came from; returns them as they are now. */
    async setRole(id: string, role: Role, source: RoleSource): Promise<Rep | null> {
      await db.$executeRaw`UPDATE users SET role = ${role}::"Role", role_source = ${source}::"RoleSource", updated_at = now() WHERE id = ${id}::uuid`;
      return createUserStore(db).findById(id);
    },

    /**
     * Holds every role and team change of the install until the transaction ends, so two admins
     * demoting each other at once cannot leave nobody admin. Only inside a transaction.
     */
    async lockRoles(): Promise<void> {
      await db.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('users.roles-and-teams'))`;
    },

    /** How many admins a platform has. */
    async countAdmins(platform: string): Promise<number> {
      return db.user.count({ where: { platform, role: "ADMIN" } });
    },

    async findByIdentity(platform: string, externalId: string): Promise<Rep | null> {
      return byIdentity(platform, externalId);
    },

    /** Everyone registered on one platform, by name (the demo's reps on "local"). */
    async onPlatform(platform: string): Promise<Rep[]> {
      return reps(Prisma.sql`u.platform = ${platform}`);
    },

    /** The admins and managers of a platform, admins first, then by name. */
    async withRoles(platform: string, roles: readonly Role[]): Promise<Rep[]> {
      return reps(Prisma.sql`u.platform = ${platform} AND u.role::text = ANY(${[...roles]}::text[])`, Prisma.sql`u.role, u.display_name, u.external_id`);
    },

    async findById(id: string): Promise<Rep | null> {
      return one(Prisma.sql`u.id = ${id}::uuid`);
    },

    /** Display names of these people, by id (people who are gone are left out). */
    async namesOf(ids: readonly string[]): Promise<Map<string, string>> {
      if (ids.length === 0) return new Map();
      const rows = await db.user.findMany({ where: { id: { in: [...ids] } }, select: { id: true, displayName: true } });
      return new Map(rows.map((r) => [r.id, r.displayName]));
    },
  };
}

export type UserStore = ReturnType<typeof createUserStore>;
