import { Decimal } from "decimal.js";
import { describe, expect, it } from "vitest";
import {
  averageDealSize, biggestMovers, closingIn, coverage, lostIn, movement, openByStage, weightedOf, winRateOf, previousPeriod, salesCycleMs, stageConversion, weightedValue, winRate, wonIn, type DealFacts, type StageChange,
} from "../../src/domain/deals/deal-measures.js";
import { DEFAULT_OPEN_STAGES, Pipeline, openStagesSchema } from "../../src/domain/deals/pipeline.js";

/** Crafted deals with every answer worked out by hand (the comments show the sums). */
const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const DAY = 86_400_000;
const october = { from: day("2026-10-01"), to: day("2026-11-01") };
const pipeline = new Pipeline();

const deal = (id: string, stage: string, createdAt: string, amount: number | null, extra: { closedAt?: string; expectedCloseAt?: string } = {}): DealFacts => ({
  id, stage, createdAt: day(createdAt), baseAmount: amount === null ? null : new Decimal(amount),
  closedAt: extra.closedAt ? day(extra.closedAt) : null, expectedCloseAt: extra.expectedCloseAt ? day(extra.expectedCloseAt) : null,
});

const deals: DealFacts[] = [
  deal("A", "won", "2026-09-01", 1000, { closedAt: "2026-10-10" }), // 39 days
  deal("B", "won", "2026-10-02", 3000, { closedAt: "2026-10-12" }), // 10 days
  deal("C", "won", "2026-09-20", null, { closedAt: "2026-10-20" }), // 30 days, no amount
  deal("D", "lost", "2026-08-01", 500, { closedAt: "2026-10-05" }),
  deal("E", "won", "2026-09-01", 2000, { closedAt: "2026-09-15" }), // the period before October
  deal("F", "proposal", "2026-09-05", 4000, { expectedCloseAt: "2026-10-25" }),
  deal("G", "qualification", "2026-10-28", 1000, { expectedCloseAt: "2026-11-05" }),
  deal("H", "proposal", "2026-10-15", null, { expectedCloseAt: "2026-10-30" }),
  deal("I", "lost", "2026-10-01", 700, { closedAt: "2026-11-02" }), // closed after October
];

