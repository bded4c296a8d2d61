import { describe, expect, it } from "vitest";
import { foldText } from "../../src/domain/language/folded-text.js";
import { chineseShortName, freeTextRule } from "../../src/domain/language/name-forms.js";
import { customerNames, findNames, NameMatcher, pickMatches } from "../../src/domain/language/name-matcher.js";

const matcher = NameMatcher.build([
  customerNames("acme", "Acme Ltd"),
  customerNames("acme-robotics", "Acme Robotics"),
  customerNames("globex", "Globex Corporation"),
  customerNames("ibm", "International Business Machines", ["IBM"]),
  customerNames("huawei", "华为技术有限公司"),
  customerNames("alibaba", "阿里巴巴集团"),
  customerNames("tencent", "腾讯科技有限公司"),
  customerNames("bytedance", "北京字节跳动科技有限公司", ["ByteDance"]),
  customerNames("li", "Li"),
  customerNames("hp", "HP Inc"),
  customerNames("hua", "华"),
  customerNames("ludenscheid", "Lüdenscheid GmbH"),
  customerNames("initech", "Initech Inc", ["Initrode"]),
]);

/** [words as written, customer ids] of each name found. */
const found = (text: string, m = matcher) => findNames(m, text).map((n) => [n.matched, n.customers.map((c) => c.id).join(" ")]);

describe("finding known names in free text", () => {
  it.each([
    ["call Acme tomorrow", [["Acme", "acme"]]],
    ["tomorrow call acme", [["acme", "acme"]]],
    ["明天给华为打电话", [["华为", "huawei"]]],
    ["给华为打电话 明天", [["华为", "huawei"]]],
    ["给阿里巴巴打电话", [["阿里巴巴", "alibaba"]]],
    ["跟进腾讯合同", [["腾讯", "tencent"]]],
    ["和字节跳动开会", [["字节跳动", "bytedance"]]],
  ])("%s", (text, expected) => {
    expect(found(text)).toEqual(expected);
  });

  it("reads Latin names between word boundaries only", () => {
    expect(found("Acmeville signed")).toEqual([]);
    expect(found("send the PreAcme deck")).toEqual([]);
    expect(found("Acme's renewal")).toEqual([["Acme", "acme"]]);
    expect(found("(Acme), then Globex.")).toEqual([["Acme", "acme"], ["Globex", "globex"]]);
    expect(found("acme2 is a product")).toEqual([]);
  });

  it("takes a Latin name next to Chinese characters as a word", () => {
    expect(found("给Acme打电话")).toEqual([["Acme", "acme"]]);
  });

  it("does not read a two-letter name out of ordinary words, but does read one written in capitals", () => {
    expect(found("the client called Li about it")).toEqual([]);
    expect(found("call LI")).toEqual([]); // "Li" is not written in capitals by the customer
    expect(found("ship to HP today")).toEqual([["HP", "hp"]]);
    expect(found("ship to hp today")).toEqual([]);
  });

  it("never reads a one-character Chinese name", () => {
    expect(found("中华人民共和国")).toEqual([]);
    expect(freeTextRule("华")).toBeUndefined();
  });

  it("matches on the name without its company suffix, and takes a suffix written after it into the match", () => {
    expect(found("renew Globex Corp today")).toEqual([["Globex Corp", "globex"]]);
    expect(found("call Acme Co., Ltd. now")).toEqual([["Acme Co., Ltd", "acme"]]);
    expect(found("call Initech about Initrode Inc")).toEqual([["Initech", "initech"], ["Initrode Inc", "initech"]]);
    expect(found("华为技术有限公司的合同")).toEqual([["华为技术有限公司", "huawei"]]);
    expect(found("给华为公司打电话")).toEqual([["华为公司", "huawei"]]);
    expect(found("阿里巴巴集团的报价")).toEqual([["阿里巴巴集团", "alibaba"]]);
  });

  it("does not take an ordinary word after a name for a suffix", () => {
    expect(found("Acme group meeting")).toEqual([["Acme", "acme"]]);
    expect(found("Acme company offsite")).toEqual([["Acme", "acme"]]);
  });

  it("finds aliases and the pinyin of Chinese names", () => {
    expect(found("IBM and ByteDance renewals")).toEqual([["IBM", "ibm"], ["ByteDance", "bytedance"]]);
    expect(found("call alibaba and tengxunkeji")).toEqual([["alibaba", "alibaba"], ["tengxunkeji", "tencent"]]);
  });

  it("prefers the longest name where names overlap", () => {
    expect(found("call Acme Robotics about the arm")).toEqual([["Acme Robotics", "acme-robotics"]]);
    expect(found("International Business Machines called")).toEqual([["International Business Machines", "ibm"]]);
    expect(found("华为技术的报价")).toEqual([["华为技术", "huawei"]]);
  });

  it("resolves overlapping names leftmost first", () => {
    const m = NameMatcher.build([customerNames("a", "Blue Ridge"), customerNames("b", "Ridge Capital")]);
    expect(found("Blue Ridge Capital called", m)).toEqual([["Blue Ridge", "a"]]);
  });

  it("folds full-width letters, accents, case and spacing", () => {
    expect(found("给ＡＣＭＥ打电话")).toEqual([["ＡＣＭＥ", "acme"]]);
    expect(found("ACME　Ｌｔｄ．签约")).toEqual([["ACME　Ｌｔｄ", "acme"]]);
    expect(found("visit LUDENSCHEID and lüdenscheid")).toEqual([["LUDENSCHEID", "ludenscheid"], ["lüdenscheid", "ludenscheid"]]);
    expect(found("A.C.M.E. again")).toEqual([["A.C.M.E", "acme"]]);
  });

  it("finds several names in one text, with their places in the original text", () => {
    const text = "周五前跟进腾讯合同, then call Acme and 阿里巴巴";
    const names = findNames(matcher, text);
    expect(names.map((n) => n.customers[0]!.id)).toEqual(["tencent", "acme", "alibaba"]);
    for (const n of names) expect(text.slice(n.start, n.end)).toBe(n.matched);
    expect(names[0]).toMatchObject({ start: 5, end: 7, matched: "腾讯" });
  });

  it("keeps UTF-16 offsets right after characters outside the BMP", () => {
    const text = "🎉𠀀 call Acme";
    const [name] = findNames(matcher, text);
    expect(text.slice(name!.start, name!.end)).toBe("Acme");
  });

  it("says which of a customer's names was found", () => {
    const via = (text: string) => findNames(matcher, text).map((n) => n.customers.map((c) => c.via)).flat();
    expect(via("Acme")).toEqual(["name"]);
    expect(via("IBM")).toEqual(["alias"]);
    expect(via("alibaba")).toEqual(["pinyin"]);
    expect(via("华为")).toEqual(["short"]);
  });
});

