import { randomUUID } from "node:crypto";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTerminal } from "../../adapters/local/terminal.js";
import { nameKeys } from "../../src/domain/language/customer-name.js";
import { startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { actor, createTestCore } from "../support/core.js";
import { SlackDriver, buttonsIn, visibleText, type SlackButton, type SlackUser } from "../support/slack-driver.js";
import { insertContact } from "../support/sealed.js";

/**
 * Likely duplicates and merging them (issue 13): /crm duplicates with reasons and buttons, "Not a
 * duplicate", Merge from the list and /customer merge, the warning before /customer add makes a
 * duplicate, through the real bot with signed Slack requests against the fake Slack API, and the
 * terminal adapter, on real Postgres and Redis, in English and Chinese. Clock frozen.
 */
const NOW = new Date("2026-11-20T04:00:00Z");

let t: BotUnderTest;
let slack: SlackDriver;
/** Named in ADMIN_SLACK_USER_IDS. */
const boss = { id: "U0DBOSS", name: "boss" };
const li = { id: "U0DLINA", name: "li.na" };
const tom = { id: "U0DTOM", name: "tom" };
const wang = { id: "U0DWANG", name: "wang.wei" };

type Blocks = Record<string, unknown>[];

async function rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.db.sql.query(sql, params)).rows as T[];
}

async function userId(slackId: string): Promise<string> {
  return (await rows<{ id: string }>("SELECT id FROM users WHERE external_id = $1", [slackId]))[0]!.id;
}

/** A customer as the stores make one, owned by a Slack user (or nobody). */
async function customer(name: string, owner: SlackUser | null): Promise<string> {
  const keys = nameKeys(name);
  const id = randomUUID();
  await t.db.sql.query(
    `INSERT INTO customers (id, name, normalized_name, pinyin, pinyin_initials, stage, owner_id, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, 'ACTIVE', $6, now(), now())`,
    [id, name, keys.normalizedName, keys.pinyin, keys.pinyinInitials, owner ? await userId(owner.id) : null],
  );
  return id;
}

async function contact(customerId: string, values: { email?: string; phone?: string }): Promise<void> {
  await insertContact(t.db.sql, { id: randomUUID(), customerId, email: values.email ?? null, phone: values.phone ?? null });
}

async function exists(id: string): Promise<boolean> {
  return (await rows("SELECT 1 FROM customers WHERE id = $1", [id])).length === 1;
}

/** The list item (section) of a pair and the buttons under it. */
function pairIn(blocks: Blocks, a: string, b: string): { text: string; buttons: SlackButton[] } {
  const i = blocks.findIndex((block) => block.type === "section" && visibleText([block]).includes(`${a}  ↔  ${b}`));
  if (i < 0) throw new Error(`no pair ${a} ↔ ${b} in ${visibleText(blocks).slice(0, 1500)}`);
  const next = blocks[i + 1];
  return { text: visibleText([blocks[i]!]), buttons: next?.type === "actions" ? buttonsIn([next]) : [] };
}

function pairOf(blocks: Blocks, x: string, y: string): { text: string; buttons: SlackButton[] } {
  try {
    return pairIn(blocks, x, y);
  } catch {
    return pairIn(blocks, y, x);
  }
}

const labelled = (buttons: SlackButton[], label: string) => {
  const b = buttons.find((x) => x.text.text === label);
  if (!b) throw new Error(`no button “${label}” among ${buttons.map((x) => x.text.text).join(", ")}`);
  return b;
};

const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await startBotUnderTest({ now: () => NOW, env: { ADMIN_SLACK_USER_IDS: boss.id } });
  slack = new SlackDriver(t.base, t.slack);
  t.slack.addUser({ id: boss.id, name: boss.name, realName: "The Boss", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: li.id, name: li.name, realName: "Li Na", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: tom.id, name: tom.name, realName: "Tom Becker", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: wang.id, name: wang.name, realName: "王伟", locale: "zh-CN", tz: "Asia/Shanghai" });
  for (const user of [boss, li, tom, wang]) await slack.ask(user, "/crm", "help");
  // Names alike, the same name in two scripts, a shared phone written two ways, a shared email.
  ids.acme = await customer("Acme Robotics", li);
  ids.acmeTypo = await customer("Acme Robotic Systems", li);
  ids.ali = await customer("阿里巴巴", li);
  ids.aliLatin = await customer("Alibaba", null);
  ids.harbor = await customer("Harbor Freight", tom);
  ids.seaside = await customer("Seaside Trading", tom);
  await contact(ids.harbor, { phone: "+86 138 0013 8000" });
  await contact(ids.seaside, { phone: "13800138000" });
  ids.blue = await customer("Blue Fox Media", li);
  ids.red = await customer("Red Panda Studios", tom);
  await contact(ids.blue, { email: "Hello@FoxPanda.example" });
  await contact(ids.red, { email: "hello@foxpanda.example " });
  ids.lonely = await customer("Completely Unrelated Name", li);
});
afterAll(() => t.stop());

