import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliverOutbox } from "../../src/services/index.js";
import { startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { testServiceDeps } from "../support/core.js";
import { lookupHash } from "../support/sealed.js";
import { SlackDriver, buttonsIn, findButton, visibleText, type SlackUser } from "../support/slack-driver.js";
import { postThreadMessage, pushToWechat } from "../support/wechat-push.js";
import { eventually, type FakeSlackApi } from "../fakes/fake-slack-api.js";
import { FakeWechatApi } from "../fakes/fake-wechat-api.js";

/**
 * Erasure on request and a person's data export (issue 15), end to end: the real bot over HTTP
 * with real Postgres and Redis, WeChat pushes through the signed (safe mode) webhook, Slack through
 * signed requests to the fake Slack API. A unique marker is planted everywhere a person's data can
 * go; after /crm erase, every text, varchar, json, jsonb and text-array column of every table is
 * searched for it, and for the keyed hashes of the person's details.
 */
const TOKEN = "erasure-test-token";
const SAFE = { encodingAesKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", appId: "wxerasuretest" };
const INBOX = "C0INBOX";
const admin: SlackUser = { id: "U0ADMIN", name: "wang.wei" };
const adminZh: SlackUser = { id: "U0ADMZH", name: "zhang.min" };
const li: SlackUser = { id: "U0LINA", name: "li.na" };
const liZh: SlackUser = { id: "U0LIZH", name: "li.zh" };

// The person of the first scenario: a WeChat follower who becomes Li Lei of Acme Ltd.
const M1 = "QxErase71";
const OPEN_ID = "oQxErase71PersonAbCdEfGhIj0";
const TAIL = "fGhIj0";
const LEAD = `WeChat user ${TAIL}`;
const NAME = `Li Lei ${M1}`;
const EMAIL = `li.lei.${M1.toLowerCase()}@example.com`;
const PHONE_DIGITS = "13800138000";

// The customer of the second scenario.
const M2 = "QxErase82";
const CUSTOMER2 = `${M2} Holdings`;
const CONNECT: SlackUser = { id: "U0QXERASE82", name: "qxerase82.guest" };
const PHONE2_DIGITS = "13900139000";

let t: BotUnderTest;
let wechat: FakeWechatApi;
let slack: SlackDriver;
let msgId = 7_100_000_000_000_000_000n;

beforeAll(async () => {
  wechat = new FakeWechatApi();
  await wechat.start();
  t = await startBotUnderTest({
    env: {
      WECHAT_APP_ID: SAFE.appId, WECHAT_APP_SECRET: "secret", WECHAT_TOKEN: TOKEN, WECHAT_ENCODING_AES_KEY: SAFE.encodingAesKey,
      WECHAT_API_BASE_URL: wechat.url, WECHAT_INBOX_CHANNEL: INBOX, ADMIN_SLACK_USER_IDS: `${admin.id},${adminZh.id}`, SURVEY_AFTER_IDLE: "1h",
    },
  });
  slack = new SlackDriver(t.base, t.slack);
  t.slack.addUser({ id: admin.id, name: admin.name, realName: "Wang Wei", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: adminZh.id, name: adminZh.name, realName: "张敏", locale: "zh-CN", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: li.id, name: li.name, realName: "Li Na", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: liZh.id, name: liZh.name, realName: "李娜", locale: "zh-CN", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: CONNECT.id, name: CONNECT.name, realName: "Guest", locale: "en-US", tz: "Asia/Shanghai" });
}, 30_000);
afterAll(async () => {
  await t.stop();
  await wechat.stop();
});

type Blocks = Record<string, unknown>[];
type Posted = ReturnType<FakeSlackApi["callsTo"]>[number];

async function rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.db.sql.query(sql, params)).rows as T[];
}

async function push(fields: Record<string, string>): Promise<void> {
  const res = await pushToWechat(t.base, TOKEN, fields, new Date(), SAFE);
  expect(res.status).toBe(200);
  expect(await res.text()).toBe("success");
}
const say = (text: string) => push({ FromUserName: OPEN_ID, MsgType: "text", Content: text, MsgId: String(msgId++) });

