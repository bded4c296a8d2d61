import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

/**
 * Deals in the store against real Postgres: a deal is written with the first row of its history,
 * every move with its own row; the status follows the stage (won, lost, open again) and the
 * database refuses a status that disagrees; a repeated move and a deleted deal change nothing.
 */

let db: TestDatabase;
let customerId: string;
let repId: string;
const at = (iso: string) => new Date(iso);

beforeAll(async () => {
  db = await createTestDatabase();
  customerId = randomUUID();
  repId = randomUUID();
  await db.sql.query(`INSERT INTO users (id, platform, external_id, display_name, role, updated_at) VALUES ($1, 'slack', 'UDEAL', 'Dee Rep', 'REP', now())`, [repId]);
  await db.sql.query(`INSERT INTO customers (id, name, normalized_name, pinyin, pinyin_initials, updated_at) VALUES ($1, 'Deal Co', 'dealco', 'dealco', 'dealco', now())`, [customerId]);
});
afterAll(() => db.drop());

const add = () =>
  db.store.deals.add({
    customerId, ownerId: repId, createdById: repId, title: "Fleet renewal", amount: "12000.00", currency: "USD", baseAmount: "85200.00", rateToBase: "7.1",
    stage: "qualification", expectedCloseAt: at("2026-12-20T00:00:00Z"), at: at("2026-11-01T02:00:00Z"),
  });

describe("deals in the store", () => {
  it("writes a deal with its first stage in its history", async () => {
    const deal = await add();
    expect(deal).toMatchObject({ stage: "qualification", amount: "12000.00", currency: "USD", baseAmount: "85200.00", closedAt: null });
    expect(await db.store.deals.history(deal.id)).toEqual([{ from: null, to: "qualification", byId: repId, at: at("2026-11-01T02:00:00Z") }]);
  });

  it("records every move; won and lost close the deal, a move back opens it; the same move twice changes nothing", async () => {
    const deal = await add();
    const proposal = await db.store.deals.move({ dealId: deal.id, to: "proposal", outcome: null, byId: repId, at: at("2026-11-05T00:00:00Z") });
    expect(proposal).toMatchObject({ from: "qualification", deal: { stage: "proposal", closedAt: null } });
    expect(await db.store.deals.move({ dealId: deal.id, to: "proposal", outcome: null, byId: repId, at: at("2026-11-06T00:00:00Z") })).toBeNull();

    const lost = await db.store.deals.move({ dealId: deal.id, to: "lost", outcome: "lost", byId: repId, at: at("2026-11-10T00:00:00Z"), lost: { reason: "price", note: "went with a cheaper offer" } });
    expect(lost!.deal).toMatchObject({ stage: "lost", lostReason: "price", closedAt: at("2026-11-10T00:00:00Z") });
    expect((await db.sql.query(`SELECT status, lost_note FROM deals WHERE id = $1`, [deal.id])).rows[0]).toEqual({ status: "LOST", lost_note: "went with a cheaper offer" });

    const reopened = await db.store.deals.move({ dealId: deal.id, to: "negotiation", outcome: null, byId: repId, at: at("2026-11-12T00:00:00Z") });
    expect(reopened!.deal).toMatchObject({ stage: "negotiation", closedAt: null, lostReason: null });
    const won = await db.store.deals.move({ dealId: deal.id, to: "won", outcome: "won", byId: repId, at: at("2026-11-20T00:00:00Z") });
    expect(won!.deal).toMatchObject({ stage: "won", closedAt: at("2026-11-20T00:00:00Z") });

    expect((await db.store.deals.history(deal.id)).map((h) => `${h.from ?? "-"}>${h.to}`)).toEqual(["->qualification", "qualification>proposal", "proposal>lost", "lost>negotiation", "negotiation>won"]);
  });

  it("refuses a status that disagrees with the stage, and leaves a deleted deal alone", async () => {
    const deal = await add();
    await expect(db.sql.query(`UPDATE deals SET status = 'WON' WHERE id = $1`, [deal.id])).rejects.toThrow(/deals_status_matches_stage|deals_closed_when_not_open/);
    await expect(db.sql.query(`UPDATE deals SET stage = 'won' WHERE id = $1`, [deal.id])).rejects.toThrow(/deals_status_matches_stage/);
    await db.sql.query(`UPDATE deals SET deleted_at = now() WHERE id = $1`, [deal.id]);
    expect(await db.store.deals.move({ dealId: deal.id, to: "proposal", outcome: null, byId: repId, at: at("2026-11-05T00:00:00Z") })).toBeNull();
    expect(await db.store.deals.get(deal.id)).toBeNull();
    expect(await db.store.deals.history(deal.id)).toHaveLength(1);
  });
});
