import { defineConfig } from "vitest/config";

/**
 * The fault suite (`npm run test:faults`): servers of its own, the bot as separate processes.
 * Files run side by side, each with its own Postgres cluster (copied from one migrated in
 * global setup) and its own Redis servers; the scenarios in a file run one after another. Most
 * of a scenario is waiting (for due times, outages, recovery sweeps), so four at once fit two
 * cores; pass/fail counts losses and duplicates only, never lateness.
 */
export default defineConfig({
  test: {
    include: ["test/faults/**/*.test.ts"],
    globalSetup: ["test/faults/global-setup.ts"],
    pool: "forks",
    fileParallelism: true,
    maxWorkers: 4,
    testTimeout: 600_000,
    hookTimeout: 240_000,
  },
});