describe("several customers on the same words", () => {
  it("offers every customer whose short form it is", () => {
    const m = NameMatcher.build([customerNames("a", "华为技术有限公司"), customerNames("b", "华为软件技术有限公司")]);
    expect(findNames(m, "给华为打电话")[0]!.customers.map((c) => c.id).sort()).toEqual(["a", "b"]);
  });

  it("prefers a customer named so over one whose short form it is", () => {
    const m = NameMatcher.build([customerNames("short", "华为技术有限公司"), customerNames("exact", "华为")]);
    expect(found("给华为打电话", m)).toEqual([["华为", "exact"]]);
  });

  it("drops a short form that more than five customers share: it tells nobody apart", () => {
    const six = ["北京", "上海", "广州", "深圳", "杭州", "南京"].map((city, i) => customerNames(`c${i}`, `${city}华信科技有限公司`));
    expect(found("跟进华信合同", NameMatcher.build(six))).toEqual([]);
    expect(found("跟进华信合同", NameMatcher.build(six.slice(0, 5)))[0]![1]!.split(" ")).toHaveLength(5);
  });
});

describe("short forms of Chinese company names", () => {
  it.each([
    ["华为技术", "华为"],
    ["北京字节跳动科技", "字节跳动"],
    ["腾讯科技", "腾讯"],
    ["小米科技", "小米"],
    ["深圳市腾讯计算机系统", "腾讯"],
    ["华为技术深圳", "华为"],
    ["广东深圳华信电子", "华信"],
  ])("%s -> %s", (normalized, short) => {
    expect(chineseShortName(normalized)).toBe(short);
  });

  it.each([["阿里巴巴"], ["中国银行"], ["北京明天科技"], ["北京"], ["acme"], ["招商银行"]])("%s has none", (normalized) => {
    // Nothing to take away, or what remains is an everyday word ("银行", "明天"), or a place alone.
    expect(chineseShortName(normalized)).toBeUndefined();
  });
});

describe("candidates of several matchers over one text", () => {
  it("picks among them as one: a customer's changed name in a second matcher", () => {
    const base = NameMatcher.build([customerNames("x", "Old Name Trading"), customerNames("y", "Globex")]);
    const overlay = NameMatcher.build([customerNames("x", "Newco Trading")]);
    const text = foldText("Newco Trading and Old Name Trading and Globex");
    const fromBase = base.candidates(text).filter((c) => c.customerId !== "x");
    const names = pickMatches(text, [...fromBase, ...overlay.candidates(text)]);
    expect(names.map((n) => [n.matched, n.customers[0]!.id])).toEqual([["Newco Trading", "x"], ["Globex", "y"]]);
  });

  it("an empty dictionary finds nothing", () => {
    expect(findNames(NameMatcher.build([]), "call Acme")).toEqual([]);
  });
});
