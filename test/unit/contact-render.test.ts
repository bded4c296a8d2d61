import { describe, expect, it } from "vitest";
import { renderText } from "../../adapters/local/render-text.js";
import { renderMessage } from "../../adapters/slack/render-blocks.js";
import { renderWechatText } from "../../adapters/wechat/render-text.js";
import type { Message } from "../../src/core/index.js";

/** A contact list as the views make it: each contact with its own Edit and Remove buttons. */
const list: Message = {
  visibility: "private",
  summary: "Contacts of Acme",
  blocks: [
    {
      type: "list",
      items: [
        {
          title: "Li Lei <!channel>",
          detail: "li@acme.example · +86 138 0013 8000",
          buttons: [
            { label: "Edit", action: { id: "contact.edit", value: "c1" } },
            { label: "Remove", action: { id: "contact.remove", value: "c1" }, style: "danger" },
          ],
        },
        { title: "Wang Fang", buttons: [{ label: "Edit", action: { id: "contact.edit", value: "c2" } }] },
      ],
    },
    { type: "buttons", buttons: [{ label: "Add contact", action: { id: "contact.addForm", value: "a" } }] },
  ],
};

describe("a list item's own buttons", () => {
  it("are an actions block under the item in Slack, numbered apart, the text still escaped", () => {
    const { blocks } = renderMessage(list);
    expect(blocks.map((b) => b.type)).toEqual(["section", "actions", "section", "actions", "actions"]);
    const first = blocks[1] as { elements: { action_id: string; value: string; style?: string }[] };
    expect(first.elements.map((e) => [e.action_id, e.value, e.style])).toEqual([["contact.edit#0", "c1", undefined], ["contact.remove#1", "c1", "danger"]]);
    expect((blocks[3] as { elements: { action_id: string }[] }).elements[0]!.action_id).toBe("contact.edit#2");
    expect(JSON.stringify(blocks[0])).toContain("&lt;!channel&gt;");
  });

  it("are numbered in reading order in the terminal", () => {
    const { text, buttons } = renderText(list);
    expect(text).toContain("  • Li Lei <!channel>\n    li@acme.example · +86 138 0013 8000\n    [1] Edit  [2] Remove");
    expect(text).toContain("[3] Edit");
    expect(text).toContain("[4] Add contact");
    expect(buttons.map((b) => `${b.action.id}:${b.action.value}`)).toEqual(["contact.edit:c1", "contact.remove:c1", "contact.edit:c2", "contact.addForm:a"]);
  });

  it("are left out of WeChat text", () => {
    expect(renderWechatText(list)).toBe("· Li Lei <!channel> li@acme.example · +86 138 0013 8000\n· Wang Fang");
  });
});
