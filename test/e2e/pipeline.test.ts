import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { SlackDriver } from "../support/slack-driver.js";
import { eventually } from "../fakes/fake-slack-api.js";

/**
 * /pipeline through the running bot (HTTP, Bolt, core, Postgres, Redis) and the fake Slack API,
 * on a clock fixed at Friday 20 March 2026, 12:00 in Shanghai: "this month" is Mar 1 – Apr 1
 * (Shanghai), the month before February, and the movers are the moves since Mar 13, 12:00.
 * Deals are written by the store with their own times; every figure is worked out by hand below.
 */
const NOW = new Date("2026-03-20T04:00:00Z");
const li = { id: "U0LINA", name: "li.na" };
const wang = { id: "U0WANG", name: "wang" };
const tom = { id: "U0TOM", name: "tom" };
const at = (iso: string) => new Date(iso);

let t: BotUnderTest;
let slack: SlackDriver;

beforeAll(async () => {
  t = await startBotUnderTest({ now: () => NOW });
  slack = new SlackDriver(t.base, t.slack);
  t.slack.addUser({ id: li.id, name: li.name, realName: "Li Na", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: wang.id, name: wang.name, realName: "王伟", locale: "zh-CN", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: tom.id, name: tom.name, realName: "Tom Gray", locale: "en-US", tz: "Asia/Shanghai" });
  for (const u of [li, wang, tom]) await slack.ask(u, "/crm", "help");

  const sql = t.db.sql;
  const idOf = async (external: string) => (await sql.query<{ id: string }>(`SELECT id FROM users WHERE external_id = $1`, [external])).rows[0]!.id;
  const [liId, wangId, tomId] = [await idOf(li.id), await idOf(wang.id), await idOf(tom.id)];
  // Team East: led by 王伟 (a manager), Li Na in it; Tom in no team.
  await sql.query(`UPDATE users SET role = 'MANAGER' WHERE id = $1`, [wangId]);
  await sql.query(`UPDATE users SET role = 'REP' WHERE id = ANY($1::uuid[])`, [[liId, tomId]]);
  const team = (await sql.query<{ id: string }>(`INSERT INTO sales_teams (id, name, name_key, lead_id, updated_at) VALUES (gen_random_uuid(), 'East', 'east', $1, now()) RETURNING id`, [wangId])).rows[0]!.id;
  await sql.query(`UPDATE users SET sales_team_id = $1 WHERE id = $2`, [team, liId]);

  const services = t.bot.services;
  const rep = await services.registerRep({ platform: "slack", externalId: li.id, displayName: "Li Na" });
  const alpha = (await services.addCustomer(rep, "Alpha Trading")).customer.id;
  const beta = (await services.addCustomer(rep, "Beta Foods")).customer.id;
  const gamma = (await services.addCustomer(rep, "Gamma Works")).customer.id;
  const deals = t.db.store.deals;
  const add = async (customerId: string, ownerId: string, title: string, amount: number | null, stage: string, created: string, close: string | null) =>
    (await deals.add({
      customerId, ownerId, createdById: ownerId, title, amount: amount === null ? null : amount.toFixed(2), currency: amount === null ? null : "CNY",
      baseAmount: amount === null ? null : amount.toFixed(2), rateToBase: amount === null ? null : "1", stage, expectedCloseAt: close ? at(close) : null, at: at(created),
    })).id;
  const move = (dealId: string, to: string, when: string) =>
    deals.move({ dealId, to, outcome: to === "won" ? "won" : to === "lost" ? "lost" : null, byId: null, at: at(when), ...(to === "lost" ? { lost: { reason: "price", note: null } } : {}) });

  // Li Na's deals.
  const d1 = await add(alpha, liId, "Fleet renewal", 10_000, "qualification", "2026-02-01T02:00:00Z", "2026-03-25T04:00:00Z");
  await move(d1, "proposal", "2026-03-16T02:00:00Z"); // a mover: qualification → proposal
  await add(beta, liId, "Pilot", 4_000, "qualification", "2026-03-02T02:00:00Z", "2026-04-10T04:00:00Z"); // closes next month
  const d3 = await add(alpha, liId, "Support plan", 2_000, "qualification", "2026-02-10T02:00:00Z", "2026-03-31T04:00:00Z");
  await move(d3, "proposal", "2026-02-20T02:00:00Z");
  await move(d3, "won", "2026-03-18T02:00:00Z"); // won this month; a mover: proposal → won
  const d4 = await add(beta, liId, "Old bid", 1_000, "qualification", "2026-01-05T02:00:00Z", null);
  await move(d4, "lost", "2026-02-12T02:00:00Z"); // lost in February
  const d5 = await add(beta, liId, "Spring order", 3_000, "qualification", "2026-01-10T02:00:00Z", null);
  await move(d5, "won", "2026-02-15T02:00:00Z"); // won in February
  const d8 = await add(alpha, liId, "Winter deal", 1_500, "proposal", "2026-01-20T02:00:00Z", null);
  await move(d8, "won", "2026-02-20T02:00:00Z"); // won in February
  await add(alpha, liId, "Add-on", null, "negotiation", "2026-03-03T02:00:00Z", "2026-03-28T04:00:00Z"); // no amount
  const d7 = await add(alpha, liId, "Lost one", 500, "qualification", "2026-03-01T02:00:00Z", "2026-03-30T04:00:00Z");
  await move(d7, "lost", "2026-03-17T02:00:00Z"); // lost this month; a mover backwards
  const gone = await add(alpha, liId, "Deleted", 99_000, "proposal", "2026-03-02T02:00:00Z", "2026-03-26T04:00:00Z");
  await sql.query(`UPDATE deals SET deleted_at = now() WHERE id = $1`, [gone]); // never counts
  // 王伟's deal (the team's), and Tom's (nobody's team).
  await add(gamma, wangId, "Big tender", 6_000, "negotiation", "2026-03-04T02:00:00Z", "2026-03-31T02:00:00Z");
  await add(gamma, tomId, "Tom's deal", 7_000, "needs_analysis", "2026-03-05T02:00:00Z", "2026-03-30T04:00:00Z");
  // Nobody's deal, won yesterday (Mar 19 in Shanghai): only team-wide figures (the report, the digest) count it.
  const quick = (await deals.add({
    customerId: gamma, ownerId: null, createdById: null, title: "Quick win", amount: "800.00", currency: "CNY", baseAmount: "800.00", rateToBase: "1",
    stage: "proposal", expectedCloseAt: null, at: at("2026-03-10T02:00:00Z"),
  })).id;
  await move(quick, "won", "2026-03-19T03:00:00Z");
}, 90_000);
afterAll(async () => {
  await t?.stop();
});

