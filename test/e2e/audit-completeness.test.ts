import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIT_ACTIONS, type AuditAction } from "../../src/domain/access/audit-actions.js";
import { eventually, type FakeSlackApi } from "../fakes/fake-slack-api.js";
import { FakeWechatApi } from "../fakes/fake-wechat-api.js";
import { startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { SlackDriver, buttonsIn, findButton, visibleText, type SlackButton, type SlackUser } from "../support/slack-driver.js";
import { postThreadMessage, pushToWechat } from "../support/wechat-push.js";

/**
 * Every command and button that reads or writes customer data, driven through the real bot
 * (signed Slack requests against the fake Slack API, WeChat pushes through the real webhook in
 * safe mode), one step at a time: each step must leave exactly the audit rows its line names,
 * with the right action, actor, entity and customer, and no other. A new command that touches
 * customer data adds a line to STEPS (and its action to src/domain/access/audit-actions.ts); an action
 * of that list no step exercises must say here where it is tested instead.
 *
 * Afterwards no audit row holds any of the personal values the steps planted (contact name,
 * email, phone, WeChat openid, address, note and message texts).
 */
const TOKEN = "audit-completeness-token";
const SAFE = { encodingAesKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", appId: "wxauditcomplete" };
const INBOX = "C0INBOX";

const boss: SlackUser = { id: "U0ABOSS", name: "boss" };
const li: SlackUser = { id: "U0ALINA", name: "li.na" };
const tom: SlackUser = { id: "U0ATOM", name: "tom" };

/** Personal values planted by the steps (each with a word found nowhere else): none may ever appear in an audit row. */
const PLANTED = {
  contact: "Zhang Plantedname",
  email: "zhang.planted@example.org",
  phone: "13900001111",
  openId: "oAuditPlanted000000000Xq9Zk",
  address: "1 Plantedaddress Road",
  note: "PLANTEDNOTE discussed the renewal",
  message: "PLANTEDMSG 我想问一下价格",
  reply: "PLANTEDREPLY 报价稍后发您",
  thread: "PLANTEDTHREAD colleagues only",
};

type Blocks = Record<string, unknown>[];

let t: BotUnderTest;
let wechat: FakeWechatApi;
let slack: SlackDriver;
let msgId = 9_100_000_000_000_000_000n;

async function rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.db.sql.query(sql, params)).rows as T[];
}
const customerId = async (name: string) => (await rows<{ id: string }>("SELECT id FROM customers WHERE name = $1", [name]))[0]!.id;

// ---------------------------------------------------------------------------------------------
// Driving the bot

async function ask(user: SlackUser, command: string, text: string): Promise<{ blocks: Blocks; text: string }> {
  const reply = await slack.ask(user, command, text);
  return { blocks: reply.blocks, text: reply.text };
}

/** Presses a button and returns what the bot answered at the response URL. */
async function press(user: SlackUser, button: SlackButton): Promise<{ blocks: Blocks; text: string }> {
  const body = await slack.pressAndRead(user, button);
  const blocks = (body.blocks ?? []) as Blocks;
  return { blocks, text: visibleText(blocks) };
}

/** Presses a button that opens a form; returns the form. */
async function openForm(user: SlackUser, button: SlackButton, channel = "C0SALES"): Promise<Record<string, unknown>> {
  const { triggerId } = await slack.press(user, button, channel);
  return slack.openedView(triggerId);
}

async function submit(user: SlackUser, view: Record<string, unknown>, changes: Record<string, string>): Promise<void> {
  const res = await slack.submitForm(user, view, changes);
  expect(res.status).toBe(200);
  expect(res.text).not.toContain("errors");
}

const labelled = (blocks: Blocks, label: string): SlackButton => {
  const button = buttonsIn(blocks).find((b) => b.text.text === label);
  if (!button) throw new Error(`no button “${label}” among ${buttonsIn(blocks).map((b) => b.text.text).join(", ")}`);
  return button;
};

async function push(fields: Record<string, string>): Promise<void> {
  const res = await pushToWechat(t.base, TOKEN, fields, new Date(), SAFE);
  expect(res.status).toBe(200);
}

