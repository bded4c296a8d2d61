import { Queue } from "bullmq";
import type { Logger } from "../logger.js";
import { dailyCronPattern, parseDigestTime } from "../domain/time/digest-schedule.js";
import type { DigestSchedule, JobScheduler } from "../services/ports.js";
import { CLOSE_GRACE_MS, IGNORE_REDIS_ERRORS, closeWithin, createRedis, type RedisClient, type RedisClusterTarget, type RedisErrors } from "./redis.js";

/**
 * Queue names wrapped in a hash tag, so every key of one queue lands in the same Redis Cluster
 * slot (BullMQ's scripts touch several keys of a queue at once). This is the one place that
 * decides where jobs live on a cluster: the tag is the queue's name, not the prefix
 * (`crm:{reminders}:wait`), so the queues spread over the cluster's masters instead of all
 * sharing the one slot a tagged prefix (`{crm}:…`) would give them. BULLMQ_PREFIX cannot
 * contain braces (config.ts), so it never takes the tag's place.
 */
export const QUEUES = { reminders: "{reminders}", outbox: "{outbox}", surveys: "{surveys}", digests: "{digests}", maintenance: "{maintenance}", exports: "{exports}", imports: "{imports}", inbound: "{inbound}" } as const;

export const JOB = {
  fireReminder: "fire-reminder", deliver: "deliver", surveyTimer: "survey-timer", surveyCheck: "survey-check", digest: "digest", sweep: "sweep", planNudges: "plan-nudges", stageScan: "stage-scan", analyticsRollUp: "analytics-rollup",
  exportData: "export",
  importData: "import",
  auditMaintenance: "audit-maintenance",
  processInbound: "process-inbound",
} as const;

/** An export job's attempts: a worker killed or a platform refusing for a while gets two more tries. */
export const EXPORT_ATTEMPTS = 3;

export interface JobsOptions {
  redisUrl: string;
  /** A Redis Cluster to use instead of `redisUrl`. */
  redisCluster?: RedisClusterTarget;
  /** Key prefix of every BullMQ key, so several installs (or test files) share a Redis. */
  prefix: string;
  log: Logger;
  /** Where connection errors go (one line per retry interval for the process). */
  redisErrors?: RedisErrors;
}