describe("/pipeline", () => {
  it("shows my open deals by stage, what closes this month, won and lost against last month, the movers and a chart, in English", async () => {
    const before = t.slack.uploads.length;
    const reply = await slack.ask(li, "/pipeline", "");
    const text = reply.text;
    expect(text).toContain("Pipeline · mine · this month");
    // Open: Pilot 4,000 (qualification), Fleet renewal 10,000 (proposal), Add-on without an amount (negotiation).
    // Weighted: 4,000 × 10% + 10,000 × 50% = 5,400.
    expect(text).toContain("Open: 3 deals · CNY 14,000.00 (1 deal without an amount) · weighted CNY 5,400.00");
    expect(text).toContain("Qualification (10%)");
    expect(text).toContain("1 deal · CNY 4,000.00 · weighted CNY 400.00");
    expect(text).toContain("0 deals · CNY 0.00 · weighted CNY 0.00"); // needs analysis
    expect(text).toContain("1 deal · CNY 10,000.00 · weighted CNY 5,000.00");
    expect(text).toContain("1 deal · CNY 0.00 (1 deal without an amount) · weighted CNY 0.00");
    // Closing in March: Fleet renewal (Mar 25) and Add-on (Mar 28); Pilot closes in April.
    expect(text).toContain("Expected to close this month (Mar 1, 2026 – Mar 31, 2026): 2 deals · CNY 10,000.00 (1 deal without an amount)");
    expect(text).toContain("Fleet renewal — Alpha Trading");
    expect(text).toContain("Proposal · CNY 10,000.00 · closes Mar 25, 2026 · owner: Li Na");
    expect(text).not.toContain("Deleted");
    // March: won Support plan 2,000, lost Lost one 500 → 50%; February: won 3,000 + 1,500, lost 1,000 → 2 ÷ 3.
    expect(text).toContain("Won 1 (CNY 2,000.00) · lost 1 (CNY 500.00) · win rate 50%");
    expect(text).toContain("The period before: Won 2 (CNY 4,500.00) · lost 1 (CNY 1,000.00) · win rate 66.7%");
    // Movers since Mar 13, largest first: Fleet renewal, Support plan, Lost one (backwards).
    expect(text).toContain("Biggest movers since Mar 13, 2026");
    const movers = [text.indexOf("Qualification → Proposal · CNY 10,000.00"), text.indexOf("Proposal → Won · CNY 2,000.00"), text.indexOf("Qualification → Lost (back) · CNY 500.00")];
    expect(movers.every((i) => i > 0)).toBe(true);
    expect([...movers].sort((a, b) => a - b)).toEqual(movers);
    expect(text).toContain("Open deals by stage (CNY, total / weighted): Qualification 4,000 / 400, Needs analysis 0 / 0, Proposal 10,000 / 5,000, Negotiation 0 / 0");
    const files = await eventually(() => t.slack.uploads.length > before && t.slack.uploads.slice(before), 20_000);
    expect(files.map((f) => f.title)).toContain("Open deals by stage");
    // The customers it named (Alpha Trading in the closing list and the movers) are audited as listed.
    const audit = (await t.db.sql.query<{ names: string[]; list: string }>(
      `SELECT ARRAY(SELECT c.name FROM customers c WHERE c.id = ANY(a.customer_ids) ORDER BY c.name) AS names, a.detail->>'list' AS list
       FROM audit_log a JOIN users u ON u.id = a.actor_id WHERE a.action = 'customer.list' AND u.external_id = $1 ORDER BY a.id DESC LIMIT 1`, [li.id],
    )).rows[0];
    expect(audit).toEqual({ names: ["Alpha Trading"], list: "pipeline" });
  });

  it("shows the team's pipeline to a manager in Chinese (销售漏斗), and a team member's to its manager", async () => {
    const team = await slack.ask(wang, "/crm", "销售漏斗 团队");
    // 王伟's Big tender 6,000 joins Li Na's deals in negotiation: 6,000 × 75% = 4,500; weighted 5,400 + 4,500 = 9,900.
    expect(team.text).toContain("销售漏斗 · 团队 East · 本月");
    expect(team.text).toContain("进行中：4 个商机 · CNY 20,000.00（1 个商机无金额） · 加权 CNY 9,900.00");
    expect(team.text).toContain("商务谈判（75%）");
    expect(team.text).toContain("2 个 · CNY 6,000.00（1 个商机无金额） · 加权 CNY 4,500.00");
    expect(team.text).toContain("3 个商机 · CNY 16,000.00（1 个商机无金额）");
    expect(team.text).toContain("赢单 1 个（CNY 2,000.00）· 输单 1 个（CNY 500.00）· 赢单率 50%");
    expect(team.text).toContain("方案报价 → 赢单 · CNY 2,000.00");
    expect(team.text).not.toContain("Tom's deal");

    const member = await slack.ask(wang, "/pipeline", "@li.na 上月");
    expect(member.text).toContain("销售漏斗 · Li Na · 上月");
    expect(member.text).toContain("赢单 2 个（CNY 4,500.00）· 输单 1 个（CNY 1,000.00）· 赢单率 66.7%");
  });

  it("keeps another rep's pipeline from a rep, says when there is no team, and explains bad input in both languages", async () => {
    const forbidden = await slack.ask(li, "/pipeline", "@tom");
    expect(forbidden.text).toContain("Only an admin, or the manager of Tom Gray’s team, can see Tom Gray’s pipeline.");
    expect(forbidden.text).not.toContain("Tom's deal");
    expect((await slack.ask(tom, "/pipeline", "team")).text).toContain("You are not in a sales team, so there is no team pipeline.");
    // Li Na's team is East: the same figures as 王伟's team view.
    expect((await slack.ask(li, "/pipeline", "team this month")).text).toContain("Open: 4 deals · CNY 20,000.00 (1 deal without an amount) · weighted CNY 9,900.00");
    expect((await slack.ask(li, "/pipeline", "banana")).text).toContain("I couldn’t read “banana”. Write /pipeline [me|@rep|team] [period]");
    expect((await slack.ask(wang, "/pipeline", "香蕉")).text).toContain("看不懂“香蕉”。请写 /pipeline [我|@销售|团队] [时间段]");
    expect((await slack.ask(li, "/pipeline", "@nobody")).text).toContain("I don’t know anyone called “@nobody”.");
    expect((await slack.ask(li, "/crm", "help answers")).text).toContain("/pipeline [me|@rep|team] [period]");
    expect((await slack.ask(wang, "/crm", "帮助 pipeline")).text).toContain("按阶段查看你进行中的商机");
  });

  it("a quarter counts the quarter's closings: Tom's own pipeline this quarter", async () => {
    const reply = await slack.ask(tom, "/pipeline", "this quarter");
    expect(reply.text).toContain("Pipeline · mine · this quarter");
    expect(reply.text).toContain("Expected to close this quarter (Jan 1, 2026 – Mar 31, 2026): 1 deal · CNY 7,000.00");
    expect(reply.text).toContain("Won 0 (CNY 0.00) · lost 0 (CNY 0.00) · win rate —");
    expect(reply.text).toContain("No deal changed stage in the last 7 days.");
  });
});

