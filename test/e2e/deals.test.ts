import { randomUUID } from "node:crypto";
import { PassThrough } from "node:stream";
import { runTerminal } from "../../adapters/local/terminal.js";
import { actor, createTestCore } from "../support/core.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../fakes/fake-slack-api.js";
import { SIGNING_SECRET, startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { SlackDriver, buttonsIn, findButton, visibleText, type SlackButton, type SlackUser } from "../support/slack-driver.js";
import { interactivityBody, postToSlackEndpoint } from "../support/slack-requests.js";

/**
 * /deal through the real bot and the fake Slack: adding a deal with /order's money and dates,
 * the lists, every button (next stage, the stage menu, won with its order, lost with its form,
 * edit, delete with Slack's confirm), the timeline, who may change a deal, and the admin's
 * pipeline stages; in English and Chinese. The clock is frozen at Saturday 5 December 2026,
 * 12:00 in Shanghai.
 */
const NOW = new Date("2026-12-05T04:00:00Z");

let t: BotUnderTest;
let slack: SlackDriver;
const li = { id: "U0LINA", name: "li.na" };
const wang = { id: "U0WANG", name: "wang.wei" };
const boss = { id: "U0BOSS", name: "boss" };

type Blocks = Record<string, unknown>[];

async function rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.db.sql.query(sql, params)).rows as T[];
}
const dealCount = async () => Number((await rows<{ n: string }>("SELECT count(*) AS n FROM deals"))[0]!.n);
const dealNamed = async (title: string) =>
  (await rows<Record<string, unknown>>(
    `SELECT id, stage, status, amount::text, currency, base_amount::text, lost_reason, lost_note, owner_id, created_by_id, deleted_at,
            to_char(expected_close_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS close_day
     FROM deals WHERE title = $1`, [title]))[0]!;
/** A deal's moves, sorted: the clock is frozen, so they all happen at the same instant. */
const historyOf = async (dealId: unknown) => (await rows<{ from_stage: string | null; to_stage: string }>("SELECT from_stage, to_stage FROM deal_stage_changes WHERE deal_id = $1", [dealId])).map((r) => `${r.from_stage ?? "-"}>${r.to_stage}`).sort();
const userId = async (user: SlackUser) => (await rows<{ id: string }>("SELECT id FROM users WHERE external_id = $1", [user.id]))[0]!.id;

async function press(user: SlackUser, button: SlackButton): Promise<{ text: string; blocks: Blocks }> {
  const body = await slack.pressAndRead(user, button);
  return { text: visibleText(body.blocks as Blocks), blocks: body.blocks as Blocks };
}

async function openForm(user: SlackUser, button: SlackButton): Promise<Record<string, unknown>> {
  const { triggerId } = await slack.press(user, button);
  return slack.openedView(triggerId);
}

/** The private message posted to `user` after a form closed, containing `text`. */
async function posted(user: SlackUser, text: string): Promise<string> {
  const call = await eventually(() => t.slack.callsTo("chat.postEphemeral").find((c) => c.body.user === user.id && visibleText((c.body.blocks ?? []) as Blocks).includes(text)));
  return visibleText(call.body.blocks as Blocks);
}

interface SelectElement { type: string; action_id: string; options: { value: string; text: { text: string } }[] }
const selectIn = (blocks: Blocks): SelectElement => {
  const found = buttonsIn(blocks).find((b) => (b as unknown as SelectElement).type === "static_select");
  if (!found) throw new Error(`no stage menu in ${JSON.stringify(blocks).slice(0, 300)}`);
  return found as unknown as SelectElement;
};

