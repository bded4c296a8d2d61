import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTerminal } from "../../adapters/local/terminal.js";
import { eventually } from "../fakes/fake-slack-api.js";
import { startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { actor, createTestCore } from "../support/core.js";
import { SlackDriver, buttonsIn, findButton, visibleText, type SlackButton, type SlackUser } from "../support/slack-driver.js";

/**
 * Correcting and deleting orders and logged interactions through the real bot and the fake
 * Slack (signed requests, modals through view submissions) and through the terminal demo:
 * Correct and Delete on the answer after recording and in /history, the forms filled in and
 * checked as new entries are, Undo, `/order undo` and `/log undo` in English and Chinese, who may
 * change what, stale forms, double presses and concurrent corrections. The bot's clock is frozen
 * at Saturday 5 December 2026, 12:00 in Shanghai.
 */
const NOW = new Date("2026-12-05T04:00:00Z");

let t: BotUnderTest;
let slack: SlackDriver;
const li: SlackUser = { id: "U0LINA", name: "li.na" };
const tom: SlackUser = { id: "U0TOM", name: "tom" };
const wang: SlackUser = { id: "U0WANG", name: "wang.wei" };
const boss: SlackUser = { id: "U0BOSS", name: "boss" };

type Blocks = Record<string, unknown>[];

async function rows<T extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.db.sql.query<T>(sql, params)).rows;
}

/** The id an entry button carries ("order:<uuid>"). */
const idOf = (button: SlackButton) => button.value.split(":")[1]!;

async function order(id: string) {
  const [row] = await rows<Record<string, unknown>>(
    `SELECT amount::text, currency, base_amount::text, product, to_char(ordered_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS day, deleted_at IS NOT NULL AS deleted
     FROM orders WHERE id = $1`,
    [id],
  );
  return row;
}

/** customer_stats as kept, and the same figures counted from the live rows. */
async function statsAndScratch(customer: string) {
  const [kept] = await rows<{ orders: number; total: string; interactions: number }>(
    `SELECT s.order_count AS orders, s.total_spent::text AS total, s.interaction_count AS interactions
     FROM customer_stats s JOIN customers c ON c.id = s.customer_id WHERE c.name = $1`,
    [customer],
  );
  const [scratch] = await rows<{ orders: number; total: string; interactions: number }>(
    `SELECT (SELECT count(*)::int FROM orders o WHERE o.customer_id = c.id AND o.deleted_at IS NULL) AS orders,
            (SELECT coalesce(sum(base_amount), 0)::numeric(16,2)::text FROM orders o WHERE o.customer_id = c.id AND o.deleted_at IS NULL) AS total,
            (SELECT count(*)::int FROM interactions i WHERE i.customer_id = c.id AND i.deleted_at IS NULL) AS interactions
     FROM customers c WHERE c.name = $1`,
    [customer],
  );
  return { kept, scratch };
}

async function audits(action: string, entityId: string) {
  return rows<{ actor_id: string; detail: Record<string, Record<string, unknown>> }>("SELECT actor_id, detail FROM audit_log WHERE action = $1 AND entity_id = $2 ORDER BY id", [action, entityId]);
}

/** Presses a button that opens a form and returns the form (the modal Slack was asked to open). */
async function openForm(user: SlackUser, button: SlackButton): Promise<Record<string, unknown>> {
  const { triggerId } = await slack.press(user, button);
  return slack.openedView(triggerId);
}

const initial = (view: Record<string, unknown>, field: string) =>
  (view.blocks as { block_id: string; element: { initial_value?: string } }[]).find((b) => b.block_id === field)?.element.initial_value;

/** The private message posted to `user` after a form closed, containing `text`. */
async function posted(user: SlackUser, text: string): Promise<{ text: string; blocks: Blocks }> {
  const call = await eventually(() => t.slack.callsTo("chat.postEphemeral").find((c) => c.body.user === user.id && visibleText((c.body.blocks ?? []) as Blocks).includes(text)));
  const blocks = call.body.blocks as Blocks;
  return { text: visibleText(blocks), blocks };
}

async function press(user: SlackUser, button: SlackButton): Promise<{ text: string; blocks: Blocks; replaceOriginal: unknown }> {
  const body = await slack.pressAndRead(user, button);
  return { text: visibleText(body.blocks as Blocks), blocks: body.blocks as Blocks, replaceOriginal: body.replace_original };
}

