import { Queue, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { z } from "zod";
import type { Logger } from "../logger.js";
import { JOB, QUEUES } from "./queues.js";

export interface JobHandlers {
  fireReminder(reminderId: string): Promise<unknown>;
  deliverOutbox(outboxId: string): Promise<unknown>;
  /** A survey's reminder, expiry or giving up waiting, as its row says. */
  surveyTimer(surveyId: string): Promise<unknown>;
  /** A conversation may have gone quiet: the automatic survey. */
  surveyCheck(contactId: string): Promise<unknown>;
  /** Re-creates jobs for due rows that have none (Redis lost them, or enqueueing failed). */
  sweep(): Promise<unknown>;
  /** Follow-up nudges and care dates, hourly. */
  planNudges(): Promise<unknown>;
}

export interface WorkerOptions {
  redisUrl: string;
  prefix: string;
  log: Logger;
  handlers: JobHandlers;
  /** Jobs run at once per queue; deliveries mostly wait on the network. */
  concurrency?: number;
  sweepEveryMs?: number;
}

// Jobs are data: the worker validates what it reads back from Redis before acting on it.
const reminderJob = z.object({ reminderId: z.uuid() });
const deliveryJob = z.object({ outboxId: z.uuid() });
const surveyJob = z.object({ surveyId: z.uuid() });
const surveyCheckJob = z.object({ contactId: z.uuid() });

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
    new Worker(
      QUEUES.maintenance,
      async (job: Job) => (job.name === JOB.sweep ? options.handlers.sweep() : job.name === JOB.planNudges ? options.handlers.planNudges() : undefined),
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

  return {
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await maintenance.close();
    },
  };
}
