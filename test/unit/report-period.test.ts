import { describe, expect, it } from "vitest";
import { MAX_LAST_DAYS, calendarPeriod, findPeriod, lastDays, parsePeriod, type ReportPeriod } from "../../src/domain/time/report-period.js";

const SHANGHAI = "Asia/Shanghai";
const NEW_YORK = "America/New_York";
const BERLIN = "Europe/Berlin";
const HOUR = 60 * 60 * 1000;

/**
 * Wednesday 2026-05-13 18:30 UTC is Thursday 2026-05-14 02:30 in Shanghai (UTC+8, no DST): the UTC
 * date is a day behind, so a period computed from the UTC date would be caught out. Shanghai
 * midnight is 16:00 UTC the day before.
 */
const NOW = new Date("2026-05-13T18:30:00Z");

interface Shown {
  label: ReportPeriod["label"];
  from: string;
  to: string;
  previous: { from: string; to: string };
}

function show(period: ReportPeriod | undefined): Shown | undefined {
  if (!period) return undefined;
  return {
    label: period.label,
    from: period.from.toISOString(),
    to: period.to.toISOString(),
    previous: { from: period.previous.from.toISOString(), to: period.previous.to.toISOString() },
  };
}

function expected(label: ReportPeriod["label"], from: string, to: string, previousFrom: string, previousTo: string): Shown {
  return { label, from: `${from}.000Z`, to: `${to}.000Z`, previous: { from: `${previousFrom}.000Z`, to: `${previousTo}.000Z` } };
}

function hours(period: { from: Date; to: Date }): number {
  return (period.to.getTime() - period.from.getTime()) / HOUR;
}

/** Worked out by hand for NOW in Shanghai (Thursday 14 May 2026; the week began Monday 11 May). */
const IN_SHANGHAI = {
  today: expected({ key: "today" }, "2026-05-13T16:00:00", "2026-05-14T16:00:00", "2026-05-12T16:00:00", "2026-05-13T16:00:00"),
  yesterday: expected({ key: "yesterday" }, "2026-05-12T16:00:00", "2026-05-13T16:00:00", "2026-05-11T16:00:00", "2026-05-12T16:00:00"),
  thisWeek: expected({ key: "thisWeek" }, "2026-05-10T16:00:00", "2026-05-17T16:00:00", "2026-05-03T16:00:00", "2026-05-10T16:00:00"),
  lastWeek: expected({ key: "lastWeek" }, "2026-05-03T16:00:00", "2026-05-10T16:00:00", "2026-04-26T16:00:00", "2026-05-03T16:00:00"),
  thisMonth: expected({ key: "thisMonth" }, "2026-04-30T16:00:00", "2026-05-31T16:00:00", "2026-03-31T16:00:00", "2026-04-30T16:00:00"),
  lastMonth: expected({ key: "lastMonth" }, "2026-03-31T16:00:00", "2026-04-30T16:00:00", "2026-02-28T16:00:00", "2026-03-31T16:00:00"),
  thisQuarter: expected({ key: "thisQuarter" }, "2026-03-31T16:00:00", "2026-06-30T16:00:00", "2025-12-31T16:00:00", "2026-03-31T16:00:00"),
  lastQuarter: expected({ key: "lastQuarter" }, "2025-12-31T16:00:00", "2026-03-31T16:00:00", "2025-09-30T16:00:00", "2025-12-31T16:00:00"),
  thisYear: expected({ key: "thisYear" }, "2025-12-31T16:00:00", "2026-12-31T16:00:00", "2024-12-31T16:00:00", "2025-12-31T16:00:00"),
  lastYear: expected({ key: "lastYear" }, "2024-12-31T16:00:00", "2025-12-31T16:00:00", "2023-12-31T16:00:00", "2024-12-31T16:00:00"),
  // Elapsed days back from 18:30 UTC on 13 May, whatever the zone.
  last1: expected({ key: "lastDays", days: 1 }, "2026-05-12T18:30:00", "2026-05-13T18:30:00", "2026-05-11T18:30:00", "2026-05-12T18:30:00"),
  last7: expected({ key: "lastDays", days: 7 }, "2026-05-06T18:30:00", "2026-05-13T18:30:00", "2026-04-29T18:30:00", "2026-05-06T18:30:00"),
  last14: expected({ key: "lastDays", days: 14 }, "2026-04-29T18:30:00", "2026-05-13T18:30:00", "2026-04-15T18:30:00", "2026-04-29T18:30:00"),
  last30: expected({ key: "lastDays", days: 30 }, "2026-04-13T18:30:00", "2026-05-13T18:30:00", "2026-03-14T18:30:00", "2026-04-13T18:30:00"),
  last90: expected({ key: "lastDays", days: 90 }, "2026-02-12T18:30:00", "2026-05-13T18:30:00", "2025-11-14T18:30:00", "2026-02-12T18:30:00"),
  last180: expected({ key: "lastDays", days: 180 }, "2025-11-14T18:30:00", "2026-05-13T18:30:00", "2025-05-18T18:30:00", "2025-11-14T18:30:00"),
  last365: expected({ key: "lastDays", days: 365 }, "2025-05-13T18:30:00", "2026-05-13T18:30:00", "2024-05-13T18:30:00", "2025-05-13T18:30:00"),
} as const;

