import { defineConfig } from "vitest/config";

/**
 * The fault suite (`npm run test:faults`): its own Postgres cluster and Redis servers, the bot as
 * separate processes. One file at a time, one scenario at a time: the scenarios measure lateness
 * and must not compete with each other for the machine.
 */
export default defineConfig({
  test: {
    include: ["test/faults/**/*.test.ts"],
    pool: "forks",
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 420_000,
    hookTimeout: 240_000,
  },
});
