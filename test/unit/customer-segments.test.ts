import { describe, expect, it } from "vitest";
import { parseSegmentText } from "../../src/commands/segment.js";
import { stageReasonText } from "../../src/commands/views/stage-reason.js";
import { createFormatter, translator } from "../../src/i18n/index.js";
import {
  COMPLAINT_HINT_PATTERN, SEGMENT_CODES, SEGMENT_NAMES, SEGMENT_RULES, classifyCustomer, isComplaint, quintile, segmentOfCode,
  purchaseActivates, stageMove, wholeDays, type CustomerFacts,
} from "../../src/domain/customers/customer-segments.js";
import { AppError } from "../../src/domain/errors.js";
import { readQuestion } from "../../src/domain/language/question-intent.js";
import { LOW_SCORE_MAX, isLowScore } from "../../src/domain/surveys/survey-answer.js";

/** An ordinary steady buyer: ordered 5 days ago, every 20 days, for a year; middling RFM. */
function buyer(overrides: Partial<CustomerFacts> = {}): CustomerFacts {
  return {
    orderCount: 18,
    daysSinceLastOrder: 5,
    daysSinceFirstOrder: 360,
    medianGapDays: 20,
    ordersLast90: 4,
    ordersPrevious90: 5,
    complaints30: 0,
    lowScores30: 0,
    interactions90: 6,
    rfm: { r: 3, f: 3, m: 3 },
    boughtSinceAtRisk: false,
    ...overrides,
  };
}

function prospect(overrides: Partial<CustomerFacts> = {}): CustomerFacts {
  return {
    orderCount: 0, daysSinceLastOrder: null, daysSinceFirstOrder: null, medianGapDays: null, ordersLast90: 0, ordersPrevious90: 0,
    complaints30: 0, lowScores30: 0, interactions90: 0, rfm: null, boughtSinceAtRisk: false, ...overrides,
  };
}