const inboxPosts = (): Posted[] => t.slack.callsTo("chat.postMessage").filter((c) => c.body.channel === INBOX);
const postedInInbox = (text: string) => eventually(() => inboxPosts().find((c) => visibleText(c.body.blocks as Blocks).includes(text)), 15_000);

/** The ephemeral confirmation the bot posted after a modal was submitted, with this text in it. */
const confirmation = (text: string) =>
  eventually(() => t.slack.callsTo("chat.postEphemeral").map((c) => visibleText((c.body.blocks ?? []) as Blocks)).find((v) => v.includes(text)), 15_000);

/** A slash command that opens a modal: the view it opened. */
async function modalOf(user: SlackUser, command: string, text: string): Promise<Record<string, unknown>> {
  const before = t.slack.callsTo("views.open").length;
  const { http } = await slack.command(user, command, text);
  expect(http.status).toBe(200);
  const call = await eventually(() => t.slack.callsTo("views.open")[before]);
  return call.body.view as Record<string, unknown>;
}

/**
 * Every place text can hold the marker: each text, varchar, json, jsonb and text-array column of
 * every table of the schema (information_schema), as "table.column" where it was found.
 */
async function everywhere(needles: readonly string[]): Promise<string[]> {
  const columns = await rows<{ table_name: string; column_name: string }>(
    `SELECT c.table_name, c.column_name FROM information_schema.columns c
     JOIN information_schema.tables tb ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name AND tb.table_type = 'BASE TABLE'
     WHERE c.table_schema = current_schema()
       AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb') OR (c.data_type = 'ARRAY' AND c.udt_name IN ('_text', '_varchar')))`,
  );
  expect(columns.length).toBeGreaterThan(40);
  const found: string[] = [];
  for (const { table_name: table, column_name: column } of columns) {
    const hit = await rows<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}" WHERE "${column}"::text ILIKE ANY($1)`, [needles.map((n) => `%${n}%`)]);
    if (hit[0]!.n > 0) found.push(`${table}.${column}`);
  }
  return found;
}

const statsOf = async (customer: string) =>
  (await rows<{ stats: string }>("SELECT row(s.order_count, s.total_spent, s.interaction_count, s.first_order_at, s.last_order_at)::text AS stats FROM customer_stats s JOIN customers c ON c.id = s.customer_id WHERE c.name = $1", [customer]))[0]?.stats;

