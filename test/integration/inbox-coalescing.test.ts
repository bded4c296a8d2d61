import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCore } from "../../src/core/index.js";
import { DeliveryError } from "../../src/domain/errors.js";
import type { Message } from "../../src/reply/reply.js";
import { deliverOutbox, type DeliveryOutcome } from "../../src/services/delivery/deliver-outbox.js";
import { createServices } from "../../src/services/index.js";
import type { Deliverer, OutgoingMessage, RateLimiter } from "../../src/services/ports.js";
import { testServiceDeps } from "../support/core.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

/**
 * The WeChat inbox under a burst (issue 17): what waits for one thread goes out as one post, in
 * order, every row marked sent; a 429 or a worker dying mid-send neither loses nor repeats a
 * message. Real Postgres; the "Slack" here is a deliverer that renders each post as the Slack
 * sender would receive it and remembers it (the per-channel slot booking has its own tests).
 */
const CHANNEL = "CINBOXBURST1";
let db: TestDatabase;
// A fixed clock: nothing here may depend on today's date.
let clock = new Date("2026-11-20T04:00:00Z");

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

function setup() {
  const deps = testServiceDeps(db.store, { now: () => clock, settings: { wechatInboxChannel: CHANNEL } });
  const services = createServices(deps);
  const core = createCore({ services, defaultLocale: "en", defaultTimezone: "Asia/Shanghai" });
  return { deps, services, core };
}

let lastTs = 1_700_000_000;

/** A Slack that takes every post (or fails it as told) and remembers what it showed. */
function fakeSlack(core: ReturnType<typeof setup>["core"]) {
  const posts: { id: string; message: Message; ts: string }[] = [];
  let failNext: DeliveryError | undefined;
  let hangNext = false;
  const deliverer: Deliverer = {
    async deliver(m: OutgoingMessage) {
      const message = await core.renderNotification(m.payload);
      if (failNext) {
        const error = failNext;
        failNext = undefined;
        throw error;
      }
      // Slack ts are unique in a channel (a thread is known by its header's).
      const post = { id: m.id, message, ts: `${++lastTs}.000100` };
      posts.push(post);
      // The worker "dies" right after Slack took the post: the promise never settles.
      if (hangNext) {
        hangNext = false;
        return new Promise<never>(() => undefined);
      }
      return { externalId: post.ts };
    },
    findDelivered: async (m) => {
      const post = posts.find((p) => p.id === m.id);
      return post ? { externalId: post.ts } : undefined;
    },
  };
  return {
    posts,
    deliverer,
    failOnce: (error: DeliveryError) => void (failNext = error),
    dieAfterNextPost: () => void (hangNext = true),
  };
}

const texts = (message: Message) => message.blocks.flatMap((b) => (b.type === "text" ? [b.text] : []));
const noLimit: RateLimiter = { reserve: async () => 0, pause: async () => undefined };

const threads = new Map<string, string>();

/** The inbox rows of one sender's conversation, in the order they were queued. */
async function rows(senderId: string) {
  const result = await db.sql.query<{ id: string; type: string; status: string; coalesced_into: string | null; external_id: string | null }>(
    `SELECT id, payload->>'type' AS type, status::text AS status, coalesced_into, external_id FROM outbox
     WHERE payload->>'type' IN ('inbox.header', 'inbox.message') AND payload->>'threadId' = $1
     ORDER BY created_at, payload->>'type' = 'inbox.message', id`,
    [threads.get(senderId)],
  );
  return result.rows;
}

let seq = 0;
async function burst(services: ReturnType<typeof setup>["services"], senderId: string, bodies: string[]) {
  for (const body of bodies) {
    clock = new Date(clock.getTime() + 1_000);
    const stored = await services.recordCustomerMessage({ platform: "wechat", senderId, id: `${senderId}-${++seq}`, at: clock, kind: "text", body });
    const row = await db.sql.query<{ t: string }>("SELECT payload->>'threadId' AS t FROM outbox WHERE dedupe_key = $1", [`inbox-message:${stored.interactionId}`]);
    threads.set(senderId, row.rows[0]!.t);
  }
  return rows(senderId);
}

/** The reconcile pass makes a row due at the database's time; the test's clock is its own. */
const due = (id: string) => db.sql.query("UPDATE outbox SET next_attempt_at = $2 WHERE id = $1", [id, clock]);

async function deliver(deps: ReturnType<typeof setup>["deps"], deliverer: Deliverer, id: string, rateLimiter: RateLimiter = noLimit): Promise<DeliveryOutcome> {
  return deliverOutbox(deps, { deliverer, rateLimiter }, id);
}