export interface JobQueues extends JobScheduler {
  /**
   * Resolves once Redis answers (or after `timeoutMs`, false). Producers do not queue commands
   * while Redis is away (Postgres rows are the record), so they only work once it is there.
   */
  ready(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** One scheduler per subscription: every worker that upserts it keeps the same single schedule. */
const DIGEST_SCHEDULER_PREFIX = "digest-";
export const digestSchedulerId = (subscriptionId: string) => `${DIGEST_SCHEDULER_PREFIX}${subscriptionId}`;

export type { DigestSchedule };

const KEEP = { removeOnComplete: true, removeOnFail: { age: 7 * 24 * 3600 } } as const;

/**
 * Producers for the job system. Job ids are derived from the row and its time, so scheduling
 * the same thing twice (a retried request, the reconcile pass) makes one job. A failure to
 * enqueue is logged, not thrown: the row is already saved and the sweep will enqueue it.
 */
export function createJobQueues(options: JobsOptions): JobQueues {
  const errors = options.redisErrors ?? IGNORE_REDIS_ERRORS;
  const connection: RedisClient = createRedis(options.redisCluster ?? options.redisUrl, { errors, source: "producer" });
  const log = options.log.child({ component: "jobs" });
  // BullMQ talks to Redis as soon as a Queue exists, so queues are made once Redis is there.
  const queues = new Map<string, Queue>();
  const queue = (name: string): Queue => {
    let q = queues.get(name);
    if (!q) {
      if (connection.status !== "ready") throw new Error(`Redis is not connected (${connection.status})`);
      q = new Queue(name, { connection, prefix: options.prefix });
      q.on("error", (error) => errors.report(`queue ${name}`, error));
      queues.set(name, q);
    }
    return q;
  };

  const jobOptions = (jobId: string, at: Date) => ({ jobId, delay: Math.max(0, at.getTime() - Date.now()), attempts: 5, backoff: { type: "exponential" as const, delay: 1_000 }, ...KEEP });
  const reminderJob = (id: string, at: Date) => ({ name: JOB.fireReminder, data: { reminderId: id }, opts: jobOptions(`reminder-${id}-${at.getTime()}`, at) });
  const deliveryJob = (id: string, at: Date, retake?: string) => ({ name: JOB.deliver, data: { outboxId: id, ...(retake ? { retake } : {}) }, opts: jobOptions(`outbox-${id}-${at.getTime()}`, at) });
  const surveyJob = (id: string, at: Date) => ({ name: JOB.surveyTimer, data: { surveyId: id }, opts: jobOptions(`survey-${id}-${at.getTime()}`, at) });
  const surveyCheckJob = (id: string, at: Date) => ({ name: JOB.surveyCheck, data: { contactId: id }, opts: jobOptions(`survey-check-${id}-${at.getTime()}`, at) });

  async function add(name: string, jobs: { name: string; data: Record<string, string>; opts: Omit<ReturnType<typeof jobOptions>, "backoff"> & { backoff: { type: "exponential" | "fixed"; delay: number } } }[], replaceFinished = false): Promise<void> {
    if (jobs.length === 0) return;
    try {
      if (replaceFinished) await removeFinished(queue(name), jobs.map((j) => j.opts.jobId));
      await queue(name).addBulk(jobs);
    } catch (error) {
      log.warn({ err: error, jobs: jobs.length, first: jobs[0]?.opts.jobId }, "could not enqueue jobs; the sweep will retry from Postgres");
    }
  }

  /**
   * A job whose attempts ran out (Postgres or Redis away for a while) stays in the failed set under
   * its deterministic id for 7 days, and adding that id again does nothing. The caller re-creates
   * it because its row is still due, so the row is the truth: the finished job goes, a new one
   * comes. Active jobs are left alone (remove refuses a locked job, and that job is working on it).
   */
  async function removeFinished(q: Queue, ids: string[]): Promise<void> {
    const states = await Promise.all(ids.map((id) => q.getJobState(id)));
    await Promise.all(
      ids.filter((_, i) => states[i] === "failed" || states[i] === "completed").map((id) =>
        q.remove(id).catch((error: unknown) => log.warn({ err: error, jobId: id }, "could not remove a finished job to re-create it")),
      ),
    );
  }

  async function scheduleDigest(subscription: DigestSchedule): Promise<void> {
    const time = parseDigestTime(subscription.localTime);
    if (!time) throw new Error(`digest ${subscription.id} has no valid time: ${subscription.localTime}`);
    const id = digestSchedulerId(subscription.id);
    const pattern = dailyCronPattern(time);
    const digests = queue(QUEUES.digests);
    // Upserting an unchanged schedule would still re-plan its next job; the sweep calls this often.
    const existing = await digests.getJobScheduler(id);
    if (existing?.pattern === pattern && existing.tz === subscription.timezone) return;
    // The sweep read the subscriptions a moment ago: a change made since has put its own, newer
    // schedule in place, which that older read must not put back to what it was.
    const version = subscription.updatedAt.getTime();
    if (existing && Number((existing.template?.data as { version?: unknown } | undefined)?.version ?? 0) > version) return;
    await digests.upsertJobScheduler(id, { pattern, tz: subscription.timezone }, { name: JOB.digest, data: { subscriptionId: subscription.id, version }, opts: { attempts: 5, backoff: { type: "exponential", delay: 5_000 }, ...KEEP } });
  }

  return {
    ready: (timeoutMs) =>
      new Promise<boolean>((resolve) => {
        if (connection.status === "ready") return resolve(true);
        const timer = setTimeout(() => resolve(false), timeoutMs);
        connection.once("ready", () => {
          clearTimeout(timer);
          resolve(true);
        });
      }),
    scheduleReminder: (id, at) => add(QUEUES.reminders, [reminderJob(id, at)]),
    scheduleDelivery: (id, at, retake) => add(QUEUES.outbox, [deliveryJob(id, at, retake)]),
    async scheduleMany(items, options) {
      const replace = options?.replaceFinished === true;
      await add(QUEUES.reminders, items.filter((i) => i.kind === "reminder").map((i) => reminderJob(i.id, i.at)), replace);
      await add(QUEUES.outbox, items.filter((i) => i.kind === "delivery").map((i) => deliveryJob(i.id, i.at)), replace);
      await add(QUEUES.surveys, [
        ...items.filter((i) => i.kind === "survey").map((i) => surveyJob(i.id, i.at)),
        ...items.filter((i) => i.kind === "survey-check").map((i) => surveyCheckJob(i.id, i.at)),
      ], replace);
    },
    scheduleDigest,
    async cancelDigest(subscriptionId) {
      await queue(QUEUES.digests).removeJobScheduler(digestSchedulerId(subscriptionId));
    },
    async keepDigests(subscriptions) {
      const wanted = new Set(subscriptions.map((s) => digestSchedulerId(s.id)));
      const existing = await queue(QUEUES.digests).getJobSchedulers(0, -1);
      for (const scheduler of existing) {
        if (scheduler.key.startsWith(DIGEST_SCHEDULER_PREFIX) && !wanted.has(scheduler.key)) await queue(QUEUES.digests).removeJobScheduler(scheduler.key);
      }
      for (const subscription of subscriptions) {
        await scheduleDigest(subscription).catch((error: unknown) => log.warn({ err: error, subscriptionId: subscription.id }, "could not schedule a digest; the next sweep retries"));
      }
    },
    async scheduleExport(runId, options) {
      const job = { name: JOB.exportData, data: { runId }, opts: { jobId: `export-${runId}`, attempts: EXPORT_ATTEMPTS, backoff: { type: "exponential" as const, delay: 30_000 }, ...KEEP } };
      try {
        if (options?.replaceFinished) await removeFinished(queue(QUEUES.exports), [job.opts.jobId]);
        await queue(QUEUES.exports).add(job.name, job.data, job.opts);
      } catch (error) {
        log.warn({ err: error, runId }, "could not enqueue an export; the sweep will retry from Postgres");
      }
    },
    async scheduleImport(runId) {
      // One attempt: a worker that dies in an import leaves the run "running"; BullMQ's stalled
      // check hands the job to another worker, which runs it again (imports are idempotent).
      await add(QUEUES.imports, [{ name: JOB.importData, data: { runId }, opts: { jobId: `import-${runId}`, delay: 0, attempts: 1, backoff: { type: "exponential" as const, delay: 1_000 }, ...KEEP } }]);
    },
    async scheduleInbound(rows, options) {
      // Retried every 1.5 s for a minute, not with a growing backoff: the customer waits, and
      // a Postgres restart (the usual cause) is over in seconds; exponential backoff left
      // messages recorded minutes after Postgres was back. The sweep takes over after that
      // (the row stays until recorded).
      await add(QUEUES.inbound, rows.map((r) => ({ name: JOB.processInbound, data: { rowId: r.id, senderHash: r.senderHash }, opts: { jobId: `inbound-${r.id}`, delay: 0, attempts: 40, backoff: { type: "fixed" as const, delay: 1_500 }, ...KEEP } })), options?.replaceFinished === true);
    },
    async close() {
      await closeWithin(CLOSE_GRACE_MS, Promise.all([...queues.values()].map((q) => q.close())));
      connection.disconnect();
    },
  };
}
