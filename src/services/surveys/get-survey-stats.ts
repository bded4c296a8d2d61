import { answerCount, averageScore, csatPercent, netPromoterScore, responseRate } from "../../domain/surveys/satisfaction.js";
import type { ServiceDeps } from "../deps.js";

export interface SurveyStats {
  csat: { answers: number; percent: number | null; average: number | null; distribution: Record<number, number> };
  nps: { answers: number; score: number | null; distribution: Record<number, number> };
  /** Surveys that reached a customer in the period, and how many of them were answered. */
  asked: number;
  answered: number;
  responseRate: number | null;
}

/** CSAT %, average, NPS, response rate and distributions for [from, to), counted in Postgres. */
export async function getSurveyStats(deps: ServiceDeps, period: { from: Date; to: Date }): Promise<SurveyStats> {
  const rows = await deps.store.surveys.stats(period.from, period.to);
  const csat = rows.find((r) => r.kind === "CSAT") ?? { asked: 0, answered: 0, distribution: {} };
  const nps = rows.find((r) => r.kind === "NPS") ?? { asked: 0, answered: 0, distribution: {} };
  const asked = csat.asked + nps.asked;
  const answered = csat.answered + nps.answered;
  return {
    csat: { answers: answerCount(csat.distribution), percent: csatPercent(csat.distribution), average: averageScore(csat.distribution), distribution: csat.distribution },
    nps: { answers: answerCount(nps.distribution), score: netPromoterScore(nps.distribution), distribution: nps.distribution },
    asked,
    answered,
    responseRate: responseRate(asked, answered),
  };
}
