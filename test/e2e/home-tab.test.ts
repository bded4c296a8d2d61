import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGNING_SECRET, startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { buttonsIn, findButton, mrkdwnTexts, SlackDriver, visibleText, type SlackButton } from "../support/slack-driver.js";
import { interactivityBody, postToSlackEndpoint } from "../support/slack-requests.js";
import { eventually } from "../fakes/fake-slack-api.js";
import { PassThrough } from "node:stream";
import { runTerminal } from "../../adapters/local/terminal.js";
import { actor, createTestCore } from "../support/core.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { renderHome } from "../../adapters/slack/render-blocks.js";

type Blocks = Record<string, unknown>[];

/**
 * The clock stays the real one: the outbox spaces a rep's publishes in Redis' time, so a frozen
 * clock would never let the second publish due. Nothing depends on today's date instead: the
 * reps live in a zone where it is about noon now, so "today" reaches hours either side of every
 * time the tests make, whatever the date and hour the suite runs at.
 */
const noonOffset = 12 - new Date().getUTCHours();
const ZONE = noonOffset === 0 ? "Etc/GMT" : `Etc/GMT${noonOffset > 0 ? "-" : "+"}${Math.abs(noonOffset)}`;

const li = { id: "U0HOMELI", name: "li.na" };
const wang = { id: "U0HOMEWANG", name: "wang.wei" };
const HOUR = 3_600_000;

