import { Queue, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { z } from "zod";
import type { Logger } from "../logger.js";
import { JOB, QUEUES } from "./queues.js";
import { STAGE_SCAN_AT } from "../domain/customer-segments.js";

/** "02:00" -> the cron pattern of that local time every day. */
const dailyPattern = (time: string): string => {
  const [hour, minute] = time.split(":").map(Number);
  return `${minute} ${hour} * * *`;
};

export interface JobHandlers {
  fireReminder(reminderId: string): Promise<unknown>;
  deliverOutbox(outboxId: string): Promise<unknown>;
  /** A survey's reminder, expiry or giving up waiting, as its row says. */
  surveyTimer(surveyId: string): Promise<unknown>;
  /** A conversation may have gone quiet: the automatic survey. */
  surveyCheck(contactId: string): Promise<unknown>;
  /** A channel's morning digest, due at `firedAt` (the schedule's time, not when a worker got to it). */
  digest(subscriptionId: string, firedAt: Date): Promise<unknown>;
  /** Re-creates jobs for due rows that have none (Redis lost them, or enqueueing failed). */
  sweep(): Promise<unknown>;
  /** Follow-up nudges and care dates, hourly. */
  planNudges(): Promise<unknown>;
  /** The nightly segment and stage scan, as of its planned time (a retry scans the same instant). */
  stageScan(plannedAt: Date): Promise<unknown>;
  /** Rolls up complete hours and days for reports (readers are right without it, only slower). */
  analyticsRollUp(): Promise<unknown>;
}

export interface WorkerOptions {
  redisUrl: string;
  prefix: string;
  log: Logger;
  handlers: JobHandlers;
  /** Jobs run at once per queue; deliveries mostly wait on the network. */
  concurrency?: number;
  sweepEveryMs?: number;
  /** The team's zone (DEFAULT_TIMEZONE): the stage scan runs nightly at STAGE_SCAN_AT there (UTC when unset). */
  defaultTimezone?: string;
}

// Jobs are data: the worker validates what it reads back from Redis before acting on it.
const reminderJob = z.object({ reminderId: z.uuid() });
const deliveryJob = z.object({ outboxId: z.uuid() });
const surveyJob = z.object({ surveyId: z.uuid() });
const surveyCheckJob = z.object({ contactId: z.uuid() });
const digestJob = z.object({ subscriptionId: z.uuid() });

/** When a repeating job was meant to run: BullMQ plans it as a delay from its creation. */
const plannedAt = (job: Job): Date => new Date(job.timestamp + (job.opts.delay ?? 0));

/**
 * The worker side of the job system: one BullMQ worker per queue, plus a job scheduler that
 * runs the sweep every minute (registered by a stable id, so several workers keep one
 * schedule). close() stops taking jobs and waits for the ones in flight.
 */
export async function startWorkers(options: WorkerOptions): Promise<{ close(): Promise<void> }> {
  const log = options.log.child({ component: "worker" });
  // Workers block on Redis: they need a connection that retries forever rather than failing.
  const connection = () => new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const concurrency = options.concurrency ?? 50;
  const common = { prefix: options.prefix, concurrency };

  const workers = [
    new Worker(QUEUES.reminders, async (job: Job) => options.handlers.fireReminder(reminderJob.parse(job.data).reminderId), { ...common, connection: connection() }),
    new Worker(QUEUES.outbox, async (job: Job) => options.handlers.deliverOutbox(deliveryJob.parse(job.data).outboxId), { ...common, connection: connection() }),
    new Worker(
      QUEUES.surveys,
      async (job: Job) =>
        job.name === JOB.surveyCheck ? options.handlers.surveyCheck(surveyCheckJob.parse(job.data).contactId) : options.handlers.surveyTimer(surveyJob.parse(job.data).surveyId),
      { ...common, connection: connection() },
    ),
    // Digests are few and build several queries each: a small concurrency keeps Postgres free for the rest.
    new Worker(QUEUES.digests, async (job: Job) => options.handlers.digest(digestJob.parse(job.data).subscriptionId, plannedAt(job)), { prefix: options.prefix, concurrency: 2, connection: connection() }),
    new Worker(
      QUEUES.maintenance,
      async (job: Job) =>
        job.name === JOB.sweep ? options.handlers.sweep()
          : job.name === JOB.planNudges ? options.handlers.planNudges()
            : job.name === JOB.stageScan ? options.handlers.stageScan(plannedAt(job))
              : job.name === JOB.analyticsRollUp ? options.handlers.analyticsRollUp()
                : undefined,
      { prefix: options.prefix, concurrency: 1, connection: connection() },
    ),
  ];
  for (const worker of workers) {
    worker.on("failed", (job, error) => log.error({ err: error, queue: worker.name, jobId: job?.id }, "job failed"));
    worker.on("error", (error) => log.error({ err: error, queue: worker.name }, "worker error"));
  }
  const maintenance = new Queue(QUEUES.maintenance, { connection: connection(), prefix: options.prefix });
  await maintenance.upsertJobScheduler("sweep", { every: options.sweepEveryMs ?? 60_000 }, { name: JOB.sweep });
  await maintenance.upsertJobScheduler("plan-nudges", { every: 3_600_000 }, { name: JOB.planNudges });
  // Rolls what the last ten minutes completed; rollups only start at hours ten minutes old (src/store/rollups.ts).
  await maintenance.upsertJobScheduler("analytics-rollup", { every: 600_000 }, { name: JOB.analyticsRollUp });
  // A scan that failed (Postgres away) is retried at its planned time, so it scores the same night.
  await maintenance.upsertJobScheduler("stage-scan", { pattern: dailyPattern(STAGE_SCAN_AT), tz: options.defaultTimezone ?? "UTC" }, {
    name: JOB.stageScan,
    opts: { attempts: 4, backoff: { type: "exponential", delay: 60_000 }, removeOnComplete: true, removeOnFail: { age: 7 * 24 * 3600 } },
  });

  return {
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await maintenance.close();
    },
  };
}
