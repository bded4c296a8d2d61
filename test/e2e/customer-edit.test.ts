import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTerminal } from "../../adapters/local/terminal.js";
import { eventually } from "../fakes/fake-slack-api.js";
import { startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { actor, createTestCore } from "../support/core.js";
import { SlackDriver, buttonsIn, findButton, visibleText, type FormInputBlock, type SlackButton, type SlackUser } from "../support/slack-driver.js";
import type { SignedPost } from "../support/slack-requests.js";
import { testCipher } from "../support/sealed.js";

/**
 * Customers reps maintain (issue 13): rename, stage, assign, fields, tags and the Edit form,
 * through the real bot with signed Slack requests against the fake Slack API, and the terminal
 * adapter, on real Postgres and Redis, in English and Chinese. The clock is frozen at Friday
 * 20 November 2026, 12:00 in Shanghai.
 */
const NOW = new Date("2026-11-20T04:00:00Z");

let t: BotUnderTest;
let slack: SlackDriver;
/** Named in ADMIN_SLACK_USER_IDS: the install's admin. */
const boss = { id: "U0BOSS", name: "boss" };
const li = { id: "U0LINA", name: "li.na" };
const alex = { id: "U0ALEX", name: "alex" };
const wang = { id: "U0WANG", name: "wang.wei" };

type Blocks = Record<string, unknown>[];

async function rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.db.sql.query(sql, params)).rows as T[];
}

async function customer(name: string) {
  const row = (
    await rows<{ id: string; name: string; stage: string; owner: string | null; industry: string | null; website: string | null; address_enc: string | null; source: string | null; about: string | null; tags: string[]; updated_at: Date }>(
      `SELECT c.id, c.name, c.stage, u.external_id AS owner, c.industry, c.website, c.address_enc, c.source, c.about, c.tags, c.updated_at
       FROM customers c LEFT JOIN users u ON u.id = c.owner_id WHERE c.name = $1`,
      [name],
    )
  )[0];
  if (!row) return undefined;
  // The address is stored sealed (encryption at rest).
  const { address_enc, ...rest } = row;
  return { ...rest, address: testCipher().openOrNull("customers.address", address_enc) };
}

/** The bot's own id of a Slack user (audit rows name users by it). */
const userId = async (slackId: string) => (await rows<{ id: string }>("SELECT id FROM users WHERE external_id = $1", [slackId]))[0]!.id;

const audits = (action: string, customerId: string) =>
  rows<{ actor: string; detail: { fields: string[]; before: Record<string, unknown>; after: Record<string, unknown>; notOverwritten?: string[] } }>(
    "SELECT u.external_id AS actor, a.detail FROM audit_log a JOIN users u ON u.id = a.actor_id WHERE a.action = $1 AND a.entity_id = $2 ORDER BY a.id",
    [action, customerId],
  );

const editAudits = (customerId: string) =>
  rows<{ action: string }>("SELECT action FROM audit_log WHERE entity_id = $1 AND action NOT IN ('customer.view', 'customer.create') ORDER BY id", [customerId]);

/** The ephemeral message the bot posted after a modal was submitted, with this text in it. */
async function confirmation(text: string): Promise<{ text: string; blocks: Blocks }> {
  const call = await eventually(() => t.slack.callsTo("chat.postEphemeral").find((c) => visibleText((c.body.blocks ?? []) as Blocks).includes(text)));
  return { text: visibleText(call.body.blocks as Blocks), blocks: call.body.blocks as Blocks };
}

async function openForm(user: SlackUser, button: SlackButton): Promise<Record<string, unknown>> {
  const { triggerId } = await slack.press(user, button);
  return slack.openedView(triggerId);
}

const blockOf = (view: Record<string, unknown>, field: string) => (view.blocks as FormInputBlock[]).find((b) => b.block_id === field)!;

const submitForm = (user: SlackUser, view: Record<string, unknown>, changes: Record<string, string>): Promise<SignedPost> => slack.submitForm(user, view, changes);

async function editFormOf(user: SlackUser, name: string): Promise<Record<string, unknown>> {
  const card = await slack.ask(user, "/customer", name);
  return openForm(user, findButton(card.blocks, "customer.edit"));
}

beforeAll(async () => {
  t = await startBotUnderTest({ now: () => NOW, env: { ADMIN_SLACK_USER_IDS: boss.id } });
  slack = new SlackDriver(t.base, t.slack);
  t.slack.addUser({ id: boss.id, name: boss.name, realName: "The Boss", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: li.id, name: li.name, realName: "Li Na", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: alex.id, name: alex.name, realName: "Alex Chen", locale: "en-GB", tz: "Europe/London" });
  t.slack.addUser({ id: wang.id, name: wang.name, realName: "王伟", locale: "zh-CN", tz: "Asia/Shanghai" });
  // Everyone has used the bot once, so each is a rep it knows.
  for (const user of [boss, li, alex, wang]) await slack.ask(user, "/crm", "help");
  await slack.ask(li, "/customer", "add Acme Robotics");
  await slack.ask(li, "/customer", "add Globex");
  await slack.ask(wang, "/customer", "add 华为技术有限公司");
});
afterAll(() => t.stop());

