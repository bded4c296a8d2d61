import { describe, expect, it } from "vitest";
import { MAX_QUESTION_LENGTH, MAX_TOP, readQuestion, type QuestionIntent, type RankMetric, type ReportKind, type SegmentName } from "../../src/domain/language/question-intent.js";
import { calendarPeriod, lastDays, type ReportPeriod } from "../../src/domain/time/report-period.js";

const SHANGHAI = "Asia/Shanghai";
/** Thursday 14 May 2026 02:30 in Shanghai; the UTC date is a day behind, so a period read in the wrong zone shows. */
const NOW = new Date("2026-05-13T18:30:00Z");

function read(text: string): QuestionIntent {
  return readQuestion(text, NOW, SHANGHAI);
}

const P = {
  today: calendarPeriod("day", NOW, SHANGHAI),
  thisWeek: calendarPeriod("week", NOW, SHANGHAI),
  lastWeek: calendarPeriod("week", NOW, SHANGHAI, -1),
  thisMonth: calendarPeriod("month", NOW, SHANGHAI),
  lastMonth: calendarPeriod("month", NOW, SHANGHAI, -1),
  thisQuarter: calendarPeriod("quarter", NOW, SHANGHAI),
  lastQuarter: calendarPeriod("quarter", NOW, SHANGHAI, -1),
  thisYear: calendarPeriod("year", NOW, SHANGHAI),
  last7: lastDays(7, NOW),
  last30: lastDays(30, NOW),
  last90: lastDays(90, NOW),
};

function top(fields: { count?: number; metric?: RankMetric; period?: ReportPeriod } = {}): QuestionIntent {
  return { kind: "top", ...fields };
}
function history(customer: string): QuestionIntent {
  return { kind: "history", customer };
}
function segment(name: SegmentName): QuestionIntent {
  return { kind: "segment", segment: name };
}
function report(kind: ReportKind, last = false): QuestionIntent {
  return last ? { kind: "report", report: kind, last } : { kind: "report", report: kind };
}
function csat(period?: ReportPeriod): QuestionIntent {
  return period ? { kind: "csat", period } : { kind: "csat" };
}
const DIGEST: QuestionIntent = { kind: "digest" };
const UNKNOWN: QuestionIntent = { kind: "unknown" };

type Table = ReadonlyArray<readonly [string, QuestionIntent]>;

