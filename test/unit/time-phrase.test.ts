import { describe, expect, it } from "vitest";
import { addDays, dateInZone } from "../../src/domain/calendar-date.js";
import { parseTimePhrase } from "../../src/domain/time-phrase.js";

/** Friday 2026-11-20 02:00 UTC: 10:00 Friday in Shanghai, 03:00 Friday in Berlin, 21:00 Thursday in New York. */
const NOW = new Date("2026-11-20T02:00:00Z");

function at(text: string, timeZone: string, now = NOW): string | undefined {
  return parseTimePhrase(text, { now, timeZone })?.at.toISOString();
}

function wallClockIn(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  }).format(instant);
}

describe("parseTimePhrase: English in Asia/Shanghai (UTC+8, Friday 10:00)", () => {
  it.each([
    ["in 2 hours", "2026-11-20T04:00:00.000Z"],
    ["in 30 minutes", "2026-11-20T02:30:00.000Z"],
    ["in 3 days", "2026-11-23T02:00:00.000Z"],
    ["in 3 seconds", "2026-11-20T02:00:03.000Z"],
    ["in an hour", "2026-11-20T03:00:00.000Z"],
    ["in half an hour", "2026-11-20T02:30:00.000Z"],
    ["in 1h30m", "2026-11-20T03:30:00.000Z"],
    ["in 2 hours and 15 minutes", "2026-11-20T04:15:00.000Z"],
    ["in 2 weeks", "2026-12-04T02:00:00.000Z"],
    ["in 3 days at 9am", "2026-11-23T01:00:00.000Z"],
    ["2 hours from now", "2026-11-20T04:00:00.000Z"],
    ["tomorrow 9am", "2026-11-21T01:00:00.000Z"],
    ["tomorrow at 9:30", "2026-11-21T01:30:00.000Z"],
    ["tomorrow", "2026-11-21T01:00:00.000Z"],
    ["tomorrow evening", "2026-11-21T12:00:00.000Z"],
    ["next Monday", "2026-11-23T01:00:00.000Z"],
    ["Monday", "2026-11-23T01:00:00.000Z"],
    ["on Monday", "2026-11-23T01:00:00.000Z"],
    ["Friday 15:30", "2026-11-20T07:30:00.000Z"],
    ["Friday 9am", "2026-11-27T01:00:00.000Z"],
    ["Friday", "2026-11-27T01:00:00.000Z"],
    ["next Friday 3pm", "2026-11-27T07:00:00.000Z"],
    ["2026-12-01 10:00", "2026-12-01T02:00:00.000Z"],
    ["2026-12-01", "2026-12-01T01:00:00.000Z"],
    ["Dec 1 10am", "2026-12-01T02:00:00.000Z"],
    ["tonight", "2026-11-20T12:00:00.000Z"],
    ["this afternoon", "2026-11-20T07:00:00.000Z"],
    ["at 5pm", "2026-11-20T09:00:00.000Z"],
    ["5pm", "2026-11-20T09:00:00.000Z"],
    ["at 9am", "2026-11-21T01:00:00.000Z"],
    ["noon", "2026-11-20T04:00:00.000Z"],
    ["at noon", "2026-11-20T04:00:00.000Z"],
    ["TOMORROW 9AM", "2026-11-21T01:00:00.000Z"],
    ["In 2 Hours", "2026-11-20T04:00:00.000Z"],
  ])("%j", (text, expected) => {
    expect(at(text, "Asia/Shanghai")).toBe(expected);
  });
});

