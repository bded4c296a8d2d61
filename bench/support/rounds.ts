/**
 * Floor and bot measured in the same run: interleaved (the order flips every round so neither
 * always runs on a warmer machine), several rounds, medians, with the load average beside each
 * round because the machine is shared and noisy. Every benchmark that states a ratio uses this.
 */
import { loadavg } from "node:os";

/** One contender's figures from one round, by metric name (ms, msg/s, ...). */
export type Figures = Record<string, number>;

export interface Round {
  round: number;
  contender: string;
  /** The one-minute load average just before the contender ran. */
  load: number;
  figures: Figures;
}

export interface RoundsReport {
  rounds: Round[];
  /** Median of each metric per contender. */
  medians: Record<string, Figures>;
}

export const median = (values: number[]): number => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Runs every contender once per round, in alternating order, and returns all rounds and the medians. */
export async function interleavedRounds(
  contenders: Record<string, () => Promise<Figures>>,
  options: { rounds?: number; log?: (line: string) => void } = {},
): Promise<RoundsReport> {
  const rounds = options.rounds ?? 3;
  const log = options.log ?? ((line: string) => console.log(line));
  const names = Object.keys(contenders);
  const all: Round[] = [];
  for (let r = 1; r <= rounds; r++) {
    const order = r % 2 ? names : [...names].reverse();
    for (const name of order) {
      const load = loadavg()[0]!;
      const figures = await contenders[name]!();
      all.push({ round: r, contender: name, load, figures });
      log(`round ${r} ${name} (load ${load.toFixed(2)}): ${Object.entries(figures).map(([k, v]) => `${k} ${fmt(v)}`).join(", ")}`);
    }
  }
  const medians: Record<string, Figures> = {};
  for (const name of names) {
    const mine = all.filter((x) => x.contender === name);
    const metrics = new Set(mine.flatMap((x) => Object.keys(x.figures)));
    medians[name] = Object.fromEntries([...metrics].map((m) => [m, median(mine.map((x) => x.figures[m]!).filter((v) => v !== undefined))]));
  }
  return { rounds: all, medians };
}

const fmt = (v: number): string => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));

/** The rounds as a Markdown table: one row per round and contender, load average beside each. */
export function roundsTable(report: RoundsReport): string {
  const metrics = [...new Set(report.rounds.flatMap((r) => Object.keys(r.figures)))];
  const head = `| round | contender | load | ${metrics.join(" | ")} |\n|---|---|---|${metrics.map(() => "---|").join("")}`;
  const rows = report.rounds.map((r) => `| ${r.round} | ${r.contender} | ${r.load.toFixed(2)} | ${metrics.map((m) => (r.figures[m] === undefined ? "" : fmt(r.figures[m]))).join(" | ")} |`);
  const medianRows = Object.entries(report.medians).map(([name, f]) => `| median | ${name} | | ${metrics.map((m) => (f[m] === undefined ? "" : fmt(f[m]))).join(" | ")} |`);
  return [head, ...rows, ...medianRows].join("\n");
}

/** How many times worse the bot is than the floor on a metric (higher-is-better metrics are inverted). */
export function ratio(report: RoundsReport, bot: string, floor: string, metric: string, higherIsBetter = false): number {
  const b = report.medians[bot]?.[metric];
  const f = report.medians[floor]?.[metric];
  if (b === undefined || f === undefined) return NaN;
  return higherIsBetter ? f / b : b / f;
}
