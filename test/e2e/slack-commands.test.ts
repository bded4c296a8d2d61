import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../fakes/fake-slack-api.js";
import { SIGNING_SECRET, startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { SlackDriver, findButton, mrkdwnTexts, visibleText } from "../support/slack-driver.js";
import { interactivityBody, postToSlackEndpoint, slashCommandBody, slackSignature } from "../support/slack-requests.js";

let t: BotUnderTest;
let slack: SlackDriver;
const li = { id: "U0LINA", name: "li.na" };
const alex = { id: "U0ALEX", name: "alex" };
const wang = { id: "U0WANG", name: "wang.wei" };

async function count(table: string): Promise<number> {
  const { rows } = await t.db.sql.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(rows[0]!.n);
}

beforeAll(async () => {
  t = await startBotUnderTest();
  slack = new SlackDriver(t.base, t.slack);
  t.slack.addUser({ id: li.id, name: li.name, realName: "Li Na", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: alex.id, name: alex.name, realName: "Alex Chen", locale: "en-GB", tz: "Europe/London" });
  t.slack.addUser({ id: wang.id, name: wang.name, realName: "王伟", locale: "zh-CN", tz: "Asia/Shanghai" });
});
afterAll(() => t.stop());

describe("Slack requests are verified", () => {
  it("refuses a forged signature and stores nothing", async () => {
    const body = slashCommandBody({ command: "/customer", text: "add Forged Co", userId: li.id, responseUrl: t.slack.responseUrl("x") });
    const res = await postToSlackEndpoint(`${t.base}/slack/events`, body, "application/x-www-form-urlencoded", {
      secret: SIGNING_SECRET,
      signature: slackSignature("not-the-secret", Math.floor(Date.now() / 1000), body),
    });
    expect(res.status).toBe(401);
    expect(await count("customers")).toBe(0);
    expect(await count("users")).toBe(0);
  });

  it("refuses a request signed more than five minutes ago", async () => {
    const body = slashCommandBody({ command: "/customer", text: "add Stale Co", userId: li.id, responseUrl: t.slack.responseUrl("x") });
    const res = await postToSlackEndpoint(`${t.base}/slack/events`, body, "application/x-www-form-urlencoded", {
      secret: SIGNING_SECRET,
      timestamp: Math.floor(Date.now() / 1000) - 6 * 60,
    });
    expect(res.status).toBe(401);
    expect(await count("customers")).toBe(0);
  });

  it("refuses a request signed more than a minute ahead of the bot's clock, and takes small drift", async () => {
    const ahead = slashCommandBody({ command: "/customer", text: "add Future Co", userId: li.id, responseUrl: t.slack.responseUrl("x") });
    const res = await postToSlackEndpoint(`${t.base}/slack/events`, ahead, "application/x-www-form-urlencoded", {
      secret: SIGNING_SECRET,
      timestamp: Math.floor(Date.now() / 1000) + 2 * 60,
    });
    expect(res.status).toBe(401);
    expect(await count("customers")).toBe(0);
    expect(await count("users")).toBe(0);
    // A clock 20 s ahead is drift, not an attack (a URL check, so no user is registered here).
    const drift = JSON.stringify({ token: "x", challenge: "drift-is-fine", type: "url_verification" });
    const ok = await postToSlackEndpoint(`${t.base}/slack/events`, drift, "application/json", { secret: SIGNING_SECRET, timestamp: Math.floor(Date.now() / 1000) + 20 });
    expect(ok.status).toBe(200);
    expect(ok.json()).toEqual({ challenge: "drift-is-fine" });
  });

  it("refuses a request without a signature", async () => {
    const body = slashCommandBody({ command: "/top", text: "", userId: li.id, responseUrl: t.slack.responseUrl("x") });
    const res = await fetch(`${t.base}/slack/events`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
    expect(res.status).toBe(401);
  });
});

describe("a rep works with customers through slash commands", () => {
  it("registers the first user as admin with the Slack profile, and adds a customer they own", async () => {
    const reply = await slack.ask(li, "/customer", "add Acme Ltd");
    expect(reply.responseType).toBe("ephemeral");
    expect(reply.text).toContain("Added Acme Ltd as a lead, owned by you.");
    expect(reply.text).toContain("Acme Ltd");
    const { rows } = await t.db.sql.query("SELECT u.display_name, u.role, u.timezone, c.name, c.stage FROM customers c JOIN users u ON u.id = c.owner_id");
    expect(rows).toEqual([{ display_name: "Li Na", role: "ADMIN", timezone: "Asia/Shanghai", name: "Acme Ltd", stage: "LEAD" }]);
  });

  it("answers a duplicate name with the existing customer instead of adding it", async () => {
    const reply = await slack.ask(alex, "/customer", "add ACME limited");
    expect(reply.text).toContain("Acme Ltd is already in the CRM (owner: Li Na)");
    expect(await count("customers")).toBe(1);
    const { rows } = await t.db.sql.query("SELECT role FROM users WHERE external_id = $1", [alex.id]);
    expect(rows[0]).toEqual({ role: "REP" });
  });

  it("logs an interaction with the channel from the leading keyword", async () => {
    const reply = await slack.ask(li, "/log", "Acme call: discussed renewal");
    expect(reply.text).toContain("Logged a call with Acme Ltd.");
    expect(reply.text).toContain("Acme Ltd moved from lead to prospect.");
    const { rows } = await t.db.sql.query("SELECT channel, body FROM interactions");
    expect(rows).toEqual([{ channel: "CALL", body: "discussed renewal" }]);
  });

  it("records an order in another currency, converted at the configured rate", async () => {
    // Backdated, but recent enough to make the prospect active (an order older than 180 days would not).
    const lastMonth = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
    const reply = await slack.ask(li, "/order", `Acme 1200 USD annual licence on ${lastMonth}`);
    expect(reply.text).toContain("Recorded an order of USD 1,200.00 from Acme Ltd for annual licence.");
    expect(reply.text).toContain("Acme Ltd moved from prospect to active.");
    const { rows } = await t.db.sql.query("SELECT amount::text, currency, base_amount::text, product FROM orders");
    expect(rows).toEqual([{ amount: "1200.00", currency: "USD", base_amount: "8520.00", product: "annual licence" }]);
    const stats = await t.db.sql.query("SELECT order_count, total_spent::text FROM customer_stats");
    expect(stats.rows).toEqual([{ order_count: 1, total_spent: "8520.00" }]);
  });

  it("shows the card with the measures, the interaction and buttons for next steps", async () => {
    const reply = await slack.ask(alex, "/customer", "acme");
    for (const label of ["Stage", "active", "Owner", "Li Na", "Lifetime revenue", "CNY 8,520.00", "Orders", "Average order", "Purchase frequency", "Lifetime value (36 months)", "Last purchase", "discussed renewal"]) {
      expect(reply.text).toContain(label);
    }
    for (const handler of ["customer.logForm", "customer.orderForm", "history.first", "share"]) findButton(reply.blocks, handler);
    expect(reply.blocks.length).toBeLessThanOrEqual(50);
  });

  it("answers in Chinese for a rep whose Slack locale is zh-CN", async () => {
    const reply = await slack.ask(wang, "/customer", "Acme");
    expect(reply.text).toContain("负责人");
    expect(reply.text).toContain("累计收入");
  });

  it("finds Chinese customers by pinyin and lists candidates for an ambiguous name", async () => {
    await slack.ask(wang, "/customer", "add 阿里巴巴集团");
    await slack.ask(li, "/customer", "add Acme Robotics");
    const pinyin = await slack.ask(li, "/customer", "alibaba");
    expect(pinyin.text).toContain("阿里巴巴集团");
    expect(pinyin.text).toContain("Lifetime revenue");

    const ambiguous = await slack.ask(li, "/customer", "acm");
    expect(ambiguous.text).toContain("Several customers match “acm”");
    const pick = findButton(ambiguous.blocks, "customer.pick");
    const posted = await slack.pressAndRead(li, pick);
    expect(visibleText(posted.blocks as Record<string, unknown>[])).toContain("Lifetime revenue");
  });

  it("logs, orders and shows history for a Chinese customer typed in Chinese or pinyin", async () => {
    const log = await slack.ask(wang, "/log", "阿里巴巴 电话：确认了报价");
    expect(log.text).toContain("已为 阿里巴巴集团 记录一次电话。");
    const order = await slack.ask(wang, "/order", "alibaba 5万 年度服务");
    expect(order.text).toContain("已记录 阿里巴巴集团 的一笔订单");
    const { rows } = await t.db.sql.query("SELECT o.amount::text, o.currency, o.product FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.name = '阿里巴巴集团'");
    expect(rows).toEqual([{ amount: "50000.00", currency: "CNY", product: "年度服务" }]);
    const history = await slack.ask(li, "/history", "阿里巴巴集团");
    expect(history.text).toContain("确认了报价");
    expect(history.text).toContain("年度服务");
  });

  it("suggests look-alikes for a typo and offers to add the name", async () => {
    const reply = await slack.ask(li, "/customer", "Acmee");
    expect(reply.text).toContain("No customer matches “Acmee”.");
    expect(reply.text).toContain("Did you mean one of these?");
    expect(reply.text).toContain("Acme Ltd");
    expect(reply.text).toContain("/customer add Acmee");
    findButton(reply.blocks, "customer.add");
  });

  it("pages through history with a More button", async () => {
    for (let i = 1; i <= 12; i++) await slack.ask(li, "/log", `"Acme Ltd" note ${i}`);
    const first = await slack.ask(li, "/history", "Acme Ltd");
    expect(first.text).toContain("History of Acme Ltd");
    expect(first.text).toContain("note 12");
    expect(first.text).toContain("Entries 1–10");
    const second = await slack.pressAndRead(li, findButton(first.blocks, "history.page"));
    const text = visibleText(second.blocks as Record<string, unknown>[]);
    expect(text).toContain("Entries 11–14");
    expect(text).toContain("annual licence");
    expect(text).not.toContain("note 12");
  });

  it("ranks customers by lifetime value with /top", async () => {
    const reply = await slack.ask(li, "/top", "5");
    expect(reply.text).toContain("Top customers by lifetime value");
    // 50,000 bought this month outranks 8,520 spread over nine months.
    expect(reply.text).toContain("1. 阿里巴巴集团");
    expect(reply.text).toContain("2. Acme Ltd");
  });

  it("shares a card in the channel only when asked", async () => {
    const card = await slack.ask(li, "/customer", "Acme Ltd");
    const posted = await slack.pressAndRead(li, findButton(card.blocks, "share"));
    expect(posted.response_type).toBe("in_channel");
    expect(visibleText(posted.blocks as Record<string, unknown>[])).toContain("Acme Ltd");
  });

  it("answers bad input with what was wrong and an example, and writes nothing", async () => {
    const before = [await count("orders"), await count("interactions"), await count("customers")];
    const cases: [string, string, string][] = [
      ["/order", "Acme 12OO", "“12OO” is not an amount"],
      ["/order", "Acme twelve hundred", "How much did Acme twelve hundred buy for?"],
      ["/order", "Acme 100 XYZ", "“XYZ” is not a currency I know"],
      ["/order", "Acme", "How much did Acme"],
      ["/customer", "", "Which customer?"],
      ["/log", "Acme Ltd", "What should I log for Acme Ltd?"],
      ["/log", `"Acme Ltd" ${"x".repeat(3000)}`, "That note is too long"],
      ["/top", "many", "is not a number of customers"],
      ["/crm", "frobnicate", "Unknown command “/frobnicate”"],
    ];
    for (const [command, text, expected] of cases) {
      const reply = await slack.ask(li, command, text);
      expect(reply.text, `${command} ${text.slice(0, 30)}`).toContain(expected);
      if (command !== "/crm") expect(reply.text).toContain("Try:");
    }
    expect([await count("orders"), await count("interactions"), await count("customers")]).toEqual(before);
  });

  it("runs every command through /crm as well", async () => {
    const help = await slack.ask(li, "/crm", "help");
    for (const usage of ["/customer <name>", "/customer add <name>", "/log <customer>", "/order <customer> <amount>", "/history <customer>"]) {
      expect(help.text).toContain(usage);
    }
    // The other topics are a button away, and by name.
    expect(help.text).toContain("Reports and answers");
    expect(help.text).not.toContain("/top [n]");
    expect((await slack.ask(li, "/crm", "help answers")).text).toContain("/top [n]");
    const card = await slack.ask(li, "/crm", "customer Acme Ltd");
    expect(card.text).toContain("Lifetime revenue");
  });
});

describe("stored text stays text in Slack", () => {
  it("escapes mentions and links in customer names and notes", async () => {
    await slack.ask(li, "/customer", "add Evil <!channel> Corp");
    const reply = await slack.ask(li, "/log", `"Evil <!channel> Corp" visit <https://phish.example|your bank> and <@U0ALEX>`);
    expect(reply.text).toContain("Logged a note");
    const card = await slack.ask(li, "/customer", "Evil <!channel> Corp");
    // Slack parses mentions and links in mrkdwn only; plain_text (the header) is shown as typed.
    const raw = mrkdwnTexts(card.blocks).join("\n");
    expect(raw).not.toContain("<!channel>");
    expect(raw).not.toContain("<https://phish.example");
    expect(raw).not.toContain("<@U0ALEX>");
    expect(raw).toContain("&lt;https://phish.example|your bank&gt; and &lt;@U0ALEX&gt;");
    expect(card.text).toContain("Evil <!channel> Corp");
    const list = await slack.ask(li, "/customer", "evil");
    expect(mrkdwnTexts(list.blocks).join("\n")).not.toMatch(/<!channel>/);
  });
});

describe("buttons and modals", () => {
  it("logs a note from the card's button through a modal", async () => {
    const card = await slack.ask(li, "/customer", "Acme Ltd");
    const { triggerId } = await slack.press(li, findButton(card.blocks, "customer.logForm"));
    const view = await slack.openedView(triggerId);
    expect(view.callback_id).toBe("log.submit");
    const empty = await slack.submit(li, view, { text: "   " });
    expect(empty.json()).toEqual({ response_action: "errors", errors: { text: "Fill this in." } });
    const ok = await slack.submit(li, view, { text: "meeting: walked through the roadmap" });
    expect(ok.status).toBe(200);
    const { rows } = await t.db.sql.query("SELECT channel FROM interactions WHERE body = 'walked through the roadmap'");
    expect(rows).toEqual([{ channel: "MEETING" }]);
    const confirmation = await eventually(() => t.slack.callsTo("chat.postEphemeral").find((c) => JSON.stringify(c.body).includes("Logged a meeting with Acme Ltd")));
    expect(confirmation.body.user).toBe(li.id);
  });

  it("sends the confirmation as a DM when the bot may not post in the channel", async () => {
    const card = await slack.ask(li, "/customer", "Acme Ltd");
    const { triggerId } = await slack.press(li, findButton(card.blocks, "customer.logForm"));
    const view = await slack.openedView(triggerId);
    t.slack.overrides.set("chat.postEphemeral", [{ status: 200, body: { ok: false, error: "not_in_channel" } }]);
    expect((await slack.submit(li, view, { text: "call: private channel follow-up" })).status).toBe(200);
    const dm = await eventually(() => t.slack.callsTo("chat.postMessage").find((c) => c.body.channel === li.id && JSON.stringify(c.body).includes("Logged a call with Acme Ltd")));
    expect(dm.body.channel).toBe(li.id);
  });

  it("adds an order from the card's button, with field errors for a bad amount", async () => {
    const card = await slack.ask(li, "/customer", "Acme Robotics");
    const { triggerId } = await slack.press(li, findButton(card.blocks, "customer.orderForm"));
    const view = await slack.openedView(triggerId);
    const bad = await slack.submit(li, view, { amount: "lots", product: "", date: "2026-11-01" });
    expect(bad.json()).toMatchObject({ response_action: "errors", errors: { amount: expect.stringContaining("is not an amount") as string } });
    const future = await slack.submit(li, view, { amount: "500", product: "", date: "2099-01-01" });
    expect(future.json()).toMatchObject({ response_action: "errors", errors: { date: expect.stringContaining("is in the future") as string } });
    const ok = await slack.submit(li, view, { amount: "500 EUR", product: "spare parts", date: "2026-11-01" });
    expect(ok.status).toBe(200);
    const { rows } = await t.db.sql.query("SELECT o.amount::text, o.currency, o.product FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.name = 'Acme Robotics'");
    expect(rows).toEqual([{ amount: "500.00", currency: "EUR", product: "spare parts" }]);
  });

  it("saves any Slack message to a customer with the message shortcut, once", async () => {
    const message = { ts: "1763600000.000200", text: "Acme says the PO is signed, expect payment Friday", user: "U0OTHER" };
    const { http, triggerId } = await slack.messageShortcut(li, message);
    expect(http.status).toBe(200);
    const view = await slack.openedView(triggerId);
    expect(JSON.stringify(view.blocks)).toContain("the PO is signed");
    const unknown = await slack.submit(li, view, { customer: "Nobody Inc", text: message.text });
    expect(unknown.json()).toMatchObject({ response_action: "errors", errors: { customer: expect.stringContaining("No customer matches") as string } });
    const ok = await slack.submit(li, view, { customer: "acme ltd", text: message.text });
    expect(ok.status).toBe(200);
    const { rows } = await t.db.sql.query("SELECT channel, permalink, source_id FROM interactions WHERE body = $1", [message.text]);
    expect(rows).toEqual([{ channel: "SLACK", permalink: "https://acme-sales.slack.com/archives/C0SALES/p1763600000000200", source_id: "C0SALES:1763600000.000200" }]);
    await slack.submit(li, view, { customer: "acme ltd", text: message.text });
    const again = await t.db.sql.query("SELECT count(*)::int AS n FROM interactions WHERE body = $1", [message.text]);
    expect(again.rows[0]).toEqual({ n: 1 });
    await eventually(() => t.slack.callsTo("chat.postEphemeral").find((c) => JSON.stringify(c.body).includes("already logged")));
  });
});

describe("a signed request replayed within Slack's five minutes", () => {
  /** Posts one signed body twice, byte for byte, as someone who captured it would. */
  async function postTwice(body: string, contentType: "application/x-www-form-urlencoded" | "application/json") {
    const timestamp = Math.floor(Date.now() / 1000);
    const first = await postToSlackEndpoint(`${t.base}/slack/events`, body, contentType, { secret: SIGNING_SECRET, timestamp });
    const second = await postToSlackEndpoint(`${t.base}/slack/events`, body, contentType, { secret: SIGNING_SECRET, timestamp });
    return [first, second] as const;
  }

  it("runs a slash command once: one reminder, the replay acknowledged with nothing", async () => {
    const body = slashCommandBody({ command: "/remind", text: "in 2 hours replayed call to Acme", userId: li.id, userName: li.name, responseUrl: t.slack.responseUrl("replay-remind"), triggerId: "1763600000.1.replay" });
    const [first, second] = await postTwice(body, "application/x-www-form-urlencoded");
    expect(first.status).toBe(200);
    expect(first.text).toContain("remind you");
    expect(second.status).toBe(200);
    expect(second.text).toBe("");
    const { rows } = await t.db.sql.query("SELECT count(*)::int AS n FROM reminders WHERE text LIKE '%replayed call%'");
    expect(rows[0]).toEqual({ n: 1 });
  });

  it("runs a button press once: the card is shared in the channel once", async () => {
    const card = await slack.ask(li, "/customer", "Acme Ltd");
    const button = findButton(card.blocks, "share");
    const { rows: before } = await t.db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'customer.view'");
    const responseUrl = t.slack.responseUrl("replay-press");
    const body = interactivityBody({
      type: "block_actions",
      user: { id: li.id, username: li.name, name: li.name, team_id: "T0001" },
      api_app_id: "A0CRM",
      token: "deprecated-verification-token",
      container: { type: "message", message_ts: "1700000000.000100", channel_id: "C0SALES", is_ephemeral: true },
      trigger_id: "1763600000.2.replay",
      team: { id: "T0001", domain: "acme-sales" },
      channel: { id: "C0SALES", name: "sales" },
      response_url: responseUrl,
      actions: [{ ...button, block_id: "b1", type: "button", action_ts: "1763600000.000200" }],
    });
    const [first, second] = await postTwice(body, "application/x-www-form-urlencoded");
    expect([first.status, second.status]).toEqual([200, 200]);
    const path = new URL(responseUrl).pathname;
    await eventually(() => t.slack.responses.find((r) => r.path === path));
    await new Promise((r) => setTimeout(r, 500));
    expect(t.slack.responses.filter((r) => r.path === path).map((r) => r.body.response_type)).toEqual(["in_channel"]);
    const { rows: after } = await t.db.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'customer.view'");
    expect(after[0]!.n).toBe(before[0]!.n + 1);
  });

  it("saves a modal submission once", async () => {
    const card = await slack.ask(li, "/customer", "Acme Ltd");
    const { triggerId } = await slack.press(li, findButton(card.blocks, "customer.logForm"));
    const view = await slack.openedView(triggerId);
    const body = interactivityBody({
      type: "view_submission",
      team: { id: "T0001", domain: "acme-sales" },
      user: { id: li.id, username: li.name, name: li.name, team_id: "T0001" },
      api_app_id: "A0CRM",
      token: "deprecated-verification-token",
      trigger_id: "1763600000.3.replay",
      view: {
        id: "V0001", team_id: "T0001", type: "modal", blocks: view.blocks, private_metadata: view.private_metadata, callback_id: view.callback_id,
        state: { values: { text: { value: { type: "plain_text_input", value: "call: replayed submission" } } } },
        hash: "1700000000.abcd", title: view.title,
      },
      response_urls: [],
    });
    const [first, second] = await postTwice(body, "application/x-www-form-urlencoded");
    expect([first.status, second.status]).toEqual([200, 200]);
    await new Promise((r) => setTimeout(r, 300));
    const { rows } = await t.db.sql.query("SELECT count(*)::int AS n FROM interactions WHERE body = 'replayed submission'");
    expect(rows[0]).toEqual({ n: 1 });
  });

  it("answers an event once, and still takes the same words sent again as a new request", async () => {
    const event = (id: string, ts: string) =>
      JSON.stringify({
        token: "x", team_id: "T0001", api_app_id: "A0CRM", type: "event_callback", event_id: id, event_time: 1763600000,
        event: { type: "message", channel: "D0REPLAY", channel_type: "im", user: li.id, text: "customer Acme Ltd", ts, team: "T0001" },
      });
    const posts = () => t.slack.callsTo("chat.postMessage").filter((c) => c.body.channel === "D0REPLAY");
    const [first, second] = await postTwice(event("EvReplay1", "1763600002.000100"), "application/json");
    expect([first.status, second.status]).toEqual([200, 200]);
    await eventually(() => posts()[0]);
    await new Promise((r) => setTimeout(r, 300));
    expect(posts()).toHaveLength(1);
    // A new message (its own event id and signature) is not a replay.
    await postToSlackEndpoint(`${t.base}/slack/events`, event("EvReplay2", "1763600003.000100"), "application/json", { secret: SIGNING_SECRET });
    await eventually(() => posts()[1]);
  });
});

describe("Events API", () => {
  it("answers the URL verification challenge", async () => {
    const body = JSON.stringify({ token: "x", challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", type: "url_verification" });
    const res = await postToSlackEndpoint(`${t.base}/slack/events`, body, "application/json", { secret: SIGNING_SECRET });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" });
  });

  it("answers a command sent as a direct message, and ignores Slack's retries of it", async () => {
    const event = (id: string) =>
      JSON.stringify({
        token: "x", team_id: "T0001", api_app_id: "A0CRM", type: "event_callback", event_id: id, event_time: 1763600000,
        event: { type: "message", channel: "D0LINA", channel_type: "im", user: li.id, text: "customer Acme Ltd", ts: "1763600001.000100", team: "T0001" },
      });
    const first = await postToSlackEndpoint(`${t.base}/slack/events`, event("Ev01"), "application/json", { secret: SIGNING_SECRET });
    expect(first.status).toBe(200);
    const posted = await eventually(() => t.slack.callsTo("chat.postMessage").find((c) => c.body.channel === "D0LINA"));
    expect(visibleText(posted.body.blocks as Record<string, unknown>[])).toContain("Lifetime revenue");
    const retry = await postToSlackEndpoint(`${t.base}/slack/events`, event("Ev01"), "application/json", {
      secret: SIGNING_SECRET,
      headers: { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" },
    });
    expect(retry.status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(t.slack.callsTo("chat.postMessage").filter((c) => c.body.channel === "D0LINA")).toHaveLength(1);
  });
});

describe("slow answers", () => {
  it("acknowledges at once and delivers the answer through response_url when work takes longer", async () => {
    const slow = await startBotUnderTest({ ackBudgetMs: 0 });
    try {
      const driver = new SlackDriver(slow.base, slow.slack);
      const { http, responseUrl } = await driver.command(li, "/crm", "help");
      expect(http.status).toBe(200);
      expect(http.json()).toMatchObject({ response_type: "ephemeral", text: "Working on it…" });
      const path = new URL(responseUrl).pathname;
      const posted = await eventually(() => slow.slack.responses.find((r) => r.path === path));
      expect(visibleText(posted.body.blocks as Record<string, unknown>[])).toContain("CRM bot commands");
      expect(posted.body.replace_original).toBe(true);
    } finally {
      await slow.stop();
    }
  });
});

describe("probes", () => {
  it("reports health, readiness of Postgres and Redis, and command metrics", async () => {
    expect((await fetch(`${t.base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${t.base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: { postgres: "ok", redis: "ok" } });
    const metrics = await (await fetch(`${t.base}/metrics`)).text();
    expect(metrics).toMatch(/crm_commands_handled_total\{command="customer",outcome="ok"\} \d+/);
    expect(metrics).toMatch(/crm_commands_handled_total\{command="order",outcome="invalid"\} \d+/);
    expect(metrics).toContain("crm_command_duration_seconds_bucket");
  });
});

