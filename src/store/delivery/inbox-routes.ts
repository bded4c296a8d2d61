import type { Db } from "../prisma.js";

export type InboxRouteKind = "team" | "owner";

export interface InboxRouteRow {
  kind: InboxRouteKind;
  targetId: string;
  /** The team's name or the owner's display name; null once they are gone. */
  targetName: string | null;
  channel: string;
  createdAt: Date;
}

/**
 * Which Slack inbox channel a conversation goes to: its customer's owner's route, else the
 * owner's sales team's, else none (the default inbox channel). Read once per relayed message,
 * on the inbound worker's path: one indexed statement.
 */
export function createInboxRouteStore(db: Db) {
  return {
    async channelFor(customerId: string): Promise<string | null> {
      const rows = await db.$queryRaw<{ channel: string }[]>`
        SELECT r.channel FROM customers c
        JOIN users u ON u.id = c.owner_id
        JOIN inbox_routes r ON (r.kind = 'owner' AND r.target_id = u.id) OR (r.kind = 'team' AND r.target_id = u.sales_team_id)
        WHERE c.id = ${customerId}::uuid
        ORDER BY r.kind = 'owner' DESC
        LIMIT 1`;
      return rows[0]?.channel ?? null;
    },

    /** The channel it went to before (null: none), so the answer can say what changed. */
    async set(input: { kind: InboxRouteKind; targetId: string; channel: string; createdById: string }): Promise<string | null> {
      const before = await db.$queryRaw<{ channel: string }[]>`
        SELECT channel FROM inbox_routes WHERE kind = ${input.kind} AND target_id = ${input.targetId}::uuid FOR UPDATE`;
      await db.$executeRaw`
        INSERT INTO inbox_routes (kind, target_id, channel, created_by_id)
        VALUES (${input.kind}, ${input.targetId}::uuid, ${input.channel}, ${input.createdById}::uuid)
        ON CONFLICT (kind, target_id) DO UPDATE SET channel = EXCLUDED.channel, created_by_id = EXCLUDED.created_by_id, created_at = now()`;
      return before[0]?.channel ?? null;
    },

    /** True when there was a route to remove. */
    async remove(kind: InboxRouteKind, targetId: string): Promise<boolean> {
      const count = await db.$executeRaw`DELETE FROM inbox_routes WHERE kind = ${kind} AND target_id = ${targetId}::uuid`;
      return count > 0;
    },

    async list(): Promise<InboxRouteRow[]> {
      return db.$queryRaw<InboxRouteRow[]>`
        SELECT r.kind, r.target_id AS "targetId", COALESCE(t.name, u.display_name) AS "targetName", r.channel, r.created_at AS "createdAt"
        FROM inbox_routes r
        LEFT JOIN sales_teams t ON r.kind = 'team' AND t.id = r.target_id
        LEFT JOIN users u ON r.kind = 'owner' AND u.id = r.target_id
        ORDER BY r.kind DESC, "targetName", r.channel`;
    },
  };
}

export type InboxRouteStore = ReturnType<typeof createInboxRouteStore>;