const TOP: Table = [
  ["top 5 clients this quarter", top({ count: 5, period: P.thisQuarter })],
  ["top clients", top()],
  ["top customers", top()],
  ["Top Customers", top()],
  ["top", top()],
  ["top 5", top({ count: 5 })],
  ["top 5 by revenue", top({ count: 5, metric: "revenue" })],
  ["top 10 customers by revenue this year", top({ count: 10, metric: "revenue", period: P.thisYear })],
  ["best 3 customers by orders last 90 days", top({ count: 3, metric: "orders", period: P.last90 })],
  ["top 10 customers in the last 7 days", top({ count: 10, period: P.last7 })],
  ["top customers for last month", top({ period: P.lastMonth })],
  ["top customers of the year", top({ period: P.thisYear })],
  ["top 5 clients this quarter by revenue", top({ count: 5, metric: "revenue", period: P.thisQuarter })],
  ["who are our top customers", top()],
  ["who are the top 5 customers by revenue", top({ count: 5, metric: "revenue" })],
  ["what are our best clients", top()],
  ["biggest customers", top()],
  ["largest accounts", top()],
  ["big customers", top()],
  ["the 5 biggest customers", top({ count: 5 })],
  ["our 10 best clients", top({ count: 10 })],
  ["top ten clients", top({ count: 10 })],
  ["top twenty customers", top({ count: 20 })],
  ["best three customers", top({ count: 3 })],
  ["highest value customers this month", top({ metric: "clv", period: P.thisMonth })],
  ["highest-value customers", top({ metric: "clv" })],
  ["most valuable customers", top({ metric: "clv" })],
  ["top customers by clv", top({ metric: "clv" })],
  ["top customers by lifetime value", top({ metric: "clv" })],
  ["top customers by value", top({ metric: "clv" })],
  ["top customers by sales", top({ metric: "revenue" })],
  ["top customers by number of orders", top({ metric: "orders" })],
  ["highest revenue customers", top({ metric: "revenue" })],
  ["top spenders", top({ metric: "revenue" })],
  ["top 10 high value customers", top({ count: 10, metric: "clv" })],
  ["10 high value customers", top({ count: 10, metric: "clv" })],
  ["customers with the most orders", top({ metric: "orders" })],
  ["5 clients with the highest revenue", top({ count: 5, metric: "revenue" })],
  ["rank customers by revenue", top({ metric: "revenue" })],
  ["customer ranking", top()],
  ["customer leaderboard by orders", top({ metric: "orders" })],
  ["who spent the most", top({ metric: "revenue" })],
  ["which customers ordered the most", top({ metric: "orders" })],
  // A singular noun asks for one.
  ["who is our top customer", top({ count: 1 })],
  ["biggest customer this year", top({ count: 1, period: P.thisYear })],
  ["which customer ordered the most", top({ count: 1, metric: "orders" })],
  ["top客户", top()],
  ["top 10客户", top({ count: 10 })],
  ["本季度前十大客户", top({ count: 10, period: P.thisQuarter })],
  ["本季度的前十大客户", top({ count: 10, period: P.thisQuarter })],
  ["前十大客户(本季度)", top({ count: 10, period: P.thisQuarter })],
  ["前5名客户", top({ count: 5 })],
  ["前10位客户", top({ count: 10 })],
  ["前10的客户", top({ count: 10 })],
  ["排名前十的客户", top({ count: 10 })],
  ["最近30天前十大客户", top({ count: 10, period: P.last30 })],
  ["前5名客户最近三十天", top({ count: 5, period: P.last30 })],
  ["今年收入最高的客户", top({ metric: "revenue", period: P.thisYear })],
  ["订单最多的10个客户", top({ count: 10, metric: "orders" })],
  ["价值最高的客户", top({ metric: "clv" })],
  ["消费最多的客户", top({ metric: "revenue" })],
  ["下单最多的三个客户", top({ count: 3, metric: "orders" })],
  ["按收入排名前十的客户", top({ count: 10, metric: "revenue" })],
  ["收入前十的客户", top({ count: 10, metric: "revenue" })],
  ["前十大客户按订单数", top({ count: 10, metric: "orders" })],
  ["十大客户", top({ count: 10 })],
  ["大客户", top()],
  ["我们的大客户有哪些", top()],
  ["最大的客户", top()],
  ["最有价值的客户", top({ metric: "clv" })],
  ["十个高价值客户", top({ count: 10, metric: "clv" })],
  ["前10位高价值客户", top({ count: 10, metric: "clv" })],
  ["哪个客户收入最高", top({ count: 1, metric: "revenue" })],
  ["哪些客户订单最多", top({ metric: "orders" })],
  ["客户排名", top()],
  ["客户收入排行榜", top({ metric: "revenue" })],
];

const COUNTS: Table = [
  ["前一名客户", top({ count: 1 })],
  ["前两名客户", top({ count: 2 })],
  ["前九名客户", top({ count: 9 })],
  ["前十五名客户", top({ count: 15 })],
  ["前二十名客户", top({ count: 20 })],
  ["前三十五名客户", top({ count: 35 })],
  ["前五十名客户", top({ count: 50 })],
  [`top ${MAX_TOP} customers`, top({ count: MAX_TOP })],
  ["top 1 customer", top({ count: 1 })],
  ["top 05 customers", top({ count: 5 })],
  // Out of range is unknown, never clamped.
  [`top ${MAX_TOP + 1} customers`, UNKNOWN],
  ["top 500 customers", UNKNOWN],
  ["top 0 customers", UNKNOWN],
  ["top 99999999999999999999 customers", UNKNOWN],
  ["前五十一名客户", UNKNOWN],
  ["前一百名客户", UNKNOWN],
  ["前零名客户", UNKNOWN],
  ["前三五名客户", UNKNOWN],
  ["前十十名客户", UNKNOWN],
];

