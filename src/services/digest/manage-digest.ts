import { canonicalTimeZone, digestDay, formatDigestTime, parseDigestTime } from "../../domain/digest-schedule.js";
import { AppError } from "../../domain/errors.js";
import type { DigestSubscriptionRow, Rep } from "../../store/index.js";
import type { ServiceDeps } from "../deps.js";
import { deliveriesNow, scheduleAfterCommit } from "../delivery/schedule-after-commit.js";

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

/**
 * A subscription's digest for the day its run falls on, through the outbox: one message per
 * subscription and local run date (in its zone), however many workers, retries or sweeps fire it.
 */
export async function sendDigest(deps: ServiceDeps, subscriptionId: string, firedAt: Date): Promise<"queued" | "already-sent" | "gone"> {
  const subscription = await deps.store.digests.get(subscriptionId);
  if (!subscription) return "gone";
  const { runDate } = digestDay(firedAt, subscription.timezone);
  const row = await deps.store.outbox.enqueue({
    platform: subscription.platform,
    destination: subscription.channel,
    payload: { type: "digest", subscriptionId, runDate, firedAt: firedAt.toISOString() },
    // The zone is part of the day: a subscription moved west still gets its next local day.
    dedupeKey: `digest:${subscriptionId}:${subscription.timezone}:${runDate}`,
    at: deps.now(),
  });
  if (!row.created) return "already-sent";
  await scheduleAfterCommit(deps, deliveriesNow(deps, [row.id]));
  return "queued";
}
