import { describe, expect, it } from "vitest";
import { visibleText } from "../support/slack-driver.js";
import { postToSlackEndpoint } from "../support/slack-requests.js";
import { SIGNING_SECRET, sleep, waitFor } from "./harness.js";
import { acceptedPosts, marker, pushLikeWechat, report } from "./load.js";
import { useFaultSite } from "./scenario.js";
import { INBOX, WECHAT_TOKEN, msgIdOf, openIdOf, outboxStates, withWechatBot } from "./wechat-world.js";

/** Reps' replies to WeChat customers, refused or taken by WeChat, across a worker SIGKILL. */
const site = useFaultSite();

describe("WeChat replies under faults", () => {
  it("replies WeChat refuses (45015 window closed, 45047 quota used up) end visibly failed once; the rest are delivered once, across a worker SIGKILL", async () => {
    // Three groups of customers: WeChat refuses every reply to the first with 45015 and to the
    // second with 45047, and takes the third's (after a few transient errors).
    const CUSTOMERS = 9;
    const REPLIES_EACH = 2;
    const group = (c: number) => (c < 3 ? "window" : c < 6 ? "quota" : "open");
    await withWechatBot(site, "wechat replies", async (w) => {
      const rep = { id: `U0FR${w.id.toUpperCase()}`, name: "fault.rep" };
      w.slack.addUser({ id: rep.id, name: rep.name, locale: "en-US", tz: "Asia/Shanghai" });
      for (let c = 0; c < CUSTOMERS; c++) {
        if (group(c) === "window") w.wechat.refuse(openIdOf(w.id, c), { errcode: 45015, errmsg: "response out of time limit or subscription is canceled" });
        if (group(c) === "quota") w.wechat.refuse(openIdOf(w.id, c), { errcode: 45047, errmsg: "out of response count limit" });
      }
      w.wechat.script = [{ status: 500 }, { errcode: -1, errmsg: "system error" }, { status: 503 }];
      // Each customer writes once: a header in the inbox and the message in its thread.
      const asked = await Promise.all(Array.from({ length: CUSTOMERS }, (_, c) => pushLikeWechat(w.web.base, WECHAT_TOKEN, { from: openIdOf(w.id, c), text: `question ${marker(w.id, 900 + c)}`, msgId: msgIdOf(c), createdAt: Date.now() })));
      expect(asked.filter((a) => a === 0)).toEqual([]);
      const threadOf = new Map<number, string>();
      await waitFor("every customer's message in a thread", () => {
        for (const call of acceptedPosts(w.slack)) {
          const m = /ftag-[a-z0-9]+-09(\d\d)-end/.exec(JSON.stringify(call.body));
          if (m && call.body.channel === INBOX && typeof call.body.thread_ts === "string") threadOf.set(Number(m[1]), call.body.thread_ts);
        }
        return threadOf.size === CUSTOMERS;
      }, 120_000, w.printed);
      // The reps answer in the threads; the worker is killed while the replies go out.
      const replies: { n: number; customer: number }[] = [];
      for (let r = 0; r < REPLIES_EACH; r++) for (let c = 0; c < CUSTOMERS; c++) replies.push({ n: r * CUSTOMERS + c, customer: c });
      let killed = false;
      for (const { n, customer } of replies) {
        const ts = `${Math.floor(Date.now() / 1000)}.${String(100_000 + n)}`;
        const body = JSON.stringify({
          token: "x", team_id: "T0001", api_app_id: "A0CRM", type: "event_callback", event_id: `Ev${w.id}${n}`, event_time: Math.floor(Date.now() / 1000),
          event: { type: "message", channel: INBOX, channel_type: "channel", user: rep.id, text: `reply: we will call you ${marker(w.id, n)}`, ts, thread_ts: threadOf.get(customer), team: "T0001" },
        });
        const answer = await postToSlackEndpoint(`${w.web.base}/slack/events`, body, "application/json", { secret: SIGNING_SECRET });
        expect(answer.status).toBe(200);
        if (!killed && n === Math.floor(replies.length / 2)) {
          killed = true;
          await w.worker.signal("SIGKILL");
          await w.worker.start();
        }
        await sleep(100);
      }
      // Each reply ends with one status post in its thread: delivered, or not and why. A status the
      // killed worker was sending stays SENDING for two minutes before a sweep (once a minute)
      // hands it on, so allow for that twice over.
      const statusPosts = (n: number) => acceptedPosts(w.slack).filter((c) => c.body.channel === INBOX && visibleText(c.body.blocks as Record<string, unknown>[]).includes(marker(w.id, n)));
      const settled = () => replies.every(({ n }) => statusPosts(n).length >= 1);
      await waitFor("a status for every reply", settled, 420_000, w.printed).catch(() => undefined);
      await sleep(5_000);
      let lost = 0;
      let twice = 0;
      const wrong: string[] = [];
      for (const { n, customer } of replies) {
        const atWechat = w.wechat.sent.filter((s) => s.content.includes(marker(w.id, n))).length;
        const posts = statusPosts(n);
        if (posts.length === 0) lost++;
        if (posts.length > 1 || atWechat > 1) twice++;
        const text = posts.map((p) => visibleText(p.body.blocks as Record<string, unknown>[])).join(" ");
        const expected = { window: "(45015)", quota: "(45047)", open: "replied to" }[group(customer)];
        if (posts.length > 0 && !text.includes(expected)) wrong.push(`${marker(w.id, n)}: ${text.slice(0, 160)}`);
        if ((group(customer) === "open") !== (atWechat === 1)) wrong.push(`${marker(w.id, n)} reached WeChat ${atWechat} times`);
      }
      const states = lost + twice + wrong.length > 0 ? `; outbox: ${await outboxStates(site, w.databaseUrl)}` : "";
      report("WeChat replies refused 45015/45047, worker SIGKILL", { delivered: replies.length - lost, lost, twice, maxLatenessMs: 0 }, `${w.wechat.sent.length} replies taken by WeChat${states}`);
      expect(wrong).toEqual([]);
      expect(lost).toBe(0);
      expect(twice).toBe(0);
    });
  });
});
