import { describe, expect, it } from "vitest";
import { DEFAULT_LIFESPAN_MONTHS, MS_PER_MONTH, customerValue, monthsSince } from "../../src/domain/clv.js";

const NOW = new Date("2026-06-01T00:00:00.000Z");
const DAY = 24 * 3600_000;
const ago = (ms: number) => new Date(NOW.getTime() - ms);

describe("customerValue", () => {
  it("holds DESIGN's worked example: 100 per purchase × 2 a month × 36 months = 7,200", () => {
    const value = customerValue({ totalSpent: 400, orderCount: 4, firstOrderAt: ago(2 * MS_PER_MONTH) }, NOW);
    expect(value.averageOrderValue).toBe(100);
    expect(value.purchaseFrequency).toBeCloseTo(2, 12);
    expect(Math.abs(value.clv - 7200)).toBeLessThan(1e-9);
  });

  it("uses a 36-month lifespan by default", () => {
    expect(DEFAULT_LIFESPAN_MONTHS).toBe(36);
    const summary = { totalSpent: 400, orderCount: 4, firstOrderAt: ago(2 * MS_PER_MONTH) };
    expect(customerValue(summary, NOW).clv).toBeCloseTo(customerValue(summary, NOW, 36).clv, 9);
  });

  it("respects the lifespan parameter", () => {
    const summary = { totalSpent: 400, orderCount: 4, firstOrderAt: ago(2 * MS_PER_MONTH) };
    expect(customerValue(summary, NOW, 12).clv).toBeCloseTo(2400, 9);
    expect(customerValue(summary, NOW, 1).clv).toBeCloseTo(200, 9);
    expect(customerValue(summary, NOW, 60).clv).toBeCloseTo(12_000, 9);
  });

  it("counts at least one month, so a customer who first bought yesterday has frequency = order count", () => {
    const value = customerValue({ totalSpent: 900, orderCount: 3, firstOrderAt: ago(DAY) }, NOW);
    expect(value.averageOrderValue).toBe(300);
    expect(value.purchaseFrequency).toBe(3);
    expect(value.clv).toBe(300 * 3 * 36);
  });

  it("treats a first order just now (or a clock slightly behind) as one month", () => {
    expect(customerValue({ totalSpent: 50, orderCount: 1, firstOrderAt: NOW }, NOW).purchaseFrequency).toBe(1);
    expect(customerValue({ totalSpent: 50, orderCount: 1, firstOrderAt: new Date(NOW.getTime() + 60_000) }, NOW).purchaseFrequency).toBe(1);
  });

  it("spreads orders over the months since the first one", () => {
    const value = customerValue({ totalSpent: 1200, orderCount: 6, firstOrderAt: ago(12 * MS_PER_MONTH) }, NOW);
    expect(value.averageOrderValue).toBe(200);
    expect(value.purchaseFrequency).toBeCloseTo(0.5, 12);
    expect(value.clv).toBeCloseTo(200 * 0.5 * 36, 9);
  });

  it("gives all zeros for a customer without orders", () => {
    expect(customerValue({ totalSpent: 0, orderCount: 0, firstOrderAt: null }, NOW)).toEqual({ averageOrderValue: 0, purchaseFrequency: 0, clv: 0 });
    expect(customerValue({ totalSpent: 0, orderCount: 0, firstOrderAt: ago(MS_PER_MONTH) }, NOW)).toEqual({ averageOrderValue: 0, purchaseFrequency: 0, clv: 0 });
  });

  it("gives all zeros when the first order date is unknown", () => {
    expect(customerValue({ totalSpent: 500, orderCount: 2, firstOrderAt: null }, NOW)).toEqual({ averageOrderValue: 0, purchaseFrequency: 0, clv: 0 });
  });
});

describe("monthsSince", () => {
  it("measures in average Gregorian months and never returns less than one", () => {
    expect(MS_PER_MONTH).toBe((365.2425 / 12) * DAY);
    expect(monthsSince(ago(3 * MS_PER_MONTH), NOW)).toBe(3);
    expect(monthsSince(ago(MS_PER_MONTH / 2), NOW)).toBe(1);
    expect(monthsSince(ago(0), NOW)).toBe(1);
  });
});