describe("segment rules at their boundaries", () => {
  it("an ordinary buyer is in no segment", () => {
    expect(classifyCustomer(buyer())).toBeNull();
  });

  it("lost at 180 days without an order, not at 179", () => {
    expect(classifyCustomer(buyer({ daysSinceLastOrder: 179, medianGapDays: 100, ordersLast90: 0, ordersPrevious90: 0 }))).toBeNull();
    expect(classifyCustomer(buyer({ daysSinceLastOrder: 180, medianGapDays: 100, ordersLast90: 0, ordersPrevious90: 0 }))).toEqual({ segment: "lost", reason: { rule: "lost", daysSince: 180 } });
    expect(SEGMENT_RULES.LOST_AFTER_DAYS).toBe(180);
  });

  it("gap: churn-risk only when the days since exceed twice the median gap", () => {
    expect(classifyCustomer(buyer({ daysSinceLastOrder: 40, medianGapDays: 20 }))).toBeNull();
    expect(classifyCustomer(buyer({ daysSinceLastOrder: 41, medianGapDays: 20 }))).toEqual({ segment: "churn-risk", reason: { rule: "gap", daysSince: 41, medianGapDays: 20 } });
    // The median is kept to a tenth of a day in the reason; the rule compares the exact value.
    expect(classifyCustomer(buyer({ daysSinceLastOrder: 41, medianGapDays: 20.44 }))?.reason).toEqual({ rule: "gap", daysSince: 41, medianGapDays: 20.4 });
    expect(classifyCustomer(buyer({ daysSinceLastOrder: 41, medianGapDays: 20.5 }))).toBeNull();
  });

  it("gap needs at least two orders (one gap)", () => {
    expect(classifyCustomer(buyer({ orderCount: 1, daysSinceLastOrder: 100, daysSinceFirstOrder: 100, medianGapDays: null, ordersLast90: 0, ordersPrevious90: 0 }))).toBeNull();
    expect(classifyCustomer(buyer({ orderCount: 1, daysSinceLastOrder: 100, medianGapDays: 3, ordersLast90: 0, ordersPrevious90: 0 }))).toBeNull();
  });

  it("slowing: fewer than half the previous window's orders, never exactly half, never from nothing", () => {
    expect(classifyCustomer(buyer({ ordersLast90: 3, ordersPrevious90: 6 }))).toBeNull();
    expect(classifyCustomer(buyer({ ordersLast90: 2, ordersPrevious90: 5 }))).toEqual({ segment: "churn-risk", reason: { rule: "slowing", last90: 2, previous90: 5 } });
    expect(classifyCustomer(buyer({ ordersLast90: 1, ordersPrevious90: 6 }))?.reason).toEqual({ rule: "slowing", last90: 1, previous90: 6 });
    expect(classifyCustomer(buyer({ ordersLast90: 0, ordersPrevious90: 1 }))?.reason).toEqual({ rule: "slowing", last90: 0, previous90: 1 });
    expect(classifyCustomer(buyer({ ordersLast90: 0, ordersPrevious90: 0 }))).toBeNull();
  });

  it("complaints: two complaints or low scores together in 30 days, one is not enough", () => {
    expect(classifyCustomer(buyer({ complaints30: 1 }))).toBeNull();
    expect(classifyCustomer(buyer({ lowScores30: 1 }))).toBeNull();
    expect(classifyCustomer(buyer({ complaints30: 1, lowScores30: 1 }))).toEqual({ segment: "churn-risk", reason: { rule: "complaints", complaints: 1, lowScores: 1 } });
    expect(classifyCustomer(buyer({ complaints30: 2 }))?.reason).toEqual({ rule: "complaints", complaints: 2, lowScores: 0 });
    expect(classifyCustomer(buyer({ lowScores30: 2 }))?.reason).toEqual({ rule: "complaints", complaints: 0, lowScores: 2 });
  });

  it("churn-risk names the first rule that fired: gap, then slowing, then complaints", () => {
    expect(classifyCustomer(buyer({ daysSinceLastOrder: 62, medianGapDays: 20, ordersLast90: 1, ordersPrevious90: 6, complaints30: 3 }))?.reason.rule).toBe("gap");
    expect(classifyCustomer(buyer({ ordersLast90: 1, ordersPrevious90: 6, complaints30: 3 }))?.reason.rule).toBe("slowing");
  });

  it("new: first order fewer than 30 days ago", () => {
    const fresh = { orderCount: 2, daysSinceLastOrder: 3, medianGapDays: 9, ordersLast90: 2, ordersPrevious90: 0 };
    expect(classifyCustomer(buyer({ ...fresh, daysSinceFirstOrder: 12 }))).toEqual({ segment: "new", reason: { rule: "new", firstOrderDays: 12 } });
    expect(classifyCustomer(buyer({ ...fresh, daysSinceFirstOrder: 29 }))?.segment).toBe("new");
    expect(classifyCustomer(buyer({ ...fresh, daysSinceFirstOrder: 30 }))).toBeNull();
    expect(classifyCustomer(buyer({ ...fresh, daysSinceFirstOrder: 0, daysSinceLastOrder: 0, orderCount: 1, medianGapDays: null }))?.reason).toEqual({ rule: "new", firstOrderDays: 0 });
  });

  it("high-value: frequency and monetary quintiles both 4 or more", () => {
    expect(classifyCustomer(buyer({ rfm: { r: 1, f: 4, m: 4 } }))).toEqual({ segment: "high-value", reason: { rule: "rfm", r: 1, f: 4, m: 4 } });
    expect(classifyCustomer(buyer({ rfm: { r: 5, f: 3, m: 5 } }))).toBeNull();
    expect(classifyCustomer(buyer({ rfm: { r: 5, f: 5, m: 3 } }))).toBeNull();
    expect(classifyCustomer(buyer({ rfm: { r: 5, f: 5, m: 5 } }))?.segment).toBe("high-value");
  });

  it("potential: never bought, and at least 2 interactions in 90 days", () => {
    expect(classifyCustomer(prospect({ interactions90: 2 }))).toEqual({ segment: "potential", reason: { rule: "engaged", interactions: 2 } });
    expect(classifyCustomer(prospect({ interactions90: 1 }))).toBeNull();
    expect(classifyCustomer(prospect({ interactions90: 9, complaints30: 5 }))?.segment).toBe("potential");
    // A buyer, however engaged, is never potential.
    expect(classifyCustomer(buyer({ interactions90: 30 }))).toBeNull();
  });

  it("priority: lost > churn-risk > new > high-value", () => {
    const everything = buyer({ daysSinceLastOrder: 200, medianGapDays: 10, complaints30: 4, daysSinceFirstOrder: 200, rfm: { r: 1, f: 5, m: 5 } });
    expect(classifyCustomer(everything)?.segment).toBe("lost");
    const newAndComplaining = buyer({ orderCount: 1, daysSinceFirstOrder: 10, daysSinceLastOrder: 10, medianGapDays: null, complaints30: 2, rfm: { r: 5, f: 4, m: 4 } });
    expect(classifyCustomer(newAndComplaining)?.segment).toBe("churn-risk");
    const newAndBig = buyer({ orderCount: 3, daysSinceFirstOrder: 10, daysSinceLastOrder: 1, medianGapDays: 4, ordersLast90: 3, ordersPrevious90: 0, rfm: { r: 5, f: 4, m: 5 } });
    expect(classifyCustomer(newAndBig)?.segment).toBe("new");
  });
});

