import { describe, expect, it } from "vitest";
import { sleep, waitFor } from "./harness.js";
import { deliveries, marker, pushLikeWechat, report, tally, type ReminderLoad } from "./load.js";
import { useFaultSite } from "./scenario.js";
import { WECHAT_TOKEN, msgIdOf, openIdOf, outboxStates, withWechatBot } from "./wechat-world.js";

/** WeChat pushes under a Postgres restart, counted in the Slack inbox channel. */
const site = useFaultSite();

describe("WeChat pushes under faults", () => {
  it("a burst of pushes, one in three retried by WeChat, during a Postgres restart: each message once in the Slack inbox", async () => {
    const PUSHES = 45;
    const SENDERS = 15;
    await withWechatBot(site, "wechat burst", async (w) => {
      // One push first, answered before the burst: the fault under test is the restart, not a
      // cold process (its first messages load code and open connections; on a busy two-core
      // machine that alone took WeChat's 5 s more than once).
      expect(await pushLikeWechat(w.web.base, WECHAT_TOKEN, { from: openIdOf(w.id, 99), text: "warm-up", msgId: msgIdOf(99), createdAt: Date.now() })).toBeGreaterThan(0);
      const sentAt = new Map<string, number>();
      const gaveUp: string[] = [];
      let retried = 0;
      const pushes: Promise<void>[] = [];
      for (let n = 0; n < PUSHES; n++) {
        const text = `price question ${marker(w.id, n)}`;
        const fields = { from: openIdOf(w.id, n % SENDERS), text, msgId: msgIdOf(n), createdAt: Date.now() };
        sentAt.set(marker(w.id, n), Date.now());
        pushes.push(pushLikeWechat(w.web.base, WECHAT_TOKEN, fields).then((attempts) => {
          if (attempts === 0) gaveUp.push(text);
          if (attempts > 1) retried++;
        }));
        // WeChat's own retry of one push in three: the same MsgId again, as a separate delivery.
        if (n % 3 === 0) pushes.push(sleep(700).then(() => pushLikeWechat(w.web.base, WECHAT_TOKEN, fields)).then(() => undefined));
        if (n === Math.floor(PUSHES / 3)) pushes.push(site.postgres.stop("fast").then(() => site.postgres.start()));
        await sleep(150);
      }
      await Promise.all(pushes);
      const load: ReminderLoad = { scenario: w.id, count: PUSHES, dueAt: sentAt };
      await waitFor("every message in the inbox", () => deliveries(w.slack, w.id).size >= PUSHES, 300_000, w.printed).catch(() => undefined);
      await sleep(5_000);
      const t = tally(w.slack, load);
      const states = t.lost > 0 ? `; outbox: ${await outboxStates(site, w.databaseUrl)}` : "";
      report("WeChat burst, Postgres restart", t, `${retried} pushes answered only on a retry, WeChat gave up on ${gaveUp.length}${states}`);
      expect(gaveUp, `pushes WeChat would have given up on; the bot printed:\n${w.printed()}`).toEqual([]);
      expect(t.lost, `messages never in the inbox${states}\nthe bot printed:\n${w.printed()}`).toBe(0);
      expect(t.twice).toBe(0);
    });
  });

});
