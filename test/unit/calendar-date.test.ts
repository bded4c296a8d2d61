import { describe, expect, it } from "vitest";
import { dateInZone, instantOfLocalTime, isCalendarDate } from "../../src/domain/time/calendar-date.js";

describe("isCalendarDate", () => {
  it.each(["2026-03-01", "2024-02-29", "2026-12-31", "2026-01-01"])("accepts %j", (text) => {
    expect(isCalendarDate(text)).toBe(true);
  });

  it.each(["2026-02-30", "2026-13-01", "2026-00-10", "2026-04-31", "2025-02-29", "2026-01-00", "2026-3-1", "26-03-01", "2026/03/01", " 2026-03-01", "2026-03-01T00:00", "", "tomorrow"])(
    "rejects %j",
    (text) => {
      expect(isCalendarDate(text)).toBe(false);
    },
  );
});

describe("dateInZone", () => {
  it("gives the date an instant has in the zone, which differs across the date line", () => {
    // 02:00 UTC on 1 March is 18:00 on 28 February in Los Angeles and 10:00 on 1 March in Shanghai.
    const at = new Date("2026-03-01T02:00:00Z");
    expect(dateInZone(at, "America/Los_Angeles")).toBe("2026-02-28");
    expect(dateInZone(at, "Asia/Shanghai")).toBe("2026-03-01");
    expect(dateInZone(at, "UTC")).toBe("2026-03-01");
  });

  it("handles the zones either side of the international date line", () => {
    const at = new Date("2026-03-01T12:00:00Z");
    expect(dateInZone(at, "Pacific/Kiritimati")).toBe("2026-03-02");
    expect(dateInZone(at, "Pacific/Pago_Pago")).toBe("2026-03-01");
  });

  it("turns over at local midnight", () => {
    expect(dateInZone(new Date("2026-02-28T15:59:59Z"), "Asia/Shanghai")).toBe("2026-02-28");
    expect(dateInZone(new Date("2026-02-28T16:00:00Z"), "Asia/Shanghai")).toBe("2026-03-01");
  });
});

