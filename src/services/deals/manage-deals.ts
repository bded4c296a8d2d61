import { createHash } from "node:crypto";
import { AppError } from "../../domain/errors.js";
import { mayChange } from "../../domain/access/write-rights.js";
import { Decimal, toBase } from "../../domain/money.js";
import { DEFAULT_OPEN_STAGES, MAX_OPEN_STAGES, Pipeline, openStagesSchema, type Stage } from "../../domain/deals/pipeline.js";
import type { CustomerSummary, Rep } from "../../store/index.js";
import type { DealFilter, ListedDeal, StoredDeal } from "../../store/deals/deals.js";
import type { ServiceDeps } from "../deps.js";
import { rateOf, recordOrder, type RecordedOrder } from "../activity/record-order.js";
import { recordListed } from "../audit/record-read.js";

/** How many deals one list shows. */
export const DEAL_LIST_SIZE = 10;

/** Why a deal was lost: the short list the lost form offers. */
export const LOST_REASONS = ["price", "competitor", "no_budget", "no_decision", "timing", "other"] as const;
export type LostReason = (typeof LOST_REASONS)[number];

export interface DealTerms {
  title: string;
  amount: Decimal;
  currency: string;
  expectedCloseAt: Date | null;
}

/** The pipeline as the admin set it, else the defaults (read per request: it changes rarely and the table is tiny). */
export async function loadPipeline(deps: ServiceDeps): Promise<Pipeline> {
  const stored = await deps.store.deals.stages();
  if (stored.length === 0) return new Pipeline(DEFAULT_OPEN_STAGES);
  return new Pipeline(stored.map((s) => ({ key: s.key, names: { en: s.nameEn, "zh-CN": s.nameZh }, probability: s.probability })));
}

function money(deps: ServiceDeps, amount: Decimal, currency: string): { amount: string; currency: string; baseAmount: string; rateToBase: string } {
  const rate = rateOf(deps, currency);
  return { amount: amount.toFixed(), currency, baseAmount: toBase(amount, new Decimal(rate)).toFixed(2), rateToBase: rate };
}

/** A new deal in the first open stage, owned and made by the rep, its amount converted as orders are. */
export async function addDeal(deps: ServiceDeps, rep: Rep, customer: CustomerSummary, terms: DealTerms): Promise<{ deal: StoredDeal; pipeline: Pipeline }> {
  const pipeline = await loadPipeline(deps);
  const now = deps.now();
  const deal = await deps.store.transaction(async (tx) => {
    const made = await tx.deals.add({
      customerId: customer.id, ownerId: rep.id, createdById: rep.id, title: terms.title, ...money(deps, terms.amount, terms.currency),
      stage: pipeline.first.key, expectedCloseAt: terms.expectedCloseAt, at: now,
    });
    await tx.audit.write({ actorId: rep.id, action: "deal.create", entityId: made.id, customerIds: [customer.id], detail: { stage: made.stage, amount: made.amount, currency: made.currency } });
    return made;
  });
  return { deal, pipeline };
}

/** A list of deals names their customers: audited as a customer.list read, like every list answer. */
export async function listDeals(deps: ServiceDeps, viewer: Rep, filter: DealFilter): Promise<{ deals: ListedDeal[]; total: number; pipeline: Pipeline }> {
  const [listed, pipeline] = await Promise.all([deps.store.deals.list(filter, DEAL_LIST_SIZE), loadPipeline(deps)]);
  await recordListed(deps.store, viewer, "deals", [...new Set(listed.deals.map((d) => d.customerId))], "rep", { deals: listed.deals.length });
  return { ...listed, pipeline };
}

export async function getDeal(deps: ServiceDeps, id: string): Promise<{ deal: ListedDeal; pipeline: Pipeline } | null> {
  const [deal, pipeline] = await Promise.all([deps.store.deals.view(id), loadPipeline(deps)]);
  return deal ? { deal, pipeline } : null;
}

/**
 * A live deal the rep may change: its owner and maker, whoever answers for its owner or for its
 * customer's owner (domain/access/write-rights.ts). Gone: NOT_FOUND; not theirs: FORBIDDEN.
 */
