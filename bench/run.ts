/**
 * `npm run bench`: every benchmark in turn, or only those named (`npm run bench -- analytics
 * wechat-burst`); each prints its report and writes it under bench/. Benchmarks with goals report
 * rows (bench/support/summary.ts) that land in a summary table between the markers at the top of
 * bench/RESULTS.md; the detailed sections below it are kept. Sizes: see README ("Benchmarks") for
 * the BENCH_* knobs of each script.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { SummaryRow } from "./support/summary.js";

const ALL = ["card-lookup", "card-round-trips", "name-matcher", "reminder-lateness", "wechat-burst", "inbox-burst", "analytics", "duplicates", "encryption-cost", "audit-overhead", "import", "export"];
const RESULTS = "bench/RESULTS.md";
const START = "<!-- summary:start -->";
const END = "<!-- summary:end -->";

const asked = process.argv.slice(2).map((name) => name.replace(/^bench\//, "").replace(/\.ts$/, ""));
const unknown = asked.filter((name) => !existsSync(`bench/${name}.ts`));
if (unknown.length > 0) {
  console.error(`No benchmark ${unknown.join(", ")}; there are: ${ALL.join(", ")}`);
  process.exit(2);
}
const scripts = (asked.length > 0 ? asked : ALL).filter((name) => existsSync(`bench/${name}.ts`));
const summaryFile = join(mkdtempSync(join(tmpdir(), "crm-bench-")), "summary.jsonl");
writeFileSync(summaryFile, "");

const loadAtStart = loadavg()[0]!;
const failed: string[] = [];
for (const name of scripts) {
  console.log(`\n=== bench/${name}.ts ===`);
  try {
    execFileSync("npx", ["tsx", `bench/${name}.ts`], { stdio: "inherit", env: { ...process.env, BENCH_SUMMARY: summaryFile } });
  } catch {
    failed.push(name);
  }
}

type Row = SummaryRow & { script: string };
const rows = readFileSync(summaryFile, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as Row);
const fmtRatio = (r: number | null): string => (r === null || !Number.isFinite(r) ? "" : `${r.toFixed(2)}×`);
const bench = (script: string): string => `\`${script}\``;
const lines = [
  ...rows.map((r) => `| ${bench(r.script)} | ${r.path} | ${r.floor} | ${r.bot} | ${fmtRatio(r.ratio)} | ${r.goal} | ${r.met ? "yes" : "**no**"} |`),
  ...failed.map((name) => `| ${bench(name)} | | | failed | | | **no** |`),
];
// A partial run keeps the rows of the benchmarks it did not run.
const current = readFileSync(RESULTS, "utf8");
const begin = current.indexOf(START);
const finish = current.indexOf(END);
if (asked.length > 0 && begin >= 0 && finish > begin) {
  const old = current.slice(begin, finish).split("\n").filter((line) => /^\| `[^`]+` \|/.test(line));
  lines.unshift(...old.filter((line) => !scripts.some((name) => line.startsWith(`| ${bench(name)} |`))));
}
const merged = [
  START,
  `## Summary (${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, \`npm run bench${asked.length > 0 ? ` -- ${asked.join(" ")}` : ""}\`, load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end, 2 cores)`,
  "",
  "| bench | path | floor | bot | ratio | goal | met? |",
  "| --- | --- | ---: | ---: | ---: | --- | --- |",
  ...lines,
  "",
  "Floor and bot run interleaved in the same run, medians of several rounds; each benchmark's section below has the rounds with the load average beside each. A partial run (`npm run bench -- <name>`) replaces only its benchmarks' rows.",
  END,
].join("\n");
let next: string;
if (begin >= 0 && finish > begin) next = current.slice(0, begin) + merged + current.slice(finish + END.length);
else {
  // After the title and its paragraph, before the first section.
  const firstSection = current.indexOf("\n### ");
  next = firstSection >= 0 ? `${current.slice(0, firstSection)}\n${merged}\n${current.slice(firstSection)}` : `${current}\n${merged}\n`;
}
writeFileSync(RESULTS, next);
console.log(`\n${merged}`);
if (failed.length > 0) {
  console.error(`Failed: ${failed.join(", ")}`);
  process.exit(1);
}
