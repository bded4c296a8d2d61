import { randomUUID } from "node:crypto";
import type { RoleName } from "../../domain/access/access-scope.js";
import { AppError } from "../../domain/errors.js";
import type { NotificationPayload } from "../../domain/notification-payload.js";
import type { Rep } from "../../store/index.js";
import type { ServiceDeps } from "../deps.js";
import { deliveriesNow, scheduleAfterCommit } from "../delivery/schedule-after-commit.js";
import { adminRule } from "../register-rep.js";

export type RoleChange =
  | { kind: "changed"; person: Rep; from: RoleName; to: RoleName; notified: boolean; droppedTeams: string[] }
  | { kind: "unchanged"; person: Rep };

/** Only admins change roles and teams; everyone else is told so and nothing changes. */
export function requireAdmin(rep: Rep, what: "role" | "team"): void {
  if (rep.role !== "ADMIN") throw new AppError("FORBIDDEN", what === "role" ? "role.forbidden" : "team.forbidden", {}, `${rep.id} is no admin`);
}

/**
 * /crm role: an admin gives a person a role. In one transaction, holding the install's role lock
 * (two admins demoting each other at once cannot leave nobody admin): the last admin of a
 * platform keeps the role (whoever asks), someone ADMIN_SLACK_USER_IDS names stays admin (the
 * list is a floor), a new role is recorded as granted by command (the list never takes it
 * back), a demoted manager stops leading their teams, every change is audited (before and after
 * role), and the person is told in a direct message through the outbox.
 */
export async function setRole(deps: ServiceDeps, admin: Rep, target: Rep, role: RoleName): Promise<RoleChange> {
  requireAdmin(admin, "role");
  let outboxId: string | undefined;
  const result = await deps.store.transaction(async (tx): Promise<RoleChange> => {
    await tx.users.lockRoles();
    // The asker's role as it is now, under the lock: one demoted a moment ago changes nothing.
    requireAdmin((await tx.users.findById(admin.id)) ?? admin, "role");
    const person = await tx.users.findById(target.id);
    if (!person) throw new AppError("NOT_FOUND", "people.gone");
    if (person.role === role) return { kind: "unchanged", person };
    const self = person.id === admin.id;
    if (person.role === "ADMIN") {
      if (adminRule(deps, person) === "listed") throw new AppError("CONFLICT", "role.listed", { name: person.displayName });
      if ((await tx.users.countAdmins(person.platform)) <= 1) {
        throw new AppError("CONFLICT", self ? "role.lastAdminSelf" : "role.lastAdmin", { name: person.displayName });
      }
    }
    const changed = (await tx.users.setRole(person.id, role, "COMMAND"))!;
    await tx.audit.write({ actorId: admin.id, action: "user.role", entity: "user", entityId: person.id, detail: { from: person.role, to: role, source: "command" } });
    // A rep leads nobody: the teams they led have no lead until an admin names one.
    const droppedTeams: string[] = [];
    if (role === "REP") {
      const led = await tx.teams.ledBy(person.id);
      await tx.teams.dropLeads(person.id);
      for (const team of led) {
        droppedTeams.push(team.name);
        await tx.audit.write({ actorId: admin.id, action: "team.lead", entity: "team", entityId: team.id, detail: { from: person.id, to: null, reason: "role" } });
      }
    }
    if (!self) {
      const row = await tx.outbox.enqueue({
        platform: person.platform,
        destination: person.externalId,
        payload: { type: "user.role", userId: person.id, from: person.role, to: role, byId: admin.id } satisfies NotificationPayload,
        // Each change is its own event, written with it: it cannot repeat.
        dedupeKey: `user-role:${person.id}:${randomUUID()}`,
        at: deps.now(),
      });
      outboxId = row.id;
    }
    return { kind: "changed", person: { ...changed, teamRepIds: role === "REP" ? [] : changed.teamRepIds }, from: person.role, to: role, notified: !self, droppedTeams };
  });
  if (outboxId) await scheduleAfterCommit(deps, deliveriesNow(deps, [outboxId]));
  return result;
}

/** The admins and managers of the asker's platform, for /crm role on its own. */
export async function listRoles(deps: ServiceDeps, admin: Rep): Promise<Rep[]> {
  requireAdmin(admin, "role");
  return deps.store.users.withRoles(admin.platform, ["ADMIN", "MANAGER"]);
}
