import { Queue, Worker, type Job } from "bullmq";
import { z } from "zod";
import type { Logger } from "../logger.js";
import { JOB, QUEUES } from "./queues.js";
import { CLOSE_GRACE_MS, IGNORE_REDIS_ERRORS, closeWithin, createRedis, type RedisClient, type RedisClusterTarget, type RedisErrors } from "./redis.js";
import { STAGE_SCAN_AT } from "../domain/customers/customer-segments.js";

/** When the audit log's daily upkeep runs, local time of the team's zone: after the stage scan. */
const AUDIT_MAINTENANCE_AT = "03:30";

/** "02:00" -> the cron pattern of that local time every day. */
const dailyPattern = (time: string): string => {
  const [hour, minute] = time.split(":").map(Number);
  return `${minute} ${hour} * * *`;
};

export interface JobHandlers {
  fireReminder(reminderId: string): Promise<unknown>;
  /** `holder`: this job attempt's claim token (its job id), and the one it takes over from. */
  deliverOutbox(outboxId: string, holder: { token: string; retake?: readonly string[] }): Promise<unknown>;
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
  /** The audit log's partitions ahead and its retention, daily (start-up does it too). */
  auditMaintenance?(): Promise<unknown>;
  /** Writes an export run and sends it to the rep; `lastAttempt`: no retry follows a failure. Unset: this process takes no exports. */
  exportData?(runId: string, lastAttempt: boolean): Promise<unknown>;
  /** Runs a queued import (services/imports) and tells the rep. Unset: this process takes no imports. */
  importData?(runId: string): Promise<unknown>;
  /** Records a sender's waiting customer messages up to this row (services/inbox/inbound-queue.ts). Unset: this process records none. */
  processInbound?(senderHash: string, rowId: string): Promise<unknown>;
}

export interface WorkerOptions {
  redisUrl: string;
  /** A Redis Cluster to use instead of `redisUrl`. */
  redisCluster?: RedisClusterTarget;
  prefix: string;
  log: Logger;
  handlers: JobHandlers;
  /** Jobs run at once per queue; deliveries mostly wait on the network. */
  concurrency?: number;
  sweepEveryMs?: number;
  /** The team's zone (DEFAULT_TIMEZONE): the stage scan runs nightly at STAGE_SCAN_AT there (UTC when unset). */
  defaultTimezone?: string;
  /** Where connection errors go (one line per retry interval for the process). */
  redisErrors?: RedisErrors;
}

export interface RunningWorkers {
  /** Resolves true once Redis answered and every worker and schedule is in place; false when closed first. */
  started: Promise<boolean>;
  /** Stops taking jobs and waits for the ones in flight (or stops waiting for Redis). */
  close(): Promise<void>;
}

// Jobs are data: the worker validates what it reads back from Redis before acting on it.
const reminderJob = z.object({ reminderId: z.uuid() });
const deliveryJob = z.object({ outboxId: z.uuid(), retake: z.string().min(1).max(200).optional() });
const surveyJob = z.object({ surveyId: z.uuid() });
const surveyCheckJob = z.object({ contactId: z.uuid() });
const digestJob = z.object({ subscriptionId: z.uuid() });
const exportJob = z.object({ runId: z.uuid() });
const importJob = z.object({ runId: z.uuid() });
const inboundJob = z.object({ rowId: z.string().regex(/^\d{1,19}$/), senderHash: z.string().min(1).max(64) });

/** When a repeating job was meant to run: BullMQ plans it as a delay from its creation. */
const plannedAt = (job: Job): Date => new Date(job.timestamp + (job.opts.delay ?? 0));

/**
 * The worker side of the job system: one BullMQ worker per queue, plus job schedulers for the
 * sweep and the periodic jobs (registered by stable ids, so several workers keep one schedule).
 * Returns at once: while Redis is away the process keeps serving HTTP, and the workers start in
 * the background when Redis answers. close() stops taking jobs and waits for the ones in flight.
 */
