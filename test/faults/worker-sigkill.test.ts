import { describe, it } from "vitest";
import { sleep } from "./harness.js";
import { midBurst, scenario, useFaultSite } from "./scenario.js";

/**
 * The worker killed mid-burst. A DM it was sending stays SENDING until the sweep takes it over
 * (two minutes), so this is the suite's longest scenario: a file of its own, beside the others.
 */
const site = useFaultSite();

describe("reminders when a worker is killed", () => {
  it("worker SIGKILL mid-burst, then a new worker", async () => {
    await scenario(site, "worker SIGKILL", {}, async (w) => {
      await midBurst(w);
      await w.workers[0]!.signal("SIGKILL");
      await sleep(2_000);
      await w.startWorker();
    });
  });
});
