import type { RoleName } from "../../domain/access/access-scope.js";
import type { Block, Message, Outcome } from "../../reply/reply.js";
import type { AccessDescription, MemberOutcome, Rep, RoleChange, TeamPerson, TeamView } from "../../services/index.js";
import type { RenderContext } from "../notification-types.js";
import type { CommandContext } from "../types.js";

/** "Manager", "经理". */
export function roleName(ctx: Pick<CommandContext, "t">, role: RoleName): string {
  return ctx.t(role === "ADMIN" ? "role.name.admin" : role === "MANAGER" ? "role.name.manager" : "role.name.rep");
}

const names = (ctx: Pick<CommandContext, "f">, people: readonly Pick<TeamPerson, "displayName">[]): string => ctx.f.list(people.map((p) => p.displayName));

const message = (summary: string, blocks: Block[], isError = false): Outcome => ({ kind: "message", message: { visibility: "private", summary, blocks, ...(isError ? { isError } : {}) } });

/** Whose private details the person sees and whose records they change, in a sentence. */
export function scopeText(ctx: Pick<CommandContext, "t" | "f">, access: AccessDescription): string {
  if (access.scope === "all") return ctx.t("whoami.scope.all");
  if (access.scope === "own") return ctx.t("whoami.scope.own");
  const members = access.leads.flatMap((t) => t.members).filter((m) => m.id !== access.person.id);
  if (members.length === 0) return ctx.t("whoami.scope.managerNoTeam");
  return ctx.t("whoami.scope.team", { names: names(ctx, members) });
}

function teamLine(ctx: Pick<CommandContext, "t" | "f">, team: TeamView): string {
  const lead = team.lead ? ctx.t("team.line.lead", { name: team.lead.displayName }) : ctx.t("team.line.noLead");
  const members = team.members.length > 0 ? ctx.t("team.line.members", { count: team.members.length, names: names(ctx, team.members) }) : ctx.t("team.line.noMembers");
  return `${lead} · ${members}`;
}

/** /crm whoami, and the body of the DM after a role change. */
export function accessBlocks(ctx: Pick<CommandContext, "t" | "f">, access: AccessDescription): Block[] {
  const { person } = access;
  const source = access.listed ? ctx.t("whoami.source.list") : person.roleSource === "COMMAND" ? ctx.t("whoami.source.command") : ctx.t("whoami.source.automatic");
  const blocks: Block[] = [
    {
      type: "fields",
      fields: [
        { label: ctx.t("whoami.role"), value: `${roleName(ctx, person.role)} (${source})` },
        { label: ctx.t("whoami.team"), value: access.team ? access.team.name : ctx.t("whoami.noTeam") },
        ...(access.leads.length > 0 ? [{ label: ctx.t("whoami.leads"), value: ctx.f.list(access.leads.map((t) => t.name)) }] : []),
      ],
    },
  ];
  for (const team of access.leads) blocks.push({ type: "context", text: `${team.name}: ${teamLine(ctx, team)}` });
  if (access.leads.length > 0 && person.role === "REP") blocks.push({ type: "context", text: ctx.t("whoami.leadsAsRep") });
  blocks.push({ type: "text", text: scopeText(ctx, access) });
  blocks.push({ type: "context", text: ctx.t("whoami.channels") });
  return blocks;
}

export function whoamiMessage(ctx: CommandContext, access: AccessDescription): Outcome {
  const title = ctx.t("whoami.title", { name: access.person.displayName });
  return message(title, [{ type: "header", text: title }, ...accessBlocks(ctx, access)]);
}

/** The DM to someone whose role an admin changed. */
export function roleChangedDm(ctx: RenderContext, change: { from: RoleName; to: RoleName; by: string }, access: AccessDescription): Message {
  const text = ctx.t("role.dm", { by: change.by, from: roleName(ctx, change.from), to: roleName(ctx, change.to) });
  return { visibility: "private", summary: text, blocks: [{ type: "text", text }, ...accessBlocks(ctx, access)] };
}

