import { describe, it } from "vitest";
import { sleep } from "./harness.js";
import { midBurst, scenario, useFaultSite } from "./scenario.js";

/** Postgres stopped mid-burst: jobs that ran out of attempts meanwhile are taken up again. */
const site = useFaultSite();

describe("reminders when Postgres goes away", () => {
  it("Postgres stopped 30 s mid-burst", async () => {
    await scenario(site, "Postgres down 30 s", {}, async (w) => {
      await midBurst(w);
      await site.postgres.stop("fast");
      await sleep(30_000);
      await site.postgres.start();
    });
  });
});
