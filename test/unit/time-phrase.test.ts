import { describe, expect, it } from "vitest";
import { addDays, dateInZone, instantOfLocalTime } from "../../src/domain/time/calendar-date.js";
import { findTimePhrase, parseTimePhrase } from "../../src/domain/time/time-phrase.js";

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

/** "2026-12-03 10:00": what a clock in the zone shows at the instant. */
function localIn(instant: Date | undefined, timeZone: string): string | undefined {
  return instant && wallClockIn(instant, timeZone).replace(",", "");
}

describe("an explicit date and time is that wall-clock time in the rep's zone, never 12 hours off", () => {
  const rows: ReadonlyArray<[string[], string]> = [
    [["2026-12-03 10:00", "2026/12/03 10:00", "Dec 3 10am", "Dec 3 at 10:00", "December 3rd, 10:00 am", "3 Dec 10:00", "12/3 10:00", "Thursday, December 3 at 10am",
      "12月3日 10:00", "12月3日10点", "12月3日 上午10点", "12月3日上午10:00", "2026年12月3日 10:00", "十二月三日上午十点", "12月3号 10:00"], "2026-12-03 10:00"],
    [["2026-12-03 22:00", "Dec 3 10pm", "Dec 3 10:00 pm", "12月3日晚上10点", "12月3日 22:00", "12月3日晚上10:00"], "2026-12-03 22:00"],
    [["2026-12-03 15:00", "Dec 3 3pm", "Dec 3 at 3 pm", "12月3日下午3点", "12月3日 下午3点", "12月3日下午3:00", "12月3日 15:00", "12月3日下午三点"], "2026-12-03 15:00"],
    [["2026-12-03 15:30", "Dec 3 3:30pm", "12月3日下午3点半", "12月3日下午3点30分", "12月3日下午3:30"], "2026-12-03 15:30"],
    [["2026-12-03 12:00", "Dec 3 12pm", "Dec 3 noon", "Dec 3 at noon", "12月3日中午12点", "12月3日 12:00"], "2026-12-03 12:00"],
    [["Dec 3 1pm", "12月3日中午1点", "12月3日下午1点"], "2026-12-03 13:00"],
    [["2026-12-03 03:00", "2026-12-03 3:00", "Dec 3 3am", "12月3日凌晨3点", "12月3日 03:00"], "2026-12-03 03:00"],
    [["2026-12-03 00:30", "Dec 3 12:30am", "12月3日凌晨12点半", "12月3日 00:30"], "2026-12-03 00:30"],
    [["2026-12-03 08:00", "Dec 3 8am", "12月3日早上8点", "12月3日 8点", "12月3日 8:00"], "2026-12-03 08:00"],
    [["12月3日晚上12点", "Dec 3 midnight"], "2026-12-04 00:00"],
  ];
  // Said at many times of day and on two dates, so no reading depends on the clock's hour.
  const saidAt = (timeZone: string) => [0, 1, 9, 10, 11, 12, 13, 15, 21, 22, 23].flatMap((hour) => [
    instantOfLocalTime("2026-11-20", timeZone, hour, 17),
    instantOfLocalTime("2026-06-02", timeZone, hour, 47),
  ]);
  for (const timeZone of ["Asia/Shanghai", "America/New_York", "Europe/Berlin"]) {
    it.each(rows)(`${timeZone}: %j is %s`, (phrases, expected) => {
      for (const now of saidAt(timeZone)) {
        for (const phrase of phrases) {
          const read = parseTimePhrase(`${phrase} past due invoice`, { now, timeZone });
          expect({ when: localIn(read?.at, timeZone), matched: read?.matched, rest: read?.rest }, `${phrase} said ${now.toISOString()}`)
            .toEqual({ when: expected, matched: phrase, rest: "past due invoice" });
        }
      }
    });
  }

  it("keeps the wall clock on the days New York and Berlin change their clocks", () => {
    const now = new Date("2026-02-01T12:00:00Z");
    const ny = (text: string) => parseTimePhrase(text, { now, timeZone: "America/New_York" })?.at.toISOString();
    const berlin = (text: string) => parseTimePhrase(text, { now, timeZone: "Europe/Berlin" })?.at.toISOString();
    // New York springs forward on Sunday 8 March 2026 at 02:00 (UTC-5 -> UTC-4).
    expect(ny("2026-03-07 10:00")).toBe("2026-03-07T15:00:00.000Z");
    expect(ny("2026-03-08 10:00")).toBe("2026-03-08T14:00:00.000Z");
    expect(ny("Mar 8 10am")).toBe("2026-03-08T14:00:00.000Z");
    expect(ny("3月8日上午10点")).toBe("2026-03-08T14:00:00.000Z");
    expect(ny("2026-03-08 01:30")).toBe("2026-03-08T06:30:00.000Z");
    // ... and falls back on Sunday 1 November 2026 (UTC-4 -> UTC-5).
    expect(ny("2026-10-31 10:00")).toBe("2026-10-31T14:00:00.000Z");
    expect(ny("2026-11-01 10:00")).toBe("2026-11-01T15:00:00.000Z");
    expect(ny("Nov 1 10pm")).toBe("2026-11-02T03:00:00.000Z");
    // Berlin springs forward on Sunday 29 March 2026 (UTC+1 -> UTC+2).
    expect(berlin("2026-03-28 10:00")).toBe("2026-03-28T09:00:00.000Z");
    expect(berlin("2026-03-29 10:00")).toBe("2026-03-29T08:00:00.000Z");
    expect(berlin("3月29日 10:00")).toBe("2026-03-29T08:00:00.000Z");
  });
});

