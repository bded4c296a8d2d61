import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanCustomerStages } from "../../src/services/index.js";
import { eventually } from "../fakes/fake-slack-api.js";
import { startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { testServiceDeps } from "../support/core.js";
import { TEST_REDIS_URL } from "../support/env.js";
import { SlackDriver, findButton, visibleText } from "../support/slack-driver.js";

/**
 * /segment and the nightly scan's alerts through the running bot: signed slash commands and
 * button presses, the fake Slack API receiving the owners' DMs, real Postgres and Redis.
 */
const DAY = 86_400_000;
/** 02:00 in Shanghai today: the scan's time, in the past so its alerts are due at once. */
const NOW = new Date(Math.floor(Date.now() / DAY) * DAY - 6 * 3_600_000);
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

const li = { id: "U0LINA", name: "li.na" };
const wang = { id: "U0WANG", name: "wang.wei" };

let t: BotUnderTest;
let slack: SlackDriver;

beforeAll(async () => {
  t = await startBotUnderTest({ sweepEveryMs: 500 });
  slack = new SlackDriver(t.base, t.slack);
  t.slack.addUser({ id: li.id, name: li.name, realName: "Li Na", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: wang.id, name: wang.name, realName: "王伟", locale: "zh-CN", tz: "Asia/Shanghai" });
}, 30_000);
afterAll(() => t.stop());

async function craft(name: string, stage: string, ownerExternalId: string, orders: [daysAgo: number, amount: number][], interactions: number[] = []): Promise<string> {
  const id = randomUUID();
  await t.db.sql.query(
    `INSERT INTO customers (id, name, normalized_name, pinyin, pinyin_initials, stage, owner_id, updated_at)
     SELECT $1, $2, $3, $3, $3, $4, id, now() FROM users WHERE external_id = $5`,
    [id, name, name.toLowerCase().replace(/\s+/g, ""), stage, ownerExternalId],
  );
  for (const [days, amount] of orders) {
    await t.db.sql.query("INSERT INTO orders (id, customer_id, amount, currency, base_amount, rate_to_base, ordered_at) VALUES (gen_random_uuid(), $1, $2, 'CNY', $2, 1, $3)", [id, amount, ago(days)]);
  }
  if (orders.length > 0) {
    await t.db.sql.query(
      `INSERT INTO customer_stats (customer_id, order_count, total_spent, first_order_at, last_order_at)
       SELECT customer_id, count(*), sum(base_amount), min(ordered_at), max(ordered_at) FROM orders WHERE customer_id = $1 GROUP BY customer_id`,
      [id],
    );
  }
  for (const days of interactions) {
    await t.db.sql.query("INSERT INTO interactions (id, customer_id, channel, direction, body, occurred_at) VALUES (gen_random_uuid(), $1, 'WECHAT', 'INBOUND', 'hello', $2)", [id, ago(days)]);
  }
  return id;
}

describe("/segment before the first nightly scan", () => {
  it("answers on a fresh install instead of waiting for the night", async () => {
    const named = await slack.ask(li, "/segment", "churn-risk");
    expect(named.text).not.toMatch(/have not been computed|first time/);
    expect(named.text).toContain("Churn risk: 0 customers");
    expect(named.text).toContain("No customer is in this segment right now.");
    expect(named.text).toMatch(/As of .+\. Segments are recomputed every night at 02:00\./);
    const bare = await slack.ask(li, "/segment", "");
    expect(bare.text).toContain("Churn risk: 0");
    const chinese = await slack.ask(wang, "/crm", "分群 流失风险");
    expect(chinese.text).not.toContain("尚未计算");
    expect(chinese.text).toContain("流失风险：0 位客户");
  });

  it("keeps one nightly schedule at 02:00 in the team's zone", async () => {
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const scheduler = await redis.hgetall(`${t.prefix}:{maintenance}:repeat:stage-scan`);
      expect(scheduler).toMatchObject({ name: "stage-scan", pattern: "0 2 * * *", tz: "Asia/Shanghai" });
    } finally {
      redis.disconnect();
    }
  });
});

