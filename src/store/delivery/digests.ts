import type { Db } from "../prisma.js";

export interface DigestSubscriptionRow {
  id: string;
  platform: string;
  channel: string;
  localTime: string;
  timezone: string;
  locale: string;
  createdById: string | null;
  /** When it was subscribed or last changed: a run before that is not owed. */
  updatedAt: Date;
}

const fields = { id: true, platform: true, channel: true, localTime: true, timezone: true, locale: true, createdById: true, updatedAt: true } as const;

export function createDigestStore(db: Db) {
  return {
    /** One subscription per channel: subscribing again changes its time, zone and language. */
    async subscribe(input: Omit<DigestSubscriptionRow, "id" | "updatedAt">): Promise<{ row: DigestSubscriptionRow; created: boolean }> {
      const existing = await db.digestSubscription.findUnique({ where: { platform_channel: { platform: input.platform, channel: input.channel } }, select: { id: true } });
      const row = await db.digestSubscription.upsert({
        where: { platform_channel: { platform: input.platform, channel: input.channel } },
        create: input,
        update: { localTime: input.localTime, timezone: input.timezone, locale: input.locale, createdById: input.createdById },
        select: fields,
      });
      return { row, created: !existing };
    },

    async unsubscribe(platform: string, channel: string): Promise<DigestSubscriptionRow | null> {
      const row = await db.digestSubscription.findUnique({ where: { platform_channel: { platform, channel } }, select: fields });
      if (!row) return null;
      await db.digestSubscription.deleteMany({ where: { id: row.id } });
      return row;
    },

    get: (id: string): Promise<DigestSubscriptionRow | null> => db.digestSubscription.findUnique({ where: { id }, select: fields }),

    forChannel: (platform: string, channel: string): Promise<DigestSubscriptionRow | null> =>
      db.digestSubscription.findUnique({ where: { platform_channel: { platform, channel } }, select: fields }),

    all: (): Promise<DigestSubscriptionRow[]> => db.digestSubscription.findMany({ select: fields, orderBy: { createdAt: "asc" } }),

    /**
     * Marks the subscription's digest as held back; true only the first time of a spell (the
     * subscriber is told once). Raw SQL, so `updated_at`, which says which runs are owed, stays.
     */
    async markWithheld(id: string, at: Date): Promise<boolean> {
      const rows = await db.$executeRaw`UPDATE digest_subscriptions SET withheld_at = ${at} WHERE id = ${id}::uuid AND withheld_at IS NULL`;
      return rows > 0;
    },

    /** A digest went out: a later hold starts a new spell, told again. */
    async clearWithheld(id: string): Promise<void> {
      await db.$executeRaw`UPDATE digest_subscriptions SET withheld_at = NULL WHERE id = ${id}::uuid AND withheld_at IS NOT NULL`;
    },
  };
}

export type DigestStore = ReturnType<typeof createDigestStore>;