type Case = keyof typeof IN_SHANGHAI;

const PHRASES: ReadonlyArray<readonly [string, Case]> = [
  ["today", "today"], ["Today", "today"], ["今天", "today"],
  ["yesterday", "yesterday"], ["昨天", "yesterday"],
  ["this week", "thisWeek"], ["week", "thisWeek"], ["THIS   WEEK", "thisWeek"], ["本周", "thisWeek"], ["这周", "thisWeek"], ["这个星期", "thisWeek"], ["本星期", "thisWeek"],
  ["last week", "lastWeek"], ["上周", "lastWeek"], ["上个星期", "lastWeek"],
  ["this month", "thisMonth"], ["month", "thisMonth"], ["mtd", "thisMonth"], ["MTD", "thisMonth"], ["本月", "thisMonth"], ["这个月", "thisMonth"], ["当月", "thisMonth"],
  ["last month", "lastMonth"], ["Last Month", "lastMonth"], ["上月", "lastMonth"], ["上个月", "lastMonth"],
  ["this quarter", "thisQuarter"], ["quarter", "thisQuarter"], ["qtd", "thisQuarter"], ["本季度", "thisQuarter"], ["这个季度", "thisQuarter"], ["本季", "thisQuarter"],
  ["last quarter", "lastQuarter"], ["上季度", "lastQuarter"], ["上个季度", "lastQuarter"],
  ["this year", "thisYear"], ["year", "thisYear"], ["ytd", "thisYear"], ["YTD", "thisYear"], ["今年", "thisYear"], ["本年", "thisYear"], ["本年度", "thisYear"],
  ["last year", "lastYear"], ["去年", "lastYear"], ["上一年", "lastYear"],
  ["1d", "last1"], ["last 1 day", "last1"],
  ["last 7 days", "last7"], ["past 7 days", "last7"], ["7 days", "last7"], ["7d", "last7"], ["最近7天", "last7"], ["近7天", "last7"], ["过去7天", "last7"], ["7天", "last7"], ["七天", "last7"], ["最近七天", "last7"],
  ["十四天", "last14"], ["最近十四天", "last14"], ["last 14 days", "last14"],
  ["last 30 days", "last30"], ["LAST 30 DAYS", "last30"], ["last\t30   days", "last30"], ["30d", "last30"], ["30D", "last30"], ["30 days", "last30"],
  ["最近三十天", "last30"], ["近30天", "last30"], ["过去三十天", "last30"], ["三十天", "last30"], ["最近 30 天", "last30"],
  ["last 90 days", "last90"], ["past 90 days", "last90"], ["90d", "last90"], ["最近九十天", "last90"], ["九十天", "last90"],
  ["一百八十天", "last180"], ["最近一百八十天", "last180"], ["180d", "last180"],
  ["三百六十五天", "last365"], ["last 365 days", "last365"],
];

describe("parsePeriod: each phrase in Asia/Shanghai", () => {
  it.each(PHRASES)("%j", (phrase, name) => {
    expect(show(parsePeriod(phrase, NOW, SHANGHAI))).toEqual(IN_SHANGHAI[name]);
  });

  it.each([
    ["  last month  ", "lastMonth"],
    ["for last month", "lastMonth"],
    ["over the last 30 days", "last30"],
    ["in the past 7 days", "last7"],
    ["for the quarter", "thisQuarter"],
  ] as const)("allows surrounding space and a leading preposition: %j", (phrase, name) => {
    expect(show(parsePeriod(phrase, NOW, SHANGHAI))).toEqual(IN_SHANGHAI[name]);
  });

  it("is undefined when the text holds more than the phrase", () => {
    expect(parsePeriod("last month please", NOW, SHANGHAI)).toBeUndefined();
    expect(parsePeriod("top 5 clients this quarter", NOW, SHANGHAI)).toBeUndefined();
    expect(parsePeriod("本季度前十大客户", NOW, SHANGHAI)).toBeUndefined();
  });
});