describe("the markers of the first scenario are planted everywhere a person's data goes", () => {
  it("keeps the WeChat conversation, the contact's details, notes, a survey comment and a queued reply", async () => {
    await slack.ask(li, "/customer", "add Acme Ltd");
    await slack.ask(li, "/order", "Acme Ltd 1200 CNY widgets");

    // The follower writes on WeChat: a lead of their own, relayed into the inbox channel.
    await say(`你好，我是李雷 ${M1}，电话${PHONE_DIGITS}`);
    await postedInInbox(`New WeChat conversation with ${LEAD}`);
    await postedInInbox(M1);
    // An event has no MsgId: its id is made of the sender (a keyed hash of the openid).
    await push({ FromUserName: OPEN_ID, MsgType: "event", Event: "CLICK", EventKey: "menu_prices" });
    await eventually(async () => (await everywhere([lookupHash("wechat-event", OPEN_ID)])).includes("interactions.source_id"), 15_000);
    expect((await slack.ask(li, "/link", `${TAIL} to Acme Ltd`)).text).toContain(`Merged the lead ${LEAD} into Acme Ltd`);

    // Their details, through the contact's Edit form.
    const shown = await slack.ask(li, "/contact", `edit Acme Ltd ${LEAD}`);
    const { triggerId } = await slack.press(li, findButton(shown.blocks, "contact.edit"));
    const form = await slack.openedView(triggerId);
    const saved = await slack.submitForm(li, form, { name: NAME, email: EMAIL, phone: "+86 138 0013 8000", title: `Buyer ${M1}` });
    expect(saved.status).toBe(200);
    await eventually(async () => (await rows("SELECT 1 FROM contacts WHERE name = $1", [NAME])).length === 1);

    // A note and a reminder naming them; the customer's own words in a survey comment.
    expect((await slack.ask(li, "/log", `Acme Ltd call: ${NAME} asked for a discount, mail ${EMAIL}`)).text).toContain("Logged");
    expect((await slack.ask(li, "/remind", `Acme Ltd tomorrow 9am call ${NAME} back`)).text).not.toMatch(/didn't|not understand/i);
    expect((await slack.ask(li, "/survey", "Acme Ltd")).text).toContain("Sending the CSAT survey");
    await eventually(async () => (await rows<{ status: string }>("SELECT status FROM surveys s JOIN contacts ct ON ct.id = s.contact_id WHERE ct.name = $1", [NAME]))[0]?.status === "SENT", 15_000);
    await say(`4 ${M1} 物流太慢`);
    await eventually(async () => (await rows<{ comment: string | null }>("SELECT comment FROM surveys WHERE score = 4"))[0]?.comment?.includes(M1) === true, 15_000);
    await eventually(() => wechat.sentTo(OPEN_ID).some((m) => m.includes("感谢您的评价")), 15_000);

    // Colleagues talk about them in the inbox thread; a reply to them waits for WeChat's minute quota.
    const header = await postedInInbox(`conversation with ${LEAD}`);
    const headerTs = (t.slack.channels.get(INBOX) ?? []).find((m) => m.text === header.body.text && !m.thread_ts)!.ts;
    expect((await postThreadMessage(t.base, { channel: INBOX, user: li.id, threadTs: headerTs, text: `I think ${NAME} wants 10% off`, ts: "1763600200.000100" })).status).toBe(200);
    await eventually(async () => (await rows("SELECT 1 FROM interactions WHERE channel = 'NOTE' AND body LIKE $1", [`%${NAME} wants%`])).length === 1, 15_000);
    wechat.script = [{ errcode: 45011, errmsg: "api minute-quota reach limit" }];
    expect((await postThreadMessage(t.base, { channel: INBOX, user: li.id, threadTs: headerTs, text: `reply: ${M1} 您好，稍等`, ts: "1763600201.000100" })).status).toBe(200);
    await eventually(async () => (await rows<{ attempts: number; status: string }>("SELECT o.attempts, o.status::text AS status FROM outbox o WHERE o.payload->>'type' = 'wechat.reply' AND o.destination_hash = $1 AND o.status = 'PENDING' AND o.next_attempt_at > now() + interval '20 seconds'", [lookupHash("wechat", OPEN_ID)])).length === 1, 15_000);
    expect(wechat.sentTo(OPEN_ID).some((m) => m.includes("稍等"))).toBe(false);

    // Audit rows written before the log stopped holding values (older code, imports): one about
    // the contact, one elsewhere quoting the email. The log refuses changes but an erasure's.
    const [contact] = await rows<{ id: string }>("SELECT id FROM contacts WHERE name = $1", [NAME]);
    await t.db.sql.query(
      `INSERT INTO audit_log (actor_id, action, entity, entity_id, detail) VALUES
         (NULL, 'contact.edit', 'contact', $1, $2::jsonb), (NULL, 'customer.update', 'customer', NULL, $3::jsonb)`,
      [contact!.id, JSON.stringify({ before: { name: LEAD, title: null }, after: { name: NAME, title: `Buyer ${M1}`, stage: "LEAD" } }), JSON.stringify({ note: `forwarded from ${EMAIL}`, stage: "ACTIVE" })],
    );
    await expect(t.db.sql.query("UPDATE audit_log SET detail = '{}'::jsonb WHERE entity_id = $1", [contact!.id])).rejects.toThrow(/append-only/);

    // Planted: the marker is in the contact, messages, notes, survey, reminder and audit rows.
    const before = await everywhere([M1]);
    expect(before).toEqual(expect.arrayContaining(["contacts.name", "contacts.title", "interactions.body", "surveys.comment", "reminders.text", "audit_log.detail"]));
  }, 90_000);
});

describe("/crm export-person", () => {
  it("sends everything held about the person as JSON and text files into the admin's DM, audited", async () => {
    const uploadsBefore = t.slack.uploads.length;
    const reply = await slack.ask(admin, "/crm", `export-person Acme Ltd: ${NAME}`);
    expect(reply.responseType).toBe("ephemeral");
    expect(reply.text).toContain(`Everything held about ${NAME} (Acme Ltd)`);
    const files = await eventually(() => (t.slack.uploads.length >= uploadsBefore + 2 ? t.slack.uploads.slice(uploadsBefore) : undefined), 15_000);
    // A file cannot be ephemeral: both went to the asker's DM, never into the channel.
    expect(files.map((f) => f.channel)).toEqual([`D${admin.id}`, `D${admin.id}`]);
    const json = files.find((f) => f.filename.endsWith(".json"))!;
    const text = files.find((f) => f.filename.endsWith(".txt"))!;
    expect(json.filename).not.toContain("Li");
    const record = JSON.parse(json.bytes!.toString("utf8")) as {
      contact: { name: string; email: string; phone: string; wechatOpenId: string; title: string };
      customer: { name: string };
      interactions: { body: string; direction: string }[];
      surveys: { score: number | null; comment: string | null }[];
      outbox: { type: string; status: string }[];
      audit: { action: string }[];
    };
    expect(record.contact).toMatchObject({ name: NAME, email: EMAIL, phone: "+8613800138000", wechatOpenId: OPEN_ID, title: `Buyer ${M1}` });
    expect(record.customer.name).toBe("Acme Ltd");
    expect(record.interactions.map((i) => i.body)).toEqual(expect.arrayContaining([`你好，我是李雷 ${M1}，电话${PHONE_DIGITS}`, `4 ${M1} 物流太慢`, `I think ${NAME} wants 10% off`, `${M1} 您好，稍等`]));
    expect(record.surveys).toEqual([expect.objectContaining({ score: 4, comment: `${M1} 物流太慢` })]);
    expect(record.outbox.map((o) => o.type)).toEqual(expect.arrayContaining(["wechat.reply", "survey.ask", "inbox.message"]));
    expect(record.audit.map((a) => a.action)).toEqual(expect.arrayContaining(["contact.edit"]));
    const readable = text.bytes!.toString("utf8");
    expect(readable).toContain(`Personal data held about ${NAME}`);
    expect(readable).toContain(`Email: ${EMAIL}`);
    expect(readable).toContain("== Messages and notes (");
    expect(await rows("SELECT a.detail FROM audit_log a JOIN users u ON u.id = a.actor_id WHERE a.action = 'person.export' AND u.external_id = $1", [admin.id])).toHaveLength(1);
  }, 30_000);

  it("refuses reps in both languages, before looking anyone up", async () => {
    const uploadsBefore = t.slack.uploads.length;
    expect((await slack.ask(li, "/crm", `export-person ${NAME}`)).text).toContain("Only an admin, or a manager whose team owns the customer, can export a person’s data");
    expect((await slack.ask(liZh, "/crm", `导出个人信息 ${NAME}`)).text).toContain("只有管理员，或其团队负责该客户的经理，可以导出个人信息");
    expect(t.slack.uploads.length).toBe(uploadsBefore);
  });

  it("answers an unknown person and a bare command with what would work, in both languages", async () => {
    expect((await slack.ask(admin, "/crm", "export-person Nobody Known")).text).toContain("No contact matches “Nobody Known”");
    expect((await slack.ask(adminZh, "/crm", "导出个人信息 查无此人")).text).toContain("没有与“查无此人”匹配的联系人");
    expect((await slack.ask(admin, "/crm", "export-person")).text).toContain("Whose data should be exported?");
  });
});

describe("/crm erase of one contact", () => {
  it("refuses reps in both languages and changes nothing", async () => {
    expect((await slack.ask(li, "/crm", `erase ${NAME}`)).text).toContain("Only an admin can erase personal data, so nothing was changed");
    expect((await slack.ask(liZh, "/crm", `擦除 ${NAME}`)).text).toContain("只有管理员可以擦除个人信息");
    expect(await rows("SELECT 1 FROM contacts WHERE name = $1", [NAME])).toHaveLength(1);
  });

  it("answers unknown names, empty and overlong requests in both languages", async () => {
    expect((await slack.ask(admin, "/crm", "erase Nobody Known")).text).toContain("No contact or customer matches “Nobody Known”");
    expect((await slack.ask(adminZh, "/crm", "擦除 查无此人")).text).toContain("没有与“查无此人”匹配的联系人或客户");
    expect((await slack.ask(admin, "/crm", "erase Acme Ltd: Nobody Known")).text).toContain("Acme Ltd has no contact matching “Nobody Known”");
    expect((await slack.ask(admin, "/crm", "erase")).text).toContain("Whose data should be erased?");
    expect((await slack.ask(adminZh, "/crm", "擦除")).text).toContain("要擦除谁的信息？");
    expect((await slack.ask(admin, "/crm", `erase ${"x".repeat(250)}`)).text).toContain("at most 200 characters");
  });

  it("offers every match of an ambiguous name, and a pick opens the confirmation", async () => {
    await slack.ask(li, "/customer", "add Alpha Trading");
    await slack.ask(li, "/customer", "add Beta Trading");
    await slack.ask(li, "/contact", "add Alpha Trading Chen Jing chen.jing@alpha.example.com");
    await slack.ask(li, "/contact", "add Beta Trading Chen Jing chen.jing@beta.example.com");
    const choices = await slack.ask(admin, "/crm", "erase Chen Jing");
    expect(choices.text).toContain("Several people or customers match “Chen Jing”");
    expect(choices.text).toContain("contact of Alpha Trading");
    expect(choices.text).toContain("contact of Beta Trading");
    const buttons = buttonsIn(choices.blocks).filter((b) => b.action_id.startsWith("erase.ask#"));
    expect(buttons).toHaveLength(2);
    const { triggerId } = await slack.press(admin, buttons[0]!);
    const view = await slack.openedView(triggerId);
    expect(visibleText(view.blocks as Blocks)).toMatch(/This erases Chen Jing, a contact of (Alpha|Beta) Trading, for good/);
    // Nothing happens until the confirmation is submitted.
    expect(await rows("SELECT 1 FROM contacts WHERE name = 'Chen Jing'")).toHaveLength(2);
  });

  it("finds the person by email, by phone written another way, and by WeChat id", async () => {
    for (const typed of [EMAIL.toUpperCase(), "138-0013-8000", OPEN_ID]) {
      const view = await modalOf(admin, "/crm", `erase ${typed}`);
      expect(visibleText(view.blocks as Blocks), typed).toContain(`This erases ${NAME}, a contact of Acme Ltd, for good`);
    }
  });

  it("names exactly what will go, wants a reason, and then erases every trace in one go", async () => {
    const view = await modalOf(admin, "/crm", `erase Acme Ltd: ${NAME}`);
    const shown = visibleText(view.blocks as Blocks);
    expect(shown).toContain(`This erases ${NAME}, a contact of Acme Ltd, for good`);
    expect(shown).toMatch(/the texts of \d+ interactions \(\d+ messages among them\); 1 survey comment;/);
    expect(shown).toMatch(/\d+ queued messages? to them (is|are) cancelled\./);
    expect(shown).toContain("Orders, amounts, counts and scores stay.");

    // A reason is required, in the admin's language.
    const empty = await slack.submit(admin, view, { reason: " " });
    expect(empty.json()).toMatchObject({ response_action: "errors" });
    expect(empty.text).toContain("Say why in a few words, 3 to 300 characters");
    const zhView = await modalOf(adminZh, "/crm", `擦除 Acme Ltd：${NAME}`);
    const zhEmpty = await slack.submit(adminZh, zhView, { reason: "x" });
    expect(zhEmpty.text).toContain("请用几句话说明原因");
    expect(await rows("SELECT 1 FROM contacts WHERE name = $1", [NAME])).toHaveLength(1);

    const stats = await statsOf("Acme Ltd");
    const threadNotices = inboxPosts().length;
    const submitted = await slack.submit(admin, view, { reason: "Request by email of 3 December, ticket 4711" });
    expect(submitted.status).toBe(200);
    const done = await confirmation("Erased a contact of Acme Ltd");
    expect(done).toContain("1 survey comment");
    expect(done).toMatch(/\d+ queued messages? cancelled/);

    // No trace of the marker, the phone, the lead's name, or the keyed hashes of the details.
    const hashes = [lookupHash("wechat", OPEN_ID), lookupHash("wechat-event", OPEN_ID), lookupHash("email", EMAIL), lookupHash("phone", "+8613800138000")];
    expect(await everywhere([M1, PHONE_DIGITS, "138 0013 8000", TAIL, ...hashes])).toEqual([]);
    expect(await rows("SELECT 1 FROM contacts WHERE name = 'Erased contact' AND (email_enc IS NOT NULL OR phone_enc IS NOT NULL OR wechat_open_id_enc IS NOT NULL OR slack_user_id IS NOT NULL)")).toEqual([]);

    // The figures stay: orders, counts, the score.
    expect(await statsOf("Acme Ltd")).toBe(stats);
    expect(await rows("SELECT amount::text FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.name = 'Acme Ltd'")).toEqual([{ amount: "1200.00" }]);
    expect(await rows("SELECT score, comment FROM surveys WHERE score = 4")).toEqual([{ score: 4, comment: null }]);

    // The queued reply was cancelled visibly, and a delivery attempt leaves it alone.
    const [queued] = await rows<{ id: string; status: string; last_error: string; destination: string }>("SELECT id, status::text AS status, last_error, destination FROM outbox WHERE payload->>'type' = 'wechat.reply' ORDER BY created_at DESC LIMIT 1");
    expect(queued).toMatchObject({ status: "FAILED", last_error: "the contact was erased", destination: "erased" });
    const tried: string[] = [];
    const deps = testServiceDeps(t.db.store, { now: () => new Date(Date.now() + 3_600_000) });
    const outcome = await deliverOutbox(deps, { deliverer: { deliver: async (m) => (tried.push(m.id), {}), findDelivered: async () => undefined }, rateLimiter: { reserve: async () => 0, pause: async () => undefined } }, queued!.id);
    expect(outcome).toBe("skipped");
    expect(tried).toEqual([]);
    expect(wechat.sentTo(OPEN_ID).some((m) => m.includes("稍等"))).toBe(false);

    // The inbox thread is told, through the outbox, in its thread.
    const notice = await eventually(() => inboxPosts().slice(threadNotices).find((c) => visibleText(c.body.blocks as Blocks).includes("personal data was erased on request")), 15_000);
    expect(notice.body.thread_ts).toBeDefined();

    // Audit rows are scrubbed, never removed; the business facts in them stay.
    expect(await rows("SELECT detail->'after'->>'stage' AS stage FROM audit_log WHERE action = 'contact.edit' AND detail->'after' ? 'stage'")).toEqual([{ stage: "LEAD" }]);
    expect(await rows("SELECT detail->>'note' AS note FROM audit_log WHERE action = 'customer.update' AND detail ? 'note'")).toEqual([{ note: "forwarded from [erased]" }]);

    // One audit row, with who and why.
    const audit = await rows<{ actor: string; entity: string; reason: string }>(
      "SELECT u.external_id AS actor, a.entity, a.detail->>'reason' AS reason FROM audit_log a JOIN users u ON u.id = a.actor_id WHERE a.action = 'person.erase'",
    );
    expect(audit).toEqual([{ actor: admin.id, entity: "contact", reason: "Request by email of 3 December, ticket 4711" }]);

    // A second submission finds nothing left to erase and writes nothing.
    await slack.submit(admin, view, { reason: "Request by email of 3 December, ticket 4711" });
    await confirmation("was erased before: there is nothing left to erase");
    expect(await rows("SELECT 1 FROM audit_log WHERE action = 'person.erase'")).toHaveLength(1);

    // An export now holds only what is left: no name, no details.
    const uploadsBefore = t.slack.uploads.length;
    expect((await slack.ask(admin, "/crm", `export-person ${EMAIL}`)).text).toContain("No contact matches");
    expect((await slack.ask(admin, "/crm", `export-person ${NAME}`)).text).toContain("No contact matches");
    expect(t.slack.uploads.length).toBe(uploadsBefore);
  }, 60_000);
});

describe("/crm erase of a whole customer", () => {
  it("erases the customer, its contacts and texts under a neutral name; the figures stay", async () => {
    await slack.ask(li, "/customer", `add ${M2} Trading`);
    expect((await slack.ask(li, "/customer", `rename ${M2} Trading to ${CUSTOMER2}`)).text).toContain(`Renamed ${M2} Trading to ${CUSTOMER2}`);
    await slack.ask(li, "/customer", `set ${CUSTOMER2} address 1 ${M2} Road, Shanghai`);
    await slack.ask(li, "/customer", `set ${CUSTOMER2} about Family business of Wang ${M2}`);
    await slack.ask(li, "/customer", `set ${CUSTOMER2} website https://${M2.toLowerCase()}.example.com`);
    await slack.ask(li, "/contact", `add ${CUSTOMER2} Wang Fang ${M2.toLowerCase()}.wang@example.com +86 139 0013 9000 title: CEO`);
    await slack.ask(li, "/order", `${CUSTOMER2} 5000 CNY consulting`);
    await slack.ask(li, "/log", `${CUSTOMER2} meeting: Wang Fang showed the ${M2} plant`);
    await slack.ask(li, "/remind", `${CUSTOMER2} tomorrow 10am send ${CUSTOMER2} the contract`);
    // A customer on Slack (Slack Connect) whose survey question is held back by a rate limit.
    t.slack.overrides.set("chat.postMessage", [{ status: 429, headers: { "retry-after": "120" }, body: { ok: false, error: "ratelimited" }, when: (b) => b.channel === CONNECT.id }]);
    expect((await slack.ask(li, "/survey", `<@${CONNECT.id}|${CONNECT.name}> ${CUSTOMER2}`)).text).toContain("CSAT survey");
    await eventually(async () => (await rows("SELECT 1 FROM outbox WHERE destination = $1 AND status = 'PENDING' AND next_attempt_at > now() + interval '30 seconds'", [CONNECT.id])).length === 1, 15_000);
    // The name dictionary finds the customer in a reminder's words (and the reminder is about it).
    expect((await slack.ask(li, "/remind", `tomorrow 11am call ${CUSTOMER2} about the renewal`)).text).toContain(`about ${CUSTOMER2}`);
    expect((await everywhere([M2])).length).toBeGreaterThan(3);

    const stats = await statsOf(CUSTOMER2);
    const view = await modalOf(admin, "/crm", `erase ${CUSTOMER2}`);
    const shown = visibleText(view.blocks as Blocks);
    expect(shown).toMatch(new RegExp(`This erases the customer ${CUSTOMER2} for good: its name \\(it becomes “Erased customer [0-9a-f]{4}”\\)`));
    expect(shown).toContain("2 contacts with all their details");
    expect(shown).toContain("1 queued message is cancelled.");
    await slack.submit(admin, view, { reason: "Customer asked to be forgotten (ticket 4712)" });
    const done = await confirmation("Erased the customer, now “Erased customer");
    expect(done).toContain("2 contacts");

    const [erased] = await rows<{ id: string; name: string; erased: boolean }>("SELECT id, name, erased_at IS NOT NULL AS erased FROM customers WHERE name LIKE 'Erased customer %'");
    expect(erased!.name).toMatch(/^Erased customer [0-9a-f]{4}$/);
    expect(erased!.erased).toBe(true);
    expect(await everywhere([M2, PHONE2_DIGITS, lookupHash("email", `${M2.toLowerCase()}.wang@example.com`), lookupHash("phone", "+8613900139000")])).toEqual([]);
    expect(await statsOf(erased!.name)).toBe(stats);
    expect(await rows("SELECT status::text AS status, last_error FROM outbox WHERE platform = 'slack' AND destination = 'erased' AND payload->>'type' = 'survey.ask'")).toEqual([{ status: "FAILED", last_error: "the contact was erased" }]);
    expect(await rows<{ n: number }>("SELECT count(*)::int AS n FROM audit_log WHERE action = 'customer.erase' AND entity_id = $1", [erased!.id])).toEqual([{ n: 1 }]);

    // Neither the name nor the old one (an alias) finds anyone any more, in a lookup or in a text.
    expect((await slack.ask(li, "/customer", CUSTOMER2)).text).toContain(`No customer matches “${CUSTOMER2}”`);
    expect((await slack.ask(li, "/customer", `${M2} Trading`)).text).toContain(`No customer matches “${M2} Trading”`);
    await slack.ask(li, "/remind", `tomorrow 11am call ${CUSTOMER2} about the pricing`);
    expect(await rows("SELECT customer_id FROM reminders WHERE text LIKE '%about the pricing%'")).toEqual([{ customer_id: null }]);
    expect((await slack.ask(admin, "/crm", `erase ${erased!.name}`)).text).toContain("was erased before");
  }, 60_000);
});
