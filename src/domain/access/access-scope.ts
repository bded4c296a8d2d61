/**
 * Whose customers a person answers for: the one visibility rule, from which both reading private
 * details (services/audience.ts, maySeePrivate) and changing records (write-rights.ts, mayChange)
 * are decided, so the two can never disagree.
 *
 * - an admin: every customer;
 * - a manager: their own customers, those owned by a member of a team they lead, and unowned ones;
 * - a rep: their own customers and unowned ones.
 */
export type RoleName = "ADMIN" | "MANAGER" | "REP";

export interface Person {
  id: string;
  role: RoleName;
  /**
   * The members of the teams this person leads, loaded with the person (store/people/users.ts), so the
   * rule needs no query of its own. Only a manager's count: a rep who still leads a team (the
   * role changed) sees nothing more for it.
   */
  teamRepIds: readonly string[];
}

/** True when `person` answers for customers owned by `ownerId` (null: nobody owns them yet). */
export function inScope(person: Person, ownerId: string | null): boolean {
  if (person.role === "ADMIN" || ownerId === null || ownerId === person.id) return true;
  return person.role === "MANAGER" && person.teamRepIds.includes(ownerId);
}

/**
 * The same rule as a set of owners, for a reader that filters many rows in SQL (an export, a
 * list): "all" owners, or exactly these owner ids plus unowned customers.
 */
export type OwnerScope = { kind: "all" } | { kind: "owners"; ownerIds: readonly string[]; unowned: true };

export function ownerScope(person: Person): OwnerScope {
  if (person.role === "ADMIN") return { kind: "all" };
  const ownerIds = person.role === "MANAGER" ? [person.id, ...person.teamRepIds.filter((id) => id !== person.id)] : [person.id];
  return { kind: "owners", ownerIds, unowned: true };
}