describe("RFM quintiles", () => {
  it("splits distinct values into fifths, best fifth 5", () => {
    // 101 customers: 100 gaps between the lowest and the highest.
    expect(quintile(1, 101)).toBe(1);
    expect(quintile(20, 101)).toBe(1);
    expect(quintile(21, 101)).toBe(2);
    expect(quintile(41, 101)).toBe(3);
    expect(quintile(61, 101)).toBe(4);
    expect(quintile(80, 101)).toBe(4);
    expect(quintile(81, 101)).toBe(5);
    expect(quintile(101, 101)).toBe(5);
  });

  it("gives ties (which share the lowest rank) one score, and a lone customer 1", () => {
    // 70 of 100 customers tied at the bottom: they all rank 1 and score 1, not the middle.
    expect(quintile(1, 100)).toBe(1);
    expect(quintile(71, 100)).toBe(4);
    expect(quintile(1, 1)).toBe(1);
    expect(quintile(2, 2)).toBe(5);
  });

  it("counts whole days of elapsed time", () => {
    const now = new Date("2026-11-24T02:00:00Z");
    expect(wholeDays(new Date("2026-05-28T02:00:00Z"), now)).toBe(180);
    expect(wholeDays(new Date("2026-05-28T02:00:00.001Z"), now)).toBe(179);
    expect(wholeDays(new Date("2026-11-25T00:00:00Z"), now)).toBe(0);
  });
});

describe("stage moves", () => {
  const risk = classifyCustomer(buyer({ complaints30: 2 }));
  const lost = classifyCustomer(buyer({ daysSinceLastOrder: 200 }));

  it("ACTIVE -> AT_RISK on churn-risk, with the segment's reason", () => {
    expect(stageMove("ACTIVE", buyer({ complaints30: 2 }), risk)).toEqual({ to: "AT_RISK", reason: { rule: "complaints", complaints: 2, lowScores: 0 } });
    expect(stageMove("AT_RISK", buyer({ complaints30: 2 }), risk)).toBeNull();
  });

  it("ACTIVE or AT_RISK -> CHURNED when lost; CHURNED stays", () => {
    expect(stageMove("ACTIVE", buyer({ daysSinceLastOrder: 200 }), lost)).toEqual({ to: "CHURNED", reason: { rule: "lost", daysSince: 200 } });
    expect(stageMove("AT_RISK", buyer({ daysSinceLastOrder: 200 }), lost)?.to).toBe("CHURNED");
    expect(stageMove("CHURNED", buyer({ daysSinceLastOrder: 200 }), lost)).toBeNull();
  });

  it("AT_RISK -> ACTIVE once a buyer is neither churn-risk nor lost", () => {
    expect(stageMove("AT_RISK", buyer({ boughtSinceAtRisk: true }), null)).toEqual({ to: "ACTIVE", reason: { rule: "recovered", daysSince: 5 } });
    const fresh = buyer({ daysSinceFirstOrder: 3, daysSinceLastOrder: 3 });
    expect(stageMove("AT_RISK", fresh, classifyCustomer(fresh))?.to).toBe("ACTIVE");
    expect(stageMove("AT_RISK", prospect({ interactions90: 5 }), classifyCustomer(prospect({ interactions90: 5 })))).toBeNull();
  });

  it("says buying again only after an order since the move to AT_RISK, else no longer at risk", () => {
    expect(stageMove("AT_RISK", buyer({ boughtSinceAtRisk: false }), null)).toEqual({ to: "ACTIVE", reason: { rule: "settled", daysSince: 5 } });
    expect(stageMove("AT_RISK", buyer({ boughtSinceAtRisk: true }), null)?.reason.rule).toBe("recovered");
  });

  it("a purchase activates only when fewer than LOST_AFTER_DAYS ago", () => {
    const now = new Date("2026-11-25T02:00:00Z");
    const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
    expect(purchaseActivates(now, now)).toBe(true);
    expect(purchaseActivates(daysAgo(SEGMENT_RULES.LOST_AFTER_DAYS - 0.5), now)).toBe(true);
    expect(purchaseActivates(daysAgo(SEGMENT_RULES.LOST_AFTER_DAYS), now)).toBe(false);
    expect(purchaseActivates(daysAgo(400), now)).toBe(false);
  });

  it("leaves leads, prospects and churned customers to purchases", () => {
    for (const stage of ["LEAD", "PROSPECT", "CHURNED"] as const) {
      expect(stageMove(stage, buyer({ complaints30: 2 }), risk)).toBeNull();
      expect(stageMove(stage, buyer(), null)).toBeNull();
    }
  });
});

