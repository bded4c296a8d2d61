import { describe, expect, it } from "vitest";
import {
  MAX_COMMENT_CHARS,
  SURVEY_SCALE,
  isLowScore,
  isSurveyOptOut,
  readSurveyAnswer,
  readSurveyComment,
  type SurveyReading,
} from "../../src/domain/surveys/survey-answer.js";

function answer(score: number, comment?: string): SurveyReading {
  return comment === undefined ? { kind: "answer", score } : { kind: "answer", score, comment };
}
const NONE: SurveyReading = { kind: "none" };
const OPT_OUT: SurveyReading = { kind: "opt-out" };

describe("SURVEY_SCALE", () => {
  it("is CSAT 1..5 and NPS 0..10, frozen", () => {
    expect(SURVEY_SCALE).toStrictEqual({ CSAT: { min: 1, max: 5 }, NPS: { min: 0, max: 10 } });
    expect(Object.isFrozen(SURVEY_SCALE)).toBe(true);
    expect(Object.isFrozen(SURVEY_SCALE.CSAT)).toBe(true);
    expect(Object.isFrozen(SURVEY_SCALE.NPS)).toBe(true);
  });
});

describe("readSurveyAnswer: CSAT numbers", () => {
  it.each<[string, number, string?]>([
    ["5", 5],
    ["1", 1],
    ["5分", 5],
    ["5 分", 5],
    ["4星", 4],
    ["4颗星", 4],
    ["4颗⭐", 4],
    ["4颗⭐️", 4],
    ["5 stars", 5],
    ["5stars", 5],
    ["1 star", 1],
    ["4 Stars!", 4],
    ["3 points", 3],
    ["2 POINT", 2],
    ["4/5", 4],
    ["4 / 5", 4],
    ["4/5 stars", 4],
    ["4 out of 5", 4],
    ["4 Out Of 5 stars", 4],
    ["5。", 5],
    ["5!", 5],
    ["5！！", 5],
    ["5~", 5],
    ["5 ...", 5],
    ["4 物流太慢", 4, "物流太慢"],
    ["4，物流太慢", 4, "物流太慢"],
    ["4、物流太慢", 4, "物流太慢"],
    ["4。物流太慢。", 4, "物流太慢。"],
    ["4:物流太慢", 4, "物流太慢"],
    ["4-物流太慢", 4, "物流太慢"],
    ["4 — 物流太慢", 4, "物流太慢"],
    ["2 - slow reply", 2, "slow reply"],
    ["5, thanks", 5, "thanks"],
    ["5分，服务很好", 5, "服务很好"],
    ["3 stars, OK but slow", 3, "OK but slow"],
    ["4/5 packaging was damaged", 4, "packaging was damaged"],
    ["4 2号快递员态度差", 4, "2号快递员态度差"],
  ])("%j -> %d %j", (text, score, comment) => {
    expect(readSurveyAnswer(text, "CSAT")).toStrictEqual(answer(score, comment));
  });

  it.each<[string, number, string?]>([
    ["５", 5],
    ["５分", 5],
    ["４　物流慢", 4, "物流慢"],
    ["５／５", 5],
    ["４，ｇｏｏｄ", 4, "ｇｏｏｄ"],
    ["4 物流太慢，谢谢", 4, "物流太慢，谢谢"],
    ["３！", 3],
  ])("reads full-width %j as %d, keeping the comment as typed: %j", (text, score, comment) => {
    expect(readSurveyAnswer(text, "CSAT")).toStrictEqual(answer(score, comment));
  });

  it("keeps the comment's line breaks and case", () => {
    expect(readSurveyAnswer("  4\n包装很好\n但 Delivery 慢  ", "CSAT")).toStrictEqual(answer(4, "包装很好\n但 Delivery 慢"));
  });
});