describe("/crm duplicates", () => {
  it("lists each likely pair once, strongest first, with the reason and buttons", async () => {
    const reply = await slack.ask(boss, "/crm", "duplicates");
    expect(reply.text).toContain("Likely duplicates");
    expect(reply.text).toContain("4 pairs of customers that are likely the same company.");
    expect(pairOf(reply.blocks, "Acme Robotics", "Acme Robotic Systems").text).toMatch(/names \d+% alike/);
    expect(pairOf(reply.blocks, "阿里巴巴", "Alibaba").text).toContain("same name in pinyin (alibaba)");
    // The admin may see every customer's private details: the phone is named.
    expect(pairOf(reply.blocks, "Harbor Freight", "Seaside Trading").text).toContain("same phone +86 138 0013 8000");
    expect(pairOf(reply.blocks, "Blue Fox Media", "Red Panda Studios").text).toContain("same email");
    expect(reply.text).not.toContain("Completely Unrelated Name");
    // Strongest first: the shared email (0.98) before the shared phone (0.97) before the pinyin (0.95).
    const order = ["Blue Fox Media", "Harbor Freight", "阿里巴巴", "Acme Robotic"].map((n) => reply.text.indexOf(n));
    expect(order).toEqual([...order].sort((x, y) => x - y));
    const pair = pairOf(reply.blocks, "Harbor Freight", "Seaside Trading");
    expect(pair.buttons.map((b) => b.text.text)).toEqual(expect.arrayContaining(["Not a duplicate", "Open Harbor Freight", "Open Seaside Trading"]));
    expect(pair.buttons.filter((b) => b.text.text.startsWith("Merge into "))).toHaveLength(2);
  });

  it("shows a rep the pairs of colleagues' customers without their private details or merge buttons", async () => {
    const reply = await slack.ask(li, "/crm", "duplicates");
    const theirs = pairOf(reply.blocks, "Harbor Freight", "Seaside Trading");
    expect(theirs.text).toContain("same phone number");
    expect(theirs.text).not.toContain("138");
    expect(theirs.text).toContain("Only Tom Becker, a manager or an admin can merge these.");
    expect(theirs.buttons.some((b) => b.text.text.startsWith("Merge") || b.text.text === "Not a duplicate")).toBe(false);
    // Her own and nobody's: she may merge those.
    expect(pairOf(reply.blocks, "阿里巴巴", "Alibaba").buttons.filter((b) => b.text.text.startsWith("Merge into "))).toHaveLength(2);
  });

  it("forgets a pair marked “Not a duplicate”, also after the data changes and the scan runs again", async () => {
    const list = await slack.ask(boss, "/crm", "duplicates");
    const pair = pairOf(list.blocks, "Blue Fox Media", "Red Panda Studios");
    const done = await slack.pressAndRead(boss, labelled(pair.buttons, "Not a duplicate"));
    expect(visibleText(done.blocks as Blocks)).toMatch(/Marked (Blue Fox Media and Red Panda Studios|Red Panda Studios and Blue Fox Media) as two different customers/);
    const again = await slack.pressAndRead(boss, labelled(pair.buttons, "Not a duplicate"));
    expect(visibleText(again.blocks as Blocks)).toContain("were already marked as two different customers");
    await customer("Something New Entirely", null);
    const after = await slack.ask(boss, "/crm", "duplicates");
    expect(after.text).toContain("3 pairs");
    expect(after.text).not.toContain("Blue Fox Media");
    const audit = await rows<{ detail: { customers: string[] } }>("SELECT detail FROM audit_log WHERE action = 'duplicate.dismiss'");
    expect(audit.map((a) => [...a.detail.customers].sort())).toEqual([[ids.blue!, ids.red!].sort()]);
  });

  it("merges from the list after a confirmation, and an old button then says where the customer went", async () => {
    const list = await slack.ask(li, "/crm", "duplicates");
    const pair = pairOf(list.blocks, "阿里巴巴", "Alibaba");
    const ask = await slack.pressAndRead(li, labelled(pair.buttons, "Merge into 阿里巴巴"));
    const confirm = visibleText(ask.blocks as Blocks);
    expect(confirm).toContain("Merge Alibaba into 阿里巴巴?");
    expect(confirm).toContain("A merge cannot be undone.");
    expect(await exists(ids.aliLatin!)).toBe(true);
    const confirmButton = buttonsIn(ask.blocks as Blocks).find((b) => b.action_id.startsWith("duplicates.merge#"))!;
    const done = await slack.pressAndRead(li, confirmButton);
    expect(visibleText(done.blocks as Blocks)).toContain("Merged Alibaba into 阿里巴巴");
    expect(await exists(ids.aliLatin!)).toBe(false);
    // The merged name finds the kept customer.
    const card = await slack.ask(li, "/customer", "Alibaba");
    expect(card.text).toContain("阿里巴巴");
    // The same buttons again: nothing to merge any more, said plainly.
    const stale = await slack.pressAndRead(li, confirmButton);
    expect(visibleText(stale.blocks as Blocks)).toContain("Alibaba no longer exists (merged into 阿里巴巴).");
    const oldOpen: SlackButton = { action_id: "customer.show#0", value: ids.aliLatin!, text: { text: "Open" } };
    const open = await slack.pressAndRead(li, oldOpen);
    expect(visibleText(open.blocks as Blocks)).toContain("Alibaba no longer exists (merged into 阿里巴巴).");
    const after = await slack.ask(li, "/crm", "duplicates");
    expect(after.text).not.toContain("Alibaba");
    const audit = await rows<{ actor_id: string; detail: { from: string; into: string } }>("SELECT actor_id, detail FROM audit_log WHERE action = 'customer.merge'");
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor_id).toBe(await userId(li.id));
    // By id: the names stay with the customers (an erased one leaves no trace here).
    expect([audit[0]!.detail.from, audit[0]!.detail.into]).toEqual([ids.aliLatin, ids.ali]);
  });

  it("cancels a merge from its confirmation without changing anything", async () => {
    const list = await slack.ask(boss, "/crm", "duplicates");
    const pair = pairOf(list.blocks, "Harbor Freight", "Seaside Trading");
    const ask = await slack.pressAndRead(boss, pair.buttons.find((b) => b.text.text.startsWith("Merge into "))!);
    const cancel = buttonsIn(ask.blocks as Blocks).find((b) => b.action_id.startsWith("duplicates.cancel#"))!;
    expect(visibleText((await slack.pressAndRead(boss, cancel)).blocks as Blocks)).toContain("Nothing was merged.");
    expect([await exists(ids.harbor!), await exists(ids.seaside!)]).toEqual([true, true]);
  });
});

