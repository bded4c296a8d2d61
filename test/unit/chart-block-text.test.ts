import { describe, expect, it } from "vitest";
import { renderText } from "../../adapters/local/render-text.js";
import { renderMessage } from "../../adapters/slack/render-blocks.js";
import type { Message } from "../../src/core/index.js";

/** A chart block where no image is shown: its title and its one-line reading of the figures. */
const message: Message = {
  visibility: "private",
  summary: "Customer satisfaction",
  blocks: [
    { type: "header", text: "Customer satisfaction · this month" },
    {
      type: "chart",
      chart: { kind: "bar", title: "CSAT answers by score · this month", points: [{ x: "5", y: 2 }] },
      alt: "CSAT answers by score this month: 1: 0 · 2: 0 · 3: 0 · 4: 0 · 5: 2 (2 answers).",
    },
  ],
};

describe("a chart block as text", () => {
  it("shows its title and alt line in the terminal, without control characters", () => {
    const tinted: Message = { ...message, blocks: message.blocks.map((b) => (b.type === "chart" ? { ...b, alt: `${b.alt}\u001b[31m` } : b)) };
    const { text } = renderText(tinted);
    expect(text.split("\n")).toEqual([
      "CUSTOMER SATISFACTION · THIS MONTH",
      "─".repeat(48),
      "",
      "CSAT answers by score · this month",
      "  CSAT answers by score this month: 1: 0 · 2: 0 · 3: 0 · 4: 0 · 5: 2 (2 answers).[31m",
    ]);
  });

  it("is its alt line in Slack's blocks (the image follows as a file)", () => {
    const { blocks } = renderMessage(message);
    expect(blocks[1]).toEqual({ type: "context", elements: [{ type: "mrkdwn", text: "CSAT answers by score this month: 1: 0 · 2: 0 · 3: 0 · 4: 0 · 5: 2 (2 answers)." }] });
  });
});