describe("complaints", () => {
  const complaints = [
    "我要投诉你们的售后", "给你们差评", "服务太差了", "质量很差，完全不能用", "非常不满意", "真的很失望", "什么垃圾产品", "再不处理我就要求退款",
    "你们就是骗子", "我要去消协维权", "你们的服务差劲", "ＣＯＭＰＬＡＩＮＴ about the invoice",
    "I want to file a complaint", "We keep complaining and nothing happens", "Terrible service, again", "The support was terrible",
    "Worst experience ever", "This is unacceptable", "Very disappointed with the delivery", "We are not happy with the quality",
    "I want a refund", "Please refund my payment", "Total rip-off", "We are fed up with the delays", "I want my money back",
    "No complaints about the price, but the delivery was awful service",
  ];
  const nearMisses = [
    "没有投诉，谢谢", "我们没投诉过", "有问题会联系你们，不会投诉的", "投诉已经解决了，谢谢", "不会给差评的", "质量不太差", "质量不是很差", "没有不满意",
    "不失望", "不要退款了，换货就行", "你们的邮件进了垃圾邮件箱", "价格差不多", "还有差价吗", "退款已经到账，谢谢",
    "No complaints, thanks!", "Can't complain", "I cannot complain", "Nothing to complain about", "The complaint was resolved, thanks",
    "Not disappointed at all", "You never disappoint", "We don't need a refund", "Is the last quote still valid?", "Received, thanks",
    "In the worst case we will reorder next month", "Happy with the delivery",
  ];

  it.each(complaints)("reads “%s” as a complaint", (text) => {
    expect(isComplaint(text)).toBe(true);
  });

  it.each(nearMisses)("does not read “%s” as a complaint", (text) => {
    expect(isComplaint(text)).toBe(false);
  });

  it("has a plain-word hint in every complaint (Postgres tests the hint first)", () => {
    const hint = new RegExp(COMPLAINT_HINT_PATTERN);
    for (const text of complaints) expect(hint.test(text.normalize("NFKC").toLowerCase()), text).toBe(true);
  });

  it("counts a low score as isLowScore does", () => {
    expect(LOW_SCORE_MAX).toEqual({ CSAT: 2, NPS: 6 });
    expect(isLowScore("CSAT", LOW_SCORE_MAX.CSAT)).toBe(true);
    expect(isLowScore("CSAT", LOW_SCORE_MAX.CSAT + 1)).toBe(false);
    expect(isLowScore("NPS", LOW_SCORE_MAX.NPS)).toBe(true);
    expect(isLowScore("NPS", LOW_SCORE_MAX.NPS + 1)).toBe(false);
  });
});