const HISTORY: Table = [
  ["history of Acme", history("Acme")],
  ["Acme history", history("Acme")],
  ["Acme's history", history("Acme")],
  ["Acme’s timeline", history("Acme")],
  ["show me the history of Acme Ltd", history("Acme Ltd")],
  ["the full history of Acme", history("Acme")],
  ["history for Acme Trading", history("Acme Trading")],
  ["history Acme", history("Acme")],
  ["what happened with Acme", history("Acme")],
  ["what's going on with Acme", history("Acme")],
  ["what has been happening with Acme lately", history("Acme")],
  ["what's new with Acme recently", history("Acme")],
  ["timeline for 阿里巴巴", history("阿里巴巴")],
  ["history of 阿里巴巴集团", history("阿里巴巴集团")],
  ["Acme的历史", history("Acme")],
  ["阿里巴巴的历史", history("阿里巴巴")],
  ["阿里巴巴的历史记录", history("阿里巴巴")],
  ["阿里巴巴历史", history("阿里巴巴")],
  ["查看阿里巴巴的记录", history("阿里巴巴")],
  ["阿里巴巴的订单记录", history("阿里巴巴")],
  ["阿里巴巴的时间线", history("阿里巴巴")],
  ["阿里巴巴最近怎么样", history("阿里巴巴")],
  ["阿里巴巴最近有什么进展", history("阿里巴巴")],
  ["腾讯近况", history("腾讯")],
  // Quotes around the name go; the name is kept as typed.
  ["history of “Acme Ltd”", history("Acme Ltd")],
  ["history of \"Acme\"", history("Acme")],
  ["history of 'Acme'", history("Acme")],
  ["「阿里巴巴」的历史", history("阿里巴巴")],
  ["“阿里巴巴”的历史记录", history("阿里巴巴")],
  ["《阿里巴巴》的历史", history("阿里巴巴")],
  ["history of ACME Trading", history("ACME Trading")],
  ["history of   Acme    Ltd  ", history("Acme Ltd")],
  // A full stop ends the sentence, but belongs to "Ltd." and to initials.
  ["show me the history of Acme.", history("Acme")],
  ["history of Acme Trading Co., Ltd.", history("Acme Trading Co., Ltd.")],
  ["history of A.C.M.E.", history("A.C.M.E.")],
  // A name is not searched for periods or command words: companies are called that.
  ["Year Up history", history("Year Up")],
  ["history of Acme this year", history("Acme this year")],
  ["Top Gear history", history("Top Gear")],
  ["今天国际的历史", history("今天国际")],
  ["history of ＡＣＭＥ", history("ACME")],
];

