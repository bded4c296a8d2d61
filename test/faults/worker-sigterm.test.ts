import { describe, expect, it } from "vitest";
import { midBurst, scenario, useFaultSite } from "./scenario.js";

/** Workers stopped or competing while reminders fall due. */
const site = useFaultSite();

describe("reminders when workers stop or compete", () => {
  it("worker SIGTERM mid-burst, then a new worker", async () => {
    await scenario(site, "worker SIGTERM", {}, async (w) => {
      await midBurst(w);
      const code = await w.workers[0]!.signal("SIGTERM");
      expect(code).toBe(0);
      await w.startWorker();
    });
  });

  it("two workers competing", async () => {
    await scenario(site, "two workers", { workers: 2 }, async () => undefined);
  });
});
