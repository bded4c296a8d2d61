import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The fault suite starts servers of its own and takes minutes: `npm run test:faults`.
    exclude: [...configDefaults.exclude, "test/faults/**"],
    globalSetup: ["test/support/global-setup.ts"],
    // Each file gets its own database from a migrated template, so files run in parallel.
    pool: "forks",
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