describe("names must name something", () => {
  it("refuses a name without a letter, with an example, in both languages, and adds nothing", async () => {
    const before = await rows("SELECT id FROM customers");
    for (const bad of ["%", "---", "🚀", "123"]) {
      const reply = await slack.ask(li, "/customer", `add ${bad}`);
      expect(reply.text).toContain(`“${bad}” has no letter in it, so nobody could look the customer up by it. Use a name with letters or Chinese characters, such as /customer add Acme Robotics.`);
    }
    const zh = await slack.ask(wang, "/customer", "add 🚀🚀");
    expect(zh.text).toContain("“🚀🚀”里没有任何文字，别人无法用它查到这个客户。");
    const rename = await slack.ask(li, "/customer", "rename Globex to ---");
    expect(rename.text).toContain("“---” has no letter in it");
    expect(rename.text).toContain("/customer rename Acme to Acme Robotics");
    expect(await rows("SELECT id FROM customers")).toEqual(before);
    expect((await customer("Globex"))?.name).toBe("Globex");
  });

  it("offers no Add button for a look-up without a letter", async () => {
    const reply = await slack.ask(li, "/customer", "%%");
    expect(reply.text).toContain("No customer matches “%%”.");
    expect(buttonsIn(reply.blocks).some((b) => b.action_id.startsWith("customer.add#"))).toBe(false);
  });

  it("asks before “Add <typo>” makes a duplicate of a close name, and adds at once when nothing is close", async () => {
    const miss = await slack.ask(li, "/customer", "Acme Robotcs");
    expect(miss.text).toContain("No customer matches “Acme Robotcs”.");
    const asked = await slack.pressAndRead(li, findButton(miss.blocks, "customer.add"));
    const askedText = visibleText(asked.blocks as Blocks);
    expect(askedText).toContain("Did you mean Acme Robotics? A customer with a close name already exists, so I did not add “Acme Robotcs” yet.");
    expect(await customer("Acme Robotcs")).toBeUndefined();
    const open = findButton(asked.blocks as Blocks, "customer.show");
    expect(open.text.text).toBe("Open Acme Robotics");
    expect(open.value).toBe((await customer("Acme Robotics"))!.id);
    const anyway = findButton(asked.blocks as Blocks, "customer.addAnyway");
    expect(anyway.text.text).toBe("Add “Acme Robotcs” anyway");
    const added = await slack.pressAndRead(li, anyway);
    expect(visibleText(added.blocks as Blocks)).toContain("Added Acme Robotcs as a lead, owned by you.");
    expect((await customer("Acme Robotcs"))?.owner).toBe(li.id);

    const fresh = await slack.ask(li, "/customer", "Initech");
    const pressed = await slack.pressAndRead(li, findButton(fresh.blocks, "customer.add"));
    expect(visibleText(pressed.blocks as Blocks)).toContain("Added Initech as a lead, owned by you.");
  });
});

describe("/customer rename", () => {
  it("renames, keeps the old name as an alias that still finds the customer, audits it, and the name dictionary follows", async () => {
    const before = (await customer("Acme Robotics"))!;
    const reply = await slack.ask(li, "/customer", "rename Acme Robotics to Acme Automation");
    expect(reply.text).toContain("Renamed Acme Robotics to Acme Automation. Looking up “Acme Robotics” still finds it.");
    const after = (await customer("Acme Automation"))!;
    expect(after.id).toBe(before.id);
    expect(after.updated_at.getTime()).toBeGreaterThan(before.updated_at.getTime());
    expect(await rows("SELECT alias FROM customer_aliases WHERE customer_id = $1", [after.id])).toEqual([{ alias: "Acme Robotics" }]);
    const found = await slack.ask(alex, "/customer", "Acme Robotics");
    expect(found.text).toContain("Acme Automation");
    expect(found.text).toContain("Also known as: Acme Robotics");
    // A name is recorded as the field that changed, never its value (the audit holds no names).
    expect(await audits("customer.rename", after.id)).toEqual([{ actor: li.id, detail: { fields: ["name"], before: {}, after: {} } }]);
    // A reminder that names the new name is linked to the customer: the in-memory dictionary knows it.
    const remind = await slack.ask(li, "/remind", "tomorrow 9am call Acme Automation about the renewal");
    expect(remind.text).toContain("Acme Automation");
    expect(await rows("SELECT customer_id FROM reminders WHERE text LIKE '%renewal%'")).toEqual([{ customer_id: after.id }]);
  });

  it("refuses a name another customer has, or answers to as an alias, naming that customer, and changes nothing", async () => {
    const globex = (await customer("Globex"))!;
    const taken = await slack.ask(li, "/customer", "rename Globex to ACME automation ltd");
    expect(taken.text).toContain("“ACME automation ltd” is already a name of Acme Automation (its name or an alias): two customers cannot answer to one name.");
    const alias = await slack.ask(li, "/customer", "rename Globex to Acme Robotics");
    expect(alias.text).toContain("“Acme Robotics” is already a name of Acme Automation");
    expect(await customer("Globex")).toEqual(globex);
    expect(await editAudits(globex.id)).toEqual([]);
  });

  it("renames in Chinese, quoted names too, and says so when the name is the same", async () => {
    const reply = await slack.ask(wang, "/customer", "改名 华为技术有限公司 为 华为");
    expect(reply.text).toContain("已将 华为技术有限公司 改名为 华为。用“华为技术有限公司”仍然可以找到它。");
    expect(await rows("SELECT a.alias FROM customer_aliases a JOIN customers c ON c.id = a.customer_id WHERE c.name = '华为'")).toEqual([{ alias: "华为技术有限公司" }]);
    expect((await slack.ask(wang, "/customer", "华为技术")).text).toContain("别名: 华为技术有限公司");
    const same = await slack.ask(li, "/customer", "rename \"Globex\" \"Globex\"");
    expect(same.text).toContain("Globex is already called that; nothing changed.");
    const usage = await slack.ask(li, "/customer", "rename Globex");
    expect(usage.text).toContain("Which customer, and what is the new name? Write /customer rename <customer> to <new name>.");
  });
});

