import { describe, expect, it } from "vitest";
import { CHANNELS, findChannelKeyword, splitChannel } from "../../src/domain/interaction-channel.js";

describe("splitChannel", () => {
  it.each([
    ["call: discussed renewal", "CALL", "discussed renewal"],
    ["Call: discussed renewal", "CALL", "discussed renewal"],
    ["phone: left a message", "CALL", "left a message"],
    ["电话：确认报价", "CALL", "确认报价"],
    ["电话: 确认报价", "CALL", "确认报价"],
    ["meeting:demo", "MEETING", "demo"],
    ["拜访：看了工厂", "MEETING", "看了工厂"],
    ["email: sent the quote", "EMAIL", "sent the quote"],
    ["e-mail: sent the quote", "EMAIL", "sent the quote"],
    ["微信：发了合同", "WECHAT", "发了合同"],
    ["wechat: hi", "WECHAT", "hi"],
    ["slack: pinged", "SLACK", "pinged"],
    ["note: likes golf", "NOTE", "likes golf"],
    ["  CALL :   spaced out  ", "CALL", "spaced out"],
    ["call: line one\nline two", "CALL", "line one\nline two"],
  ])("%j -> %s", (text, channel, body) => {
    expect(splitChannel(text)).toEqual({ channel, body });
  });

  it("keeps a note when the first word is not a keyword followed by a colon", () => {
    expect(splitChannel("called them")).toEqual({ channel: "NOTE", body: "called them" });
    expect(splitChannel("meeting room booked")).toEqual({ channel: "NOTE", body: "meeting room booked" });
    expect(splitChannel("call them tomorrow: urgent")).toEqual({ channel: "NOTE", body: "call them tomorrow: urgent" });
  });

  it("keeps the whole text of an unknown label", () => {
    expect(splitChannel("unknown: x")).toEqual({ channel: "NOTE", body: "unknown: x" });
    expect(splitChannel("  agenda：预算  ")).toEqual({ channel: "NOTE", body: "agenda：预算" });
  });

  it("leaves an empty body when only the keyword is given", () => {
    expect(splitChannel("call:")).toEqual({ channel: "CALL", body: "" });
    expect(splitChannel("")).toEqual({ channel: "NOTE", body: "" });
  });

  it("only ever answers with a known channel", () => {
    for (const text of ["call: x", "x", "meeting: y", "邮件：z"]) expect(CHANNELS).toContain(splitChannel(text).channel);
  });
});

describe("findChannelKeyword", () => {
  it("finds the word where a keyword with a colon starts", () => {
    expect(findChannelKeyword(["Acme", "Ltd", "call:", "discussed"])).toBe(2);
    expect(findChannelKeyword(["Acme", "call:discussed"])).toBe(1);
    expect(findChannelKeyword(["Acme", "Call:"])).toBe(1);
    expect(findChannelKeyword(["阿里巴巴", "电话：确认报价"])).toBe(1);
    expect(findChannelKeyword(["Acme", "e-mail:", "x"])).toBe(1);
  });

  it("never counts the first word, which is the customer's name", () => {
    expect(findChannelKeyword(["call:", "x"])).toBe(-1);
    expect(findChannelKeyword(["meeting:", "Acme", "call:"])).toBe(2);
  });

  it("ignores keywords without a colon and unknown labels", () => {
    expect(findChannelKeyword(["Acme", "called", "them"])).toBe(-1);
    expect(findChannelKeyword(["Acme", "call", "them"])).toBe(-1);
    expect(findChannelKeyword(["Acme", "unknown:", "x"])).toBe(-1);
    expect(findChannelKeyword([])).toBe(-1);
  });
});