/** Picks an option of a message's static select, as Slack sends it (block_actions, selected_option). */
async function choose(user: SlackUser, select: SelectElement, label: string): Promise<{ text: string; blocks: Blocks }> {
  const option = select.options.find((o) => o.text.text === label);
  if (!option) throw new Error(`no option ${label} in ${select.options.map((o) => o.text.text).join(", ")}`);
  const responseUrl = t.slack.responseUrl(randomUUID());
  const payload = {
    type: "block_actions", user: { id: user.id, username: user.name, name: user.name, team_id: "T0001" }, api_app_id: "A0CRM", token: "x",
    container: { type: "message", message_ts: "1700000000.000100", channel_id: "C0SALES", is_ephemeral: true }, trigger_id: `${Date.now()}.5.${randomUUID().slice(0, 8)}`,
    team: { id: "T0001", domain: "acme-sales" }, channel: { id: "C0SALES", name: "sales" }, response_url: responseUrl,
    actions: [{ type: "static_select", action_id: select.action_id, block_id: "b1", selected_option: { value: option.value, text: { type: "plain_text", text: label } }, action_ts: `${Date.now() / 1000}` }],
  };
  const http = await postToSlackEndpoint(`${t.base}/slack/events`, interactivityBody(payload), "application/x-www-form-urlencoded", { secret: SIGNING_SECRET });
  expect(http.status).toBe(200);
  const path = new URL(responseUrl).pathname;
  const body = (await eventually(() => t.slack.responses.find((r) => r.path === path))).body;
  return { text: visibleText(body.blocks as Blocks), blocks: body.blocks as Blocks };
}

beforeAll(async () => {
  t = await startBotUnderTest({ now: () => NOW, env: { ADMIN_SLACK_USER_IDS: boss.id } });
  slack = new SlackDriver(t.base, t.slack);
  t.slack.addUser({ id: li.id, name: li.name, realName: "Li Na", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: wang.id, name: wang.name, realName: "王伟", locale: "zh-CN", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: boss.id, name: boss.name, realName: "The Boss", locale: "en-US", tz: "Asia/Shanghai" });
  await slack.ask(li, "/customer", "add Acme Ltd");
  await slack.ask(wang, "/customer", "add 阿里巴巴集团");
  await slack.ask(li, "/customer", "add Gamma Trading");
  await slack.ask(li, "/customer", "add Gamma Tech");
}, 60_000);
afterAll(() => t.stop());

describe("/deal add", () => {
  it("adds a deal at the first stage, owned and made by the rep, its amount converted as orders are", async () => {
    const reply = await slack.ask(li, "/deal", "add Acme 12000 USD fleet renewal close 2026-12-20");
    expect(reply.text).toContain("Added the deal fleet renewal with Acme Ltd, USD 12,000.00, at Qualification.");
    expect(reply.text).toContain("Qualification (10%) · USD 12,000.00 · closes Dec 20, 2026");
    expect(reply.text).toMatch(/Owner: Li Na · last activity Dec 5, 2026/);
    const deal = await dealNamed("fleet renewal");
    expect(deal).toMatchObject({ stage: "qualification", status: "OPEN", amount: "12000.00", currency: "USD", base_amount: "85200.00", close_day: "2026-12-20" });
    expect(deal.owner_id).toBe(await userId(li));
    expect(deal.created_by_id).toBe(await userId(li));
    expect(await historyOf(deal.id)).toEqual(["->qualification"]);
    expect(await rows("SELECT 1 FROM audit_log WHERE action = 'deal.create' AND entity_id = $1", [deal.id])).toHaveLength(1);
    // Every button of a deal is there; Delete asks Slack to confirm first.
    const handlers = buttonsIn(reply.blocks).map((b) => b.action_id.split("#")[0]);
    expect(handlers).toEqual(["deal.next", "deal.stage", "deal.won", "deal.lostForm", "deal.editForm", "deal.delete"]);
    const del = findButton(reply.blocks, "deal.delete") as SlackButton & { confirm?: { title: { text: string } } };
    expect(del.confirm?.title.text).toBe("Delete this deal?");
  });

  it("in Chinese, with a magnitude and a relative close date", async () => {
    const reply = await slack.ask(wang, "/deal", "add 阿里巴巴 5万 年度服务 预计成交 下周五");
    expect(reply.text).toContain("已添加与 阿里巴巴集团 的商机 年度服务，金额 CNY 50,000.00，阶段：资格确认。");
    expect(reply.text).toContain("资格确认（10%）");
    expect(await dealNamed("年度服务")).toMatchObject({ amount: "50000.00", currency: "CNY", close_day: "2026-12-11" });
  });

  it("refuses what it cannot read, saying how to write it, and adds nothing", async () => {
    const before = await dealCount();
    expect((await slack.ask(li, "/deal", "add Acme 12000")).text).toContain("What is the deal with Acme about? Put a title after the amount");
    expect((await slack.ask(li, "/deal", "add Acme 12000 renewal close 2026-02-30")).text).toContain("“2026-02-30” is not a date. Write the expected close like close 2026-12-20");
    expect((await slack.ask(li, "/deal", "add Acme 12000 renewal close 2026-11-01")).text).toContain("2026-11-01 has passed.");
    expect((await slack.ask(li, "/deal", "add Acme 12000 XYZ renewal")).text).toContain("is not a currency I know");
    expect((await slack.ask(li, "/deal", "add")).text).toContain("Which customer, how much and what for?");
    expect((await slack.ask(wang, "/deal", "add 阿里巴巴 1000")).text).toContain("与 阿里巴巴 的商机是关于什么的？");
    expect((await slack.ask(li, "/deal", "add Nobody Corp 100 thing")).text).toContain("Nobody Corp");
    expect(await dealCount()).toBe(before);
  });

  it("asks which customer for an ambiguous name, and adds the deal as typed to the one picked", async () => {
    const asked = await slack.ask(li, "/deal", "add Gamma 300 EUR pilot close 2026-12-31");
    const pick = buttonsIn(asked.blocks).find((b) => b.action_id.startsWith("customer.pick#") && (JSON.parse(b.value) as { id?: string }).id);
    expect(asked.text).toContain("Gamma Tech");
    const picked = await press(li, pick!);
    expect(picked.text).toMatch(/Added the deal pilot with Gamma (Trading|Tech), EUR 300.00, at Qualification./);
    expect(await dealNamed("pilot")).toMatchObject({ amount: "300.00", currency: "EUR", close_day: "2026-12-31" });
  });
});

