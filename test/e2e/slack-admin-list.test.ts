import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../fakes/fake-slack-api.js";
import { startBot, startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { SlackDriver } from "../support/slack-driver.js";

let t: BotUnderTest;
let slack: SlackDriver;
const first = { id: "U0FIRST", name: "first" };
const boss = { id: "U0BOSS", name: "boss" };
const other = { id: "U0OTHER", name: "other" };

async function roleOf(externalId: string): Promise<string | undefined> {
  const { rows } = await t.db.sql.query<{ role: string }>("SELECT role FROM users WHERE platform = 'slack' AND external_id = $1", [externalId]);
  return rows[0]?.role;
}

beforeAll(async () => {
  t = await startBotUnderTest({ env: { ADMIN_SLACK_USER_IDS: `${boss.id},${other.id}` } });
  slack = new SlackDriver(t.base, t.slack);
});
afterAll(() => t.stop());

describe("ADMIN_SLACK_USER_IDS set", () => {
  it("makes nobody admin for being first: only listed ids are admins", async () => {
    await slack.ask(first, "/crm", "help");
    expect(await roleOf(first.id)).toBe("REP");
    await slack.ask(boss, "/crm", "help");
    expect(await roleOf(boss.id)).toBe("ADMIN");
  });

  it("makes an admin taken off the list a rep at start and at their next use", async () => {
    await slack.ask(other, "/crm", "help");
    expect(await roleOf(other.id)).toBe("ADMIN");
    // The operator takes U0OTHER off the list and restarts: demoted at start, before any use.
    const restarted = await startBot(t.db, t.slack, t.prefix, { env: { ADMIN_SLACK_USER_IDS: boss.id } });
    try {
      await eventually(async () => (await roleOf(other.id)) === "REP", 10_000);
      expect(await roleOf(boss.id)).toBe("ADMIN");
      const { rows } = await t.db.sql.query("SELECT detail FROM audit_log WHERE action = 'user.role'");
      expect(rows).toEqual([{ detail: { from: "ADMIN", to: "REP", reason: "not in ADMIN_SLACK_USER_IDS" } }]);
    } finally {
      await restarted.stop();
    }
    // This process still has the old list; a process with the new one demotes at the next use too.
    await t.db.sql.query("UPDATE users SET role = 'ADMIN' WHERE external_id = $1", [other.id]);
    const later = await startBot(t.db, t.slack, t.prefix, { env: { ADMIN_SLACK_USER_IDS: boss.id } });
    try {
      await eventually(async () => (await roleOf(other.id)) === "REP", 10_000);
      await t.db.sql.query("UPDATE users SET role = 'ADMIN' WHERE external_id = $1", [other.id]);
      await new SlackDriver(`http://127.0.0.1:${later.port}`, t.slack).ask(other, "/crm", "help");
      expect(await roleOf(other.id)).toBe("REP");
    } finally {
      await later.stop();
    }
  });
});

describe("ADMIN_SLACK_USER_IDS not set", () => {
  it("makes the first Slack user of an install admin, and the next one a rep", async () => {
    const plain = await startBotUnderTest();
    try {
      const driver = new SlackDriver(plain.base, plain.slack);
      await driver.ask(first, "/crm", "help");
      await driver.ask(boss, "/crm", "help");
      const { rows } = await plain.db.sql.query("SELECT external_id, role FROM users ORDER BY created_at");
      expect(rows).toEqual([{ external_id: first.id, role: "ADMIN" }, { external_id: boss.id, role: "REP" }]);
    } finally {
      await plain.stop();
    }
  });
});
