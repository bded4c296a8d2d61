import type { Prisma, Role } from "@prisma/client";
import type { Db } from "../prisma.js";

export interface TeamPerson {
  id: string;
  platform: string;
  externalId: string;
  displayName: string;
  role: Role;
}

export interface TeamView {
  id: string;
  name: string;
  lead: TeamPerson | null;
  /** By name. */
  members: TeamPerson[];
}

const person = { id: true, platform: true, externalId: true, displayName: true, role: true } as const;
const team = {
  id: true,
  name: true,
  lead: { select: person },
  members: { select: person, orderBy: [{ displayName: "asc" as const }, { externalId: "asc" as const }] },
} satisfies Prisma.SalesTeamSelect;

const isUniqueViolation = (error: unknown): boolean => {
  const text = error instanceof Error ? `${error.message} ${JSON.stringify((error as { meta?: unknown }).meta ?? {})}` : "";
  return /23505|unique constraint|P2002/i.test(text);
};

/** Sales teams (roles and teams): a lead, members, a name unique by its folded key. */
export function createTeamStore(db: Db) {
  return {
    /** Every team with its lead and members, by name. */
    async list(): Promise<TeamView[]> {
      return db.salesTeam.findMany({ select: team, orderBy: [{ nameKey: "asc" }] });
    },

    async findByKey(nameKey: string): Promise<TeamView | null> {
      return db.salesTeam.findUnique({ where: { nameKey }, select: team });
    },

    /** A new team; null when the name (its key) is taken. */
    async create(input: { name: string; nameKey: string; leadId: string | null }): Promise<TeamView | null> {
      try {
        return await db.salesTeam.create({ data: { name: input.name, nameKey: input.nameKey, leadId: input.leadId }, select: team });
      } catch (error) {
        if (isUniqueViolation(error)) return null;
        throw error;
      }
    },

    async setLead(teamId: string, leadId: string | null): Promise<void> {
      await db.salesTeam.update({ where: { id: teamId }, data: { leadId }, select: { id: true } });
    },

    /** The team a person is a member of, if any. */
    async teamOf(userId: string): Promise<TeamView | null> {
      const user = await db.user.findUnique({ where: { id: userId }, select: { salesTeam: { select: team } } });
      return user?.salesTeam ?? null;
    },

    /** The teams a person leads, by name. */
    async ledBy(userId: string): Promise<TeamView[]> {
      return db.salesTeam.findMany({ where: { leadId: userId }, select: team, orderBy: [{ nameKey: "asc" }] });
    },

    /** Makes a person a member of a team (leaving any other team). */
    async setMembership(userId: string, teamId: string | null): Promise<void> {
      await db.user.update({ where: { id: userId }, data: { salesTeamId: teamId }, select: { id: true } });
    },

    /** Removes a team; its members belong to no team afterwards (the foreign key sets null). */
    async delete(teamId: string): Promise<void> {
      await db.salesTeam.delete({ where: { id: teamId }, select: { id: true } });
    },

    /** Takes a person off the lead of every team they lead; returns those teams' ids. */
    async dropLeads(userId: string): Promise<string[]> {
      const teams = await db.salesTeam.findMany({ where: { leadId: userId }, select: { id: true }, orderBy: { nameKey: "asc" } });
      if (teams.length > 0) await db.salesTeam.updateMany({ where: { leadId: userId }, data: { leadId: null } });
      return teams.map((t) => t.id);
    },
  };
}

export type TeamStore = ReturnType<typeof createTeamStore>;