beforeAll(async () => {
  // A low ceiling, so a corrected amount can trip the outlier guard; an admin named by the list.
  t = await startBotUnderTest({ now: () => NOW, env: { ORDER_CONFIRM_ABOVE: "100000", ADMIN_SLACK_USER_IDS: boss.id } });
  slack = new SlackDriver(t.base, t.slack);
  t.slack.addUser({ id: li.id, name: li.name, realName: "Li Na", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: tom.id, name: tom.name, realName: "Tom Becker", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: wang.id, name: wang.name, realName: "王伟", locale: "zh-CN", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: boss.id, name: boss.name, realName: "The Boss", locale: "en-US", tz: "Asia/Shanghai" });
  await slack.ask(li, "/customer", "add Acme Ltd");
  await slack.ask(wang, "/customer", "add 阿里巴巴集团");
  await slack.ask(tom, "/customer", "add Tom Traders");
  await slack.ask(li, "/customer", "add Parallel Co");
});
afterAll(() => t.stop());

describe("correcting an order", () => {
  let recorded: { blocks: Blocks };
  let orderId: string;

  it("offers Correct and Delete with the answer, and Correct opens the order form filled in", async () => {
    recorded = await slack.ask(li, "/order", "Acme 1200 CNY licence on 2026-12-01");
    expect(visibleText(recorded.blocks)).toContain("Recorded an order of CNY 1,200.00 from Acme Ltd for licence.");
    const correct = findButton(recorded.blocks, "entry.correct", "Correct");
    findButton(recorded.blocks, "entry.delete", "Delete");
    orderId = idOf(correct);
    const view = await openForm(li, correct);
    expect(view.callback_id).toBe("order.correct");
    expect([initial(view, "amount"), initial(view, "currency"), initial(view, "product"), initial(view, "date")]).toEqual(["1200.00", "CNY", "licence", "2026-12-01"]);
  });

  it("writes what the form says, echoes before → after, keeps the aggregates exact and audits it", async () => {
    const view = await openForm(li, findButton(recorded.blocks, "entry.correct"));
    const submitted = await slack.submit(li, view, { amount: "1500", currency: "CNY", product: "support licence", date: "2026-12-02" });
    expect(submitted.status).toBe(200);
    const done = await posted(li, "Corrected the order of Acme Ltd:");
    expect(done.text).toContain("Amount: CNY 1,200.00 → CNY 1,500.00");
    expect(done.text).toContain("Product: licence → support licence");
    expect(done.text).toContain("Order date: Dec 1, 2026 → Dec 2, 2026");
    findButton(done.blocks, "entry.correct");
    expect(await order(orderId)).toEqual({ amount: "1500.00", currency: "CNY", base_amount: "1500.00", product: "support licence", day: "2026-12-02", deleted: false });
    const { kept, scratch } = await statsAndScratch("Acme Ltd");
    expect(kept).toEqual(scratch);
    expect(kept!.total).toBe("1500.00");
    const [audit, ...more] = await audits("order.correct", orderId);
    expect(more).toHaveLength(0);
    expect(audit!.detail.before).toMatchObject({ amount: "1200.00", product: "licence", orderedAt: expect.stringContaining("2026-12-01") as string });
    expect(audit!.detail.after).toMatchObject({ amount: "1500.00", product: "support licence", orderedAt: expect.stringContaining("2026-12-02") as string });
    const card = await slack.ask(li, "/customer", "Acme Ltd");
    expect(card.text).toContain("CNY 1,500.00");
  });

  it("checks the form as a new order: currency words, amounts, product length and dates; bad input changes nothing", async () => {
    const view = await openForm(li, findButton(recorded.blocks, "entry.correct"));
    const cases: [Record<string, string>, string, string][] = [
      [{ amount: "1500", currency: "XYZ", product: "", date: "2026-12-02" }, "currency", "“XYZ” is not a currency I know"],
      [{ amount: "12OO", currency: "CNY", product: "", date: "2026-12-02" }, "amount", "“12OO” is not an amount"],
      [{ amount: "1500", currency: "CNY", product: "", date: "2026-02-30" }, "date", "“2026-02-30” is not a date"],
      [{ amount: "1500", currency: "CNY", product: "", date: "2026-12-24" }, "date", "is in the future"],
      [{ amount: "1500", currency: "CNY", product: "p".repeat(201), date: "2026-12-02" }, "product", "The product name is too long"],
      [{ amount: "100美元", currency: "GBP", product: "", date: "2026-12-02" }, "currency", "The amount says USD but the currency field says GBP"],
    ];
    for (const [values, field, message] of cases) {
      const reply = await slack.submit(li, view, values);
      expect(reply.json(), JSON.stringify(values)).toMatchObject({ response_action: "errors", errors: { [field]: expect.stringContaining(message) as string } });
    }
    expect(await order(orderId)).toMatchObject({ amount: "1500.00", product: "support licence", day: "2026-12-02" });
  });

  it("reads a date phrase and a currency in the amount, as the order form does", async () => {
    const view = await openForm(li, findButton(recorded.blocks, "entry.correct"));
    await slack.submit(li, view, { amount: "200 USD", currency: "CNY", product: "support licence", date: "yesterday" });
    const done = await posted(li, "Amount: CNY 1,500.00 → USD 200.00");
    expect(done.text).toContain("Counted as: CNY 1,500.00 → CNY 1,420.00");
    expect(done.text).toContain("Order date: Dec 2, 2026 → Dec 4, 2026");
    expect(await order(orderId)).toMatchObject({ amount: "200.00", currency: "USD", base_amount: "1420.00", day: "2026-12-04" });
  });

  it("refuses a form opened before someone else's correction: no lost update", async () => {
    const first = await openForm(li, findButton(recorded.blocks, "entry.correct"));
    const second = await openForm(boss, findButton(recorded.blocks, "entry.correct"));
    await slack.submit(li, first, { amount: "250", currency: "USD", product: "support licence", date: "2026-12-04" });
    await posted(li, "Amount: USD 200.00 → USD 250.00");
    const stale = await slack.submit(boss, second, { amount: "300", currency: "USD", product: "support licence", date: "2026-12-04" });
    expect(stale.json()).toMatchObject({ response_action: "errors", errors: { amount: expect.stringContaining("Someone changed this entry after the form was opened, so nothing was saved.") as string } });
    expect(await order(orderId)).toMatchObject({ amount: "250.00" });
  });

  it("asks before writing an unusual corrected amount, and the confirmation is checked again", async () => {
    const view = await openForm(li, findButton(recorded.blocks, "entry.correct"));
    const submitted = await slack.submit(li, view, { amount: "200000", currency: "CNY", product: "support licence", date: "2026-12-04" });
    expect(submitted.status).toBe(200);
    const ask = await posted(li, "CNY 200,000.00 is more than CNY 100,000.00");
    expect(ask.text).toContain("To correct: the order of Acme Ltd becomes CNY 200,000.00.");
    expect(ask.text).toContain("Nothing is changed until you press “Correct it”.");
    expect(await order(orderId)).toMatchObject({ amount: "250.00", currency: "USD" });
    const confirm = findButton(ask.blocks, "order.correctConfirm");
    const forged = { ...confirm, value: JSON.stringify({ ...(JSON.parse(confirm.value) as object), a: "-5" }) };
    expect((await press(li, forged)).text).not.toContain("Corrected");
    expect(await order(orderId)).toMatchObject({ amount: "250.00" });
    const done = await press(li, confirm);
    expect(done.replaceOriginal).toBe(true);
    expect(done.text).toContain("Amount: USD 250.00 → CNY 200,000.00");
    expect(await order(orderId)).toMatchObject({ amount: "200000.00", currency: "CNY", base_amount: "200000.00" });
    // Pressed again: the form's stamp no longer matches, nothing is written twice.
    expect((await press(li, confirm)).text).toContain("Someone changed this entry");
    expect(await audits("order.correct", orderId)).toHaveLength(4);
  });

  it("corrects in Chinese, with a Chinese amount and currency", async () => {
    const reply = await slack.ask(wang, "/order", "阿里巴巴 5000 年度服务 于 12月1日");
    const view = await openForm(wang, findButton(reply.blocks, "entry.correct", "更正"));
    expect(view.callback_id).toBe("order.correct");
    await slack.submit(wang, view, { amount: "1.2万港币", currency: "CNY", product: "年度服务", date: "12月1日" });
    const done = await posted(wang, "已更正 阿里巴巴集团 的订单：");
    expect(done.text).toContain("金额：CNY 5,000.00 → HKD 12,000.00");
    expect(done.text).toContain("折合：CNY 5,000.00 → CNY 10,920.00");
    expect(done.text).not.toContain("订单日期：");
  });
});

