import { Decimal } from "decimal.js";

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

/** Symbols a rep may type in front of an amount, and the currency each means. */
const SYMBOLS: Readonly<Record<string, string>> = { "$": "USD", "¥": "CNY", "￥": "CNY", "€": "EUR", "£": "GBP" };

export interface ParsedAmount {
  amount: Decimal;
  /** Set when the token itself said which currency ("¥1200", "1200元"). */
  currency?: string;
}

/**
 * Reads an amount token: "1200", "1,200.50", "¥1200", "$99.9", "1200元", "3.5k", "2万".
 * Returns undefined for anything that is not plainly a number.
 */
export function parseAmountToken(token: string): ParsedAmount | undefined {
  let text = token.normalize("NFKC").trim();
  let currency: string | undefined;
  const symbol = Object.keys(SYMBOLS).find((s) => text.startsWith(s));
  if (symbol) {
    currency = SYMBOLS[symbol];
    text = text.slice(symbol.length);
  }
  if (text.endsWith("元")) {
    currency = "CNY";
    text = text.slice(0, -1);
  }
  let factor = 1;
  const multiplier = /([kKwW万])$/.exec(text)?.[1];
  if (multiplier) {
    factor = multiplier === "k" || multiplier === "K" ? 1_000 : 10_000;
    text = text.slice(0, -1);
  }
  if (!/^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$/.test(text)) return undefined;
  const amount = new Decimal(text.replace(/,/g, "")).mul(factor);
  return currency ? { amount, currency } : { amount };
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
