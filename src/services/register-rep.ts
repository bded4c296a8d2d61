import type { Rep, RepProfile } from "../store/index.js";
import type { ServiceDeps } from "./deps.js";

/**
 * Knows the person behind an event: registered on first use with the profile the platform
 * gave (name, locale, time zone). The first user of an empty install, and anyone named in
 * ADMIN_SLACK_USER_IDS, is an admin.
 */
export async function registerRep(deps: ServiceDeps, profile: RepProfile): Promise<Rep> {
  const forceAdmin = profile.platform === "slack" && deps.settings.adminUserIds.includes(profile.externalId);
  return deps.store.users.upsertRep(profile, forceAdmin);
}