describe("deleting an order and Undo", () => {
  it("deletes softly with Undo, says so once, and a second press changes nothing", async () => {
    await slack.ask(li, "/customer", "add Solo Buyer");
    const reply = await slack.ask(li, "/order", "Solo Buyer 880 gears on 2026-12-03");
    expect((await rows("SELECT stage FROM customers WHERE name = 'Solo Buyer'"))[0]).toEqual({ stage: "ACTIVE" });
    const del = findButton(reply.blocks, "entry.delete");
    const id = idOf(del);
    const deleted = await press(li, del);
    expect(deleted.text).toContain("Deleted the order of CNY 880.00 from Solo Buyer for gears (Dec 3, 2026).");
    // A stage a purchase set is not undone with it, and the answer says so.
    expect(deleted.text).toContain("Solo Buyer stays active: deleting an order does not undo a stage.");
    expect(deleted.text).toContain("“Undo” brings it back.");
    expect(await order(id)).toMatchObject({ deleted: true });
    expect((await rows("SELECT stage FROM customers WHERE name = 'Solo Buyer'"))[0]).toEqual({ stage: "ACTIVE" });
    const { kept, scratch } = await statsAndScratch("Solo Buyer");
    expect(kept).toEqual(scratch);
    expect(kept!.orders).toBe(0);
    expect((await slack.ask(li, "/history", "Solo Buyer")).text).toContain("Nothing recorded for Solo Buyer yet.");

    const again = await press(li, del);
    expect(again.text).toContain("That entry was already deleted; nothing changed.");
    const [audit, ...more] = await audits("order.delete", id);
    expect(more).toHaveLength(0);
    // The order's terms as it was deleted, and the deletion as before → after.
    expect(audit!.detail.entry).toMatchObject({ amount: "880.00" });
    expect(audit!.detail.before).toEqual({ deletedAt: null });
    expect(audit!.detail.after).toMatchObject({ deletedAt: NOW.toISOString() });

    const undo = findButton(deleted.blocks, "entry.restore", "Undo");
    const restored = await press(li, undo);
    expect(restored.replaceOriginal).toBe(true);
    expect(restored.text).toContain("Restored the order of CNY 880.00 from Solo Buyer (Dec 3, 2026).");
    findButton(restored.blocks, "entry.correct");
    expect(await order(id)).toMatchObject({ deleted: false });
    expect((await statsAndScratch("Solo Buyer")).kept).toMatchObject({ orders: 1, total: "880.00" });
    expect((await press(li, undo)).text).toContain("That entry is not deleted; nothing changed.");
    expect(await audits("order.restore", id)).toHaveLength(1);
  });

  it("a double press at once deletes once and audits once", async () => {
    const reply = await slack.ask(li, "/order", "Parallel Co 10 samples on 2026-11-02");
    const del = findButton(reply.blocks, "entry.delete");
    const answers = await Promise.all([press(li, del), press(li, del)]);
    expect(answers.filter((a) => a.text.startsWith("Deleted the order of CNY 10.00 from Parallel Co for samples")).length).toBe(1);
    expect(answers.filter((a) => a.text.startsWith("That entry was already deleted; nothing changed.")).length).toBe(1);
    expect(await audits("order.delete", idOf(del))).toHaveLength(1);
  });
});

