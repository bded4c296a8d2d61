import { canonicalTimeZone, digestDay, formatDigestTime, parseDigestTime } from "../../domain/time/digest-schedule.js";
import { AppError } from "../../domain/errors.js";
import type { DigestSubscriptionRow, Rep } from "../../store/index.js";
import type { ServiceDeps } from "../deps.js";
import { deliveriesNow, scheduleAfterCommit } from "../delivery/schedule-after-commit.js";
import { postingVerdict, requirePostingAllowed, type PostingVerdict } from "../channels/shared-channels.js";

export interface DigestSubscribeInput {
  platform: string;
  channel: string;
  localTime: string;
  timezone: string;
  locale: string;
}

/**
 * Subscribes a channel to the morning digest (or moves its time): the row first, then the
 * repeating job. Redis being away loses nothing: the sweep re-creates the schedule from the row.
 */
export async function subscribeDigest(deps: ServiceDeps, rep: Rep, input: DigestSubscribeInput): Promise<{ subscription: DigestSubscriptionRow; created: boolean; scheduled: boolean }> {
  const time = parseDigestTime(input.localTime);
  const timezone = canonicalTimeZone(input.timezone);
  if (!time || !timezone) throw new AppError("INVALID_INPUT", "digest.usage");
  // Not into a channel shared with other organisations (Slack Connect), unless an admin allowed it.
  await requirePostingAllowed(deps, input.platform, input.channel, "digest");
  const { row, created } = await deps.store.transaction(async (tx) => {
    const result = await tx.digests.subscribe({ ...input, localTime: formatDigestTime(time), timezone, createdById: rep.id });
    await tx.audit.write({ actorId: rep.id, action: result.created ? "digest.subscribe" : "digest.change", entity: "digest_subscription", entityId: result.row.id, detail: { channel: input.channel, localTime: result.row.localTime, timezone } });
    return result;
  });
  const scheduled = await deps.jobs.scheduleDigest(row).then(
    () => true,
    () => false,
  );
  return { subscription: row, created, scheduled };
}

export async function unsubscribeDigest(deps: ServiceDeps, rep: Rep, platform: string, channel: string): Promise<DigestSubscriptionRow | null> {
  const row = await deps.store.digests.unsubscribe(platform, channel);
  if (!row) return null;
  await deps.store.audit.write({ actorId: rep.id, action: "digest.unsubscribe", entity: "digest_subscription", entityId: row.id, detail: { channel } });
  // A schedule left behind finds no row when it fires and does nothing.
  await deps.jobs.cancelDigest(row.id).catch(() => undefined);
  return row;
}

/** The platform did not say whether a digest's channel is shared: the run is tried again later. */
export class ChannelUnanswered extends Error {
  override readonly name = "ChannelUnanswered";
}

/**
 * A subscription's digest for the day its run falls on, through the outbox: one message per
 * subscription and local run date (in its zone), however many workers, retries or sweeps fire it.
 * Before it is queued the channel is checked again: one that became shared with other
 * organisations since it was subscribed gets no digest (the subscriber is told once). Throws when
 * the platform did not answer, so the job (or the next sweep) tries again.
 */
export async function sendDigest(deps: ServiceDeps, subscriptionId: string, firedAt: Date): Promise<"queued" | "already-sent" | "gone" | "withheld"> {
  const subscription = await deps.store.digests.get(subscriptionId);
  if (!subscription) return "gone";
  const { runDate } = digestDay(firedAt, subscription.timezone);
  // The zone is part of the day: a subscription moved west still gets its next local day.
  const dedupeKey = `digest:${subscriptionId}:${subscription.timezone}:${runDate}`;
  // The sweep calls this every minute for a late run: once it is queued, the platform is not asked again.
  if (await deps.store.outbox.isQueued(dedupeKey)) return "already-sent";
  const verdict = await postingVerdict(deps, subscription.platform, subscription.channel);
  if (!verdict.ok) {
    if (verdict.why === "unavailable") throw new ChannelUnanswered(`cannot tell whether digest channel ${subscription.channel} is shared with other organisations (${verdict.reason}); trying again later`);
    return withholdDigest(deps, subscription, runDate, verdict);
  }
  const row = await deps.store.outbox.enqueue({
    platform: subscription.platform,
    destination: subscription.channel,
    payload: { type: "digest", subscriptionId, runDate, firedAt: firedAt.toISOString() },
    dedupeKey,
    at: deps.now(),
  });
  if (!row.created) return "already-sent";
  // Going out again: should the channel be held back later, the subscriber is told again.
  await deps.store.digests.clearWithheld(subscriptionId);
  await scheduleAfterCommit(deps, deliveriesNow(deps, [row.id]));
  return "queued";
}

/**
 * Holds a digest back: marks the subscription, and the first time of a spell tells whoever
 * subscribed it, in their DM (a subscriber the bot no longer knows is not told).
 */
async function withholdDigest(deps: ServiceDeps, subscription: DigestSubscriptionRow, runDate: string, verdict: Exclude<PostingVerdict, { ok: true }>): Promise<"withheld"> {
  const note = await deps.store.transaction(async (tx) => {
    const first = await tx.digests.markWithheld(subscription.id, deps.now());
    const subscriber = first && subscription.createdById ? await tx.users.findById(subscription.createdById) : null;
    if (!subscriber) return null;
    return tx.outbox.enqueue({
      platform: subscriber.platform,
      destination: subscriber.externalId,
      payload: {
        type: "digest.withheld",
        subscriptionId: subscription.id,
        runDate,
        why: verdict.why === "external" ? "external" : "unseen",
        ...("name" in verdict && verdict.name ? { channelName: verdict.name.slice(0, 80) } : {}),
        ...("reason" in verdict ? { reason: verdict.reason.slice(0, 80) } : {}),
      },
      dedupeKey: `digest-withheld:${subscription.id}:${runDate}`,
      at: deps.now(),
    });
  });
  if (note?.created) await scheduleAfterCommit(deps, deliveriesNow(deps, [note.id]));
  return "withheld";
}
