import { Decimal, toBase } from "../../domain/money.js";
import type { CustomerSummary, Rep } from "../../store/index.js";
import type { ServiceDeps } from "../deps.js";
import { refreshSegments } from "../analytics/score-segments.js";
import { AppError } from "../../domain/errors.js";
import { purchaseActivates } from "../../domain/customers/customer-segments.js";
import { defaultConfirmAbove, orderConcern, type OrderConcern } from "../../domain/order-guard.js";

export interface OrderInput {
  /** Set when the same order may arrive twice (a confirmation): the second records nothing. */
  id?: string;
  customer: CustomerSummary;
  amount: Decimal;
  currency: string;
  product: string | null;
  orderedAt: Date;
}

export interface RecordedOrder {
  id: string;
  baseAmount: string;
  stageChange?: { from: string; to: string };
  /** The id was recorded before (a second press): nothing was written this time. */
  duplicate?: true;
}

export interface OrderReview {
  baseAmount: string;
  /** The rate used, to the base currency. */
  rate: string;
  /** Set when the rep should confirm before the order is written. */
  concern?: OrderConcern;
}

export function rateOf(deps: ServiceDeps, currency: string): string {
  const rate = deps.settings.ratesToBase.get(currency);
  if (rate === undefined) throw new AppError("INVALID_INPUT", "order.noRate", { currency, base: deps.settings.baseCurrency });
  return rate;
}

/**
 * What an order would count as in the base currency, and whether it is far outside what the
 * customer usually orders (or over ORDER_CONFIRM_ABOVE), so the rep is asked first. A correction
 * passes the order's own rate (`rate`) and leaves the order itself out of what is usual (`except`).
 */
export async function reviewOrder(deps: ServiceDeps, input: { customerId: string; amount: Decimal; currency: string; rate?: string; except?: string }): Promise<OrderReview> {
  const rate = input.rate ?? rateOf(deps, input.currency);
  const baseAmount = toBase(input.amount, new Decimal(rate));
  const history = await deps.store.orders.history(input.customerId, input.except);
  const ceiling = deps.settings.orderConfirmAbove !== undefined ? new Decimal(deps.settings.orderConfirmAbove) : defaultConfirmAbove(deps.settings.baseCurrency);
  const concern = orderConcern(baseAmount, { orders: history.orders, median: history.median === null ? null : new Decimal(history.median) }, ceiling);
  return { baseAmount: baseAmount.toFixed(2), rate, ...(concern ? { concern } : {}) };
}

/** The currency the customer's latest order was in, else the base currency (the order form's default). */
export async function usualCurrency(deps: ServiceDeps, customerId: string): Promise<string> {
  const last = await deps.store.orders.lastCurrency(customerId);
  return last && deps.settings.ratesToBase.has(last) ? last : deps.settings.baseCurrency;
}

/**
 * Records a purchase, converted to the base currency at the configured rate (kept on the
 * order), and keeps the customer's stats current in the same transaction. A first purchase
 * (or a returning churned customer) makes the customer active, and the move is recorded, when
 * the order is recent (purchaseActivates): an order backdated further leaves the stage to the
 * nightly scan. With an `id` already recorded (for the same customer) nothing is written again.
 */
export async function recordOrder(deps: ServiceDeps, rep: Rep, input: OrderInput): Promise<RecordedOrder> {
  const rate = rateOf(deps, input.currency);
  const baseAmount = toBase(input.amount, new Decimal(rate)).toFixed(2);
  return deps.store.transaction(async (tx) => {
    const order = await tx.orders.record({
      ...(input.id ? { id: input.id } : {}),
      customerId: input.customer.id,
      createdById: rep.id,
      amount: input.amount.toFixed(),
      currency: input.currency,
      baseAmount,
      rateToBase: rate,
      product: input.product,
      orderedAt: input.orderedAt,
    });
    if (!order.created) {
      const existing = await tx.orders.get(order.id);
      // An id from a button belongs to the order it was made for; any other use is a stale or forged value.
      if (!existing || existing.customerId !== input.customer.id) throw new AppError("INVALID_INPUT", "error.expired", {}, `order ${order.id} belongs to another customer`);
      return { id: order.id, baseAmount: existing.baseAmount, duplicate: true };
    }
    await tx.audit.write({
      actorId: rep.id, action: "order.create", entityId: order.id, customerIds: [input.customer.id],
      detail: { customerId: input.customer.id, amount: input.amount.toFixed(), currency: input.currency, baseAmount },
    });
    // The move and its customer_stage_changes row ({ rule: "purchase" }, no alert) in one statement.
    const now = deps.now();
    const from = purchaseActivates(input.orderedAt, now) ? await tx.segments.activateOnPurchase(input.customer.id, now) : null;
    // The customer's segment follows the purchase now, not at the nightly scan.
    await refreshSegments(tx, deps, [input.customer.id]);
    return from ? { id: order.id, baseAmount, stageChange: { from, to: "ACTIVE" } } : { id: order.id, baseAmount };
  });
}
