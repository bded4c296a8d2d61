import { randomUUID } from "node:crypto";
import type { Rep } from "../../store/index.js";
import type { ServiceDeps } from "../deps.js";
import { deliveriesNow, scheduleAfterCommit } from "../delivery/schedule-after-commit.js";

/** How long a finished Home publish stays in the outbox (for /crm outbox and a look at a failure). */
export const HOME_PUBLISH_KEPT_MS = 24 * 3_600_000;

/** Platforms with a Home the bot publishes (Slack's App Home tab). */
const HOME_PLATFORMS: ReadonlySet<string> = new Set(["slack"]);

/**
 * Asks for the rep's Home to be published again (they opened it, or pressed a button on it).
 * It goes through the outbox like every message: a row, delivered by a job, rendered when it is
 * delivered; a row still waiting stands for any number of requests, and the outbox spaces one
 * rep's publishes (services/delivery/deliver-outbox.ts), so a burst of presses is one publish
 * now and at most one more after the interval. False where the platform has no Home.
 */
export async function requestHomePublish(deps: ServiceDeps, rep: Rep): Promise<boolean> {
  if (!HOME_PLATFORMS.has(rep.platform)) return false;
  const row = await deps.store.transaction((tx) =>
    tx.home.enqueuePublish({ repId: rep.id, platform: rep.platform, destination: rep.externalId, at: deps.now(), dedupeKey: `home:${rep.id}:${randomUUID()}` }),
  );
  if (row.created) await scheduleAfterCommit(deps, deliveriesNow(deps, [row.id]));
  return true;
}

/**
 * The daily housekeeping's part for the Home: finished publishes older than a day go, in
 * batches, so the outbox does not grow by a row per open of the tab.
 */
export async function dropFinishedHomePublishes(deps: ServiceDeps, batch = 10_000): Promise<number> {
  const before = new Date(deps.now().getTime() - HOME_PUBLISH_KEPT_MS);
  let dropped = 0;
  for (;;) {
    const n = await deps.store.home.dropFinishedPublishes(before, batch);
    dropped += n;
    if (n < batch) return dropped;
  }
}