describe("full-width text (NFKC)", () => {
  it.each([
    ["最近３０天", "last30"],
    ["ｌａｓｔ　３０　ｄａｙｓ", "last30"],
    ["３０ｄ", "last30"],
    ["ｌａｓｔ ｍｏｎｔｈ", "lastMonth"],
  ] as const)("%j", (phrase, name) => {
    expect(show(parsePeriod(phrase, NOW, SHANGHAI))).toEqual(IN_SHANGHAI[name]);
  });

  it("reports positions in the text as typed, also where normalising changed its length", () => {
    // "㍿" (U+337F) normalises to four characters; the phrase still starts at index 2 of the original.
    const text = "㍿ last 7 days";
    expect(findPeriod(text, NOW, SHANGHAI)).toMatchObject({ index: 2, length: 11 });
    expect(findPeriod("看看最近３０天的", NOW, SHANGHAI)).toMatchObject({ index: 2, length: 5 });
  });
});

describe("Chinese numerals", () => {
  it.each([
    ["十天", 10],
    ["两百天", 200],
    ["一百零五天", 105],
    ["一百八天", 180],
    ["最近三千六百六十天", 3660],
  ] as const)("%j is the last %i days", (phrase, days) => {
    const period = parsePeriod(phrase, NOW, SHANGHAI);
    expect(period?.label).toEqual({ key: "lastDays", days });
    expect(period && hours(period)).toBe(days * 24);
  });

  it.each(["三千六百六十一天", "最近三三天", "百天", "零天", "最近零天", "十十天"])("%j is not a period", (phrase) => {
    expect(parsePeriod(phrase, NOW, SHANGHAI)).toBeUndefined();
  });
});

describe("near misses", () => {
  it.each([
    "monthly", "/report monthly", "weekly report", "yearly", "quarterly review", "weekend", "last weekend",
    "last 0 days", "0d", "last 99999 days", "last 3661 days", "最近3661天",
    "", "   ", "hello", "days", "last days",
    "next month", "next week", "per year", "a week ago", "every 7 days", "next 30 days", "3 days ago", "30 days later",
    "year over year", "month-over-month", "v30d", "1.5 days",
    "上周五", "本周末", "上上周", "上上个月", "30天前", "3天后", "第三十天", "每一天", "未来30天", "上年纪",
  ])("%j has no period", (text) => {
    expect(findPeriod(text, NOW, SHANGHAI)).toBeUndefined();
    expect(parsePeriod(text, NOW, SHANGHAI)).toBeUndefined();
  });

  it("takes the largest count allowed", () => {
    expect(MAX_LAST_DAYS).toBe(3660);
    const period = parsePeriod("last 3660 days", NOW, SHANGHAI);
    expect(period?.label).toEqual({ key: "lastDays", days: 3660 });
    expect(period && hours(period)).toBe(3660 * 24);
  });
});

describe("findPeriod", () => {
  it.each([
    ["top 5 clients this quarter", 14, 12, "thisQuarter"],
    ["/top 10 this quarter", 8, 12, "thisQuarter"],
    ["本季度前十大客户", 0, 3, "thisQuarter"],
    ["CSAT last 30 days please", 5, 12, "last30"],
    ["最近三十天的满意度", 0, 5, "last30"],
    ["最近30天前十大客户", 0, 5, "last30"],
    ["CSAT for last month", 9, 10, "lastMonth"],
    ["revenue over the past 7 days", 17, 11, "last7"],
    ["csat in 30d", 8, 3, "last30"],
    ["last quarter的CSAT", 0, 12, "lastQuarter"],
    ["客户满意度 today", 6, 5, "today"],
    ["year over year growth this month", 22, 10, "thisMonth"],
  ] as const)("%j: at %i, %i long", (text, index, length, name) => {
    const found = findPeriod(text, NOW, SHANGHAI);
    expect(found && { index: found.index, length: found.length }).toEqual({ index, length });
    expect(show(found?.period)).toEqual(IN_SHANGHAI[name]);
  });

  it("picks the earliest phrase", () => {
    expect(findPeriod("last month vs this month", NOW, SHANGHAI)?.period.label).toEqual({ key: "lastMonth" });
    expect(findPeriod("this month vs last month", NOW, SHANGHAI)?.period.label).toEqual({ key: "thisMonth" });
    expect(findPeriod("next week vs last week", NOW, SHANGHAI)).toMatchObject({ index: 13, length: 9 });
  });

  it("picks the longest phrase at that place", () => {
    expect(findPeriod("本季度", NOW, SHANGHAI)).toMatchObject({ index: 0, length: 3 });
    expect(findPeriod("本年度报告", NOW, SHANGHAI)).toMatchObject({ index: 0, length: 3 });
    expect(findPeriod("show last week", NOW, SHANGHAI)).toMatchObject({ index: 5, length: 9, period: { label: { key: "lastWeek" } } });
  });

  it("skips a count that is out of range and finds a later phrase", () => {
    expect(findPeriod("last 0 days, no: this week", NOW, SHANGHAI)).toMatchObject({ index: 17, length: 9, period: { label: { key: "thisWeek" } } });
  });
});

