import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type FakeSlackApi } from "../fakes/fake-slack-api.js";
import { FakeWechatApi } from "../fakes/fake-wechat-api.js";
import { startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { SlackDriver, findButton, visibleText, type SlackButton, type SlackUser } from "../support/slack-driver.js";
import { pushToWechat } from "../support/wechat-push.js";

/**
 * The visibility matrix (issue 15): every path where customer data leaves the store, driven as
 * each role through the real bot (signed Slack requests, the fake Slack API, a WeChat push on the
 * fake WeChat API), on real Postgres and Redis. One rule decides (src/domain/access/access-scope.ts):
 * a rep sees the private details (email, phone, WeChat id, address) of their own customers, a
 * manager also those of the members of the teams they lead, an admin all, a channel none.
 * Adding a path is one line in PATHS.
 *
 * The team: an admin (ADMIN_SLACK_USER_IDS), a manager leading team North with rep A, rep A,
 * and rep B in no team. Alpha Trading is A's, Beta Works B's; Orchid Foods (A's) and Pine
 * Logistics (B's) share a phone, so /crm duplicates names it as their reason.
 */
const TOKEN = "matrix-test-token";
const SAFE = { encodingAesKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", appId: "wxmatrixtest" };
const INBOX = "C0INBOX";

const admin = { id: "U0ADMIN", name: "ada.admin" };
const manager = { id: "U0MANAGER", name: "mo.manager" };
const repA = { id: "U0REPA", name: "ann.rep" };
const repB = { id: "U0REPB", name: "bob.rep" };
const ROLES = { admin, manager, repA, repB } as const;
type RoleKey = keyof typeof ROLES;
const at = (user: SlackUser) => `<@${user.id}|${user.name}>`;

/** The WeChat contact of Alpha Trading: its openid is private and never shown anywhere. */
const ALPHA_OPENID = "oMatrixAlphaContact0A1B2C3";

/** What each customer's private details look like where they would show. */
const MARKERS = {
  alpha: { email: "ann@alpha.example", phone: "13800138001", address: "Alpha Road", wechat: ALPHA_OPENID },
  beta: { email: "bob@beta.example", phone: "13900138002", address: "Beta Street" },
  /** The phone Orchid Foods (A's) and Pine Logistics (B's) both have: a duplicate reason. */
  pair: { phone: "13700001111" },
} as const;
type Marker = { [K in keyof typeof MARKERS]: `${K}.${keyof (typeof MARKERS)[K] & string}` }[keyof typeof MARKERS];

/** A phone is found by its digits, however they are spaced (+86 138 0013 8001, 138-0013-8001). */
function contains(text: string, marker: Marker): boolean {
  const [customer, kind] = marker.split(".") as [keyof typeof MARKERS, string];
  const value = (MARKERS[customer] as Record<string, string>)[kind]!;
  if (kind !== "phone") return text.toLowerCase().includes(value.toLowerCase());
  return new RegExp(value.split("").join("[\\s.()-]*")).test(text);
}

const ALL_MARKERS = (Object.keys(MARKERS) as (keyof typeof MARKERS)[]).flatMap((c) => Object.keys(MARKERS[c]).map((k) => `${c}.${k}` as Marker));

let t: BotUnderTest;
let wechat: FakeWechatApi;
let slack: SlackDriver;
let msgId = 9_100_000_000_000_000_000n;
const ids: Record<string, string> = {};

type Blocks = Record<string, unknown>[];
type Posted = ReturnType<FakeSlackApi["callsTo"]>[number];

const ask = async (user: SlackUser, command: string, text: string): Promise<string> => (await slack.ask(user, command, text)).text;
const pressed = async (user: SlackUser, button: SlackButton): Promise<string> => visibleText(((await slack.pressAndRead(user, button)).blocks ?? []) as Blocks);
/** Shares what a command answered into the conversation, as its Share button does. */
const shared = async (user: SlackUser, command: string, text: string): Promise<string> => pressed(user, findButton((await slack.ask(user, command, text)).blocks, "share"));
const sectionButton = (customerId: string): SlackButton => ({ action_id: "customer.section#0", value: JSON.stringify({ id: customerId, s: "contacts", p: 1 }), text: { text: "All contacts" } });

let relayed = 0;
/** Alpha's WeChat contact writes in; what the inbox channel shows of it. */
async function inboxRelay(): Promise<string> {
  const tag = `(#${++relayed})`;
  const res = await pushToWechat(t.base, TOKEN, { FromUserName: ALPHA_OPENID, MsgType: "text", Content: `please write to ann@alpha.example or call +86 138 0013 8001 ${tag}`, MsgId: String(msgId++) }, new Date(), SAFE);
  expect(res.status).toBe(200);
  const post = await eventually(() => t.slack.callsTo("chat.postMessage").find((c: Posted) => c.body.channel === INBOX && visibleText((c.body.blocks ?? []) as Blocks).includes(tag)), 15_000);
  return visibleText(post.body.blocks as Blocks);
}

/** Who sees a path's private details: its customer's scope, or nobody (a channel, a list without them). */
const SEEN_BY: Record<"alpha" | "beta" | "pair" | "nobody", Record<RoleKey, boolean>> = {
  alpha: { admin: true, manager: true, repA: true, repB: false },
  beta: { admin: true, manager: false, repA: false, repB: true },
  /** Both of the pair's owners' customers: only who may see both. */
  pair: { admin: true, manager: false, repA: false, repB: false },
  nobody: { admin: false, manager: false, repA: false, repB: false },
};

interface Path {
  name: string;
  run: (user: SlackUser) => Promise<string>;
  /** Whose scope decides, and which markers show when it allows. */
  seenBy: keyof typeof SEEN_BY;
  shows: readonly Marker[];
  /** Text that proves the path answered about the customer (so "nothing private" is not an empty answer). */
  present: string;
}

/** Every path where customer data leaves the store. */
const PATHS: readonly Path[] = [
  { name: "card (/customer)", run: (u) => ask(u, "/customer", "Alpha Trading"), seenBy: "alpha", shows: ["alpha.email", "alpha.phone", "alpha.address"], present: "Ann Alpha" },
  { name: "card of another owner's customer", run: (u) => ask(u, "/customer", "Beta Works"), seenBy: "beta", shows: ["beta.email", "beta.phone", "beta.address"], present: "Bob Beta" },
  { name: "history (/history), a note naming the details", run: (u) => ask(u, "/history", "Alpha Trading"), seenBy: "alpha", shows: ["alpha.email", "alpha.phone"], present: "called Ann" },
  { name: "history of another owner's customer", run: (u) => ask(u, "/history", "Beta Works"), seenBy: "beta", shows: ["beta.email", "beta.phone"], present: "called Bob" },
  { name: "contact list (/contact)", run: (u) => ask(u, "/contact", "Alpha Trading"), seenBy: "alpha", shows: ["alpha.email", "alpha.phone"], present: "Ann Alpha" },
  { name: "all contacts (the card's section)", run: (u) => pressed(u, sectionButton(ids.beta!)), seenBy: "beta", shows: ["beta.email", "beta.phone"], present: "Bob Beta" },
  { name: "question (history of …)", run: (u) => ask(u, "/crm", "history of Alpha Trading"), seenBy: "alpha", shows: ["alpha.email", "alpha.phone"], present: "called Ann" },
  { name: "likely duplicates (/crm duplicates)", run: (u) => ask(u, "/crm", "duplicates"), seenBy: "pair", shows: ["pair.phone"], present: "Orchid Foods" },
  { name: "top customers (/top)", run: (u) => ask(u, "/top", "10"), seenBy: "nobody", shows: [], present: "Alpha Trading" },
  { name: "segments (/segment)", run: (u) => ask(u, "/segment", ""), seenBy: "nobody", shows: [], present: "" },
  { name: "data quality (/crm quality)", run: (u) => ask(u, "/crm", "quality"), seenBy: "nobody", shows: [], present: "" },
  { name: "digest (/digest now), a survey comment naming the details", run: (u) => ask(u, "/digest", "now"), seenBy: "nobody", shows: [], present: "Too slow. Call me on •••" },
  { name: "card shared into a channel", run: (u) => shared(u, "/customer", "Alpha Trading"), seenBy: "nobody", shows: [], present: "Ann Alpha" },
  { name: "history shared into a channel", run: (u) => shared(u, "/history", "Alpha Trading"), seenBy: "nobody", shows: [], present: "called Ann" },
  { name: "contacts shared into a channel", run: (u) => shared(u, "/contact", "Beta Works"), seenBy: "nobody", shows: [], present: "Bob Beta" },
  // A low score's alert goes to the inbox channel when the owner is not on Slack: read as that channel reads it.
  { name: "low-score alert for the inbox channel", run: async () => (await t.bot.services.forChannel().getSurvey(ids.survey!))?.comment ?? "", seenBy: "nobody", shows: [], present: "Too slow. Call me on •••" },
  { name: "WeChat message relayed into the inbox channel", run: () => inboxRelay(), seenBy: "nobody", shows: [], present: "please write to ••• or call •••" },
];

async function rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.db.sql.query(sql, params)).rows as T[];
}