describe("instantOfLocalTime", () => {
  it("places a date at local noon by default (Shanghai, UTC+8, no DST)", () => {
    expect(instantOfLocalTime("2026-03-01", "Asia/Shanghai").toISOString()).toBe("2026-03-01T04:00:00.000Z");
    expect(instantOfLocalTime("2026-07-01", "Asia/Shanghai").toISOString()).toBe("2026-07-01T04:00:00.000Z");
  });

  it("honours hour and minute, across the UTC day boundary", () => {
    expect(instantOfLocalTime("2026-03-01", "Asia/Shanghai", 0).toISOString()).toBe("2026-02-28T16:00:00.000Z");
    expect(instantOfLocalTime("2026-03-01", "Asia/Shanghai", 23, 59).toISOString()).toBe("2026-03-01T15:59:00.000Z");
    expect(instantOfLocalTime("2026-03-01", "America/Los_Angeles", 20, 30).toISOString()).toBe("2026-03-02T04:30:00.000Z");
  });

  it("uses the right Berlin offset either side of the spring change (2026-03-29, 02:00 CET -> 03:00 CEST)", () => {
    expect(instantOfLocalTime("2026-03-28", "Europe/Berlin").toISOString()).toBe("2026-03-28T11:00:00.000Z");
    expect(instantOfLocalTime("2026-03-29", "Europe/Berlin", 0).toISOString()).toBe("2026-03-28T23:00:00.000Z");
    expect(instantOfLocalTime("2026-03-29", "Europe/Berlin", 1, 59).toISOString()).toBe("2026-03-29T00:59:00.000Z");
    expect(instantOfLocalTime("2026-03-29", "Europe/Berlin", 3).toISOString()).toBe("2026-03-29T01:00:00.000Z");
    expect(instantOfLocalTime("2026-03-29", "Europe/Berlin").toISOString()).toBe("2026-03-29T10:00:00.000Z");
    expect(instantOfLocalTime("2026-03-30", "Europe/Berlin").toISOString()).toBe("2026-03-30T10:00:00.000Z");
  });

  it("uses the right Berlin offset either side of the autumn change (2026-10-25, 03:00 CEST -> 02:00 CET)", () => {
    expect(instantOfLocalTime("2026-10-24", "Europe/Berlin").toISOString()).toBe("2026-10-24T10:00:00.000Z");
    expect(instantOfLocalTime("2026-10-25", "Europe/Berlin", 0).toISOString()).toBe("2026-10-24T22:00:00.000Z");
    expect(instantOfLocalTime("2026-10-25", "Europe/Berlin", 1).toISOString()).toBe("2026-10-24T23:00:00.000Z");
    expect(instantOfLocalTime("2026-10-25", "Europe/Berlin", 3).toISOString()).toBe("2026-10-25T02:00:00.000Z");
    expect(instantOfLocalTime("2026-10-25", "Europe/Berlin").toISOString()).toBe("2026-10-25T11:00:00.000Z");
    expect(instantOfLocalTime("2026-10-26", "Europe/Berlin").toISOString()).toBe("2026-10-26T11:00:00.000Z");
  });

  it("handles zones with non-whole-hour offsets", () => {
    expect(instantOfLocalTime("2026-03-01", "Asia/Kathmandu").toISOString()).toBe("2026-03-01T06:15:00.000Z");
    expect(instantOfLocalTime("2026-01-15", "America/St_Johns").toISOString()).toBe("2026-01-15T15:30:00.000Z");
  });

  it("gives back the requested wall-clock time on every day of 2026 in several zones", () => {
    const zones = ["Europe/Berlin", "America/Los_Angeles", "Australia/Sydney", "Pacific/Auckland", "Asia/Shanghai", "Asia/Kathmandu", "Pacific/Kiritimati"];
    const misses: string[] = [];
    for (const timeZone of zones) {
      const wall = new Intl.DateTimeFormat("en-CA", {
        timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
      });
      for (let day = Date.UTC(2026, 0, 1); day < Date.UTC(2027, 0, 1); day += 86_400_000) {
        const date = new Date(day).toISOString().slice(0, 10);
        for (const hour of [0, 12, 23]) {
          const got = wall.format(instantOfLocalTime(date, timeZone, hour, 30));
          const want = `${date}, ${String(hour).padStart(2, "0")}:30`;
          if (got !== want) misses.push(`${timeZone} ${want} -> ${got}`);
        }
      }
    }
    expect(misses).toEqual([]);
  });

  it("refuses text that is not a YYYY-MM-DD date", () => {
    expect(() => instantOfLocalTime("2026/03/01", "Asia/Shanghai")).toThrow(/not a calendar date/);
    expect(() => instantOfLocalTime("", "Asia/Shanghai")).toThrow(/not a calendar date/);
  });

  it("places a midnight the clocks jump over just after the jump, on the same day", () => {
    // Santiago and Havana skip 00:00-01:00 on these days; the day starts at 01:00 local.
    expect(instantOfLocalTime("2026-09-06", "America/Santiago", 0, 0)).toEqual(new Date("2026-09-06T04:00:00Z"));
    expect(instantOfLocalTime("2026-03-08", "America/Havana", 0, 0)).toEqual(new Date("2026-03-08T05:00:00Z"));
    expect(dateInZone(instantOfLocalTime("2026-09-06", "America/Santiago", 0, 0), "America/Santiago")).toBe("2026-09-06");
    // Beirut's jump is at midnight too, east of UTC.
    expect(instantOfLocalTime("2026-03-29", "Asia/Beirut", 0, 0)).toEqual(new Date("2026-03-28T22:00:00Z"));
    // Times that exist are untouched on the same days.
    expect(instantOfLocalTime("2026-09-06", "America/Santiago", 12, 0)).toEqual(new Date("2026-09-06T15:00:00Z"));
  });
});
