import type { Db } from "../prisma.js";

/** A channel shared with other organisations that an admin allowed for digests and shared answers. */
export interface SharedChannelAllowanceRow {
  platform: string;
  channel: string;
  channelName: string | null;
  allowedById: string | null;
  /** Who allowed it, as the bot knows them (null once they are gone). */
  allowedByName: string | null;
  allowedAt: Date;
}

export function createSharedChannelStore(db: Db) {
  return {
    async isAllowed(platform: string, channel: string): Promise<boolean> {
      const row = await db.sharedChannelAllowance.findUnique({ where: { platform_channel: { platform, channel } }, select: { channel: true } });
      return row !== null;
    },

    /** True when the channel was not allowed before. */
    async allow(input: { platform: string; channel: string; channelName: string | null; allowedById: string }): Promise<boolean> {
      const rows = await db.$executeRaw`
        INSERT INTO shared_channel_allowances (platform, channel, channel_name, allowed_by_id)
        VALUES (${input.platform}, ${input.channel}, ${input.channelName}, ${input.allowedById}::uuid)
        ON CONFLICT (platform, channel) DO NOTHING`;
      return rows > 0;
    },

    /** True when the channel was allowed until now. */
    async disallow(platform: string, channel: string): Promise<boolean> {
      const { count } = await db.sharedChannelAllowance.deleteMany({ where: { platform, channel } });
      return count > 0;
    },

    async list(platform: string): Promise<SharedChannelAllowanceRow[]> {
      const rows = await db.sharedChannelAllowance.findMany({ where: { platform }, orderBy: { allowedAt: "asc" } });
      const ids = [...new Set(rows.map((r) => r.allowedById).filter((id): id is string => id !== null))];
      const users = ids.length > 0 ? await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, displayName: true } }) : [];
      const names = new Map(users.map((u) => [u.id, u.displayName]));
      return rows.map((r) => ({ ...r, allowedByName: r.allowedById ? (names.get(r.allowedById) ?? null) : null }));
    },
  };
}

export type SharedChannelStore = ReturnType<typeof createSharedChannelStore>;
