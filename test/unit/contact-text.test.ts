import { describe, expect, it } from "vitest";
import { readContactText } from "../../src/commands/contact-text.js";
import { parseContactText } from "../../src/commands/contact.js";
import { AppError } from "../../src/domain/errors.js";

const keyOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error.userKey;
    throw error;
  }
  throw new Error("no error");
};

describe("reading /contact add text after the customer", () => {
  it("takes the name first and the details by their shape, in any order", () => {
    expect(readContactText("Li Lei li.lei@acme.com +86 138 0013 8000 title: Head of Purchasing birthday 1985-03-02")).toEqual({
      name: "Li Lei",
      fields: { email: "li.lei@acme.com", phone: "+86 138 0013 8000", title: "Head of Purchasing", birthday: "1985-03-02" },
    });
    expect(readContactText("Li Lei birthday 1985-03-02 (415) 555-0100 anniversary 2019-06-01 li@acme.com")).toEqual({
      name: "Li Lei",
      fields: { birthday: "1985-03-02", phone: "(415) 555-0100", anniversary: "2019-06-01", email: "li@acme.com" },
    });
  });

  it("reads quoted names and titles, and a title after the details without a keyword", () => {
    expect(readContactText("\"Wang Fang\" \"Chief Buyer\" 138-0013-8000")).toEqual({ name: "Wang Fang", fields: { title: "Chief Buyer", phone: "138-0013-8000" } });
    expect(readContactText("Li Lei li@acme.com CTO")).toEqual({ name: "Li Lei", fields: { email: "li@acme.com", title: "CTO" } });
    expect(readContactText("“Li Lei” Head of Sales")).toEqual({ name: "Li Lei", fields: { title: "Head of Sales" } });
  });

  it("reads Chinese keywords, full-width colons and glued values", () => {
    expect(readContactText("王芳 wang@alibaba.com 职位：采购经理 生日 1990-05-01")).toEqual({
      name: "王芳",
      fields: { email: "wang@alibaba.com", title: "采购经理", birthday: "1990-05-01" },
    });
    expect(readContactText("王芳 生日1990年5月1日 纪念日：2020-01-02 电话：13800138000")).toEqual({
      name: "王芳",
      fields: { birthday: "1990年5月1日", anniversary: "2020-01-02", phone: "13800138000" },
    });
  });

  it("keeps short numbers in the name and takes longer ones as a phone to check", () => {
    expect(readContactText("Team 2")).toEqual({ name: "Team 2", fields: {} });
    expect(readContactText("Zhao 12345")).toEqual({ name: "Zhao", fields: { phone: "12345" } });
    expect(readContactText("Zhao zhao@")).toEqual({ name: "Zhao", fields: { email: "zhao@" } });
  });

  it("leaves the name empty when the text starts with a detail", () => {
    expect(readContactText("li@acme.com")).toEqual({ name: "", fields: { email: "li@acme.com" } });
  });

  it("refuses what it cannot place, with a message that says how", () => {
    expect(keyOf(() => readContactText("Li Lei 1985-03-02"))).toBe("contact.date.which");
    expect(keyOf(() => readContactText("Li Lei birthday"))).toBe("contact.date.missing");
    expect(keyOf(() => readContactText("Li Lei a@b.com c@d.com"))).toBe("contact.twice");
    expect(keyOf(() => readContactText("Li Lei title: CTO li@acme.com Extra words"))).toBe("contact.unknownWords");
  });
});

describe("the /contact command words", () => {
  it("lists by default, and reads add, edit and remove in English and Chinese", () => {
    expect(parseContactText("Acme")).toEqual({ verb: "list", text: "Acme" });
    expect(parseContactText("add Acme Li Lei")).toEqual({ verb: "add", text: "Acme Li Lei" });
    expect(parseContactText("添加 阿里巴巴 王芳")).toEqual({ verb: "add", text: "阿里巴巴 王芳" });
    expect(parseContactText("新增 阿里巴巴 王芳")).toEqual({ verb: "add", text: "阿里巴巴 王芳" });
    expect(parseContactText("修改 阿里巴巴 王芳 职位：经理")).toEqual({ verb: "edit", text: "阿里巴巴 王芳 职位：经理" });
    expect(parseContactText("删除 阿里巴巴 王芳")).toEqual({ verb: "remove", text: "阿里巴巴 王芳" });
    expect(parseContactText("remove Acme Li")).toEqual({ verb: "remove", text: "Acme Li" });
    // A customer called "Add" is quoted.
    expect(parseContactText("\"Add\"")).toEqual({ verb: "list", text: "\"Add\"" });
  });
});
