import { AppError } from "../../domain/errors.js";
import { MAX_TEAM_NAME, checkTeamName, teamNameKey } from "../../domain/language/people-words.js";
import type { Rep, Repositories, TeamView } from "../../store/index.js";
import type { ServiceDeps } from "../deps.js";
import { requireAdmin } from "./set-role.js";

/**
 * Sales teams (/crm team): admins create and delete them, name the manager who leads each and
 * put reps in them (one team per person: adding someone moves them). Every change holds the
 * install's role lock, is audited in its transaction (team.create, team.lead, team.member.add,
 * team.member.remove, team.delete: ids and team names, never a person's name) and changes what
 * the lead may see from the next request on.
 */

/** What became of each person named in an add or remove. */
export type MemberOutcome =
  | { kind: "added"; person: Rep; fromTeam?: string }
  | { kind: "already"; person: Rep }
  | { kind: "removed"; person: Rep }
  | { kind: "notMember"; person: Rep; team: string | null };

function checkedName(typed: string): { name: string; key: string } {
  const checked = checkTeamName(typed);
  if (!checked.ok) throw new AppError("INVALID_INPUT", `team.name.${checked.problem}`, { name: typed.trim().slice(0, 60), max: MAX_TEAM_NAME });
  return checked;
}

async function existing(tx: Repositories, typed: string): Promise<TeamView> {
  const team = await tx.teams.findByKey(teamNameKey(typed));
  if (!team) {
    const known = (await tx.teams.list()).map((t) => t.name);
    throw new AppError("NOT_FOUND", known.length > 0 ? "team.notFound" : "team.noneYet", { name: typed.trim().slice(0, 60), known: known.join(", ") });
  }
  return team;
}

/** A lead must be a manager (or an admin): a rep leading a team would see nothing more for it. */
function checkLead(lead: Rep): void {
  if (lead.role === "REP") throw new AppError("CONFLICT", "team.leadNotManager", { name: lead.displayName });
}

async function inTransaction<T>(deps: ServiceDeps, admin: Rep, work: (tx: Repositories) => Promise<T>): Promise<T> {
  requireAdmin(admin, "team");
  return deps.store.transaction(async (tx) => {
    await tx.users.lockRoles();
    // The asker's role as it is now, under the lock: one demoted a moment ago changes nothing.
    requireAdmin((await tx.users.findById(admin.id)) ?? admin, "team");
    return work(tx);
  });
}

export async function listTeams(deps: ServiceDeps, viewer: Rep): Promise<TeamView[]> {
  requireAdmin(viewer, "team");
  return deps.store.teams.list();
}

export async function getTeam(deps: ServiceDeps, viewer: Rep, typed: string): Promise<TeamView> {
  requireAdmin(viewer, "team");
  checkedName(typed);
  return existing(deps.store, typed);
}

export async function createTeam(deps: ServiceDeps, admin: Rep, input: { name: string; lead?: Rep }): Promise<TeamView> {
  const { name, key } = checkedName(input.name);
  if (input.lead) checkLead(input.lead);
  return inTransaction(deps, admin, async (tx) => {
    const taken = await tx.teams.findByKey(key);
    if (taken) throw new AppError("CONFLICT", "team.exists", { name: taken.name });
    const team = await tx.teams.create({ name, nameKey: key, leadId: input.lead?.id ?? null });
    if (!team) throw new AppError("CONFLICT", "team.exists", { name });
    await tx.audit.write({ actorId: admin.id, action: "team.create", entity: "team", entityId: team.id, detail: { name, leadId: input.lead?.id ?? null } });
    return team;
  });
}

export async function setTeamLead(deps: ServiceDeps, admin: Rep, input: { team: string; lead: Rep }): Promise<{ team: TeamView; previous: string | null; changed: boolean }> {
  checkedName(input.team);
  checkLead(input.lead);
  return inTransaction(deps, admin, async (tx) => {
    const team = await existing(tx, input.team);
    if (team.lead?.id === input.lead.id) return { team, previous: team.lead.displayName, changed: false };
    await tx.teams.setLead(team.id, input.lead.id);
    await tx.audit.write({ actorId: admin.id, action: "team.lead", entity: "team", entityId: team.id, detail: { from: team.lead?.id ?? null, to: input.lead.id } });
    return { team: (await tx.teams.findByKey(teamNameKey(team.name)))!, previous: team.lead?.displayName ?? null, changed: true };
  });
}

export async function addTeamMembers(deps: ServiceDeps, admin: Rep, input: { team: string; people: readonly Rep[] }): Promise<{ team: TeamView; outcomes: MemberOutcome[] }> {
  checkedName(input.team);
  return inTransaction(deps, admin, async (tx) => {
    const team = await existing(tx, input.team);
    const outcomes: MemberOutcome[] = [];
    for (const person of unique(input.people)) {
      const current = await tx.teams.teamOf(person.id);
      if (current?.id === team.id) {
        outcomes.push({ kind: "already", person });
        continue;
      }
      await tx.teams.setMembership(person.id, team.id);
      await tx.audit.write({ actorId: admin.id, action: "team.member.add", entity: "team", entityId: team.id, detail: { userId: person.id, fromTeamId: current?.id ?? null } });
      outcomes.push({ kind: "added", person, ...(current ? { fromTeam: current.name } : {}) });
    }
    return { team: (await tx.teams.findByKey(teamNameKey(team.name)))!, outcomes };
  });
}

export async function removeTeamMembers(deps: ServiceDeps, admin: Rep, input: { team: string; people: readonly Rep[] }): Promise<{ team: TeamView; outcomes: MemberOutcome[] }> {
  checkedName(input.team);
  return inTransaction(deps, admin, async (tx) => {
    const team = await existing(tx, input.team);
    const outcomes: MemberOutcome[] = [];
    for (const person of unique(input.people)) {
      const current = await tx.teams.teamOf(person.id);
      if (current?.id !== team.id) {
        outcomes.push({ kind: "notMember", person, team: current?.name ?? null });
        continue;
      }
      await tx.teams.setMembership(person.id, null);
      await tx.audit.write({ actorId: admin.id, action: "team.member.remove", entity: "team", entityId: team.id, detail: { userId: person.id } });
      outcomes.push({ kind: "removed", person });
    }
    return { team: (await tx.teams.findByKey(teamNameKey(team.name)))!, outcomes };
  });
}

export async function deleteTeam(deps: ServiceDeps, admin: Rep, typed: string): Promise<TeamView> {
  checkedName(typed);
  return inTransaction(deps, admin, async (tx) => {
    const team = await existing(tx, typed);
    await tx.teams.delete(team.id);
    await tx.audit.write({
      actorId: admin.id, action: "team.delete", entity: "team", entityId: team.id,
      detail: { name: team.name, leadId: team.lead?.id ?? null, memberIds: team.members.map((m) => m.id) },
    });
    return team;
  });
}

/** The people of a command once each, in the order named. */
function unique(people: readonly Rep[]): Rep[] {
  const seen = new Set<string>();
  return people.filter((p) => !seen.has(p.id) && seen.add(p.id));
}
