/**
 * What use-cases need from the job system and the platforms, as small interfaces; main.ts
 * wires BullMQ (src/jobs) and the adapters' senders behind them.
 */

/** A timer to (re)create: the row it points at and when. */
export interface ScheduleItem {
  kind: "reminder" | "delivery" | "survey" | "survey-check";
  /** The reminder, outbox row or survey; for "survey-check", the contact. */
  id: string;
  at: Date;
}

export interface JobScheduler {
  /** Makes sure a job fires this reminder at `at`; idempotent per reminder and time. */
  scheduleReminder(reminderId: string, at: Date): Promise<void>;
  /** Makes sure a delivery attempt of this outbox message runs at `at`. */
  /** `retake`: the claim token of a broken attempt the delivery job may take the row back from (ClaimHolder). */
  scheduleDelivery(outboxId: string, at: Date, retake?: string): Promise<void>;
  /**
   * The same for many rows in one round trip (the reconcile pass after Redis lost its jobs).
   * `replaceFinished`: the rows are known to be still due, so a job of the same id that already
   * failed (its attempts ran out while a dependency was away) or completed is replaced by a new one.
   */
  scheduleMany(items: ScheduleItem[], options?: { replaceFinished?: boolean }): Promise<void>;
  /**
   * Keeps one repeating job for a digest subscription, firing daily at its local time in its
   * zone (DST included); a no-op when that schedule is already in place.
   */
  scheduleDigest(subscription: DigestSchedule): Promise<void>;
  /** Removes a subscription's repeating job. */
  cancelDigest(subscriptionId: string): Promise<void>;
  /**
   * Makes the digest schedules exactly these (the reconcile pass): each is put back if Redis lost
   * it, and schedules whose subscription is gone are removed. One that fails does not stop the rest.
   */
  keepDigests(subscriptions: readonly DigestSchedule[]): Promise<void>;
  /**
   * Makes sure a job writes this export run (services/exports); idempotent per run. Absent where
   * no worker runs (the terminal demo): exports are then written while the rep waits.
   * `replaceFinished` as for scheduleMany.
   */
  scheduleExport?(runId: string, options?: { replaceFinished?: boolean }): Promise<void>;
  /** Makes sure a job runs this queued import (services/imports); idempotent per run. Absent where no worker runs: the import runs at once. */
  scheduleImport?(runId: string): Promise<void>;
  /**
   * Makes sure a job records these waiting customer messages (services/inbox/inbound-queue.ts);
   * idempotent per row. Absent where no worker runs: messages are then recorded at once.
   */
  scheduleInbound?(rows: readonly { id: string; senderHash: string }[], options?: { replaceFinished?: boolean }): Promise<void>;
}

/** Where a finished export goes: the DM of the rep who asked (main.ts renders and uploads it). */
export interface ExportDelivery {
  /**
   * Hands the file to the rep; throws DeliveryError when the platform refuses. The file stays the
   * caller's, who deletes it afterwards.
   */
  deliver(run: { runId: string; recipientId: string; file: { path: string; filename: string; mimeType: string; rows: number } }): Promise<void>;
}

export interface DigestSchedule {
  id: string;
  /** "HH:MM", local wall-clock time. */
  localTime: string;
  timezone: string;
  /** When the subscription was last changed: a schedule from an older read never replaces a newer one. */
  updatedAt: Date;
}

export interface OutgoingMessage {
  /** The outbox row's id: sent along with the message so a later attempt can recognise it. */
  id: string;
  platform: string;
  destination: string;
  payload: unknown;
}

export interface Deliverer {
  /**
   * This deliverer is the demo's terminal: it delivers only messages to the terminal platform
   * (domain/terminal-platform.ts), which every other deliverer leaves alone.
   */
  terminal?: boolean;
  /**
   * Renders the payload for its reader and hands it to the platform. Throws DeliveryError
   * (src/domain/errors.ts) when the platform refuses; anything else counts as temporary.
   */
  deliver(message: OutgoingMessage): Promise<{ externalId?: string }>;
  /**
   * Whether an earlier, interrupted attempt reached the platform after all (the worker died
   * after sending, before recording it). Undefined when it did not, or the platform cannot tell.
   */
  findDelivered(message: OutgoingMessage): Promise<{ externalId?: string } | undefined>;
}

export interface RateLimiter {
  /**
   * Books the next free slot for a destination (Slack: about one message per second per
   * channel) and says how many milliseconds until that slot. The slot is never inside a pause of
   * the destination or of its `scope` (the whole platform token). With `intervalMs` 0 nothing is
   * booked: it only says how long a pause still lasts.
   */
  reserve(key: string, intervalMs: number, scope?: string): Promise<number>;
  /** The platform asked us to wait (a 429's Retry-After): nothing is sent to `key` for `ms`. */
  pause(key: string, ms: number): Promise<void>;
}

/**
 * Who can read a conversation, as its platform tells (Slack Connect: a channel shared with other
 * organisations). "unknown" when the platform did not say: `lasting` when asking again will not
 * help (the bot cannot see the channel, or lacks a permission), else it may next time. `reason`
 * is the platform's word for it ("channel_not_found", "missing_scope", "timeout").
 */
export type ConversationReach =
  | { kind: "internal"; name?: string }
  | { kind: "external"; name?: string }
  | { kind: "unknown"; lasting: boolean; reason: string };

export interface ConversationDirectory {
  /**
   * Whether people of other organisations are in a conversation: a channel id, or a person's id
   * for the bot's direct messages with them. Answers may be cached for a short while; `fresh`
   * asks the platform now (an admin deciding about a channel sees how it is this moment).
   */
  reach(platform: string, conversation: string, options?: { fresh?: boolean }): Promise<ConversationReach>;
}

/** No job system (the terminal demo, benchmarks): rows are saved and wait for a worker. */
export const NO_JOBS: JobScheduler = {
  scheduleReminder: async () => undefined,
  scheduleDelivery: async () => undefined,
  scheduleMany: async () => undefined,
  scheduleDigest: async () => undefined,
  cancelDigest: async () => undefined,
  keepDigests: async () => undefined,
};
