import { describe, expect, it } from "vitest";
import { MS_PER_MONTH, customerValue } from "../../src/domain/customers/clv.js";
import {
  FIRST_RESPONSE_TARGET_MS, LAST_RESPONSE_BIN, MEASURES, averageOrderValue, change, conversionRate, firstResponse, medianResponseMs, percentText,
  pointsText, purchaseFrequency, quotient, repeatRate, responseBin, responseBinStart,
} from "../../src/domain/measures.js";
import { reportSpans, trendBuckets } from "../../src/domain/time/report-spans.js";

describe("ratios", () => {
  it("are none, not 0, when there is nothing to divide by", () => {
    expect(averageOrderValue(0, 0)).toBeNull();
    expect(purchaseFrequency(0, 0)).toBeNull();
    expect(repeatRate(0, 0)).toBeNull();
    expect(conversionRate(0, 0)).toBeNull();
    expect(quotient(5, 0)).toBeNull();
  });

  it("divide what the definitions say", () => {
    expect(averageOrderValue(650, 5)).toBe(130);
    expect(purchaseFrequency(5, 3)).toBeCloseTo(5 / 3, 12);
    expect(repeatRate(2, 3)).toBeCloseTo(2 / 3, 12);
    expect(conversionRate(1, 2)).toBe(0.5);
    expect(conversionRate(0, 4)).toBe(0);
  });

  it("keeps CLV where clv.ts has it: 100 per purchase × 2 a month × 36 months = 7,200", () => {
    const now = new Date("2026-06-01T00:00:00Z");
    const value = customerValue({ totalSpent: 1200, orderCount: 12, firstOrderAt: new Date(now.getTime() - 6 * MS_PER_MONTH) }, now);
    expect(value.clv).toBeCloseTo(7200, 9);
  });
});

describe("changes against the previous period", () => {
  it("are an amount and a percentage for money and counts", () => {
    expect(change("money", 650, 600)).toEqual({ kind: "relative", delta: 50, relative: 50 / 600 });
    expect(change("count", 96, 100)).toEqual({ kind: "relative", delta: -4, relative: -0.04 });
    expect(percentText(0.123)).toBe("+12.3%");
    expect(percentText(-0.04)).toBe("−4.0%");
    expect(percentText(50 / 600)).toBe("+8.3%");
  });

  it("are 'new', with no percentage, when there was nothing before", () => {
    expect(change("money", 120, 0)).toEqual({ kind: "new", delta: 120 });
    expect(change("ratio", 2.5, null)).toEqual({ kind: "new", delta: 2.5 });
    expect(change("count", 0, 0)).toEqual({ kind: "same" });
    expect(change("count", 0, 7)).toEqual({ kind: "relative", delta: -7, relative: -1 });
  });

  it("are in percentage points for rates, never a percentage of a percentage", () => {
    const c = change("rate", 0.08, 0.05);
    expect(c.kind).toBe("points");
    expect(c.kind === "points" && c.delta).toBeCloseTo(3, 9);
    expect(change("rate", 2 / 3, 0)).toEqual({ kind: "points", delta: (2 / 3) * 100 });
    expect(change("rate", 0.5, null)).toEqual({ kind: "none" });
    expect(change("rate", 0.5, 0.5)).toEqual({ kind: "same" });
    expect(pointsText(3.25)).toBe("+3.3");
    expect(pointsText(-0.5)).toBe("−0.5");
  });

  it("are in points for scores such as NPS, and none without a current value", () => {
    expect(change("score", 20, 35)).toEqual({ kind: "points", delta: -15 });
    expect(change("money", null, 100)).toEqual({ kind: "none" });
    expect(MEASURES.repeatRate).toBe("rate");
    expect(MEASURES.nps).toBe("score");
    expect(MEASURES.revenue).toBe("money");
  });

  it("reads a change too small to show at one decimal as no change", () => {
    expect(change("money", 100_001, 100_000)).toEqual({ kind: "same" });
  });
});

describe("first-response bins", () => {
  it("are a minute wide under the hour, then five minutes, half an hour, a day", () => {
    expect(responseBin(0)).toBe(0);
    expect(responseBin(59)).toBe(0);
    expect(responseBin(330)).toBe(5);
    expect(responseBin(3_599)).toBe(59);
    expect(responseBin(3_600)).toBe(60);
    expect(responseBin(12_600)).toBe(90);
    expect(responseBinStart(90)).toBe(12_600);
    expect(responseBinStart(responseBin(21_600))).toBe(21_600);
    expect(responseBinStart(responseBin(172_800))).toBe(172_800);
    expect(responseBin(10 * 365 * 86_400)).toBe(LAST_RESPONSE_BIN);
    for (const s of [0, 61, 3_599, 3_600, 5_000, 40_000, 200_000]) expect(responseBinStart(responseBin(s))).toBeLessThanOrEqual(s);
  });

  it("give the median as the start of the middle answer's bin, the lower middle one for an even count", () => {
    expect(medianResponseMs(new Map())).toBeNull();
    // 5.5 min, 40 min, 3 h 30 min: the middle is 40 minutes.
    expect(medianResponseMs(new Map([[5, 1], [40, 1], [90, 1]]))).toBe(40 * 60_000);
    // 5.5, 20, 40 min, 3 h 30: the lower middle is 20 minutes.
    expect(medianResponseMs(new Map([[90, 1], [20, 1], [5, 1], [40, 1]]))).toBe(20 * 60_000);
  });

  it("count the share within the hour over every wait, answered or not", () => {
    expect(FIRST_RESPONSE_TARGET_MS).toBe(3_600_000);
    const r = firstResponse({ waits: 4, answered: 3, answeredWithinTarget: 2, histogram: new Map([[5, 1], [40, 1], [90, 1]]) });
    expect(r).toEqual({ waits: 4, medianMs: 2_400_000, withinTarget: 0.5, unanswered: 1 });
    expect(firstResponse({ waits: 0, answered: 0, answeredWithinTarget: 0, histogram: new Map() })).toEqual({ waits: 0, medianMs: null, withinTarget: null, unanswered: 0 });
  });
});

