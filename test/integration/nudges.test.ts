import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCore } from "../../src/core/index.js";
import { planNudges } from "../../src/services/index.js";
import { createServices } from "../../src/services/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { recordingScheduler, testServiceDeps, textOf } from "../support/core.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

/** 2026-11-20 10:00 in Shanghai. */
const NOW = new Date("2026-11-20T02:00:00Z");

async function setup(name: string, ownerTz: string, locale: string) {
  const services = createServices(testServiceDeps(db.store, { now: () => NOW }));
  const owner = await services.registerRep({ platform: "slack", externalId: `U-${name}`, displayName: `Owner ${name}`, timezone: ownerTz, locale });
  const { customer } = await services.addCustomer(owner, name);
  await db.sql.query("UPDATE customers SET stage = 'ACTIVE' WHERE id = $1", [customer.id]);
  return { owner, customer };
}

describe("follow-up nudges and care dates", () => {
  it("nudges the owner of a quiet active customer once per quiet spell", async () => {
    const { customer } = await setup("Quiet Co", "Asia/Shanghai", "en-US");
    const busy = await setup("Busy Co", "Asia/Shanghai", "en-US");
    await db.sql.query(
      `INSERT INTO customer_stats (customer_id, interaction_count, last_interaction_at) VALUES ($1, 3, $2), ($3, 3, $4)`,
      [customer.id, new Date(NOW.getTime() - 40 * 86_400_000), busy.customer.id, new Date(NOW.getTime() - 5 * 86_400_000)],
    );
    const jobs = recordingScheduler();
    const deps = testServiceDeps(db.store, { now: () => NOW, jobs });
    const settings = { quietDays: 30, defaultTimezone: "Asia/Shanghai" };
    await planNudges(deps, settings);
    const first = await db.sql.query("SELECT customer_id, kind, detail, due_at FROM reminders WHERE kind = 'FOLLOW_UP'");
    expect(first.rows).toEqual([{ customer_id: customer.id, kind: "FOLLOW_UP", detail: { quietDays: 40 }, due_at: NOW }]);
    expect(jobs.reminders).toHaveLength(1);

    await planNudges(deps, settings);
    expect((await db.sql.query("SELECT count(*)::int AS n FROM reminders WHERE kind = 'FOLLOW_UP'")).rows[0]).toEqual({ n: 1 });

    // A new interaction ends the spell; 35 quiet days later the next one begins.
    await db.sql.query("UPDATE customer_stats SET last_interaction_at = $2 WHERE customer_id = $1", [customer.id, new Date(NOW.getTime() - 35 * 86_400_000 + 3_600_000)]);
    await planNudges(deps, settings);
    expect((await db.sql.query("SELECT count(*)::int AS n FROM reminders WHERE kind = 'FOLLOW_UP'")).rows[0]).toEqual({ n: 2 });
  });

  it("reminds the owner of a contact's birthday at 09:00 in the owner's time zone, once", async () => {
    const { customer } = await setup("Birthday GmbH", "Europe/Berlin", "en-US");
    await db.sql.query(
      `INSERT INTO contacts (id, customer_id, name, birthday, anniversary, updated_at)
       VALUES (gen_random_uuid(), $1, 'Erika', '1980-11-20', '2015-11-21', now()), (gen_random_uuid(), $1, 'Leap', '1992-02-29', NULL, now())`,
      [customer.id],
    );
    const deps = testServiceDeps(db.store, { now: () => NOW });
    await planNudges(deps, { quietDays: 30, defaultTimezone: "Asia/Shanghai" });
    await planNudges(deps, { quietDays: 30, defaultTimezone: "Asia/Shanghai" });
    const { rows } = await db.sql.query("SELECT detail, due_at FROM reminders WHERE kind = 'CARE_DATE' AND customer_id = $1", [customer.id]);
    // 20 Nov in Berlin (03:00 there now); 09:00 CET is 08:00 UTC. The anniversary is tomorrow.
    expect(rows).toEqual([{ detail: { contactName: "Erika", occasion: "birthday" }, due_at: new Date("2026-11-20T08:00:00Z") }]);

    const leapDay = testServiceDeps(db.store, { now: () => new Date("2027-02-28T12:00:00Z") });
    await planNudges(leapDay, { quietDays: 3650, defaultTimezone: "Asia/Shanghai" });
    const leap = await db.sql.query("SELECT detail FROM reminders WHERE kind = 'CARE_DATE' AND detail->>'contactName' = 'Leap'");
    expect(leap.rows).toEqual([{ detail: { contactName: "Leap", occasion: "birthday" } }]);
  });

  it("writes the bot's nudges in the owner's language", async () => {
    const { owner, customer } = await setup("纪念日科技", "Asia/Shanghai", "zh-CN");
    await db.sql.query(`INSERT INTO contacts (id, customer_id, name, birthday, updated_at) VALUES (gen_random_uuid(), $1, '王芳', '1990-11-20', now())`, [customer.id]);
    await planNudges(testServiceDeps(db.store, { now: () => NOW }), { quietDays: 3650, defaultTimezone: "Asia/Shanghai" });
    const { rows } = await db.sql.query<{ id: string }>("SELECT id FROM reminders WHERE kind = 'CARE_DATE' AND user_id = $1", [owner.id]);
    const core = createCore({ services: createServices(testServiceDeps(db.store, { now: () => NOW })), defaultLocale: "en", defaultTimezone: "Asia/Shanghai" });
    const message = await core.renderNotification({ type: "reminder.due", reminderId: rows[0]!.id });
    expect(textOf({ kind: "message", message })).toContain("今天是 王芳 的生日（纪念日科技）。");
  });
});
