import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../fakes/fake-slack-api.js";
import { startBot, startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { SlackDriver, visibleText, type SlackUser } from "../support/slack-driver.js";

/**
 * Roles and teams (issue 15): /crm role, /crm team and /crm whoami through the real bot with
 * signed Slack requests against the fake Slack API, on real Postgres and Redis, in English and
 * Chinese. ADMIN_SLACK_USER_IDS names the boss; everyone else starts as a rep.
 */
const NOW = new Date("2026-11-20T02:00:00Z");

let t: BotUnderTest;
let slack: SlackDriver;
const boss = { id: "U0BOSS", name: "boss" };
const maria = { id: "U0MARIA", name: "maria" };
const li = { id: "U0LINA", name: "li.na" };
const tom = { id: "U0TOM", name: "tom" };
const wang = { id: "U0WANG", name: "wang.wei" };
/** Slack writes a mention in command text as <@id|handle> (or <@id> without the handle). */
const at = (user: SlackUser, handle = true) => (handle ? `<@${user.id}|${user.name}>` : `<@${user.id}>`);

type Blocks = Record<string, unknown>[];

async function rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.db.sql.query(sql, params)).rows as T[];
}

const userRow = async (user: SlackUser) =>
  (await rows<{ id: string; display_name: string; role: string; role_source: string; team: string | null }>(
    "SELECT u.id, u.display_name, u.role::text AS role, u.role_source::text AS role_source, t.name AS team FROM users u LEFT JOIN sales_teams t ON t.id = u.sales_team_id WHERE u.platform = 'slack' AND u.external_id = $1",
    [user.id],
  ))[0];

/** Audit rows of roles and teams since `afterId`, oldest first. */
const audits = (afterId = 0) =>
  rows<{ id: string; action: string; actor: string | null; entity: string; entity_id: string; detail: Record<string, unknown> }>(
    `SELECT a.id, a.action, u.external_id AS actor, a.entity, a.entity_id, a.detail FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
     WHERE (a.action = 'user.role' OR a.action LIKE 'team.%') AND a.id > $1 ORDER BY a.id`,
    [afterId],
  );
const lastAuditId = async () => Number((await rows<{ id: string | null }>("SELECT max(id)::text AS id FROM audit_log"))[0]?.id ?? 0);

const dmsTo = (user: SlackUser) => t.slack.callsTo("chat.postMessage").filter((c) => c.body.channel === user.id).map((c) => visibleText((c.body.blocks ?? []) as Blocks));

beforeAll(async () => {
  t = await startBotUnderTest({ now: () => NOW, env: { ADMIN_SLACK_USER_IDS: boss.id } });
  slack = new SlackDriver(t.base, t.slack);
  t.slack.addUser({ id: boss.id, name: boss.name, realName: "The Boss", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: maria.id, name: maria.name, realName: "Maria Garcia", locale: "en-US", tz: "Europe/Berlin" });
  t.slack.addUser({ id: li.id, name: li.name, realName: "Li Na", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: tom.id, name: tom.name, realName: "Tom Becker", locale: "en-US", tz: "Europe/Berlin" });
  t.slack.addUser({ id: wang.id, name: wang.name, realName: "Wang Wei", locale: "zh-CN", tz: "Asia/Shanghai" });
  for (const user of [boss, li, tom, wang]) await slack.ask(user, "/crm", "help");
}, 30_000);
afterAll(() => t.stop());

