import type { Locale } from "./locales.js";

export interface Formatter {
  money(amount: number | string, currency: string): string;
  number(value: number, maxFractionDigits?: number): string;
  date(at: Date): string;
  dateTime(at: Date): string;
  /** A time to check at a glance, weekday first: "Fri 11 Dec 2026, 09:00", "2026年12月11日 周五 09:00". */
  weekdayDateTime(at: Date): string;
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

/** Kept per language and zone: building an Intl.DateTimeFormat costs more than using one. */
const weekdayFormats = new Map<string, Intl.DateTimeFormat>();

function weekdayDateTime(locale: Locale, timeZone: string, at: Date): string {
  const key = `${locale} ${timeZone}`;
  let format = weekdayFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, {
      timeZone, weekday: "short", year: "numeric", month: locale === "en" ? "short" : "numeric", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    });
    weekdayFormats.set(key, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  const { weekday, year, month, day, hour, minute } = parts as Record<"weekday" | "year" | "month" | "day" | "hour" | "minute", string>;
  // Assembled from parts: Intl's own order puts a comma after the weekday in English and no
  // space before it in Chinese.
  return locale === "en" ? `${weekday} ${day} ${month} ${year}, ${hour}:${minute}` : `${year}年${month}月${day}日 ${weekday} ${hour}:${minute}`;
}

/**
 * Formatters kept per language and zone (and Intl.NumberFormat per currency): building the Intl
 * objects on every request was about 7% of a card's CPU. They hold no per-request state, and the
 * pairs in use are few (two languages times the zones reps live in), so the map stays small.
 */
const formatters = new Map<string, Formatter>();
const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: Locale, key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const cacheKey = `${locale} ${key}`;
  let format = numberFormats.get(cacheKey);
  if (!format) {
    format = new Intl.NumberFormat(locale, options);
    numberFormats.set(cacheKey, format);
  }
  return format;
}

/** Numbers, money and dates in the reader's language and time zone. */
export function createFormatter(locale: Locale, timeZone: string): Formatter {
  const key = `${locale} ${timeZone}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = buildFormatter(locale, timeZone);
    formatters.set(key, formatter);
  }
  return formatter;
}

function buildFormatter(locale: Locale, timeZone: string): Formatter {
  const dateFormat = new Intl.DateTimeFormat(locale, { timeZone, year: "numeric", month: "short", day: "numeric" });
  const dateTimeFormat = new Intl.DateTimeFormat(locale, {
    timeZone, year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  const relativeFormat = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  const listFormat = new Intl.ListFormat(locale, { type: "conjunction" });
  return {
    money(amount, currency) {
      const value = typeof amount === "string" ? Number(amount) : amount;
      return numberFormat(locale, `money ${currency}`, { style: "currency", currency, currencyDisplay: "code" }).format(value);
    },
    number(value, maxFractionDigits = 2) {
      return numberFormat(locale, `number ${maxFractionDigits}`, { maximumFractionDigits: maxFractionDigits }).format(value);
    },
    date: (at) => dateFormat.format(at),
    dateTime: (at) => dateTimeFormat.format(at),
    weekdayDateTime: (at) => weekdayDateTime(locale, timeZone, at),
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
