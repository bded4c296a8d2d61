import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropFinishedHomePublishes } from "../../src/services/index.js";
import { testServiceDeps } from "../support/core.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

/**
 * Every open of the Home tab leaves an outbox row. The daily housekeeping drops the finished
 * ones older than a day, in batches, and nothing else: not a publish still waiting or being
 * sent, not a recent one, not another kind of message. Real Postgres, a frozen clock.
 */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

const NOW = new Date("2026-06-10T08:00:00Z");
const HOUR = 3_600_000;

async function row(type: string, status: string, hoursAgo: number): Promise<string> {
  const id = randomUUID();
  await db.sql.query(
    "INSERT INTO outbox (id, platform, destination, payload, dedupe_key, status, next_attempt_at, updated_at) VALUES ($1, 'slack', 'U0HOME', $2::jsonb, $3, $4::\"OutboxStatus\", $5, $5)",
    [id, JSON.stringify({ type, repId: randomUUID() }), `retention:${id}`, status, new Date(NOW.getTime() - hoursAgo * HOUR)],
  );
  return id;
}

describe("finished Home publishes", () => {
  it("go after a day, in batches; waiting, recent and other rows stay", async () => {
    const old = [await row("home.publish", "SENT", 25), await row("home.publish", "FAILED", 30), await row("home.publish", "SENT", 48)];
    const kept = [
      await row("home.publish", "SENT", 23),
      await row("home.publish", "PENDING", 40),
      await row("home.publish", "SENDING", 40),
      await row("reminder.due", "SENT", 72),
    ];
    expect(await dropFinishedHomePublishes(testServiceDeps(db.store, { now: () => NOW }), 2)).toBe(3);
    const { rows } = await db.sql.query<{ id: string }>("SELECT id FROM outbox WHERE id = ANY($1)", [[...old, ...kept]]);
    expect(rows.map((r) => r.id).sort()).toEqual([...kept].sort());
  });
});