describe("/segment after a scan", () => {
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    ids.gap = await craft("Gap Co", "ACTIVE", li.id, [[62, 1], [82, 1], [102, 1], [122, 1]]);
    ids.slow = await craft("Slow Co", "ACTIVE", li.id, [[10, 1], [100, 1], [110, 1], [120, 1], [130, 1], [140, 1], [150, 1]]);
    ids.big = await craft("Big Co", "ACTIVE", li.id, Array.from({ length: 12 }, (_, i): [number, number] => [5 + 10 * i, 5_000]));
    ids.prospect = await craft("Prospect Co", "PROSPECT", li.id, [], [10, 40]);
    ids.lost = await craft("Lost Co", "ACTIVE", wang.id, [[200, 3]]);
    const result = await scanCustomerStages(testServiceDeps(t.db.store, { now: () => NOW }), { now: NOW });
    expect(result).toMatchObject({ moved: 3, alerts: 2 });
  });

  it("/segment churn-risk lists the customers with why, biggest spenders first", async () => {
    const reply = await slack.ask(li, "/segment", "churn-risk");
    expect(reply.text).toContain("Churn risk: 2 customers");
    expect(reply.text).toContain("1. Slow Co");
    expect(reply.text).toContain("orders: 1 in the last 90 days, 6 in the 90 days before · revenue CNY 7.00 · orders: 7 · owner: Li Na");
    expect(reply.text).toContain("2. Gap Co");
    expect(reply.text).toContain("62 days since the last order; usually every 20 days · revenue CNY 4.00 · orders: 4 · owner: Li Na");
    expect(reply.text).not.toContain("Big Co");
    expect(reply.text).toMatch(/As of .+\. Segments are recomputed every night at 02:00\./);
    expect(findButton(reply.blocks, "customer.show").value).toBe(ids.slow);
    expect(findButton(reply.blocks, "share").value).toContain("segment.show");
  });

  it("/segment 流失风险 answers in Chinese with the same customers", async () => {
    const reply = await slack.ask(wang, "/segment", "流失风险");
    expect(reply.text).toContain("流失风险：2 位客户");
    expect(reply.text).toContain("距上次下单62天，平常每20天一单 · 收入 CNY 4.00 · 4 笔订单 · 负责人 Li Na");
    expect(reply.text).toContain("最近 90 天 1 单，之前 90 天 6 单");
    const lost = await slack.ask(wang, "/segment", "已流失");
    expect(lost.text).toContain("已流失：1 位客户");
    expect(lost.text).toContain("Lost Co");
    expect(lost.text).toContain("已200天没有下单 · 收入 CNY 3.00 · 1 笔订单 · 负责人 王伟");
  });

  it("bare /segment counts every segment, and its buttons open one", async () => {
    const reply = await slack.ask(li, "/segment", "");
    for (const line of ["Customer segments", "High value: 1", "Potential: 1", "New: 0", "Churn risk: 2", "Lost: 1"]) expect(reply.text).toContain(line);
    const opened = await slack.pressAndRead(li, findButton(reply.blocks, "segment.show", "Show"));
    expect(visibleText(opened.blocks as Record<string, unknown>[])).toContain("High value: 1 customer");
    expect(visibleText(opened.blocks as Record<string, unknown>[])).not.toMatch(/(?<!\d)1 customers/);
    expect(visibleText(opened.blocks as Record<string, unknown>[])).toContain("Big Co");
  });

  it("a name it does not know gets the names and examples, and changes nothing", async () => {
    const before = await t.db.sql.query("SELECT count(*)::int AS n FROM customer_stage_changes");
    const reply = await slack.ask(li, "/segment", "best customers");
    expect(reply.text).toContain("“best customers” is not a segment. Use one of: high-value, potential, new, churn-risk, lost (高价值, 潜力, 新客户, 流失风险, 已流失).");
    expect(reply.text).toContain("/segment churn-risk");
    expect(reply.text).toContain("/segment 高价值");
    expect((await t.db.sql.query("SELECT count(*)::int AS n FROM customer_stage_changes")).rows[0]).toEqual(before.rows[0]);
  });

  it("sends each owner one DM with their customers that moved and why", async () => {
    const dmTo = (user: string) => eventually(() => t.slack.callsTo("chat.postMessage").find((c) => c.body.channel === user), 15_000);
    const toLi = visibleText((await dmTo(li.id)).body.blocks as Record<string, unknown>[]);
    expect(toLi).toContain("Stage changes for 2 of your customers");
    expect(toLi).toContain("Gap Co");
    expect(toLi).toContain("active → at risk · 62 days since the last order; usually every 20 days");
    expect(toLi).toContain("Slow Co");
    const toWang = visibleText((await dmTo(wang.id)).body.blocks as Record<string, unknown>[]);
    expect(toWang).toContain("您有 1 位客户的阶段发生了变化");
    expect(toWang).toContain("活跃 → 已流失 · 已200天没有下单");
    expect(t.slack.callsTo("chat.postMessage").filter((c) => c.body.channel === li.id || c.body.channel === wang.id)).toHaveLength(2);
  });
});
