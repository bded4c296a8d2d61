import type { Rep, TeamView } from "../../store/index.js";
import type { ServiceDeps } from "../deps.js";
import { adminRule } from "../register-rep.js";

/** Who someone is to the bot (/crm whoami, and the DM after a role change). */
export interface AccessDescription {
  person: Rep;
  /** ADMIN_SLACK_USER_IDS names them: admin for as long as it does. */
  listed: boolean;
  /** The team they are a member of. */
  team: TeamView | null;
  /** The teams they lead (only a manager's lead widens what they see). */
  leads: TeamView[];
  /**
   * Whose customers' private details they see and records they change (domain/access/access-scope.ts):
   * every customer, their own and their teams' members' (a manager), or their own (unowned ones
   * in every case).
   */
  scope: "all" | "team" | "own";
}

export async function describeAccess(deps: ServiceDeps, person: Rep): Promise<AccessDescription> {
  const [team, leads] = await Promise.all([deps.store.teams.teamOf(person.id), deps.store.teams.ledBy(person.id)]);
  const scope = person.role === "ADMIN" ? "all" : person.role === "MANAGER" ? "team" : "own";
  return { person, listed: adminRule(deps, person) === "listed", team, leads, scope };
}