describe("12-hour traps", () => {
  const tz = "Asia/Shanghai";
  // 2026-11-20 is a Friday; 08:00 there.
  const now = instantOfLocalTime("2026-11-20", tz, 8, 0);
  it.each([
    // An HH:MM is taken as written.
    ["10:00", "2026-11-20 10:00"],
    ["tomorrow 10:00", "2026-11-21 10:00"],
    ["明天10:00", "2026-11-21 10:00"],
    ["tomorrow 3:00", "2026-11-21 03:00"],
    ["tomorrow 22:00", "2026-11-21 22:00"],
    // am/pm and the Chinese parts of the day decide.
    ["tomorrow 10am", "2026-11-21 10:00"],
    ["tomorrow 10pm", "2026-11-21 22:00"],
    ["tomorrow 12am", "2026-11-21 00:00"],
    ["tomorrow 12pm", "2026-11-21 12:00"],
    ["tomorrow 10 p.m.", "2026-11-21 22:00"],
    ["明天上午10点", "2026-11-21 10:00"],
    ["明天下午3点", "2026-11-21 15:00"],
    ["明天晚上8点", "2026-11-21 20:00"],
    ["明天傍晚6点", "2026-11-21 18:00"],
    ["明天中午12点", "2026-11-21 12:00"],
    ["明天中午1点", "2026-11-21 13:00"],
    ["明天凌晨3点", "2026-11-21 03:00"],
    ["明天早上7点", "2026-11-21 07:00"],
    ["明天晚上12点", "2026-11-22 00:00"],
    ["今晚8点", "2026-11-20 20:00"],
    ["tonight at 8", "2026-11-20 20:00"],
    ["tomorrow morning at 8", "2026-11-21 08:00"],
    ["tomorrow afternoon at 2", "2026-11-21 14:00"],
    // An hour alone, without am/pm or a part of the day, is read in working hours.
    ["tomorrow at 3", "2026-11-21 15:00"],
    ["明天3点", "2026-11-21 15:00"],
    ["明天三点半", "2026-11-21 15:30"],
    ["明天9点", "2026-11-21 09:00"],
    ["明天7点", "2026-11-21 07:00"],
    ["tomorrow at 11", "2026-11-21 11:00"],
    ["3 o'clock", "2026-11-20 15:00"],
  ])("%j is %s", (text, expected) => {
    expect(localIn(parseTimePhrase(text, { now, timeZone: tz })?.at, tz)).toBe(expected);
  });
});

describe("no word of the reminder is taken for time", () => {
  const tz = "Asia/Shanghai";
  const times = ["tomorrow", "tomorrow 9am", "2026-12-03 10:00", "Dec 3 10am", "Dec 3", "next friday", "friday 3pm", "at 5pm", "in 2 hours", "10:00", "tomorrow at 10", "12月3日 10:00", "明天", "下周五"];
  const texts = [
    "past due invoice", "may call back", "send the second quote", "second quote", "call Sun Li", "Sun Li", "review mar budget", "mar budget",
    "sat down with Acme", "at the office", "on site visit", "this deal", "due diligence", "a quote", "pending approval", "3 calls", "10 boxes",
    "12 units of X", "1st draft", "Q4 review", "ago", "after lunch", "and call", "wed anniversary", "thu li", "june invoice", "august plan",
    "p.o. check", "o2 contract", "pm2 restart",
  ];
  it.each(times)("after %j", (time) => {
    const base = parseTimePhrase(time, { now: NOW, timeZone: tz });
    expect(base).toBeDefined();
    for (const text of texts) {
      const read = parseTimePhrase(`${time} ${text}`, { now: NOW, timeZone: tz });
      expect({ at: read?.at.toISOString(), rest: read?.rest }, `${time} ${text}`).toEqual({ at: base?.at.toISOString(), rest: text });
    }
  });

  const chinese = ["3个客户", "下午茶", "周报", "日报", "点评报价", "号码核对", "分批发货", "个人计划", "年度合同"];
  it.each(["明天", "明天上午9点", "下周五", "12月3日", "12月3日 10:00", "周五下午3点"])("after %j, with and without a space", (time) => {
    const base = parseTimePhrase(time, { now: NOW, timeZone: tz });
    expect(base).toBeDefined();
    for (const text of chinese) {
      // "10:003个客户" is no way to write it; with digits on both sides the space is needed.
      const glued = /\d$/.test(time) && /^\d/.test(text) ? [] : [`${time}${text}`];
      for (const joined of [...glued, `${time} ${text}`]) {
        const read = parseTimePhrase(joined, { now: NOW, timeZone: tz });
        expect({ at: read?.at.toISOString(), rest: read?.rest }, joined).toEqual({ at: base?.at.toISOString(), rest: text });
      }
    }
  });

  it.each([
    "past due invoice", "may call back", "send the second quote", "call Sun Li", "review mar budget", "sat down with Acme", "meet at the office",
    "this deal", "due diligence", "buy 2 boxes of tea", "10 boxes", "march on", "sun rises", "周报", "点评报价", "今年目标",
  ])("%j is no time, first or last", (text) => {
    expect(findTimePhrase(text, { now: NOW, timeZone: tz })).toBeUndefined();
  });
});

