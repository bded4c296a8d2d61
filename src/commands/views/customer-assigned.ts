import type { Message } from "../../reply/reply.js";
import type { CustomerCard } from "../../services/index.js";
import type { RenderContext } from "../notification-types.js";
import { customerCardMessage } from "./customer-card.js";

/** The new owner's direct message: who handed them the customer, and its card as they see it. */
export function assignedMessage(ctx: RenderContext, card: CustomerCard, by: string): Message {
  const notice = by ? ctx.t("customer.assign.dm", { by, name: card.name }) : ctx.t("customer.assign.dmNoName", { name: card.name });
  return { ...customerCardMessage(ctx, card, notice), summary: notice };
}
