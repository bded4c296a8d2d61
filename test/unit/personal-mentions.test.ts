import { describe, expect, it } from "vitest";
import { literalMentions, likeContaining, mentionPatterns, redactJson, redactMentions, type PersonIdentifiers } from "../../src/domain/language/personal-mentions.js";

const person: PersonIdentifiers = {
  names: ["Li Lei", "王芳"],
  emails: ["Li.Lei@Acme.com"],
  phones: ["+8613800138000"],
  platformIds: ["oAbCdEfGhIjKlMnOpQrStUvWxYz1"],
};
const redact = (text: string) => redactMentions(text, mentionPatterns(person));

describe("mentions of a person in free text", () => {
  it("takes out names in any case and spacing, Chinese names inside Chinese text, and keeps the rest", () => {
    expect(redact("Call with LI  LEI about the renewal")).toBe("Call with [erased] about the renewal");
    expect(redact("王芳说物流太慢")).toBe("[erased]说物流太慢");
    // A Latin name never takes a longer word with it.
    expect(redact("Li Leigh and Oli Lei stay")).toBe("Li Leigh and Oli Lei stay");
  });

  it("takes out an email in any case and a phone however it was written", () => {
    expect(redact("mail li.lei@acme.COM today")).toBe("mail [erased] today");
    expect(redact("+86 138 0013 8000 or 138-0013-8000 or (138) 0013.8000")).toBe("[erased] or [erased] or [erased]");
    // Other figures stay: an amount with the same digits inside a longer number is not the phone.
    expect(redact("order 913800138000 CNY")).toBe("order 913800138000 CNY");
  });

  it("takes out WeChat ids and the tails leads are named after", () => {
    expect(redact("from oAbCdEfGhIjKlMnOpQrStUvWxYz1")).toBe("from [erased]");
    expect(redact("WeChat user UvWxYz1".replace("UvWxYz1", "vWxYz1"))).toBe("WeChat user [erased]");
  });

  it("redacts every string of a JSON value, keys and other values kept", () => {
    const detail = { before: { name: "Li Lei", stage: "LEAD" }, after: { name: "王芳" }, amounts: [1200, "CNY"] };
    expect(redactJson(detail, mentionPatterns(person))).toEqual({ before: { name: "[erased]", stage: "LEAD" }, after: { name: "[erased]" }, amounts: [1200, "CNY"] });
  });

  it("gives the literals a database looks for first, longest first, without short names or short numbers", () => {
    const literals = literalMentions({ names: ["Li Lei", "L"], emails: ["a@b.co"], phones: ["123"], platformIds: ["oAbCdEfGhIjKlMnOpQrStUvWxYz1"] });
    expect(literals).toEqual(["oAbCdEfGhIjKlMnOpQrStUvWxYz1", "lMnOpQrStUvWxYz1", "rStUvWxYz1", "Li Lei", "a@b.co", "vWxYz1"]);
    expect(likeContaining("50%_off\\")).toBe("%50\\%\\_off\\\\%");
  });
});
