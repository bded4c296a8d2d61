import { Decimal } from "decimal.js";
import { MAX_NAME_WORDS, currencyNamed, isCurrencyNoun, isLeadingName, looksLikeCurrency, narrows } from "./language/currency-words.js";

/** ISO 4217 codes the bot accepts, with their minor-unit digits. */
export const CURRENCY_DIGITS: Readonly<Record<string, number>> = {
  CNY: 2, USD: 2, EUR: 2, GBP: 2, JPY: 0, HKD: 2, TWD: 2, SGD: 2, AUD: 2, CAD: 2, CHF: 2,
  KRW: 0, INR: 2, MOP: 2, NZD: 2, SEK: 2, NOK: 2, DKK: 2, THB: 2, MYR: 2, IDR: 2, PHP: 2,
  VND: 0, AED: 2, SAR: 2, BRL: 2, MXN: 2, ZAR: 2, RUB: 2, TRY: 2, PLN: 2,
};

export const SUPPORTED_CURRENCIES = Object.keys(CURRENCY_DIGITS);

export function isSupportedCurrency(code: string): boolean {
  return Object.hasOwn(CURRENCY_DIGITS, code.toUpperCase());
}

/**
 * Rough default rates to CNY, so an order in another currency still counts towards revenue
 * out of the box. Operators set real ones with FX_RATES; each order keeps the rate it used.
 */
export const DEFAULT_RATES_TO_CNY: Readonly<Record<string, string>> = {
  CNY: "1", USD: "7.1", EUR: "7.7", GBP: "9.0", JPY: "0.047", HKD: "0.91", TWD: "0.22",
  SGD: "5.3", AUD: "4.6", CAD: "5.1", CHF: "8.0", KRW: "0.0051", INR: "0.084", MOP: "0.88",
  NZD: "4.2", SEK: "0.66", NOK: "0.65", DKK: "1.03", THB: "0.2", MYR: "1.6", IDR: "0.00045",
  PHP: "0.12", VND: "0.00028", AED: "1.93", SAR: "1.89", BRL: "1.3", MXN: "0.38", ZAR: "0.39",
  RUB: "0.078", TRY: "0.18", PLN: "1.8",
};

export interface ParsedAmount {
  amount: Decimal;
  /** Set when the token itself said which currency ("¥1200", "1200元", "1.5万美元"). */
  currency?: string;
}

/** What a word with a number in it says: an amount, or an amount with a currency the bot does not know. */
export type AmountToken =
  | { kind: "amount"; amount: Decimal; currency?: string; /** The currency as written ("$", "美元"). */ written?: string; /** A magnitude was attached ("3k", "2万"). */ scaled: boolean }
  | { kind: "unknownCurrency"; written: string }
  | { kind: "twoCurrencies"; first: string; second: string };

/**
 * Magnitudes written against a number or as the next word: Chinese 百/千/万/亿 and their
 * compounds (十万, 百万, 千万, 万亿), k, w (万), m/mn (million), bn, and the English words.
 */
const CHINESE_UNITS: Readonly<Record<string, number>> = { 十: 10, 百: 100, 千: 1_000, 万: 10_000, 亿: 100_000_000 };
const LATIN_MAGNITUDES: Readonly<Record<string, number>> = { k: 1_000, w: 10_000, m: 1_000_000, mn: 1_000_000, bn: 1_000_000_000 };
const MAGNITUDE_WORDS: Readonly<Record<string, number>> = { thousand: 1_000, million: 1_000_000, billion: 1_000_000_000, mn: 1_000_000, bn: 1_000_000_000, k: 1_000 };

/** A comma or colon typed after a word ("100 usd, support") separates; it is not part of the word. */
const TRAILING_SEPARATOR = /[,，;；:：。、]+$/u;

export function withoutSeparator(word: string): string {
  return word.replace(TRAILING_SEPARATOR, "");
}

/** Full-width forms (NFKC), traditional magnitudes a rep may type (萬, 億, 仟, 佰), a trailing separator. */
function normaliseToken(token: string): string {
  return withoutSeparator(token.normalize("NFKC").trim()).replace(/萬/g, "万").replace(/億/g, "亿").replace(/仟/g, "千").replace(/佰/g, "百");
}

/** "万" → 10000, "千万" → 10⁷, "万亿" → 10¹²; a larger unit never comes first ("万千" is not one). */
function chineseMagnitude(text: string): number | undefined {
  if (text.length === 1) return text === "十" ? undefined : CHINESE_UNITS[text];
  if (text.length !== 2) return undefined;
  const [a, b] = [CHINESE_UNITS[text[0]!], CHINESE_UNITS[text[1]!]];
  if (a === undefined || b === undefined || a >= b || b < 10_000) return undefined;
  return a * b;
}