describe("calendarPeriod", () => {
  it("gives the current period at offset 0 and the one before at -1", () => {
    expect(show(calendarPeriod("quarter", NOW, SHANGHAI))).toEqual(IN_SHANGHAI.thisQuarter);
    expect(show(calendarPeriod("month", NOW, SHANGHAI, -1))).toEqual(IN_SHANGHAI.lastMonth);
    expect(show(calendarPeriod("day", NOW, SHANGHAI, -1))).toEqual(IN_SHANGHAI.yesterday);
  });

  it.each([1, -2, 0.5])("refuses offset %d, which no label names", (offset) => {
    expect(() => calendarPeriod("month", NOW, SHANGHAI, offset)).toThrow(RangeError);
  });

  it("refuses an invalid now", () => {
    expect(() => calendarPeriod("month", new Date(Number.NaN), SHANGHAI)).toThrow(RangeError);
  });

  it("turns over at Shanghai midnight, not UTC midnight", () => {
    // Monday 18 May starts at 16:00 UTC on Sunday 17 May.
    expect(calendarPeriod("week", new Date("2026-05-17T15:59:59.999Z"), SHANGHAI).from.toISOString()).toBe("2026-05-10T16:00:00.000Z");
    expect(calendarPeriod("week", new Date("2026-05-17T16:00:00.000Z"), SHANGHAI).from.toISOString()).toBe("2026-05-17T16:00:00.000Z");
  });

  it("in January, last quarter and last month are in the previous year", () => {
    const january = new Date("2026-01-10T04:00:00Z");
    expect(show(parsePeriod("last quarter", january, SHANGHAI))).toEqual(
      expected({ key: "lastQuarter" }, "2025-09-30T16:00:00", "2025-12-31T16:00:00", "2025-06-30T16:00:00", "2025-09-30T16:00:00"),
    );
    expect(show(parsePeriod("this quarter", january, SHANGHAI))).toEqual(
      expected({ key: "thisQuarter" }, "2025-12-31T16:00:00", "2026-03-31T16:00:00", "2025-09-30T16:00:00", "2025-12-31T16:00:00"),
    );
    expect(show(parsePeriod("上个月", january, SHANGHAI))).toEqual(
      expected({ key: "lastMonth" }, "2025-11-30T16:00:00", "2025-12-31T16:00:00", "2025-10-31T16:00:00", "2025-11-30T16:00:00"),
    );
  });

  it("the fourth quarter ends at the start of the next year", () => {
    expect(show(parsePeriod("本季度", new Date("2026-11-20T02:00:00Z"), SHANGHAI))).toEqual(
      expected({ key: "thisQuarter" }, "2026-09-30T16:00:00", "2026-12-31T16:00:00", "2026-06-30T16:00:00", "2026-09-30T16:00:00"),
    );
  });

  it("the year is Shanghai's: 17:00 UTC on 31 December is already New Year's Day there", () => {
    const newYear = new Date("2025-12-31T17:00:00Z");
    expect(show(parsePeriod("this year", newYear, SHANGHAI))).toEqual(IN_SHANGHAI.thisYear);
    expect(show(parsePeriod("yesterday", newYear, SHANGHAI))).toEqual(
      expected({ key: "yesterday" }, "2025-12-30T16:00:00", "2025-12-31T16:00:00", "2025-12-29T16:00:00", "2025-12-30T16:00:00"),
    );
  });
});