describe("deal measures on crafted data", () => {
  it("won, lost and the win rate count closings inside the period only", () => {
    expect(wonIn(deals, pipeline, october).map((d) => d.id)).toEqual(["A", "B", "C"]);
    expect(lostIn(deals, pipeline, october).map((d) => d.id)).toEqual(["D"]);
    expect(winRate(deals, pipeline, october)).toBe(0.75); // 3 ÷ (3 + 1)
    expect(winRate(deals, pipeline, { from: day("2026-12-01"), to: day("2027-01-01") })).toBeNull();
  });

  it("average deal size divides by the wins that have an amount, and says how many had none", () => {
    const size = averageDealSize(deals, pipeline, october);
    expect(size.value!.toString()).toBe("2000"); // (1000 + 3000) ÷ 2
    expect(size.won).toMatchObject({ count: 3, withoutAmount: 1 });
    expect(size.won.total.toString()).toBe("4000");
  });

  it("the sales cycle is the mean time from creation to win", () => {
    expect(salesCycleMs(deals, pipeline, october)).toBeCloseTo(((39 + 10 + 30) / 3) * DAY, 3);
    expect(salesCycleMs([deals[3]!], pipeline, october)).toBeNull();
  });

  it("open deals by stage, weighted by the stage's probability", () => {
    const stages = openByStage(deals, pipeline);
    expect(stages.map((s) => [s.stage, s.count, s.amount.total.toNumber(), s.amount.withoutAmount, s.weighted.toNumber()])).toEqual([
      ["qualification", 1, 1000, 0, 100], // 1000 × 10%
      ["needs_analysis", 0, 0, 0, 0],
      ["proposal", 2, 4000, 1, 2000], // 4000 × 50%; H has no amount
      ["negotiation", 0, 0, 0, 0],
    ]);
    expect(weightedValue(deals, pipeline).toNumber()).toBe(2100);
  });

  it("coverage: open amount expected in the period over what the period before won", () => {
    expect(previousPeriod(october)).toEqual({ from: day("2026-08-31"), to: day("2026-10-01") });
    const c = coverage(deals, pipeline, october);
    expect(c.value).toBe(2); // F 4000 (H has none) ÷ E 2000
    expect(c.open).toMatchObject({ count: 2, withoutAmount: 1 });
    expect(coverage(deals, pipeline, { from: day("2027-03-01"), to: day("2027-04-01") }).value).toBeNull();
  });

  it("stage conversion: of the deals that entered a stage in the period, those that went further", () => {
    const changes: StageChange[] = [
      { dealId: "B", at: day("2026-10-02"), from: null, to: "qualification" },
      { dealId: "B", at: day("2026-10-05"), from: "qualification", to: "needs_analysis" },
      { dealId: "B", at: day("2026-10-08"), from: "needs_analysis", to: "proposal" },
      { dealId: "B", at: day("2026-10-12"), from: "proposal", to: "won" },
      { dealId: "F", at: day("2026-09-05"), from: null, to: "qualification" },
      { dealId: "F", at: day("2026-10-03"), from: "qualification", to: "proposal" },
      { dealId: "H", at: day("2026-10-15"), from: null, to: "qualification" },
      { dealId: "H", at: day("2026-10-20"), from: "qualification", to: "proposal" },
      { dealId: "D", at: day("2026-10-05"), from: "needs_analysis", to: "lost" },
      { dealId: "D", at: day("2026-08-01"), from: null, to: "qualification" },
      { dealId: "D", at: day("2026-10-01"), from: "qualification", to: "needs_analysis" },
      { dealId: "G", at: day("2026-10-28"), from: null, to: "qualification" },
    ];
    expect(stageConversion(changes, pipeline, october)).toEqual([
      { stage: "qualification", entered: 3, advanced: 2, rate: 2 / 3 }, // B, H on; G not yet (F entered in September)
      { stage: "needs_analysis", entered: 2, advanced: 1, rate: 0.5 }, // B on; D lost
      { stage: "proposal", entered: 3, advanced: 1, rate: 1 / 3 }, // B won; F and H still there
      { stage: "negotiation", entered: 0, advanced: 0, rate: null },
    ]);
  });
});

describe("closing, movers and movement on crafted data", () => {
  const week = { from: day("2026-10-24"), to: day("2026-10-31") };
  const changes: StageChange[] = [
    { dealId: "F", at: day("2026-09-05"), from: null, to: "qualification" },
    { dealId: "F", at: day("2026-10-25"), from: "qualification", to: "needs_analysis" },
    { dealId: "F", at: day("2026-10-26"), from: "needs_analysis", to: "proposal" }, // F 4000: qualification → proposal
    { dealId: "G", at: day("2026-10-28"), from: null, to: "qualification" }, // made, not moved
    { dealId: "H", at: day("2026-10-20"), from: "qualification", to: "proposal" }, // moved before the week
    { dealId: "I", at: day("2026-10-27"), from: "proposal", to: "lost" }, // I 700: proposal → lost, backwards
    { dealId: "B", at: day("2026-10-29"), from: "qualification", to: "negotiation" },
    { dealId: "B", at: day("2026-10-30"), from: "negotiation", to: "qualification" }, // back where it began: no mover
    { dealId: "C", at: day("2026-10-28"), from: "negotiation", to: "won" }, // C no amount: last
  ];

  it("closing in a period: open deals whose expected close falls inside it", () => {
    expect(closingIn(deals, pipeline, october).map((d) => d.id)).toEqual(["F", "H"]); // G expects Nov 5
  });

  it("the biggest movers: moved in the period, from the first move's start to now, largest first", () => {
    const movers = biggestMovers(deals.map((d) => (d.id === "B" ? { ...d, stage: "qualification" } : d)), changes, pipeline, week, 10);
    expect(movers.map((m) => [m.dealId, m.from, m.to, m.forward, m.baseAmount?.toNumber() ?? null])).toEqual([
      ["F", "qualification", "proposal", true, 4000],
      ["I", "proposal", "lost", false, 700],
      ["C", "negotiation", "won", true, null],
    ]);
    expect(biggestMovers(deals, changes, pipeline, week, 1).map((m) => m.dealId)).toEqual(["F"]);
  });

  it("movement: deals moved, won and lost in a period, with their amounts", () => {
    const m = movement(deals, changes, pipeline, { from: day("2026-10-20"), to: day("2026-10-28") });
    // Moved: F (4000), H (no amount), I (700); G was only made, C moved on the 28th (outside).
    expect([m.moved.count, m.moved.total.toNumber(), m.moved.withoutAmount]).toEqual([3, 4700, 1]);
    // Won by closing date in [Oct 20, Oct 28): C (Oct 20, no amount); lost: none (I closed Nov 2).
    expect([m.won.count, m.won.total.toNumber(), m.won.withoutAmount, m.lost.count]).toEqual([1, 0, 1, 0]);
  });

  it("the weighting and the win rate from totals agree with the per-deal measures", () => {
    expect(weightedOf(new Decimal(4000), 50).toNumber()).toBe(2000);
    expect(winRateOf(3, 1)).toBe(0.75);
    expect(winRateOf(0, 0)).toBeNull();
  });
});

