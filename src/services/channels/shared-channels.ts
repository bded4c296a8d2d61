import { AppError } from "../../domain/errors.js";
import type { Rep, SharedChannelAllowanceRow } from "../../store/index.js";
import type { ServiceDeps } from "../deps.js";
import type { ConversationReach } from "../ports.js";

/**
 * Slack Connect: a channel shared with other organisations is read by people outside the
 * company, so the bot posts no CRM data there (no morning digest, no shared answer) unless an
 * admin allowed that channel. The platform says who is in a conversation (the adapter's
 * ConversationDirectory); the rule is here, once, for every path that posts into a channel.
 */

/** What the bot may post into a conversation. */
export type PostingVerdict =
  | { ok: true }
  /** Shared with other organisations, and no admin allowed it; `name` as the platform calls it. */
  | { ok: false; why: "external"; name?: string }
  /** The platform would not say (the bot cannot see the channel, or lacks a permission); `reason` is its word. */
  | { ok: false; why: "unseen"; reason: string }
  /** The platform did not answer this time. */
  | { ok: false; why: "unavailable"; reason: string };

export type PostingPurpose = "digest" | "share";

const INTERNAL: ConversationReach = { kind: "internal" };

function reachOf(deps: ServiceDeps, platform: string, conversation: string, options?: { fresh?: boolean }): Promise<ConversationReach> {
  return deps.conversations ? deps.conversations.reach(platform, conversation, options) : Promise.resolve(INTERNAL);
}

/**
 * May CRM data be posted into this conversation? An admin's allowance counts whatever the
 * platform says (it is the admin's decision that outsiders may read it), so it is asked only
 * when the conversation is not plainly internal.
 */
export async function postingVerdict(deps: ServiceDeps, platform: string, conversation: string): Promise<PostingVerdict> {
  const reach = await reachOf(deps, platform, conversation);
  if (reach.kind === "internal") return { ok: true };
  if (await deps.store.sharedChannels.isAllowed(platform, conversation)) return { ok: true };
  if (reach.kind === "external") return { ok: false, why: "external", ...(reach.name ? { name: reach.name } : {}) };
  return { ok: false, why: reach.lasting ? "unseen" : "unavailable", reason: reach.reason };
}

/** Throws the answer a rep reads when the verdict is no; nothing has been changed yet. */
export async function requirePostingAllowed(deps: ServiceDeps, platform: string, conversation: string, purpose: PostingPurpose): Promise<void> {
  const verdict = await postingVerdict(deps, platform, conversation);
  if (verdict.ok) return;
  switch (verdict.why) {
    case "external":
      throw new AppError("FORBIDDEN", purpose === "digest" ? "sharing.external.digest" : "sharing.external.share", {}, `${purpose} refused: ${conversation} is shared with other organisations`);
    case "unseen":
      throw new AppError("FORBIDDEN", "sharing.unseen", { reason: verdict.reason }, `${purpose} refused: cannot tell whether ${conversation} is shared (${verdict.reason})`);
    case "unavailable":
      throw new AppError("UNAVAILABLE", "sharing.unavailable", {}, `${purpose} refused: no answer whether ${conversation} is shared (${verdict.reason})`);
  }
}

function requireAdmin(rep: Rep): void {
  if (rep.role !== "ADMIN") throw new AppError("FORBIDDEN", "channel.adminOnly");
}

export interface ChannelAllowance {
  /** False when nothing changed (it was allowed already, or was not). */
  changed: boolean;
  /** What the platform says about the channel now; "unknown" when it would not say. */
  reach: ConversationReach["kind"];
}

/** `/crm channel allow`: admins only, audit-logged in the same transaction. */
export async function allowSharedChannel(deps: ServiceDeps, rep: Rep, input: { platform: string; channel: string }): Promise<ChannelAllowance> {
  requireAdmin(rep);
  const reach = await reachOf(deps, input.platform, input.channel, { fresh: true });
  const channelName = reach.kind === "unknown" ? null : (reach.name ?? null);
  const changed = await deps.store.transaction(async (tx) => {
    const added = await tx.sharedChannels.allow({ platform: input.platform, channel: input.channel, channelName, allowedById: rep.id });
    if (added) await tx.audit.write({ actorId: rep.id, action: "channel.allow", entity: "channel", entityId: input.channel, detail: { platform: input.platform, reach: reach.kind } });
    return added;
  });
  return { changed, reach: reach.kind };
}

/** `/crm channel disallow`: admins only, audit-logged in the same transaction. */
export async function disallowSharedChannel(deps: ServiceDeps, rep: Rep, input: { platform: string; channel: string }): Promise<ChannelAllowance> {
  requireAdmin(rep);
  const reach = await reachOf(deps, input.platform, input.channel, { fresh: true });
  const changed = await deps.store.transaction(async (tx) => {
    const removed = await tx.sharedChannels.disallow(input.platform, input.channel);
    if (removed) await tx.audit.write({ actorId: rep.id, action: "channel.disallow", entity: "channel", entityId: input.channel, detail: { platform: input.platform, reach: reach.kind } });
    return removed;
  });
  return { changed, reach: reach.kind };
}

/** The channels admins allowed, oldest first: anyone may see which channels get CRM data. */
export function listSharedChannels(deps: ServiceDeps, platform: string): Promise<SharedChannelAllowanceRow[]> {
  return deps.store.sharedChannels.list(platform);
}