describe("DST", () => {
  it("America/New_York: the week clocks spring forward (8 March 2026) is 167 h", () => {
    const week = calendarPeriod("week", new Date("2026-03-05T15:00:00Z"), NEW_YORK);
    // Monday 2 March 00:00 EST (UTC-5) to Monday 9 March 00:00 EDT (UTC-4).
    expect(show(week)).toEqual(expected({ key: "thisWeek" }, "2026-03-02T05:00:00", "2026-03-09T04:00:00", "2026-02-23T05:00:00", "2026-03-02T05:00:00"));
    expect(hours(week)).toBe(167);
    expect(hours(week.previous)).toBe(168);
  });

  it("America/New_York: the week clocks fall back (1 November 2026) is 169 h", () => {
    const week = parsePeriod("this week", new Date("2026-10-28T16:00:00Z"), NEW_YORK);
    expect(show(week)).toEqual(expected({ key: "thisWeek" }, "2026-10-26T04:00:00", "2026-11-02T05:00:00", "2026-10-19T04:00:00", "2026-10-26T04:00:00"));
    expect(week && hours(week)).toBe(169);
  });

  it("America/New_York: the day clocks spring forward is 23 h", () => {
    const today = parsePeriod("today", new Date("2026-03-08T18:00:00Z"), NEW_YORK);
    expect(show(today)).toEqual(expected({ key: "today" }, "2026-03-08T05:00:00", "2026-03-09T04:00:00", "2026-03-07T05:00:00", "2026-03-08T05:00:00"));
  });

  it("Europe/Berlin: March 2026 (summer time from 29 March) is 743 h, February 672 h", () => {
    const march = parsePeriod("this month", new Date("2026-03-15T12:00:00Z"), BERLIN);
    // 1 March 00:00 CET (UTC+1) to 1 April 00:00 CEST (UTC+2).
    expect(show(march)).toEqual(expected({ key: "thisMonth" }, "2026-02-28T23:00:00", "2026-03-31T22:00:00", "2026-01-31T23:00:00", "2026-02-28T23:00:00"));
    expect(march && hours(march)).toBe(743);
    expect(march && hours(march.previous)).toBe(672);
  });

  it("Europe/Berlin: last month from April is March, with April as the current month", () => {
    const april = new Date("2026-04-10T10:00:00Z");
    expect(show(parsePeriod("last month", april, BERLIN))).toEqual(
      expected({ key: "lastMonth" }, "2026-02-28T23:00:00", "2026-03-31T22:00:00", "2026-01-31T23:00:00", "2026-02-28T23:00:00"),
    );
    expect(show(parsePeriod("本月", april, BERLIN))).toEqual(
      expected({ key: "thisMonth" }, "2026-03-31T22:00:00", "2026-04-30T22:00:00", "2026-02-28T23:00:00", "2026-03-31T22:00:00"),
    );
  });

  it("Europe/Berlin: October 2026 (winter time from 25 October) is 745 h", () => {
    const october = calendarPeriod("month", new Date("2026-10-15T12:00:00Z"), BERLIN);
    expect(october.from.toISOString()).toBe("2026-09-30T22:00:00.000Z");
    expect(october.to.toISOString()).toBe("2026-10-31T23:00:00.000Z");
    expect(hours(october)).toBe(745);
  });

  it("America/Santiago: a day whose midnight is skipped starts when the clocks jump", () => {
    // Chile's summer time begins on Sunday 6 September 2026: at 00:00 (UTC-4) clocks go to 01:00 (UTC-3).
    const today = calendarPeriod("day", new Date("2026-09-06T15:00:00Z"), "America/Santiago");
    expect(today.from.toISOString()).toBe("2026-09-06T04:00:00.000Z");
    expect(today.to.toISOString()).toBe("2026-09-07T03:00:00.000Z");
    expect(today.previous.from.toISOString()).toBe("2026-09-05T04:00:00.000Z");
    expect(hours(today)).toBe(23);
  });
});

describe("lastDays", () => {
  it("is the elapsed N × 24 h up to now, and the N days before that", () => {
    expect(show(lastDays(30, NOW))).toEqual(IN_SHANGHAI.last30);
  });

  it("counts elapsed time across a DST change, having no zone", () => {
    // 8 March 2026 (New York springs forward) lies inside; the span is still 7 × 24 h.
    const period = lastDays(7, new Date("2026-03-10T12:00:00Z"));
    expect(period.from.toISOString()).toBe("2026-03-03T12:00:00.000Z");
    expect(period.previous.from.toISOString()).toBe("2026-02-24T12:00:00.000Z");
  });

  it.each([0, -1, 1.5, 3661, Number.NaN, Number.POSITIVE_INFINITY])("refuses %d days", (days) => {
    expect(() => lastDays(days, NOW)).toThrow(RangeError);
  });

  it("refuses an invalid now", () => {
    expect(() => lastDays(7, new Date(Number.NaN))).toThrow(RangeError);
  });
});
