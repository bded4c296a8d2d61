import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../fakes/fake-slack-api.js";
import { startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { SlackDriver, findButton, visibleText } from "../support/slack-driver.js";

/**
 * /order through the real bot and the fake Slack: money recorded as the rep meant it, the
 * confirmation for unusual amounts, the echo, the order form's currency and date phrases. The
 * bot's clock is frozen at Saturday 5 December 2026, 12:00 in Shanghai.
 */
const NOW = new Date("2026-12-05T04:00:00Z");

let t: BotUnderTest;
let slack: SlackDriver;
const li = { id: "U0LINA", name: "li.na" };
const wang = { id: "U0WANG", name: "wang.wei" };

type Blocks = Record<string, unknown>[];

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await t.db.sql.query<{ n: string }>(sql, params);
  return Number(rows[0]!.n);
}

const ordersOf = (customer: string) => count("SELECT count(*) AS n FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.name = $1", [customer]);

async function rowsOf(customer: string): Promise<Record<string, unknown>[]> {
  const { rows } = await t.db.sql.query<Record<string, unknown>>(
    `SELECT o.amount::text, o.currency, o.base_amount::text, o.product, to_char(o.ordered_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS day
     FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.name = $1 ORDER BY o.created_at`,
    [customer],
  );
  return rows;
}

beforeAll(async () => {
  // A low ceiling, so one test trips it with an order in another currency.
  t = await startBotUnderTest({ now: () => NOW, env: { ORDER_CONFIRM_ABOVE: "100000" } });
  slack = new SlackDriver(t.base, t.slack);
  t.slack.addUser({ id: li.id, name: li.name, realName: "Li Na", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: wang.id, name: wang.name, realName: "王伟", locale: "zh-CN", tz: "Asia/Shanghai" });
  await slack.ask(li, "/customer", "add Acme Ltd");
  await slack.ask(wang, "/customer", "add 阿里巴巴集团");
  await slack.ask(li, "/customer", "add Gamma Trading");
});
afterAll(() => t.stop());

describe("the echo says what was recorded", () => {
  it("amount and currency, the base amount, the product and the order date, in English", async () => {
    const reply = await slack.ask(li, "/order", "Acme 99.90 USD support on yesterday");
    expect(reply.text).toContain("Recorded an order of USD 99.90 from Acme Ltd for support.");
    expect(reply.text).toContain("Counted as CNY 709.29 at 7.1.");
    expect(reply.text).toContain("Order date: Dec 4, 2026.");
    expect(await rowsOf("Acme Ltd")).toEqual([{ amount: "99.90", currency: "USD", base_amount: "709.29", product: "support", day: "2026-12-04" }]);
  });

  it("says when there is no product, and reads a Chinese month-day as the last one", async () => {
    const reply = await slack.ask(li, "/order", "Acme 100 on 11月30日");
    expect(reply.text).toContain("Recorded an order of CNY 100.00 from Acme Ltd (no product).");
    expect(reply.text).not.toContain("Counted as");
    expect(reply.text).toContain("Order date: Nov 30, 2026.");
    expect((await rowsOf("Acme Ltd"))[1]).toEqual({ amount: "100.00", currency: "CNY", base_amount: "100.00", product: null, day: "2026-11-30" });
  });

  it("in Chinese, with a magnitude, a Chinese currency word and 昨天", async () => {
    const reply = await slack.ask(wang, "/order", "阿里巴巴 1.2万港币 年度服务 on 昨天");
    expect(reply.text).toContain("已记录 阿里巴巴集团 的一笔订单，金额 HKD 12,000.00，产品：年度服务。");
    expect(reply.text).toContain("折合 CNY 10,920.00");
    expect(reply.text).toContain("订单日期：2026年12月4日。");
    expect(await rowsOf("阿里巴巴集团")).toEqual([{ amount: "12000.00", currency: "HKD", base_amount: "10920.00", product: "年度服务", day: "2026-12-04" }]);
  });

  it("takes a currency word before the amount and today when no date is given", async () => {
    const reply = await slack.ask(li, "/order", "Acme 120 dollars");
    expect(reply.text).toContain("Recorded an order of USD 120.00 from Acme Ltd (no product).");
    expect(reply.text).toContain("Order date: Dec 5, 2026.");
  });

  it("refuses a currency it does not know, naming the ones it knows, and records nothing", async () => {
    const before = await ordersOf("Acme Ltd");
    for (const [text, word] of [["Acme 100 XYZ", "XYZ"], ["Acme 100 pesos", "pesos"], ["Acme 100 比特币", "比特币"], ["Acme 100XYZ", "XYZ"]] as const) {
      const reply = await slack.ask(li, "/order", text);
      expect(reply.text).toContain(`“${word}” is not a currency I know. I know CNY, USD, EUR`);
    }
    expect(await ordersOf("Acme Ltd")).toBe(before);
  });
});

