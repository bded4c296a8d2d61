import type { Rep, RepProfile } from "../store/index.js";
import type { ServiceDeps } from "./deps.js";

/**
 * How one person's admin role is decided. With ADMIN_SLACK_USER_IDS set the list alone makes
 * admins: nobody on any platform becomes one by arriving first (whoever installs the app and
 * types first is not necessarily trusted), and a Slack admin the list no longer names is a rep.
 * Without it the first user of each platform bootstraps the install as admin.
 */
function adminRule(deps: ServiceDeps, profile: RepProfile): "first-user" | "listed" | "unlisted" {
  const listed = deps.settings.adminUserIds;
  if (listed.length === 0) return "first-user";
  return profile.platform === "slack" && listed.includes(profile.externalId) ? "listed" : "unlisted";
}

/**
 * Knows the person behind an event: registered on first use with the profile the platform
 * gave (name, locale, time zone), with the admin role as ADMIN_SLACK_USER_IDS (or, without
 * it, being first) says, checked again at every use.
 */
export async function registerRep(deps: ServiceDeps, profile: RepProfile): Promise<Rep> {
  return deps.store.users.upsertRep(profile, adminRule(deps, profile));
}

/**
 * At start: Slack admins that ADMIN_SLACK_USER_IDS no longer names become reps now, not only
 * at their next use, and each change is audited. Nothing happens when the list is not set.
 */
export async function applyAdminList(deps: ServiceDeps): Promise<Rep[]> {
  const listed = deps.settings.adminUserIds;
  if (listed.length === 0) return [];
  return deps.store.transaction(async (tx) => {
    const demoted = await tx.users.demoteAdminsNotIn("slack", listed);
    for (const rep of demoted) {
      await tx.audit.write({ actorId: null, action: "user.role", entity: "user", entityId: rep.id, detail: { from: "ADMIN", to: "REP", reason: "not in ADMIN_SLACK_USER_IDS" } });
    }
    return demoted;
  });
}