describe("/customer stage", () => {
  it("sets the stage in either language, records the change as the scan does, and lists the stages for an unknown one", async () => {
    const globex = (await customer("Globex"))!;
    const reply = await slack.ask(li, "/customer", "stage Globex active");
    expect(reply.text).toContain("Globex moved from lead to active.");
    const risk = await slack.ask(li, "/customer", "stage Globex at risk");
    expect(risk.text).toContain("Globex moved from active to at risk.");
    expect((await customer("Globex"))?.stage).toBe("AT_RISK");
    // Both at the frozen instant: compared as a set.
    const changes = await rows(
      `SELECT ch.from_stage, ch.to_stage, ch.reason->>'rule' AS rule, ch.reason->>'by' AS by, u.external_id AS by_id
       FROM customer_stage_changes ch JOIN users u ON u.id = (ch.reason->>'byId')::uuid WHERE ch.customer_id = $1 ORDER BY ch.from_stage`,
      [globex.id],
    );
    expect(changes).toEqual([
      { from_stage: "LEAD", to_stage: "ACTIVE", rule: "manual", by: "Li Na", by_id: li.id },
      { from_stage: "ACTIVE", to_stage: "AT_RISK", rule: "manual", by: "Li Na", by_id: li.id },
    ]);
    expect(await audits("customer.stage", globex.id)).toEqual([
      { actor: li.id, detail: { fields: ["stage"], before: { stage: "LEAD" }, after: { stage: "ACTIVE" } } },
      { actor: li.id, detail: { fields: ["stage"], before: { stage: "ACTIVE" }, after: { stage: "AT_RISK" } } },
    ]);
    const zh = await slack.ask(wang, "/customer", "阶段 华为 活跃");
    expect(zh.text).toContain("华为 的阶段已从“线索”变为“活跃”。");
    const same = await slack.ask(wang, "/customer", "阶段 华为 活跃");
    expect(same.text).toContain("华为 已经处于“活跃”阶段，没有修改。");
    const unknown = await slack.ask(li, "/customer", "stage Globex happy");
    expect(unknown.text).toContain("“happy” is not a stage. Stages: lead, prospect, active, at risk, churned (线索, 潜在客户, 活跃, 有流失风险, 已流失).");
    expect((await customer("Globex"))?.stage).toBe("AT_RISK");
  });
});

