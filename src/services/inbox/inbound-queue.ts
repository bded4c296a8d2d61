import type { ServiceDeps } from "../deps.js";
import { scheduleAfterCommit } from "../delivery/schedule-after-commit.js";
import { recordCustomerMessage, recordCustomerMessageIn, storableMessage, type CustomerMessageInput } from "./record-customer-message.js";

/** A waiting message older than this has lost its job (Redis was away at the push): the sweep enqueues it again. */
export const INBOUND_STRAGGLER_MS = 30_000;

/** How many messages one job records at most before it hands over (a sender's long backlog). */
const MAX_PER_JOB = 200;

/**
 * A customer message, taken as the webhook's answer needs it: stored durably in one INSERT (a
 * waiting row, once per platform message id), then recorded by a worker (processInbound). Where
 * no worker can run (no job system with an inbound queue: the terminal demo), it is recorded at
 * once as before. `recorded`: this call stored something new (false for a retry already waiting).
 */
export async function acceptCustomerMessage(deps: ServiceDeps, raw: CustomerMessageInput): Promise<{ recorded: boolean; newLead: boolean }> {
  const schedule = deps.jobs.scheduleInbound?.bind(deps.jobs);
  if (!schedule) {
    const stored = await recordCustomerMessage(deps, raw);
    return { recorded: stored.created, newLead: stored.newLead };
  }
  const row = await deps.store.inboundMessages.accept(storableMessage(raw));
  // Not awaited: the answer depends only on the row. A failure to enqueue is logged by the job
  // system and the sweep enqueues the row again.
  if (row) void schedule([row]).catch(() => undefined);
  // Whether the sender is new is known only once the worker recorded the message.
  return { recorded: row !== null, newLead: false };
}

/**
 * Records one sender's waiting messages, oldest first, up to and including row `uptoId`, each in
 * its own transaction that also deletes its row: a message is recorded exactly once (the store's
 * record is idempotent by platform id, and the row goes with the commit), and one sender's
 * messages in the order the webhook took them (the sender's lock, the oldest row first). A
 * failure leaves the row waiting and throws, so the job is retried (and the sweep takes over
 * when its attempts run out): nothing is dropped.
 */
export async function processInbound(deps: ServiceDeps, senderHash: string, uptoId: string): Promise<{ recorded: number }> {
  const upto = BigInt(uptoId);
  let recorded = 0;
  for (let i = 0; i < MAX_PER_JOB; i++) {
    let taken: string | undefined;
    try {
      const done = await deps.store.transaction(async (tx) => {
        const row = await tx.inboundMessages.takeOldest(senderHash);
        if (!row || BigInt(row.id) > upto) return null;
        taken = row.id;
        const stored = await recordCustomerMessageIn(tx, deps, row.message);
        await tx.inboundMessages.remove(row.id);
        return stored;
      });
      if (!done) break;
      recorded++;
      await scheduleAfterCommit(deps, done.queued);
    } catch (error) {
      if (taken) await deps.store.inboundMessages.noteFailure(taken, error).catch(() => undefined);
      throw error;
    }
  }
  return { recorded };
}

/** Enqueues again the messages waiting longer than a job takes (their job was lost). */
export async function sweepInbound(deps: ServiceDeps, minAgeMs = INBOUND_STRAGGLER_MS): Promise<{ inbound: number }> {
  const schedule = deps.jobs.scheduleInbound?.bind(deps.jobs);
  if (!schedule) return { inbound: 0 };
  const rows = await deps.store.inboundMessages.waiting({ minAgeMs, limit: 5_000 });
  await schedule(rows, { replaceFinished: true });
  return { inbound: rows.length };
}
