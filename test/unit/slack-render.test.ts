import { describe, expect, it } from "vitest";
import { escapeMrkdwn, safeLink, truncate } from "../../adapters/slack/escape.js";
import { LIMITS, handlerOfActionId, parseModalMetadata, renderMessage, renderModal } from "../../adapters/slack/render-blocks.js";
import type { Message } from "../../src/core/index.js";

const msg = (blocks: Message["blocks"], summary = "summary"): Message => ({ visibility: "private", summary, blocks });

describe("escaping for Slack mrkdwn", () => {
  it("escapes exactly &, < and >", () => {
    expect(escapeMrkdwn("<!channel> & <@U1> <https://x.example|bank> *bold* _i_")).toBe("&lt;!channel&gt; &amp; &lt;@U1&gt; &lt;https://x.example|bank&gt; *bold* _i_");
  });

  it("links only http(s) URLs and keeps the label from closing the link", () => {
    expect(safeLink("https://acme.slack.com/archives/C1/p1", "msg|<x>")).toBe("<https://acme.slack.com/archives/C1/p1|msg¦&lt;x&gt;>");
    expect(safeLink("javascript:alert(1)", "click")).toBe("click");
    expect(safeLink("not a url", "<b>")).toBe("&lt;b&gt;");
  });

  it("truncates without splitting a surrogate pair", () => {
    const cut = truncate("ab😀cd", 4);
    expect(cut).toBe("ab…");
    expect(truncate("short", 10)).toBe("short");
  });
});

describe("rendering messages as Block Kit", () => {
  it("escapes every stored string in mrkdwn and keeps headers as plain text", () => {
    const out = renderMessage(msg([
      { type: "header", text: "Evil <!here>" },
      { type: "text", title: "<@U1>", text: "<!channel>" },
      { type: "fields", fields: [{ label: "<b>", value: "&" }] },
      { type: "list", title: "t", items: [{ title: "<x>", detail: "<y>" }] },
      { type: "context", text: "<z>" },
      { type: "examples", label: "Try:", examples: ["/customer add <!channel> `x`"] },
    ], "<!everyone>"));
    const json = JSON.stringify({ text: out.text, blocks: out.blocks.slice(1) });
    expect(json).not.toMatch(/<!(here|channel|everyone)>|<@U1>|<[xyzb]>/);
    expect(out.text).toBe("&lt;!everyone&gt;");
    expect(out.blocks[0]).toEqual({ type: "header", text: { type: "plain_text", text: "Evil <!here>", emoji: false } });
    expect(json).toContain("`/customer add &lt;!channel&gt; 'x'`");
  });

  it("stays within 50 blocks and keeps the action row", () => {
    const items = Array.from({ length: 10 }, (_, i) => ({ title: `item ${i}` }));
    const blocks: Message["blocks"] = Array.from({ length: 30 }, () => ({ type: "list" as const, title: "many", items }));
    blocks.push({ type: "buttons", buttons: [{ label: "More", action: { id: "history.page", value: "x" } }] });
    const out = renderMessage(msg(blocks));
    expect(out.blocks.length).toBeLessThanOrEqual(LIMITS.blocksPerMessage);
    expect(out.blocks.at(-1)?.type).toBe("actions");
  });

  it("writes long lists as text sections under Slack's section limit", () => {
    const items = Array.from({ length: 50 }, (_, i) => ({ title: `${i + 1}. Customer ${i}`, detail: "x".repeat(200), button: { label: "Open", action: { id: "customer.show", value: String(i) } } }));
    const out = renderMessage(msg([{ type: "list", items }]));
    expect(out.blocks.length).toBeLessThan(10);
    for (const block of out.blocks) {
      const text = (block as { text?: { text: string } }).text?.text ?? "";
      expect(text.length).toBeLessThanOrEqual(LIMITS.sectionText);
    }
    expect(JSON.stringify(out)).toContain("50. Customer 49");
  });

  it("gives buttons unique action ids that map back to their handler, within Slack's sizes", () => {
    const out = renderMessage(msg([
      { type: "list", items: [{ title: "a", button: { label: "Open", action: { id: "customer.show", value: "1" } } }, { title: "b", button: { label: "Open", action: { id: "customer.show", value: "2" } } }] },
      { type: "buttons", buttons: [{ label: "L".repeat(100), action: { id: "share", value: "v".repeat(3000) } }] },
    ]));
    const json = JSON.stringify(out);
    const ids = [...json.matchAll(/"action_id":"([^"]+)"/g)].map((m) => m[1]!);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.map(handlerOfActionId)).toEqual(["customer.show", "customer.show", "share"]);
    const actions = out.blocks.at(-1) as { elements: { text: { text: string }; value: string }[] };
    expect(actions.elements[0]!.text.text.length).toBeLessThanOrEqual(LIMITS.buttonText);
    expect(actions.elements[0]!.value.length).toBeLessThanOrEqual(LIMITS.buttonValue);
  });
});

describe("forms as modals", () => {
  it("renders inputs by field id and round-trips the state and channel", () => {
    const view = renderModal(
      { id: "log.submit", title: "Log to CRM with a very long title", submitLabel: "Log it", state: '{"customerId":"x"}', fields: [{ id: "text", label: "What happened", kind: "long-text", initial: "hello", maxLength: 2900 }] },
      { state: '{"customerId":"x"}', channelId: "C1" },
    );
    expect(view.title.text.length).toBeLessThanOrEqual(LIMITS.modalTitle);
    expect(view.callback_id).toBe("log.submit");
    expect(view.blocks[0]).toMatchObject({ type: "input", block_id: "text", element: { action_id: "value", multiline: true, initial_value: "hello", max_length: 2900 } });
    expect(parseModalMetadata(view.private_metadata)).toEqual({ state: '{"customerId":"x"}', channelId: "C1" });
    expect(parseModalMetadata("not json")).toEqual({ state: "{}" });
  });
});