describe("findTimePhrase: the time may come first or last", () => {
  const tz = "Asia/Shanghai";
  it.each([
    ["call Acme tomorrow", "tomorrow", "call Acme", "end", "2026-11-21 09:00"],
    ["call Acme tomorrow.", "tomorrow", "call Acme", "end", "2026-11-21 09:00"],
    ["call Acme, tomorrow", "tomorrow", "call Acme", "end", "2026-11-21 09:00"],
    ["call Acme at 5pm", "at 5pm", "call Acme", "end", "2026-11-20 17:00"],
    ["call Acme on friday", "on friday", "call Acme", "end", "2026-11-27 09:00"],
    ["call Acme next friday 3pm", "next friday 3pm", "call Acme", "end", "2026-11-27 15:00"],
    ["call Acme in 2 hours", "in 2 hours", "call Acme", "end", "2026-11-20 12:00"],
    ["send the second quote on Dec 3 at 10:00", "on Dec 3 at 10:00", "send the second quote", "end", "2026-12-03 10:00"],
    ["past due invoice tomorrow 9am", "tomorrow 9am", "past due invoice", "end", "2026-11-21 09:00"],
    ["may call back 2026-12-03 10:00", "2026-12-03 10:00", "may call back", "end", "2026-12-03 10:00"],
    ["call Sun Li on sat", "on sat", "call Sun Li", "end", "2026-11-21 09:00"],
    ["in a meeting tomorrow", "tomorrow", "in a meeting", "end", "2026-11-21 09:00"],
    ["给华为打电话 明天", "明天", "给华为打电话", "end", "2026-11-21 09:00"],
    ["给华为打电话明天", "明天", "给华为打电话", "end", "2026-11-21 09:00"],
    ["给华为打电话，明天下午3点", "明天下午3点", "给华为打电话", "end", "2026-11-21 15:00"],
    ["跟进腾讯合同 下周五", "下周五", "跟进腾讯合同", "end", "2026-11-27 09:00"],
    ["给阿里巴巴打电话 12月3日 10:00", "12月3日 10:00", "给阿里巴巴打电话", "end", "2026-12-03 10:00"],
    ["给王总回电话 2小时后", "2小时后", "给王总回电话", "end", "2026-11-20 12:00"],
    ["明天给华为打电话", "明天", "给华为打电话", "start", "2026-11-21 09:00"],
    ["tomorrow 9am send the quote", "tomorrow 9am", "send the quote", "start", "2026-11-21 09:00"],
    // A day first and its time of day last are read together.
    ["tomorrow call Acme at 5pm", "tomorrow at 5pm", "call Acme", "start", "2026-11-21 17:00"],
    ["明天 给华为打电话 下午3点", "明天 下午3点", "给华为打电话", "start", "2026-11-21 15:00"],
    // A time first wins over a time-looking ending that is text.
    ["tomorrow review the 10:00 slot", "tomorrow", "review the 10:00 slot", "start", "2026-11-21 09:00"],
    ["tomorrow prepare for 3pm", "tomorrow", "prepare for 3pm", "start", "2026-11-21 09:00"],
  ])("%j", (text, matched, rest, position, when) => {
    const read = findTimePhrase(text, { now: NOW, timeZone: tz });
    expect(read && { matched: read.matched, rest: read.rest, position: read.position, when: localIn(read.at, tz) }).toEqual({ matched, rest, position, when });
  });

  it("gives the time alone when there is nothing else", () => {
    expect(findTimePhrase("tomorrow 9am", { now: NOW, timeZone: tz })).toMatchObject({ matched: "tomorrow 9am", rest: "", position: "start" });
  });

  it("stays quick on a long reminder", () => {
    const text = `${"call Acme about the renewal and the second quote ".repeat(20)}tomorrow`;
    const zh = `${"给华为打电话讨论合同续约事宜".repeat(70)}明天`;
    findTimePhrase(text, { now: NOW, timeZone: tz });
    const started = performance.now();
    expect(findTimePhrase(text, { now: NOW, timeZone: tz })?.rest.length).toBeGreaterThan(900);
    expect(findTimePhrase(zh, { now: NOW, timeZone: tz })?.matched).toBe("明天");
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