/** A command that must succeed (its answer is no error). */
async function must(user: SlackUser, command: string, text: string): Promise<string> {
  const reply = await slack.ask(user, command, text);
  if (/not allowed|Only admins|could not|Nothing was changed|is not a|Which/i.test(reply.text) && !/created|joined|now/i.test(reply.text)) throw new Error(`${command} ${text}: ${reply.text}`);
  return reply.text;
}

beforeAll(async () => {
  wechat = new FakeWechatApi();
  await wechat.start();
  t = await startBotUnderTest({
    env: {
      ADMIN_SLACK_USER_IDS: admin.id,
      WECHAT_APP_ID: SAFE.appId, WECHAT_APP_SECRET: "secret", WECHAT_TOKEN: TOKEN, WECHAT_ENCODING_AES_KEY: SAFE.encodingAesKey, WECHAT_API_BASE_URL: wechat.url, WECHAT_INBOX_CHANNEL: INBOX,
    },
  });
  slack = new SlackDriver(t.base, t.slack);
  t.slack.addUser({ id: admin.id, name: admin.name, realName: "Ada Admin", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: manager.id, name: manager.name, realName: "Mo Manager", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: repA.id, name: repA.name, realName: "Ann Rep", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: repB.id, name: repB.name, realName: "Bob Rep", locale: "en-US", tz: "Asia/Shanghai" });
  for (const user of [admin, manager, repA, repB]) await slack.ask(user, "/crm", "help");

  // The team, set up by the admin with the commands.
  await must(admin, "/crm", `role ${at(manager)} manager`);
  await must(admin, "/crm", `team add North ${at(manager)}`);
  await must(admin, "/crm", `team North add ${at(repA)}`);

  // A's and B's customers, each with a contact with an email and a phone, an address, a note
  // that names both details, and an order (so they rank in /top).
  for (const [rep, name, contact, email, phone, address, note] of [
    [repA, "Alpha Trading", "Ann Alpha", MARKERS.alpha.email, "+86 138 0013 8001", "1 Alpha Road, Harbin", "called Ann on 138 0013 8001, then mailed ann@alpha.example"],
    [repB, "Beta Works", "Bob Beta", MARKERS.beta.email, "+86 139 0013 8002", "2 Beta Street, Qingdao", "called Bob on 13900138002, then mailed bob@beta.example"],
  ] as const) {
    await must(rep, "/customer", `add ${name}`);
    await must(rep, "/contact", `add "${name}" ${contact} ${email} ${phone}`);
    await must(rep, "/customer", `set ${name} address ${address}`);
    await must(rep, "/log", `"${name}" ${note}`);
    await must(rep, "/order", `"${name}" 1200 CNY`);
  }
  await must(repA, "/customer", "add Orchid Foods");
  await must(repA, "/contact", 'add "Orchid Foods" Olga Orchid +86 137 0000 1111');
  await must(repB, "/customer", "add Pine Logistics");
  await must(repB, "/contact", 'add "Pine Logistics" Pete Pine 137-0000-1111');

  // Alpha's WeChat contact: a new sender becomes a lead, which rep A links to Alpha Trading.
  const res = await pushToWechat(t.base, TOKEN, { FromUserName: ALPHA_OPENID, MsgType: "text", Content: "hello", MsgId: String(msgId++) }, new Date(), SAFE);
  expect(res.status).toBe(200);
  await eventually(async () => (await rows("SELECT 1 FROM customers WHERE name LIKE '%A1B2C3'")).length > 0, 15_000);
  await must(repA, "/link", "A1B2C3 to Alpha Trading");

  for (const [key, name] of [["alpha", "Alpha Trading"], ["beta", "Beta Works"]] as const) {
    ids[key] = (await rows<{ id: string }>("SELECT id FROM customers WHERE name = $1", [name]))[0]!.id;
  }
  // A low score answered yesterday (the digest's day) whose comment names Alpha's details.
  const survey = await t.db.sql.query<{ id: string }>(
    `INSERT INTO surveys (id, customer_id, kind, status, score, comment, platform, sent_at, answered_at)
     VALUES (gen_random_uuid(), $1, 'CSAT', 'ANSWERED', 1, 'Too slow. Call me on +86 138 0013 8001 or ann@alpha.example', 'wechat', now() - interval '25 hours', now() - interval '24 hours')
     RETURNING id`,
    [ids.alpha],
  );
  ids.survey = survey.rows[0]!.id;
}, 120_000);
afterAll(async () => {
  await t.stop();
  await wechat.stop();
});

