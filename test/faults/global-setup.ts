import type { TestProject } from "vitest/node";
import { OwnPostgres, removeRoot, suiteRoot } from "./harness.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** A stopped, migrated Postgres data directory that each fault file copies into a cluster of its own. */
    faultsPostgresTemplate: string;
  }
}

/**
 * Runs the migrations once for the whole fault suite: each file then copies the data directory
 * (see OwnPostgres.copyOf), so files run side by side and a file that stops its Postgres stops
 * nobody else's.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = suiteRoot();
  const template = new OwnPostgres(root);
  await template.init();
  await template.stop("fast");
  project.provide("faultsPostgresTemplate", template.dir);
  return async () => removeRoot(root);
}