describe("parseTimePhrase: English in America/New_York (UTC-5, Thursday 21:00)", () => {
  it.each([
    ["in 2 hours", "2026-11-20T04:00:00.000Z"],
    ["in 30 minutes", "2026-11-20T02:30:00.000Z"],
    ["in 3 days", "2026-11-23T02:00:00.000Z"],
    ["in 3 seconds", "2026-11-20T02:00:03.000Z"],
    ["tomorrow 9am", "2026-11-20T14:00:00.000Z"],
    ["tomorrow at 9:30", "2026-11-20T14:30:00.000Z"],
    ["tomorrow", "2026-11-20T14:00:00.000Z"],
    ["next Monday", "2026-11-23T14:00:00.000Z"],
    ["Monday", "2026-11-23T14:00:00.000Z"],
    // Friday is tomorrow there.
    ["Friday 15:30", "2026-11-20T20:30:00.000Z"],
    ["2026-12-01 10:00", "2026-12-01T15:00:00.000Z"],
    ["2026-12-01", "2026-12-01T14:00:00.000Z"],
    ["Dec 1 10am", "2026-12-01T15:00:00.000Z"],
    // Already gone at 21:00, and not moved: the caller decides what to do with a past time.
    ["tonight", "2026-11-20T01:00:00.000Z"],
    ["this afternoon", "2026-11-19T20:00:00.000Z"],
    // A clock time alone that has gone today is tomorrow.
    ["at 5pm", "2026-11-20T22:00:00.000Z"],
    ["5pm", "2026-11-20T22:00:00.000Z"],
    ["noon", "2026-11-20T17:00:00.000Z"],
  ])("%j", (text, expected) => {
    expect(at(text, "America/New_York")).toBe(expected);
  });
});

describe("parseTimePhrase: English in Europe/Berlin (UTC+1, Friday 03:00)", () => {
  it.each([
    ["in 2 hours", "2026-11-20T04:00:00.000Z"],
    ["in 30 minutes", "2026-11-20T02:30:00.000Z"],
    ["in 3 days", "2026-11-23T02:00:00.000Z"],
    ["in 3 seconds", "2026-11-20T02:00:03.000Z"],
    ["tomorrow 9am", "2026-11-21T08:00:00.000Z"],
    ["tomorrow at 9:30", "2026-11-21T08:30:00.000Z"],
    ["tomorrow", "2026-11-21T08:00:00.000Z"],
    ["next Monday", "2026-11-23T08:00:00.000Z"],
    ["Monday", "2026-11-23T08:00:00.000Z"],
    ["Friday 15:30", "2026-11-20T14:30:00.000Z"],
    ["2026-12-01 10:00", "2026-12-01T09:00:00.000Z"],
    ["2026-12-01", "2026-12-01T08:00:00.000Z"],
    ["Dec 1 10am", "2026-12-01T09:00:00.000Z"],
    ["tonight", "2026-11-20T19:00:00.000Z"],
    ["this afternoon", "2026-11-20T14:00:00.000Z"],
    ["at 5pm", "2026-11-20T16:00:00.000Z"],
    ["5pm", "2026-11-20T16:00:00.000Z"],
    ["noon", "2026-11-20T11:00:00.000Z"],
  ])("%j", (text, expected) => {
    expect(at(text, "Europe/Berlin")).toBe(expected);
  });
});

