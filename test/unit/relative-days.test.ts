import { describe, expect, it } from "vitest";
import { instantOfLocalTime } from "../../src/domain/time/calendar-date.js";
import { relativeWeekday, type WeekRelation } from "../../src/domain/time/relative-weekday.js";
import { findTimePhrase, parseTimePhrase } from "../../src/domain/time/time-phrase.js";

/**
 * One table for both languages: each row is an English phrase and its Chinese equivalents, and
 * the day (and time) they mean when said at 10:00 on each day of the week of Monday 16 November
 * 2026. English and Chinese must land on the same day, in every zone.
 */
const DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;
type Said = (typeof DAYS)[number];
const SAID_ON: Readonly<Record<Said, string>> = {
  Mon: "2026-11-16", Tue: "2026-11-17", Wed: "2026-11-18", Thu: "2026-11-19", Fri: "2026-11-20", Sat: "2026-11-21", Sun: "2026-11-22",
};

/** The same answer whatever day it is said on. */
const every = (when: string): Record<Said, string> => Object.fromEntries(DAYS.map((d) => [d, when])) as Record<Said, string>;

const TABLE: ReadonlyArray<{ en: string[]; zh: string[]; means: Record<Said, string> }> = [
  // A bare weekday is the next one still ahead; at 10:00 the default 09:00 has passed today.
  {
    en: ["friday", "Friday", "on friday", "fri"], zh: ["周五", "星期五", "礼拜五"],
    means: { Mon: "2026-11-20 09:00", Tue: "2026-11-20 09:00", Wed: "2026-11-20 09:00", Thu: "2026-11-20 09:00", Fri: "2026-11-27 09:00", Sat: "2026-11-27 09:00", Sun: "2026-11-27 09:00" },
  },
  {
    en: ["friday 3pm", "friday at 15:00", "on Friday at 3pm"], zh: ["周五下午3点", "星期五 15:00", "周五下午三点"],
    means: { Mon: "2026-11-20 15:00", Tue: "2026-11-20 15:00", Wed: "2026-11-20 15:00", Thu: "2026-11-20 15:00", Fri: "2026-11-20 15:00", Sat: "2026-11-27 15:00", Sun: "2026-11-27 15:00" },
  },
  {
    en: ["monday", "on Monday"], zh: ["周一", "星期一"],
    means: { ...every("2026-11-23 09:00") },
  },
  {
    en: ["sunday", "sun 9am"], zh: ["周日", "星期天", "礼拜天"],
    means: { ...every("2026-11-22 09:00"), Sun: "2026-11-29 09:00" },
  },
  // "this X" is X of the current week (Monday to Sunday), even when it has passed.
  { en: ["this friday", "friday this week"], zh: ["本周五", "这周五", "这个星期五"], means: every("2026-11-20 09:00") },
  { en: ["this monday"], zh: ["本周一", "这周一"], means: every("2026-11-16 09:00") },
  { en: ["this sunday"], zh: ["本周日", "这周日", "这个星期天"], means: every("2026-11-22 09:00") },
  // "next X" is X of next week, whatever day it is said on.
  { en: ["next friday", "friday next week", "next week friday"], zh: ["下周五", "下个星期五", "下礼拜五"], means: every("2026-11-27 09:00") },
  { en: ["next monday"], zh: ["下周一", "下个星期一"], means: every("2026-11-23 09:00") },
  { en: ["next sunday"], zh: ["下周日", "下星期天"], means: every("2026-11-29 09:00") },
  { en: ["next friday 3pm", "next friday at 15:00"], zh: ["下周五下午3点", "下周五 15:00"], means: every("2026-11-27 15:00") },
  { en: ["friday after next"], zh: ["下下周五", "下下个星期五"], means: every("2026-12-04 09:00") },
  { en: ["monday after next"], zh: ["下下周一"], means: every("2026-11-30 09:00") },
  { en: ["last friday"], zh: ["上周五", "上个星期五"], means: every("2026-11-13 09:00") },
  // "next week" alone is the Monday of next week.
  { en: ["next week"], zh: ["下周", "下个星期"], means: every("2026-11-23 09:00") },
];

function wallClockIn(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  }).format(instant).replace(",", "");
}

describe("relative days: English and Chinese mean the same day", () => {
  for (const timeZone of ["Asia/Shanghai", "America/New_York", "Europe/Berlin"]) {
    for (const row of TABLE) {
      it.each(DAYS)(`${timeZone}: ${[...row.en, ...row.zh].join(" / ")} said on %s at 10:00`, (said) => {
        const now = instantOfLocalTime(SAID_ON[said], timeZone, 10, 0);
        for (const phrase of [...row.en, ...row.zh]) {
          const read = parseTimePhrase(phrase, { now, timeZone });
          expect(read && { when: wallClockIn(read.at, timeZone), matched: read.matched }, phrase).toEqual({ when: row.means[said], matched: phrase });
        }
      });
    }
  }

  it("agrees at the end of a text too", () => {
    const timeZone = "Asia/Shanghai";
    for (const said of DAYS) {
      const now = instantOfLocalTime(SAID_ON[said], timeZone, 10, 0);
      for (const row of TABLE) {
        for (const phrase of [...row.en.map((p) => `call Acme ${p}`), ...row.zh.map((p) => `给华为打电话${p}`)]) {
          const read = findTimePhrase(phrase, { now, timeZone });
          expect(read && wallClockIn(read.at, timeZone), `${phrase} on ${said}`).toBe(row.means[said]);
        }
      }
    }
  });
});

describe("relativeWeekday: the rule itself", () => {
  const cases: ReadonlyArray<[string, number, WeekRelation, boolean, string]> = [
    // today (a Wednesday), weekday, relation, time still ahead today, date
    ["2026-11-18", 3, "coming", true, "2026-11-18"],
    ["2026-11-18", 3, "coming", false, "2026-11-25"],
    ["2026-11-18", 2, "coming", true, "2026-11-24"],
    ["2026-11-18", 1, "this", true, "2026-11-16"],
    ["2026-11-18", 0, "this", true, "2026-11-22"],
    ["2026-11-18", 5, "next", true, "2026-11-27"],
    ["2026-11-18", 0, "next", true, "2026-11-29"],
    ["2026-11-18", 1, "afterNext", true, "2026-11-30"],
    ["2026-11-18", 5, "last", true, "2026-11-13"],
    // A Sunday is the last day of its week: "next monday" said on a Sunday is tomorrow.
    ["2026-11-22", 1, "next", true, "2026-11-23"],
    ["2026-11-22", 1, "this", true, "2026-11-16"],
    // Across a month and a year.
    ["2026-12-30", 5, "next", true, "2027-01-08"],
  ];
  it.each(cases)("said on %s: weekday %i, %s (ahead today: %s) is %s", (today, weekday, relation, ahead, expected) => {
    expect(relativeWeekday(today, weekday, relation, ahead)).toBe(expected);
  });
});
