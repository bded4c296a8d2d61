import { LogLevel, WebClient } from "@slack/web-api";
import type { ConversationReach, Logger } from "../../src/core/index.js";

/** A definite answer holds this long: a channel turned into a Slack Connect one is noticed within it. */
const TTL_MS = 60_000;
const MAX_ENTRIES = 5_000;
/** A command waits for this at most (Slack gives a slash command 3 s in all). */
const LOOKUP_TIMEOUT_MS = 2_000;

/** Slack's answers that asking again cannot change (the bot cannot see the channel, or lacks a scope). */
const TEMPORARY = new Set(["ratelimited", "internal_error", "fatal_error", "request_timeout", "service_unavailable"]);

/** A user id (or an Enterprise Grid W id) addresses the bot's own DM with that person. */
const PERSON = /^[UW][A-Z0-9]{2,}$/;

export interface SlackConversations {
  /** Whether people of other organisations are in a channel (conversations.info's is_ext_shared); `fresh` skips the cache. */
  reach(channel: string, options?: { fresh?: boolean }): Promise<ConversationReach>;
}

interface SlackChannelInfo {
  name?: string;
  is_ext_shared?: boolean;
  is_pending_ext_shared?: boolean;
}

/**
 * Who can read a Slack conversation, from conversations.info, cached briefly per process. A
 * channel shared with other organisations (Slack Connect) says `is_ext_shared: true`; one whose
 * invitation to another organisation is pending counts as shared too, as it soon will be.
 * Needs the channels:read, groups:read, im:read and mpim:read scopes (slack-manifest.yaml).
 */
export function createSlackConversations(options: { botToken: string; apiUrl: string; log: Logger; ttlMs?: number }): SlackConversations {
  const client = new WebClient(options.botToken, {
    slackApiUrl: options.apiUrl,
    // Our caller decides what an unanswered question means; the client must not wait minutes retrying.
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    timeout: LOOKUP_TIMEOUT_MS,
    // Failures are logged below, once per kind, with what they mean here.
    logLevel: LogLevel.ERROR,
  });
  const ttl = options.ttlMs ?? TTL_MS;
  const cache = new Map<string, { at: number; reach: ConversationReach }>();
  const inFlight = new Map<string, Promise<ConversationReach>>();
  const warned = new Set<string>();

  async function ask(channel: string): Promise<ConversationReach> {
    try {
      const result = await client.conversations.info({ channel });
      const info = (result.channel ?? {}) as SlackChannelInfo;
      const external = info.is_ext_shared === true || info.is_pending_ext_shared === true;
      const reach: ConversationReach = { kind: external ? "external" : "internal", ...(info.name ? { name: info.name } : {}) };
      if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
      cache.set(channel, { at: Date.now(), reach });
      return reach;
    } catch (error) {
      const data = (error as { data?: { error?: unknown; needed?: unknown } }).data;
      const code = typeof data?.error === "string" ? data.error : undefined;
      if (code && !TEMPORARY.has(code)) {
        // Once per kind of problem: a missing scope affects every channel until the app is reinstalled.
        if (!warned.has(code)) {
          warned.add(code);
          options.log.warn({ channel, slackError: code, needed: data?.needed }, "Slack would not say whether a channel is shared with other organisations; digests and shared answers there are refused");
        }
        return { kind: "unknown", lasting: true, reason: code };
      }
      options.log.warn({ err: error, channel }, "conversations.info failed; asking again next time");
      return { kind: "unknown", lasting: false, reason: code ?? "no answer from Slack" };
    }
  }

  return {
    async reach(channel, options) {
      if (PERSON.test(channel)) return { kind: "internal" };
      const hit = options?.fresh ? undefined : cache.get(channel);
      if (hit && Date.now() - hit.at < ttl) return hit.reach;
      // Several commands about one channel at once ask Slack once.
      const pending = inFlight.get(channel) ?? ask(channel).finally(() => inFlight.delete(channel));
      inFlight.set(channel, pending);
      return pending;
    },
  };
}
