import { describe, expect, it } from "vitest";
import {
  DEFAULT_LIFESPAN_MONTHS, DEFAULT_MIN_OBSERVATION_MONTHS, MS_PER_MONTH, customerValue, isEarlyEstimate, monthsSince, observationMonths, valueAsOf,
} from "../../src/domain/customers/clv.js";

/** Midnight in Shanghai: the start of the team's day, which CLV is measured to. */
const AS_OF = new Date("2026-05-31T16:00:00.000Z");
const DAY = 24 * 3600_000;
const ago = (ms: number) => new Date(AS_OF.getTime() - ms);

describe("customerValue", () => {
  it("holds DESIGN's worked example when observed long enough: 100 per purchase × 2 a month × 36 months = 7,200", () => {
    const value = customerValue({ totalSpent: 1200, orderCount: 12, firstOrderAt: ago(6 * MS_PER_MONTH) }, AS_OF);
    expect(value.averageOrderValue).toBe(100);
    expect(value.purchaseFrequency).toBeCloseTo(2, 12);
    expect(Math.abs(value.clv - 7200)).toBeLessThan(1e-9);
    expect(value.earlyEstimate).toBe(false);
    // Exactly the observation window is long enough.
    const three = customerValue({ totalSpent: 600, orderCount: 6, firstOrderAt: ago(3 * MS_PER_MONTH) }, AS_OF);
    expect(Math.abs(three.clv - 7200)).toBeLessThan(1e-9);
    expect(three.earlyEstimate).toBe(false);
  });

  it("uses a 36-month lifespan and a 3-month observation window by default", () => {
    expect(DEFAULT_LIFESPAN_MONTHS).toBe(36);
    expect(DEFAULT_MIN_OBSERVATION_MONTHS).toBe(3);
    const summary = { totalSpent: 1200, orderCount: 12, firstOrderAt: ago(6 * MS_PER_MONTH) };
    expect(customerValue(summary, AS_OF).clv).toBeCloseTo(customerValue(summary, AS_OF, { lifespanMonths: 36, minObservationMonths: 3 }).clv, 9);
  });

  it("respects the lifespan setting", () => {
    const summary = { totalSpent: 1200, orderCount: 12, firstOrderAt: ago(6 * MS_PER_MONTH) };
    expect(customerValue(summary, AS_OF, { lifespanMonths: 12 }).clv).toBeCloseTo(2400, 9);
    expect(customerValue(summary, AS_OF, { lifespanMonths: 1 }).clv).toBeCloseTo(200, 9);
    expect(customerValue(summary, AS_OF, { lifespanMonths: 60 }).clv).toBeCloseTo(12_000, 9);
  });

  it("measures one order three weeks ago over the 3-month window: worth 12 orders, not 36, and an early estimate", () => {
    const value = customerValue({ totalSpent: 5000, orderCount: 1, firstOrderAt: ago(21 * DAY) }, AS_OF);
    expect(value.purchaseFrequency).toBeCloseTo(1 / 3, 12);
    expect(value.clv).toBeCloseTo(5000 * 12, 6);
    expect(value.earlyEstimate).toBe(true);
    // It no longer outranks a steady customer of 66 orders of 2,000 over 33 months (a month
    // counted as the whole history would have made it worth 180,000).
    const steady = customerValue({ totalSpent: 66 * 2000, orderCount: 66, firstOrderAt: ago(33 * MS_PER_MONTH) }, AS_OF);
    expect(steady.clv).toBeCloseTo(2000 * 2 * 36, 6);
    expect(steady.clv).toBeGreaterThan(value.clv);
    expect(5000 * 36).toBeGreaterThan(steady.clv);
  });

  it("counts a first order just now, today or even after asOf over the whole window", () => {
    for (const first of [AS_OF, new Date(AS_OF.getTime() + 10 * 3600_000), ago(DAY)]) {
      const value = customerValue({ totalSpent: 900, orderCount: 3, firstOrderAt: first }, AS_OF);
      expect(value.purchaseFrequency).toBe(1);
      expect(value.clv).toBeCloseTo(300 * 1 * 36, 9);
      expect(value.earlyEstimate).toBe(true);
    }
  });

  it("takes the observation window from the settings", () => {
    const summary = { totalSpent: 1000, orderCount: 2, firstOrderAt: ago(2 * MS_PER_MONTH) };
    expect(customerValue(summary, AS_OF, { minObservationMonths: 1 })).toMatchObject({ purchaseFrequency: 1, earlyEstimate: false });
    const six = customerValue(summary, AS_OF, { minObservationMonths: 6 });
    expect(six.purchaseFrequency).toBeCloseTo(1 / 3, 12);
    expect(six.earlyEstimate).toBe(true);
  });

  it("spreads orders over the months since the first one once the history is long", () => {
    const value = customerValue({ totalSpent: 1200, orderCount: 6, firstOrderAt: ago(12 * MS_PER_MONTH) }, AS_OF);
    expect(value.averageOrderValue).toBe(200);
    expect(value.purchaseFrequency).toBeCloseTo(0.5, 12);
    expect(value.clv).toBeCloseTo(200 * 0.5 * 36, 9);
  });

  it("gives all zeros, and no estimate, for a customer without orders or without a first order date", () => {
    const none = { averageOrderValue: 0, purchaseFrequency: 0, clv: 0, earlyEstimate: false };
    expect(customerValue({ totalSpent: 0, orderCount: 0, firstOrderAt: null }, AS_OF)).toEqual(none);
    expect(customerValue({ totalSpent: 0, orderCount: 0, firstOrderAt: ago(MS_PER_MONTH) }, AS_OF)).toEqual(none);
    expect(customerValue({ totalSpent: 500, orderCount: 2, firstOrderAt: null }, AS_OF)).toEqual(none);
  });
});

