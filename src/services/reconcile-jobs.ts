import { owedDigestRun } from "../domain/time/digest-schedule.js";
import type { ServiceDeps } from "./deps.js";
import { ChannelUnanswered, sendDigest } from "./digest/manage-digest.js";

const PAGE = 1_000;
/** A SENDING row older than this belongs to a worker that died mid-delivery. */
export const STALE_SENDING_MS = 120_000;
/** An export still running after this long lost its worker (a million rows take minutes, not this). */
export const STALE_EXPORT_MS = 30 * 60_000;
/**
 * Every row read here is still pending, so a job under its id that failed (attempts used up while
 * Postgres or Redis was away) or completed no longer speaks for it: it is replaced, not kept.
 */
const STILL_DUE = { replaceFinished: true } as const;

/**
 * Re-creates jobs from the rows: every pending reminder, outbox message and survey timer due before
 * `horizon` gets its job (job ids make this a no-op where a live job exists; a failed one is
 * replaced). Run at start-up over everything, and by the periodic sweep over what is due soon,
 * so a Redis that lost its data, a job that failed to enqueue, or one whose attempts ran out
 * while a dependency was away delays work, never loses it. Overdue reminders fire once at once,
 * marked late.
 */
export async function reconcileJobs(deps: ServiceDeps, horizon: Date): Promise<{ reminders: number; deliveries: number; surveys: number; exports: number; digests: number; released: number }> {
  const released = await deps.store.outbox.releaseStale(STALE_SENDING_MS);
  const reminders = await inPages(
    (after) => deps.store.reminders.pendingDueBefore(horizon, PAGE, after),
    (page) => deps.jobs.scheduleMany(page.map((r) => ({ kind: "reminder" as const, id: r.id, at: r.dueAt })), STILL_DUE),
  );
  const deliveries = await inPages(
    (after) => deps.store.outbox.pendingDueBefore(horizon, PAGE, after),
    (page) => deps.jobs.scheduleMany(page.map((m) => ({ kind: "delivery" as const, id: m.id, at: m.nextAttemptAt })), STILL_DUE),
  );
  const surveys =
    (await inPages(
      (after) => deps.store.surveys.timersDueBefore(horizon, PAGE, after),
      (page) => deps.jobs.scheduleMany(page.map((s) => ({ kind: "survey" as const, id: s.id, at: s.nextCheckAt })), STILL_DUE),
    )) +
    (await inPages(
      (after) => deps.store.surveys.surveyChecksDueBefore(horizon, PAGE, after),
      (page) => deps.jobs.scheduleMany(page.map((c) => ({ kind: "survey-check" as const, id: c.id, at: c.surveyCheckAt })), STILL_DUE),
    ));
  // Exports asked for but not written (their job lost with Redis, or its worker killed long ago).
  const scheduleExport = deps.jobs.scheduleExport?.bind(deps.jobs);
  const exports = scheduleExport
    ? await inPages(
      (after) => deps.store.exportRuns.open(new Date(deps.now().getTime() - STALE_EXPORT_MS), PAGE, after),
      async (page) => {
        for (const run of page) await scheduleExport(run.id, STILL_DUE);
      },
    )
    : 0;
  // Imports queued but not run (their job lost with Redis), or running for an hour (their worker gone).
  const scheduleImport = deps.jobs.scheduleImport?.bind(deps.jobs);
  if (scheduleImport) {
    for (const id of await deps.store.imports.unfinished(new Date(deps.now().getTime() - 3_600_000))) await scheduleImport(id);
  }
  // Digest schedules repeat rather than fall due: put back what Redis lost, drop what is gone,
  // and send today's digest late if its time passed while its schedule was missing.
  const subscriptions = await deps.store.digests.all();
  await deps.jobs.keepDigests(subscriptions);
  for (const subscription of subscriptions) {
    const due = owedDigestRun(subscription, deps.now());
    // A channel Slack would not say anything about this minute is asked again by the next sweep.
    if (due) {
      await sendDigest(deps, subscription.id, due).catch((error: unknown) => {
        if (!(error instanceof ChannelUnanswered)) throw error;
      });
    }
  }
  return { reminders, deliveries, surveys, exports, digests: subscriptions.length, released };
}

/** Reads rows in id order a page at a time (keyset), hands each page on, returns the count. */
async function inPages<T extends { id: string }>(read: (after?: string) => Promise<T[]>, handle: (page: T[]) => Promise<void>): Promise<number> {
  let count = 0;
  for (let after: string | undefined; ; ) {
    const page = await read(after);
    await handle(page);
    count += page.length;
    if (page.length < PAGE) return count;
    after = page[page.length - 1]!.id;
  }
}
