import { describe, it } from "vitest";
import { sleep } from "./harness.js";
import { midBurst, scenario, useFaultSite } from "./scenario.js";

/** Redis away for two minutes mid-burst (killed, its AOF kept), then back on the same port. */
const site = useFaultSite();

describe("reminders across a long Redis outage", () => {
  it("Redis down 2 minutes", async () => {
    await scenario(site, "Redis down 2 min", { persistence: "aof" }, async (w) => {
      await midBurst(w);
      await w.redis.kill();
      await sleep(120_000);
      await w.redis.start();
    });
  });
});
