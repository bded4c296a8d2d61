import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSlackConversations } from "../../adapters/slack/conversations.js";
import { createLogger } from "../../src/logger.js";
import { FakeSlackApi } from "../fakes/fake-slack-api.js";

/**
 * The Slack side of Slack Connect: conversations.info against the fake Web API, what each answer
 * means for the core (internal, external, or unknown and whether asking again may help), and the
 * brief cache that keeps a busy channel from costing a Web API call per command.
 */
const TOKEN = "xoxb-fake-conversations-token";
let slack: FakeSlackApi;

beforeAll(async () => {
  slack = new FakeSlackApi(TOKEN);
  await slack.start();
});
afterAll(() => slack.stop());

const infoCalls = (channel: string) => slack.callsTo("conversations.info").filter((c) => c.body.channel === channel).length;
const conversations = (ttlMs?: number) => createSlackConversations({ botToken: TOKEN, apiUrl: slack.apiUrl, log: createLogger("silent"), ...(ttlMs !== undefined ? { ttlMs } : {}) });

describe("Slack conversations", () => {
  it("tells an internal channel from one shared with other organisations, with its name", async () => {
    slack.channelNames.set("C0CVSALES", "sales");
    slack.externallyShared.add("C0CVPARTNER");
    slack.channelNames.set("C0CVPARTNER", "partner-acme");
    const directory = conversations();
    expect(await directory.reach("C0CVSALES")).toEqual({ kind: "internal", name: "sales" });
    expect(await directory.reach("C0CVPARTNER")).toEqual({ kind: "external", name: "partner-acme" });
  });

  it("answers from its cache within the time to live, asks again when fresh or after it", async () => {
    const directory = conversations(300);
    await directory.reach("C0CVCACHE");
    await directory.reach("C0CVCACHE");
    expect(infoCalls("C0CVCACHE")).toBe(1);
    // The channel is shared now: the cached answer stands until it expires, a fresh look sees it.
    slack.externallyShared.add("C0CVCACHE");
    expect((await directory.reach("C0CVCACHE")).kind).toBe("internal");
    expect((await directory.reach("C0CVCACHE", { fresh: true })).kind).toBe("external");
    expect(infoCalls("C0CVCACHE")).toBe(2);
    slack.externallyShared.delete("C0CVCACHE");
    await new Promise((r) => setTimeout(r, 350));
    expect((await directory.reach("C0CVCACHE")).kind).toBe("internal");
    expect(infoCalls("C0CVCACHE")).toBe(3);
  });

  it("asks once for several questions about one channel at the same moment", async () => {
    const directory = conversations();
    const answers = await Promise.all([1, 2, 3, 4].map(() => directory.reach("C0CVBUSY")));
    expect(answers.every((a) => a.kind === "internal")).toBe(true);
    expect(infoCalls("C0CVBUSY")).toBe(1);
  });

  it("takes a person's id for the bot's own DM with them, without asking Slack", async () => {
    const before = slack.callsTo("conversations.info").length;
    expect(await conversations().reach("U0CVREP")).toEqual({ kind: "internal" });
    expect(slack.callsTo("conversations.info").length).toBe(before);
  });

  it("says unknown, for good, when Slack answers that it cannot be seen or a scope is missing; not cached", async () => {
    slack.unknownChannels.add("C0CVGONE");
    const directory = conversations();
    expect(await directory.reach("C0CVGONE")).toEqual({ kind: "unknown", lasting: true, reason: "channel_not_found" });
    expect(await directory.reach("C0CVGONE")).toEqual({ kind: "unknown", lasting: true, reason: "channel_not_found" });
    expect(infoCalls("C0CVGONE")).toBe(2);
    slack.overrides.set("conversations.info", [{ status: 200, body: { ok: false, error: "missing_scope", needed: "groups:read" } }]);
    expect(await directory.reach("C0CVPRIVATE")).toEqual({ kind: "unknown", lasting: true, reason: "missing_scope" });
  });

  it("says unknown, for now, when Slack is rate limiting or not answering", async () => {
    slack.overrides.set("conversations.info", [{ status: 429, headers: { "retry-after": "30" }, body: { ok: false, error: "ratelimited" } }]);
    const limited = await conversations().reach("C0CVLIMITED");
    expect(limited).toMatchObject({ kind: "unknown", lasting: false });
    const down = createSlackConversations({ botToken: TOKEN, apiUrl: "http://127.0.0.1:9/api/", log: createLogger("silent") });
    expect(await down.reach("C0CVSALES")).toMatchObject({ kind: "unknown", lasting: false });
  });
});
