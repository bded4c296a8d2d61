import { randomUUID } from "node:crypto";
import { Decimal } from "decimal.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { biggestMovers, closingIn, lostIn, movement, openByStage, wonIn, type DealFacts, type StageChange } from "../../src/domain/deals/deal-measures.js";
import { Pipeline } from "../../src/domain/deals/pipeline.js";
import type { DealScope } from "../../src/store/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

/**
 * The SQL behind /pipeline (store/deals/pipeline-figures.ts) against the measures of
 * domain/deals/deal-measures.ts on the same deals: a few hundred deals and moves written by the
 * store with a seeded generator (so every run has the same data), for one owner, two owners and
 * everyone, with deleted deals and deals without an amount among them. Each figure the store
 * adds up must equal what the domain computes from the rows one by one.
 */

let db: TestDatabase;
const owners = [randomUUID(), randomUUID(), randomUUID()];
const pipeline = new Pipeline();
const DAY = 86_400_000;
const START = Date.parse("2026-01-01T00:00:00Z");
const period = { from: new Date("2026-03-01T00:00:00Z"), to: new Date("2026-04-01T00:00:00Z") };
const before = { from: new Date("2026-02-01T00:00:00Z"), to: period.from };
const week = { from: new Date("2026-03-13T00:00:00Z"), to: new Date("2026-03-20T00:00:00Z") };

/** A small deterministic generator (mulberry32): the same deals on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

beforeAll(async () => {
  db = await createTestDatabase();
  for (const [i, id] of owners.entries()) {
    await db.sql.query(`INSERT INTO users (id, platform, external_id, display_name, role, updated_at) VALUES ($1, 'slack', $2, $3, 'REP', now())`, [id, `UPF${i}`, `Rep ${i}`]);
  }
  const customerId = randomUUID();
  await db.sql.query(`INSERT INTO customers (id, name, normalized_name, pinyin, pinyin_initials, updated_at) VALUES ($1, 'Figures Co', 'figuresco', 'figuresco', 'figuresco', now())`, [customerId]);
  const next = random(18);
  const stages = pipeline.stages.map((s) => s.key);
  for (let i = 0; i < 240; i++) {
    const created = START + Math.floor(next() * 95) * DAY + Math.floor(next() * DAY);
    const amount = next() < 0.15 ? null : (Math.floor(next() * 2000) * 5).toFixed(2);
    const deal = await db.store.deals.add({
      customerId, ownerId: owners[i % 3] ?? null, createdById: null, title: `Deal ${i}`, amount, currency: amount ? "CNY" : null, baseAmount: amount, rateToBase: amount ? "1" : null,
      stage: pipeline.open[Math.floor(next() * pipeline.open.length)]!.key, expectedCloseAt: next() < 0.2 ? null : new Date(START + Math.floor(next() * 120) * DAY), at: new Date(created),
    });
    let at = created;
    const moves = Math.floor(next() * 4);
    for (let m = 0; m < moves; m++) {
      at += Math.floor(next() * 20 * DAY) + 60_000;
      const to = stages[Math.floor(next() * stages.length)]!;
      const outcome = to === "won" ? "won" : to === "lost" ? "lost" : null;
      await db.store.deals.move({ dealId: deal.id, to, outcome, byId: null, at: new Date(at), ...(outcome === "lost" ? { lost: { reason: "price", note: null } } : {}) });
    }
    if (next() < 0.05) await db.sql.query(`UPDATE deals SET deleted_at = now() WHERE id = $1`, [deal.id]);
  }
}, 120_000);
afterAll(() => db.drop());

/** The live deals of a scope and their moves, row by row, as the domain's measures take them. */
async function factsOf(scope: DealScope): Promise<{ deals: DealFacts[]; changes: StageChange[] }> {
  const ids = scope.kind === "all" ? null : [...scope.ownerIds];
  const rows = (await db.sql.query<{ id: string; created_at: Date; stage: string; base_amount: string | null; expected_close_at: Date | null; closed_at: Date | null }>(
    `SELECT id, created_at, stage, base_amount::text AS base_amount, expected_close_at, closed_at FROM deals WHERE deleted_at IS NULL AND ($1::uuid[] IS NULL OR owner_id = ANY($1::uuid[]))`, [ids],
  )).rows;
  const changes = (await db.sql.query<{ deal_id: string; at: Date; from_stage: string | null; to_stage: string }>(`SELECT deal_id, at, from_stage, to_stage FROM deal_stage_changes`)).rows;
  return {
    deals: rows.map((r) => ({ id: r.id, createdAt: r.created_at, stage: r.stage, baseAmount: r.base_amount === null ? null : new Decimal(r.base_amount), expectedCloseAt: r.expected_close_at, closedAt: r.closed_at })),
    changes: changes.map((c) => ({ dealId: c.deal_id, at: c.at, from: c.from_stage, to: c.to_stage })),
  };
}