describe("/crm role", () => {
  it("refuses everyone but admins, in their language, and changes nothing", async () => {
    const before = await lastAuditId();
    const english = await slack.ask(li, "/crm", `role ${at(tom)} admin`);
    expect(english.text).toContain("Only admins can change roles. /crm whoami shows yours; ask an admin if it should change. Nothing was changed.");
    const chinese = await slack.ask(wang, "/crm", `角色 ${at(li)} 经理`);
    expect(chinese.text).toContain("只有管理员可以修改角色。");
    expect((await slack.ask(li, "/crm", "team add East")).text).toContain("Only admins can see and change teams.");
    expect((await slack.ask(wang, "/crm", "团队")).text).toContain("只有管理员可以查看和修改团队。");
    expect([(await userRow(tom))!.role, (await userRow(li))!.role]).toEqual(["REP", "REP"]);
    expect(await rows("SELECT 1 FROM sales_teams")).toEqual([]);
    expect(await audits(before)).toEqual([]);
  });

  it("gives a role to someone mentioned who never used the bot, audits it and tells them by DM", async () => {
    expect(await userRow(maria)).toBeUndefined();
    const before = await lastAuditId();
    const reply = await slack.ask(boss, "/crm", `role ${at(maria)} manager`);
    expect(reply.text).toContain("maria is now Manager (was Rep).");
    expect(reply.text).toContain("maria was told in a direct message.");
    // Registered from the mention: a manager by command, named by the handle until they come.
    const row = (await userRow(maria))!;
    expect(row).toMatchObject({ display_name: "maria", role: "MANAGER", role_source: "COMMAND" });
    const written = await audits(before);
    expect(written.map((a) => [a.action, a.actor, a.entity, a.entity_id, a.detail])).toEqual([["user.role", boss.id, "user", row.id, { from: "REP", to: "MANAGER", source: "command" }]]);
    // No personal data in the row: ids and roles only.
    expect(JSON.stringify(written)).not.toMatch(/maria|Maria/);
    const dm = await eventually(() => dmsTo(maria).find((text) => text.includes("changed your role")), 10_000);
    expect(dm).toContain("The Boss changed your role: you are now Manager (you were Rep).");
    expect(dm).toContain("You lead no team with members yet");
    // Their own first use fills in the name Slack has for them.
    const whoami = await slack.ask(maria, "/crm", "whoami");
    expect(whoami.text).toContain("Maria Garcia");
    expect(whoami.text).toMatch(/\*Role\*\s*Manager \(set by an admin\)/);
    expect((await userRow(maria))!.display_name).toBe("Maria Garcia");
  });

  it("answers bad input in English and Chinese with what would work, changing nothing", async () => {
    const before = await lastAuditId();
    expect((await slack.ask(boss, "/crm", `role ${at(tom)} boss`)).text).toContain("“boss” is not a role. Write one of: admin, administrator, 管理员, manager, 经理, 主管, rep, sales, salesperson, 销售, 销售代表.");
    expect((await slack.ask(boss, "/crm", `role ${at(tom)}`)).text).toContain("Which role should @tom have? Add admin, manager or rep: /crm role @tom manager.");
    expect((await slack.ask(boss, "/crm", "role @nobody.here manager")).text).toContain("Nobody the bot knows is called “@nobody.here”. In Slack, mention them with @");
    // Usage and examples of /crm role come with the error.
    expect((await slack.ask(boss, "/crm", "role manager")).text).toContain("/crm role @li.na manager");
    // A Chinese-speaking admin gets Chinese answers.
    await slack.ask(boss, "/crm", `role ${at(wang)} admin`);
    expect((await slack.ask(wang, "/crm", `角色 ${at(tom)} 老板`)).text).toContain("“老板”不是角色。");
    expect((await slack.ask(wang, "/crm", "角色 @谁也不是 经理")).text).toContain("机器人不认识叫“@谁也不是”的人。");
    expect((await userRow(tom))!.role).toBe("REP");
    expect((await audits(before)).map((a) => a.detail)).toEqual([{ from: "REP", to: "ADMIN", source: "command" }]);
    // Back to a rep, by a Chinese role word; said so in Chinese.
    const back = await slack.ask(wang, "/crm", `角色 ${at(wang)} 销售`);
    expect(back.text).toContain("Wang Wei 现在是销售（原为管理员）。");
    expect(back.text).toContain("这是你自己的角色");
    expect((await userRow(wang))!.role).toBe("REP");
  });

  it("says when nothing changes, and lists the admins and managers", async () => {
    const before = await lastAuditId();
    expect((await slack.ask(boss, "/crm", `role ${at(maria)} manager`)).text).toContain("Maria Garcia is already Manager. Nothing was changed.");
    expect(await audits(before)).toEqual([]);
    const list = await slack.ask(boss, "/crm", "role");
    expect(list.text).toMatch(/\*Admin\*\s*The Boss/);
    expect(list.text).toMatch(/\*Manager\*\s*Maria Garcia/);
  });

  it("keeps whom ADMIN_SLACK_USER_IDS names an admin: the list is a floor", async () => {
    await slack.ask(boss, "/crm", `role ${at(li)} admin`);
    const before = await lastAuditId();
    const refused = await slack.ask(li, "/crm", `role ${at(boss)} rep`);
    expect(refused.text).toContain("The Boss is named in ADMIN_SLACK_USER_IDS and stays an admin while the list names them");
    expect((await userRow(boss))!.role).toBe("ADMIN");
    expect(await audits(before)).toEqual([]);
  });

  it("keeps an admin role granted by /crm role when the list does not name them, and takes back automatic ones", async () => {
    // Li was made admin by command above; Tom is made one by hand as if by being first.
    await t.db.sql.query("UPDATE users SET role = 'ADMIN', role_source = 'AUTOMATIC' WHERE external_id = $1", [tom.id]);
    const before = await lastAuditId();
    const restarted = await startBot(t.db, t.slack, t.prefix, { now: () => NOW, env: { ADMIN_SLACK_USER_IDS: boss.id } });
    try {
      await eventually(async () => (await userRow(tom))!.role === "REP", 10_000);
      expect((await userRow(li))!).toMatchObject({ role: "ADMIN", role_source: "COMMAND" });
      // Li's next use through the new process keeps it too.
      await new SlackDriver(`http://127.0.0.1:${restarted.port}`, t.slack).ask(li, "/crm", "help");
      expect((await userRow(li))!.role).toBe("ADMIN");
    } finally {
      await restarted.stop();
    }
    expect((await audits(before)).map((a) => [a.action, a.actor, a.detail])).toEqual([["user.role", null, { from: "ADMIN", to: "REP", reason: "not in ADMIN_SLACK_USER_IDS" }]]);
    await slack.ask(boss, "/crm", `role ${at(li)} rep`);
    expect((await userRow(li))!.role).toBe("REP");
  });
});

