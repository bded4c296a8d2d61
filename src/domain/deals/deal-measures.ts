import { Decimal } from "decimal.js";
import type { Pipeline } from "./pipeline.js";

/**
 * The pipeline's measures, each defined once (the SQL that computes them at scale is held equal to
 * these by tests on crafted data, as with CLV). A period is [from, to); amounts are in the base
 * currency; a deal without an amount counts in every count and in no sum, and the answers say
 * how many sums left out.
 *
 * - won, lost: deals that reached the won (lost) stage inside the period, by the time they closed.
 * - win rate: won ÷ (won + lost) of the period; none when nothing closed.
 * - average deal size: the won deals' amounts ÷ how many of them have one; none without any.
 * - sales cycle: the mean time from a won deal's creation to its win, over the period's wins.
 * - weighted value: an open deal's amount × its stage's probability; a stage's or a pipeline's is
 *   the sum over its open deals.
 * - coverage: the open amount expected to close in the period ÷ the amount won in the period of
 *   the same length just before it (the team's recent pace, as there are no quotas); none when
 *   nothing was won then.
 * - stage conversion: of the deals that entered a stage in the period (created in it, or moved
 *   into it), the share that has since reached a later stage or been won.
 */

export interface DealFacts {
  id: string;
  createdAt: Date;
  /** The stage it is in now. */
  stage: string;
  /** In the base currency; null when the deal has no amount. */
  baseAmount: Decimal | null;
  expectedCloseAt: Date | null;
  /** When it reached won or lost; null while open. */
  closedAt: Date | null;
}

/** A deal's move, its creation included (`from` null). */
export interface StageChange {
  dealId: string;
  at: Date;
  from: string | null;
  to: string;
}

export interface Period {
  from: Date;
  to: Date;
}

const inside = (at: Date | null, p: Period): boolean => at !== null && at >= p.from && at < p.to;

export interface AmountSum {
  /** Sum of the amounts there are. */
  total: Decimal;
  /** Deals counted. */
  count: number;
  /** Of them, deals without an amount (left out of the total). */
  withoutAmount: number;
}

function sumOf(deals: readonly DealFacts[], weight: (d: DealFacts) => Decimal = () => new Decimal(1)): AmountSum {
  let total = new Decimal(0);
  let withoutAmount = 0;
  for (const d of deals) {
    if (d.baseAmount === null) withoutAmount++;
    else total = total.plus(d.baseAmount.times(weight(d)));
  }
  return { total, count: deals.length, withoutAmount };
}

export function wonIn(deals: readonly DealFacts[], pipeline: Pipeline, period: Period): DealFacts[] {
  return deals.filter((d) => pipeline.stage(d.stage)?.outcome === "won" && inside(d.closedAt, period));
}

export function lostIn(deals: readonly DealFacts[], pipeline: Pipeline, period: Period): DealFacts[] {
  return deals.filter((d) => pipeline.stage(d.stage)?.outcome === "lost" && inside(d.closedAt, period));
}

export function winRate(deals: readonly DealFacts[], pipeline: Pipeline, period: Period): number | null {
  return winRateOf(wonIn(deals, pipeline, period).length, lostIn(deals, pipeline, period).length);
}

/** The win rate from the two counts, as SQL totals give them: won ÷ (won + lost); none when nothing closed. */
export function winRateOf(won: number, lost: number): number | null {
  return won + lost === 0 ? null : won / (won + lost);
}

export function averageDealSize(deals: readonly DealFacts[], pipeline: Pipeline, period: Period): { value: Decimal | null; won: AmountSum } {
  const won = sumOf(wonIn(deals, pipeline, period));
  const priced = won.count - won.withoutAmount;
  return { value: priced === 0 ? null : won.total.dividedBy(priced), won };
}

/** Mean milliseconds from creation to win over the period's wins; null without wins. */
export function salesCycleMs(deals: readonly DealFacts[], pipeline: Pipeline, period: Period): number | null {
  const won = wonIn(deals, pipeline, period);
  if (won.length === 0) return null;
  return won.reduce((sum, d) => sum + (d.closedAt!.getTime() - d.createdAt.getTime()), 0) / won.length;
}

const isOpen = (d: DealFacts, pipeline: Pipeline): boolean => {
  const stage = pipeline.stage(d.stage);
  return stage !== undefined && !stage.outcome;
};

export interface StageFigures {
  stage: string;
  count: number;
  amount: AmountSum;
  weighted: Decimal;
}

/** Per open stage, in pipeline order (empty stages too): how many deals, their amount and weighted value. */
export function openByStage(deals: readonly DealFacts[], pipeline: Pipeline): StageFigures[] {
  return pipeline.open.map((stage) => {
    const here = deals.filter((d) => d.stage === stage.key);
    const amount = sumOf(here);
    return { stage: stage.key, count: here.length, amount, weighted: weightedOf(amount.total, stage.probability) };
  });
}