describe("segment names", () => {
  it("are the plain-question parser's names, each with its database code", () => {
    const asked = ["high value customers", "potential customers", "new customers", "who is at risk", "lost customers"].map((q) => readQuestion(q, new Date("2026-11-20T04:00:00Z"), "Asia/Shanghai"));
    expect(asked.map((q) => (q.kind === "segment" ? q.segment : q.kind))).toEqual([...SEGMENT_NAMES]);
    for (const name of SEGMENT_NAMES) expect(segmentOfCode(SEGMENT_CODES[name])).toBe(name);
  });

  it("/segment reads names, aliases and Chinese", () => {
    const cases: [string, string | undefined][] = [
      ["", undefined], ["  ", undefined], ["churn-risk", "churn-risk"], ["at risk", "churn-risk"], ["At-Risk", "churn-risk"], ["churning", "churn-risk"], ["churn", "churn-risk"],
      ["流失风险", "churn-risk"], ["流失风险客户", "churn-risk"], ["high value", "high-value"], ["VIP", "high-value"], ["valuable customers", "high-value"], ["高价值", "high-value"],
      ["leads", "potential"], ["lead", "potential"], ["潜力", "potential"], ["new", "new"], ["新客户", "new"], ["lost", "lost"], ["已流失", "lost"], ["churned", "lost"],
      ["ｈｉｇｈ－ｖａｌｕｅ", "high-value"],
    ];
    for (const [text, segment] of cases) expect(parseSegmentText(text), text).toBe(segment);
  });

  it("/segment refuses other words with the names it knows", () => {
    for (const text of ["best", "constructor", "toString", "high", "流"]) {
      const error = (() => {
        try {
          parseSegmentText(text);
        } catch (e) {
          return e;
        }
      })();
      expect(error, text).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("INVALID_INPUT");
      expect((error as AppError).params.list).toContain("churn-risk");
    }
  });
});

describe("reasons in the reader's language", () => {
  const en = { t: translator("en"), f: createFormatter("en", "Asia/Shanghai") };
  const zh = { t: translator("zh-CN"), f: createFormatter("zh-CN", "Asia/Shanghai") };

  it("says every rule's figures", () => {
    expect(stageReasonText(en, { rule: "gap", daysSince: 62, medianGapDays: 20 })).toBe("62 days since the last order; usually every 20 days");
    expect(stageReasonText(zh, { rule: "gap", daysSince: 62, medianGapDays: 20 })).toBe("距上次下单62天，平常每20天一单");
    expect(stageReasonText(en, { rule: "gap", daysSince: 3, medianGapDays: 0 })).toBe("3 days since the last order; usually every less than a day");
    expect(stageReasonText(en, { rule: "gap", daysSince: 3, medianGapDays: 1 })).toBe("3 days since the last order; usually every 1 day");
    expect(stageReasonText(en, { rule: "slowing", last90: 1, previous90: 6 })).toBe("orders: 1 in the last 90 days, 6 in the 90 days before");
    expect(stageReasonText(zh, { rule: "complaints", complaints: 1, lowScores: 1 })).toBe("最近 30 天投诉 1 次、调查低分 1 次");
    expect(stageReasonText(en, { rule: "lost", daysSince: 200 })).toBe("no order for 200 days");
    expect(stageReasonText(en, { rule: "new", firstOrderDays: 12 })).toBe("first order 12 days ago");
    expect(stageReasonText(en, { rule: "new", firstOrderDays: 0 })).toBe("first order today");
    expect(stageReasonText(en, { rule: "rfm", r: 3, f: 5, m: 4 })).toBe("RFM 3-5-4: buys often and spends a lot");
    expect(stageReasonText(zh, { rule: "engaged", interactions: 4 })).toBe("最近 90 天互动 4 次，尚未下单");
    expect(stageReasonText(en, { rule: "recovered", daysSince: 3 })).toBe("buying again: last order 3 days ago");
    expect(stageReasonText(en, { rule: "settled", daysSince: 15 })).toBe("no longer at risk: last order 15 days ago");
    expect(stageReasonText(zh, { rule: "settled", daysSince: 15 })).toBe("不再有流失风险：15天前下过单");
    expect(stageReasonText(zh, { rule: "purchase" })).toBe("下了订单");
  });

  it("reads a reason it does not know as nothing", () => {
    expect(stageReasonText(en, { rule: "astrology" })).toBe("");
    expect(stageReasonText(en, null)).toBe("");
  });
});