describe("an amount far outside the customer's usual orders is confirmed first", () => {
  it("asks with a Record it button, writes nothing before it is pressed, and writes once however often it is pressed", async () => {
    // Acme now has four orders; its median is about 100 CNY.
    await slack.ask(li, "/order", "Acme 100 on 2026-12-01");
    const before = await ordersOf("Acme Ltd");
    const ask = await slack.ask(li, "/order", "Acme 5万 spare parts");
    expect(ask.text).toContain("CNY 50,000.00 is more than 100 times what Acme Ltd usually orders");
    expect(ask.text).toContain("To record: an order of CNY 50,000.00 from Acme Ltd for spare parts.");
    expect(ask.text).toContain("Order date: Dec 5, 2026.");
    expect(ask.text).toContain("Nothing is recorded until you press “Record it”.");
    expect(await ordersOf("Acme Ltd")).toBe(before);

    const confirm = findButton(ask.blocks, "order.confirm");
    const first = await slack.pressAndRead(li, confirm);
    expect(first.replace_original).toBe(true);
    expect(visibleText(first.blocks as Blocks)).toContain("Recorded an order of CNY 50,000.00 from Acme Ltd for spare parts.");
    expect(await ordersOf("Acme Ltd")).toBe(before + 1);

    // Pressed again (a double click, or a second device): nothing more is written.
    const [again, third] = await Promise.all([slack.pressAndRead(li, confirm), slack.pressAndRead(li, confirm)]);
    for (const reply of [again, third]) expect(visibleText(reply.blocks as Blocks)).toContain("This order is already recorded; nothing was added.");
    expect(await ordersOf("Acme Ltd")).toBe(before + 1);
    const stats = await t.db.sql.query("SELECT s.order_count FROM customer_stats s JOIN customers c ON c.id = s.customer_id WHERE c.name = 'Acme Ltd'");
    expect(stats.rows).toEqual([{ order_count: before + 1 }]);
  });

  it("records nothing when Cancel is pressed", async () => {
    const before = await ordersOf("Acme Ltd");
    const ask = await slack.ask(li, "/order", "Acme 80000");
    const cancelled = await slack.pressAndRead(li, findButton(ask.blocks, "order.cancel"));
    expect(cancelled.replace_original).toBe(true);
    expect(visibleText(cancelled.blocks as Blocks)).toContain("Not recorded: the order of CNY 80,000.00 from Acme Ltd.");
    expect(await ordersOf("Acme Ltd")).toBe(before);
  });

  it("validates the button's value again: a tampered amount is refused", async () => {
    const before = await ordersOf("Acme Ltd");
    const ask = await slack.ask(li, "/order", "Acme 90000");
    const button = findButton(ask.blocks, "order.confirm");
    const value = JSON.parse(button.value) as Record<string, unknown>;
    for (const forged of [{ ...value, a: "-5" }, { ...value, a: "1e13" }, { ...value, k: "XYZ" }, { ...value, d: "2099-01-01" }, { ...value, o: "not-a-uuid" }]) {
      const reply = await slack.pressAndRead(li, { ...button, value: JSON.stringify(forged) });
      expect(visibleText(reply.blocks as Blocks)).not.toContain("Recorded an order");
    }
    expect(await ordersOf("Acme Ltd")).toBe(before);
  });

  it("asks over ORDER_CONFIRM_ABOVE in the base currency, in Chinese, and echoes the converted amount", async () => {
    const before = await ordersOf("阿里巴巴集团");
    const ask = await slack.ask(wang, "/order", "阿里巴巴 1.5万美元 年度服务 于 11月30日");
    expect(ask.text).toContain("USD 15,000.00 超过了 CNY 100,000.00");
    expect(ask.text).toContain("折合 CNY 106,500.00");
    expect(ask.text).toContain("订单日期：2026年11月30日。");
    expect(await ordersOf("阿里巴巴集团")).toBe(before);
    const done = await slack.pressAndRead(wang, findButton(ask.blocks, "order.confirm", "确认记录"));
    expect(visibleText(done.blocks as Blocks)).toContain("已记录 阿里巴巴集团 的一笔订单，金额 USD 15,000.00，产品：年度服务。");
    expect((await rowsOf("阿里巴巴集团")).at(-1)).toEqual({ amount: "15000.00", currency: "USD", base_amount: "106500.00", product: "年度服务", day: "2026-11-30" });
  });
});

