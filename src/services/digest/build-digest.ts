import { addDays, instantOfLocalTime } from "../../domain/time/calendar-date.js";
import { digestDay } from "../../domain/time/digest-schedule.js";
import { CHANNELS, type Channel } from "../../domain/interaction-channel.js";
import type { LowScore, Rep, RepReminders, StageTurn } from "../../store/index.js";
import { CHANNEL_READER, maySeePrivate, withoutDetails, type Audience } from "../audience.js";
import { recordRead } from "../audit/record-read.js";
import type { ServiceDeps } from "../deps.js";
import { getSurveyStats, type SurveyStats } from "../surveys/get-survey-stats.js";
import { qualityChangeFor, type QualityChange } from "../analytics/data-quality.js";
import { getPipelineMovement, type PipelineMovement } from "../deals/pipeline-figures.js";

/** How many of each list the digest names; the rest is a count. */
const SHOWN = { remindersPerRep: 3, atRisk: 10, lowScores: 5 } as const;
const DAY_MS = 86_400_000;
/** Days in the digest's revenue chart, ending with the day it reports on. */
export const DIGEST_TREND_DAYS = 14;

export interface DayRevenue {
  revenue: number;
  orders: number;
}

export interface DigestContent {
  /** The local date reported on ("yesterday" of the run), and the run's own date. */
  day: string;
  runDate: string;
  timezone: string;
  /** The base currency every amount is in. */
  currency: string;
  newLeads: number;
  newCustomers: number;
  revenue: { day: DayRevenue; dayBefore: DayRevenue; sameWeekdayLastWeek: DayRevenue };
  interactions: { channel: Channel; count: number }[];
  /** Reminders due on the run's day, per rep. */
  reminders: RepReminders[];
  atRisk: { total: number; items: StageTurn[] };
  surveys: SurveyStats;
  /** The lowest scores (at most a few), and how many low scores there were in all. */
  lowScores: LowScore[];
  lowScoreTotal: number;
  /** Daily revenue for the chart, oldest first, ending with `day`. */
  trend: { day: string; revenue: number }[];
  /** Nothing happened and nothing is due: the digest is one line. */
  quiet: boolean;
  /** The whole pipeline's movement on the day: deals moved, won and lost, with their amounts (one line). */
  pipeline: PipelineMovement;
  /** What of the data quality got worse since an earlier digest's figures; one line when set. */
  quality?: QualityChange | null;
}

/**
 * The morning digest for the run at `runAt` in `timeZone`: what happened on the local day
 * before, and what is due on the day itself. Every figure is a measure from the analytics
 * store or a short list; nothing is computed from loaded rows.
 */
export async function buildDigest(deps: ServiceDeps, runAt: Date, timeZone: string, reader?: { viewer: Rep; audience: Audience }): Promise<DigestContent> {
  const { runDate, day, from, to } = digestDay(runAt, timeZone);
  const startOf = (date: string) => instantOfLocalTime(date, timeZone, 0, 0);
  const dayBefore = addDays(day, -1);
  const lastWeek = addDays(day, -7);
  const { analytics, digestFacts } = deps.store;
  const [[today, before, weekAgo], leads, newCustomers, [channels], reminders, atRisk, surveys, lowScores, trend, quality, pipeline] = await Promise.all([
    analytics.orderTotals([
      { from, to },
      { from: startOf(dayBefore), to: from },
      { from: startOf(lastWeek), to: startOf(addDays(lastWeek, 1)) },
    ]),
    analytics.leads({ from, to }),
    analytics.newCustomers({ from, to }),
    analytics.interactionCounts([{ from, to }]),
    digestFacts.remindersDue(to, startOf(addDays(runDate, 1)), SHOWN.remindersPerRep),
    // Turned at risk in the day before the run (the nightly scan may run at any hour in this
    // zone): consecutive daily runs cover consecutive days, so nobody is reported twice.
    digestFacts.turnedTo("AT_RISK", new Date(runAt.getTime() - DAY_MS), runAt, SHOWN.atRisk),
    getSurveyStats(deps, { from, to }),
    digestFacts.lowScores(from, to, SHOWN.lowScores),
    analytics.dailyRevenue(addDays(day, -(DIGEST_TREND_DAYS - 1)), day, timeZone),
    // Kept per run date: every digest of a day compares the same figures with an earlier day's.
    qualityChangeFor(deps, runDate),
    getPipelineMovement(deps, { from, to }),
  ]);
  const none = { orders: 0, revenue: 0 };
  const interactions = CHANNELS.map((channel) => ({ channel, count: channels?.[channel] ?? 0 })).filter((i) => i.count > 0);
  const counts = { newLeads: leads.newLeads, newCustomers };
  const quiet =
    (today?.orders ?? 0) === 0 &&
    counts.newLeads === 0 &&
    counts.newCustomers === 0 &&
    interactions.length === 0 &&
    reminders.length === 0 &&
    atRisk.total === 0 &&
    surveys.answered === 0 &&
    surveys.csat.answers + surveys.nps.answers === 0 &&
    pipeline.moved.count + pipeline.won.count + pipeline.lost.count === 0;
  // Shown to someone who asked (/digest now): the customers it names are audited as read.
  if (reader) {
    const named = [...new Set([...atRisk.items.map((i) => i.customerId), ...lowScores.items.map((s) => s.customerId)])];
    await recordRead(deps.store, reader.viewer, "digest.view", { entityId: day, customerIds: named, audience: reader.audience, detail: { day } });
  }
  const shownLowScores = await withoutPrivateDetails(deps, lowScores.items);
  return {
    day,
    runDate,
    timezone: timeZone,
    currency: deps.settings.baseCurrency,
    newLeads: counts.newLeads,
    newCustomers: counts.newCustomers,
    revenue: { day: today ?? none, dayBefore: before ?? none, sameWeekdayLastWeek: weekAgo ?? none },
    interactions,
    reminders,
    atRisk,
    surveys,
    lowScores: shownLowScores,
    lowScoreTotal: lowScores.total,
    trend: trend.map((d) => ({ day: d.date, revenue: d.revenue })),
    quiet,
    quality,
    pipeline,
  };
}

/**
 * The digest is written for a channel (it is posted into one, and /digest now can be shared):
 * a channel sees no private details (maySeePrivate), so the contacts' emails, phones and WeChat
 * ids are hidden where a customer's survey comment mentions them. (Reminders show only the
 * customers' names, never the reps' own words.)
 */
async function withoutPrivateDetails(deps: ServiceDeps, lowScores: LowScore[]): Promise<LowScore[]> {
  const ids = [...new Set(lowScores.filter((s) => s.comment && !maySeePrivate(CHANNEL_READER, null, "channel")).map((s) => s.customerId))];
  const details = new Map(await Promise.all(ids.map(async (id) => [id, await deps.store.customers.contactDetails(id)] as const)));
  return lowScores.map((s) => {
    const contacts = details.get(s.customerId);
    return s.comment && contacts ? { ...s, comment: withoutDetails(s.comment, contacts) } : s;
  });
}

