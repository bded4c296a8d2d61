import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCore } from "../../src/core/index.js";
import { createServices, planNudges } from "../../src/services/index.js";
import { Decimal } from "../../src/domain/money.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { recordingScheduler, testServiceDeps, textOf } from "../support/core.js";

/**
 * The deal nudges of the hourly planning job, against real Postgres: an open deal quiet for
 * DEAL_STALE_DAYS nudges its owner once per quiet spell; one past its expected close date asks
 * its owner to move the date or close it, once per close date; closed, deleted and ownerless
 * deals never nudge. The reminders read in the owner's language.
 */

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

/** 2026-11-20 10:00 in Shanghai. */
const NOW = new Date("2026-11-20T02:00:00Z");
const DAY = 86_400_000;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

async function dealFor(name: string, locale: string, terms: { quietDays: number; closeAt: Date | null }) {
  const services = createServices(testServiceDeps(db.store, { now: () => ago(terms.quietDays) }));
  const owner = await services.registerRep({ platform: "slack", externalId: `U-${name}`, displayName: `Owner ${name}`, timezone: "Asia/Shanghai", locale });
  const { customer } = await services.addCustomer(owner, name);
  const { deal } = await services.addDeal(owner, customer, { title: `${name} deal`, amount: new Decimal(1000), currency: "CNY", expectedCloseAt: terms.closeAt });
  return { owner, customer, deal, services };
}

const dealReminders = async (customerId: string) =>
  (await db.sql.query<{ id: string; detail: { deal: Record<string, unknown> }; due_at: Date }>("SELECT id, detail, due_at FROM reminders WHERE customer_id = $1 ORDER BY created_at, id", [customerId])).rows;

const render = async (reminderId: string) => {
  const core = createCore({ services: createServices(testServiceDeps(db.store, { now: () => NOW })), defaultLocale: "en", defaultTimezone: "Asia/Shanghai" });
  return textOf({ kind: "message", message: await core.renderNotification({ type: "reminder.due", reminderId }) });
};

describe("deal nudges", () => {
  it("nudges the owner of a deal quiet for the stale days once per quiet spell, in their language", async () => {
    const quiet = await dealFor("Quiet Deals", "en-US", { quietDays: 15, closeAt: null });
    const fresh = await dealFor("Fresh Deals", "en-US", { quietDays: 13, closeAt: null });
    const jobs = recordingScheduler();
    const deps = testServiceDeps(db.store, { now: () => NOW, jobs });
    const settings = { quietDays: 30, defaultTimezone: "Asia/Shanghai", dealStaleDays: 14 };
    await planNudges(deps, settings);
    await planNudges(deps, settings);
    const nudges = await dealReminders(quiet.customer.id);
    expect(nudges).toHaveLength(1);
    expect(nudges[0]!.detail.deal).toMatchObject({ id: quiet.deal.id, nudge: "stale", days: 15 });
    expect(nudges[0]!.due_at).toEqual(NOW);
    expect(jobs.reminders.map((r) => r.id)).toEqual([nudges[0]!.id]);
    expect(await dealReminders(fresh.customer.id)).toHaveLength(0);
    expect(await render(nudges[0]!.id)).toContain("The deal Quiet Deals deal with Quiet Deals has had no activity for 15 days. Move it on, or close it.");

    // Activity on the deal ends the spell; quiet again past the stale days, the next nudge comes.
    await db.sql.query("UPDATE deals SET last_activity_at = $2 WHERE id = $1", [quiet.deal.id, ago(20)]);
    await planNudges(deps, settings);
    expect(await dealReminders(quiet.customer.id)).toHaveLength(2);
    // The setting is honoured: 30 quiet days is not stale yet for a 14-day-old deal.
    const longer = await dealFor("Patient Deals", "en-US", { quietDays: 20, closeAt: null });
    await planNudges(deps, { ...settings, dealStaleDays: 30 });
    expect(await dealReminders(longer.customer.id)).toHaveLength(0);
  });

  it("asks the owner of a deal past its close date to move it or close it, once per close date", async () => {
    const late = await dealFor("Late Deals", "zh-CN", { quietDays: 2, closeAt: new Date("2026-11-18T15:59:00Z") });
    const deps = testServiceDeps(db.store, { now: () => NOW });
    const settings = { quietDays: 30, defaultTimezone: "Asia/Shanghai", dealStaleDays: 14 };
    await planNudges(deps, settings);
    await planNudges(deps, settings);
    const nudges = await dealReminders(late.customer.id);
    expect(nudges).toHaveLength(1);
    expect(nudges[0]!.detail.deal).toMatchObject({ nudge: "overdue" });
    expect(await render(nudges[0]!.id)).toContain("与 Late Deals 的商机 Late Deals deal 预计在 2026年11月18日 成交。请修改日期，或标记为赢单或输单。");

    // A new close date that passes asks again; a won deal never does.
    await db.sql.query("UPDATE deals SET expected_close_at = $2 WHERE id = $1", [late.deal.id, new Date("2026-11-19T15:59:00Z")]);
    await planNudges(deps, settings);
    expect(await dealReminders(late.customer.id)).toHaveLength(2);
    await late.services.moveDeal(late.owner, { dealId: late.deal.id, to: "won" });
    await db.sql.query("UPDATE deals SET expected_close_at = $2 WHERE id = $1", [late.deal.id, new Date("2026-11-17T15:59:00Z")]);
    await planNudges(deps, settings);
    expect(await dealReminders(late.customer.id)).toHaveLength(2);
  });

  it("never nudges about deleted deals or deals nobody owns", async () => {
    const gone = await dealFor("Gone Deals", "en-US", { quietDays: 40, closeAt: ago(3) });
    await gone.services.deleteDeal(gone.owner, gone.deal.id);
    const orphan = await dealFor("Orphan Deals", "en-US", { quietDays: 40, closeAt: ago(3) });
    await db.sql.query("UPDATE deals SET owner_id = NULL WHERE id = $1", [orphan.deal.id]);
    await planNudges(testServiceDeps(db.store, { now: () => NOW }), { quietDays: 30, defaultTimezone: "Asia/Shanghai", dealStaleDays: 14 });
    expect(await dealReminders(gone.customer.id)).toHaveLength(0);
    expect(await dealReminders(orphan.customer.id)).toHaveLength(0);
  });
});