describe("the order form", () => {
  async function openOrderForm(customer: string): Promise<Record<string, unknown>> {
    const card = await slack.ask(li, "/customer", customer);
    const { triggerId } = await slack.press(li, findButton(card.blocks, "customer.orderForm"));
    return slack.openedView(triggerId);
  }

  const initial = (view: Record<string, unknown>, field: string) =>
    ((view.blocks as { block_id: string; element: { initial_value?: string } }[]).find((b) => b.block_id === field)?.element.initial_value);

  it("offers the base currency for a customer without orders, and the latest order's currency after one", async () => {
    expect(initial(await openOrderForm("Gamma Trading"), "currency")).toBe("CNY");
    await slack.ask(li, "/order", "Gamma 300 EUR on 2026-11-01");
    await slack.ask(li, "/order", "Gamma 200 JPY on 2026-10-01");
    const view = await openOrderForm("Gamma Trading");
    expect(initial(view, "currency")).toBe("EUR");
    expect(initial(view, "date")).toBe("2026-12-05");

    // The default currency applies to a bare amount; a date phrase works in the date field.
    const ok = await slack.submit(li, view, { amount: "150", currency: "EUR", product: "samples", date: "yesterday" });
    expect(ok.status).toBe(200);
    expect((await rowsOf("Gamma Trading")).at(-1)).toEqual({ amount: "150.00", currency: "EUR", base_amount: "1155.00", product: "samples", day: "2026-12-04" });
  });

  it("lets a currency in the amount win over the untouched default, and refuses a contradicting one the rep chose", async () => {
    const view = await openOrderForm("Gamma Trading");
    await slack.submit(li, view, { amount: "100美元", currency: "EUR", product: "", date: "2026-12-05" });
    expect((await rowsOf("Gamma Trading")).at(-1)).toMatchObject({ amount: "100.00", currency: "USD" });
    const before = await ordersOf("Gamma Trading");
    const clash = await slack.submit(li, view, { amount: "100美元", currency: "GBP", product: "", date: "2026-12-05" });
    expect(clash.json()).toMatchObject({ response_action: "errors", errors: { currency: "The amount says USD but the currency field says GBP. Make them agree." } });
    const unknown = await slack.submit(li, view, { amount: "100", currency: "XYZ", product: "", date: "2026-12-05" });
    expect(unknown.json()).toMatchObject({ response_action: "errors", errors: { currency: expect.stringContaining("“XYZ” is not a currency I know") as string } });
    const badDate = await slack.submit(li, view, { amount: "100", currency: "EUR", product: "", date: "2026-02-30" });
    expect(badDate.json()).toMatchObject({ response_action: "errors", errors: { date: expect.stringContaining("“2026-02-30” is not a date") as string } });
    expect(await ordersOf("Gamma Trading")).toBe(before);
  });

  it("asks before writing an unusual amount from the form too", async () => {
    const before = await ordersOf("Acme Ltd");
    const view = await openOrderForm("Acme Ltd");
    const submitted = await slack.submit(li, view, { amount: "700000", currency: "CNY", product: "", date: "2026-12-03" });
    expect(submitted.status).toBe(200);
    expect(submitted.text).toBe("");
    const posted = await eventually(() => t.slack.callsTo("chat.postEphemeral").find((c) => visibleText((c.body.blocks ?? []) as Blocks).includes("CNY 700,000.00 is more than 100 times")));
    expect(await ordersOf("Acme Ltd")).toBe(before);
    const done = await slack.pressAndRead(li, findButton(posted.body.blocks as Blocks, "order.confirm"));
    expect(visibleText(done.blocks as Blocks)).toContain("Order date: Dec 3, 2026.");
    expect(await ordersOf("Acme Ltd")).toBe(before + 1);
  });
});

describe("the which-customer button keeps currency and date", () => {
  it("records what was typed once the rep picks the customer", async () => {
    await slack.ask(li, "/customer", "add Acme Robotics");
    const ambiguous = await slack.ask(li, "/order", "acm 1.5k HK$ gears on 昨天");
    const pick = findButton(ambiguous.blocks, "customer.pick");
    const done = await slack.pressAndRead(li, pick);
    const text = visibleText(done.blocks as Blocks);
    expect(text).toMatch(/Recorded an order of HKD 1,500\.00 from Acme (Ltd|Robotics) for gears\./);
    expect(text).toContain("Order date: Dec 4, 2026.");
  });
});
