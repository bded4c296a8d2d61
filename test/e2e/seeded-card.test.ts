import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoData } from "../../prisma/seed-data.js";
import { startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { SlackDriver } from "../support/slack-driver.js";

let t: BotUnderTest;
const rep = { id: "U0NEWCOMER", name: "newcomer" };

beforeAll(async () => {
  t = await startBotUnderTest();
  const result = await seedDemoData(t.db.prisma, { cipher: t.db.store.cipher });
  expect(result.skipped).toBe(false);
  t.slack.addUser({ id: rep.id, name: rep.name, realName: "New Comer", locale: "en-US", tz: "Asia/Shanghai" });
});
afterAll(() => t.stop());

const money = (value: string | number) =>
  new Intl.NumberFormat("en", { style: "currency", currency: "CNY", currencyDisplay: "code" }).format(Number(value)).replace(/\u00a0/g, " ");

describe("a newcomer asks for a seeded customer's card through a signed /customer request", () => {
  it("shows what the database holds for Acme Ltd", async () => {
    const { rows } = await t.db.sql.query(
      `SELECT c.name, u.display_name AS owner, s.order_count, s.total_spent::text AS total,
              (SELECT count(*)::int FROM contacts WHERE customer_id = c.id) AS contacts,
              (SELECT body FROM interactions WHERE customer_id = c.id ORDER BY occurred_at DESC, id DESC LIMIT 1) AS latest
       FROM customers c JOIN users u ON u.id = c.owner_id JOIN customer_stats s ON s.customer_id = c.id
       WHERE c.name = 'Acme Ltd'`,
    );
    const expected = rows[0] as { name: string; owner: string; order_count: number; total: string; contacts: number; latest: string };
    expect(expected.order_count).toBeGreaterThan(0);

    const slack = new SlackDriver(t.base, t.slack);
    const reply = await slack.ask(rep, "/customer", "acme");
    expect(reply.text).toContain(expected.name);
    expect(reply.text).toContain(`*Owner*\n${expected.owner}`);
    expect(reply.text).toContain(`*Lifetime revenue*\n${money(expected.total)}`);
    expect(reply.text).toContain(`*Orders*\n${expected.order_count}`);
    expect(reply.text).toContain(`*Average order*\n${money(Number(expected.total) / expected.order_count)}`);
    expect(reply.text).toContain(expected.latest.slice(0, 60));
    // The first Slack user of the install is its admin and sees contact details ...
    expect(reply.text).toMatch(/@acme\.example/);
    // ... a rep who does not own Acme sees the contacts, not their email and phone.
    const other = await slack.ask({ id: "U0OTHER", name: "other" }, "/customer", "acme");
    expect(other.text).toContain("Email and phone are visible to the owner");
    expect(other.text).not.toMatch(/@acme\.example/);
  });

  it("finds seeded Chinese customers by pinyin and alias, and ranks the top customers", async () => {
    const slack = new SlackDriver(t.base, t.slack);
    expect((await slack.ask(rep, "/customer", "alibaba")).text).toContain("阿里巴巴集团");
    expect((await slack.ask(rep, "/customer", "bytedance")).text).toContain("字节跳动");
    const top = await slack.ask(rep, "/top", "3");
    // CLV measured to the start of the team's day, frequency over at least three months.
    const { rows } = await t.db.sql.query<{ name: string; orders: number }>(
      `SELECT c.name, s.order_count AS orders FROM customer_stats s JOIN customers c ON c.id = s.customer_id WHERE s.order_count > 0
       ORDER BY s.total_spent / GREATEST(3, EXTRACT(EPOCH FROM ((date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai') - s.first_order_at)) / 2629746) DESC LIMIT 3`,
    );
    expect(top.text.indexOf(`1. ${rows[0]!.name}`)).toBeGreaterThan(-1);
    expect(top.text.indexOf(`3. ${rows[2]!.name}`)).toBeGreaterThan(top.text.indexOf(`2. ${rows[1]!.name}`));
    // The seeded one-off buyer of three weeks ago (Redwood Capital) no longer ranks among customers of dozens of orders.
    expect(rows.every((r) => r.orders > 1)).toBe(true);
    expect(top.text).not.toContain("Redwood Capital");
  });
});
