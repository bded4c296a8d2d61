import { describe, expect, it } from "vitest";
import { toCustomerMessage } from "../../adapters/wechat/to-message.js";
import { storableFields, storableText } from "../../src/domain/language/storable-text.js";

describe("text Postgres can store", () => {
  it.each([
    ["a\u0000b", "a\uFFFDb"],
    ["\u0000", "\uFFFD"],
    ["lone high \uD83D end", "lone high \uFFFD end"],
    ["lone low \uDE00 end", "lone low \uFFFD end"],
    ["high at the end \uDBFF", "high at the end \uFFFD"],
    ["reversed \uDE00\uD83D", "reversed \uFFFD\uFFFD"],
  ])("cleans %j", (input, expected) => {
    expect(storableText(input)).toBe(expected);
  });

  it("keeps everything else exactly, pairs of surrogates (emoji) and other control characters included", () => {
    const text = "你好 😀 \t\r\n\u0001 &lt; <b> \uFFFD";
    expect(storableText(text)).toBe(text);
  });

  it("cleans every field of a push, so the message the core gets has no NUL anywhere", () => {
    expect(storableFields({ Title: "t\u0000", Description: "\uD800d" })).toEqual({ Title: "t\uFFFD", Description: "\uFFFDd" });
    const message = toCustomerMessage({ FromUserName: "oX\u0000", CreateTime: "1700000000", MsgType: "voice", MediaId: "m", Recognition: "说\u0000话", MsgId: "1\uDC00" });
    expect(message).toMatchObject({ senderId: "oX\uFFFD", id: "1\uFFFD", body: "[voice] MediaId m: 说\uFFFD话" });
    expect(JSON.stringify(message)).not.toContain("\\u0000");
  });

  it("marks a push as body-signed only when told so (safe mode)", () => {
    const fields = { FromUserName: "oX", CreateTime: "1700000000", MsgType: "event", Event: "unsubscribe" };
    expect(toCustomerMessage(fields)?.bodySigned).toBeUndefined();
    expect(toCustomerMessage(fields, { bodySigned: true })?.bodySigned).toBe(true);
  });
});