describe("the pipeline in questions, the report and the digest", () => {
  it("answers “what's closing this month” and “win rate this quarter”, and 本月要成交的单 in Chinese", async () => {
    const closing = await slack.ask(li, "/crm", "what's closing this month?");
    expect(closing.text).toContain("Pipeline · mine · this month");
    expect(closing.text).toContain("Expected to close this month (Mar 1, 2026 – Mar 31, 2026): 2 deals · CNY 10,000.00 (1 deal without an amount)");
    // This quarter: won Support plan 2,000, Spring order 3,000, Winter deal 1,500; lost Old bid and Lost one → 3 ÷ 5.
    const rate = await slack.ask(li, "/crm", "win rate this quarter");
    expect(rate.text).toContain("Pipeline · mine · this quarter");
    expect(rate.text).toContain("Won 3 (CNY 6,500.00) · lost 2 (CNY 1,500.00) · win rate 60%");
    expect(rate.text).toContain("The period before: Won 0 (CNY 0.00) · lost 0 (CNY 0.00) · win rate —");
    const zh = await slack.ask(wang, "/crm", "本月要成交的单");
    expect(zh.text).toContain("销售漏斗 · 我的 · 本月");
    expect(zh.text).toContain("预计本月成交（2026年3月1日 – 2026年3月31日）：1 个商机 · CNY 6,000.00");
    expect(zh.text).toContain("Big tender — Gamma Works");
  });

  it("/report has a pipeline section: won, won value, lost and the win rate against the same span of last month", async () => {
    // Mar 1 – Mar 20 12:00, everyone's: won Support plan 2,000 and Quick win 800, lost Lost one;
    // Feb 1 – Feb 20 12:00: won Spring order 3,000 and Winter deal 1,500, lost Old bid. 2 ÷ 3 both times.
    const en = await slack.ask(li, "/report", "monthly");
    expect(en.text).toContain("Pipeline: deals closed (CNY)");
    expect(en.text).toContain("Won value");
    expect(en.text).toContain("CNY 2,800.00 · −37.8% (before: CNY 4,500.00)");
    expect(en.text).toContain("Win rate");
    expect(en.text).toMatch(/66\.7% · [^\n]*\(before: 66\.7%\)/);
    const zh = await slack.ask(wang, "/report", "月报");
    expect(zh.text).toContain("销售漏斗：已结束的商机（CNY）");
    expect(zh.text).toContain("赢单金额");
    expect(zh.text).toContain("CNY 2,800.00 · −37.8%（上期 CNY 4,500.00）");
  });

  it("the digest says yesterday's pipeline movement in one line, in both languages", async () => {
    const en = await slack.ask(li, "/digest", "now");
    expect(en.text).toContain("Pipeline yesterday: 1 deal moved (CNY 800.00) · 1 won (CNY 800.00) · 0 lost (CNY 0.00)");
    const zh = await slack.ask(wang, "/digest", "now");
    expect(zh.text).toContain("昨日销售漏斗：1 个商机变更阶段（CNY 800.00）· 赢单 1 个（CNY 800.00）· 输单 0 个（CNY 0.00）");
  });
});