type Posted = ReturnType<FakeSlackApi["callsTo"]>[number];
const inboxPosts = (): Posted[] => t.slack.callsTo("chat.postMessage").filter((c) => c.body.channel === INBOX);

/** What a step's answers left for later steps (a button to press, a thread). */
const saved: { card?: Blocks; history?: Blocks; header?: Posted; headerTs?: string; audit?: Blocks; leadName?: string; duplicates?: Blocks } = {};

// ---------------------------------------------------------------------------------------------
// The table

/** An audit row a step must leave: its action, who (null: the bot), and what it is about. */
interface Expected {
  action: AuditAction;
  actor: SlackUser | null;
  /** A customer (by name, as it is when the step ends) whose id the row's customer_ids must hold. */
  customer?: string;
}

interface Step {
  name: string;
  run: () => Promise<unknown>;
  rows: Expected[];
}

const row = (action: AuditAction, actor: SlackUser | null, customer?: string): Expected => ({ action, actor, ...(customer ? { customer } : {}) });

const P = "Planet Widgets";
const G = "Planet Gadgets";

const STEPS: Step[] = [
  // First use of the bot: a registration each.
  { name: "a new rep's first command", run: () => ask(boss, "/crm", "help"), rows: [row("user.register", boss)] },
  { name: "a second rep", run: () => ask(li, "/crm", "help"), rows: [row("user.register", li)] },
  { name: "a third rep", run: () => ask(tom, "/crm", "help"), rows: [row("user.register", tom)] },
  // Customers and the card.
  { name: "/customer add", run: () => ask(li, "/customer", `add ${P}`), rows: [row("customer.create", li, P), row("customer.view", li, P)] },
  { name: "/customer <name>", run: async () => (saved.card = (await ask(li, "/customer", P)).blocks), rows: [row("customer.view", li, P)] },
  { name: "Share the card in the channel", run: () => press(li, findButton(saved.card!, "share")), rows: [row("customer.view", li, P)] },
  { name: "a name that fits nothing lists look-alikes", run: () => ask(li, "/customer", "Planet Widgetz"), rows: [row("customer.list", li, P)] },
  // Contacts.
  {
    name: "/contact add",
    run: () => ask(li, "/contact", `add ${P} ${PLANTED.contact} ${PLANTED.email} +86 ${PLANTED.phone}`),
    rows: [row("contact.add", li, P)],
  },
  { name: "/contact <customer>", run: () => ask(li, "/contact", P), rows: [row("contact.list", li, P)] },
  {
    name: "a contact's Edit form, opened and saved",
    run: async () => {
      const list = await ask(li, "/contact", P);
      const view = await openForm(li, findButton(list.blocks, "contact.edit"));
      await submit(li, view, { title: "Buyer" });
    },
    rows: [row("contact.list", li, P), row("contact.view", li, P), row("contact.edit", li, P)],
  },
  {
    name: "a contact removed, and Undo",
    run: async () => {
      const list = await ask(li, "/contact", P);
      const removed = await press(li, findButton(list.blocks, "contact.remove"));
      await press(li, findButton(removed.blocks, "contact.restore"));
    },
    rows: [row("contact.list", li, P), row("contact.remove", li, P), row("contact.restore", li, P)],
  },
  // Notes and orders, their corrections and deletions.
  { name: "/log", run: () => ask(li, "/log", `${P} call: ${PLANTED.note}`), rows: [row("interaction.create", li, P)] },
  { name: "/order", run: () => ask(li, "/order", `${P} 1200 CNY widgets`), rows: [row("order.create", li, P)] },
  { name: "/history", run: async () => (saved.history = (await ask(li, "/history", P)).blocks), rows: [row("customer.history", li, P)] },
  {
    name: "Correct on an order: the form, then the change",
    run: async () => {
      const order = buttonsIn(saved.history!).find((b) => b.action_id.startsWith("entry.correct#") && b.value.startsWith("order:"))!;
      const view = await openForm(li, order);
      await submit(li, view, { amount: "1300" });
    },
    rows: [row("order.view", li, P), row("order.correct", li, P)],
  },
  {
    name: "Correct on a note: the form, then the change",
    run: async () => {
      const note = buttonsIn(saved.history!).find((b) => b.action_id.startsWith("entry.correct#") && b.value.startsWith("interaction:"))!;
      const view = await openForm(li, note);
      await submit(li, view, { text: `meeting: ${PLANTED.note} again` });
    },
    rows: [row("interaction.view", li, P), row("interaction.correct", li, P)],
  },
  {
    name: "Delete on an order, and Undo",
    run: async () => {
      const order = buttonsIn(saved.history!).find((b) => b.action_id.startsWith("entry.delete#") && b.value.startsWith("order:"))!;
      const deleted = await press(li, order);
      await press(li, findButton(deleted.blocks, "entry.restore"));
    },
    rows: [row("order.delete", li, P), row("order.restore", li, P)],
  },
  {
    name: "Delete on a note, and Undo",
    run: async () => {
      const note = buttonsIn(saved.history!).find((b) => b.action_id.startsWith("entry.delete#") && b.value.startsWith("interaction:"))!;
      const deleted = await press(li, note);
      await press(li, findButton(deleted.blocks, "entry.restore"));
    },
    rows: [row("interaction.delete", li, P), row("interaction.restore", li, P)],
  },
  { name: "/order undo", run: () => ask(li, "/order", "undo"), rows: [row("order.delete", li, P)] },
  { name: "/log undo", run: () => ask(li, "/log", "undo"), rows: [row("interaction.delete", li, P)] },
  { name: "/log again", run: () => ask(li, "/log", `${P} ${PLANTED.note} once more`), rows: [row("interaction.create", li, P)] },
  { name: "/order again", run: () => ask(li, "/order", `${P} 800 CNY`), rows: [row("order.create", li, P)] },
  // Editing the customer.
  { name: "/customer rename", run: () => ask(li, "/customer", `rename ${P} to ${G}`), rows: [row("customer.rename", li, G), row("customer.view", li, G)] },
  { name: "/customer stage", run: () => ask(li, "/customer", `stage ${G} prospect`), rows: [row("customer.stage", li, G), row("customer.view", li, G)] },
  { name: "/customer set address", run: () => ask(li, "/customer", `set ${G} address ${PLANTED.address}`), rows: [row("customer.update", li, G), row("customer.view", li, G)] },
  { name: "/customer tag", run: () => ask(li, "/customer", `tag ${G} vip`), rows: [row("customer.tag", li, G), row("customer.view", li, G)] },
  { name: "/customer untag", run: () => ask(li, "/customer", `untag ${G} vip`), rows: [row("customer.untag", li, G), row("customer.view", li, G)] },
  {
    name: "the Edit form, opened and saved",
    run: async () => {
      const card = await ask(li, "/customer", G);
      const view = await openForm(li, findButton(card.blocks, "customer.edit"));
      await submit(li, view, { industry: "Aerospace" });
    },
    // The card, the form (every field), the change, and the card the answer shows.
    rows: [row("customer.view", li, G), row("customer.view", li, G), row("customer.edit", li, G), row("customer.view", li, G)],
  },
  {
    name: "/customer assign: the new owner's DM shows them the card",
    run: () => ask(li, "/customer", `assign ${G} to @tom`),
    rows: [row("customer.assign", li, G), row("customer.view", li, G), row("customer.view", tom, G)],
  },
  // Lists and questions.
  { name: "/top", run: () => ask(li, "/top", "5"), rows: [row("customer.list", li, G)] },
  { name: "a question", run: () => ask(li, "/crm", "top 3 clients this year"), rows: [row("customer.list", li, G)] },
  { name: "/segment", run: () => ask(li, "/segment", "new"), rows: [row("customer.list", li, G)] },
  { name: "/crm quality", run: () => ask(boss, "/crm", "quality"), rows: [row("customer.list", boss, G)] },
  { name: "/digest now", run: () => ask(li, "/digest", "now"), rows: [row("digest.view", li)] },
  {
    name: "six reminders: the card shows five, All open reminders the rest",
    run: async () => {
      for (let i = 1; i <= 6; i++) await ask(tom, "/remind", `tomorrow ${i + 8}am call ${G}`);
      const card = await ask(tom, "/customer", G);
      await press(tom, findButton(card.blocks, "customer.section"));
    },
    rows: [...Array.from({ length: 6 }, () => row("reminder.create", tom)), row("customer.view", tom, G), row("customer.view", tom, G)],
  },
  {
    name: "a reminder cancelled",
    run: async () => {
      const list = await ask(tom, "/remind", "list");
      await press(tom, findButton(list.blocks, "reminder.cancel"));
    },
    rows: [row("reminder.update", tom)],
  },
  // Duplicates and merging.
  { name: "/customer add warns of a look-alike", run: async () => (saved.card = (await ask(li, "/customer", "add Planet Gadget")).blocks), rows: [row("customer.list", li, G)] },
  { name: "Add anyway", run: () => press(li, findButton(saved.card!, "customer.addAnyway")), rows: [row("customer.create", li, "Planet Gadget"), row("customer.view", li, "Planet Gadget")] },
  { name: "two more look-alikes", run: async () => { await ask(li, "/customer", "add Orbit Tooling"); await press(li, findButton((await ask(li, "/customer", "add Orbit Tool")).blocks, "customer.addAnyway")); }, rows: [row("customer.create", li, "Orbit Tooling"), row("customer.view", li, "Orbit Tooling"), row("customer.list", li, "Orbit Tooling"), row("customer.create", li, "Orbit Tool"), row("customer.view", li, "Orbit Tool")] },
  { name: "/crm duplicates", run: async () => (saved.duplicates = (await ask(boss, "/crm", "duplicates")).blocks), rows: [row("customer.list", boss, "Orbit Tool")] },
  { name: "Not a duplicate", run: () => press(boss, labelled(saved.duplicates!.slice(saved.duplicates!.findIndex((b) => visibleText([b]).includes("Orbit"))), "Not a duplicate")), rows: [row("duplicate.dismiss", boss, "Orbit Tool")] },
  {
    name: "Merge from the list: the confirmation, then the merge",
    run: async () => {
      const list = (await ask(boss, "/crm", "duplicates")).blocks;
      const ask1 = await press(boss, labelled(list, `Merge into ${G}`));
      await press(boss, findButton(ask1.blocks, "duplicates.merge"));
    },
    rows: [row("customer.list", boss, G), row("customer.view", boss, G), row("customer.merge", boss, G)],
  },
  {
    name: "/top's More",
    run: async () => {
      await ask(li, "/order", "Orbit Tooling 100 CNY");
      await press(li, findButton((await ask(li, "/top", "1")).blocks, "top.show", "More"));
    },
    rows: [row("order.create", li, "Orbit Tooling"), row("customer.list", li, G), row("customer.list", li, "Orbit Tooling")],
  },
  // WeChat: a new sender, the inbox relay, a reply, a colleague's note, /link, a survey.
  {
    name: "a WeChat message from a new sender: a lead, relayed to the inbox",
    run: async () => {
      await push({ FromUserName: PLANTED.openId, MsgType: "text", Content: PLANTED.message, MsgId: String(msgId++) });
      saved.header = await eventually(() => inboxPosts().find((c) => visibleText(c.body.blocks as Blocks).includes("New WeChat conversation")), 15_000);
      saved.headerTs = (t.slack.channels.get(INBOX) ?? []).find((m) => m.text === saved.header!.body.text && !m.thread_ts)!.ts;
      saved.leadName = (await rows<{ name: string }>("SELECT c.name FROM customers c WHERE c.name LIKE 'WeChat user %'"))[0]!.name;
    },
    rows: [row("customer.create", null), row("inbox.relay", null)],
  },
  {
    name: "Reply in the inbox thread",
    run: async () => {
      const view = await openForm(li, findButton(saved.header!.body.blocks as Blocks, "inbox.reply"), INBOX);
      await submit(li, view, { text: PLANTED.reply });
    },
    rows: [row("inbox.reply", li)],
  },
  {
    name: "a colleague's note in the thread",
    run: async () => {
      const res = await postThreadMessage(t.base, { channel: INBOX, user: li.id, threadTs: saved.headerTs!, text: PLANTED.thread, ts: `${Math.floor(Date.now() / 1000)}.000777` });
      expect(res.status).toBe(200);
    },
    rows: [row("interaction.create", li)],
  },
  { name: "/link the lead to a customer", run: () => ask(tom, "/link", `${saved.leadName!.replace("WeChat user ", "")} to ${G}`), rows: [row("contact.link", tom, G)] },
  { name: "/survey", run: () => ask(tom, "/survey", G), rows: [row("survey.start", tom, G)] },
  // Admin: failed messages.
  {
    name: "/crm outbox and Retry",
    run: async () => {
      await t.db.sql.query(
        `INSERT INTO outbox (id, platform, destination, payload, dedupe_key, status, attempts, next_attempt_at, last_error, created_at, updated_at)
         VALUES ($1, 'slack', 'C0GONE', '{"type":"text","text":"x"}', $2, 'FAILED', 5, now(), 'channel_not_found', now(), now())`,
        [randomUUID(), `audit-test-${randomUUID()}`],
      );
      const list = await ask(boss, "/crm", "outbox");
      await press(boss, findButton(list.blocks, "outbox.retry"));
    },
    rows: [row("outbox.list", boss), row("outbox.retry", boss)],
  },
  // The trail itself.
  { name: "/crm audit <customer>", run: async () => (saved.audit = (await ask(boss, "/crm", `audit ${G} last 7 days`)).blocks), rows: [row("audit.view", boss, G)] },
  { name: "/crm audit's Export", run: () => press(boss, findButton(saved.audit!, "audit.export")), rows: [row("audit.export", boss, G)] },
  { name: "/crm audit @person", run: () => ask(boss, "/crm", "audit @li.na"), rows: [row("audit.view", boss)] },
];