describe("the Slack Home tab", () => {
  let t: BotUnderTest;
  let slack: SlackDriver;
  let events = 0;
  const ids: Record<string, string> = {};

  /** The app_home_opened event, signed as Slack sends it. */
  async function openHome(user: { id: string }): Promise<void> {
    const body = JSON.stringify({
      token: "x", team_id: "T0001", api_app_id: "A0CRM", type: "event_callback", event_id: `EvHome${++events}${randomUUID().slice(0, 6)}`, event_time: 1763600000,
      event: { type: "app_home_opened", user: user.id, channel: `D${user.id}`, tab: "home", event_ts: `1763600${String(events).padStart(3, "0")}.000100` },
    });
    const res = await postToSlackEndpoint(`${t.base}/slack/events`, body, "application/json", { secret: SIGNING_SECRET });
    expect(res.status).toBe(200);
  }

  const homesOf = (user: { id: string }) => t.slack.homeViews.filter((h) => h.user === user.id);

  /** Waits for the user's next published Home after `before` of them, and returns its blocks. */
  async function nextHome(user: { id: string }, before: number): Promise<Blocks> {
    const home = await eventually(() => homesOf(user)[before], 15_000);
    expect(home.view.type).toBe("home");
    return home.view.blocks as Blocks;
  }

  /** A button pressed on the Home tab: Slack sends the view, no channel and no response_url. */
  async function pressOnHome(user: { id: string; name: string }, button: SlackButton): Promise<string> {
    const triggerId = `${Date.now()}.9.${randomUUID().slice(0, 8)}`;
    const payload = {
      type: "block_actions",
      user: { id: user.id, username: user.name, name: user.name, team_id: "T0001" },
      api_app_id: "A0CRM",
      token: "deprecated-verification-token",
      container: { type: "view", view_id: "V0HOME" },
      trigger_id: triggerId,
      team: { id: "T0001", domain: "acme-sales" },
      view: { id: "V0HOME", team_id: "T0001", type: "home", callback_id: "crm_home", blocks: [], private_metadata: "", state: { values: {} }, hash: "1700000000.home" },
      actions: [{ ...button, block_id: "b1", type: "button", action_ts: `${Date.now() / 1000}` }],
    };
    const res = await postToSlackEndpoint(`${t.base}/slack/events`, interactivityBody(payload), "application/x-www-form-urlencoded", { secret: SIGNING_SECRET });
    expect(res.status).toBe(200);
    return triggerId;
  }

  beforeAll(async () => {
    t = await startBotUnderTest();
    slack = new SlackDriver(t.base, t.slack);
    t.slack.addUser({ id: li.id, name: li.name, realName: "Li Na", locale: "en-US", tz: ZONE });
    t.slack.addUser({ id: wang.id, name: wang.name, realName: "王伟", locale: "zh-CN", tz: ZONE });
    await slack.ask(li, "/customer", "add Acme Ltd");
    await slack.ask(li, "/customer", "add Beta Trading");
    // Customer text that would ping a channel or make a link if it were not escaped.
    await slack.ask(li, "/customer", "add <!channel> Gamma");
    await slack.ask(wang, "/customer", "add 阿里巴巴");
    const sql = t.db.sql;
    const customer = async (name: string) => (await sql.query<{ id: string }>("SELECT id FROM customers WHERE name = $1", [name])).rows[0]!.id;
    const rep = async (externalId: string) => (await sql.query<{ id: string }>("SELECT id FROM users WHERE external_id = $1", [externalId])).rows[0]!.id;
    ids.acme = await customer("Acme Ltd");
    ids.beta = await customer("Beta Trading");
    ids.gamma = await customer("<!channel> Gamma");
    ids.alibaba = await customer("阿里巴巴");
    ids.li = await rep(li.id);
    ids.wang = await rep(wang.id);
    const now = Date.now();
    const reminder = async (text: string, dueAt: number, status: string, customerId: string | null = null) =>
      (await sql.query<{ id: string }>(
        "INSERT INTO reminders (id, user_id, customer_id, text, due_at, status, updated_at) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5::\"ReminderStatus\", now()) RETURNING id",
        [ids.li, customerId, text, new Date(dueAt), status],
      )).rows[0]!.id;
    ids.overdue = await reminder("send Acme the quote", now - 2 * HOUR, "FIRED", ids.acme);
    ids.later = await reminder("call Beta about the contract", now + 2 * HOUR, "PENDING");
    await reminder("plan next week", now + 30 * HOUR, "PENDING");
    await reminder("an old one, done", now - 5 * HOUR, "DONE");
    // Beta and Gamma turned at risk (the nightly scan's change rows); Acme is active.
    for (const [id, days] of [[ids.beta, 40], [ids.gamma, 50]] as const) {
      await sql.query("UPDATE customers SET stage = 'AT_RISK' WHERE id = $1", [id]);
      await sql.query(
        "INSERT INTO customer_stage_changes (id, customer_id, from_stage, to_stage, reason, owner_id, changed_at) VALUES (gen_random_uuid(), $1, 'ACTIVE', 'AT_RISK', $2, $3, $4)",
        [id, JSON.stringify({ rule: "gap", daysSince: days, medianGapDays: 10 }), ids.li, new Date(now - days * HOUR)],
      );
    }
    // Open deals: 10,000 in qualification (10%) and 20,000 in proposal (50%), one without an
    // amount; a won one and a colleague's do not count. Weighted: 1,000 + 10,000 = 11,000.
    const deal = (customerId: string, ownerId: string, title: string, amount: string | null, stage: string) =>
      t.db.store.deals.add({ customerId, ownerId, createdById: ownerId, title, amount, currency: amount ? "CNY" : null, baseAmount: amount, rateToBase: amount ? "1" : null, stage, expectedCloseAt: null, at: new Date(now - 24 * HOUR) });
    await deal(ids.acme, ids.li, "Pilot", "10000", "qualification");
    await deal(ids.acme, ids.li, "Rollout", "20000", "proposal");
    await deal(ids.beta, ids.li, "Beta renewal", null, "proposal");
    const won = await deal(ids.beta, ids.li, "Old win", "50000", "negotiation");
    await t.db.store.deals.move({ dealId: won.id, to: "won", outcome: "won", byId: ids.li, at: new Date(now - HOUR) });
    await deal(ids.alibaba, ids.wang, "阿里云", "99999", "proposal");
    // A WeChat conversation of Beta's contact whose last message is the customer's, with its inbox thread.
    const contact = (await sql.query<{ id: string }>("INSERT INTO contacts (id, customer_id, name, updated_at) VALUES (gen_random_uuid(), $1, 'Zhang San', now()) RETURNING id", [ids.beta])).rows[0]!.id;
    await sql.query("INSERT INTO wechat_waits (contact_id, started_at, answered_at) VALUES ($1, $2, NULL)", [contact, new Date(now - 3 * HOUR)]);
    await sql.query("INSERT INTO inbox_threads (id, contact_id, channel, thread_ts, opened_at, last_message_at) VALUES (gen_random_uuid(), $1, 'C0INBOX', '1700000000.000200', now(), now())", [contact]);
    // One answered long ago, of Acme's contact: nobody waits there.
    const answered = (await sql.query<{ id: string }>("INSERT INTO contacts (id, customer_id, name, updated_at) VALUES (gen_random_uuid(), $1, 'Wu', now()) RETURNING id", [ids.acme])).rows[0]!.id;
    await sql.query("INSERT INTO wechat_waits (contact_id, started_at, answered_at) VALUES ($1, $2, $3)", [answered, new Date(now - 9 * HOUR), new Date(now - 8 * HOUR)]);
  }, 60_000);
  afterAll(() => t.stop());

  it("publishes the rep's Home when they open it: reminders due, customers at risk, deals by stage, conversations waiting, quick buttons", async () => {
    await openHome(li);
    const blocks = await nextHome(li, 0);
    const text = visibleText(blocks);
    expect(text).toContain("Li Na, your day");
    expect(text).toContain("Reminders due today and overdue (2)");
    expect(text).toContain("send Acme the quote");
    expect(text).toContain("Overdue since");
    expect(text).toContain("call Beta about the contract");
    expect(text).not.toContain("plan next week");
    expect(text).not.toContain("an old one, done");
    expect(text).toContain("Your customers at risk (2)");
    expect(text).toContain("Beta Trading");
    expect(text).toContain("40 days since the last order");
    expect(text).toContain("Your open deals (3)");
    expect(text).toContain("Weighted total CNY 11,000.00 over 3 open deals");
    expect(text).toContain("Qualification (10%)");
    expect(text).toContain("1 deal · CNY 10,000.00 · weighted CNY 1,000.00");
    expect(text).toContain("Proposal (50%)");
    expect(text).toContain("2 deals · CNY 20,000.00 · weighted CNY 10,000.00");
    expect(text).toContain("1 deal has no amount yet");
    expect(text).not.toContain("99,999");
    expect(text).toContain("WeChat conversations waiting for your answer (1)");
    expect(text).toContain("Beta Trading · Zhang San");
    // The conversation's button opens its thread in the inbox channel.
    const open = buttonsIn(blocks).find((b) => b.action_id.startsWith("link.open#"));
    expect((open as { url?: string } | undefined)?.url).toBe("https://acme-sales.slack.com/archives/C0INBOX/p1700000000000200");
    for (const handler of ["home.find", "home.log", "home.order", "home.deal", "reminder.done", "reminder.snooze", "customer.show"]) findButton(blocks, handler);
    // Customer text stays text: no live channel ping.
    expect(mrkdwnTexts(blocks).join("\n")).not.toContain("<!channel>");
    expect(mrkdwnTexts(blocks).join("\n")).toContain("&lt;!channel&gt; Gamma");
    // Through the outbox, delivered: one row, SENT.
    const homeRows = async () => (await t.db.sql.query<{ status: string; destination: string }>("SELECT status, destination FROM outbox WHERE payload->>'type' = 'home.publish'")).rows;
    await eventually(async () => (await homeRows())[0]?.status === "SENT");
    expect(await homeRows()).toEqual([{ status: "SENT", destination: li.id }]);
  });

  it("marks a reminder done from the Home and publishes the Home again without it, posting nothing else", async () => {
    const before = homesOf(li).length;
    const posts = t.slack.callsTo("chat.postMessage").length;
    const blocks = homesOf(li)[before - 1]!.view.blocks as Blocks;
    const done = buttonsIn(blocks).find((b) => b.action_id.startsWith("reminder.done#") && b.value === ids.overdue)!;
    await pressOnHome(li, done);
    const after = visibleText(await nextHome(li, before));
    expect((await t.db.sql.query("SELECT status FROM reminders WHERE id = $1", [ids.overdue])).rows).toEqual([{ status: "DONE" }]);
    expect(after).toContain("Reminders due today and overdue (1)");
    expect(after).not.toContain("send Acme the quote");
    expect(after).toContain("call Beta about the contract");
    expect(t.slack.callsTo("chat.postMessage")).toHaveLength(posts);
    expect(t.slack.responses.length).toBe(0);
  });

  it("publishes one rep's Home at most once per interval: a burst of opens is one publish now and one after", async () => {
    // After the last publish's interval, so the burst starts with a free slot.
    await new Promise((r) => setTimeout(r, 3_200));
    const before = homesOf(li).length;
    for (let i = 0; i < 6; i++) await openHome(li);
    await nextHome(li, before);
    await nextHome(li, before + 1);
    // Nothing more comes: the requests during the wait were all carried by the second publish.
    await new Promise((r) => setTimeout(r, 4_000));
    const published = homesOf(li).slice(before);
    expect(published).toHaveLength(2);
    expect(published[1]!.at - published[0]!.at).toBeGreaterThanOrEqual(2_900);
    const { rows } = await t.db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE payload->>'type' = 'home.publish' AND status <> 'SENT'");
    expect(rows[0]!.n).toBe(0);
  });

  it("adds a deal from the Home's quick button, refuses a bad amount without saving, and shows the deal on the Home after", async () => {
    await new Promise((r) => setTimeout(r, 3_200));
    const blocks = homesOf(li).at(-1)!.view.blocks as Blocks;
    const triggerId = await pressOnHome(li, findButton(blocks, "home.deal"));
    const view = await slack.openedView(triggerId);
    expect(visibleText(view.blocks as Blocks)).toContain("Stage");
    const count = async () => (await t.db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM deals")).rows[0]!.n;
    const deals = await count();
    const bad = await slack.submitForm(li, view, { customer: "Acme Ltd", title: "Expansion", amount: "lots" });
    expect(bad.json()).toMatchObject({ response_action: "errors" });
    expect((bad.json().errors as Record<string, string>).amount).toContain("is not an amount");
    const nobody = await slack.submitForm(li, view, { customer: "Nobody Such", title: "Expansion", amount: "5000" });
    expect((nobody.json().errors as Record<string, string>).customer).toContain("No customer is called “Nobody Such”");
    const huge = await slack.submitForm(li, view, { customer: "Acme Ltd", title: "Expansion", amount: "99999999999999" });
    expect((huge.json().errors as Record<string, string>).amount).toContain("is not an amount");
    expect(await count()).toBe(deals);
    const before = homesOf(li).length;
    const ok = await slack.submitForm(li, view, { customer: "Acme Ltd", title: "Expansion", amount: "5k", stage: "proposal" });
    expect(ok.status).toBe(200);
    expect(ok.text).toBe("");
    const { rows } = await t.db.sql.query("SELECT title, stage, amount::text AS amount, base_amount::text AS base, owner_id FROM deals WHERE title = 'Expansion'");
    expect(rows).toEqual([{ title: "Expansion", stage: "proposal", amount: "5000.00", base: "5000.00", owner_id: ids.li }]);
    // 11,000 + 5,000 × 50%, on a Home published after the submission.
    await eventually(() => homesOf(li).slice(before).find((h) => visibleText(h.view.blocks as Blocks).includes("Weighted total CNY 13,500.00 over 4 open deals")), 15_000);
  });

  it("opens the customer search from the Home and sends the card to the rep's DM", async () => {
    const blocks = homesOf(li).at(-1)!.view.blocks as Blocks;
    const triggerId = await pressOnHome(li, findButton(blocks, "home.find"));
    const view = await slack.openedView(triggerId);
    const dms = () => t.slack.callsTo("chat.postMessage").filter((c) => c.body.channel === li.id);
    const before = dms().length;
    await slack.submitForm(li, view, { customer: "acme" });
    const dm = await eventually(() => dms()[before], 10_000);
    expect(visibleText(dm.body.blocks as Blocks)).toContain("Acme Ltd");
  });

  it("shows a Chinese-speaking rep their Home in Chinese, with only their own deals", async () => {
    await openHome(wang);
    const text = visibleText(await nextHome(wang, 0));
    expect(text).toContain("王伟，今天的工作");
    expect(text).toContain("今天到期及已过期的提醒（0）");
    expect(text).toContain("今天没有到期的提醒。");
    expect(text).toContain("你的客户都没有流失风险。");
    expect(text).toContain("你进行中的商机（1）");
    expect(text).toContain("方案报价（50%）");
    expect(text).toContain("加权合计 CNY");
    expect(text).toContain("没有客户在等待回复。");
    for (const label of ["查找客户", "记录", "添加订单", "添加商机"]) expect(text).toContain(label);
    expect(text).not.toContain("Acme");
  });

  it("publishes nothing when the rep opens the app's Messages tab", async () => {
    const before = homesOf(li).length;
    const body = JSON.stringify({
      token: "x", team_id: "T0001", api_app_id: "A0CRM", type: "event_callback", event_id: `EvMsgTab${randomUUID().slice(0, 8)}`, event_time: 1763600000,
      event: { type: "app_home_opened", user: li.id, channel: `D${li.id}`, tab: "messages", event_ts: "1763600999.000100" },
    });
    expect((await postToSlackEndpoint(`${t.base}/slack/events`, body, "application/json", { secret: SIGNING_SECRET })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(homesOf(li)).toHaveLength(before);
  });

  it("answers /crm home with the same Home as a message, and refuses words after it", async () => {
    const reply = await slack.ask(li, "/crm", "home");
    expect(reply.text).toContain("Li Na, your day");
    expect(reply.text).toContain("Your open deals (4)");
    expect((await slack.ask(li, "/crm", "home now please")).text).toContain("/crm home takes no words after it");
    expect((await slack.ask(wang, "/crm", "主页")).text).toContain("王伟，今天的工作");
  });
});

describe("the Home in the terminal demo", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  /** Noon in Shanghai: "today" there runs from 12 hours before to 12 hours after. */
  const NOW = new Date("2026-03-10T04:00:00Z");

  async function session(lines: string[], who = actor("demo", { platform: "local", displayName: "Demo Rep" })): Promise<string> {
    const { core } = createTestCore(db.store, { now: NOW });
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = "";
    output.on("data", (chunk: Buffer) => (printed += chunk.toString()));
    const done = runTerminal({ core, actor: who, input, output });
    input.end(lines.join("\n") + "\n");
    await done;
    // Money is formatted with a no-break space between code and amount.
    return printed.replace(/\u00a0/g, " ");
  }

  it("shows the Home as text with the same sections, and its quick button adds a deal", async () => {
    const out = await session([
      "/customer add Acme Ltd",
      "/remind in 2 hours call Acme about the renewal",
      "/remind tomorrow 10am plan the week",
      "home",
      "4", // Add a deal
      "Acme Ltd",
      "Pilot",
      "8000",
      "", // currency: CNY as offered
      "3", // stage: proposal
      "home",
      "exit",
    ]);
    const [first = "", second = ""] = out.split("DEMO REP, YOUR DAY").slice(1);
    expect(first).toContain("[1] Find a customer");
    expect(first).toContain("[4] Add a deal");
    expect(first).toContain("Reminders due today and overdue (1)");
    expect(first).toContain("call Acme about the renewal");
    expect(first).toContain("Due Tue 10 Mar 2026, 14:00");
    expect(first).not.toContain("plan the week");
    expect(first).toContain("None of your customers is at risk.");
    expect(first).toContain("You have no open deals.");
    expect(first).toContain("No customer is waiting for an answer.");
    expect(out).toContain("Deal added for Acme Ltd: Pilot (CNY 8,000.00).");
    expect(second).toContain("Your open deals (1)");
    expect(second).toContain("Weighted total CNY 4,000.00 over 1 open deal");
  });

  it("speaks Chinese to a Chinese-speaking rep", async () => {
    const out = await session(["主页", "exit"], actor("demo-zh", { platform: "local", displayName: "王伟", locale: "zh-CN" }));
    expect(out).toContain("王伟，今天的工作");
    expect(out).toContain("今天到期及已过期的提醒（0）");
    expect(out).toContain("[4] 添加商机");
  });
});

describe("the Home as Block Kit", () => {
  it("is a home view of at most 100 blocks (a message's limit is 50), every stored string escaped", () => {
    const blocks = Array.from({ length: 150 }, (_, i) => ({ type: "text" as const, text: `<!here> line ${i}` }));
    const view = renderHome({ visibility: "private", summary: "Home", blocks, surface: "home" });
    expect(view.type).toBe("home");
    expect(view.callback_id).toBe("crm_home");
    expect(view.blocks).toHaveLength(100);
    expect(JSON.stringify(view.blocks)).not.toContain("<!here>");
  });
});
