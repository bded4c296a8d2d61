import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { Redis } from "ioredis";
import { benchCipher, benchServiceDeps, createBenchDatabase, percentile, REDIS_URL } from "./bench-database.js";
import { interleavedRounds, roundsTable, type Figures } from "./support/rounds.js";
import { reportSummary } from "./support/summary.js";
import { createCore } from "../src/core/index.js";
import { DeliveryError } from "../src/domain/errors.js";
import { notificationPayload } from "../src/domain/notification-payload.js";
import { createRateLimiter } from "../src/jobs/rate-limiter.js";
import { deliverOutbox } from "../src/services/delivery/deliver-outbox.js";
import { createServices } from "../src/services/index.js";
import type { Deliverer, JobScheduler } from "../src/services/ports.js";
import { createPrisma, createStore } from "../src/store/index.js";

/**
 * The WeChat inbox in Slack under a burst (issue 17): MESSAGES customer messages from CUSTOMERS
 * new senders (300 from 100 by default) relayed to one inbox channel through the outbox, to a
 * fake Slack that takes one post per channel per slot and answers anything faster with a 429 and
 * Retry-After. Reports the lag from push (the message stored) to visible in Slack (the post that
 * carries it accepted), p50/p95, for one post per message ("before") and for coalescing what
 * waits for a thread ("after"), interleaved rounds. The burst arrives at once: its messages are
 * stored first and their deliveries released together (see below).
 *
 * Slack's slot is one second; a round at that pace lasts minutes, so the clock of the delivery
 * path is scaled: slots of SLOT_MS (100 ms), the same for the fake Slack, the send-slot booking
 * (the real Redis limiter) and the header's not-ready wait; lags are reported in Slack seconds
 * (real ms × 1000 / SLOT_MS). Deliveries run in this process on timers in place of the BullMQ
 * outbox queue (at most WORKERS at once), through the real deliverOutbox, store and renderer.
 */