const total = (deals: readonly DealFacts[]) => ({
  count: deals.length,
  total: deals.reduce((sum, d) => sum.plus(d.baseAmount ?? 0), new Decimal(0)).toFixed(2),
  withoutAmount: deals.filter((d) => d.baseAmount === null).length,
});
const fixed = (t: { count: number; total: string; withoutAmount: number }) => ({ ...t, total: new Decimal(t.total).toFixed(2) });

const SCOPES: [string, DealScope][] = [
  ["one owner", { kind: "owners", ownerIds: [owners[0]!] }],
  ["two owners", { kind: "owners", ownerIds: [owners[1]!, owners[2]!] }],
  ["everyone", { kind: "all" }],
];

describe.each(SCOPES)("the pipeline's SQL equals the domain's measures (%s)", (_, scope) => {
  it("open deals by stage", async () => {
    const { deals } = await factsOf(scope);
    const sql = await db.store.pipelineFigures.openByStage(scope);
    const expected = openByStage(deals, pipeline).filter((s) => s.count > 0);
    expect(expected.length).toBeGreaterThan(1);
    expect(sql.map((r) => ({ ...fixed(r), stage: r.stage })).sort((a, b) => a.stage.localeCompare(b.stage))).toEqual(
      expected.map((s) => ({ stage: s.stage, count: s.count, total: s.amount.total.toFixed(2), withoutAmount: s.amount.withoutAmount })).sort((a, b) => a.stage.localeCompare(b.stage)),
    );
  });

  it("closing in the period: the total, and the largest first", async () => {
    const { deals } = await factsOf(scope);
    const expected = closingIn(deals, pipeline, period);
    expect(expected.length).toBeGreaterThan(3);
    const sql = await db.store.pipelineFigures.closing(scope, period, 3);
    expect(fixed(sql.total)).toEqual(total(expected));
    const largest = [...expected].sort((a, b) => (b.baseAmount ?? new Decimal(-1)).comparedTo(a.baseAmount ?? new Decimal(-1))).slice(0, 3);
    expect(sql.deals.map((d) => d.baseAmount)).toEqual(largest.map((d) => d.baseAmount?.toFixed(2) ?? null));
  });

  it("won and lost in the period and the one before", async () => {
    const { deals } = await factsOf(scope);
    const [now, then] = await db.store.pipelineFigures.closed(scope, [period, before]);
    expect(fixed(now!.won)).toEqual(total(wonIn(deals, pipeline, period)));
    expect(fixed(now!.lost)).toEqual(total(lostIn(deals, pipeline, period)));
    expect(fixed(then!.won)).toEqual(total(wonIn(deals, pipeline, before)));
    expect(fixed(then!.lost)).toEqual(total(lostIn(deals, pipeline, before)));
    expect(now!.won.count + then!.won.count).toBeGreaterThan(0);
  });

  it("the biggest movers of the week and the deals moved", async () => {
    const { deals, changes } = await factsOf(scope);
    const expected = biggestMovers(deals, changes, pipeline, week, 100);
    expect(expected.length).toBeGreaterThan(0);
    const sql = await db.store.pipelineFigures.movers(scope, week, 100);
    expect(sql.map((m) => [m.id, m.from, m.stage, m.baseAmount])).toEqual(expected.map((m) => [m.dealId, m.from, m.to, m.baseAmount?.toFixed(2) ?? null]));
    expect(fixed(await db.store.pipelineFigures.moved(scope, week))).toEqual(total(deals.filter((d) => changes.some((c) => c.dealId === d.id && c.from !== null && c.at >= week.from && c.at < week.to))));
    expect(fixed(await db.store.pipelineFigures.moved(scope, week))).toEqual({ ...movement(deals, changes, pipeline, week).moved, total: movement(deals, changes, pipeline, week).moved.total.toFixed(2) });
  });
});