describe("/order undo and /log undo", () => {
  it("delete the rep's own latest entry of the last 24 hours, and say when there is none", async () => {
    await slack.ask(tom, "/order", "Tom Traders 100");
    await slack.ask(tom, "/order", "Tom Traders 200");
    // Another rep's order is never theirs to undo.
    await slack.ask(li, "/order", "Tom Traders 70");
    const first = await slack.ask(tom, "/order", "undo");
    expect(first.text).toContain("Deleted the order of CNY 200.00 from Tom Traders (Dec 5, 2026).");
    findButton(first.blocks, "entry.restore");
    const second = await slack.ask(tom, "/crm", "order undo");
    expect(second.text).toContain("Deleted the order of CNY 100.00 from Tom Traders");
    expect((await slack.ask(tom, "/order", "undo")).text).toContain("You have recorded no order in the last 24 hours, so there is nothing to undo.");
    // Entered more than 24 hours ago (by the database's clock, which wrote created_at): not undone.
    await slack.ask(tom, "/order", "Tom Traders 50");
    await t.db.sql.query("UPDATE orders SET created_at = now() - interval '25 hours' WHERE amount = 50");
    expect((await slack.ask(tom, "/order", "undo")).text).toContain("nothing to undo");
    const live = await rows<{ amount: string }>("SELECT o.amount::text FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.name = 'Tom Traders' AND o.deleted_at IS NULL ORDER BY o.amount");
    expect(live.map((r) => r.amount)).toEqual(["50.00", "70.00"]);
    const { kept, scratch } = await statsAndScratch("Tom Traders");
    expect(kept).toEqual(scratch);
  });

  it("in Chinese: 撤销 and 撤回", async () => {
    await slack.ask(wang, "/order", "阿里巴巴 500");
    const undone = await slack.ask(wang, "/order", "撤销");
    expect(undone.text).toContain("已删除 阿里巴巴集团 的订单，金额 CNY 500.00（2026年12月5日）。");
    expect(undone.text).toContain("按“撤销”可恢复。");
    await slack.ask(wang, "/log", "阿里巴巴 电话：确认了报价");
    const log = await slack.ask(wang, "/crm", "记录 撤回");
    expect(log.text).toContain("已删除 阿里巴巴集团");
    expect(log.text).toContain("确认了报价");
    expect((await slack.ask(wang, "/crm", "记录 撤回")).text).toContain("你在过去 24 小时内没有记录任何内容，没有可撤销的内容。");
  });

  it("/log undo deletes the latest note, and the counts follow", async () => {
    await slack.ask(tom, "/log", "Tom Traders call: first call");
    const before = await statsAndScratch("Tom Traders");
    const undone = await slack.ask(tom, "/log", "undo");
    expect(undone.text).toContain("Deleted the call for Tom Traders of Dec 5, 2026: “first call”.");
    const after = await statsAndScratch("Tom Traders");
    expect(after.kept).toEqual(after.scratch);
    expect(after.kept!.interactions).toBe(before.kept!.interactions - 1);
    expect(await rows("SELECT body FROM interactions WHERE body = 'first call' AND deleted_at IS NULL")).toEqual([]);
  });

  it("help lists the new forms with examples", async () => {
    const help = await slack.ask(li, "/crm", "help");
    expect(help.text).toContain("/order undo");
    expect(help.text).toContain("/log undo");
    expect(help.text).toContain("/order 撤销");
  });
});