describe("one post for what waits for a thread", () => {
  it("merges the conversation's waiting messages into one post, in order, and marks each sent with that post's ts", async () => {
    const { deps, services, core } = setup();
    const slack = fakeSlack(core);
    const queued = await burst(services, "oBurstOrder000000000000001", ["first", "second <!channel>", "third"]);
    expect(queued.map((r) => r.type)).toEqual(["inbox.header", "inbox.message", "inbox.message", "inbox.message"]);
    expect(await deliver(deps, slack.deliverer, queued[0]!.id)).toBe("sent");
    expect(await deliver(deps, slack.deliverer, queued[1]!.id)).toBe("sent");
    // The others' own jobs find nothing left to do.
    expect(await deliver(deps, slack.deliverer, queued[2]!.id)).toBe("skipped");
    expect(await deliver(deps, slack.deliverer, queued[3]!.id)).toBe("skipped");

    expect(slack.posts).toHaveLength(2);
    const post = slack.posts[1]!;
    expect(post.message.thread).toBe(slack.posts[0]!.ts);
    expect(texts(post.message)).toEqual(["first", "second <!channel>", "third"]);
    const after = await rows("oBurstOrder000000000000001");
    expect(after.map((r) => r.status)).toEqual(["SENT", "SENT", "SENT", "SENT"]);
    expect(after.slice(1).map((r) => r.external_id)).toEqual([post.ts, post.ts, post.ts]);
    expect(after.slice(2).map((r) => r.coalesced_into)).toEqual([queued[1]!.id, queued[1]!.id]);
  });

  it("lets a later message wait for an earlier one's turn instead of booking a send slot of its own", async () => {
    const { deps, services, core } = setup();
    const slack = fakeSlack(core);
    const queued = await burst(services, "oBurstWait0000000000000001", ["one", "two"]);
    expect(await deliver(deps, slack.deliverer, queued[0]!.id)).toBe("sent");
    const booked: string[] = [];
    const counting: RateLimiter = { reserve: async (key) => (booked.push(key), 0), pause: async () => undefined };
    // The second message's job runs first: it books nothing and waits for the first one's turn.
    expect(await deliver(deps, slack.deliverer, queued[2]!.id, counting)).toBe("postponed");
    expect(booked).toEqual([]);
    expect((deps.jobs as unknown as { deliveries: { id: string }[] }).deliveries.map((d) => d.id)).toContain(queued[2]!.id);
    expect(await deliver(deps, slack.deliverer, queued[1]!.id, counting)).toBe("sent");
    expect(booked).toEqual([`slack:${CHANNEL}`]);
    expect(slack.posts.slice(1).map((p) => texts(p.message))).toEqual([["one", "two"]]);
    expect((await rows("oBurstWait0000000000000001")).map((r) => r.status)).toEqual(["SENT", "SENT", "SENT"]);
  });

  it("keeps the merged messages with their post through a 429, and sends them once when the pause is over", async () => {
    const { deps, services, core } = setup();
    const slack = fakeSlack(core);
    const queued = await burst(services, "oBurst429000000000000000001", ["a", "b", "c"]);
    expect(await deliver(deps, slack.deliverer, queued[0]!.id)).toBe("sent");
    slack.failOnce(new DeliveryError("rate-limited", "ratelimited", 1_000));
    expect(await deliver(deps, slack.deliverer, queued[1]!.id)).toBe("postponed");
    const waiting = await rows("oBurst429000000000000000001");
    expect(waiting.map((r) => r.status)).toEqual(["SENT", "PENDING", "SENDING", "SENDING"]);
    // A merged row's own job meanwhile sends nothing.
    expect(await deliver(deps, slack.deliverer, queued[3]!.id)).toBe("skipped");
    // A message arriving during the pause joins the post too.
    const more = await burst(services, "oBurst429000000000000000001", ["d"]);
    expect(await deliver(deps, slack.deliverer, queued[1]!.id)).toBe("sent");
    expect(await deliver(deps, slack.deliverer, more[4]!.id)).toBe("skipped");
    expect(slack.posts.slice(1).map((p) => texts(p.message))).toEqual([["a", "b", "c", "d"]]);
    expect((await rows("oBurst429000000000000000001")).map((r) => r.status)).toEqual(["SENT", "SENT", "SENT", "SENT", "SENT"]);
  });

  it("fails the merged messages with their post when Slack refuses it for good", async () => {
    const { deps, services, core } = setup();
    const slack = fakeSlack(core);
    const queued = await burst(services, "oBurstRefused0000000000001", ["x", "y"]);
    expect(await deliver(deps, slack.deliverer, queued[0]!.id)).toBe("sent");
    slack.failOnce(new DeliveryError("permanent", "is_archived"));
    expect(await deliver(deps, slack.deliverer, queued[1]!.id)).toBe("failed");
    const after = await db.sql.query<{ status: string; last_error: string }>("SELECT status::text AS status, last_error FROM outbox WHERE id = ANY($1::uuid[]) ORDER BY created_at", [[queued[1]!.id, queued[2]!.id]]);
    expect(after.rows).toEqual([{ status: "FAILED", last_error: "is_archived" }, { status: "FAILED", last_error: "is_archived" }]);
  });

  it("after a worker died mid-send, asks Slack first: a post that arrived is not sent again, and what it did not carry still goes", async () => {
    const { deps, services, core } = setup();
    const slack = fakeSlack(core);
    const queued = await burst(services, "oBurstCrash00000000000001", ["p", "q", "r"]);
    expect(await deliver(deps, slack.deliverer, queued[0]!.id)).toBe("sent");
    slack.dieAfterNextPost();
    void deliver(deps, slack.deliverer, queued[1]!.id);
    await expect.poll(() => slack.posts.length).toBe(2);
    // The reconcile pass finds the rows of the dead worker: the post's row goes back, the merged ones stay with it.
    await db.sql.query("UPDATE outbox SET updated_at = now() - interval '1 hour' WHERE id = ANY($1::uuid[])", [queued.slice(1).map((r) => r.id)]);
    expect(await db.store.outbox.releaseStale(60_000)).toBe(1);
    await due(queued[1]!.id);
    const released = await rows("oBurstCrash00000000000001");
    expect(released.map((r) => r.status)).toEqual(["SENT", "PENDING", "SENDING", "SENDING"]);
    // A message that came after the post must not be taken for part of it.
    const more = await burst(services, "oBurstCrash00000000000001", ["s"]);
    expect(await deliver(deps, slack.deliverer, queued[1]!.id)).toBe("sent");
    expect(slack.posts).toHaveLength(2);
    const statuses = await rows("oBurstCrash00000000000001");
    expect(statuses.map((r) => r.status)).toEqual(["SENT", "SENT", "SENT", "SENT", "PENDING"]);
    expect(await deliver(deps, slack.deliverer, more[4]!.id)).toBe("sent");
    expect(slack.posts.slice(1).map((p) => texts(p.message))).toEqual([["p", "q", "r"], ["s"]]);
  });

  it("after a worker died before Slack took the post, sends the same messages once", async () => {
    const { deps, services, core } = setup();
    const slack = fakeSlack(core);
    const queued = await burst(services, "oBurstCrashEarly000000001", ["u", "v"]);
    expect(await deliver(deps, slack.deliverer, queued[0]!.id)).toBe("sent");
    // The claim and the merge happened, then the process went away before posting.
    await db.sql.query("UPDATE outbox SET status = 'SENDING', updated_at = now() - interval '1 hour' WHERE id = $1", [queued[1]!.id]);
    await db.store.outbox.coalesceInbox(queued[1]!.id, CHANNEL, (await db.sql.query<{ t: string }>("SELECT payload->>'threadId' AS t FROM outbox WHERE id = $1", [queued[1]!.id])).rows[0]!.t, 4);
    await db.sql.query("UPDATE outbox SET updated_at = now() - interval '1 hour' WHERE id = $1", [queued[2]!.id]);
    expect(await db.store.outbox.releaseStale(60_000)).toBe(1);
    await due(queued[1]!.id);
    expect(await deliver(deps, slack.deliverer, queued[1]!.id)).toBe("sent");
    expect(await deliver(deps, slack.deliverer, queued[2]!.id)).toBe("skipped");
    expect(slack.posts.slice(1).map((p) => texts(p.message))).toEqual([["u", "v"]]);
  });

  it("does not take a waiting row that carries messages of its own into another post", async () => {
    const { deps, services, core } = setup();
    const slack = fakeSlack(core);
    const queued = await burst(services, "oBurstNested0000000000001", ["g", "h", "i"]);
    expect(await deliver(deps, slack.deliverer, queued[0]!.id)).toBe("sent");
    // "h" took "i" into its post, then waited out a 429 (PENDING again, "i" still with it).
    await db.sql.query("UPDATE outbox SET status = 'SENDING', coalesced_into = $1 WHERE id = $2", [queued[2]!.id, queued[3]!.id]);
    expect(await deliver(deps, slack.deliverer, queued[1]!.id)).toBe("sent");
    expect(await deliver(deps, slack.deliverer, queued[2]!.id)).toBe("sent");
    expect(slack.posts.slice(1).map((p) => texts(p.message))).toEqual([["g"], ["h", "i"]]);
    expect((await rows("oBurstNested0000000000001")).map((r) => r.status)).toEqual(["SENT", "SENT", "SENT", "SENT"]);
  });

  it("releases merged rows on their own when their post's row is gone", async () => {
    const { services } = setup();
    const queued = await burst(services, "oBurstOrphan0000000000001", ["m", "n"]);
    await db.sql.query("UPDATE outbox SET status = 'SENDING', coalesced_into = gen_random_uuid(), updated_at = now() - interval '1 hour' WHERE id = $1", [queued[2]!.id]);
    expect(await db.store.outbox.releaseStale(60_000)).toBe(1);
    const row = await db.sql.query<{ status: string; coalesced_into: string | null }>("SELECT status::text AS status, coalesced_into FROM outbox WHERE id = $1", [queued[2]!.id]);
    expect(row.rows[0]).toEqual({ status: "PENDING", coalesced_into: null });
  });
});