const SEGMENT: Table = [
  ["who is at risk", segment("churn-risk")],
  ["who's at risk", segment("churn-risk")],
  ["who is at risk of churning", segment("churn-risk")],
  ["who is at risk of leaving us", segment("churn-risk")],
  ["which customers are at risk", segment("churn-risk")],
  ["churn risk customers", segment("churn-risk")],
  ["churn-risk clients", segment("churn-risk")],
  ["at-risk customers", segment("churn-risk")],
  ["customers at risk", segment("churn-risk")],
  ["customers at risk of churning", segment("churn-risk")],
  ["customers likely to churn", segment("churn-risk")],
  ["which clients might churn", segment("churn-risk")],
  ["who might leave", segment("churn-risk")],
  ["who is likely to churn", segment("churn-risk")],
  ["churn risk", segment("churn-risk")],
  ["lost customers", segment("lost")],
  ["churned clients", segment("lost")],
  ["who have we lost", segment("lost")],
  ["which customers did we lose", segment("lost")],
  ["customers we lost", segment("lost")],
  ["who churned", segment("lost")],
  ["high value customers", segment("high-value")],
  ["high-value clients", segment("high-value")],
  ["who are our high value customers", segment("high-value")],
  ["valuable customers", segment("high-value")],
  ["potential customers", segment("potential")],
  ["prospects", segment("potential")],
  ["new customers", segment("new")],
  ["new customers this month", segment("new")],
  ["list of new customers", segment("new")],
  ["high value customers this quarter", segment("high-value")],
  ["谁有流失风险", segment("churn-risk")],
  ["哪些客户有流失风险", segment("churn-risk")],
  ["哪些客户可能流失", segment("churn-risk")],
  ["谁可能流失", segment("churn-risk")],
  ["流失风险客户", segment("churn-risk")],
  ["有流失风险的客户", segment("churn-risk")],
  ["可能流失的客户", segment("churn-risk")],
  ["高风险客户", segment("churn-risk")],
  ["高价值客户", segment("high-value")],
  ["高价值客户有哪些", segment("high-value")],
  ["哪些是高价值客户", segment("high-value")],
  ["潜在客户", segment("potential")],
  ["意向客户", segment("potential")],
  ["新客户", segment("new")],
  ["本月新客户", segment("new")],
  ["新增客户", segment("new")],
  ["有哪些新客户", segment("new")],
  ["已流失客户", segment("lost")],
  ["流失的客户", segment("lost")],
  ["哪些客户流失了", segment("lost")],
];

const REPORT: Table = [
  ["weekly report", report("weekly")],
  ["monthly report", report("monthly")],
  ["quarterly report", report("quarterly")],
  ["yearly report", report("yearly")],
  ["annual report", report("yearly")],
  ["the weekly sales report", report("weekly")],
  ["report for this quarter", report("quarterly")],
  ["report for last month", report("monthly", true)],
  ["last quarter report", report("quarterly", true)],
  ["this week's report", report("weekly")],
  ["month report", report("monthly")],
  ["weekly report this week", report("weekly")],
  // A bare report adjective is the report.
  ["monthly", report("monthly")],
  ["weekly", report("weekly")],
  ["本月报告", report("monthly")],
  ["本月的报告", report("monthly")],
  ["本周报告", report("weekly")],
  ["上周报告", report("weekly", true)],
  ["上周周报", report("weekly", true)],
  ["本季度报告", report("quarterly")],
  ["今年的报告", report("yearly")],
  ["周报", report("weekly")],
  ["月报", report("monthly")],
  ["季报", report("quarterly")],
  ["年报", report("yearly")],
  ["季度报告", report("quarterly")],
  ["年度报告", report("yearly")],
  ["月度报表", report("monthly")],
  ["每周报告", report("weekly")],
];

const CSAT: Table = [
  ["csat this month", csat(P.thisMonth)],
  ["CSAT", csat()],
  ["csat for last week", csat(P.lastWeek)],
  ["this month's csat", csat(P.thisMonth)],
  ["customer satisfaction last quarter", csat(P.lastQuarter)],
  ["customer satisfaction", csat()],
  ["satisfaction score", csat()],
  ["how satisfied are customers", csat()],
  ["how satisfied are our customers this month", csat(P.thisMonth)],
  ["are customers happy", csat()],
  ["NPS", csat()],
  ["nps last 30 days", csat(P.last30)],
  ["what's our nps", csat()],
  ["how is our csat", csat()],
  ["满意度", csat()],
  ["本月满意度", csat(P.thisMonth)],
  ["本月的满意度", csat(P.thisMonth)],
  ["客户满意度", csat()],
  ["客户满意度怎么样", csat()],
  ["客户满意度最近怎么样", csat()],
  ["上季度客户满意度如何", csat(P.lastQuarter)],
  ["最近30天的NPS", csat(P.last30)],
  ["客户满意吗", csat()],
  ["客户满不满意", csat()],
];