describe("correcting a logged interaction", () => {
  it("opens the log form with the channel word, and writes the new channel and text", async () => {
    const reply = await slack.ask(li, "/log", "Acme call: discussed renewal");
    const correct = findButton(reply.blocks, "entry.correct");
    const view = await openForm(li, correct);
    expect(view.callback_id).toBe("log.correct");
    expect(initial(view, "text")).toBe("call: discussed renewal");
    expect((await slack.submit(li, view, { text: "  " })).json()).toMatchObject({ response_action: "errors", errors: { text: "Fill this in." } });
    await slack.submit(li, view, { text: "meeting: discussed renewal and pricing" });
    const done = await posted(li, "Corrected the entry for Acme Ltd:");
    expect(done.text).toContain("Kind: call → meeting");
    expect(done.text).toContain("Text: “discussed renewal” → “discussed renewal and pricing”");
    expect(await rows("SELECT channel, body FROM interactions WHERE id = $1", [idOf(correct)])).toEqual([{ channel: "MEETING", body: "discussed renewal and pricing" }]);
    const [audit] = await audits("interaction.correct", idOf(correct));
    // The note's text is recorded as a field that changed, never as its words.
    expect(audit!.detail).toMatchObject({ fields: ["channel", "body"], before: { channel: "CALL" }, after: { channel: "MEETING" } });
    expect(JSON.stringify(audit!.detail)).not.toContain("discussed");
  });

  it("in Chinese, with the Chinese channel word", async () => {
    const reply = await slack.ask(wang, "/log", "阿里巴巴 电话：确认了交期");
    const view = await openForm(wang, findButton(reply.blocks, "entry.correct"));
    expect(initial(view, "text")).toBe("电话：确认了交期");
    await slack.submit(wang, view, { text: "会议：确认了交期和付款" });
    const done = await posted(wang, "已更正 阿里巴巴集团 的一条记录：");
    expect(done.text).toContain("类型：电话 → 会议");
    expect(done.text).toContain("内容：“确认了交期” → “确认了交期和付款”");
  });
});

