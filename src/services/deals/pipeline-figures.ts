import { inScope } from "../../domain/access/access-scope.js";
import { weightedOf, winRateOf } from "../../domain/deals/deal-measures.js";
import type { Pipeline, Stage } from "../../domain/deals/pipeline.js";
import { AppError } from "../../domain/errors.js";
import { Decimal } from "../../domain/money.js";
import type { AmountTotal, DealScope, PipelineDeal, PipelineMover, Rep } from "../../store/index.js";
import type { Audience } from "../audience.js";
import { recordListed } from "../audit/record-read.js";
import type { ServiceDeps } from "../deps.js";
import { loadPipeline } from "./manage-deals.js";

/** How many deals the closing list and the movers name; the rest is in the totals. */
export const PIPELINE_LISTED = 5;
/** "Since last week": the movers are the deals moved in the 7 days up to now. */
export const MOVERS_DAYS = 7;
const DAY_MS = 86_400_000;

/** Whose pipeline: the asker's, a rep's they may look at, or their team's. */
export type PipelineWho = { kind: "me" } | { kind: "rep"; rep: Rep } | { kind: "team" };

/** Whose deals an answer counts, as the reply names them. */
export type PipelineOwners = { kind: "me" } | { kind: "rep"; name: string } | { kind: "team"; names: string[] } | { kind: "everyone" };

export interface StageLine {
  stage: Stage;
  count: number;
  total: Decimal;
  withoutAmount: number;
  weighted: Decimal;
}

export interface ClosedLine {
  won: AmountTotal;
  lost: AmountTotal;
  winRate: number | null;
}

export interface PipelineMove extends PipelineMover {
  /** Further along the pipeline than where it was (won is furthest, lost behind every stage). */
  forward: boolean;
}

export interface PipelineAnswer {
  pipeline: Pipeline;
  owners: PipelineOwners;
  currency: string;
  stages: StageLine[];
  open: { count: number; total: Decimal; weighted: Decimal; withoutAmount: number };
  closing: { total: AmountTotal; deals: PipelineDeal[] };
  closed: ClosedLine;
  previous: ClosedLine;
  movers: PipelineMove[];
  moversSince: Date;
}

/**
 * Whose deals `who` names, by the one visibility rule (domain/access/access-scope.ts): anyone sees
 * their own; another rep's pipeline is for an admin or for the manager of a team that rep is in;
 * "team" is the teams a manager leads, else the team the asker is in (an admin without a team:
 * everyone).
 */
export async function pipelineScope(deps: ServiceDeps, viewer: Rep, who: PipelineWho): Promise<{ scope: DealScope; owners: PipelineOwners }> {
  if (who.kind === "me") return { scope: { kind: "owners", ownerIds: [viewer.id] }, owners: { kind: "me" } };
  if (who.kind === "rep") {
    if (who.rep.id === viewer.id) return { scope: { kind: "owners", ownerIds: [viewer.id] }, owners: { kind: "me" } };
    if (!inScope(viewer, who.rep.id)) throw new AppError("FORBIDDEN", "pipeline.forbiddenRep", { name: who.rep.displayName });
    return { scope: { kind: "owners", ownerIds: [who.rep.id] }, owners: { kind: "rep", name: who.rep.displayName } };
  }
  const led = viewer.role === "REP" ? [] : await deps.store.teams.ledBy(viewer.id);
  const own = led.length > 0 ? [] : [await deps.store.teams.teamOf(viewer.id)].filter((t) => t !== null);
  const teams = [...led, ...own];
  if (teams.length === 0) {
    if (viewer.role === "ADMIN") return { scope: { kind: "all" }, owners: { kind: "everyone" } };
    throw new AppError("NOT_FOUND", "pipeline.noTeam");
  }
  const ids = new Set<string>([viewer.id]);
  for (const team of teams) {
    if (team.lead) ids.add(team.lead.id);
    for (const member of team.members) ids.add(member.id);
  }
  return { scope: { kind: "owners", ownerIds: [...ids] }, owners: { kind: "team", names: teams.map((t) => t.name) } };
}

const closedLine = (won: AmountTotal, lost: AmountTotal): ClosedLine => ({ won, lost, winRate: winRateOf(won.count, lost.count) });

/**
 * /pipeline: per open stage the count, total and weighted value; the deals expected to close in
 * the period; won, lost and the win rate of the period against the one before; and the biggest
 * movers of the last MOVERS_DAYS days. The customers it names are audited as listed.
 */
export async function getPipelineFigures(
  deps: ServiceDeps, viewer: Rep, request: { who: PipelineWho; period: { from: Date; to: Date; previous: { from: Date; to: Date } }; now: Date }, audience: Audience = "rep",
): Promise<PipelineAnswer> {
  const { scope, owners } = await pipelineScope(deps, viewer, request.who);
  const figures = deps.store.pipelineFigures;
  const moversSince = new Date(request.now.getTime() - MOVERS_DAYS * DAY_MS);
  const [pipeline, byStage, closing, [closed, previous], movers] = await Promise.all([
    loadPipeline(deps),
    figures.openByStage(scope),
    figures.closing(scope, request.period, PIPELINE_LISTED),
    figures.closed(scope, [request.period, request.period.previous]),
    figures.movers(scope, { from: moversSince, to: request.now }, PIPELINE_LISTED),
  ]);
  const stages = pipeline.open.map((stage): StageLine => {
    const row = byStage.find((r) => r.stage === stage.key);
    const total = new Decimal(row?.total ?? 0);
    return { stage, count: row?.count ?? 0, total, withoutAmount: row?.withoutAmount ?? 0, weighted: weightedOf(total, stage.probability) };
  });
  const open = stages.reduce(
    (sum, s) => ({ count: sum.count + s.count, total: sum.total.plus(s.total), weighted: sum.weighted.plus(s.weighted), withoutAmount: sum.withoutAmount + s.withoutAmount }),
    { count: 0, total: new Decimal(0), weighted: new Decimal(0), withoutAmount: 0 },
  );
  const named = [...new Set([...closing.deals, ...movers].map((d) => d.customerId))];
  await recordListed(deps.store, viewer, "pipeline", named, audience, { owners: owners.kind });
  return {
    pipeline, owners, currency: deps.settings.baseCurrency, stages, open, closing,
    closed: closedLine(closed!.won, closed!.lost), previous: closedLine(previous!.won, previous!.lost),
    movers: movers.map((m) => ({ ...m, forward: pipeline.rank(m.stage) > pipeline.rank(m.from) })),
    moversSince,
  };
}

/** Won, lost and the win rate of each span for the whole team (the report's pipeline section). */
export async function getPipelineClosed(deps: ServiceDeps, spans: readonly { from: Date; to: Date }[]): Promise<ClosedLine[]> {
  const rows = await deps.store.pipelineFigures.closed({ kind: "all" }, spans);
  return rows.map((r) => closedLine(r.won, r.lost));
}

export interface PipelineMovement {
  moved: AmountTotal;
  won: AmountTotal;
  lost: AmountTotal;
}

/** What the whole pipeline did in a span (the digest's line): deals moved, won and lost, with their amounts. */
export async function getPipelineMovement(deps: ServiceDeps, span: { from: Date; to: Date }): Promise<PipelineMovement> {
  const [moved, [closed]] = await Promise.all([deps.store.pipelineFigures.moved({ kind: "all" }, span), deps.store.pipelineFigures.closed({ kind: "all" }, [span])]);
  return { moved, won: closed!.won, lost: closed!.lost };
}