describe("parseTimePhrase: Chinese in Asia/Shanghai (Friday 10:00)", () => {
  it.each([
    ["明天上午9点", "2026-11-21T01:00:00.000Z"],
    ["明天9点", "2026-11-21T01:00:00.000Z"],
    ["明天下午3点半", "2026-11-21T07:30:00.000Z"],
    ["明天", "2026-11-21T01:00:00.000Z"],
    ["明天上午", "2026-11-21T01:00:00.000Z"],
    ["下周一", "2026-11-23T01:00:00.000Z"],
    ["下周一上午10点", "2026-11-23T02:00:00.000Z"],
    ["下个星期三", "2026-11-25T01:00:00.000Z"],
    // Chinese weeks run Monday to Sunday: 下周日 is the Sunday of next week, 这周一 was this Monday.
    ["下周日", "2026-11-29T01:00:00.000Z"],
    ["这周一", "2026-11-16T01:00:00.000Z"],
    ["本周五下午4点", "2026-11-20T08:00:00.000Z"],
    ["周五下午3点", "2026-11-20T07:00:00.000Z"],
    ["星期五上午9点", "2026-11-27T01:00:00.000Z"],
    ["周一", "2026-11-23T01:00:00.000Z"],
    ["3天后", "2026-11-23T02:00:00.000Z"],
    ["三天后", "2026-11-23T02:00:00.000Z"],
    ["3天后上午9点", "2026-11-23T01:00:00.000Z"],
    ["2小时后", "2026-11-20T04:00:00.000Z"],
    ["两个小时后", "2026-11-20T04:00:00.000Z"],
    ["一个半小时后", "2026-11-20T03:30:00.000Z"],
    ["1小时30分钟后", "2026-11-20T03:30:00.000Z"],
    ["30分钟后", "2026-11-20T02:30:00.000Z"],
    ["半小时后", "2026-11-20T02:30:00.000Z"],
    ["十五分钟之后", "2026-11-20T02:15:00.000Z"],
    ["今晚8点", "2026-11-20T12:00:00.000Z"],
    ["今晚", "2026-11-20T12:00:00.000Z"],
    ["今天下午5点", "2026-11-20T09:00:00.000Z"],
    ["下午3点", "2026-11-20T07:00:00.000Z"],
    ["后天", "2026-11-22T01:00:00.000Z"],
    ["12月1日10点", "2026-12-01T02:00:00.000Z"],
    ["12月1号", "2026-12-01T01:00:00.000Z"],
    ["2026年12月1日", "2026-12-01T01:00:00.000Z"],
    ["2026年12月1日下午2点", "2026-12-01T06:00:00.000Z"],
  ])("%j", (text, expected) => {
    expect(at(text, "Asia/Shanghai")).toBe(expected);
  });

  it("reads Chinese phrases in other zones too", () => {
    expect(at("明天上午9点", "Europe/Berlin")).toBe("2026-11-21T08:00:00.000Z");
    expect(at("明天上午9点", "America/New_York")).toBe("2026-11-20T14:00:00.000Z");
    expect(at("2小时后", "America/New_York")).toBe("2026-11-20T04:00:00.000Z");
  });
});

describe("parseTimePhrase: a month-day without a year", () => {
  it("means the next such day", () => {
    const now = new Date("2026-12-05T02:00:00Z");
    expect(at("Dec 1 10am", "Asia/Shanghai", now)).toBe("2027-12-01T02:00:00.000Z");
    expect(at("12月1日10点", "Asia/Shanghai", now)).toBe("2027-12-01T02:00:00.000Z");
  });
});

describe("parseTimePhrase across DST changes", () => {
  it("keeps the wall-clock time after Berlin springs forward (29 March 2026)", () => {
    // Saturday 13:00 CET (UTC+1); Sunday is CEST (UTC+2).
    const now = new Date("2026-03-28T12:00:00Z");
    expect(at("tomorrow 9am", "Europe/Berlin", now)).toBe("2026-03-29T07:00:00.000Z");
    expect(at("tomorrow", "Europe/Berlin", now)).toBe("2026-03-29T07:00:00.000Z");
    expect(at("Sunday 9am", "Europe/Berlin", now)).toBe("2026-03-29T07:00:00.000Z");
    expect(at("明天上午9点", "Europe/Berlin", now)).toBe("2026-03-29T07:00:00.000Z");
    expect(at("2026-03-30 10:00", "Europe/Berlin", now)).toBe("2026-03-30T08:00:00.000Z");
    // A day later on the calendar is 23 hours here; 24 hours later is 14:00 CEST.
    expect(at("in 1 day", "Europe/Berlin", now)).toBe("2026-03-29T11:00:00.000Z");
    expect(at("in 24 hours", "Europe/Berlin", now)).toBe("2026-03-29T12:00:00.000Z");
  });

  it("keeps the wall-clock time after New York falls back (1 November 2026)", () => {
    // Saturday 12:00 EDT (UTC-4); Sunday is EST (UTC-5).
    const now = new Date("2026-10-31T16:00:00Z");
    expect(at("tomorrow 9am", "America/New_York", now)).toBe("2026-11-01T14:00:00.000Z");
    expect(at("tomorrow", "America/New_York", now)).toBe("2026-11-01T14:00:00.000Z");
    expect(at("Monday 9am", "America/New_York", now)).toBe("2026-11-02T14:00:00.000Z");
    expect(at("11月1日上午9点", "America/New_York", now)).toBe("2026-11-01T14:00:00.000Z");
  });

  it("counts hours and minutes as elapsed time across the switch", () => {
    // 01:30 CET, half an hour before Berlin's clocks jump from 02:00 to 03:00.
    const spring = new Date("2026-03-29T00:30:00Z");
    expect(at("in 2 hours", "Europe/Berlin", spring)).toBe("2026-03-29T02:30:00.000Z");
    expect(at("2小时后", "Europe/Berlin", spring)).toBe("2026-03-29T02:30:00.000Z");
    expect(at("2 hours later", "Europe/Berlin", spring)).toBe("2026-03-29T02:30:00.000Z");
    expect(at("in 90 minutes", "Europe/Berlin", spring)).toBe("2026-03-29T02:00:00.000Z");
    // 01:30 EDT, the first of New York's two 01:30s.
    const fall = new Date("2026-11-01T05:30:00Z");
    expect(at("in 2 hours", "America/New_York", fall)).toBe("2026-11-01T07:30:00.000Z");
    expect(at("2小时后", "America/New_York", fall)).toBe("2026-11-01T07:30:00.000Z");
    expect(at("in 3 seconds", "America/New_York", fall)).toBe("2026-11-01T05:30:03.000Z");
  });

  it("gives 09:00 local on the next day and exactly +2 h on every day of 2026", () => {
    for (const timeZone of ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Shanghai"]) {
      for (let day = 0; day < 365; day++) {
        const now = new Date(Date.UTC(2026, 0, 1, 13, 17) + day * 86_400_000);
        const tomorrow = addDays(dateInZone(now, timeZone), 1);
        const nine = parseTimePhrase("tomorrow 9am", { now, timeZone });
        expect(nine && wallClockIn(nine.at, timeZone)).toBe(`${tomorrow}, 09:00`);
        expect(parseTimePhrase("in 2 hours", { now, timeZone })?.at.getTime()).toBe(now.getTime() + 2 * 3_600_000);
      }
    }
  });
});