describe("/customer merge", () => {
  it("merges one typed customer into another, and refuses itself, a name merged away and a colleague's customer", async () => {
    const refused = await slack.ask(li, "/customer", "merge Harbor Freight into Acme Robotics");
    expect(refused.text).toContain("Harbor Freight is Tom Becker's customer: only they, a manager or an admin can merge it. Nothing was changed.");
    expect(await exists(ids.harbor!)).toBe(true);
    const self = await slack.ask(li, "/customer", "merge Acme Robotics into acme robotics");
    expect(self.text).toContain("A customer cannot be merged into itself.");
    const missing = await slack.ask(li, "/customer", "merge Acme Robotics");
    expect(missing.text).toContain("Which customer goes into which?");

    const done = await slack.ask(li, "/customer", "merge Acme Robotic Systems into Acme Robotics");
    expect(done.text).toContain("Merged Acme Robotic Systems into Acme Robotics");
    expect(await exists(ids.acmeTypo!)).toBe(false);
    const again = await slack.ask(li, "/customer", "merge Acme Robotic Systems into Acme Robotics");
    expect(again.text).toContain("Acme Robotic Systems no longer exists (merged into Acme Robotics).");
  });

  it("works in Chinese, from /crm and with the Chinese words", async () => {
    const a = await customer("上海华信物流", null);
    const b = await customer("上海华鑫物流有限公司", null);
    const reply = await slack.ask(wang, "/crm", "客户 合并 上海华信物流 到 上海华鑫物流");
    expect(reply.text).toContain("已把 上海华信物流 合并到 上海华鑫物流有限公司");
    expect([await exists(a), await exists(b)]).toEqual([false, true]);
    const zh = await slack.ask(wang, "/customer", "合并 上海华信物流 到 上海华鑫物流");
    expect(zh.text).toContain("上海华信物流 已不存在（已合并到 上海华鑫物流有限公司）。");
    const list = await slack.ask(wang, "/crm", "重复");
    expect(list.text).toContain("可能重复的客户");
    // A colleague's customers: the shared phone is said, not shown.
    expect(list.text).toContain("电话号码相同");
    expect(list.text).toContain("只有 Tom Becker、经理或管理员可以合并它们。");
  });
});

