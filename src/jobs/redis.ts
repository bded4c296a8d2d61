import { Redis } from "ioredis";
import type { Logger } from "../logger.js";

/** Longest wait between two reconnection attempts; also the shortest gap between two "Redis is away" log lines. */
export const REDIS_RETRY_CAP_MS = 5_000;

/** Reconnect soon after a blip, then every few seconds while Redis stays away, for ever. */
const retryStrategy = (attempt: number): number => Math.min(250 * attempt, REDIS_RETRY_CAP_MS);

/** Where every Redis connection of the process reports its errors. */
export interface RedisErrors {
  report(source: string, error: unknown): void;
  /** A connection is (back) up: the next error is news again. */
  recovered(source: string): void;
}

/**
 * One log line per retry interval for the whole process, however many connections (a producer,
 * the probe, five workers and their blocking clients) fail at once, and one line when Redis is
 * back. Without this every connection logs every attempt, and ioredis or BullMQ print raw stack
 * dumps to stderr for connections that have no error listener.
 */
export function createRedisErrors(log: Logger, everyMs = REDIS_RETRY_CAP_MS): RedisErrors {
  let lastLoggedAt = 0;
  let suppressed = 0;
  let away = false;
  return {
    report(source, error) {
      const now = Date.now();
      if (away && now - lastLoggedAt < everyMs) {
        suppressed += 1;
        return;
      }
      const e = error as { message?: unknown; code?: unknown };
      log.warn(
        { component: "redis", source, error: String(e?.message ?? error), ...(typeof e?.code === "string" ? { code: e.code } : {}), ...(suppressed ? { suppressed } : {}) },
        "Redis is not reachable; retrying",
      );
      away = true;
      lastLoggedAt = now;
      suppressed = 0;
    },
    recovered(source) {
      if (!away) return;
      away = false;
      suppressed = 0;
      log.info({ component: "redis", source }, "Redis is reachable again");
    },
  };
}

/** Errors nobody wants to hear about (tests, short-lived tools): still listened to, so nothing prints. */
export const IGNORE_REDIS_ERRORS: RedisErrors = { report: () => undefined, recovered: () => undefined };

export interface RedisOptions {
  /** Workers block on Redis: their commands wait for a connection instead of failing. */
  blocking?: boolean;
  errors?: RedisErrors;
  source?: string;
}

/**
 * A Redis connection. Producers and probes (the default) fail commands at once while Redis is
 * away instead of queueing them in memory (Postgres rows are the record; see DESIGN); workers
 * (`blocking`) wait. Either kind reconnects for ever and reports errors through `errors`.
 */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  const errors = options.errors ?? IGNORE_REDIS_ERRORS;
  const source = options.source ?? "redis";
  const redis = new Redis(url, {
    ...(options.blocking ? { maxRetriesPerRequest: null } : { enableOfflineQueue: false, maxRetriesPerRequest: 1 }),
    connectTimeout: 3_000,
    lazyConnect: false,
    retryStrategy,
  });
  redis.on("error", (error: unknown) => errors.report(source, error));
  redis.on("ready", () => errors.recovered(source));
  return redis;
}

/**
 * Waits for a graceful close, but not for ever: BullMQ's close() waits on Redis, which may be
 * the very thing that is gone. The caller drops its connections after this either way; a job
 * cut short is run again (BullMQ is at-least-once, and every side effect has its own key).
 */
export async function closeWithin(ms: number, graceful: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([graceful.catch(() => undefined), deadline]);
  clearTimeout(timer);
}

/** How long a stopping process lets jobs in flight finish. */
export const CLOSE_GRACE_MS = 10_000;

export type { Redis };