const DIGESTS: Table = [
  ["digest", DIGEST],
  ["Digest", DIGEST],
  ["morning digest", DIGEST],
  ["daily digest", DIGEST],
  ["today's digest", DIGEST],
  ["my digest", DIGEST],
  ["digest for today", DIGEST],
  ["morning briefing", DIGEST],
  // The digest is the daily summary, so the daily report is the digest.
  ["daily report", DIGEST],
  ["今日简报", DIGEST],
  ["简报", DIGEST],
  ["晨报", DIGEST],
  ["早报", DIGEST],
  ["日报", DIGEST],
  ["今天的简报", DIGEST],
  ["每日摘要", DIGEST],
];

const POLITE: Table = [
  ["top 5 clients this quarter?", top({ count: 5, period: P.thisQuarter })],
  ["Who are our top customers?", top()],
  ["top customers, please", top()],
  ["please show top customers", top()],
  ["pls show me the top 5 customers pls", top({ count: 5 })],
  ["can you show the top 10 customers by revenue this year please?", top({ count: 10, metric: "revenue", period: P.thisYear })],
  ["could you please show me the weekly report?", report("weekly")],
  ["can you please list new customers?", segment("new")],
  ["tell me who is at risk", segment("churn-risk")],
  ["i'd like to see the csat this month", csat(P.thisMonth)],
  ["who is at risk?!", segment("churn-risk")],
  ["digest, thanks", DIGEST],
  ["history of Acme please", history("Acme")],
  ["请帮我看看本月满意度", csat(P.thisMonth)],
  ["帮我看看谁有流失风险", segment("churn-risk")],
  ["帮我看一下周报？", report("weekly")],
  ["请给我看一下本季度前十大客户", top({ count: 10, period: P.thisQuarter })],
  ["请查看阿里巴巴的历史记录", history("阿里巴巴")],
  ["看一下高价值客户", segment("high-value")],
  ["周报一下", report("weekly")],
  ["谁有流失风险？", segment("churn-risk")],
  ["客户满意度怎么样呢", csat()],
  ["今日简报。", DIGEST],
  // NFKC: full-width letters, digits, spaces and punctuation.
  ["ｔｏｐ　５　ｃｕｓｔｏｍｅｒｓ", top({ count: 5 })],
  ["前５名客户", top({ count: 5 })],
  ["最近３０天前十大客户", top({ count: 10, period: P.last30 })],
  ["ＣＳＡＴ　ｔｈｉｓ　ｍｏｎｔｈ？", csat(P.thisMonth)],
  ["  top\tclients \n", top()],
];

const CONFLICTS: Table = [
  // Measures, kinds or periods that disagree cannot be answered faithfully.
  ["highest revenue customers by orders", UNKNOWN],
  ["top 10 high value customers by revenue", UNKNOWN],
  ["most valuable customers by orders", UNKNOWN],
  ["weekly report last month", UNKNOWN],
  ["monthly report this quarter", UNKNOWN],
  ["本月周报", UNKNOWN],
  // A report without a calendar kind.
  ["report", UNKNOWN],
  ["报告", UNKNOWN],
  ["report for the last 30 days", UNKNOWN],
  ["report for today", UNKNOWN],
  // A ranking of a segment other than high-value is not a question we can answer.
  ["top new customers", UNKNOWN],
  ["best lost customers", UNKNOWN],
  // Two periods.
  ["top customers this month vs last month", UNKNOWN],
];

