import { describe, expect, it } from "vitest";
import { renderText } from "../../adapters/local/render-text.js";
import { renderMessage } from "../../adapters/slack/render-blocks.js";
import type { Message } from "../../src/core/index.js";

/**
 * The two reply features the deal buttons brought: a menu (Button.choices) and a confirmation
 * (Button.confirm). Slack shows a static select and a confirm dialog, with every string as plain
 * text; the terminal shows one numbered button per choice.
 */
const message: Message = {
  visibility: "private",
  summary: "deal",
  blocks: [
    {
      type: "buttons",
      buttons: [
        { label: "Move to…", action: { id: "deal.stage", value: "" }, choices: [{ label: "Proposal <!channel>", value: "d1|proposal" }, { label: "Won", value: "d1|won" }] },
        { label: "Delete", action: { id: "deal.delete", value: "d1" }, style: "danger", confirm: { title: "Delete this deal?", text: "The deal *Acme* <@U1> goes.", yes: "Delete", no: "Cancel" } },
      ],
    },
  ],
};

describe("menus and confirmations", () => {
  it("are a static select and a confirm dialog in Slack, plain text throughout", () => {
    const [actions] = renderMessage(message).blocks as { type: string; elements: Record<string, unknown>[] }[];
    const [select, del] = actions!.elements;
    expect(select).toEqual({
      type: "static_select",
      action_id: "deal.stage#0",
      placeholder: { type: "plain_text", text: "Move to…", emoji: true },
      options: [
        { text: { type: "plain_text", text: "Proposal <!channel>" }, value: "d1|proposal" },
        { text: { type: "plain_text", text: "Won" }, value: "d1|won" },
      ],
    });
    expect(del).toMatchObject({
      type: "button",
      action_id: "deal.delete#1",
      value: "d1",
      style: "danger",
      confirm: {
        title: { type: "plain_text", text: "Delete this deal?" },
        text: { type: "plain_text", text: "The deal *Acme* <@U1> goes." },
        confirm: { type: "plain_text", text: "Delete" },
        deny: { type: "plain_text", text: "Cancel" },
      },
    });
  });

  it("are one numbered button per choice in the terminal, each carrying its choice", () => {
    const rendered = renderText(message);
    expect(rendered.text).toContain("[1] Move to… Proposal <!channel>  [2] Move to… Won  [3] Delete");
    expect(rendered.buttons.map((b) => b.action)).toEqual([
      { id: "deal.stage", value: "d1|proposal" },
      { id: "deal.stage", value: "d1|won" },
      { id: "deal.delete", value: "d1" },
    ]);
  });
});
