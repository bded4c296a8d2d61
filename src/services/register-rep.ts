import type { Rep, RepProfile } from "../store/index.js";
import type { ServiceDeps } from "./deps.js";

/** The audit reason of a role ADMIN_SLACK_USER_IDS decided. */
const LIST_REASON = { granted: "in ADMIN_SLACK_USER_IDS", taken: "not in ADMIN_SLACK_USER_IDS" } as const;

/**
 * How one person's admin role is decided. With ADMIN_SLACK_USER_IDS set the list makes admins:
 * nobody on any platform becomes one by arriving first (whoever installs the app and types first
 * is not necessarily trusted). Without it the first user of each platform bootstraps the install
 * as admin.
 */
export function adminRule(deps: ServiceDeps, profile: Pick<RepProfile, "platform" | "externalId">): "first-user" | "listed" | "unlisted" {
  const listed = deps.settings.adminUserIds;
  if (listed.length === 0) return "first-user";
  return profile.platform === "slack" && listed.includes(profile.externalId) ? "listed" : "unlisted";
}

/**
 * What ADMIN_SLACK_USER_IDS says about someone already registered: the list is a floor (whom it
 * names is admin), and it takes back only an admin role that came automatically (from the list
 * or from being first), never one an admin granted with /crm role.
 */
function listDecision(rule: ReturnType<typeof adminRule>, rep: Rep): "grant" | "take" | undefined {
  if (rule === "listed" && rep.role !== "ADMIN") return "grant";
  if (rule === "unlisted" && rep.role === "ADMIN" && rep.roleSource !== "COMMAND") return "take";
  return undefined;
}

/**
 * Knows the person behind an event: registered on first use with the profile the platform
 * gave (name, locale, time zone), with the admin role as ADMIN_SLACK_USER_IDS (or, without
 * it, being first) says, checked again at every use; a change it makes is audited with it.
 */
export async function registerRep(deps: ServiceDeps, profile: RepProfile): Promise<Rep> {
  const rule = adminRule(deps, profile);
  const rep = await deps.store.users.upsertRep(profile, rule);
  if (!listDecision(rule, rep)) return rep;
  return deps.store.transaction(async (tx) => {
    await tx.users.lockRoles();
    const current = (await tx.users.findById(rep.id)) ?? rep;
    const decision = listDecision(rule, current);
    if (!decision) return current;
    const to = decision === "grant" ? "ADMIN" : "REP";
    const changed = (await tx.users.setRole(current.id, to, decision === "grant" ? "ADMIN_LIST" : "AUTOMATIC")) ?? current;
    await tx.audit.write({ actorId: null, action: "user.role", entity: "user", entityId: current.id, detail: { from: current.role, to, reason: LIST_REASON[decision === "grant" ? "granted" : "taken"] } });
    return changed;
  });
}

/**
 * At start: Slack admins that ADMIN_SLACK_USER_IDS no longer names, and whose admin role came
 * automatically, become reps now, not only at their next use; each change is audited. Nothing
 * happens when the list is not set.
 */
export async function applyAdminList(deps: ServiceDeps): Promise<Rep[]> {
  const listed = deps.settings.adminUserIds;
  if (listed.length === 0) return [];
  return deps.store.transaction(async (tx) => {
    await tx.users.lockRoles();
    const demoted = await tx.users.demoteAdminsNotIn("slack", listed);
    for (const rep of demoted) {
      await tx.audit.write({ actorId: null, action: "user.role", entity: "user", entityId: rep.id, detail: { from: "ADMIN", to: "REP", reason: LIST_REASON.taken } });
    }
    return demoted;
  });
}
