import { describe, expect, it } from "vitest";
import {
  fingerprint, isClearWord, isNameLike, normalizeTag, normalizeWebsite, parseFieldWord, parseStage, parseTags, takeTagFilters, unwrapSlackLink,
} from "../../src/domain/customers/customer-fields.js";
import { parseSegmentRequest } from "../../src/commands/segment.js";
import { parseTopText } from "../../src/commands/top.js";

describe("customer names", () => {
  it("need a letter of some script", () => {
    for (const good of ["Acme", "3M", "7-Eleven", "华为", "Яндекс", "Ä"]) expect(isNameLike(good), good).toBe(true);
    for (const bad of ["%", "---", "🚀", "123", " ", "!!!", "🚀🚀"]) expect(isNameLike(bad), bad).toBe(false);
  });
});

describe("tags", () => {
  it("are normalised: full width folded, # dropped, Latin lower case, inner spaces as -", () => {
    expect(normalizeTag("  VIP ")).toBe("vip");
    expect(normalizeTag("#Key Account")).toBe("key-account");
    expect(normalizeTag("ＶＩＰ")).toBe("vip");
    expect(normalizeTag("重点客户")).toBe("重点客户");
  });

  it("are split by commas when there are any, else by spaces, de-duplicated in order", () => {
    expect(parseTags("VIP, Key Account, #vip")).toEqual({ tags: ["vip", "key-account"] });
    expect(parseTags("vip key")).toEqual({ tags: ["vip", "key"] });
    expect(parseTags("重点客户，大客户、vip")).toEqual({ tags: ["重点客户", "大客户", "vip"] });
  });

  it("refuse what cannot be one, too long ones and too many", () => {
    expect(parseTags(" , ")).toEqual({ problem: { kind: "empty" } });
    expect(parseTags("<b>")).toEqual({ problem: { kind: "bad", tag: "<b>" } });
    expect(parseTags("-x")).toEqual({ problem: { kind: "bad", tag: "-x" } });
    expect(parseTags("x".repeat(33))).toEqual({ problem: { kind: "too-long", tag: "x".repeat(33) } });
    expect(parseTags("x".repeat(32))).toEqual({ tags: ["x".repeat(32)] });
    expect(parseTags(Array.from({ length: 21 }, (_, i) => `t${i}`).join(","))).toEqual({ problem: { kind: "too-many", count: 21 } });
    for (const ok of ["c++", "r&d", "b2b.cn", "a_b"]) expect(parseTags(ok), ok).toEqual({ tags: [ok] });
  });

  it("filter list commands: tag vip, tagged vip, tag: vip, 标签 vip, 标签vip", () => {
    expect(takeTagFilters("10 tag vip this quarter")).toEqual({ text: "10 this quarter", tags: ["vip"] });
    expect(takeTagFilters("tagged VIP tag: key-account")).toEqual({ text: "", tags: ["vip", "key-account"] });
    expect(takeTagFilters("流失风险 标签重点客户")).toEqual({ text: "流失风险", tags: ["重点客户"] });
    expect(takeTagFilters("by revenue")).toEqual({ text: "by revenue", tags: [] });
    // A word that merely starts with "tag" is no filter.
    expect(takeTagFilters("tagline x")).toEqual({ text: "tagline x", tags: [] });
  });

  it("reach /top and /segment", () => {
    expect(parseTopText("5 by revenue tag vip")).toEqual({ count: 5, metric: "revenue", tags: ["vip"] });
    expect(parseTopText("tag vip")).toEqual({ tags: ["vip"] });
    expect(parseSegmentRequest("churn-risk tag vip 2")).toEqual({ segment: "churn-risk", page: 2, tags: ["vip"] });
    expect(parseSegmentRequest("标签 vip")).toEqual({ segment: undefined, page: 1, tags: ["vip"] });
  });
});

describe("websites", () => {
  it("store a bare domain with https:// and keep an http(s) link, host lower-cased, without a trailing slash", () => {
    expect(normalizeWebsite("acme.com")).toBe("https://acme.com");
    expect(normalizeWebsite("WWW.Acme.COM/About/")).toBe("https://www.acme.com/About");
    expect(normalizeWebsite("http://acme.com:8080/x?y=1")).toBe("http://acme.com:8080/x?y=1");
    expect(normalizeWebsite("HTTPS://Acme.com")).toBe("https://acme.com");
    expect(normalizeWebsite("例子.中国")).toBe("https://例子.中国");
    expect(normalizeWebsite("<http://acme.com|acme.com>")).toBe("https://acme.com");
    expect(normalizeWebsite("<https://acme.com/a>")).toBe("https://acme.com/a");
  });

  it("refuse what is no web address", () => {
    for (const bad of ["acme", "localhost", "javascript:alert(1)", "ftp://acme.com", "acme .com", "user:pw@acme.com", "https://", "acme.c0m", `${"a".repeat(200)}.com`, ""]) {
      expect(normalizeWebsite(bad), bad).toBeNull();
    }
  });

  it("unwraps Slack's link markup to what was typed", () => {
    expect(unwrapSlackLink("see <http://acme.com|acme.com> now")).toBe("see acme.com now");
    expect(unwrapSlackLink("<https://acme.com/x>")).toBe("https://acme.com/x");
  });
});

describe("words", () => {
  it("read stages in English and Chinese", () => {
    expect(parseStage("active")).toBe("ACTIVE");
    expect(parseStage("At Risk")).toBe("AT_RISK");
    expect(parseStage("at-risk")).toBe("AT_RISK");
    expect(parseStage("AT_RISK")).toBe("AT_RISK");
    expect(parseStage("有流失风险")).toBe("AT_RISK");
    expect(parseStage("潜在客户")).toBe("PROSPECT");
    expect(parseStage("已流失")).toBe("CHURNED");
    expect(parseStage("线索")).toBe("LEAD");
    expect(parseStage("happy")).toBeUndefined();
  });

  it("read field names, with a colon too", () => {
    expect(parseFieldWord("Industry")).toBe("industry");
    expect(parseFieldWord("行业：")).toBe("industry");
    expect(parseFieldWord("官网")).toBe("website");
    expect(parseFieldWord("简介")).toBe("about");
    expect(parseFieldWord("colour")).toBeUndefined();
    expect(isClearWord("-")).toBe(true);
    expect(isClearWord("清空")).toBe(true);
    expect(isClearWord("retail")).toBe(false);
  });

  it("fingerprint values so a form can tell a changed field", () => {
    expect(fingerprint("Acme")).toBe(fingerprint("Acme"));
    expect(fingerprint("Acme")).not.toBe(fingerprint("acme"));
    expect(fingerprint(null)).not.toBe(fingerprint(""));
    expect(fingerprint("x")).toMatch(/^[0-9a-f]{8}$/);
  });
});