describe("report spans", () => {
  const SHANGHAI = "Asia/Shanghai";

  it("compare this month so far with the same span of last month", () => {
    const s = reportSpans("monthly", "current", new Date("2026-11-23T06:00:00Z"), SHANGHAI);
    expect(s.current).toEqual({ from: new Date("2026-10-31T16:00:00Z"), to: new Date("2026-11-23T06:00:00Z") });
    expect(s.previous).toEqual({ from: new Date("2026-09-30T16:00:00Z"), to: new Date("2026-10-23T06:00:00Z") });
  });

  it("take the whole previous month when its day does not exist", () => {
    const s = reportSpans("monthly", "current", new Date("2026-03-31T02:00:00Z"), SHANGHAI);
    expect(s.previous).toEqual({ from: new Date("2026-01-31T16:00:00Z"), to: new Date("2026-02-28T16:00:00Z") });
  });

  it("clamp a day the shifted month lacks to its last day, at the same time of day", () => {
    // Jul 31 14:00: April has no 31st and is not Q2's last month, so Apr 1 – Apr 30 14:00.
    const jul31 = reportSpans("quarterly", "current", new Date("2026-07-31T06:00:00Z"), SHANGHAI);
    expect(jul31.previous).toEqual({ from: new Date("2026-03-31T16:00:00Z"), to: new Date("2026-04-30T06:00:00Z") });
    const may30 = reportSpans("quarterly", "current", new Date("2026-05-30T06:00:00Z"), SHANGHAI);
    expect(may30.previous).toEqual({ from: new Date("2025-12-31T16:00:00Z"), to: new Date("2026-02-28T06:00:00Z") });
    const may31 = reportSpans("quarterly", "current", new Date("2026-05-31T06:00:00Z"), SHANGHAI);
    expect(may31.previous.to).toEqual(new Date("2026-02-28T06:00:00Z"));
    // Feb 29 10:00 of a leap year against Feb 28 10:00 of the year before, not the whole year.
    const leap = reportSpans("yearly", "current", new Date("2028-02-29T02:00:00Z"), SHANGHAI);
    expect(leap.previous).toEqual({ from: new Date("2026-12-31T16:00:00Z"), to: new Date("2027-02-28T02:00:00Z") });
  });

  it("take the whole previous quarter only past the end of its last month", () => {
    const dec31 = reportSpans("quarterly", "current", new Date("2026-12-31T06:00:00Z"), SHANGHAI);
    expect(dec31.previous).toEqual({ from: new Date("2026-06-30T16:00:00Z"), to: new Date("2026-09-30T16:00:00Z") });
  });

  it("give the last complete period against the one before for 'last'", () => {
    const s = reportSpans("quarterly", "last", new Date("2026-04-10T00:00:00Z"), SHANGHAI);
    expect(s.current).toEqual({ from: new Date("2025-12-31T16:00:00Z"), to: new Date("2026-03-31T16:00:00Z") });
    expect(s.previous).toEqual({ from: new Date("2025-09-30T16:00:00Z"), to: new Date("2025-12-31T16:00:00Z") });
  });

  it("cut a New York week across the end of DST into seven local days, the Sunday 25 hours long", () => {
    const s = reportSpans("weekly", "last", new Date("2025-11-05T12:00:00Z"), "America/New_York");
    expect(s.current).toEqual({ from: new Date("2025-10-27T04:00:00Z"), to: new Date("2025-11-03T05:00:00Z") });
    const days = trendBuckets("day", s.current, "America/New_York");
    expect(days).toHaveLength(7);
    expect(days[6]).toMatchObject({ position: 7, date: "2025-11-02", from: new Date("2025-11-02T04:00:00Z"), to: new Date("2025-11-03T05:00:00Z") });
  });

  it("cut a quarter into seven-day blocks and a year into months", () => {
    const q = reportSpans("quarterly", "last", new Date("2026-04-10T00:00:00Z"), SHANGHAI);
    const weeks = trendBuckets("week", q.current, SHANGHAI, q.currentPeriod.to);
    expect(weeks).toHaveLength(13);
    expect(weeks[12]).toMatchObject({ position: 13, date: "2026-03-26", to: q.current.to });
    // Jul 1 – Sep 30 is 92 days: the thirteenth block takes in the 92nd day instead of a one-day 14th.
    const q3 = reportSpans("quarterly", "last", new Date("2026-10-10T00:00:00Z"), SHANGHAI);
    const q3weeks = trendBuckets("week", q3.current, SHANGHAI, q3.currentPeriod.to);
    expect(q3weeks).toHaveLength(13);
    expect(q3weeks[12]).toMatchObject({ position: 13, date: "2026-09-23", from: new Date("2026-09-22T16:00:00Z"), to: q3.current.to });
    // A quarter so far is cut at now, but its blocks are those of the whole quarter.
    const soFar = reportSpans("quarterly", "current", new Date("2026-09-30T06:00:00Z"), SHANGHAI);
    expect(trendBuckets("week", soFar.current, SHANGHAI, soFar.currentPeriod.to).map((b) => b.date).at(-1)).toBe("2026-09-23");
    const y = reportSpans("yearly", "current", new Date("2026-04-10T00:00:00Z"), SHANGHAI);
    expect(trendBuckets("month", y.current, SHANGHAI).map((b) => b.date)).toEqual(["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]);
  });
});
