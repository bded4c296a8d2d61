import { AppError } from "../../domain/errors.js";
import { parseMention } from "../../domain/language/people-words.js";
import type { Rep } from "../../store/index.js";
import type { ServiceDeps } from "../deps.js";
import { findRep } from "../customers/find-rep.js";
import { adminRule } from "../register-rep.js";

/** How many known people a "nobody by that name" answer lists. */
const KNOWN_SHOWN = 10;

/**
 * The person an admin names in /crm role or /crm team. A Slack mention (<@U123|li.na>) is
 * enough even for someone who never used the bot: they are registered from it (as a rep, or an
 * admin when ADMIN_SLACK_USER_IDS names them) and their profile fills in when they first use the
 * bot, so teams can be set up before people arrive. A typed name ("@li.na", "Li Na", "lina")
 * finds only people the bot knows on the asker's platform; nobody or several answer clearly.
 */
export async function resolvePerson(deps: ServiceDeps, asker: Rep, typed: string): Promise<Rep> {
  const mention = parseMention(typed);
  if (mention) {
    const profile = { platform: "slack", externalId: mention.slackUserId, displayName: mention.handle ?? mention.slackUserId };
    const rule = adminRule(deps, profile);
    return deps.store.users.findOrRegister(profile, rule === "listed" ? "listed" : "unlisted");
  }
  const found = await findRep(deps, asker.platform, typed);
  if (found.kind === "found") return found.rep;
  const shown = typed.trim().slice(0, 60);
  if (found.kind === "ambiguous") {
    throw new AppError("AMBIGUOUS", "people.ambiguous", { typed: shown, names: found.candidates.map((r) => r.displayName).join(", ") });
  }
  const known = found.known.slice(0, KNOWN_SHOWN).map((r) => r.displayName).join(", ");
  throw new AppError("NOT_FOUND", "people.notFound", { typed: shown, known: known || "—" });
}
