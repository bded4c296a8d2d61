/**
 * Satisfaction measures from answer counts per score, defined once for the card, /crm csat,
 * reports and the digest. Every measure is null when there is nothing to measure, so a view can
 * say "no answers" instead of showing a misleading 0.
 */
export type ScoreCounts = Readonly<Record<number, number>>;

function total(counts: ScoreCounts, keep: (score: number) => boolean = () => true): number {
  return Object.entries(counts).reduce((sum, [score, n]) => (keep(Number(score)) ? sum + n : sum), 0);
}

/** Share of CSAT answers that are 4 or 5 ("satisfied"), as a percentage. */
export function csatPercent(counts: ScoreCounts): number | null {
  const all = total(counts);
  return all === 0 ? null : (100 * total(counts, (s) => s >= 4)) / all;
}

export function averageScore(counts: ScoreCounts): number | null {
  const all = total(counts);
  if (all === 0) return null;
  return Object.entries(counts).reduce((sum, [score, n]) => sum + Number(score) * n, 0) / all;
}

/** Net Promoter Score: % promoters (9-10) minus % detractors (0-6), from -100 to 100. */
export function netPromoterScore(counts: ScoreCounts): number | null {
  const all = total(counts);
  if (all === 0) return null;
  return (100 * (total(counts, (s) => s >= 9) - total(counts, (s) => s <= 6))) / all;
}

/** Answered share of the surveys that reached a customer, as a percentage. */
export function responseRate(asked: number, answered: number): number | null {
  return asked === 0 ? null : (100 * answered) / asked;
}

export function answerCount(counts: ScoreCounts): number {
  return total(counts);
}
