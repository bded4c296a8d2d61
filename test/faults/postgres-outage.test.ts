import { describe, it } from "vitest";
import { sleep } from "./harness.js";
import { midBurst, scenario, useFaultSite } from "./scenario.js";

/** Postgres away for two minutes mid-burst: far longer than any job's attempts last. */
const site = useFaultSite();

describe("reminders across a long Postgres outage", () => {
  it("Postgres stopped 2 minutes mid-burst", async () => {
    await scenario(site, "Postgres down 2 min", {}, async (w) => {
      await midBurst(w);
      await site.postgres.stop("fast");
      await sleep(120_000);
      await site.postgres.start();
    });
  });
});