describe("the deal buttons", () => {
  it("moves to the next stage once however often it is pressed, and on the timeline", async () => {
    const list = await slack.ask(li, "/deal", "Acme");
    expect(list.text).toContain("Deals with Acme Ltd");
    const next = findButton(list.blocks, "deal.next");
    expect(next.text.text).toBe("→ Needs analysis");
    expect((await press(li, next)).text).toContain("fleet renewal: Qualification → Needs analysis.");
    expect((await press(li, next)).text).toContain("fleet renewal is at Needs analysis already; nothing changed.");
    const deal = await dealNamed("fleet renewal");
    expect(await historyOf(deal.id)).toEqual(["->qualification", "qualification>needs_analysis"]);
    const history = await slack.ask(li, "/history", "Acme");
    expect(history.text).toContain("Deal fleet renewal: Qualification → Needs analysis");
    expect(history.text).toContain("Deal fleet renewal: added at Qualification");
  });

  it("moves to any stage from the menu (a Slack static select), in the reader's language", async () => {
    const list = await slack.ask(li, "/deal", "Acme");
    const menu = selectIn(list.blocks);
    expect(menu.options.map((o) => o.text.text)).toEqual(["Qualification", "Proposal", "Negotiation", "Won"]);
    const moved = await choose(li, menu, "Negotiation");
    expect(moved.text).toContain("fleet renewal: Needs analysis → Negotiation.");
    expect((await dealNamed("fleet renewal")).stage).toBe("negotiation");
    const zh = await slack.ask(wang, "/deal", "阿里巴巴");
    expect(selectIn(zh.blocks).options.map((o) => o.text.text)).toEqual(["需求分析", "方案报价", "商务谈判", "赢单"]);
  });

  it("does not let a rep change another rep's deal", async () => {
    const list = await slack.ask(li, "/deal", "Acme");
    const reply = await press(wang, findButton(list.blocks, "deal.won"));
    expect(reply.text).toContain("这个商机属于 Li Na");
    expect((await dealNamed("fleet renewal")).stage).toBe("negotiation");
  });

  it("wins a deal and records its order once with one button, prefilled", async () => {
    const list = await slack.ask(li, "/deal", "Acme");
    const won = await press(li, findButton(list.blocks, "deal.won"));
    expect(won.text).toContain("Won: fleet renewal with Acme Ltd.");
    expect(won.text).toContain("Press Record the order to record the order of USD 12,000.00.");
    const record = findButton(won.blocks, "deal.order");
    const first = await press(li, record);
    expect(first.text).toContain("Recorded an order of USD 12,000.00 from Acme Ltd for fleet renewal.");
    const second = await press(li, record);
    expect(second.text).toContain("This order is already recorded; nothing was added.");
    const orders = await rows<Record<string, unknown>>("SELECT amount::text, currency, product FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.name = 'Acme Ltd'");
    expect(orders).toEqual([{ amount: "12000.00", currency: "USD", product: "fleet renewal" }]);
    const deal = await dealNamed("fleet renewal");
    expect(deal).toMatchObject({ stage: "won", status: "WON" });
    expect(await historyOf(deal.id)).toEqual(["->qualification", "needs_analysis>negotiation", "negotiation>won", "qualification>needs_analysis"]);
  });

  it("asks why a deal was lost (a reason from the list and a note), in Chinese", async () => {
    const list = await slack.ask(wang, "/deal", "阿里巴巴");
    const view = await openForm(wang, findButton(list.blocks, "deal.lostForm"));
    expect(visibleText(view.blocks as Blocks)).toContain("选择了竞争对手");
    const none = await slack.submit(wang, view, { note: "x" });
    expect(none.json()).toMatchObject({ response_action: "errors", errors: { reason: "请选择原因。" } });
    await slack.submitForm(wang, view, { reason: "competitor", note: "选了别家" });
    expect(await posted(wang, "输单")).toContain("输单：与 阿里巴巴集团 的 年度服务。");
    expect(await dealNamed("年度服务")).toMatchObject({ stage: "lost", status: "LOST", lost_reason: "competitor", lost_note: "选了别家" });
  });

  it("edits a deal's title, amount, currency and close date; bad values are answered by field", async () => {
    await slack.ask(li, "/deal", "add Acme 5000 support plan close 2026-12-24");
    const list = await slack.ask(li, "/deal", "Acme");
    const supportItem = list.blocks.findIndex((b) => visibleText([b]).includes("support plan"));
    const edit = buttonsIn(list.blocks.slice(supportItem)).find((b) => b.action_id.startsWith("deal.editForm#"))!;
    const view = await openForm(li, edit);
    const bad = await slack.submitForm(li, view, { amount: "lots", close: "2026-11-01" });
    expect(bad.json()).toMatchObject({ response_action: "errors" });
    expect(JSON.stringify(bad.json())).toContain("is not an amount");
    expect((await dealNamed("support plan")).amount).toBe("5000.00");
    await slack.submitForm(li, view, { title: "support plan 2027", amount: "700", currency: "EUR", close: "2026-12-31" });
    expect(await posted(li, "Saved the deal")).toContain("Saved the deal support plan 2027 with Acme Ltd.");
    expect(await dealNamed("support plan 2027")).toMatchObject({ amount: "700.00", currency: "EUR", close_day: "2026-12-31" });
  });

  it("deletes a deal softly, audited; it leaves the lists and the timeline", async () => {
    const list = await slack.ask(li, "/deal", "Acme");
    const at = list.blocks.findIndex((b) => visibleText([b]).includes("support plan 2027"));
    const del = buttonsIn(list.blocks.slice(at)).find((b) => b.action_id.startsWith("deal.delete#"))!;
    expect((await press(li, del)).text).toContain("Deleted the deal support plan 2027 with Acme Ltd.");
    expect((await press(li, del)).text).toContain("That deal no longer exists");
    const deal = await dealNamed("support plan 2027");
    expect(deal.deleted_at).not.toBeNull();
    expect(await rows("SELECT 1 FROM audit_log WHERE action = 'deal.delete' AND entity_id = $1", [deal.id])).toHaveLength(1);
    expect((await slack.ask(li, "/deal", "Acme")).text).not.toContain("support plan 2027");
    expect((await slack.ask(li, "/history", "Acme")).text).not.toContain("support plan 2027");
  });

  it("/deal lists mine, open first", async () => {
    const mine = await slack.ask(li, "/deal", "");
    expect(mine.text).toContain("My deals");
    expect(mine.text.indexOf("pilot")).toBeLessThan(mine.text.indexOf("fleet renewal"));
    expect(mine.text).not.toContain("年度服务");
    // A list names customers: audited as a list read, like every list answer.
    const listed = await rows<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'customer.list' AND detail->>'list' = 'deals' AND actor_id = $1", [await userId(li)]);
    expect(listed[0]!.n).toBeGreaterThan(0);
    // And /deal is in help, with its add form.
    const help = await slack.ask(li, "/crm", "help");
    expect(help.text).toContain("/deal add <customer> <amount> [currency] <title> [close <date>]");
  });
});