describe("/customer assign", () => {
  it("hands a customer to @name, tells the new owner in a DM with the card, and audits it", async () => {
    const globex = (await customer("Globex"))!;
    const reply = await slack.ask(li, "/customer", "assign Globex to @alex.chen");
    expect(reply.text).toContain("Globex is now Alex Chen’s customer; Alex Chen gets a direct message with the card.");
    expect((await customer("Globex"))?.owner).toBe(alex.id);
    const dm = await eventually(() => t.slack.callsTo("chat.postMessage").find((c) => c.body.channel === alex.id && visibleText((c.body.blocks ?? []) as Blocks).includes("Globex")));
    const text = visibleText(dm.body.blocks as Blocks);
    expect(text).toContain("Li Na handed Globex to you: you are the owner now.");
    expect(text).toContain("*Owner*\nAlex Chen");
    findButton(dm.body.blocks as Blocks, "customer.edit");
    const [row] = await audits("customer.assign", globex.id);
    expect(row).toMatchObject({ actor: li.id, detail: { fields: ["owner"], before: { owner: await userId(li.id) }, after: { owner: await userId(alex.id) } } });
  });

  it("says so and changes nothing when the owner is the same", async () => {
    const globex = (await customer("Globex"))!;
    const dms = t.slack.callsTo("chat.postMessage").length;
    const reply = await slack.ask(alex, "/customer", "assign Globex to Alex Chen");
    expect(reply.text).toContain("Globex is already Alex Chen’s customer; nothing changed.");
    expect(await audits("customer.assign", globex.id)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(t.slack.callsTo("chat.postMessage").length).toBe(dms);
  });

  it("answers an unknown rep with whom it knows and how to name them", async () => {
    const reply = await slack.ask(alex, "/customer", "assign Globex to @nobody.here");
    expect(reply.text).toContain("I don’t know a rep “@nobody.here”. Reps I know: Alex Chen, Li Na, The Boss, and 王伟.");
    expect(reply.text).toContain("Write their @name as Slack shows it");
    expect((await customer("Globex"))?.owner).toBe(alex.id);
  });

  it("takes a Slack mention in a direct message, and the Chinese word 转给", async () => {
    const answer = await slack.dm(alex, "customer assign Globex to <@U0WANG>");
    expect(answer).toContain("Globex is now 王伟’s customer");
    expect((await customer("Globex"))?.owner).toBe(wang.id);
    const dm = await eventually(() => t.slack.callsTo("chat.postMessage").find((c) => c.body.channel === wang.id && visibleText((c.body.blocks ?? []) as Blocks).includes("Globex")));
    expect(visibleText(dm.body.blocks as Blocks)).toContain("Alex Chen 把 Globex 转给了你：你现在是负责人。");
    const back = await slack.ask(wang, "/crm", "customer 转给 Globex 给 Li Na");
    expect(back.text).toContain("Globex 现在由 Li Na 负责；Li Na 会收到一条附带客户卡片的私信。");
    expect((await customer("Globex"))?.owner).toBe(li.id);
  });

  it("refuses a rep who does not own the customer, naming the owner, and changes nothing", async () => {
    const globex = (await customer("Globex"))!;
    const actions = await editAudits(globex.id);
    for (const text of ["stage Globex churned", "assign Globex to @alex", "set Globex industry Retail", "tag Globex vip", "rename Globex to Globex Corp"]) {
      const reply = await slack.ask(wang, "/customer", text);
      expect(reply.text, text).toContain("Globex 是 Li Na 的客户：只有 Li Na、经理或管理员可以修改。没有做任何修改。");
    }
    const english = await slack.ask(alex, "/customer", "stage Globex churned");
    expect(english.text).toContain("Globex is Li Na’s customer: only Li Na, a manager or an admin can change it. Nothing was changed.");
    expect(await customer("Globex")).toEqual(globex);
    expect(await editAudits(globex.id)).toEqual(actions);
    // No Edit button for them either; the admin has one.
    const card = await slack.ask(alex, "/customer", "Globex");
    expect(buttonsIn(card.blocks).some((b) => b.action_id.startsWith("customer.edit#"))).toBe(false);
    findButton((await slack.ask(boss, "/customer", "Globex")).blocks, "customer.edit");
  });
});

describe("/customer set and tags", () => {
  it("sets industry, website, address, source and about, empties one with -, and shows them on the card", async () => {
    const globex = (await customer("Globex"))!;
    expect((await slack.ask(li, "/customer", "set Globex industry Manufacturing")).text).toContain("Globex: Industry is now “Manufacturing”.");
    expect((await slack.ask(li, "/customer", "set Globex website Globex.COM/about/")).text).toContain("Globex: Website is now “https://globex.com/about”.");
    expect((await slack.ask(li, "/customer", "set Globex address 1 Main St, Springfield")).text).toContain("Globex: Address is now “1 Main St, Springfield”.");
    expect((await slack.ask(li, "/customer", "set Globex source trade fair")).text).toContain("Globex: Source is now “trade fair”.");
    expect((await slack.ask(li, "/customer", "set Globex about Makes everything; <!channel> ask for Hank")).text).toContain("Globex: About is now");
    // The address is a private detail (maySeePrivate): the owner's card has it, another rep's not.
    expect((await slack.ask(li, "/customer", "Globex")).text).toContain("Industry: Manufacturing · https://globex.com/about · Address: 1 Main St, Springfield");
    const card = await slack.ask(alex, "/customer", "Globex");
    expect(card.text).toContain("Industry: Manufacturing · https://globex.com/about");
    expect(card.text).not.toContain("1 Main St");
    expect(card.text).toContain("About: Makes everything; <!channel> ask for Hank");
    // Customer text stays text: no live channel ping in what Slack renders.
    expect(JSON.stringify(card.blocks)).not.toContain("<!channel>");
    expect((await slack.ask(li, "/customer", "set Globex address -")).text).toContain("Globex: Address is empty now.");
    const row = (await customer("Globex"))!;
    expect(row).toMatchObject({ industry: "Manufacturing", website: "https://globex.com/about", address: null, source: "trade fair", about: "Makes everything; <!channel> ask for Hank" });
    const updates = await audits("customer.update", globex.id);
    expect(updates[0]).toEqual({ actor: li.id, detail: { fields: ["industry"], before: { industry: null }, after: { industry: "Manufacturing" } } });
    // An address is personal: its field is named, its value is not kept.
    expect(updates.at(-1)).toEqual({ actor: li.id, detail: { fields: ["address"], before: {}, after: {} } });
  });

  it("refuses a bad website, an unknown field and a missing value, and changes nothing", async () => {
    const before = await customer("Globex");
    const web = await slack.ask(li, "/customer", "set Globex website javascript:alert(1)");
    expect(web.text).toContain("“javascript:alert(1)” is not a web address. Write a domain such as acme.com or a link such as https://acme.com/about.");
    expect((await slack.ask(li, "/customer", "set Globex website globex")).text).toContain("“globex” is not a web address.");
    const missing = await slack.ask(li, "/customer", "set Globex industry");
    expect(missing.text).toContain("What should the industry be?");
    const unknown = await slack.ask(li, "/customer", "set Globex colour blue");
    expect(unknown.text).toContain("Which customer, which field and what value?");
    expect(unknown.text).toContain("/customer set Acme industry Manufacturing");
    expect(await customer("Globex")).toEqual(before);
  });

  it("sets fields in Chinese, also through /crm and a direct message", async () => {
    const zh = await slack.ask(wang, "/customer", "设置 华为 行业：通信设备");
    expect(zh.text).toContain("华为：行业已设置为“通信设备”。");
    // Slack writes a typed domain as a link in a message.
    expect(await slack.dm(wang, "客户 设置 华为 网站 <http://huawei.com|huawei.com>")).toContain("华为：网站已设置为“https://huawei.com”。");
    expect((await slack.ask(wang, "/crm", "客户 设置 华为 简介 全球领先的 ICT 基础设施提供商")).text).toContain("华为：简介已设置为");
    expect(await customer("华为")).toMatchObject({ industry: "通信设备", website: "https://huawei.com", about: "全球领先的 ICT 基础设施提供商" });
  });

  it("tags and untags with normalised tags, in both languages, and refuses bad ones", async () => {
    const globex = (await customer("Globex"))!;
    const tagged = await slack.ask(li, "/customer", "tag Globex VIP, Key Account, #vip");
    expect(tagged.text).toContain("Globex tagged vip and key-account. Tags now: vip and key-account.");
    expect(tagged.text).toContain("Tags: vip and key-account");
    expect((await slack.ask(li, "/customer", "tag Globex vip")).text).toContain("Globex already has vip; nothing changed.");
    expect((await slack.ask(wang, "/customer", "标签 华为 重点客户, VIP")).text).toContain("已给 华为 加上标签 重点客户和vip。");
    // Without commas each word is a tag: "key" and "account" are not Globex's tags.
    expect((await slack.ask(li, "/customer", "untag Globex key account")).text).toContain("Globex has none of key and account; nothing changed.");
    expect((await customer("Globex"))?.tags).toEqual(["vip", "key-account"]);
    expect((await slack.ask(li, "/customer", "untag Globex key-account")).text).toContain("Removed key-account from Globex. Tags now: vip.");
    expect((await slack.ask(wang, "/customer", "取消标签 华为 重点客户")).text).toContain("已从 华为 去掉标签 重点客户。现在的标签：vip。");
    const bad = await slack.ask(li, "/customer", "tag Globex <b>");
    expect(bad.text).toContain("“<b>” cannot be a tag");
    const long = await slack.ask(li, "/customer", `tag Globex ${"x".repeat(40)}`);
    expect(long.text).toContain("is too long: at most 32 characters.");
    expect((await customer("Globex"))?.tags).toEqual(["vip"]);
    expect(await audits("customer.tag", globex.id)).toEqual([{ actor: li.id, detail: { fields: ["tags"], before: { tags: [] }, after: { tags: ["vip", "key-account"] } } }]);
    expect(await audits("customer.untag", globex.id)).toEqual([{ actor: li.id, detail: { fields: ["tags"], before: { tags: ["vip", "key-account"] }, after: { tags: ["vip"] } } }]);
  });

  it("keeps at most 20 tags", async () => {
    const many = Array.from({ length: 20 }, (_, i) => `t${i}`).join(", ");
    await slack.ask(li, "/customer", `tag Initech ${many}`);
    const over = await slack.ask(li, "/customer", "tag Initech one-more");
    expect(over.text).toContain("A customer has at most 20 tags.");
    expect((await customer("Initech"))?.tags).toHaveLength(20);
    // "set … tags" makes them exactly these; "-" empties them.
    expect((await slack.ask(li, "/customer", "set Initech tags t3, new-one")).text).toContain("Initech’s tags are now: t3 and new-one.");
    expect((await customer("Initech"))?.tags).toEqual(["t3", "new-one"]);
    expect((await slack.ask(li, "/customer", "set Initech tags -")).text).toContain("Initech’s tags are now: —.");
    expect((await customer("Initech"))?.tags).toEqual([]);
  });
});

describe("tags filter /top and /segment", () => {
  it("ranks and lists only the customers with the tag", async () => {
    // Globex (vip) and Acme Automation (no tag) both buy; both become new customers.
    await slack.ask(li, "/order", "Globex 1000 CNY");
    await slack.ask(li, "/order", "Acme Automation 5000 CNY");
    const all = await slack.ask(li, "/top", "");
    expect(all.text).toContain("1. Acme Automation");
    const vip = await slack.ask(li, "/top", "10 tag vip");
    expect(vip.text).toContain("Only customers tagged vip.");
    expect(vip.text).toContain("1. Globex");
    expect(vip.text).not.toContain("Acme Automation");
    const zh = await slack.ask(wang, "/top", "标签 vip 按收入");
    expect(zh.text).toContain("只包括有标签 vip 的客户。");
    expect(zh.text).toContain("1. Globex");
    const none = await slack.ask(li, "/top", "tag nobody-has-this");
    expect(none.text).toContain("Only customers tagged nobody-has-this.");

    const segment = await slack.ask(li, "/segment", "new tag vip");
    expect(segment.text).toContain("New: 1 customer");
    expect(segment.text).toContain("Only customers tagged vip.");
    expect(segment.text).toContain("1. Globex");
    expect(segment.text).not.toContain("Acme Automation");
    const overview = await slack.ask(li, "/segment", "标签 vip");
    expect(overview.text).toContain("Only customers tagged vip.");
    expect(findButton(overview.blocks, "segment.show", "Show").value).toBe("high-value tag vip");
    const untagged = await slack.ask(li, "/segment", "new");
    expect(untagged.text).toContain("New: 2 customers");
  });
});

describe("the Edit form", () => {
  it("opens with every field, stage and owner as selects, and saves what changed in one audited edit that DMs the new owner", async () => {
    const view = await editFormOf(li, "Globex");
    expect((view.blocks as FormInputBlock[]).map((b) => b.block_id)).toEqual(["name", "stage", "owner", "industry", "tags", "website", "address", "source", "about"]);
    expect(blockOf(view, "stage").element).toMatchObject({ type: "static_select", initial_option: { value: "AT_RISK" } });
    const owner = blockOf(view, "owner").element;
    expect(owner.type).toBe("static_select");
    expect(owner.options!.map((o) => o.text.text)).toEqual(expect.arrayContaining(["Li Na", "Alex Chen", "王伟", "The Boss", "nobody yet"]));
    expect(blockOf(view, "industry").element.initial_value).toBe("Manufacturing");
    expect(blockOf(view, "tags").element.initial_value).toBe("vip");
    const alexId = owner.options!.find((o) => o.text.text === "Alex Chen")!.value;
    const globex = (await customer("Globex"))!;
    const res = await submitForm(li, view, { name: "Globex Corporation", stage: "ACTIVE", owner: alexId, tags: "vip, priority", website: "", about: "Makes everything." });
    expect(res.status).toBe(200);
    expect(res.text).toBe("");
    const done = await confirmation("Saved Globex Corporation");
    expect(done.text).toContain("Saved Globex Corporation: Name, Stage, Owner, Website, About, and Tags.");
    expect(done.text).toContain("Alex Chen gets a direct message with the card.");
    expect(await customer("Globex Corporation")).toMatchObject({ id: globex.id, stage: "ACTIVE", owner: alex.id, industry: "Manufacturing", website: null, tags: ["vip", "priority"], about: "Makes everything." });
    const edits = await audits("customer.edit", globex.id);
    expect(edits).toHaveLength(1);
    expect(edits[0]!.detail.before).toEqual({ stage: "AT_RISK", owner: await userId(li.id), tags: ["vip"] });
    expect(edits[0]!.detail.after).toEqual({ stage: "ACTIVE", owner: await userId(alex.id), tags: ["vip", "priority"] });
    expect([...edits[0]!.detail.fields].sort()).toEqual(["about", "name", "owner", "stage", "tags", "website"]);
    // "Globex Corporation" has the key of "Globex" (a company suffix): no alias is needed to find it.
    expect(await rows("SELECT alias FROM customer_aliases WHERE customer_id = $1", [globex.id])).toEqual([]);
    await eventually(() => t.slack.callsTo("chat.postMessage").find((c) => c.body.channel === alex.id && visibleText((c.body.blocks ?? []) as Blocks).includes("Li Na handed Globex Corporation to you")));
  });

  it("keeps the form open with the error by its field and changes nothing on bad input", async () => {
    const before = await customer("Globex Corporation");
    const view = await editFormOf(alex, "Globex Corporation");
    const res = await submitForm(alex, view, { website: "not a site", name: "???" });
    expect(res.status).toBe(200);
    const errors = res.json() as { response_action: string; errors: Record<string, string> };
    expect(errors.response_action).toBe("errors");
    expect(errors.errors.website).toContain("“not a site” is not a web address.");
    expect(errors.errors.name).toContain("“???” has no letter in it");
    expect(await customer("Globex Corporation")).toEqual(before);
    const taken = await submitForm(alex, view, { name: "Acme Robotics" });
    expect((taken.json() as { errors: Record<string, string> }).errors.name).toContain("“Acme Robotics” is already a name of Acme Automation");
    expect(await customer("Globex Corporation")).toEqual(before);
  });

  it("does not overwrite a field someone changed after the form was opened, and shows both values", async () => {
    const view = await editFormOf(alex, "Globex Corporation");
    // The admin changes the industry meanwhile.
    await slack.ask(boss, "/customer", "set Globex Corporation industry Aerospace");
    await submitForm(alex, view, { industry: "Retail", source: "referral" });
    const done = await confirmation("after you opened the form");
    expect(done.text).toContain("Saved Globex Corporation: Source.");
    expect(done.text).toContain("Someone changed these fields of Globex Corporation after you opened the form, so yours were not saved:");
    expect(done.text).toContain("• Industry: now “Aerospace” (yours: “Retail”)");
    findButton(done.blocks, "customer.edit", "Edit again");
    expect(await customer("Globex Corporation")).toMatchObject({ industry: "Aerospace", source: "referral" });
    const [edit] = (await audits("customer.edit", (await customer("Globex Corporation"))!.id)).slice(-1);
    expect(edit!.detail).toMatchObject({ before: { source: "trade fair" }, after: { source: "referral" }, notOverwritten: ["industry"] });
  });

  it("refuses a rep who may not edit when the form is opened or submitted", async () => {
    const view = await editFormOf(alex, "Globex Corporation");
    const before = await customer("Globex Corporation");
    // Alex hands the customer on while the form is open: it is no longer theirs to edit.
    await slack.ask(alex, "/customer", "assign Globex Corporation to Li Na");
    await submitForm(alex, view, { about: "mine" });
    const done = await confirmation("Globex Corporation is Li Na’s customer");
    expect(done.text).toContain("Nothing was changed.");
    expect((await customer("Globex Corporation"))?.about).toBe(before?.about);
    const pressed = await slack.pressAndRead(alex, { action_id: "customer.edit#0", value: before!.id, text: { text: "Edit" } });
    expect(visibleText(pressed.blocks as Blocks)).toContain("Globex Corporation is Li Na’s customer");
  });
});

describe("concurrent edits of one customer", () => {
  it("loses no update when two reps change different fields at once", async () => {
    await slack.ask(boss, "/customer", "add Umbrella");
    const jobs = [
      slack.ask(boss, "/customer", "set Umbrella industry Pharma"),
      slack.ask(li, "/customer", "set Umbrella website umbrella.example"),
      slack.ask(alex, "/customer", "set Umbrella address Raccoon City"),
      slack.ask(boss, "/customer", "stage Umbrella prospect"),
      ...["a", "b", "c", "d", "e", "f"].map((tag, i) => slack.ask([boss, li, alex][i % 3]!, "/customer", `tag Umbrella ${tag}`)),
    ];
    // Umbrella is the boss's; reps may edit only what is theirs, so the reps' edits are refused.
    const replies = await Promise.all(jobs);
    expect(replies.filter((r) => r.text.includes("Umbrella is The Boss’s customer"))).toHaveLength(6);
    const umbrella = (await customer("Umbrella"))!;
    expect(umbrella).toMatchObject({ industry: "Pharma", website: null, address: null, stage: "PROSPECT" });
    expect([...umbrella.tags].sort()).toEqual(["a", "d"]);

    await slack.ask(boss, "/customer", "assign Umbrella to nobody");
    const free = await Promise.all([
      slack.ask(li, "/customer", "set Umbrella website umbrella.example"),
      slack.ask(alex, "/customer", "set Umbrella address Raccoon City"),
      slack.ask(wang, "/customer", "set Umbrella source 展会"),
      ...["p", "q", "r", "s", "t", "u"].map((tag, i) => slack.ask([li, alex, wang][i % 3]!, "/customer", `tag Umbrella ${tag}`)),
      slack.ask(li, "/customer", "untag Umbrella a"),
    ]);
    expect(free.map((r) => r.text).join("\n")).not.toContain("customer: only");
    const after = (await customer("Umbrella"))!;
    expect(after).toMatchObject({ industry: "Pharma", website: "https://umbrella.example", address: "Raccoon City", source: "展会", stage: "PROSPECT" });
    expect([...after.tags].sort()).toEqual(["d", "p", "q", "r", "s", "t", "u"]);
    // Every change has its audit row.
    // industry, website, address, source; the stage; tags a, d, p-u; the untag.
    expect((await editAudits(after.id)).filter((a) => a.action !== "customer.assign")).toHaveLength(4 + 1 + 8 + 1);
  });

  it("two forms of one customer submitted at once: different fields both save, the same field saves once and reports the other", async () => {
    const [a, b] = await Promise.all([editFormOf(boss, "Umbrella"), editFormOf(li, "Umbrella")]);
    await Promise.all([submitForm(boss, a, { industry: "Biotech" }), submitForm(li, b, { about: "Corporate" })]);
    await eventually(async () => (await customer("Umbrella"))?.about === "Corporate" || undefined);
    await eventually(async () => (await customer("Umbrella"))?.industry === "Biotech" || undefined);

    const [c, d] = await Promise.all([editFormOf(boss, "Umbrella"), editFormOf(li, "Umbrella")]);
    await Promise.all([submitForm(boss, c, { address: "Paris" }), submitForm(li, d, { address: "Tokyo" })]);
    const conflict = await confirmation("• Address: now");
    const address = (await customer("Umbrella"))!.address;
    expect(["Paris", "Tokyo"]).toContain(address);
    expect(conflict.text).toContain(`• Address: now “${address}” (yours: “${address === "Paris" ? "Tokyo" : "Paris"}”)`);
    const umbrella = (await customer("Umbrella"))!;
    expect((await audits("customer.edit", umbrella.id)).filter((e) => e.detail.fields.includes("address"))).toHaveLength(1);
  });
});

describe("many edits at once, through the services", () => {
  it("lands every tag and field of twenty simultaneous edits, each audited, and lets one of two renames to one name win", async () => {
    const { services } = createTestCore(t.db.store, { now: NOW });
    const rep = (await services.getRep((await rows<{ id: string }>("SELECT id FROM users WHERE external_id = $1", [boss.id]))[0]!.id))!;
    await slack.ask(boss, "/customer", "add Stark Industries");
    await slack.ask(boss, "/customer", "add Wayne Enterprises");
    const stark = (await customer("Stark Industries"))!.id;
    const wayne = (await customer("Wayne Enterprises"))!.id;
    const tags = Array.from({ length: 16 }, (_, i) => `x${i}`);
    await Promise.all([
      ...tags.map((tag) => services.editCustomer(rep, { customerId: stark, changes: [{ field: "tags", add: [tag], remove: [] }], action: "customer.tag" })),
      services.editCustomer(rep, { customerId: stark, changes: [{ field: "industry", value: "Defense" }], action: "customer.update" }),
      services.editCustomer(rep, { customerId: stark, changes: [{ field: "website", value: "https://stark.example" }], action: "customer.update" }),
      services.editCustomer(rep, { customerId: stark, changes: [{ field: "stage", stage: "ACTIVE" }], action: "customer.stage" }),
      services.editCustomer(rep, { customerId: stark, changes: [{ field: "about", value: "Suits" }], action: "customer.update" }),
    ]);
    const after = (await customer("Stark Industries"))!;
    expect([...after.tags].sort()).toEqual([...tags].sort());
    expect(after).toMatchObject({ industry: "Defense", website: "https://stark.example", stage: "ACTIVE", about: "Suits" });
    expect(await editAudits(stark)).toHaveLength(20);

    const renames = await Promise.allSettled([stark, wayne].map((id) => services.editCustomer(rep, { customerId: id, changes: [{ field: "name", name: "Shared Name" }], action: "customer.rename" })));
    expect(renames.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = renames.find((r): r is PromiseRejectedResult => r.status === "rejected")!;
    expect(refused.reason).toMatchObject({ userKey: "customer.rename.taken", field: "name" });
    expect(await rows("SELECT name FROM customers WHERE name IN ('Shared Name', 'Stark Industries', 'Wayne Enterprises') ORDER BY name")).toHaveLength(2);
  });

  it("refuses a rename that loses the race for a name to a transaction still open when it checked", async () => {
    const { services } = createTestCore(t.db.store, { now: NOW });
    const rep = (await services.getRep((await rows<{ id: string }>("SELECT id FROM users WHERE external_id = $1", [boss.id]))[0]!.id))!;
    await slack.ask(boss, "/customer", "add Oscorp");
    await slack.ask(boss, "/customer", "add Cyberdyne");
    const [oscorp, cyberdyne] = [(await customer("Oscorp"))!, (await customer("Cyberdyne"))!];
    // Another writer takes the name "Tyrell" and has not committed when the rename checks it.
    const other = await t.db.sql.connect();
    try {
      await other.query("BEGIN");
      await other.query("UPDATE customers SET name = 'Tyrell', normalized_name = 'tyrell', pinyin = 'tyrell', pinyin_initials = 'tyrell' WHERE id = $1", [oscorp.id]);
      // Settled into a value at once: the refusal may come before the test's COMMIT returns.
      const rename = services.editCustomer(rep, { customerId: cyberdyne.id, changes: [{ field: "name", name: "Tyrell" }], action: "customer.rename" }).then(
        () => "renamed",
        (error: unknown) => error,
      );
      await new Promise((r) => setTimeout(r, 300));
      await other.query("COMMIT");
      expect(await rename).toMatchObject({ userKey: "customer.rename.taken", field: "name", params: { name: "Tyrell", wanted: "Tyrell" } });
    } finally {
      other.release();
    }
    expect(await customer("Cyberdyne")).toEqual(cyberdyne);
    expect(await editAudits(cyberdyne.id)).toEqual([]);
  });
});

describe("help and the terminal", () => {
  it("lists the new forms with examples in both languages", async () => {
    const en = await slack.ask(li, "/crm", "help");
    for (const line of ["/customer rename <customer> to <new name>", "/customer assign <customer> to <@rep>", "/customer stage <customer> <stage>", "/customer tag <customer> <tag>", "/customer untag <customer> <tag>", "/customer tag Acme vip"]) {
      expect(en.text).toContain(line);
    }
    const zh = await slack.ask(wang, "/crm", "help");
    expect(zh.text).toContain("给客户改名。旧名称保留为别名");
    expect(zh.text).toContain("/customer 转给 阿里巴巴 给 李娜");
  });

  it("edits through the terminal demo: commands, and the Edit form with numbered choices", async () => {
    const { core } = createTestCore(t.db.store, { now: NOW });
    const session = async (lines: string[]) => {
      const input = new PassThrough();
      const output = new PassThrough();
      let printed = "";
      output.on("data", (chunk: Buffer) => (printed += chunk.toString()));
      const done = runTerminal({ core, actor: actor("term-rep", { platform: "local", displayName: "Terminal Rep" }), input, output });
      input.end(lines.join("\n") + "\n");
      await done;
      return printed;
    };
    const first = await session(["/customer add Terminal Co", "customer tag Terminal Co demo", "exit"]);
    expect(first).toContain("Terminal Co tagged demo.");
    const edit = /\[(\d+)\] Edit/.exec(first)![1]!;
    // name, stage (3 = active), owner, industry, tags, website, address, source, about
    const out = await session(["/customer Terminal Co", edit, "", "3", "", "Retail", "demo, trial", "terminal.example", "-", "", "A shop", "exit"]);
    expect(out).toContain("Edit customer");
    expect(out).toContain("    3) active");
    expect(out).toContain("Saved Terminal Co: Stage, Industry, Website, About, and Tags.");
    expect(await customer("Terminal Co")).toMatchObject({ stage: "ACTIVE", industry: "Retail", website: "https://terminal.example", tags: ["demo", "trial"], about: "A shop" });

    // Handed to another demo rep: their message waits in the outbox until the demo runs as them.
    await (async () => {
      const input = new PassThrough();
      const output = new PassThrough();
      const done = runTerminal({ core, actor: actor("term-other", { platform: "local", displayName: "Other Rep", locale: "zh-CN" }), input, output });
      input.end("/crm help\nexit\n");
      await done;
    })();
    const assigned = await session(["customer assign Terminal Co to other rep", "exit"]);
    expect(assigned).toContain("Terminal Co is now Other Rep’s customer; Other Rep gets a direct message with the card.");
    const [row] = await rows<{ platform: string; destination: string; payload: unknown }>("SELECT platform, destination, payload FROM outbox WHERE payload->>'type' = 'customer.assigned' AND destination = 'term-other'");
    expect(row).toMatchObject({ platform: "local", destination: "term-other" });
    const message = await core.renderNotification(row!.payload);
    expect(message.summary).toBe("Terminal Rep 把 Terminal Co 转给了你：你现在是负责人。");
  });
});
