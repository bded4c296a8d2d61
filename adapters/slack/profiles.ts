import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../src/core/index.js";
import type { SlackProfile } from "./inbound.js";

const TTL_MS = 10 * 60_000;
const MAX_ENTRIES = 5_000;
const LOOKUP_TIMEOUT_MS = 1_200;

/**
 * Name, locale and time zone of Slack users, from users.info, cached for ten minutes. A slow
 * or failing look-up never blocks a command: the payload's user name is used instead.
 */
export function createProfileCache(client: WebClient, log: Logger) {
  const cache = new Map<string, { at: number; profile: SlackProfile }>();

  async function fetchProfile(userId: string): Promise<SlackProfile> {
    const result = await client.users.info({ user: userId, include_locale: true });
    const user = result.user;
    if (!user) return {};
    const displayName = user.profile?.display_name || user.profile?.real_name || user.real_name || user.name;
    return {
      ...(displayName ? { displayName } : {}),
      ...(user.locale ? { locale: user.locale } : {}),
      ...(user.tz ? { timezone: user.tz } : {}),
    };
  }

  return {
    async get(userId: string): Promise<SlackProfile> {
      const hit = cache.get(userId);
      if (hit && Date.now() - hit.at < TTL_MS) return hit.profile;
      try {
        const profile = await Promise.race([
          fetchProfile(userId),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error("users.info timed out")), LOOKUP_TIMEOUT_MS).unref()),
        ]);
        if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
        cache.set(userId, { at: Date.now(), profile });
        return profile;
      } catch (error) {
        log.warn({ err: error, userId }, "Slack profile look-up failed; using the payload's name");
        return hit?.profile ?? {};
      }
    },
  };
}
