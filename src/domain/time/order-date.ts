/**
 * The date an order was placed, as a rep writes it after the amount: "on 2026-03-01",
 * "on yesterday", "on 2026/11/30", "于 昨天", "on 11月30日", "on last Friday". The same phrases
 * as /remind (parseTimePhrase), read as a calendar date in the rep's zone; an order lies in the
 * past, so a phrase without a year that falls ahead ("11月30日" said on 5 December, "Friday"
 * said on Saturday) means the last such day, not the next one.
 */
import { addDays, dateInZone, isCalendarDate } from "./calendar-date.js";
import { parseTimePhrase, type TimeContext } from "./time-phrase.js";

export type OrderDateReading =
  /** The phrase read whole: the calendar date (YYYY-MM-DD) in the zone. */
  | { kind: "date"; date: string }
  /** Written like a date but not one ("2026-02-30", "monday mornings"): refuse it. */
  | { kind: "bad" }
  /** Not a date at all ("site" in "support on site"): the words belong to the product. */
  | { kind: "none" };

/** Numeric dates, strictly: "2026-03-01", "2026-3-1", "2026/11/30", "2026.11.30". */
const NUMERIC = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/;
/** Text that starts like a written date ("2026-13-01", "32/13", "11月40日") even when it is not one. */
const DATE_SHAPED = /^\d{1,4}(?:[-/.]\d{1,2}|年|月\d)/;
/** An explicit year in the phrase: it is taken as written, ahead or not. */
const HAS_YEAR = /\d{4}|\d+\s*年|\b(?:19|20)\d{2}\b/;
const MONTH_DAY = /月|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b|^\d{1,2}[/.-]\d{1,2}$/i;
const WEEKDAY = /\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day)?\b|(?:周|星期|礼拜)[一二三四五六日天1-7]/i;
const FORWARD = /\b(?:next|tomorrow|coming)\b|明|下|后天|之后|以后/i;

export function readOrderDate(phrase: string, context: TimeContext): OrderDateReading {
  const text = phrase.trim();
  if (text === "") return { kind: "none" };
  const numeric = NUMERIC.exec(text);
  if (numeric) {
    const date = `${numeric[1]}-${numeric[2]!.padStart(2, "0")}-${numeric[3]!.padStart(2, "0")}`;
    return isCalendarDate(date) ? { kind: "date", date } : { kind: "bad" };
  }
  const read = parseTimePhrase(text, context);
  if (!read) return DATE_SHAPED.test(text) ? { kind: "bad" } : { kind: "none" };
  // A phrase read only in part ("monday mornings") is a date written wrongly, not a product.
  if (read.rest !== "") return { kind: "bad" };
  let date = dateInZone(read.at, context.timeZone);
  const today = dateInZone(context.now, context.timeZone);
  if (date > today && !HAS_YEAR.test(text) && !FORWARD.test(text)) {
    if (MONTH_DAY.test(text)) {
      const lastYear = `${String(Number(date.slice(0, 4)) - 1).padStart(4, "0")}${date.slice(4)}`;
      if (isCalendarDate(lastYear)) date = lastYear;
    } else if (WEEKDAY.test(text)) {
      while (date > today) date = addDays(date, -7);
    }
  }
  return { kind: "date", date };
}
