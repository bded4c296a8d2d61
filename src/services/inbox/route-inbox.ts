import { AppError } from "../../domain/errors.js";
import { teamNameKey } from "../../domain/language/people-words.js";
import type { InboxRouteKind, InboxRouteRow, Rep } from "../../store/index.js";
import { requirePostingAllowed } from "../channels/shared-channels.js";
import type { ServiceDeps } from "../deps.js";

/**
 * Routing WeChat conversations to several Slack inbox channels (issue 17): Slack takes about one
 * message a second per channel, so one inbox channel shows at most ~60 a minute. An admin sends
 * a team's or an owner's conversations to a channel of their own; the rest keep going to
 * WECHAT_INBOX_CHANNEL. A conversation already in a thread stays there; the next one opens in
 * the new channel.
 */

export type InboxRouteTarget = { kind: "team"; name: string } | { kind: "owner"; person: Rep };

export interface InboxRouteChange {
  kind: InboxRouteKind;
  /** The team's name or the owner's display name. */
  target: string;
  channel: string | null;
  /** The channel before (null: the default one). */
  before: string | null;
  changed: boolean;
}

function requireInbox(deps: ServiceDeps, rep: Rep): void {
  if (rep.role !== "ADMIN") throw new AppError("FORBIDDEN", "inboxRoute.adminOnly", {}, `${rep.id} is no admin`);
  if (!deps.settings.wechatInboxChannel) throw new AppError("CONFLICT", "inboxRoute.noInbox");
}

async function targetOf(deps: ServiceDeps, target: InboxRouteTarget): Promise<{ id: string; name: string }> {
  if (target.kind === "owner") return { id: target.person.id, name: target.person.displayName };
  const team = await deps.store.teams.findByKey(teamNameKey(target.name));
  if (!team) {
    const known = (await deps.store.teams.list()).map((t) => t.name);
    throw new AppError("NOT_FOUND", known.length > 0 ? "team.notFound" : "team.noneYet", { name: target.name.trim().slice(0, 60), known: known.join(", ") });
  }
  return { id: team.id, name: team.name };
}

/**
 * `/crm inbox route team|owner … #channel`: admins only. A channel shared with other
 * organisations (Slack Connect) must be allowed first, as for digests and shared answers: the
 * inbox shows customers' messages. Audit-logged (ids and the channel, no personal values).
 */
export async function setInboxRoute(deps: ServiceDeps, admin: Rep, input: { target: InboxRouteTarget; channel: string }): Promise<InboxRouteChange> {
  requireInbox(deps, admin);
  const target = await targetOf(deps, input.target);
  await requirePostingAllowed(deps, "slack", input.channel, "share");
  const before = await deps.store.transaction(async (tx) => {
    const previous = await tx.inboxRoutes.set({ kind: input.target.kind, targetId: target.id, channel: input.channel, createdById: admin.id });
    if (previous !== input.channel) {
      await tx.audit.write({ actorId: admin.id, action: "inbox.route", entity: "inbox-route", entityId: target.id, detail: { kind: input.target.kind, channel: input.channel, before: previous } });
    }
    return previous;
  });
  return { kind: input.target.kind, target: target.name, channel: input.channel, before, changed: before !== input.channel };
}

/** `/crm inbox route team|owner … off`: back to the default inbox channel. */
export async function removeInboxRoute(deps: ServiceDeps, admin: Rep, input: { target: InboxRouteTarget }): Promise<InboxRouteChange> {
  requireInbox(deps, admin);
  const target = await targetOf(deps, input.target);
  const removed = await deps.store.transaction(async (tx) => {
    const done = await tx.inboxRoutes.remove(input.target.kind, target.id);
    if (done) await tx.audit.write({ actorId: admin.id, action: "inbox.unroute", entity: "inbox-route", entityId: target.id, detail: { kind: input.target.kind } });
    return done;
  });
  return { kind: input.target.kind, target: target.name, channel: null, before: null, changed: removed };
}

/** `/crm inbox routes`: anyone may see where conversations go. */
export async function listInboxRoutes(deps: ServiceDeps): Promise<{ defaultChannel: string | null; routes: InboxRouteRow[] }> {
  return { defaultChannel: deps.settings.wechatInboxChannel ?? null, routes: await deps.store.inboxRoutes.list() };
}