describe("who sees private details, path by path", () => {
  for (const path of PATHS) {
    for (const role of Object.keys(ROLES) as RoleKey[]) {
      const sees = SEEN_BY[path.seenBy][role];
      it(`${path.name} as ${role}: ${sees ? "shows" : "hides"} private details`, async () => {
        const text = await path.run(ROLES[role]);
        expect(text).toContain(path.present);
        for (const marker of path.shows) expect([marker, contains(text, marker)]).toEqual([marker, sees]);
        // Nothing else private, ever: other customers' details, and WeChat ids on any path.
        for (const marker of ALL_MARKERS.filter((m) => !(sees && path.shows.includes(m)))) expect([marker, contains(text, marker)]).toEqual([marker, false]);
      }, 30_000);
    }
  }
});

describe("the same scope for changes, and for a team that changes", () => {
  it("lets the manager change their team's customers and not another's; reps only their own", async () => {
    expect(await ask(manager, "/customer", "set Alpha Trading industry Food")).toContain("Food");
    expect(await ask(manager, "/customer", "set Beta Works industry Food")).toContain("Beta Works is Bob Rep’s customer: only Bob Rep, a manager or an admin can change it. Nothing was changed.");
    expect(await ask(repA, "/customer", "set Beta Works industry Food")).toContain("Nothing was changed.");
    expect(await ask(admin, "/customer", "set Beta Works industry Shipping")).toContain("Shipping");
    const industries = await rows<{ name: string; industry: string | null }>("SELECT name, industry FROM customers WHERE name IN ('Alpha Trading', 'Beta Works') ORDER BY name");
    expect(industries).toEqual([{ name: "Alpha Trading", industry: "Food" }, { name: "Beta Works", industry: "Shipping" }]);
  });

  it("takes a rep's customers out of the manager's view from the next request once they leave the team", async () => {
    expect(contains(await ask(manager, "/customer", "Alpha Trading"), "alpha.email")).toBe(true);
    await must(admin, "/crm", `team North remove ${at(repA)}`);
    const after = await ask(manager, "/customer", "Alpha Trading");
    expect(after).toContain("Ann Alpha");
    expect(contains(after, "alpha.email")).toBe(false);
    expect(after).toContain("Email and phone are visible to the owner (Ann Rep), their team’s manager and admins.");
    await must(admin, "/crm", `team North add ${at(repA)}`);
    expect(contains(await ask(manager, "/customer", "Alpha Trading"), "alpha.email")).toBe(true);
  });
});