export function roleChangeMessage(ctx: CommandContext, change: RoleChange, role: RoleName): Outcome {
  if (change.kind === "unchanged") {
    const text = ctx.t("role.unchanged", { name: change.person.displayName, role: roleName(ctx, role) });
    return message(text, [{ type: "text", text }]);
  }
  const text = ctx.t("role.changed", { name: change.person.displayName, from: roleName(ctx, change.from), to: roleName(ctx, change.to) });
  const blocks: Block[] = [{ type: "text", text }];
  if (change.droppedTeams.length > 0) blocks.push({ type: "context", text: ctx.t("role.droppedLeads", { teams: ctx.f.list(change.droppedTeams) }) });
  if (change.to === "MANAGER") blocks.push({ type: "context", text: ctx.t("role.managerHint", { name: change.person.displayName }) });
  blocks.push({ type: "context", text: change.notified ? ctx.t("role.notified", { name: change.person.displayName }) : ctx.t("role.self") });
  return message(text, blocks);
}

/** /crm role on its own: who the admins and managers are. */
export function rolesMessage(ctx: CommandContext, people: readonly Rep[]): Outcome {
  const title = ctx.t("role.title");
  const admins = people.filter((p) => p.role === "ADMIN");
  const managers = people.filter((p) => p.role === "MANAGER");
  return message(title, [
    { type: "header", text: title },
    {
      type: "fields",
      fields: [
        { label: ctx.t("role.name.admin"), value: admins.length > 0 ? names(ctx, admins) : "—" },
        { label: ctx.t("role.name.manager"), value: managers.length > 0 ? names(ctx, managers) : "—" },
      ],
    },
    { type: "context", text: ctx.t("role.everyoneElse") },
    { type: "examples", label: ctx.t("examples.label"), examples: ["/crm role @li.na manager", "/crm 角色 @王伟 管理员"] },
  ]);
}

export function teamsMessage(ctx: CommandContext, teams: readonly TeamView[]): Outcome {
  const title = ctx.t("team.title");
  return message(title, [
    { type: "header", text: title },
    { type: "list", items: teams.map((team) => ({ title: team.name, detail: teamLine(ctx, team) })), empty: ctx.t("team.none") },
  ]);
}

export function teamMessage(ctx: CommandContext, team: TeamView, notes: readonly string[] = []): Outcome {
  const blocks: Block[] = notes.map((text) => ({ type: "text", text }));
  blocks.push(
    { type: "header", text: team.name },
    {
      type: "fields",
      fields: [
        { label: ctx.t("team.field.lead"), value: team.lead ? `${team.lead.displayName} (${roleName(ctx, team.lead.role)})` : ctx.t("team.line.noLead") },
        { label: ctx.t("team.field.members"), value: ctx.f.number(team.members.length, 0) },
      ],
    },
    { type: "list", items: team.members.map((m) => ({ title: m.displayName, detail: roleName(ctx, m.role) })), empty: ctx.t("team.noMembersHint", { team: team.name }) },
  );
  if (!team.lead) blocks.push({ type: "context", text: ctx.t("team.noLeadHint", { team: team.name }) });
  return message(notes[0] ?? team.name, blocks);
}

export function memberNotes(ctx: CommandContext, team: TeamView, outcomes: readonly MemberOutcome[]): string[] {
  return outcomes.map((o) => {
    switch (o.kind) {
      case "added":
        return o.fromTeam ? ctx.t("team.member.moved", { name: o.person.displayName, team: team.name, from: o.fromTeam }) : ctx.t("team.member.added", { name: o.person.displayName, team: team.name });
      case "already":
        return ctx.t("team.member.already", { name: o.person.displayName, team: team.name });
      case "removed":
        return ctx.t("team.member.removed", { name: o.person.displayName, team: team.name });
      case "notMember":
        return o.team ? ctx.t("team.member.elsewhere", { name: o.person.displayName, team: team.name, other: o.team }) : ctx.t("team.member.none", { name: o.person.displayName, team: team.name });
    }
  });
}
