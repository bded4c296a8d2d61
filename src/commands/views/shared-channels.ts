import type { Message, Outcome } from "../../reply/reply.js";
import type { ChannelAllowance, SharedChannelAllowanceRow } from "../../services/index.js";
import type { LoadedNotification, RenderContext } from "../notification-types.js";
import type { CommandContext } from "../types.js";

const reply = (text: string): Outcome => ({ kind: "message", message: { visibility: "private", summary: text, blocks: [{ type: "text", text }] } });

/** /crm channel: the externally shared channels admins allowed, who allowed each and when. */
export function sharedChannelsMessage(ctx: CommandContext, rows: readonly SharedChannelAllowanceRow[]): Outcome {
  const title = ctx.t("channel.list.title");
  return {
    kind: "message",
    message: {
      visibility: "private",
      summary: title,
      blocks: [
        { type: "header", text: title },
        {
          type: "list",
          items: rows.map((row) => ({
            title: row.channelName ? `#${row.channelName} (${row.channel})` : row.channel,
            detail: ctx.t("channel.list.by", { name: row.allowedByName ?? ctx.t("channel.list.someone"), date: ctx.f.date(row.allowedAt) }),
          })),
          empty: ctx.t("channel.list.empty"),
        },
        { type: "context", text: ctx.t("channel.list.rule") },
      ],
    },
  };
}

/** What /crm channel allow or disallow did. */
export function channelChangeMessage(ctx: CommandContext, verb: "allow" | "disallow", where: string, result: ChannelAllowance): Outcome {
  if (verb === "allow") {
    if (!result.changed) return reply(ctx.t("channel.alreadyAllowed", { where }));
    const key = result.reach === "external" ? "channel.allowed.external" : result.reach === "internal" ? "channel.allowed.internal" : "channel.allowed.unknown";
    return reply(ctx.t(key, { where }));
  }
  if (!result.changed) return reply(ctx.t("channel.notAllowed", { where }));
  return reply(ctx.t(result.reach === "internal" ? "channel.disallowed.internal" : "channel.disallowed", { where }));
}

/** To a digest's subscriber: today's digest was held back, why, and what would bring it back. */
export function digestWithheldMessage(ctx: RenderContext, loaded: Extract<LoadedNotification, { type: "digest.withheld" }>): Message {
  const text = loaded.why === "external" ? ctx.t("digest.withheld.external", { channel: loaded.channel }) : ctx.t("digest.withheld.unseen", { channel: loaded.channel, reason: loaded.reason || "?" });
  return { visibility: "private", summary: text, blocks: [{ type: "text", text }, { type: "context", text: ctx.t("digest.withheld.once") }] };
}