/** A magnitude at the start of `text`, longest first: the factor and what follows it. */
function leadingMagnitude(text: string): { factor: number; rest: string } | undefined {
  for (const length of [2, 1]) {
    const factor = chineseMagnitude(text.slice(0, length));
    if (factor !== undefined) return { factor, rest: text.slice(length) };
  }
  const latin = /^(mn|bn|k|w|m)/i.exec(text)?.[1];
  if (latin) return { factor: LATIN_MAGNITUDES[latin.toLowerCase()]!, rest: text.slice(latin.length) };
  return undefined;
}

/** A magnitude written as a word of its own ("1.5 million", "3 千"), with any currency attached to it ("1.5 万美元"). */
export function magnitudeWord(word: string): { factor: number; currency?: string; written?: string } | { unknownCurrency: string } | undefined {
  const text = normaliseToken(word);
  const whole = MAGNITUDE_WORDS[text.toLowerCase()] ?? chineseMagnitude(text);
  if (whole !== undefined) return { factor: whole };
  const lead = leadingMagnitude(text);
  if (!lead || !/^\p{Script=Han}/u.test(text)) return undefined;
  const named = currencyNamed(lead.rest);
  if (named) return { factor: lead.factor, currency: named.code, written: lead.rest };
  return looksLikeCurrency(lead.rest) ? { unknownCurrency: lead.rest } : undefined;
}

const NUMBER = /^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$/;

/**
 * Reads a word that holds an amount: "1200", "1,200.50", "¥1200", "US$99.9", "HK$80", "1200元",
 * "100美元", "100€", "100usd", "3.5k", "2万", "1.5万美元", "3千元", "2亿", "RMB5000". A currency
 * the table does not know, written against the number ("100XYZ", "₪100", "100比特币"), is
 * reported as such; anything else that is not plainly a number is undefined.
 */
export function readAmountToken(token: string): AmountToken | undefined {
  const text = normaliseToken(token);
  const m = /^(\D*?)(\d[\d,]*(?:\.\d+)?)(\D*)$/u.exec(text);
  if (!m) return undefined;
  const [, before = "", digits = "", after = ""] = m;
  if (!NUMBER.test(digits)) return undefined;

  let prefix: { code: string; text: string } | undefined;
  if (before !== "") {
    const named = currencyNamed(before);
    if (!named) return looksLikeCurrency(before) ? { kind: "unknownCurrency", written: before.trim() } : undefined;
    prefix = { code: named.code, text: before.trim() };
  }

  let factor = 1;
  let suffix: { code: string; text: string } | undefined;
  if (after !== "") {
    const named = currencyNamed(after);
    if (named) suffix = { code: named.code, text: after.trim() };
    else {
      const lead = leadingMagnitude(after);
      const rest = lead?.rest ?? after;
      const restNamed = lead && rest !== "" ? currencyNamed(rest) : undefined;
      if (lead && (rest === "" || restNamed)) {
        factor = lead.factor;
        if (restNamed) suffix = { code: restNamed.code, text: rest };
      } else {
        // "100XYZ", "1.5万比特币": the currency is what follows the magnitude, if there is one.
        const written = lead && looksLikeCurrency(rest) ? rest : looksLikeCurrency(after) ? after : undefined;
        return written === undefined ? undefined : { kind: "unknownCurrency", written: written.trim() };
      }
    }
  }

  let currency = prefix ?? suffix;
  if (prefix && suffix && prefix.code !== suffix.code) {
    if (narrows(prefix, suffix.code)) currency = suffix;
    else if (narrows(suffix, prefix.code)) currency = prefix;
    else return { kind: "twoCurrencies", first: prefix.text, second: suffix.text };
  }
  const amount = new Decimal(digits.replace(/,/g, "")).mul(factor);
  return { kind: "amount", amount, ...(currency ? { currency: currency.code, written: currency.text } : {}), scaled: factor !== 1 };
}

/**
 * Reads an amount token: "1200", "1,200.50", "¥1200", "$99.9", "1200元", "3.5k", "2万".
 * Returns undefined for anything that is not plainly an amount (an unknown currency included).
 */
export function parseAmountToken(token: string): ParsedAmount | undefined {
  const read = readAmountToken(token);
  if (read?.kind !== "amount") return undefined;
  return read.currency ? { amount: read.amount, currency: read.currency } : { amount: read.amount };
}

/** What the words at the start of an order's terms say about money. */
export type MoneyReading =
  | {
      kind: "amount";
      amount: Decimal;
      currency?: string;
      /** How many of the words were the amount, its magnitude and its currency. */
      used: number;
    }
  | { kind: "notAmount"; word: string }
  | { kind: "unknownCurrency"; written: string }
  | { kind: "twoCurrencies"; first: string; second: string };