describe("who may correct and delete", () => {
  let liOrder: { blocks: Blocks };

  beforeAll(async () => {
    liOrder = await slack.ask(li, "/order", "Acme 400 bolts on 2026-11-20");
  });

  it("refuses another rep clearly and changes nothing", async () => {
    const del = findButton(liOrder.blocks, "entry.delete");
    const refused = await press(tom, del);
    expect(refused.text).toContain("You may not change this entry: only whoever wrote it (Li Na), the customer’s owner (Li Na), managers and admins may. Nothing was changed.");
    const correct = await press(tom, findButton(liOrder.blocks, "entry.correct"));
    expect(correct.text).toContain("You may not change this entry");
    expect(await order(idOf(del))).toMatchObject({ amount: "400.00", deleted: false });
    expect(await audits("order.delete", idOf(del))).toHaveLength(0);
  });

  it("shows Correct and Delete in /history only on the entries the reader may change", async () => {
    const mine = await slack.ask(tom, "/order", "Acme 80 washers");
    const theirs = await slack.ask(tom, "/history", "Acme Ltd");
    const buttons = buttonsIn(theirs.blocks).filter((b) => b.action_id.startsWith("entry.correct#"));
    expect(buttons.map(idOf)).toEqual([idOf(findButton(mine.blocks, "entry.correct"))]);
    // The owner sees them on every entry the team wrote.
    const owners = await slack.ask(li, "/history", "Acme Ltd");
    const entries = await rows<{ n: number }>(
      `SELECT ((SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.name = 'Acme Ltd' AND o.deleted_at IS NULL)
             + (SELECT count(*) FROM interactions i JOIN customers c ON c.id = i.customer_id WHERE c.name = 'Acme Ltd' AND i.deleted_at IS NULL))::int AS n`,
    );
    expect(buttonsIn(owners.blocks).filter((b) => b.action_id.startsWith("entry.delete#"))).toHaveLength(Math.min(10, entries[0]!.n));
    // The author may change their own entry on someone else's customer.
    const view = await openForm(tom, findButton(mine.blocks, "entry.correct"));
    await slack.submit(tom, view, { amount: "85", currency: "CNY", product: "washers", date: "2026-12-05" });
    await posted(tom, "Amount: CNY 80.00 → CNY 85.00");
  });

  it("lets an admin delete anyone's entry", async () => {
    const del = findButton(liOrder.blocks, "entry.delete");
    expect((await press(boss, del)).text).toContain("Deleted the order of CNY 400.00 from Acme Ltd for bolts");
    const [audit] = await audits("order.delete", idOf(del));
    const [bossRow] = await rows<{ id: string }>("SELECT id FROM users WHERE external_id = $1", [boss.id]);
    expect(audit!.actor_id).toBe(bossRow!.id);
  });

  it("keeps a customer's own messages as they are: no buttons, and a forged press is refused", async () => {
    const [inserted] = await rows<{ id: string }>(
      `INSERT INTO interactions (id, customer_id, channel, direction, body, occurred_at)
       SELECT gen_random_uuid(), id, 'WECHAT', 'INBOUND', '价格太贵了', $1 FROM customers WHERE name = 'Acme Ltd' RETURNING id`,
      [new Date("2026-12-05T03:00:00Z")],
    );
    const id = inserted!.id;
    const history = await slack.ask(li, "/history", "Acme Ltd");
    expect(history.text).toContain("价格太贵了");
    expect(buttonsIn(history.blocks).map((b) => b.value)).not.toContain(`interaction:${id}`);
    const refused = await press(li, { action_id: "entry.delete#0", value: `interaction:${id}`, text: { text: "Delete" } });
    expect(refused.text).toContain("This is a message exchanged with the customer: it stays as it was sent or received.");
    expect(await rows("SELECT deleted_at FROM interactions WHERE id = $1", [id])).toEqual([{ deleted_at: null }]);
  });
});

