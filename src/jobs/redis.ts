import { Cluster, Redis } from "ioredis";
import type { Logger } from "../logger.js";
import type { RedisClusterTarget, RedisTarget } from "./redis-target.js";

export type { RedisClusterTarget, RedisTarget };

/**
 * A connection to one Redis or to a Redis Cluster. Both speak the same commands, and BullMQ takes
 * either as its connection; multi-key scripts must keep their keys in one hash slot (queue names
 * and rate-limit keys carry a hash tag for that).
 */
export type RedisClient = Redis | Cluster;

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
 * Given the seed nodes of a cluster, the same for every node of it.
 */
export function createRedis(target: string, options?: RedisOptions): Redis;
export function createRedis(target: RedisClusterTarget, options?: RedisOptions): Cluster;
export function createRedis(target: RedisTarget, options?: RedisOptions): RedisClient;
export function createRedis(target: RedisTarget, options: RedisOptions = {}): RedisClient {
  const errors = options.errors ?? IGNORE_REDIS_ERRORS;
  const source = options.source ?? "redis";
  const perCommand = options.blocking ? { maxRetriesPerRequest: null } : { maxRetriesPerRequest: 1 };
  const client: RedisClient = typeof target === "string"
    ? new Redis(target, { ...perCommand, enableOfflineQueue: options.blocking === true, connectTimeout: 3_000, lazyConnect: false, retryStrategy })
    : createCluster(target, { ...perCommand, connectTimeout: 3_000 }, options.blocking === true);
  client.on("error", (error: unknown) => errors.report(source, error));
  client.on("ready", () => errors.recovered(source));
  // A cluster reports a node it cannot reach here, not as an "error" of the whole client.
  if (client instanceof Cluster) client.on("node error", (error: unknown, node: unknown) => errors.report(`${source} ${String(node)}`, error));
  return client;
}

function createCluster(target: RedisClusterTarget, perNode: { maxRetriesPerRequest: number | null; connectTimeout: number }, blocking: boolean): Cluster {
  return new Cluster(target.nodes, {
    // "ready" only once CLUSTER INFO says the cluster serves every slot.
    enableReadyCheck: true,
    enableOfflineQueue: blocking,
    clusterRetryStrategy: retryStrategy,
    lazyConnect: false,
    // With TLS the certificate names the host the operator gave, not the address it resolves to
    // (ioredis' advice for managed clusters such as ElastiCache).
    ...(target.tls ? { dnsLookup: (address: string, callback: (error: null, address: string) => void) => callback(null, address) } : {}),
    redisOptions: {
      ...perNode,
      ...(target.username ? { username: target.username } : {}),
      ...(target.password ? { password: target.password } : {}),
      ...(target.tls ? { tls: {} } : {}),
    },
  });
}

/**
 * The readiness check: Redis answers, and a cluster serves all its slots (a master down without a
 * replica leaves PING answered by the others while a share of the keys cannot be reached).
 */
export async function checkRedis(client: RedisClient): Promise<void> {
  await client.ping();
  if (client instanceof Cluster) {
    const info = await client.cluster("INFO");
    const state = /cluster_state:(\w+)/.exec(info)?.[1] ?? "unknown";
    if (state !== "ok") throw new Error(`the Redis Cluster is not serving every slot (cluster_state:${state})`);
  }
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

export type { Cluster, Redis };
