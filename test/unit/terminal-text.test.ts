import { describe, expect, it } from "vitest";
import { displayWidth, truncateToWidth } from "../../adapters/local/display-width.js";
import { renderText } from "../../adapters/local/render-text.js";
import { commandFromText } from "../../adapters/local/terminal.js";
import { foldCommandWord } from "../../src/commands/parse.js";
import type { Actor } from "../../src/core/index.js";

describe("display width", () => {
  it("counts CJK and full-width characters and emoji as two columns, marks and joiners as none", () => {
    expect(displayWidth("Acme")).toBe(4);
    expect(displayWidth("阿里巴巴")).toBe(8);
    expect(displayWidth("ＡＢ")).toBe(4);
    expect(displayWidth("客户终身价值（36 个月）")).toBe(23);
    expect(displayWidth("e\u0301")).toBe(1);
    expect(displayWidth("a\u200bb")).toBe(2);
    expect(displayWidth("👨‍👩‍👧")).toBe(2);
  });

  it("cuts by columns, never inside a character", () => {
    expect(truncateToWidth("阿里巴巴集团有限公司", 7)).toBe("阿里巴…");
    expect(truncateToWidth("Acme Ltd", 8)).toBe("Acme Ltd");
    expect(displayWidth(truncateToWidth("华为技术有限公司 Huawei", 11))).toBeLessThanOrEqual(11);
  });
});

describe("the terminal renderer", () => {
  it("lines up field values by display width when labels mix Chinese and Latin text", () => {
    const values = ["活跃", "CNY 1,880,927.44", "51", "CNY 2,906,039.48"];
    const { text } = renderText({
      visibility: "private",
      summary: "card",
      blocks: [
        {
          type: "fields",
          fields: [
            { label: "阶段", value: values[0]! },
            { label: "Lifetime revenue", value: values[1]! },
            { label: "订单数", value: values[2]! },
            { label: "客户终身价值（36 个月）", value: values[3]! },
          ],
        },
      ],
    });
    const lines = text.split("\n");
    expect(lines).toHaveLength(4);
    // Where each value starts on screen: the same column for every row.
    const columns = lines.map((line, i) => displayWidth(line.slice(0, line.lastIndexOf(values[i]!))));
    expect(new Set(columns)).toEqual(new Set([displayWidth("客户终身价值（36 个月）") + 2]));
  });
});

describe("a typed line", () => {
  it("goes to the core whole, its slash kept, so \"/foo bar\" is an unknown command there", () => {
    const actor: Actor = { platform: "local", externalId: "rep", displayName: "Rep" };
    expect(commandFromText(actor, "  /foo bar ")).toMatchObject({ type: "command", command: "crm", text: "/foo bar" });
  });
});

describe("the command word, on every platform", () => {
  it("takes a full-width slash, command word and space like their ASCII forms", () => {
    expect(foldCommandWord("／customer Acme")).toBe("/customer Acme");
    expect(foldCommandWord("ｃｕｓｔｏｍｅｒ　阿里巴巴")).toBe("customer　阿里巴巴");
    expect(foldCommandWord("／ＣＲＭ　top 5")).toBe("/CRM　top 5");
    expect(foldCommandWord("/customer Acme")).toBe("/customer Acme");
  });

  it("keeps the rest of the line as typed, and a bare name or question whole", () => {
    expect(foldCommandWord("/log Acme 订了５００件")).toBe("/log Acme 订了５００件");
    expect(foldCommandWord("Acme Ltd")).toBe("Acme Ltd");
    expect(foldCommandWord("谁有流失风险")).toBe("谁有流失风险");
  });
});
