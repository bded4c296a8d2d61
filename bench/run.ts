/** `npm run bench`: every benchmark in turn; each prints its report and writes it under bench/. */
import { execFileSync } from "node:child_process";

for (const script of ["bench/card-lookup.ts", "bench/name-matcher.ts", "bench/reminder-lateness.ts", "bench/wechat-burst.ts", "bench/analytics.ts", "bench/duplicates.ts", "bench/encryption-cost.ts", "bench/audit-overhead.ts", "bench/import.ts", "bench/export.ts"]) {
  execFileSync("npx", ["tsx", script], { stdio: "inherit", env: process.env });
}