/** A stage's weighted value from its open amount (SQL sums it; the weighting is defined here only). */
export function weightedOf(total: Decimal, probability: number): Decimal {
  return total.times(probability).dividedBy(100);
}

export function weightedValue(deals: readonly DealFacts[], pipeline: Pipeline): Decimal {
  return openByStage(deals, pipeline).reduce((sum, s) => sum.plus(s.weighted), new Decimal(0));
}

/** The period of the same length just before. */
export function previousPeriod(period: Period): Period {
  const length = period.to.getTime() - period.from.getTime();
  return { from: new Date(period.from.getTime() - length), to: period.from };
}

/** Open deals expected to close inside the period. */
export function closingIn(deals: readonly DealFacts[], pipeline: Pipeline, period: Period): DealFacts[] {
  return deals.filter((d) => isOpen(d, pipeline) && inside(d.expectedCloseAt, period));
}

export function coverage(deals: readonly DealFacts[], pipeline: Pipeline, period: Period): { value: number | null; open: AmountSum; pace: AmountSum } {
  const open = sumOf(closingIn(deals, pipeline, period));
  const pace = sumOf(wonIn(deals, pipeline, previousPeriod(period)));
  return { value: pace.total.isZero() ? null : open.total.dividedBy(pace.total).toNumber(), open, pace };
}

export interface StageConversion {
  stage: string;
  entered: number;
  advanced: number;
  /** advanced ÷ entered; null when no deal entered. */
  rate: number | null;
}

/** Per open stage, of the deals that entered it in the period, how many went further since. */
export function stageConversion(changes: readonly StageChange[], pipeline: Pipeline, period: Period): StageConversion[] {
  const byDeal = new Map<string, StageChange[]>();
  for (const c of changes) {
    const list = byDeal.get(c.dealId) ?? [];
    list.push(c);
    byDeal.set(c.dealId, list);
  }
  for (const list of byDeal.values()) list.sort((a, b) => a.at.getTime() - b.at.getTime());
  return pipeline.open.map((stage) => {
    const rank = pipeline.rank(stage.key);
    let entered = 0;
    let advanced = 0;
    for (const list of byDeal.values()) {
      const entry = list.findIndex((c) => c.to === stage.key && inside(c.at, period));
      if (entry < 0) continue;
      entered++;
      if (list.slice(entry + 1).some((c) => pipeline.rank(c.to) > rank)) advanced++;
    }
    return { stage: stage.key, entered, advanced, rate: entered === 0 ? null : advanced / entered };
  });
}

export interface Mover {
  dealId: string;
  /** Where it stood before its first move in the period. */
  from: string;
  /** Where it stands now. */
  to: string;
  /** Whether that is further along the pipeline (won counts as furthest, lost as behind every stage). */
  forward: boolean;
  baseAmount: Decimal | null;
}

/**
 * The biggest movers: deals moved (not merely created) inside the period, from where the first
 * move took them away to where they stand now, largest amount first (deals without an amount
 * last), then by id so equal amounts keep one order; a deal moved back to where it began is no mover.
 */
export function biggestMovers(deals: readonly DealFacts[], changes: readonly StageChange[], pipeline: Pipeline, period: Period, limit: number): Mover[] {
  const first = new Map<string, StageChange>();
  for (const c of changes) {
    if (c.from === null || !inside(c.at, period)) continue;
    const seen = first.get(c.dealId);
    if (!seen || c.at < seen.at) first.set(c.dealId, c);
  }
  const movers: Mover[] = [];
  for (const d of deals) {
    const move = first.get(d.id);
    if (!move || move.from === d.stage) continue;
    movers.push({ dealId: d.id, from: move.from!, to: d.stage, forward: pipeline.rank(d.stage) > pipeline.rank(move.from!), baseAmount: d.baseAmount });
  }
  movers.sort((a, b) => {
    if (a.baseAmount === null || b.baseAmount === null) return a.baseAmount === b.baseAmount ? a.dealId.localeCompare(b.dealId) : a.baseAmount === null ? 1 : -1;
    return b.baseAmount.comparedTo(a.baseAmount) || a.dealId.localeCompare(b.dealId);
  });
  return movers.slice(0, limit);
}

export interface Movement {
  /** Deals with at least one move inside the period (creation is no move), and their amount. */
  moved: AmountSum;
  won: AmountSum;
  lost: AmountSum;
}

/** What the pipeline did in a period (the digest's line of yesterday): deals moved, won and lost, with their amounts. */
export function movement(deals: readonly DealFacts[], changes: readonly StageChange[], pipeline: Pipeline, period: Period): Movement {
  const movedIds = new Set(changes.filter((c) => c.from !== null && inside(c.at, period)).map((c) => c.dealId));
  return {
    moved: sumOf(deals.filter((d) => movedIds.has(d.id))),
    won: sumOf(wonIn(deals, pipeline, period)),
    lost: sumOf(lostIn(deals, pipeline, period)),
  };
}