describe("/crm pipeline stages", () => {
  it("shows the stages to everyone; only an admin sets them, validated, and the lists follow", async () => {
    const shown = await slack.ask(li, "/crm", "pipeline stages");
    expect(shown.text).toContain("1. Qualification · 10%");
    expect(shown.text).toContain("Won · 100%");
    expect((await slack.ask(li, "/crm", "pipeline stages set demo:Demo:演示:30")).text).toContain("Only an admin can change the pipeline’s stages.");
    expect((await slack.ask(boss, "/crm", "pipeline stages set a:A:甲:50; b:B:乙:20")).text).toContain("Stage 2: the probability is lower than the stage before it.");
    expect((await slack.ask(boss, "/crm", "pipeline stages set nonsense")).text).toContain("is not a stage. Write each as key:English name:中文名:probability");
    // The pilot deal is still at qualification: that stage cannot go.
    expect((await slack.ask(boss, "/crm", "pipeline stages set demo:Demo:演示:30")).text).toContain("Open deals are still at qualification (1)");
    expect(await rows("SELECT 1 FROM pipeline_stages")).toHaveLength(0);
    const saved = await slack.ask(boss, "/crm", "pipeline stages set qualification:Qualification:资格确认:10; demo:Demo:产品演示:30; proposal:Proposal:方案报价:60");
    expect(saved.text).toContain("Saved: the pipeline has 3 open stages.");
    expect(await rows("SELECT key, name_zh, probability FROM pipeline_stages ORDER BY position")).toEqual([
      { key: "qualification", name_zh: "资格确认", probability: 10 },
      { key: "demo", name_zh: "产品演示", probability: 30 },
      { key: "proposal", name_zh: "方案报价", probability: 60 },
    ]);
    const mine = await slack.ask(li, "/deal", "");
    expect(findButton(mine.blocks, "deal.next").text.text).toBe("→ Demo");
    const zh = await slack.ask(wang, "/crm", "pipeline 阶段");
    expect(zh.text).toContain("2. 产品演示 · 30%");
    // The /pipeline slash command reaches the same stages, not a scope named "stages".
    expect((await slack.ask(li, "/pipeline", "stages")).text).toContain("2. Demo · 30%");
    expect((await slack.ask(li, "/pipeline", "stages set a:A:甲:50")).text).toContain("Only an admin can change the pipeline’s stages.");
  });
});

describe("the terminal demo", () => {
  it("adds and moves a deal with numbered buttons, the stage menu one button per stage", async () => {
    const { core } = createTestCore(t.db.store, { now: NOW });
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = "";
    // Money has a no-break space between code and amount.
    output.on("data", (chunk: Buffer) => (printed += chunk.toString().replace(/\u00a0/g, " ")));
    const done = runTerminal({ core, actor: actor("deal-demo", { platform: "local", displayName: "Demo Rep" }), input, output });
    // The pipeline is qualification, demo, proposal (set above): [1] → Demo, [2]-[4] the menu (Demo, Proposal, Won).
    input.end(["/deal add Acme 800 terminal trial close 2026-12-30", "3", "exit"].join("\n") + "\n");
    await done;
    expect(printed).toContain("Added the deal terminal trial with Acme Ltd, CNY 800.00, at Qualification.");
    expect(printed).toContain("[1] → Demo");
    expect(printed).toContain("[3] Move to… Proposal");
    expect(printed).toContain("terminal trial: Qualification → Proposal.");
    expect((await dealNamed("terminal trial")).stage).toBe("proposal");
  });
});