describe("the pipeline", () => {
  it("has the default stages, then won and lost", () => {
    expect(pipeline.stages.map((s) => `${s.key}:${s.probability}`)).toEqual(["qualification:10", "needs_analysis:25", "proposal:50", "negotiation:75", "won:100", "lost:0"]);
    expect(pipeline.next("negotiation")?.key).toBe("won");
    expect(pipeline.next("won")).toBeUndefined();
    expect(pipeline.rank("won")).toBeGreaterThan(pipeline.rank("negotiation"));
    expect(pipeline.rank("lost")).toBe(-1);
  });

  it("finds a stage by key or name in either language, or a unique start", () => {
    for (const typed of ["Needs Analysis", "needs-analysis", "needs_analysis", "需求分析", "ＮＥＥＤＳ analysis"]) expect(pipeline.find(typed)?.key, typed).toBe("needs_analysis");
    expect(pipeline.find("nego")?.key).toBe("negotiation");
    expect(pipeline.find("赢单")?.key).toBe("won");
    expect(pipeline.find("n")).toBeUndefined(); // needs analysis or negotiation: never a guess
    expect(pipeline.find("banana")).toBeUndefined();
  });

  it("takes an admin's own open stages and refuses ones that cannot work", () => {
    const own = new Pipeline([
      { key: "demo", names: { en: "Demo", "zh-CN": "演示" }, probability: 30 },
      { key: "contract", names: { en: "Contract", "zh-CN": "合同" }, probability: 80 },
    ]);
    expect(own.stages.map((s) => s.key)).toEqual(["demo", "contract", "won", "lost"]);
    const issues = (stages: unknown) => { const r = openStagesSchema.safeParse(stages); return r.success ? [] : r.error.issues.map((i) => i.message); };
    const a = { key: "a", names: { en: "A", "zh-CN": "甲" }, probability: 60 };
    const b = { key: "b", names: { en: "B", "zh-CN": "乙" }, probability: 40 };
    expect(issues([a, b])).toContain("pipeline.stage.falling");
    expect(issues([a, { ...b, probability: 70, names: { en: "a", "zh-CN": "乙" } }])).toContain("pipeline.stage.duplicate");
    expect(issues([{ ...a, names: { en: "Won", "zh-CN": "甲" } }])).toContain("pipeline.stage.duplicate");
    expect(issues([{ ...a, probability: 100 }])).toContain("pipeline.stage.probability");
    expect(issues([])).toContain("pipeline.stages.none");
    expect(issues(Array.from({ length: 11 }, (_, i) => ({ key: `s${i}`, names: { en: `S${i}`, "zh-CN": `阶段${i}` }, probability: 10 + i })))).toContain("pipeline.stages.tooMany");
    expect(issues(DEFAULT_OPEN_STAGES)).toEqual([]);
  });
});