const NEAR_MISSES: Table = [
  ["hello", UNKNOWN],
  ["", UNKNOWN],
  ["   ", UNKNOWN],
  ["?", UNKNOWN],
  ["thanks", UNKNOWN],
  ["please", UNKNOWN],
  ["history", UNKNOWN],
  ["history?", UNKNOWN],
  ["history of", UNKNOWN],
  ["the history", UNKNOWN],
  ["order history", UNKNOWN],
  ["my order history", UNKNOWN],
  ["chat history", UNKNOWN],
  ["history of it", UNKNOWN],
  ["history of “”", UNKNOWN],
  ["what happened", UNKNOWN],
  ["what happened with", UNKNOWN],
  ["的历史", UNKNOWN],
  ["历史", UNKNOWN],
  ["历史记录", UNKNOWN],
  ["通话记录", UNKNOWN],
  ["本月的记录", UNKNOWN],
  ["最近怎么样", UNKNOWN],
  ["你最近怎么样", UNKNOWN],
  ["生意最近怎么样", UNKNOWN],
  ["「」的历史", UNKNOWN],
  ["top of the morning", UNKNOWN],
  ["stop", UNKNOWN],
  ["best", UNKNOWN],
  ["topics", UNKNOWN],
  ["top 1.5 customers", UNKNOWN],
  ["top customers by month", UNKNOWN],
  ["reporter Acme", UNKNOWN],
  ["reports are late", UNKNOWN],
  ["I am at risk of being late", UNKNOWN],
  ["who is at risk of being late", UNKNOWN],
  ["am I at risk", UNKNOWN],
  ["risk", UNKNOWN],
  ["new customer", UNKNOWN],
  ["add a new customer", UNKNOWN],
  ["lost customer", UNKNOWN],
  ["digests are great", UNKNOWN],
  ["this month", UNKNOWN],
  ["本季度", UNKNOWN],
  ["前台电话", UNKNOWN],
  ["前十", UNKNOWN],
  ["前客户", UNKNOWN],
  ["客户", UNKNOWN],
  ["报告已发送", UNKNOWN],
  ["满意", UNKNOWN],
  ["I am satisfied", UNKNOWN],
  ["new", UNKNOWN],
];

describe("readQuestion", () => {
  describe.each([
    ["top", TOP],
    ["counts", COUNTS],
    ["history", HISTORY],
    ["segment", SEGMENT],
    ["report", REPORT],
    ["csat", CSAT],
    ["digest", DIGESTS],
    ["politeness and full-width text", POLITE],
    ["conflicts", CONFLICTS],
    ["near misses", NEAR_MISSES],
  ] as const)("%s", (_name, table) => {
    it.each(table)("%j", (text, expected) => {
      expect(read(text)).toStrictEqual(expected);
    });
  });
});

describe("readQuestion limits", () => {
  it("reads a question padded to exactly MAX_QUESTION_LENGTH and refuses one character more", () => {
    const question = "top customers";
    const padded = question + " ".repeat(MAX_QUESTION_LENGTH - question.length);
    expect(padded).toHaveLength(MAX_QUESTION_LENGTH);
    expect(read(padded)).toStrictEqual(top());
    expect(read(`${padded} `)).toStrictEqual(UNKNOWN);
  });

  it("answers unknown for long text of every kind rather than reading a part of it", () => {
    expect(read(`history of ${"Acme ".repeat(MAX_QUESTION_LENGTH)}`)).toStrictEqual(UNKNOWN);
    expect(read("的".repeat(MAX_QUESTION_LENGTH + 1))).toStrictEqual(UNKNOWN);
  });

  it("reads a long name up to the limit", () => {
    const name = "A".repeat(MAX_QUESTION_LENGTH - "history of ".length);
    expect(read(`history of ${name}`)).toStrictEqual(history(name));
  });

  it.each([
    ["a".repeat(MAX_QUESTION_LENGTH)],
    [" ".repeat(MAX_QUESTION_LENGTH)],
    ["?".repeat(MAX_QUESTION_LENGTH)],
    ["的".repeat(MAX_QUESTION_LENGTH)],
    ["top ".repeat(MAX_QUESTION_LENGTH / 4)],
    ["who is at risk ".repeat(Math.floor(MAX_QUESTION_LENGTH / 15))],
    ["前十大".repeat(Math.floor(MAX_QUESTION_LENGTH / 3))],
    ["\ud800".repeat(MAX_QUESTION_LENGTH)],
  ])("answers unknown for repetitive text %#", (text) => {
    expect(read(text)).toStrictEqual(UNKNOWN);
  });
});

