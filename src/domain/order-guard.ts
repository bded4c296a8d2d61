/**
 * When an order amount is unusual enough that the rep is asked before it is written: a slip
 * of the keyboard ("50000" for "500", "5万" for "5千", a yen price typed as yuan) costs a
 * customer's revenue, lifetime value and segment until someone notices.
 */
import { Decimal } from "decimal.js";
import { DEFAULT_RATES_TO_CNY } from "./money.js";

/** An order this many times the customer's median order asks first. */
export const MEDIAN_FACTOR = 100;
/** The median says what is usual only once there are this many orders. */
export const MIN_ORDERS_FOR_MEDIAN = 3;
/** ORDER_CONFIRM_ABOVE's default, in CNY; other base currencies get its equivalent. */
export const DEFAULT_CONFIRM_ABOVE_CNY = 1_000_000;

export type OrderConcern =
  | { kind: "median"; median: Decimal; factor: number }
  | { kind: "ceiling"; ceiling: Decimal };

export interface OrderHistory {
  orders: number;
  /** Median base amount of the customer's recent orders; null without orders. */
  median: Decimal | null;
}

/**
 * Why an order of `baseAmount` (in the base currency) should be confirmed first, or undefined.
 * The customer's own rhythm is the better reason to give, so it comes first.
 */
export function orderConcern(baseAmount: Decimal, history: OrderHistory, ceiling: Decimal): OrderConcern | undefined {
  const { median } = history;
  if (history.orders >= MIN_ORDERS_FOR_MEDIAN && median && median.gt(0) && baseAmount.gt(median.mul(MEDIAN_FACTOR))) {
    return { kind: "median", median, factor: MEDIAN_FACTOR };
  }
  if (baseAmount.gt(ceiling)) return { kind: "ceiling", ceiling };
  return undefined;
}

/**
 * The default ceiling in `base`: the equivalent of 1,000,000 CNY, rounded to two significant
 * digits so the rep reads a round number (USD 140,000, JPY 21,000,000).
 */
export function defaultConfirmAbove(base: string): Decimal {
  const rate = DEFAULT_RATES_TO_CNY[base];
  if (!rate) return new Decimal(DEFAULT_CONFIRM_ABOVE_CNY);
  return new Decimal(DEFAULT_CONFIRM_ABOVE_CNY).div(rate).toSignificantDigits(2, Decimal.ROUND_HALF_UP);
}