describe("/crm team", () => {
  it("creates a team led by a manager, adds and moves members, and audits each change", async () => {
    const before = await lastAuditId();
    const created = await slack.ask(boss, "/crm", `team add East ${at(maria)}`);
    expect(created.text).toContain("Team East created, led by Maria Garcia.");
    expect(created.text).toContain("No members yet: /crm team East add @rep adds them.");
    const added = await slack.ask(boss, "/crm", `team East add ${at(li)} ${at(tom, false)}`);
    expect(added.text).toContain("Li Na joined East.");
    expect(added.text).toContain("Tom Becker joined East.");
    // Names are one team whatever the case.
    expect((await slack.ask(boss, "/crm", "team add EAST")).text).toContain("There is already a team called East");
    await slack.ask(boss, "/crm", "team add West");
    const moved = await slack.ask(boss, "/crm", `team west add ${at(tom)}`);
    expect(moved.text).toContain("Tom Becker moved from East to West.");
    const notThere = await slack.ask(boss, "/crm", `team East remove ${at(tom)}`);
    expect(notThere.text).toContain("Tom Becker is not in East (they are in West): nothing to remove.");
    expect([(await userRow(li))!.team, (await userRow(tom))!.team]).toEqual(["East", "West"]);

    const list = await slack.ask(boss, "/crm", "team");
    expect(list.text).toContain("East");
    expect(list.text).toContain("led by Maria Garcia · 1 member: Li Na");
    expect(list.text).toContain("no lead · 1 member: Tom Becker");

    const ids = Object.fromEntries((await rows<{ name: string; id: string }>("SELECT name, id FROM sales_teams")).map((r) => [r.name, r.id]));
    const people = Object.fromEntries(await Promise.all([maria, li, tom].map(async (u) => [u.name, (await userRow(u))!.id] as const)));
    expect((await audits(before)).map((a) => [a.action, a.actor, a.entity_id, a.detail])).toEqual([
      ["team.create", boss.id, ids.East, { name: "East", leadId: people.maria }],
      ["team.member.add", boss.id, ids.East, { userId: people["li.na"], fromTeamId: null }],
      ["team.member.add", boss.id, ids.East, { userId: people.tom, fromTeamId: null }],
      ["team.create", boss.id, ids.West, { name: "West", leadId: null }],
      ["team.member.add", boss.id, ids.West, { userId: people.tom, fromTeamId: ids.East }],
    ]);
  });

  it("shows the lead whose customers they see, in /crm whoami, in both languages", async () => {
    const whoami = await slack.ask(maria, "/crm", "whoami");
    expect(whoami.text).toMatch(/\*Leads\*\s*East/);
    expect(whoami.text).toContain("You see the private details (email, phone, WeChat id, address) of your own customers, of customers nobody owns yet and of the customers of Li Na");
    const rep = await slack.ask(li, "/crm", "whoami");
    expect(rep.text).toMatch(/\*Team\*\s*East/);
    expect(rep.text).toContain("You see the private details (email, phone, WeChat id, address) of your own customers and of customers nobody owns yet");
    const chinese = await slack.ask(wang, "/crm", "我是谁");
    expect(chinese.text).toMatch(/\*角色\*\s*销售（由管理员设置）|\*角色\*\s*销售 \(由管理员设置\)/);
    expect(chinese.text).toContain("分享到频道的回答从不显示私密信息");
    expect((await slack.ask(li, "/crm", "whoami please")).text).toContain("/crm whoami takes nothing after it");
  });

  it("names only managers as leads, and a demoted manager stops leading", async () => {
    const refused = await slack.ask(boss, "/crm", `team West lead ${at(tom)}`);
    expect(refused.text).toContain("Tom Becker is a rep: make them a manager first (/crm role @… manager), then name them lead. Nothing was changed.");
    await slack.ask(boss, "/crm", `role ${at(tom)} manager`);
    expect((await slack.ask(boss, "/crm", `team West lead ${at(tom)}`)).text).toContain("Tom Becker now leads West.");
    const before = await lastAuditId();
    const demoted = await slack.ask(boss, "/crm", `role ${at(tom)} rep`);
    expect(demoted.text).toContain("As a rep they no longer lead West");
    const west = (await rows<{ id: string; lead_id: string | null }>("SELECT id, lead_id FROM sales_teams WHERE name = 'West'"))[0]!;
    expect(west.lead_id).toBeNull();
    expect((await audits(before)).map((a) => [a.action, a.entity_id, a.detail])).toEqual([
      ["user.role", (await userRow(tom))!.id, { from: "MANAGER", to: "REP", source: "command" }],
      ["team.lead", west.id, { from: (await userRow(tom))!.id, to: null, reason: "role" }],
    ]);
    await eventually(() => dmsTo(tom).find((text) => text.includes("you are now Rep (you were Manager)")), 10_000);
  });

  it("answers malformed team commands clearly, in both languages", async () => {
    expect((await slack.ask(boss, "/crm", "team Nowhere")).text).toContain("There is no team called “Nowhere”. Teams: East, West.");
    expect((await slack.ask(boss, "/crm", `team East hire ${at(tom)}`)).text).toContain("What should happen with those people?");
    expect((await slack.ask(boss, "/crm", "team add Sales lead")).text).toContain("A team name cannot start with add or delete nor end with lead");
    expect((await slack.ask(boss, "/crm", "team East add")).text).toContain("Whom? Mention the people after it");
    await slack.ask(boss, "/crm", `role ${at(wang)} admin`);
    expect((await slack.ask(wang, "/crm", "团队 华东 添加")).text).toContain("要添加谁？");
    const created = await slack.ask(wang, "/crm", `团队 添加 华东 ${at(maria)}`);
    expect(created.text).toContain("已创建团队 华东，负责人为 Maria Garcia。");
    expect((await slack.ask(wang, "/crm", `团队 华东 移除 ${at(li)}`)).text).toContain("Li Na 不在 华东 中（TA 在 East）：无需移除。");
  });

  it("deletes a team: its members are in no team, the row records who was in it", async () => {
    const west = (await rows<{ id: string }>("SELECT id FROM sales_teams WHERE name = 'West'"))[0]!;
    const before = await lastAuditId();
    const reply = await slack.ask(boss, "/crm", "team delete west");
    expect(reply.text).toContain("Team West deleted; its 1 member is in no team now.");
    expect((await userRow(tom))!.team).toBeNull();
    expect((await audits(before)).map((a) => [a.action, a.entity_id, a.detail])).toEqual([["team.delete", west.id, { name: "West", leadId: null, memberIds: [(await userRow(tom))!.id] }]]);
  });
});

