import { describe, expect, it } from "vitest";
import type { FakeSlackApi } from "../fakes/fake-slack-api.js";
import { markRefused } from "./load.js";
import { midBurst, scenario, useFaultSite } from "./scenario.js";

/** Slack limiting and failing mid-burst: a 429 is a wait, not a failed attempt. */
const site = useFaultSite();

describe("reminders when Slack limits and fails", () => {
  it("Slack 429 storm (honest Retry-After), then 500s", async () => {
    type Answer = FakeSlackApi["overrides"] extends Map<string, infer A> ? A : never;
    let storm: Answer = [];
    await scenario(site, "Slack 429 storm then 500s", {}, async (w) => {
      await midBurst(w, 0.1);
      storm = [
        ...Array.from({ length: 40 }, () => ({ status: 429, headers: { "retry-after": "2" }, body: { ok: false, error: "ratelimited" }, when: markRefused })),
        ...Array.from({ length: 30 }, () => ({ status: 500, body: { ok: false, error: "internal_error" }, when: markRefused })),
      ];
      w.slack.overrides.set("chat.postMessage", storm);
    });
    // Every scripted refusal was answered to some delivery.
    expect(storm).toHaveLength(0);
  });
});