/** The currency named by the words at `at` (up to MAX_NAME_WORDS of them, longest first). */
function namedAt(words: readonly string[], at: number): { code: string; text: string; length: number } | undefined {
  for (let length = Math.min(MAX_NAME_WORDS, words.length - at); length >= 1; length--) {
    const text = withoutSeparator(words.slice(at, at + length).join(" "));
    const named = currencyNamed(text);
    if (named) return { code: named.code, text, length };
  }
  return undefined;
}

/**
 * Reads "[currency] <amount>[magnitude][currency] [magnitude] [currency] ..." from the start of
 * `words`: "USD 100", "$ 100", "100 dollars", "100 US dollars", "1.5 万 美元", "1.5 million
 * USD". The word right after the amount is a currency, or a product unless it looks like a
 * currency (looksLikeCurrency, or "<word> dollars"): then it is refused, never swallowed.
 */
export function readMoney(words: readonly string[]): MoneyReading {
  let at = 0;
  let leading: { code: string; text: string } | undefined;
  const first = words[0];
  if (first === undefined) return { kind: "notAmount", word: "" };
  const leadingName = currencyNamed(first);
  if (leadingName && isLeadingName(leadingName) && words[1] !== undefined && readAmountToken(words[1])) {
    leading = { code: leadingName.code, text: first };
    at = 1;
  }
  const token = readAmountToken(words[at]!);
  if (!token) return { kind: "notAmount", word: words[at]! };
  if (token.kind !== "amount") return token;
  let amount = token.amount;
  let currency: { code: string; text: string } | undefined = token.currency ? { code: token.currency, text: token.written ?? token.currency } : undefined;
  at += 1;

  const combine = (next: { code: string; text: string }): MoneyReading | undefined => {
    if (!currency || currency.code === next.code || narrows(currency, next.code)) currency = next;
    else if (!narrows(next, currency.code)) return { kind: "twoCurrencies", first: currency.text, second: next.text };
    return undefined;
  };
  if (leading) {
    const clash = combine(leading);
    if (clash) return clash;
  }

  // A magnitude as a word of its own, only after a bare number ("1.5 million", "3 千", "1.5 万美元").
  if (!token.scaled && !token.currency && words[at] !== undefined) {
    const magnitude = magnitudeWord(words[at]!);
    if (magnitude && "unknownCurrency" in magnitude) return { kind: "unknownCurrency", written: magnitude.unknownCurrency };
    if (magnitude) {
      amount = amount.mul(magnitude.factor);
      if (magnitude.currency) {
        const clash = combine({ code: magnitude.currency, text: magnitude.written ?? magnitude.currency });
        if (clash) return clash;
      }
      at += 1;
    }
  }

  const next = words[at] === undefined ? undefined : withoutSeparator(words[at]!);
  if (next !== undefined) {
    const named = namedAt(words, at);
    if (named) {
      const clash = combine(named);
      if (clash) return clash;
      at += named.length;
    } else if (looksLikeCurrency(next)) {
      return { kind: "unknownCurrency", written: next };
    } else if (/^\p{L}+$/u.test(next) && words[at + 1] !== undefined && isCurrencyNoun(withoutSeparator(words[at + 1]!))) {
      // "100 Zimbabwe dollars": a currency of some country the table does not name.
      return { kind: "unknownCurrency", written: `${next} ${withoutSeparator(words[at + 1]!)}` };
    }
  }
  return { kind: "amount", amount, ...(currency ? { currency: currency.code } : {}), used: at };
}

/** Largest amount a single order may carry (fits Decimal(16,2) with room to spare). */
export const MAX_ORDER_AMOUNT = new Decimal("1e12");

export function decimalPlaces(amount: Decimal): number {
  return amount.decimalPlaces();
}

export function toBase(amount: Decimal, rateToBase: Decimal): Decimal {
  return amount.mul(rateToBase).toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN);
}

/**
 * Rates from each currency to `base`, derived from rates to CNY and overridden by the
 * operator's FX_RATES (which are given to the base currency directly).
 */
export function ratesToBase(base: string, overrides: Readonly<Record<string, string>>): Map<string, Decimal> {
  const baseInCny = new Decimal(DEFAULT_RATES_TO_CNY[base] ?? "1");
  const rates = new Map<string, Decimal>();
  for (const [code, cny] of Object.entries(DEFAULT_RATES_TO_CNY)) {
    rates.set(code, new Decimal(cny).div(baseInCny));
  }
  for (const [code, rate] of Object.entries(overrides)) rates.set(code, new Decimal(rate));
  rates.set(base, new Decimal(1));
  return rates;
}

export { Decimal };