describe("readSurveyAnswer: Chinese numerals", () => {
  it.each<[string, number, string?]>([
    ["五", 5],
    ["一", 1],
    ["五！", 5],
    ["五星", 5],
    ["四分", 4],
    ["两星", 2],
    ["二分", 2],
    ["三颗星", 3],
    ["五星，物流快", 5, "物流快"],
    ["四分 包装一般", 4, "包装一般"],
  ])("CSAT %j -> %d %j", (text, score, comment) => {
    expect(readSurveyAnswer(text, "CSAT")).toStrictEqual(answer(score, comment));
  });

  it.each<[string, number]>([
    ["十分", 10],
    ["十", 10],
    ["九分", 9],
    ["零分", 0],
    ["零", 0],
    ["七星", 7],
  ])("NPS %j -> %d", (text, score) => {
    expect(readSurveyAnswer(text, "NPS")).toStrictEqual(answer(score));
  });

  it("reads 十分满意 as the phrase 'very satisfied' for CSAT and as nothing for NPS", () => {
    expect(readSurveyAnswer("十分满意", "CSAT")).toStrictEqual(answer(5));
    expect(readSurveyAnswer("十分满意，谢谢", "CSAT")).toStrictEqual(answer(5, "谢谢"));
    expect(readSurveyAnswer("十分不满意", "CSAT")).toStrictEqual(answer(1));
    expect(readSurveyAnswer("十分满意", "NPS")).toStrictEqual(NONE);
    expect(readSurveyAnswer("十分好", "NPS")).toStrictEqual(NONE);
  });
});

describe("readSurveyAnswer: stars", () => {
  it.each<[string, number, string?]>([
    ["⭐", 1],
    ["⭐⭐⭐⭐", 4],
    ["★★★★★", 5],
    ["★★★☆☆", 3],
    ["★☆☆☆☆", 1],
    ["⭐️⭐️⭐️⭐️⭐️", 5],
    ["⭐ ⭐ ⭐", 3],
    ["★★ 太慢了", 2, "太慢了"],
    ["⭐⭐⭐⭐，不错", 4, "不错"],
    ["★★★★☆ good service", 4, "good service"],
  ])("CSAT %j -> %d %j", (text, score, comment) => {
    expect(readSurveyAnswer(text, "CSAT")).toStrictEqual(answer(score, comment));
  });

  it.each([["⭐⭐⭐⭐⭐⭐"], ["★★★★★★"], ["★★★★☆☆"], ["☆☆☆"], ["☆★★"], ["★☆★"], ["⭐⭐⭐很好"]])(
    "CSAT %j is none",
    (text) => {
      expect(readSurveyAnswer(text, "CSAT")).toStrictEqual(NONE);
    },
  );

  it.each([["⭐"], ["⭐⭐⭐⭐⭐"], ["★★★☆☆"], ["★★★★★ great"]])("NPS %j is none", (text) => {
    expect(readSurveyAnswer(text, "NPS")).toStrictEqual(NONE);
  });
});

describe("readSurveyAnswer: satisfaction phrases", () => {
  it.each<[string, number]>([
    ["非常满意", 5], ["十分满意", 5], ["很满意", 5], ["特别满意", 5], ["超级满意", 5],
    ["满意", 4], ["比较满意", 4], ["挺满意", 4],
    ["一般", 3], ["还行", 3], ["还可以", 3], ["凑合", 3],
    ["不满意", 2], ["不太满意", 2], ["不是很满意", 2],
    ["非常不满意", 1], ["很不满意", 1], ["特别不满意", 1], ["十分不满意", 1], ["极不满意", 1],
    ["very satisfied", 5], ["extremely satisfied", 5],
    ["satisfied", 4],
    ["neutral", 3],
    ["dissatisfied", 2], ["unsatisfied", 2], ["not satisfied", 2],
    ["very dissatisfied", 1], ["very unsatisfied", 1], ["extremely dissatisfied", 1],
  ])("CSAT %j -> %d", (text, score) => {
    expect(readSurveyAnswer(text, "CSAT")).toStrictEqual(answer(score));
  });

  it.each<[string, number, string?]>([
    ["非常满意，谢谢", 5, "谢谢"],
    ["满意。", 4],
    ["satisfied!", 4],
    ["SATISFIED", 4],
    ["Very satisfied, quick delivery", 5, "quick delivery"],
    ["very   satisfied", 5],
    ["Not Satisfied - item broken", 2, "item broken"],
    ["不满意！客服不回消息", 2, "客服不回消息"],
    ["一般 物流慢", 3, "物流慢"],
  ])("CSAT %j -> %d %j", (text, score, comment) => {
    expect(readSurveyAnswer(text, "CSAT")).toStrictEqual(answer(score, comment));
  });

  it.each([["非常满意"], ["满意"], ["一般"], ["不满意"], ["satisfied"], ["very satisfied"], ["neutral"]])(
    "NPS %j is none",
    (text) => {
      expect(readSurveyAnswer(text, "NPS")).toStrictEqual(NONE);
    },
  );
});