const MESSAGES = Number(process.env.BENCH_INBOX_MESSAGES ?? 300);
const CUSTOMERS = Number(process.env.BENCH_INBOX_CUSTOMERS ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SLOT_MS = Number(process.env.BENCH_INBOX_SLOT_MS ?? 100);
const WORKERS = 8;
const CHANNEL = "CBENCHINBOX1";
const DB = "crm_bench_inbox";
/** Real ms to Slack seconds. */
const slackSeconds = (ms: number) => ms / SLOT_MS;

let runNo = 0;

async function main(): Promise<void> {
  const database = await createBenchDatabase(DB);
  const prisma = createPrisma({ url: database.url, poolMax: 10 });
  const store = createStore(prisma, { cipher: benchCipher() });
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const prefix = `crm-bench-inbox-${randomBytes(4).toString("hex")}`;

  async function round(coalesce: boolean): Promise<Figures> {
    const run = ++runNo;
    // Each round its own inbox channel and senders, so no round finds another's threads or slots.
    const channel = `${CHANNEL}${run}`;
    const pushedAt = new Map<string, number>();
    const visibleAt = new Map<string, number>();
    let posts = 0;
    let refused = 0;
    let lastPost = -Infinity;
    let pending = 0;
    let held: string[] | undefined = [];
    let running = 0;
    const waiting: (() => void)[] = [];
    let settled: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (settled = resolve));

    const jobs: JobScheduler = {
      scheduleDelivery: async (id, at) => schedule(id, at),
      scheduleMany: async (items) => {
        for (const i of items) if (i.kind === "delivery") schedule(i.id, i.at);
      },
      scheduleReminder: async () => undefined,
      scheduleDigest: async () => undefined,
      cancelDigest: async () => undefined,
      keepDigests: async () => undefined,
    };
    const base = benchServiceDeps(store);
    const deps = { ...base, settings: { ...base.settings, wechatInboxChannel: channel }, jobs };
    const services = createServices(deps);
    const core = createCore({ services, defaultLocale: "en", defaultTimezone: "Asia/Shanghai" });

    /** The fake Slack: one post per slot per channel, else 429 with Retry-After (in Slack seconds, scaled). */
    const deliverer: Deliverer = {
      async deliver(m) {
        try {
          // Rendered as the Slack sender would (a thread message before its header is not ready).
          await core.renderNotification(m.payload);
        } catch (error) {
          // The header's "not in Slack yet" wait, on the scaled clock.
          if (error instanceof DeliveryError && error.kind === "not-ready") throw new DeliveryError("not-ready", error.message, ((error.retryAfterMs ?? 2_000) * SLOT_MS) / 1_000);
          throw error;
        }
        const now = performance.now();
        if (now - lastPost < SLOT_MS) {
          refused++;
          throw new DeliveryError("rate-limited", "ratelimited", SLOT_MS);
        }
        lastPost = now;
        posts++;
        const parsed = notificationPayload.parse(m.payload);
        if (parsed.type === "inbox.message") for (const id of parsed.interactionIds ?? [parsed.interactionId]) visibleAt.set(id, now);
        return { externalId: `${Math.floor(Date.now() / 1000)}.${String(posts).padStart(6, "0")}` };
      },
      findDelivered: async () => undefined,
    };
    const io = { deliverer, rateLimiter: createRateLimiter(redis, `${prefix}-${run}`), minIntervalMs: { slack: SLOT_MS }, coalesceInbox: coalesce };

    async function attempt(id: string): Promise<void> {
      while (running >= WORKERS) await new Promise<void>((resolve) => waiting.push(resolve));
      running++;
      try {
        await deliverOutbox(deps, io, id);
      } finally {
        running--;
        waiting.shift()?.();
      }
    }
    function schedule(id: string, at: Date): void {
      if (held) {
        held.push(id);
        return;
      }
      pending++;
      setTimeout(() => {
        attempt(id).catch((error: unknown) => console.error("delivery failed", error)).finally(() => {
          if (--pending === 0 && visibleAt.size === pushedAt.size && pushedAt.size === MESSAGES) settled();
        });
      }, Math.max(0, at.getTime() - Date.now()));
    }

    // The burst: every customer writes, then each writes again. Storing 300 pushes takes seconds
    // of real time, which the scaled clock would stretch tenfold: the burst is stored first, its
    // deliveries held, then released at once, and every lag counts from that moment.
    const startedAt = performance.now();
    const ids: string[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      const customer = i % CUSTOMERS;
      const sender = `oInbox${String(run).padStart(3, "0")}C${String(customer).padStart(15, "0")}`;
      const stored = await services.recordCustomerMessage({ platform: "wechat", senderId: sender, id: `inbox-${run}-${i}`, at: new Date(), kind: "text", body: `message ${i} from customer ${customer}` });
      ids.push(stored.interactionId);
    }
    const storeSeconds = (performance.now() - startedAt) / 1_000;
    const release = held ?? [];
    held = undefined;
    const burstAt = performance.now();
    for (const id of ids) pushedAt.set(id, burstAt);
    for (const id of release) schedule(id, new Date());
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 3_000 * SLOT_MS))]);
    const lags = [...pushedAt].map(([id, at]) => slackSeconds((visibleAt.get(id) ?? Infinity) - at)).sort((a, b) => a - b);
    const outbox = await prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM outbox WHERE destination = ${channel} AND status = 'SENT'`;
    return {
      "lag p50 (Slack s)": percentile(lags, 50),
      "lag p95 (Slack s)": percentile(lags, 95),
      "last visible (Slack s)": lags.at(-1)!,
      posts,
      "429s": refused,
      "rows sent": outbox[0]!.n,
      "visible": visibleAt.size,
      "storing the burst (real s)": storeSeconds,
    };
  }

  try {
    const report = await interleavedRounds({ "before: one post per message": () => round(false), "after: coalesced per thread": () => round(true) }, { rounds: ROUNDS });
    const before = report.medians["before: one post per message"]!;
    const after = report.medians["after: coalesced per thread"]!;
    const text = [
      `## WeChat inbox in Slack under a burst (${MESSAGES} messages from ${CUSTOMERS} customers, one inbox channel)`,
      "",
      `Slack slot scaled to ${SLOT_MS} ms (lags in Slack seconds); ${ROUNDS} interleaved rounds, medians.`,
      "",
      roundsTable(report),
      "",
      `Lag from push to visible in Slack, p50 / p95: before ${before["lag p50 (Slack s)"]!.toFixed(0)} s / ${before["lag p95 (Slack s)"]!.toFixed(0)} s, after ${after["lag p50 (Slack s)"]!.toFixed(0)} s / ${after["lag p95 (Slack s)"]!.toFixed(0)} s (p95 ${(before["lag p95 (Slack s)"]! / after["lag p95 (Slack s)"]!).toFixed(2)}× shorter); posts ${before.posts} -> ${after.posts}.`,
    ].join("\n");
    console.log(text);
    reportSummary("inbox-burst", {
      path: `WeChat inbox in Slack, ${MESSAGES} messages from ${CUSTOMERS} customers at once, lag p50 / p95`,
      floor: "",
      bot: `${after["lag p50 (Slack s)"]!.toFixed(0)} s / ${after["lag p95 (Slack s)"]!.toFixed(0)} s (one post per message: ${before["lag p50 (Slack s)"]!.toFixed(0)} s / ${before["lag p95 (Slack s)"]!.toFixed(0)} s)`,
      ratio: NaN,
      goal: "report p50/p95; coalescing shortens p95",
      met: after["lag p95 (Slack s)"]! < before["lag p95 (Slack s)"]!,
    });
    writeFileSync(process.env.BENCH_OUT ?? "bench/out-inbox-burst.md", text + "\n");
  } finally {
    await prisma.$disconnect();
    redis.disconnect();
    await database.drop();
  }
}

await main();