describe("valueAsOf", () => {
  it("is the start of the day in the team's zone, the same all day long", () => {
    const morning = new Date("2026-06-01T00:30:00Z"); // 08:30 in Shanghai
    const minuteLater = new Date(morning.getTime() + 60_000);
    const evening = new Date("2026-06-01T15:59:59Z"); // 23:59:59 in Shanghai
    for (const at of [morning, minuteLater, evening]) expect(valueAsOf(at, "Asia/Shanghai")).toEqual(AS_OF);
    expect(valueAsOf(new Date("2026-06-01T16:00:00Z"), "Asia/Shanghai")).toEqual(new Date("2026-06-01T16:00:00Z"));
    expect(valueAsOf(morning, "UTC")).toEqual(new Date("2026-06-01T00:00:00Z"));
  });

  it("gives the same CLV for two calls a minute apart, where measuring to `now` drifted", () => {
    const summary = { totalSpent: 4000, orderCount: 9, firstOrderAt: new Date("2025-11-03T06:12:00Z") };
    const first = new Date("2026-06-01T03:00:00Z");
    const second = new Date(first.getTime() + 60_000);
    const a = customerValue(summary, valueAsOf(first, "Asia/Shanghai"));
    const b = customerValue(summary, valueAsOf(second, "Asia/Shanghai"));
    expect(b.clv).toBe(a.clv);
    expect(customerValue(summary, second).clv).not.toBe(customerValue(summary, first).clv);
  });
});

describe("months and the observation window", () => {
  it("measures in average Gregorian months", () => {
    expect(MS_PER_MONTH).toBe((365.2425 / 12) * DAY);
    expect(monthsSince(ago(3 * MS_PER_MONTH), AS_OF)).toBe(3);
    expect(monthsSince(ago(MS_PER_MONTH / 2), AS_OF)).toBe(0.5);
    expect(monthsSince(new Date(AS_OF.getTime() + MS_PER_MONTH), AS_OF)).toBe(-1);
  });

  it("never measures frequency over less than the window, and calls a shorter history early", () => {
    expect(observationMonths(ago(MS_PER_MONTH), AS_OF)).toBe(3);
    expect(observationMonths(ago(5 * MS_PER_MONTH), AS_OF)).toBe(5);
    expect(observationMonths(ago(MS_PER_MONTH), AS_OF, 0.5)).toBe(1);
    expect(isEarlyEstimate(ago(3 * MS_PER_MONTH - 1), AS_OF)).toBe(true);
    expect(isEarlyEstimate(ago(3 * MS_PER_MONTH), AS_OF)).toBe(false);
  });
});
