import type { Locale } from "./locales.js";

export interface Formatter {
  money(amount: number | string, currency: string): string;
  number(value: number, maxFractionDigits?: number): string;
  date(at: Date): string;
  dateTime(at: Date): string;
  /** "3 days ago", "in 2 hours". */
  relative(at: Date, now: Date): string;
  list(items: string[]): string;
}

const UNITS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
  ["year", 365 * 24 * 3600_000],
  ["month", 30 * 24 * 3600_000],
  ["week", 7 * 24 * 3600_000],
  ["day", 24 * 3600_000],
  ["hour", 3600_000],
  ["minute", 60_000],
];

/** Numbers, money and dates in the reader's language and time zone. */
export function createFormatter(locale: Locale, timeZone: string): Formatter {
  const dateFormat = new Intl.DateTimeFormat(locale, { timeZone, year: "numeric", month: "short", day: "numeric" });
  const dateTimeFormat = new Intl.DateTimeFormat(locale, {
    timeZone, year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  const relativeFormat = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  const listFormat = new Intl.ListFormat(locale, { type: "conjunction" });
  return {
    money(amount, currency) {
      const value = typeof amount === "string" ? Number(amount) : amount;
      return new Intl.NumberFormat(locale, { style: "currency", currency, currencyDisplay: "code" }).format(value);
    },
    number(value, maxFractionDigits = 2) {
      return new Intl.NumberFormat(locale, { maximumFractionDigits: maxFractionDigits }).format(value);
    },
    date: (at) => dateFormat.format(at),
    dateTime: (at) => dateTimeFormat.format(at),
    relative(at, now) {
      const diff = at.getTime() - now.getTime();
      for (const [unit, ms] of UNITS) {
        if (Math.abs(diff) >= ms) return relativeFormat.format(Math.round(diff / ms), unit);
      }
      return relativeFormat.format(0, "minute");
    },
    list: (items) => listFormat.format(items),
  };
}