async function changeable(deps: ServiceDeps, rep: Rep, id: string): Promise<ListedDeal> {
  const deal = await deps.store.deals.view(id);
  if (!deal) throw new AppError("NOT_FOUND", "deal.gone");
  const allowed = mayChange(rep, { ownerId: deal.ownerId, authorId: deal.createdById }) || (deal.customerOwnerId !== null && mayChange(rep, { ownerId: deal.customerOwnerId }));
  if (!allowed) throw new AppError("FORBIDDEN", "deal.notYours", { owner: deal.ownerName ?? "" });
  return deal;
}

export type MoveResult =
  | { kind: "moved"; from: Stage; to: Stage; deal: ListedDeal; pipeline: Pipeline }
  /** The deal is in that stage already (a second press). */
  | { kind: "unchanged"; deal: ListedDeal; pipeline: Pipeline };

/** Moves a deal to a stage of the pipeline, with its deal_stage_changes row and an audit row. */
export async function moveDeal(deps: ServiceDeps, rep: Rep, input: { dealId: string; to: string; lost?: { reason: LostReason; note: string | null } }): Promise<MoveResult> {
  const [deal, pipeline] = await Promise.all([changeable(deps, rep, input.dealId), loadPipeline(deps)]);
  const to = pipeline.stage(input.to);
  if (!to) throw new AppError("INVALID_INPUT", "deal.unknownStage", { stage: input.to, stages: pipeline.stages.map((s) => s.key).join(", ") });
  if (to.outcome === "lost" && !input.lost) throw new AppError("INVALID_INPUT", "deal.lostReasonMissing");
  const now = deps.now();
  const moved = await deps.store.transaction(async (tx) => {
    const result = await tx.deals.move({ dealId: deal.id, to: to.key, outcome: to.outcome ?? null, byId: rep.id, at: now, ...(to.outcome === "lost" && input.lost ? { lost: input.lost } : {}) });
    if (result) {
      await tx.audit.write({
        actorId: rep.id, action: "deal.move", entityId: deal.id, customerIds: [deal.customerId],
        detail: { before: { stage: result.from }, after: { stage: to.key }, ...(input.lost && to.outcome === "lost" ? { reason: input.lost.reason } : {}) },
      });
    }
    return result;
  });
  const fresh = (await deps.store.deals.view(deal.id)) ?? deal;
  if (!moved) return { kind: "unchanged", deal: fresh, pipeline };
  const from = pipeline.stage(moved.from) ?? { key: moved.from, names: { en: moved.from, "zh-CN": moved.from }, probability: 0 };
  return { kind: "moved", from, to, deal: fresh, pipeline };
}

/** Changes a deal's title, amount, currency and expected close; audited with what changed. */
export async function editDeal(deps: ServiceDeps, rep: Rep, dealId: string, terms: DealTerms): Promise<ListedDeal> {
  const deal = await changeable(deps, rep, dealId);
  const now = deps.now();
  await deps.store.transaction(async (tx) => {
    const edited = await tx.deals.edit(deal.id, { title: terms.title, expectedCloseAt: terms.expectedCloseAt, ...money(deps, terms.amount, terms.currency) }, now);
    if (!edited) throw new AppError("NOT_FOUND", "deal.gone");
    const fields = (["title", "amount", "currency", "expectedCloseAt"] as const).filter((f) =>
      f === "amount" ? !new Decimal(deal.amount ?? "0").eq(terms.amount) : f === "expectedCloseAt" ? deal.expectedCloseAt?.getTime() !== terms.expectedCloseAt?.getTime() : deal[f] !== terms[f],
    );
    await tx.audit.write({
      actorId: rep.id, action: "deal.edit", entityId: deal.id, customerIds: [deal.customerId],
      // Titles may name people: the audit row says a title changed, never what it says.
      detail: { fields, before: { amount: deal.amount, currency: deal.currency, expectedCloseAt: deal.expectedCloseAt?.toISOString() ?? null }, after: { amount: terms.amount.toFixed(), currency: terms.currency, expectedCloseAt: terms.expectedCloseAt?.toISOString() ?? null } },
    });
  });
  return (await deps.store.deals.view(deal.id))!;
}

