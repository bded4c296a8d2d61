/**
 * One line per goal for the summary table `npm run bench` writes to the top of bench/RESULTS.md.
 * bench/run.ts points BENCH_SUMMARY at a JSON-lines file and reads it after each benchmark; run on
 * its own, a benchmark only prints its rows.
 */
import { appendFileSync } from "node:fs";

export interface SummaryRow {
  /** What was measured ("/report yearly p95", "WeChat pushes, 16 concurrent"). */
  path: string;
  /** The floor's figure in the same run, with its unit ("31 ms"), or "" when the goal is absolute. */
  floor: string;
  bot: string;
  /** Bot over floor (or floor over bot for throughput), NaN when there is no floor. */
  ratio: number;
  /** The goal in words ("≤ 1.2× floor", "p95 < 100 ms"). */
  goal: string;
  met: boolean;
}

export function reportSummary(script: string, row: SummaryRow): void {
  const line = JSON.stringify({ script, ...row });
  console.log(`summary: ${line}`);
  if (process.env.BENCH_SUMMARY) appendFileSync(process.env.BENCH_SUMMARY, line + "\n");
}