describe("readQuestion never throws", () => {
  const INVALID_NOW = new Date(Number.NaN);

  it("answers unknown when a named period cannot be placed in time", () => {
    expect(readQuestion("top customers this month", INVALID_NOW, SHANGHAI)).toStrictEqual(UNKNOWN);
    expect(readQuestion("本月满意度", NOW, "Not/A_Zone")).toStrictEqual(UNKNOWN);
  });

  it("still reads questions without a period, and history, whose name is not searched for one", () => {
    expect(readQuestion("top 5 customers", INVALID_NOW, SHANGHAI)).toStrictEqual(top({ count: 5 }));
    expect(readQuestion("weekly report", NOW, "Not/A_Zone")).toStrictEqual(report("weekly"));
    expect(readQuestion("Year Up history", NOW, "Not/A_Zone")).toStrictEqual(history("Year Up"));
  });

  it("answers unknown for a value that is not text", () => {
    expect(readQuestion(undefined as unknown as string, NOW, SHANGHAI)).toStrictEqual(UNKNOWN);
    expect(readQuestion(42 as unknown as string, NOW, SHANGHAI)).toStrictEqual(UNKNOWN);
  });
});

describe("readQuestion results", () => {
  it("places periods in the zone it is given", () => {
    const newYork = "America/New_York";
    expect(readQuestion("csat this month", NOW, newYork)).toStrictEqual(csat(calendarPeriod("month", NOW, newYork)));
    // 18:30 UTC on 13 May is still 13 May in New York but 14 May in Shanghai: today differs.
    const todayInNewYork = calendarPeriod("day", NOW, newYork);
    expect(todayInNewYork).not.toStrictEqual(P.today);
    expect(readQuestion("top customers today", NOW, newYork)).toStrictEqual(top({ period: todayInNewYork }));
  });

  it("gives a fresh object each time, so a caller changing one does not change the next", () => {
    const first = read("top 5 customers this month");
    if (first.kind !== "top") throw new Error(`expected top, got ${first.kind}`);
    first.count = 7;
    first.period?.from.setTime(0);
    expect(read("top 5 customers this month")).toStrictEqual(top({ count: 5, period: calendarPeriod("month", NOW, SHANGHAI) }));
  });
});

describe("pipeline questions", () => {
  it("reads what is closing, with or without a period, in English and Chinese", () => {
    expect(read("what's closing this month")).toEqual({ kind: "closing", period: P.thisMonth });
    expect(read("What deals are closing this quarter?")).toEqual({ kind: "closing", period: P.thisQuarter });
    expect(read("deals closing")).toEqual({ kind: "closing" });
    expect(read("本月要成交的单")).toEqual({ kind: "closing", period: P.thisMonth });
    expect(read("本季度哪些商机要成交")).toEqual({ kind: "closing", period: P.thisQuarter });
  });

  it("reads the win rate, and leaves lookalikes unknown", () => {
    expect(read("win rate this quarter")).toEqual({ kind: "winRate", period: P.thisQuarter });
    expect(read("what's our win rate")).toEqual({ kind: "winRate" });
    expect(read("本季度赢单率是多少")).toEqual({ kind: "winRate", period: P.thisQuarter });
    expect(read("closing the door").kind).toBe("unknown");
    expect(read("win rate of Acme").kind).toBe("unknown");
  });
});