/** Soft-deletes a deal, audited; false when it was deleted already (a second press). */
export async function deleteDeal(deps: ServiceDeps, rep: Rep, dealId: string): Promise<{ deleted: boolean; deal: ListedDeal | null }> {
  const deal = await deps.store.deals.view(dealId);
  if (!deal) return { deleted: false, deal: null };
  await changeable(deps, rep, dealId);
  const deleted = await deps.store.transaction(async (tx) => {
    const done = await tx.deals.softDelete(deal.id, deps.now());
    if (done) await tx.audit.write({ actorId: rep.id, action: "deal.delete", entityId: deal.id, customerIds: [deal.customerId], detail: { stage: deal.stage } });
    return done;
  });
  return { deleted, deal };
}

/** The id of the order a won deal records: the same for every press, so it is recorded once. */
export function orderIdOfDeal(dealId: string): string {
  const hex = createHash("sha256").update(`deal-order:${dealId}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Records the order of a won deal: its customer, amount and currency, now; once however often it is asked. */
export async function recordDealOrder(deps: ServiceDeps, rep: Rep, dealId: string): Promise<{ order: RecordedOrder; deal: ListedDeal; customer: CustomerSummary }> {
  // Whoever may change the deal may record its order (the same rights as winning it).
  const deal = await changeable(deps, rep, dealId);
  if (deal.stage !== "won") throw new AppError("INVALID_INPUT", "deal.notWon");
  if (deal.amount === null || deal.currency === null) throw new AppError("INVALID_INPUT", "deal.noAmount");
  const customer = await deps.store.customers.getSummary(deal.customerId);
  if (!customer) throw new AppError("NOT_FOUND", "customer.gone");
  const order = await recordOrder(deps, rep, { id: orderIdOfDeal(deal.id), customer, amount: new Decimal(deal.amount), currency: deal.currency, product: deal.title, orderedAt: deps.now() });
  return { order, deal, customer };
}

/** openStagesSchema's problems as the admin reads them; any other (a name empty or too long) is deal.stages.badName. */
const STAGE_PROBLEMS: Readonly<Record<string, string>> = {
  "pipeline.stage.key": "deal.stages.badKey",
  "pipeline.stage.probability": "deal.stages.badProbability",
  "pipeline.stages.none": "deal.stages.usage",
  "pipeline.stages.tooMany": "deal.stages.tooMany",
  "pipeline.stage.duplicate": "deal.stages.duplicate",
  "pipeline.stage.falling": "deal.stages.falling",
};

/** Sets the open stages (admins); a stage that still holds open deals cannot be dropped. */
export async function setPipelineStages(deps: ServiceDeps, admin: Rep, stages: readonly Stage[]): Promise<Pipeline> {
  if (admin.role !== "ADMIN") throw new AppError("FORBIDDEN", "deal.stages.adminOnly");
  const checked = openStagesSchema.safeParse(stages.map(({ key, names, probability }) => ({ key, names, probability })));
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    const at = typeof issue.path[0] === "number" ? issue.path[0] : 0;
    throw new AppError("INVALID_INPUT", STAGE_PROBLEMS[issue.message] ?? "deal.stages.badName", { position: at + 1, max: MAX_OPEN_STAGES, key: stages[at]?.key ?? "" });
  }
  const kept = new Set(checked.data.map((s) => s.key));
  const counts = await deps.store.deals.openStageCounts();
  const dropped = [...counts.entries()].filter(([key]) => !kept.has(key) && key !== "won" && key !== "lost");
  if (dropped.length > 0) throw new AppError("INVALID_INPUT", "deal.stages.inUse", { stages: dropped.map(([k, n]) => `${k} (${n})`).join(", ") });
  const now = deps.now();
  await deps.store.transaction(async (tx) => {
    await tx.deals.replaceStages(checked.data.map((s) => ({ key: s.key, nameEn: s.names.en, nameZh: s.names["zh-CN"], probability: s.probability })), now);
    await tx.audit.write({ actorId: admin.id, action: "pipeline.stages", entityId: null, detail: { stages: checked.data.map((s) => `${s.key}:${s.probability}`) } });
  });
  return loadPipeline(deps);
}
