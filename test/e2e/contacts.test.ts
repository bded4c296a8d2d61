import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTerminal } from "../../adapters/local/terminal.js";
import { createServices, planNudges } from "../../src/services/index.js";
import { eventually } from "../fakes/fake-slack-api.js";
import { startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { actor, createTestCore, testServiceDeps } from "../support/core.js";
import { SlackDriver, buttonsIn, findButton, visibleText, type SlackButton } from "../support/slack-driver.js";
import { contactDetails, insertContact, lookupHash } from "../support/sealed.js";

/**
 * Contacts through the real bot, the fake Slack API and the terminal adapter, against real
 * Postgres and Redis: /contact add, list, edit and remove, the card's contact buttons, the edit
 * modal, private details, rights, duplicates, undo, the audit, and care reminders. The clock is
 * frozen at Saturday 5 December 2026, 08:00 in Shanghai, and moved by hand for care dates.
 */
let clock = new Date("2026-12-05T00:00:00Z");

let t: BotUnderTest;
let slack: SlackDriver;
/** The first Slack user of the install is its admin. */
const boss = { id: "U0BOSS", name: "boss" };
const li = { id: "U0LINA", name: "li.na" };
const wang = { id: "U0WANG", name: "wang.wei" };

type Blocks = Record<string, unknown>[];

async function rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.db.sql.query(sql, params)).rows as T[];
}

/** A contact as stored, by name (removed ones too); the email and phone opened (they are stored sealed). */
async function stored(name: string) {
  const row = (
    await rows<Record<string, unknown> & { id: string }>(
      `SELECT k.id, k.name, k.title, to_char(k.birthday, 'YYYY-MM-DD') AS birthday, to_char(k.anniversary, 'YYYY-MM-DD') AS anniversary,
              k.deleted_at IS NOT NULL AS removed, c.name AS customer
       FROM contacts k JOIN customers c ON c.id = k.customer_id WHERE k.name = $1 ORDER BY k.created_at`,
      [name],
    )
  )[0];
  if (!row) return undefined;
  const { id, ...rest } = row;
  const details = await contactDetails(t.db.sql, id);
  return { ...rest, email: details?.email ?? null, phone: details?.phone ?? null };
}

const contactId = async (name: string): Promise<string> => (await rows<{ id: string }>("SELECT id FROM contacts WHERE name = $1", [name]))[0]!.id;

const audit = (action: string, name: string) =>
  rows<{ actor: string; detail: Record<string, unknown> }>(
    `SELECT u.external_id AS actor, a.detail FROM audit_log a JOIN users u ON u.id = a.actor_id
     WHERE a.action = $1 AND a.entity_id = (SELECT id::text FROM contacts WHERE name = $2) ORDER BY a.id`,
    [action, name],
  );

/** The ephemeral message the bot posted after a modal was submitted, with this text in it. */
async function confirmation(text: string): Promise<{ text: string; blocks: Blocks }> {
  const call = await eventually(() => t.slack.callsTo("chat.postEphemeral").find((c) => visibleText((c.body.blocks ?? []) as Blocks).includes(text)));
  return { text: visibleText(call.body.blocks as Blocks), blocks: call.body.blocks as Blocks };
}

const initial = (view: Record<string, unknown>, field: string) =>
  (view.blocks as { block_id: string; element: { initial_value?: string } }[]).find((b) => b.block_id === field)?.element.initial_value;

async function openForm(user: { id: string; name: string }, button: SlackButton): Promise<Record<string, unknown>> {
  const { triggerId } = await slack.press(user, button);
  return slack.openedView(triggerId);
}

/** Every value of an edit form, as Slack sends them back (a field left as it was keeps its initial value). */
function formValues(view: Record<string, unknown>, changes: Record<string, string>): Record<string, string> {
  const fields = ["name", "title", "email", "phone", "birthday", "anniversary"];
  return Object.fromEntries(fields.map((f) => [f, changes[f] ?? initial(view, f) ?? ""]));
}