describe("parseTimePhrase: matched and rest", () => {
  it.each([
    ["明天上午9点给王总发报价", "明天上午9点", "给王总发报价"],
    ["3天后跟进报价", "3天后", "跟进报价"],
    ["下周一开会", "下周一", "开会"],
    ["2小时后给李总回电话", "2小时后", "给李总回电话"],
    ["今晚8点提醒我", "今晚8点", "提醒我"],
    ["明天，给王总打电话", "明天", "给王总打电话"],
    ["明天下午3点半：签合同", "明天下午3点半", "签合同"],
    ["12月1日10点 续约", "12月1日10点", "续约"],
    ["tomorrow 9am send the quote", "tomorrow 9am", "send the quote"],
    ["tomorrow 9am: call Acme", "tomorrow 9am", "call Acme"],
    ["in 2 hours to call Acme", "in 2 hours", "call Acme"],
    ["tomorrow, call Acme", "tomorrow", "call Acme"],
    ["  Tomorrow 9AM   send the quote  ", "Tomorrow 9AM", "send the quote"],
    ["at noon call Acme", "at noon", "call Acme"],
    ["Monday 3 calls", "Monday", "3 calls"],
    ["tomorrow tomatoes", "tomorrow", "tomatoes"],
    ["in 3 seconds ping", "in 3 seconds", "ping"],
    ["Dec 1 10am renew the contract", "Dec 1 10am", "renew the contract"],
    ["tomorrow", "tomorrow", ""],
  ])("%j", (text, matched, rest) => {
    const phrase = parseTimePhrase(text, { now: NOW, timeZone: "Asia/Shanghai" });
    expect(phrase?.matched).toBe(matched);
    expect(phrase?.rest).toBe(rest);
  });
});

describe("parseTimePhrase: text that does not start with a time", () => {
  it.each([
    "call Acme tomorrow",
    "hello",
    "",
    "   ",
    "Acme 2026",
    "2026",
    "10 customers",
    "Q4 review",
    "march on",
    "sun rises",
    "in a meeting tomorrow",
    "给王总打电话明天",
    "王总明天上午9点来",
    "周报",
    "今年目标",
  ])("%j", (text) => {
    expect(parseTimePhrase(text, { now: NOW, timeZone: "Asia/Shanghai" })).toBeUndefined();
  });
});
