import { z } from "zod";
import { invalidInput } from "../domain/errors.js";
import type { Outcome } from "../reply/reply.js";
import type { InboxRouteChange } from "../services/index.js";
import { validate } from "./parse.js";
import type { CommandContext, CommandDefinition } from "./types.js";

/** A channel as Slack escapes it in a slash command: <#C123ABC|sales> or <#C123ABC>. */
const SLACK_CHANNEL = /^<#([CG][A-Z0-9]{2,20})(?:\|([^>]{0,80}))?>$/;

const ROUTE = new Set(["route", "路由", "分配"]);
const LIST = new Set(["", "routes", "list", "路由", "列表"]);
const TEAM = new Set(["team", "团队"]);
const OWNER = new Set(["owner", "rep", "负责人", "销售"]);
const OFF = new Set(["off", "default", "none", "关闭", "默认"]);

export type InboxRouteRequest =
  | { verb: "list" }
  | { verb: "route"; kind: "team" | "owner"; target: string; channel: { id: string; name?: string } | null };

const target = z.string().trim().min(1, "inboxRoute.usage").max(120, "inboxRoute.usage");

/**
 * "route team Key Accounts <#C123|ka-inbox>", "route owner @li.na off", "路由 团队 大客户 <#C123>",
 * "routes" or nothing (the list). The channel (or off) is the last word, the team or person the
 * words between.
 */
export function parseInboxRouteRequest(text: string): InboxRouteRequest {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const first = (words[0] ?? "").toLowerCase();
  if (words.length <= 1 && LIST.has(first)) return { verb: "list" };
  if (!ROUTE.has(first)) throw invalidInput("inboxRoute.usage");
  const kindWord = (words[1] ?? "").toLowerCase();
  const kind = TEAM.has(kindWord) ? "team" : OWNER.has(kindWord) ? "owner" : undefined;
  if (!kind) throw invalidInput("inboxRoute.usage");
  const last = words.at(-1) ?? "";
  const who = validate(target, words.slice(2, -1).join(" "));
  if (OFF.has(last.toLowerCase())) return { verb: "route", kind, target: who, channel: null };
  const match = SLACK_CHANNEL.exec(last);
  if (!match) {
    if (last.startsWith("#")) throw invalidInput("digest.channelName", { name: last.slice(0, 40) });
    throw invalidInput("inboxRoute.usage");
  }
  return { verb: "route", kind, target: who, channel: { id: match[1]!, ...(match[2] ? { name: match[2] } : {}) } };
}

const reply = (text: string): Outcome => ({ kind: "message", message: { visibility: "private", summary: text, blocks: [{ type: "text", text }] } });

/** A channel id as Slack shows it to the reader (a link to the channel). */
const channelRef = (id: string) => `<#${id}>`;

function changeText(ctx: CommandContext, change: InboxRouteChange): string {
  const who = ctx.t(change.kind === "team" ? "inboxRoute.team" : "inboxRoute.owner", { name: change.target });
  if (change.channel === null) return ctx.t(change.changed ? "inboxRoute.removed" : "inboxRoute.notRouted", { who });
  if (!change.changed) return ctx.t("inboxRoute.unchanged", { who, channel: channelRef(change.channel) });
  return ctx.t("inboxRoute.set", { who, channel: channelRef(change.channel) });
}

async function runInbox(ctx: CommandContext, text: string): Promise<Outcome> {
  const request = parseInboxRouteRequest(text);
  if (request.verb === "list") {
    const { defaultChannel, routes } = await ctx.services.listInboxRoutes();
    const title = ctx.t("inboxRoute.list.title");
    return {
      kind: "message",
      message: {
        visibility: "private",
        summary: title,
        blocks: [
          { type: "header", text: title },
          {
            type: "list",
            items: routes.map((r) => ({
              title: ctx.t(r.kind === "team" ? "inboxRoute.team" : "inboxRoute.owner", { name: r.targetName ?? ctx.t("channel.list.someone") }),
              detail: channelRef(r.channel),
            })),
            empty: ctx.t("inboxRoute.list.empty"),
          },
          { type: "context", text: defaultChannel ? ctx.t("inboxRoute.list.default", { channel: channelRef(defaultChannel) }) : ctx.t("inboxRoute.noInbox") },
        ],
      },
    };
  }
  if (ctx.platform !== "slack") throw invalidInput("channel.slackOnly");
  const routeTarget = request.kind === "team" ? { kind: "team" as const, name: request.target } : { kind: "owner" as const, person: await ctx.services.resolvePerson(ctx.rep, request.target) };
  const change = request.channel
    ? await ctx.services.setInboxRoute(ctx.rep, { target: routeTarget, channel: request.channel.id })
    : await ctx.services.removeInboxRoute(ctx.rep, { target: routeTarget });
  return reply(changeText(ctx, change));
}

/**
 * "/crm inbox route team|owner <who> #channel|off" and "/crm inbox routes" (收件箱): which Slack
 * inbox channel a team's or an owner's WeChat conversations go to. Admins change the routes;
 * anyone may read them.
 */
export const inboxCommand: CommandDefinition = {
  name: "inbox",
  slash: false,
  help: [
    {
      usage: ["/crm inbox route team <team> #channel|off", "/crm inbox route owner @user #channel|off", "/crm inbox routes"],
      description: "help.inboxRoute",
      examples: ["/crm inbox route team Key Accounts #ka-inbox", "/crm 收件箱 路由 负责人 @li.na #lina-inbox", "/crm inbox routes"],
    },
  ],
  run: runInbox,
};

/** Command words of /crm inbox in Chinese. */
export const INBOX_ALIASES: Readonly<Record<string, string>> = { 收件箱: "inbox" };
