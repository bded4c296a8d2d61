import { Decimal, toBase } from "../domain/money.js";
import type { CustomerSummary, Rep } from "../store/index.js";
import type { ServiceDeps } from "./deps.js";
import { AppError } from "../domain/errors.js";
import { purchaseActivates } from "../domain/customer-segments.js";

export interface OrderInput {
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
}

/**
 * Records a purchase, converted to the base currency at the configured rate (kept on the
 * order), and keeps the customer's stats current in the same transaction. A first purchase
 * (or a returning churned customer) makes the customer active, and the move is recorded, when
 * the order is recent (purchaseActivates): an order backdated further leaves the stage to the
 * nightly scan.
 */
export async function recordOrder(deps: ServiceDeps, rep: Rep, input: OrderInput): Promise<RecordedOrder> {
  const rate = deps.settings.ratesToBase.get(input.currency);
  if (rate === undefined) throw new AppError("INVALID_INPUT", "order.noRate", { currency: input.currency, base: deps.settings.baseCurrency });
  const baseAmount = toBase(input.amount, new Decimal(rate)).toFixed(2);
  return deps.store.transaction(async (tx) => {
    const order = await tx.orders.record({
      customerId: input.customer.id,
      createdById: rep.id,
      amount: input.amount.toFixed(),
      currency: input.currency,
      baseAmount,
      rateToBase: rate,
      product: input.product,
      orderedAt: input.orderedAt,
    });
    await tx.audit.write({
      actorId: rep.id, action: "order.create", entity: "customer", entityId: input.customer.id,
      detail: { orderId: order.id, amount: input.amount.toFixed(), currency: input.currency },
    });
    // The move and its customer_stage_changes row ({ rule: "purchase" }, no alert) in one statement.
    const now = deps.now();
    const from = purchaseActivates(input.orderedAt, now) ? await tx.segments.activateOnPurchase(input.customer.id, now) : null;
    return from ? { id: order.id, baseAmount, stageChange: { from, to: "ACTIVE" } } : { id: order.id, baseAmount };
  });
}
