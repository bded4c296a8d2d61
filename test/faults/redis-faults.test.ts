import { describe, it } from "vitest";
import { sleep } from "./harness.js";
import { midBurst, scenario, useFaultSite } from "./scenario.js";

/** Redis losing its data, or gone a while, while reminders fall due: Postgres is the record. */
const site = useFaultSite();

describe("reminders when Redis loses its data", () => {
  it("Redis FLUSHALL mid-burst", async () => {
    await scenario(site, "Redis FLUSHALL", {}, async (w) => {
      await midBurst(w);
      await w.redis.command("FLUSHALL");
    });
  });

  it("Redis without persistence killed mid-burst and restarted", async () => {
    await scenario(site, "Redis killed, no persistence", { persistence: "none" }, async (w) => {
      await midBurst(w);
      await w.redis.kill();
      await sleep(3_000);
      await w.redis.start();
    });
  });
});
