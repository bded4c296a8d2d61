import {
  averageOrderValue, conversionRate, firstResponse, purchaseFrequency, repeatRate, type FirstResponse,
} from "../../domain/measures.js";
import { reportSpans, TREND_STEP, trendBuckets, type ReportKind, type ReportWhich, type Span, type TrendStep } from "../../domain/time/report-spans.js";
import { CHANNELS } from "../../domain/interaction-channel.js";
import type { ChannelCounts } from "../../store/index.js";
import { emptyChannelCounts } from "../../store/index.js";
import type { ServiceDeps } from "../deps.js";
import { getSurveyStats, type SurveyStats } from "../surveys/get-survey-stats.js";
import { getPipelineClosed, type ClosedLine } from "../deals/pipeline-figures.js";

export interface TrendPoint {
  /** 1-based position in the period (day 3, week 2, month 11). */
  position: number;
  /** The local date the bucket starts on. */
  date: string;
  revenue: number;
  orders: number;
}

/** Every measure of one period (domain/measures.ts says what each one is). */
export interface PeriodFigures {
  span: Span;
  revenue: number;
  orders: number;
  averageOrderValue: number | null;
  buyers: number;
  purchaseFrequency: number | null;
  repeatRate: number | null;
  newLeads: number;
  newCustomers: number;
  conversionRate: number | null;
  interactions: ChannelCounts;
  interactionTotal: number;
  firstResponse: FirstResponse;
  satisfaction: SurveyStats;
  trend: TrendPoint[];
  /** Deals won and lost in the span (by when they closed), the whole team's, and the win rate. */
  pipeline: ClosedLine;
}

export interface Report {
  kind: ReportKind;
  which: ReportWhich;
  step: TrendStep;
  timeZone: string;
  currency: string;
  current: PeriodFigures;
  previous: PeriodFigures;
}

/**
 * A report: the current calendar period up to now against the previous one over the same
 * elapsed span ("current"), or the last complete period against the one before ("last"), in the
 * reader's time zone (domain/time/report-spans.ts). Everything is counted in Postgres; both periods
 * and the trend's buckets go to each query together.
 */
export async function getReport(deps: ServiceDeps, kind: ReportKind, which: ReportWhich, where: { timeZone: string; now?: Date }): Promise<Report> {
  const now = where.now ?? deps.now();
  const spans = reportSpans(kind, which, now, where.timeZone);
  const step = TREND_STEP[kind];
  const buckets = [trendBuckets(step, spans.current, where.timeZone, spans.currentPeriod.to), trendBuckets(step, spans.previous, where.timeZone, spans.previousPeriod.to)] as const;
  const periods = [spans.current, spans.previous];
  const { analytics } = deps.store;
  // The buckets partition each span, so a period's orders are the sum of its trend.
  const [totals, channels, waits, activity, satisfaction, pipeline] = await Promise.all([
    analytics.orderTotals([...buckets[0], ...buckets[1]]),
    analytics.interactionCounts(periods),
    analytics.waitCounts(periods),
    analytics.customerActivity(periods),
    Promise.all(periods.map((p) => getSurveyStats(deps, p))),
    getPipelineClosed(deps, periods),
  ]);
  const figures = (k: 0 | 1): PeriodFigures => {
    const offset = k === 0 ? 0 : buckets[0].length;
    const trend = buckets[k].map((b, j) => ({ position: b.position, date: b.date, revenue: totals[offset + j]?.revenue ?? 0, orders: totals[offset + j]?.orders ?? 0 }));
    const revenue = trend.reduce((sum, t) => sum + t.revenue, 0);
    const orders = trend.reduce((sum, t) => sum + t.orders, 0);
    const a = activity[k] ?? { buyers: 0, repeatBuyers: 0, newCustomers: 0, newLeads: 0, openLeads: 0, convertedLeads: 0 };
    const interactions = channels[k] ?? emptyChannelCounts();
    return {
      span: periods[k]!,
      revenue,
      orders,
      averageOrderValue: averageOrderValue(revenue, orders),
      buyers: a.buyers,
      purchaseFrequency: purchaseFrequency(orders, a.buyers),
      repeatRate: repeatRate(a.repeatBuyers, a.buyers),
      newLeads: a.newLeads,
      newCustomers: a.newCustomers,
      conversionRate: conversionRate(a.convertedLeads, a.openLeads),
      interactions,
      interactionTotal: CHANNELS.reduce((sum, c) => sum + interactions[c], 0),
      firstResponse: firstResponse(waits[k] ?? { waits: 0, answered: 0, answeredWithinTarget: 0, histogram: new Map() }),
      satisfaction: satisfaction[k]!,
      trend,
      pipeline: pipeline[k]!,
    };
  };
  return { kind, which, step, timeZone: where.timeZone, currency: deps.settings.baseCurrency, current: figures(0), previous: figures(1) };
}