/**
 * Actions no step above exercises, each with where it is tested: they belong to other parts of
 * issue 15 or need a set-up of their own. An action in neither list fails this file.
 */
const TESTED_ELSEWHERE: Partial<Record<AuditAction, string>> = {
  "user.role": "test/e2e/slack-admin-list.test.ts and the roles tests (/crm role)",
  "team.create": "roles and teams tests (/crm team)",
  "team.lead": "roles and teams tests",
  "team.member.add": "roles and teams tests",
  "team.member.remove": "roles and teams tests",
  "team.delete": "roles and teams tests",
  "channel.allow": "Slack Connect tests (/crm channel)",
  "inbox.route": "test/integration/inbox-routing.test.ts (/crm inbox route)",
  "inbox.unroute": "test/integration/inbox-routing.test.ts (/crm inbox route … off)",
  "channel.disallow": "Slack Connect tests",
  "person.erase": "test/e2e/erasure.test.ts (/crm erase)",
  "customer.erase": "test/e2e/erasure.test.ts",
  "person.export": "test/e2e/erasure.test.ts (/crm export-person)",
  "contact.erase": "test/integration/link-and-erase.test.ts and test/e2e/wechat-inbox.test.ts (WeChat unfollow)",
  "import.run": "the import tests (/crm import, npm run crm -- import)",
  "export.run": "the export tests (/crm export)",
  "digest.subscribe": "test/e2e/digest.test.ts (/digest subscribe)",
  "digest.change": "test/e2e/digest.test.ts",
  "digest.unsubscribe": "test/e2e/digest.test.ts",
  "deal.create": "test/e2e/deals.test.ts (/deal add)",
  "deal.move": "test/e2e/deals.test.ts (the deal buttons)",
  "deal.edit": "test/e2e/deals.test.ts (the edit form)",
  "deal.delete": "test/e2e/deals.test.ts (Delete)",
  "pipeline.stages": "test/e2e/deals.test.ts (/crm pipeline stages set)",
};

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  wechat = new FakeWechatApi();
  await wechat.start();
  t = await startBotUnderTest({
    env: {
      ADMIN_SLACK_USER_IDS: boss.id,
      WECHAT_APP_ID: SAFE.appId, WECHAT_APP_SECRET: "secret", WECHAT_TOKEN: TOKEN, WECHAT_ENCODING_AES_KEY: SAFE.encodingAesKey, WECHAT_API_BASE_URL: wechat.url, WECHAT_INBOX_CHANNEL: INBOX,
    },
  });
  slack = new SlackDriver(t.base, t.slack);
  t.slack.addUser({ id: boss.id, name: boss.name, realName: "The Boss", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: li.id, name: li.name, realName: "Li Na", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: tom.id, name: tom.name, realName: "Tom Becker", locale: "en-US", tz: "Asia/Shanghai" });
}, 60_000);
afterAll(async () => {
  await t.stop();
  await wechat.stop();
});