describe("concurrent corrections", () => {
  it("two corrections of one customer's orders at once both land, and the aggregates are exact", async () => {
    const a = await slack.ask(li, "/order", "Parallel Co 100 a on 2026-10-01");
    const b = await slack.ask(li, "/order", "Parallel Co 200 b on 2026-09-01");
    const c = await slack.ask(li, "/order", "Parallel Co 300 c on 2026-08-01");
    const [viewA, viewB] = await Promise.all([openForm(li, findButton(a.blocks, "entry.correct")), openForm(li, findButton(b.blocks, "entry.correct"))]);
    const [okA, okB, delC] = await Promise.all([
      slack.submit(li, viewA, { amount: "1000", currency: "CNY", product: "a", date: "2026-11-15" }),
      slack.submit(li, viewB, { amount: "2000", currency: "EUR", product: "b", date: "2026-09-01" }),
      press(li, findButton(c.blocks, "entry.delete")),
    ]);
    expect([okA.status, okB.status]).toEqual([200, 200]);
    expect(delC.text).toContain("Deleted the order of CNY 300.00");
    expect(await order(idOf(findButton(a.blocks, "entry.correct")))).toMatchObject({ amount: "1000.00", day: "2026-11-15" });
    expect(await order(idOf(findButton(b.blocks, "entry.correct")))).toMatchObject({ amount: "2000.00", currency: "EUR" });
    const { kept, scratch } = await statsAndScratch("Parallel Co");
    expect(kept).toEqual(scratch);
    // 1000 CNY + 2000 EUR at 7.7, and nothing of the deleted 300 or the deleted 10.
    expect(kept).toMatchObject({ orders: 2, total: "16400.00" });
    const months = await rows<{ orders: number[]; revenue: string[] }>(
      "SELECT m.orders, m.revenue::text[] AS revenue FROM customer_order_months m JOIN customers c ON c.id = m.customer_id WHERE c.name = 'Parallel Co'",
    );
    expect(months).toEqual([{ orders: [1, 1, 2], revenue: ["15400.00", "15400.00", "16400.00"] }]);
  });
});

describe("the terminal demo", () => {
  it("corrects, deletes and undoes with numbered buttons and the form", async () => {
    const { core } = createTestCore(t.db.store, { now: NOW });
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = "";
    // Money is formatted with a no-break space between code and amount.
    output.on("data", (chunk: Buffer) => (printed += chunk.toString().replace(/\u00a0/g, " ")));
    const done = runTerminal({ core, actor: actor("demo-corrections", { platform: "local", displayName: "Demo Rep" }), input, output });
    input.end(
      [
        "/customer add Terminal Co",
        "/order Terminal Co 1200 CNY licence",
        "1", // Correct: the form, filled in
        "1300", // amount
        "", // currency kept
        "", // product kept
        "", // date kept
        "2", // Delete
        "1", // Undo
        "/order undo",
        "exit",
      ].join("\n") + "\n",
    );
    await done;
    expect(printed).toContain("[1] Correct  [2] Delete  [3] Open");
    expect(printed).toContain("Amount [1200.00]");
    expect(printed).toContain("Amount: CNY 1,200.00 → CNY 1,300.00");
    expect(printed).toContain("Deleted the order of CNY 1,300.00 from Terminal Co for licence (Dec 5, 2026).");
    expect(printed).toContain("Restored the order of CNY 1,300.00 from Terminal Co (Dec 5, 2026).");
    expect(printed.split("Deleted the order of CNY 1,300.00").length).toBe(3);
    const [row] = await rows<{ amount: string; deleted: boolean }>(
      "SELECT o.amount::text, o.deleted_at IS NOT NULL AS deleted FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.name = 'Terminal Co'",
    );
    expect(row).toEqual({ amount: "1300.00", deleted: true });
  });
});
