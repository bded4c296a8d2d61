import { canonicalTimeZone, DEFAULT_DIGEST_TIME, formatDigestTime, parseDigestTime } from "../domain/time/digest-schedule.js";
import { invalidInput } from "../domain/errors.js";
import type { Outcome } from "../reply/reply.js";
import { textMessage } from "../reply/reply.js";
import type { ActionHandler, CommandContext, CommandDefinition } from "./types.js";
import { digestView } from "./views/digest.js";
import { shareButton } from "./views/share.js";

const SUBSCRIBE = new Set(["subscribe", "sub", "on", "订阅", "开启"]);
const OFF = new Set(["off", "unsubscribe", "stop", "取消", "取消订阅", "关闭", "退订"]);
const NOW = new Set(["now", "today", "现在", "立即", "马上"]);

/** A channel as Slack escapes it in a slash command: <#C123ABC|sales> or <#C123ABC>. */
const SLACK_CHANNEL = /^<#([CG][A-Z0-9]{2,20})(?:\|([^>]{0,80}))?>$/;

export interface DigestSubscribeRequest {
  channel?: { id: string; name?: string };
  localTime?: string;
  timezone?: string;
}

/** "[#channel] [08:30] [time zone]" in any order; each at most once. */
export function parseSubscribeArgs(words: readonly string[]): DigestSubscribeRequest {
  const request: DigestSubscribeRequest = {};
  for (const word of words) {
    const channel = SLACK_CHANNEL.exec(word);
    const time = parseDigestTime(word);
    const zone = canonicalTimeZone(word);
    if (channel && !request.channel) request.channel = { id: channel[1]!, ...(channel[2] ? { name: channel[2] } : {}) };
    else if (time && !request.localTime) request.localTime = formatDigestTime(time);
    else if (zone && !request.timezone) request.timezone = zone;
    else if (word.startsWith("#")) throw invalidInput("digest.channelName", { name: word.slice(0, 40) });
    else throw invalidInput("digest.badWord", { word: word.slice(0, 40) });
  }
  return request;
}

/**
 * Where the digest goes: the named channel, else the conversation the command was typed in.
 * A DM with the bot (D…) is addressed by the person, as Slack's chat.postMessage expects.
 */
function destination(ctx: CommandContext, named: { id: string; name?: string } | undefined): { channel: string; where: string } {
  if (named) return { channel: named.id, where: named.name ? `#${named.name}` : ctx.t("digest.whereNamed") };
  if (!ctx.channel) throw invalidInput("digest.whichChannel");
  if (ctx.channel.startsWith("D")) return { channel: ctx.rep.externalId, where: ctx.t("digest.whereDm") };
  return { channel: ctx.channel, where: ctx.t("digest.whereHere") };
}

function requireSlack(ctx: CommandContext): void {
  if (ctx.platform !== "slack") throw invalidInput("digest.slackOnly");
}

async function subscribe(ctx: CommandContext, words: readonly string[]): Promise<Outcome> {
  requireSlack(ctx);
  const request = parseSubscribeArgs(words);
  const { channel, where } = destination(ctx, request.channel);
  // Subscribing again changes what is given and keeps the rest.
  const current = await ctx.services.digestFor(ctx.platform, channel);
  const localTime = request.localTime ?? current?.localTime ?? DEFAULT_DIGEST_TIME;
  const timezone = request.timezone ?? current?.timezone ?? ctx.timezone;
  const { subscription, created, scheduled } = await ctx.services.subscribeDigest(ctx.rep, { platform: ctx.platform, channel, localTime, timezone, locale: ctx.locale });
  const lines = [ctx.t(created ? "digest.subscribed" : "digest.changed", { where, time: subscription.localTime, zone: subscription.timezone })];
  if (channel !== ctx.rep.externalId) lines.push(ctx.t("digest.inviteHint"));
  if (!scheduled) lines.push(ctx.t("digest.scheduleLater"));
  return textMessage(lines.join("\n"));
}

async function unsubscribe(ctx: CommandContext, words: readonly string[]): Promise<Outcome> {
  requireSlack(ctx);
  const match = words[0] ? SLACK_CHANNEL.exec(words[0]) : null;
  if (words[0]?.startsWith("#")) throw invalidInput("digest.channelName", { name: words[0].slice(0, 40) });
  if (words.length > 1 || (words[0] && !match)) throw invalidInput("digest.badWord", { word: (words[match ? 1 : 0] ?? "").slice(0, 40) });
  const { channel, where } = destination(ctx, match ? { id: match[1]!, ...(match[2] ? { name: match[2] } : {}) } : undefined);
  const removed = await ctx.services.unsubscribeDigest(ctx.rep, ctx.platform, channel);
  return textMessage(ctx.t(removed ? "digest.unsubscribed" : "digest.notSubscribed", { where }));
}

/** Yesterday's digest, now, for whoever asked (in their language and zone), and whether this conversation gets it. */
export async function showDigest(ctx: CommandContext): Promise<Outcome> {
  const [content, subscription] = await Promise.all([
    ctx.services.buildDigest(ctx.now, ctx.timezone, ctx.rep),
    ctx.channel ? ctx.services.digestFor(ctx.platform, ctx.channel.startsWith("D") ? ctx.rep.externalId : ctx.channel) : null,
  ]);
  const message = { ...digestView(ctx, content), visibility: "private" as const };
  const status = subscription ? ctx.t("digest.status.on", { time: subscription.localTime, zone: subscription.timezone }) : ctx.t("digest.status.off");
  message.blocks.push({ type: "context", text: status }, { type: "buttons", buttons: [shareButton(ctx, { id: "digest.show", value: "" })] });
  return { kind: "message", message };
}

async function runDigest(ctx: CommandContext, text: string): Promise<Outcome> {
  const [verb = "", ...rest] = text.trim().split(/\s+/).filter(Boolean);
  const word = verb.toLowerCase();
  if (!word || (NOW.has(word) && rest.length === 0)) return showDigest(ctx);
  if (SUBSCRIBE.has(word)) return subscribe(ctx, rest);
  if (OFF.has(word)) return unsubscribe(ctx, rest);
  throw invalidInput("digest.usage");
}

export const digestCommand: CommandDefinition = {
  name: "digest",
  help: [
    {
      usage: ["/digest subscribe [#channel] [08:30] [time zone]", "/digest off [#channel]", "/digest [now]"],
      description: "help.digest",
      examples: ["/digest subscribe #sales 08:30 Asia/Shanghai", "/digest now", "/digest off"],
    },
  ],
  run: runDigest,
};

export const digestActions: Record<string, ActionHandler> = {
  "digest.show": (ctx) => showDigest(ctx),
};