interface AuditRowSeen {
  id: string;
  action: string;
  entity: string;
  actor: string | null;
  customer_ids: string[];
}

async function lastId(): Promise<bigint> {
  return BigInt((await rows<{ id: string | null }>("SELECT max(id)::text AS id FROM audit_log"))[0]!.id ?? "0");
}

async function rowsAfter(id: bigint): Promise<AuditRowSeen[]> {
  return rows<AuditRowSeen>(
    `SELECT a.id::text AS id, a.action, a.entity, u.external_id AS actor, a.customer_ids::text[] AS customer_ids
     FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id WHERE a.id > $1 ORDER BY a.id`,
    [id.toString()],
  );
}

const key = (r: { action: string; actor: string | null }) => `${r.action} by ${r.actor ?? "the bot"}`;
const exercised = new Set<string>();

describe("one audit row per data access", () => {
  for (const step of STEPS) {
    it(step.name, async () => {
      const before = await lastId();
      await step.run();
      // Some rows come from a worker (a DM rendered at delivery): wait for the count, then a little
      // more, so a row too many is seen too.
      await eventually(async () => ((await rowsAfter(before)).length >= step.rows.length ? true : undefined), 15_000);
      await new Promise((r) => setTimeout(r, 400));
      const seen = await rowsAfter(before);
      expect(seen.map(key).sort(), step.name).toEqual(step.rows.map((r) => key({ action: r.action, actor: r.actor?.id ?? null })).sort());
      for (const r of seen) {
        exercised.add(r.action);
        expect(r.entity, `${r.action}: entity`).toBe(AUDIT_ACTIONS[r.action as AuditAction].entity);
      }
      for (const expected of step.rows) {
        if (!expected.customer) continue;
        const id = await customerId(expected.customer);
        const match = seen.find((r) => r.action === expected.action && r.actor === (expected.actor?.id ?? null) && r.customer_ids.includes(id));
        expect(match, `${expected.action} by ${expected.actor?.name ?? "the bot"} about ${expected.customer}`).toBeDefined();
      }
    }, 60_000);
  }

  it("exercises every action of src/domain/access/audit-actions.ts, or names where it is tested", () => {
    const untested = Object.keys(AUDIT_ACTIONS).filter((a) => !exercised.has(a) && !(a in TESTED_ELSEWHERE));
    expect(untested).toEqual([]);
    // And nothing is excused that this file does exercise.
    expect(Object.keys(TESTED_ELSEWHERE).filter((a) => exercised.has(a))).toEqual([]);
  });

  it("keeps no personal value in any audit row", async () => {
    const found = await rows<{ action: string; detail: string }>(
      "SELECT action, detail::text AS detail FROM audit_log WHERE detail::text ~* ANY($1) OR entity_id ~* ANY($1)",
      [["Plantedname", "zhang\\.planted", PLANTED.phone, "oAuditPlanted", "Plantedaddress", "PLANTEDNOTE", "PLANTEDMSG", "PLANTEDREPLY", "PLANTEDTHREAD", "Planet Gadgets", "Orbit Tool"]],
    );
    expect(found).toEqual([]);
  });

  it("puts the Export's CSV in the admin's DM, formulas defused", async () => {
    const upload = await eventually(() => t.slack.uploads.find((f) => f.filename.startsWith("audit-customer-")), 15_000);
    expect([boss.id, `D${boss.id}`]).toContain(upload.channel);
    const csv = upload.bytes!.toString("utf8");
    expect(csv.startsWith("\uFEFFTime,Who,Who (id),Action,What,")).toBe(true);
    expect(csv).toContain("customer.assign");
    expect(csv).toContain("Li Na");
  });
});