describe("the last admin", () => {
  it("cannot be demoted, by themselves or by anyone, even when two admins demote each other at once", async () => {
    const plain = await startBotUnderTest({ now: () => NOW });
    try {
      const driver = new SlackDriver(plain.base, plain.slack);
      const first = { id: "U0FIRST", name: "first" };
      const second = { id: "U0SECOND", name: "second" };
      await driver.ask(first, "/crm", "help");
      await driver.ask(second, "/crm", "help");
      const role = async (u: SlackUser) => (await plain.db.sql.query<{ role: string }>("SELECT role::text AS role FROM users WHERE external_id = $1", [u.id])).rows[0]?.role;
      expect([await role(first), await role(second)]).toEqual(["ADMIN", "REP"]);
      expect((await driver.ask(first, "/crm", `role ${at(first)} rep`)).text).toContain("You are the last admin, so you cannot give up the role");
      await driver.ask(first, "/crm", `role ${at(second)} admin`);
      await driver.ask(second, "/crm", `role ${at(second)} manager`);
      expect((await driver.ask(first, "/crm", `role ${at(second)} admin`)).text).toContain("second is now Admin (was Manager).");
      // Both at once: the role lock lets one through; the other finds the last admin.
      const answers = await Promise.all([driver.ask(first, "/crm", `role ${at(second)} rep`), driver.ask(second, "/crm", `role ${at(first)} rep`)]);
      const admins = (await plain.db.sql.query("SELECT external_id FROM users WHERE role = 'ADMIN'")).rows;
      expect(admins).toHaveLength(1);
      expect(answers.filter((a) => a.text.includes("is now Rep (was Admin)"))).toHaveLength(1);
      const [last] = admins as { external_id: string }[];
      const lastUser = last!.external_id === first.id ? first : second;
      expect((await driver.ask(lastUser, "/crm", `role ${at(lastUser)} rep`)).text).toContain("You are the last admin");
    } finally {
      await plain.stop();
    }
  }, 60_000);
});
