import { describe, expect, it } from "vitest";
import { createCore } from "../../src/core/index.js";
import { createServices } from "../../src/services/index.js";
import { createPrisma, createStore } from "../../src/store/index.js";
import { actor, testServiceDeps, textOf } from "../support/core.js";

describe("when Postgres is away", () => {
  it("answers in the rep's language that the CRM is unreachable and nothing changed, and reports it", async () => {
    const store = createStore(createPrisma({ url: "postgresql://postgres@127.0.0.1:1/none", connectionTimeoutMs: 500 }));
    const handled: string[] = [];
    const failed: string[] = [];
    const core = createCore({
      services: createServices(testServiceDeps(store)),
      defaultLocale: "en",
      defaultTimezone: "Asia/Shanghai",
      observer: { handled: (name, outcome) => handled.push(`${name}:${outcome}`), failed: (name) => failed.push(name) },
    });
    try {
      const outcome = await core.handle({ type: "command", actor: actor("U1"), command: "customer", text: "add Acme" });
      expect(textOf(outcome)).toContain("The CRM is not reachable right now, so nothing was changed.");
      const zh = await core.handle({ type: "command", actor: actor("U2", { locale: "zh-CN" }), command: "top", text: "" });
      expect(textOf(zh)).toContain("CRM 暂时无法连接");
      expect(handled).toEqual(["customer:unavailable", "top:unavailable"]);
      expect(failed).toEqual(["customer", "top"]);
    } finally {
      await store.close();
    }
  });
});