beforeAll(async () => {
  t = await startBotUnderTest({ now: () => clock });
  slack = new SlackDriver(t.base, t.slack);
  t.slack.addUser({ id: boss.id, name: boss.name, realName: "The Boss", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: li.id, name: li.name, realName: "Li Na", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: wang.id, name: wang.name, realName: "王伟", locale: "zh-CN", tz: "Asia/Shanghai" });
  await slack.ask(boss, "/crm", "help");
  await slack.ask(li, "/customer", "add Acme Ltd");
  await slack.ask(wang, "/customer", "add 阿里巴巴集团");
});
afterAll(() => t.stop());

describe("/contact add", () => {
  it("reads the name and the details in any order, stores them checked and normalised, and audits it", async () => {
    const reply = await slack.ask(li, "/contact", "add Acme Li Lei Li.Lei@ACME.Example +86 138 0013 8000 title: Head of Purchasing birthday 1985-03-02");
    expect(reply.text).toContain("Added Li Lei to the contacts of Acme Ltd.");
    expect(reply.text).toContain("Li Lei (Head of Purchasing)");
    expect(reply.text).toContain("Li.Lei@acme.example · +86 138 0013 8000 · birthday 1985-03-02");
    expect(reply.text).toContain("Li Na is reminded on the day, at 09:00.");
    expect(await stored("Li Lei")).toEqual({
      name: "Li Lei", title: "Head of Purchasing", email: "Li.Lei@acme.example", phone: "+8613800138000", birthday: "1985-03-02", anniversary: null, removed: false, customer: "Acme Ltd",
    });
    const [added] = await audit("contact.add", "Li Lei");
    // The fields written, never their values: the audit log holds no personal data.
    expect(added).toMatchObject({ actor: li.id, detail: { before: {}, after: {}, fields: ["name", "title", "email", "phone", "birthday"] } });
    expect(JSON.stringify(added)).not.toMatch(/Li Lei|13800138000|acme\.example/);
    expect(findButton(reply.blocks, "contact.edit")).toBeDefined();
  });

  it("refuses bad details with an example and writes nothing", async () => {
    const before = await rows("SELECT id FROM contacts");
    const phone = await slack.ask(li, "/contact", "add Acme Zhao Liu 12345");
    expect(phone.text).toContain("“12345” is not a valid phone number. Write it with its country code, such as +86 138 0013 8000, or as a number of the team's region, such as 138 0013 8000.");
    const email = await slack.ask(li, "/contact", "add Acme Zhao Liu zhao@");
    expect(email.text).toContain("“zhao@” is not an email address. Write it like li.lei@acme.com.");
    const date = await slack.ask(li, "/contact", "add Acme Zhao Liu 1985-03-02");
    expect(date.text).toContain("Is 1985-03-02 a birthday or an anniversary? Write birthday 1985-03-02 or anniversary 1985-03-02.");
    const future = await slack.ask(li, "/contact", "add Acme Zhao Liu birthday 2027-01-01");
    expect(future.text).toContain("A birthday cannot be after today (2026-12-05): “2027-01-01”.");
    expect((await slack.ask(li, "/contact", "")).text).toContain("Which customer? Write /contact <customer> to see the contacts");
    const noName = await slack.ask(li, "/contact", "add Acme zhao@acme.com");
    expect(noName.text).toContain("Who is the new contact at Acme Ltd?");
    // The usage of /contact add comes with it.
    expect(noName.text).toContain("/contact add <customer> <name>");
    expect(await rows("SELECT id FROM contacts")).toEqual(before);
  });

  it("answers “already there” for an email or phone the customer has, however it is written, and offers to open it", async () => {
    const samePhone = await slack.ask(li, "/contact", "add Acme Lei Li 138-0013-8000");
    expect(samePhone.text).toContain("Acme Ltd already has Li Lei with this phone number, so I did not add a second one.");
    expect(findButton(samePhone.blocks, "contact.edit").value).toBe(await contactId("Li Lei"));
    const sameEmail = await slack.ask(li, "/contact", "add Acme \"Lei Li\" li.lei@acme.EXAMPLE");
    expect(sameEmail.text).toContain("already has Li Lei with this email address");
    expect(await rows("SELECT name FROM contacts WHERE name = 'Lei Li'")).toEqual([]);
  });

  it("adds one contact when reps add the same person at once", async () => {
    await Promise.all([slack.ask(li, "/contact", "add Acme Twin One twin@acme.example"), slack.ask(boss, "/contact", "add Acme Twin Two twin@acme.example")]);
    expect(await rows("SELECT 1 FROM contacts WHERE email_hash = $1", [lookupHash("email", "twin@acme.example")])).toHaveLength(1);
    // Many at once, straight through the services, so the requests really overlap.
    const services = createServices(testServiceDeps(t.db.store, { now: () => clock }));
    const rep = (await services.getRep((await rows<{ id: string }>("SELECT id FROM users WHERE external_id = $1", [li.id]))[0]!.id))!;
    const acme = (await rows<{ id: string }>("SELECT id FROM customers WHERE name = 'Acme Ltd'"))[0]!.id;
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => services.addContact(rep, acme, { name: `Triplet ${i}`, phone: "+86 139 0000 0000" })));
    expect(results.filter((r) => r.kind === "added")).toHaveLength(1);
    expect(await rows("SELECT name FROM contacts WHERE phone_hash = $1", [lookupHash("phone", "+8613900000000")])).toHaveLength(1);
  });

  it("refuses a rep who does not own the customer, naming the owner", async () => {
    const reply = await slack.ask(wang, "/crm", "contact add Acme Ltd Spy spy@evil.example");
    expect(reply.text).toContain("Acme Ltd 是 Li Na 的客户：只有负责人、经理或管理员可以修改其联系人。没有做任何更改。");
    expect(await stored("Spy")).toBeUndefined();
  });

  it("works in Chinese, through /crm and the 联系人 word", async () => {
    const reply = await slack.ask(wang, "/crm", "联系人 添加 阿里巴巴 王芳 wang@alibaba.example 职位：采购经理 生日 1990-05-01");
    expect(reply.text).toContain("已将 王芳 添加为 阿里巴巴集团 的联系人。");
    expect(reply.text).toContain("生日 1990-05-01");
    expect(await stored("王芳")).toMatchObject({ title: "采购经理", email: "wang@alibaba.example", birthday: "1990-05-01" });
    const bad = await slack.ask(wang, "/contact", "新增 阿里巴巴 赵六 电话：12345");
    expect(bad.text).toContain("“12345”不是有效的电话号码。");
  });

  it("asks which customer when the name fits several, then adds to the one picked", async () => {
    await slack.ask(li, "/customer", "add Acme Robotics");
    const ask = await slack.ask(li, "/contact", "add acm Sun Qi sun@robotics.example");
    expect(ask.text).toContain("Several customers match “acm”");
    const robotics = (await rows<{ id: string }>("SELECT id FROM customers WHERE name = 'Acme Robotics'"))[0]!.id;
    const chosen = buttonsIn(ask.blocks).find((b) => b.action_id.startsWith("customer.pick#") && (JSON.parse(b.value) as { id: string }).id === robotics)!;
    const done = await slack.pressAndRead(li, chosen);
    expect(visibleText(done.blocks as Blocks)).toContain("Added Sun Qi to the contacts of Acme Robotics.");
    expect(await stored("Sun Qi")).toMatchObject({ customer: "Acme Robotics", email: "sun@robotics.example" });
  });
});