describe("readSurveyAnswer: NPS numbers", () => {
  it.each<[string, number, string?]>([
    ["0", 0],
    ["6", 6],
    ["10", 10],
    ["１０", 10],
    ["10分", 10],
    ["9/10", 9],
    ["9 / 10", 9],
    ["9 out of 10", 9],
    ["7 points", 7],
    ["8 价格有点高", 8, "价格有点高"],
    ["8/10 great", 8, "great"],
    ["10分！推荐给朋友了", 10, "推荐给朋友了"],
  ])("%j -> %d %j", (text, score, comment) => {
    expect(readSurveyAnswer(text, "NPS")).toStrictEqual(answer(score, comment));
  });
});

describe("readSurveyAnswer: not an answer", () => {
  it.each([
    ["5点到"], ["我5点到"], ["50"], ["6"], ["0"], ["10"], ["-1"], ["3.5"], ["5.0"], ["5号楼"], ["订单12345"],
    ["5000元"], ["123"], ["满意度调查是什么"], ["不满意的话能退货吗"], ["满意吗"], ["satisfied?"], ["你好"], [""],
    ["   "], ["?"], ["stop sending me this"], ["5个"], ["5pm"], ["5 pm"], ["5 点到"], ["5 个问题"], ["5 days late"],
    ["5:30"], ["5,000"], ["5-6"], ["5/6"], ["5?"], ["5%"], ["5👍"], ["5 starbucks"], ["5分钟"], ["5 分钟后到"],
    ["5星级酒店"], ["4/10"], ["4 out of 10"], ["4/50"], ["4 out of 50"], ["五星级酒店"], ["五点"], ["五，很好"],
    ["三星手机"], ["一下"], ["一般般"], ["十"], ["十分"], ["六星"], ["零"], ["neutrality"], ["[微笑]"], ["👍"],
  ])("CSAT %j", (text) => {
    expect(readSurveyAnswer(text, "CSAT")).toStrictEqual(NONE);
  });

  it.each([
    ["11"], ["-1"], ["100"], ["8.5"], ["9点"], ["8 pm"], ["十一"], ["4/5"], ["4 out of 5"], ["10/100"], ["你好"], [""],
  ])("NPS %j", (text) => {
    expect(readSurveyAnswer(text, "NPS")).toStrictEqual(NONE);
  });
});

describe("opt-out", () => {
  it.each([
    ["退订"], ["取消订阅"], ["不要再发了"], ["不要再发"], ["别再发了"], ["td"], ["TD"], ["stop"], ["STOP"], ["Stop!"],
    ["unsubscribe"], ["Unsubscribe."], ["opt out"], ["OPT  OUT"], ["opt-out"], ["Opt-Out"], [" 退订 "], ["退订。"],
    ["不要再发了！"], ["不要再发了😡"], ["ＳＴＯＰ"], ["ｔｄ"], ["「退订」"],
  ])("%j is an opt-out", (text) => {
    expect(isSurveyOptOut(text)).toBe(true);
    expect(readSurveyAnswer(text, "CSAT")).toStrictEqual(OPT_OUT);
    expect(readSurveyAnswer(text, "NPS")).toStrictEqual(OPT_OUT);
  });

  it.each([
    ["stop sending me this"], ["don't stop"], ["退订怎么操作"], ["怎么退订"], ["stopp"], ["tdd"], ["optout please"],
    [""], ["5"], ["!!!"],
  ])("%j is not an opt-out", (text) => {
    expect(isSurveyOptOut(text)).toBe(false);
  });

  it("is not read as an opt-out when it follows a score", () => {
    expect(readSurveyAnswer("1 stop", "CSAT")).toStrictEqual(answer(1, "stop"));
  });
});

