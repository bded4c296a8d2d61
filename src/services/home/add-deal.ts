import { Decimal } from "decimal.js";
import { AppError } from "../../domain/errors.js";
import type { Rep } from "../../store/index.js";
import type { ServiceDeps } from "../deps.js";
import { currentPipeline } from "./get-home.js";

/** The largest deal amount taken (deals.amount is DECIMAL(16,2)). */
export const MAX_DEAL_AMOUNT = new Decimal("1e12");

export interface HomeDealInput {
  customerId: string;
  title: string;
  /** Null: a deal without an amount yet. */
  amount: { value: Decimal; currency: string } | null;
  /** A key of an open stage; unset, the pipeline's first. */
  stage?: string;
}

/**
 * A deal recorded from the Home tab's "Add a deal" form: owned by the rep who adds it, in an open
 * stage of the pipeline, its amount also kept in the base currency at today's configured rate.
 * /deal (issue 18) records the same rows through store.deals.add.
 */
export async function addDealFromHome(deps: ServiceDeps, rep: Rep, input: HomeDealInput) {
  const pipeline = await currentPipeline(deps);
  const stage = input.stage === undefined ? pipeline.first : pipeline.stage(input.stage);
  if (!stage || stage.outcome) throw new AppError("INVALID_INPUT", "home.deal.badStage", {});
  let baseAmount: string | null = null;
  let rateToBase: string | null = null;
  if (input.amount) {
    if (input.amount.value.lte(0) || input.amount.value.gt(MAX_DEAL_AMOUNT)) throw new AppError("INVALID_INPUT", "home.form.deal.badAmount", { amount: input.amount.value.toFixed() });
    const { baseCurrency, ratesToBase } = deps.settings;
    const rate = input.amount.currency === baseCurrency ? "1" : ratesToBase.get(input.amount.currency);
    if (rate === undefined) throw new AppError("INVALID_INPUT", "order.noRate", { currency: input.amount.currency, base: baseCurrency });
    rateToBase = rate;
    baseAmount = input.amount.value.times(rate).toDecimalPlaces(2).toFixed(2);
  }
  // Audited as /deal add's deals are (services/deals/manage-deals.ts), in the same transaction.
  return deps.store.transaction(async (tx) => {
    const made = await tx.deals.add({
      customerId: input.customerId,
      ownerId: rep.id,
      createdById: rep.id,
      title: input.title,
      amount: input.amount ? input.amount.value.toFixed() : null,
      currency: input.amount?.currency ?? null,
      baseAmount,
      rateToBase,
      stage: stage.key,
      expectedCloseAt: null,
      at: deps.now(),
    });
    await tx.audit.write({ actorId: rep.id, action: "deal.create", entityId: made.id, customerIds: [input.customerId], detail: { stage: made.stage, amount: made.amount, currency: made.currency } });
    return made;
  });
}