export function startWorkers(options: WorkerOptions): RunningWorkers {
  const log = options.log.child({ component: "worker" });
  const errors = options.redisErrors ?? IGNORE_REDIS_ERRORS;
  const connections: RedisClient[] = [];
  const connection = (source: string): RedisClient => {
    const c = createRedis(options.redisCluster ?? options.redisUrl, { blocking: true, errors, source });
    connections.push(c);
    return c;
  };
  const workers: Worker[] = [];
  let maintenance: Queue | undefined;
  let closing = false;
  let watch: NodeJS.Timeout | undefined;
  const sweepEveryMs = options.sweepEveryMs ?? 60_000;

  // Waits on a blocking connection (its PING waits for Redis instead of failing), so nothing is
  // built, and nothing logs per worker, until Redis is there.
  const probe = connection("worker-start");
  const started = (async () => {
    await probe.ping();
    if (closing) return false;
    createWorkers();
    await registerSchedules();
    watchSchedules();
    log.info({ queues: workers.length }, "workers started");
    return true;
  })();
  // A close() during the wait rejects the PING: that is not a failure to report.
  started.catch((error: unknown) => {
    if (!closing) log.error({ err: error }, "workers could not start");
  });

  function createWorkers(): void {
    const concurrency = options.concurrency ?? 50;
    const common = { prefix: options.prefix, concurrency };
    workers.push(
      // A reminder's job sends its DM too (fire-reminder.ts), so it mostly waits on the network:
      // twice the slots, or 10k due in a minute queue behind the sends (bench/RESULTS.md).
      new Worker(QUEUES.reminders, async (job: Job) => options.handlers.fireReminder(reminderJob.parse(job.data).reminderId), { ...common, concurrency: concurrency * 2, connection: connection("worker reminders") }),
      new Worker(QUEUES.outbox, async (job: Job) => {
        const { outboxId, retake } = deliveryJob.parse(job.data);
        // One token per attempt: BullMQ counts failed attempts only (a stalled job runs again
        // under the same count), so the attempt before this one has surely ended.
        const attempt = (n: number) => `job:${job.id ?? outboxId}#${n}`;
        const ended = [...(retake ? [retake] : []), ...(job.attemptsMade > 0 ? [attempt(job.attemptsMade - 1)] : [])];
        return options.handlers.deliverOutbox(outboxId, { token: attempt(job.attemptsMade), retake: ended });
      }, { ...common, connection: connection("worker outbox") }),
      new Worker(
        QUEUES.surveys,
        async (job: Job) =>
          job.name === JOB.surveyCheck ? options.handlers.surveyCheck(surveyCheckJob.parse(job.data).contactId) : options.handlers.surveyTimer(surveyJob.parse(job.data).surveyId),
        { ...common, connection: connection("worker surveys") },
      ),
      // Digests are few and build several queries each: a small concurrency keeps Postgres free for the rest.
      new Worker(QUEUES.digests, async (job: Job) => options.handlers.digest(digestJob.parse(job.data).subscriptionId, plannedAt(job)), { prefix: options.prefix, concurrency: 2, connection: connection("worker digests") }),
      new Worker(
        QUEUES.maintenance,
        async (job: Job) =>
          job.name === JOB.sweep ? options.handlers.sweep()
            : job.name === JOB.planNudges ? options.handlers.planNudges()
              : job.name === JOB.stageScan ? options.handlers.stageScan(plannedAt(job))
                : job.name === JOB.analyticsRollUp ? options.handlers.analyticsRollUp()
                  : job.name === JOB.auditMaintenance ? options.handlers.auditMaintenance?.()
                    : undefined,
        { prefix: options.prefix, concurrency: 1, connection: connection("worker maintenance") },
      ),
    );
    // One export at a time per process: it streams for minutes at a million rows.
    const exportData = options.handlers.exportData?.bind(options.handlers);
    if (exportData) {
      workers.push(new Worker(
        QUEUES.exports,
        async (job: Job) => exportData(exportJob.parse(job.data).runId, job.attemptsMade + 1 >= (job.opts.attempts ?? 1)),
        { prefix: options.prefix, concurrency: 1, connection: connection("worker exports") },
      ));
    }
    // One import at a time per process, for the same reason.
    const importData = options.handlers.importData?.bind(options.handlers);
    if (importData) {
      workers.push(new Worker(QUEUES.imports, async (job: Job) => importData(importJob.parse(job.data).runId), { prefix: options.prefix, concurrency: 1, connection: connection("worker imports") }));
    }
    const processInbound = options.handlers.processInbound?.bind(options.handlers);
    if (processInbound) {
      workers.push(new Worker(QUEUES.inbound, async (job: Job) => {
        const data = inboundJob.parse(job.data);
        return processInbound(data.senderHash, data.rowId);
      }, { ...common, connection: connection("worker inbound") }));
    }
    for (const worker of workers) {
      worker.on("failed", (job, error) => log.error({ err: error, queue: worker.name, jobId: job?.id }, "job failed"));
      // Errors of a running worker are almost always its connection: reported once per interval.
      worker.on("error", (error) => errors.report(`worker ${worker.name}`, error));
    }
  }

  async function registerSchedules(): Promise<void> {
    maintenance = new Queue(QUEUES.maintenance, { connection: connection("schedules"), prefix: options.prefix });
    maintenance.on("error", (error) => errors.report("schedules", error));
    await upsertSchedules(maintenance);
  }

  /**
   * Schedulers live in Redis and vanish with its data (FLUSHALL, a restart without persistence),
   * and nothing reconnects then, so nothing would put them back until a worker restarted; and the
   * sweep is what re-creates every other lost job. So every worker process looks once per sweep
   * interval (jittered, so processes do not check in step) whether the sweep's scheduler is still
   * there and puts all of them back if not. The schedule itself stays in Redis (one sweep however
   * many processes look); the digests' schedulers come back with the sweep (keepDigests).
   */
  function watchSchedules(): void {
    const check = async () => {
      if (!maintenance || closing) return;
      if (await maintenance.getJobScheduler("sweep")) return;
      log.warn("the job schedules were gone from Redis (its data was lost); registering them again");
      await upsertSchedules(maintenance);
    };
    const next = () => {
      if (closing) return;
      watch = setTimeout(() => {
        check().catch((error: unknown) => errors.report("schedules", error)).finally(next);
      }, Math.round(sweepEveryMs * (0.8 + Math.random() * 0.4)));
    };
    next();
  }

  async function upsertSchedules(maintenance: Queue): Promise<void> {
    await maintenance.upsertJobScheduler("plan-nudges", { every: 3_600_000 }, { name: JOB.planNudges });
    // Rolls what the last ten minutes completed; rollups only start at hours ten minutes old (src/store/analytics/rollups.ts).
    await maintenance.upsertJobScheduler("analytics-rollup", { every: 600_000 }, { name: JOB.analyticsRollUp });
    // Partitions of the audit log a few months ahead and whole months past retention dropped: daily is plenty.
    await maintenance.upsertJobScheduler("audit-maintenance", { pattern: dailyPattern(AUDIT_MAINTENANCE_AT), tz: options.defaultTimezone ?? "UTC" }, {
      name: JOB.auditMaintenance,
      opts: { attempts: 4, backoff: { type: "exponential", delay: 60_000 }, removeOnComplete: true, removeOnFail: { age: 7 * 24 * 3600 } },
    });
    // A scan that failed (Postgres away) is retried at its planned time, so it scores the same night.
    await maintenance.upsertJobScheduler("stage-scan", { pattern: dailyPattern(STAGE_SCAN_AT), tz: options.defaultTimezone ?? "UTC" }, {
      name: JOB.stageScan,
      opts: { attempts: 4, backoff: { type: "exponential", delay: 60_000 }, removeOnComplete: true, removeOnFail: { age: 7 * 24 * 3600 } },
    });
    // The sweep's schedule last: the watchdog takes it as the sign that all of them are there, so
    // keys lost in the middle of this (or a stop half-way) are registered again as a whole.
    await maintenance.upsertJobScheduler("sweep", { every: sweepEveryMs }, { name: JOB.sweep });
  }

  return {
    started,
    async close() {
      closing = true;
      clearTimeout(watch);
      // Still waiting for Redis: nothing runs yet, so dropping the connections is the whole stop.
      // (Not awaiting the waiting PING: ioredis never settles it when disconnected between retries.)
      if (workers.length === 0) {
        for (const c of connections) c.disconnect();
        return;
      }
      await closeWithin(CLOSE_GRACE_MS, (async () => {
        await started;
        await Promise.all(workers.map((w) => w.close()));
        await maintenance?.close();
      })());
      for (const c of connections) c.disconnect();
    },
  };
}