describe("readSurveyComment", () => {
  it.each<[string, string]>([
    ["物流太慢了", "物流太慢了"],
    ["  ok  ", "ok"],
    ["ｇｏｏｄ　ｊｏｂ", "ｇｏｏｄ　ｊｏｂ"],
    ["包装破了，快递也慢", "包装破了，快递也慢"],
    ["5", "5"],
    ["[微笑]好评", "[微笑]好评"],
    ["👍 nice", "👍 nice"],
    ["第一行\n第二行", "第一行\n第二行"],
  ])("%j -> %j", (text, comment) => {
    expect(readSurveyComment(text)).toBe(comment);
  });

  it.each([[""], ["   "], ["!!!"], ["。。。"], ["[表情]"], ["[微笑][微笑]"], ["[图片]"], ["👍👍"], ["退订"], ["stop"], ["Unsubscribe!"]])(
    "%j is no comment",
    (text) => {
      expect(readSurveyComment(text)).toBeUndefined();
    },
  );

  it("cuts to MAX_COMMENT_CHARS code points", () => {
    expect(readSurveyComment("好".repeat(1500))).toBe("好".repeat(MAX_COMMENT_CHARS));
    expect(readSurveyComment("好".repeat(MAX_COMMENT_CHARS))).toBe("好".repeat(MAX_COMMENT_CHARS));
  });

  it("never splits a surrogate pair", () => {
    const comment = readSurveyComment("a" + "😀".repeat(1200));
    expect(comment).toBe("a" + "😀".repeat(MAX_COMMENT_CHARS - 1));
    expect(comment?.length).toBe(1 + 2 * (MAX_COMMENT_CHARS - 1));
  });

  it("cuts a comment given with the score the same way", () => {
    expect(readSurveyAnswer("4 " + "慢".repeat(2000), "CSAT")).toStrictEqual(answer(4, "慢".repeat(MAX_COMMENT_CHARS)));
  });
});

describe("isLowScore", () => {
  it.each<["CSAT" | "NPS", number, boolean]>([
    ["CSAT", 1, true],
    ["CSAT", 2, true],
    ["CSAT", 3, false],
    ["CSAT", 5, false],
    ["NPS", 0, true],
    ["NPS", 6, true],
    ["NPS", 7, false],
    ["NPS", 10, false],
  ])("%s %d -> %s", (kind, score, low) => {
    expect(isLowScore(kind, score)).toBe(low);
  });
});

describe("odd input", () => {
  it.each<[string, SurveyReading]>([
    ["\u0000", NONE],
    ["5\u0000", NONE],
    ["\uD800", NONE],
    ["5 \uD800", answer(5, "\uD800")],
    ["\u202E5", NONE],
    ["\t5\r\n", answer(5)],
  ])("%j -> %j", (text, reading) => {
    expect(readSurveyAnswer(text, "CSAT")).toStrictEqual(reading);
  });

  it("reads 1 MB messages without throwing, by their head", () => {
    const mb = 1 << 20;
    expect(readSurveyAnswer("5" + "很".repeat(mb), "CSAT")).toStrictEqual(NONE);
    expect(readSurveyAnswer("4 " + "x".repeat(mb), "CSAT")).toStrictEqual(answer(4, "x".repeat(MAX_COMMENT_CHARS)));
    expect(readSurveyAnswer("⭐".repeat(mb), "CSAT")).toStrictEqual(NONE);
    expect(readSurveyAnswer(" ".repeat(mb) + "5", "CSAT")).toStrictEqual(answer(5));
    expect(readSurveyAnswer("5" + ".".repeat(mb), "NPS")).toStrictEqual(answer(5));
    expect(readSurveyAnswer("!".repeat(mb) + "stop", "NPS")).toStrictEqual(NONE);
    expect(readSurveyAnswer("very".repeat(mb / 4), "CSAT")).toStrictEqual(NONE);
    expect(isSurveyOptOut("stop ".repeat(mb / 4))).toBe(false);
    expect(readSurveyComment("[".repeat(mb))).toBeUndefined();
    expect(readSurveyComment("[微笑".repeat(mb / 4))).toBe("[微笑".repeat(Math.floor(MAX_COMMENT_CHARS / 3)) + "[");
  });
});