describe("adding a customer that likely exists", () => {
  it("says so first, and adds only when asked again", async () => {
    const reply = await slack.ask(li, "/customer", "add Acme Robotcs");
    expect(reply.text).toContain("Before I add “Acme Robotcs”: it looks like a customer already in the CRM, so I did not add it yet.");
    expect(reply.text).toMatch(/Acme Robotics\*?\nnames \d+% alike/);
    expect((await rows("SELECT 1 FROM customers WHERE name = 'Acme Robotcs'")).length).toBe(0);
    const anyway = buttonsIn(reply.blocks).find((b) => b.action_id.startsWith("customer.addAnyway#"))!;
    const added = await slack.pressAndRead(li, anyway);
    expect(visibleText(added.blocks as Blocks)).toContain("Added Acme Robotcs as a lead, owned by you.");
    // Another script of a name already there, and an alias, count too; a new name does not.
    expect((await slack.ask(li, "/customer", "add 阿里巴巴集团")).text).toContain("already in the CRM");
    expect((await slack.ask(li, "/customer", "add Alibaba Group")).text).toContain("also known as “Alibaba”");
    expect((await slack.ask(li, "/customer", "add Zebra Umbrella Works")).text).toContain("Added Zebra Umbrella Works as a lead");
    const zh = await slack.ask(wang, "/customer", "add 上海华心物流");
    expect(zh.text).toContain("添加“上海华心物流”之前：它看起来像 CRM 里已有的客户");
  });
});

describe("the terminal demo", () => {
  it("lists duplicates and merges with numbered buttons, in Chinese", async () => {
    await customer("Northwind Traders", null);
    await customer("Northwind Trader", null);
    const { core } = createTestCore(t.db.store, { now: NOW });
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = "";
    output.on("data", (chunk: Buffer) => (printed += chunk.toString()));
    const done = runTerminal({ core, actor: actor("U0DTERM", { platform: "local", displayName: "终端", locale: "zh-CN" }), input, output });
    input.end(["/crm 重复", "exit"].join("\n") + "\n");
    await done;
    expect(printed).toContain("可能重复的客户");
    expect(printed).toMatch(/Northwind Trader(s)?\s+↔\s+Northwind Trader/);
    expect(printed).toMatch(/\[\d+\] 合并到 Northwind Trader/);
    expect(printed).toMatch(/\[\d+\] 不是重复/);

    // Press the first Merge button of the Northwind pair, then confirm.
    const number = (text: string, label: RegExp) => {
      const m = new RegExp(`\\[(\\d+)\\] ${label.source}`).exec(text);
      if (!m) throw new Error(`no ${label} in ${text}`);
      return m[1]!;
    };
    const input2 = new PassThrough();
    const output2 = new PassThrough();
    let second = "";
    output2.on("data", (chunk: Buffer) => (second += chunk.toString()));
    const session = runTerminal({ core, actor: actor("U0DTERM", { platform: "local", displayName: "终端", locale: "zh-CN" }), input: input2, output: output2 });
    input2.write("/crm duplicates\n");
    await waitFor(() => second.includes("不是重复"));
    const northwind = second.slice(second.indexOf("Northwind"));
    input2.write(`${number(northwind, /合并到 Northwind Traders?/)}\n`);
    await waitFor(() => second.includes("合并无法撤销"));
    const confirm = second.slice(second.lastIndexOf("合并无法撤销"));
    input2.write(`${number(confirm, /合并到 Northwind Traders?/)}\n`);
    await waitFor(() => second.includes("已把 Northwind"));
    input2.end("exit\n");
    await session;
    expect((await rows("SELECT count(*)::int AS n FROM customers WHERE name LIKE 'Northwind%'"))[0]).toEqual({ n: 1 });
  });
});

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}
