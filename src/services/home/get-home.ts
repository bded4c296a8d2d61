import { Decimal } from "decimal.js";
import { openByStage, weightedValue, type DealFacts, type StageFigures } from "../../domain/deals/deal-measures.js";
import { Pipeline, type Stage } from "../../domain/deals/pipeline.js";
import { addDays, dateInZone, instantOfLocalTime } from "../../domain/time/calendar-date.js";
import type { AtRiskCustomer, Rep, ReminderView, WaitingConversation } from "../../store/index.js";
import type { ServiceDeps } from "../deps.js";

/** How many items each list of the Home shows; the rest are counted (Slack's Home holds 100 blocks). */
export const HOME_LIST_SIZE = 8;

export interface HomeView {
  /** The end of the rep's local today: reminders due before it are shown. */
  todayEnds: Date;
  reminders: { items: ReminderView[]; total: number };
  atRisk: { items: AtRiskCustomer[]; total: number };
  deals: {
    /** Every open stage of the pipeline, in order, with the rep's open deals in it. */
    stages: (StageFigures & { names: Stage["names"]; probability: number })[];
    count: number;
    weighted: Decimal;
    /** Open deals without an amount: counted, in no sum. */
    withoutAmount: number;
    currency: string;
  };
  waiting: { items: WaitingConversation[]; total: number };
}

/** The pipeline as an admin set it, or the default one. */
export async function currentPipeline(deps: Pick<ServiceDeps, "store">): Promise<Pipeline> {
  const rows = await deps.store.home.pipelineStages();
  if (rows.length === 0) return new Pipeline();
  return new Pipeline(rows.map((r) => ({ key: r.key, names: { en: r.nameEn, "zh-CN": r.nameZh }, probability: r.probability })));
}

/**
 * A rep's day at a glance (the Slack Home tab, the demo's /crm home): reminders due today (in
 * their zone) or overdue, their customers at risk, their open deals by stage with the weighted
 * total (src/domain/deals/deal-measures.ts), and the WeChat conversations waiting for their answer.
 */
export async function getHome(deps: ServiceDeps, rep: Rep, at: { now: Date; timezone: string }): Promise<HomeView> {
  const todayEnds = instantOfLocalTime(addDays(dateInZone(at.now, at.timezone), 1), at.timezone, 0);
  const [reminders, atRisk, deals, waiting, pipeline] = await Promise.all([
    deps.store.home.dueReminders(rep.id, todayEnds, HOME_LIST_SIZE),
    deps.store.home.atRiskCustomers(rep.id, HOME_LIST_SIZE),
    deps.store.home.openDeals(rep.id),
    deps.store.home.waitingConversations(rep.id, HOME_LIST_SIZE),
    currentPipeline(deps),
  ]);
  const facts: DealFacts[] = deals.map((d) => ({ id: d.id, createdAt: d.createdAt, stage: d.stage, baseAmount: d.baseAmount === null ? null : new Decimal(d.baseAmount), expectedCloseAt: d.expectedCloseAt, closedAt: null }));
  const stages = openByStage(facts, pipeline).map((figures) => {
    const stage = pipeline.stage(figures.stage)!;
    return { ...figures, names: stage.names, probability: stage.probability };
  });
  return {
    todayEnds,
    reminders: { items: reminders.reminders, total: reminders.total },
    atRisk: { items: atRisk.customers, total: atRisk.total },
    deals: {
      stages,
      count: stages.reduce((n, s) => n + s.count, 0),
      weighted: weightedValue(facts, pipeline),
      withoutAmount: stages.reduce((n, s) => n + s.amount.withoutAmount, 0),
      currency: deps.settings.baseCurrency,
    },
    waiting: { items: waiting.conversations, total: waiting.total },
  };
}