describe("help", () => {
  it("lists every /contact form with examples, in English and Chinese", async () => {
    const en = await slack.ask(li, "/crm", "help");
    for (const usage of ["/contact <customer>", "/contact add <customer> <name> [email] [phone] [title: …] [birthday YYYY-MM-DD] [anniversary YYYY-MM-DD]", "/contact edit <customer> <name>", "/contact remove <customer> <name>"]) {
      expect(en.text).toContain(usage);
    }
    expect(en.text).toContain("/contact add Acme Li Lei li.lei@acme.com +86 138 0013 8000 title: Head of Purchasing birthday 1985-03-02");
    const zh = await slack.ask(wang, "/crm", "帮助");
    expect(zh.text).toContain("添加联系人。先写姓名");
    expect(zh.text).toContain("/contact 删除 阿里巴巴 王芳");
  });
});

describe("/contact <customer>", () => {
  it("shows the owner every detail with Edit and Remove, and another rep none of the private ones", async () => {
    const mine = await slack.ask(li, "/contact", "Acme Ltd");
    expect(mine.text).toContain("Contacts of Acme Ltd");
    expect(mine.text).toContain("+86 138 0013 8000");
    expect(mine.text).toContain("Li.Lei@acme.example");
    expect(buttonsIn(mine.blocks).filter((b) => b.action_id.startsWith("contact.edit#")).length).toBeGreaterThan(0);
    expect(findButton(mine.blocks, "contact.addForm")).toBeDefined();

    const theirs = await slack.ask(wang, "/contact", "Acme Ltd");
    expect(theirs.text).toContain("Li Lei (Head of Purchasing)");
    expect(theirs.text).not.toContain("138 0013 8000");
    expect(theirs.text).not.toContain("acme.example");
    expect(theirs.text).not.toContain("1985-03-02");
    expect(theirs.text).toContain("邮箱和电话仅负责人（Li Na）、其团队经理和管理员可见。");
    expect(buttonsIn(theirs.blocks).some((b) => /^contact\.(edit|remove|addForm)#/.test(b.action_id))).toBe(false);

    // An admin sees them; so does a direct message to the bot.
    expect((await slack.ask(boss, "/contact", "acme ltd")).text).toContain("+86 138 0013 8000");
    expect(await slack.dm(li, "contact Acme Ltd")).toContain("+86 138 0013 8000");
  });

  it("shares the list into the channel without any private detail", async () => {
    const mine = await slack.ask(li, "/contact", "Acme Ltd");
    const shared = await slack.pressAndRead(li, findButton(mine.blocks, "share"));
    expect(shared.response_type).toBe("in_channel");
    const text = visibleText(shared.blocks as Blocks);
    expect(text).toContain("Li Lei (Head of Purchasing)");
    expect(text).not.toContain("138 0013 8000");
    expect(text).not.toContain("acme.example");
    expect(text).toContain("Email, phone and WeChat ids are left out of answers shared in a channel.");
    expect(buttonsIn(shared.blocks as Blocks).some((b) => b.action_id.startsWith("contact."))).toBe(false);
  });
});

describe("editing a contact", () => {
  it("opens a prefilled form, keeps it open with a message by each bad field, and saves only what changed, audited", async () => {
    const list = await slack.ask(li, "/contact", "Acme Ltd");
    const id = await contactId("Li Lei");
    const edit = buttonsIn(list.blocks).find((b) => b.action_id.startsWith("contact.edit#") && b.value === id)!;
    const view = await openForm(li, edit);
    expect(initial(view, "name")).toBe("Li Lei");
    expect(initial(view, "phone")).toBe("+86 138 0013 8000");
    expect(initial(view, "birthday")).toBe("1985-03-02");

    const bad = await slack.submit(li, view, formValues(view, { email: "not-an-email", phone: "123456" }));
    expect(bad.json()).toMatchObject({
      response_action: "errors",
      errors: { email: "“not-an-email” is not an email address. Write it like li.lei@acme.com.", phone: expect.stringContaining("“123456” is not a valid phone number") as string },
    });
    expect(await stored("Li Lei")).toMatchObject({ email: "Li.Lei@acme.example" });

    const ok = await slack.submit(li, view, formValues(view, { title: "CTO", email: "lei@acme.example" }));
    expect(ok.status).toBe(200);
    expect((await confirmation("Changed the title and email of Li Lei (Acme Ltd).")).text).toContain("Li Lei (CTO)");
    expect(await stored("Li Lei")).toMatchObject({ title: "CTO", email: "lei@acme.example", phone: "+8613800138000", birthday: "1985-03-02" });
    const edits = await audit("contact.edit", "Li Lei");
    expect(edits.at(-1)).toEqual({
      actor: li.id,
      detail: { customerId: expect.any(String) as string, fields: ["title", "email"], before: {}, after: {} },
    });
  });

  it("does not overwrite a change made after the form was opened", async () => {
    const list = await slack.ask(li, "/contact", "Acme Ltd");
    const id = await contactId("Li Lei");
    const edit = buttonsIn(list.blocks).find((b) => b.action_id.startsWith("contact.edit#") && b.value === id)!;
    const first = await openForm(li, edit);
    const second = await openForm(boss, edit);
    await slack.submit(li, first, formValues(first, { title: "Chief Buyer" }));
    await confirmation("Changed the title of Li Lei");
    await slack.submit(boss, second, formValues(second, { title: "Intern" }));
    const stale = await confirmation("Someone changed Li Lei after you opened the form, so nothing was saved.");
    expect(stale.text).toContain("Li Lei (Chief Buyer)");
    expect(await stored("Li Lei")).toMatchObject({ title: "Chief Buyer" });
  });

  it("changes details typed after the name, and refuses an email another contact has", async () => {
    const reply = await slack.ask(li, "/contact", "edit Acme Li Lei title: Head of Sales");
    expect(reply.text).toContain("Changed the title of Li Lei (Acme Ltd).");
    await slack.ask(li, "/contact", "add Acme Zhou Ba zhou@acme.example");
    const taken = await slack.ask(li, "/contact", "edit Acme Zhou Ba lei@acme.example");
    expect(taken.text).toContain("Li Lei at Acme Ltd already has that email address. Nothing was changed.");
    expect(await stored("Zhou Ba")).toMatchObject({ email: "zhou@acme.example" });
    // Without changes it shows the contact with its buttons.
    const shown = await slack.ask(li, "/contact", "edit Acme Zhou");
    expect(findButton(shown.blocks, "contact.edit").value).toBe(await contactId("Zhou Ba"));
  });

  it("refuses another rep's Edit and Remove presses and changes nothing", async () => {
    const list = await slack.ask(li, "/contact", "Acme Ltd");
    const id = await contactId("Li Lei");
    const edit = buttonsIn(list.blocks).find((b) => b.action_id.startsWith("contact.edit#") && b.value === id)!;
    const remove = buttonsIn(list.blocks).find((b) => b.action_id.startsWith("contact.remove#") && b.value === id)!;
    const refusedEdit = await slack.pressAndRead(wang, edit);
    expect(visibleText(refusedEdit.blocks as Blocks)).toContain("Acme Ltd 是 Li Na 的客户");
    const refusedRemove = await slack.pressAndRead(wang, remove);
    expect(visibleText(refusedRemove.blocks as Blocks)).toContain("没有做任何更改");
    expect(await stored("Li Lei")).toMatchObject({ removed: false });
  });
});

describe("removing a contact", () => {
  it("removes from the card, hides it everywhere, and Undo brings it back; both audited", async () => {
    await slack.ask(li, "/contact", "add Acme Qian Jiu qian@acme.example");
    const card = await slack.ask(li, "/customer", "Acme Ltd");
    expect(card.text).toContain("Qian Jiu");
    const id = await contactId("Qian Jiu");
    const remove = buttonsIn(card.blocks).find((b) => b.action_id.startsWith("contact.remove#") && b.value === id)!;
    const removed = await slack.pressAndRead(li, remove);
    expect(visibleText(removed.blocks as Blocks)).toContain("Removed Qian Jiu from the contacts of Acme Ltd.");
    expect(await stored("Qian Jiu")).toMatchObject({ removed: true });
    expect((await slack.ask(li, "/contact", "Acme Ltd")).text).not.toContain("Qian Jiu");
    expect((await slack.ask(li, "/customer", "Acme Ltd")).text).not.toContain("Qian Jiu");
    expect((await audit("contact.remove", "Qian Jiu"))[0]).toMatchObject({ actor: li.id, detail: { fields: ["deletedAt"], before: { deletedAt: null } } });

    // Its email is free again while it is removed...
    expect((await slack.ask(li, "/contact", "edit Acme Zhou Ba qian@acme.example")).text).toContain("Changed the email of Zhou Ba");
    // ... so Undo says who has it now, and changes nothing.
    const taken = await slack.pressAndRead(li, findButton(removed.blocks as Blocks, "contact.restore"));
    expect(visibleText(taken.blocks as Blocks)).toContain("Qian Jiu cannot come back: Zhou Ba at Acme Ltd now has the same email address.");
    await slack.ask(li, "/contact", "edit Acme Zhou Ba zhou@acme.example");
    const undone = await slack.pressAndRead(li, findButton(removed.blocks as Blocks, "contact.restore"));
    expect(visibleText(undone.blocks as Blocks)).toContain("Qian Jiu is back among the contacts of Acme Ltd.");
    expect(undone.replace_original).toBe(true);
    expect(await stored("Qian Jiu")).toMatchObject({ removed: false });
    expect((await audit("contact.restore", "Qian Jiu"))[0]).toMatchObject({ actor: li.id, detail: { after: { deletedAt: null } } });
  });

  it("removes by name in Chinese, with an Undo button", async () => {
    await slack.ask(wang, "/contact", "添加 阿里巴巴 孙七");
    const reply = await slack.ask(wang, "/contact", "删除 阿里巴巴 孙七");
    expect(reply.text).toContain("已从 阿里巴巴集团 的联系人中删除 孙七。");
    expect(findButton(reply.blocks, "contact.restore", "撤销")).toBeDefined();
    expect(await stored("孙七")).toMatchObject({ removed: true });
  });

  it("keeps a contact on WeChat: it can be edited, not removed, so the inbox keeps working", async () => {
    const acme = (await rows<{ id: string }>("SELECT id FROM customers WHERE name = 'Acme Ltd'"))[0]!.id;
    await insertContact(t.db.sql, { customerId: acme, name: "WeChat Wu", wechatOpenId: "oWu123456789" });
    const list = await slack.ask(li, "/contact", "Acme Ltd");
    expect(list.text).toContain("Contacts on WeChat or Slack can be edited, not removed");
    const id = await contactId("WeChat Wu");
    expect(buttonsIn(list.blocks).some((b) => b.action_id.startsWith("contact.remove#") && b.value === id)).toBe(false);
    const forced = await slack.pressAndRead(li, { action_id: "contact.remove#0", value: id, text: { text: "Remove" } });
    expect(visibleText(forced.blocks as Blocks)).toContain("WeChat Wu is on WeChat: their messages arrive through this contact");
    expect(await stored("WeChat Wu")).toMatchObject({ removed: false });
    expect((await slack.ask(li, "/contact", "edit Acme WeChat Wu title: Buyer")).text).toContain("Changed the title of WeChat Wu");
  });
});

describe("the card's contacts", () => {
  it("offers Add contact on an empty card, through a form", async () => {
    await slack.ask(li, "/customer", "add Empty Co");
    const card = await slack.ask(li, "/customer", "Empty Co");
    expect(card.text).toContain("No contacts yet: “Add contact” below adds one.");
    const view = await openForm(li, findButton(card.blocks, "contact.addForm"));
    const bad = await slack.submit(li, view, { name: "", title: "", email: "", phone: "+1 202", birthday: "", anniversary: "" });
    expect(bad.json()).toMatchObject({ response_action: "errors", errors: { name: "A contact needs a name.", phone: expect.stringContaining("is not a valid phone number") as string } });
    await slack.submit(li, view, { name: "Ma Shi", title: "", email: "ma@empty.example", phone: "+1 415 555 0100", birthday: "", anniversary: "" });
    await confirmation("Added Ma Shi to the contacts of Empty Co.");
    expect(await stored("Ma Shi")).toMatchObject({ phone: "+14155550100", customer: "Empty Co" });
    // Another rep gets no Add button on the card, and no form if they press an old one.
    const theirs = await slack.ask(wang, "/customer", "Empty Co");
    expect(buttonsIn(theirs.blocks).some((b) => b.action_id.startsWith("contact."))).toBe(false);
    const refused = await slack.pressAndRead(wang, findButton(card.blocks, "contact.addForm"));
    expect(visibleText(refused.blocks as Blocks)).toContain("Empty Co 是 Li Na 的客户");
  });
});

describe("care reminders", () => {
  const care = (name: string) =>
    rows<{ status: string; due: string; owner: string }>(
      `SELECT r.status::text AS status, to_char(r.due_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS due, u.external_id AS owner
       FROM reminders r JOIN users u ON u.id = r.user_id
       WHERE r.kind = 'CARE_DATE' AND r.detail->>'contactName' = $1 ORDER BY r.created_at`,
      [name],
    );
  const hourly = () => planNudges(testServiceDeps(t.db.store, { now: () => clock }), { quietDays: 3650, defaultTimezone: "Asia/Shanghai" });

  it("reminds the owner on the day, moves with an edited date, and stops for a removed contact", async () => {
    await slack.ask(li, "/customer", "add Care Co");
    // Today's birthday: the reminder is there at once, for 09:00 today.
    await slack.ask(li, "/contact", "add Care Co Zhang San birthday 1980-12-05");
    expect(await care("Zhang San")).toEqual([{ status: "PENDING", due: "2026-12-05 09:00", owner: li.id }]);
    // A later anniversary: nothing yet.
    await slack.ask(li, "/contact", "add Care Co Li Si anniversary 2015-12-08");
    await hourly();
    expect(await care("Li Si")).toEqual([]);

    // Moving the birthday cancels today's; the hourly plan does not bring it back.
    await slack.ask(li, "/contact", "edit Care Co Zhang San birthday 1980-12-10");
    await hourly();
    expect(await care("Zhang San")).toEqual([{ status: "CANCELLED", due: "2026-12-05 09:00", owner: li.id }]);

    // A removed contact's reminder stops, and Undo the same day plans it again.
    await slack.ask(li, "/contact", "add Care Co Wang Wu birthday 1970-12-05");
    const removed = await slack.ask(li, "/contact", "remove Care Co Wang Wu");
    await hourly();
    expect(await care("Wang Wu")).toEqual([{ status: "CANCELLED", due: "2026-12-05 09:00", owner: li.id }]);
    await slack.pressAndRead(li, findButton(removed.blocks, "contact.restore"));
    expect((await care("Wang Wu")).map((r) => r.status)).toEqual(["CANCELLED", "PENDING"]);
    await slack.ask(li, "/contact", "remove Care Co Wang Wu");

    // Three days on, the hourly plan alone reminds of the anniversary at 09:00 that day...
    clock = new Date("2026-12-08T00:30:00Z");
    await hourly();
    expect(await care("Li Si")).toEqual([{ status: "PENDING", due: "2026-12-08 09:00", owner: li.id }]);
    // ... and on the 10th of the moved birthday; never of the removed contact's next one.
    clock = new Date("2026-12-10T00:30:00Z");
    await hourly();
    expect((await care("Zhang San")).map((r) => `${r.status} ${r.due}`)).toEqual(["CANCELLED 2026-12-05 09:00", "PENDING 2026-12-10 09:00"]);
    clock = new Date("2027-12-05T00:30:00Z");
    await hourly();
    expect((await care("Wang Wu")).every((r) => r.status === "CANCELLED")).toBe(true);
    clock = new Date("2026-12-05T00:00:00Z");
  });
});

describe("the terminal demo", () => {
  it("adds, lists, edits through the form, removes and undoes", async () => {
    const { core } = createTestCore(t.db.store, { now: clock });
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = "";
    output.on("data", (chunk: Buffer) => (printed += chunk.toString()));
    const done = runTerminal({ core, actor: actor("demo", { platform: "local", displayName: "Demo Rep" }), input, output });
    input.end(
      [
        "/customer add Terminal Co",
        "/contact add Terminal Co Li Lei 138 0013 8000 title: Buyer",
        "/contact Terminal Co",
        "1", // Edit: the form, field by field (an empty line keeps a value, - empties it)
        "",
        "CTO",
        "lei@terminal.example",
        "-",
        "",
        "",
        "2", // Remove, from the confirmation's buttons
        "1", // Undo
        "exit",
      ].join("\n") + "\n",
    );
    await done;
    expect(printed).toContain("Added Li Lei to the contacts of Terminal Co.");
    expect(printed).toContain("CONTACTS OF TERMINAL CO");
    expect(printed).toContain("+86 138 0013 8000");
    expect(printed).toContain("[1] Edit  [2] Remove");
    expect(printed).toContain("Changed the title, email, and phone of Li Lei (Terminal Co).");
    expect(printed).toContain("Removed Li Lei from the contacts of Terminal Co.");
    expect(printed).toContain("Li Lei is back among the contacts of Terminal Co.");
    const kept = await rows<{ id: string; title: string; deleted_at: Date | null }>("SELECT k.id, title, deleted_at FROM contacts k JOIN customers c ON c.id = k.customer_id WHERE c.name = 'Terminal Co'");
    expect(kept.map((k) => ({ title: k.title, deleted_at: k.deleted_at }))).toEqual([{ title: "CTO", deleted_at: null }]);
    expect(await contactDetails(t.db.sql, kept[0]!.id)).toMatchObject({ email: "lei@terminal.example", phone: null });
  });
});
