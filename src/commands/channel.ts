import { invalidInput } from "../domain/errors.js";
import type { Outcome } from "../reply/reply.js";
import type { CommandContext, CommandDefinition } from "./types.js";
import { channelChangeMessage, sharedChannelsMessage } from "./views/shared-channels.js";

/** A channel as Slack escapes it in a slash command: <#C123ABC|sales> or <#C123ABC>. */
const SLACK_CHANNEL = /^<#([CG][A-Z0-9]{2,20})(?:\|([^>]{0,80}))?>$/;

const ALLOW = new Set(["allow", "permit", "允许", "放行"]);
const DISALLOW = new Set(["disallow", "deny", "revoke", "禁止", "撤销", "取消"]);
const LIST = new Set(["", "list", "列表", "列出"]);

/** The platform whose channels can be shared with other organisations. */
const PLATFORM = "slack";

export interface ChannelRequest {
  verb: "list" | "allow" | "disallow";
  /** The channel named; unset: the one the command was typed in. */
  channel?: { id: string; name?: string };
}

/** "allow <#C123|sales>", "允许", "disallow", "" (list); a channel at most, picked from Slack's list. */
export function parseChannelRequest(text: string): ChannelRequest {
  const [first = "", ...rest] = text.trim().split(/\s+/).filter(Boolean);
  const word = first.toLowerCase();
  const verb = LIST.has(word) ? "list" : ALLOW.has(word) ? "allow" : DISALLOW.has(word) ? "disallow" : undefined;
  if (!verb) throw invalidInput("channel.usage");
  if (verb === "list") {
    if (rest.length > 0) throw invalidInput("channel.usage");
    return { verb };
  }
  if (rest.length > 1) throw invalidInput("channel.usage");
  const named = rest[0];
  if (named === undefined) return { verb };
  const match = SLACK_CHANNEL.exec(named);
  if (!match) {
    if (named.startsWith("#")) throw invalidInput("digest.channelName", { name: named.slice(0, 40) });
    throw invalidInput("channel.usage");
  }
  return { verb, channel: { id: match[1]!, ...(match[2] ? { name: match[2] } : {}) } };
}

/** The channel meant, and how to name it in the answer. */
function target(ctx: CommandContext, named: ChannelRequest["channel"]): { id: string; where: string } {
  if (ctx.platform !== PLATFORM) throw invalidInput("channel.slackOnly");
  if (named) return { id: named.id, where: named.name ? `#${named.name}` : ctx.t("digest.whereNamed") };
  // A direct message is nobody's channel to allow.
  if (!ctx.channel || !/^[CG]/.test(ctx.channel)) throw invalidInput("channel.whichChannel");
  return { id: ctx.channel, where: ctx.t("digest.whereHere") };
}

async function runChannel(ctx: CommandContext, text: string): Promise<Outcome> {
  const request = parseChannelRequest(text);
  if (request.verb === "list") return sharedChannelsMessage(ctx, await ctx.services.listSharedChannels(PLATFORM));
  const { id, where } = target(ctx, request.channel);
  const input = { platform: ctx.platform, channel: id };
  const result = request.verb === "allow" ? await ctx.services.allowSharedChannel(ctx.rep, input) : await ctx.services.disallowSharedChannel(ctx.rep, input);
  return channelChangeMessage(ctx, request.verb, where, result);
}

/**
 * "/crm channel allow|disallow [#channel]" and "/crm channel" (频道): which channels shared with
 * other organisations (Slack Connect) may get digests and shared answers. Admins change the
 * list; anyone may read it.
 */
export const channelCommand: CommandDefinition = {
  name: "channel",
  slash: false,
  help: [
    {
      usage: ["/crm channel allow [#channel]", "/crm channel disallow [#channel]", "/crm channel"],
      description: "help.channel",
      examples: ["/crm channel allow #partner-acme", "/crm 频道 允许", "/crm channel"],
    },
  ],
  run: runChannel,
};

/** Command words of /crm channel in Chinese. */
export const CHANNEL_ALIASES: Readonly<Record<string, string>> = { 频道: "channel", channels: "channel" };
