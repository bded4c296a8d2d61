import type { Rep } from "../store/index.js";
import type { LinkedContact } from "../store/customer-merge.js";
import type { ServiceDeps } from "./deps.js";

export interface LinkContactResult extends LinkedContact {
  customerId: string;
  customerName: string;
}

/**
 * Links a contact (a WeChat sender who arrived as a lead, say) to an existing customer. A lead
 * that was only this contact is absorbed whole: its history, orders, deals, reminders and
 * surveys move to the customer and the lead is gone. Any rep may link; it is audited.
 * Throws CONFLICT ("link.already") when the contact already belongs to the customer.
 */
export async function linkContact(deps: ServiceDeps, rep: Rep, input: { contactId: string; customerId: string }): Promise<LinkContactResult> {
  return deps.store.transaction(async (tx) => {
    const linked = await tx.customerMerge.linkContact({ contactId: input.contactId, targetCustomerId: input.customerId, actorId: rep.id });
    const target = await tx.customers.getSummary(input.customerId);
    if (!target) throw new Error(`customer ${input.customerId} vanished while it was locked`);
    return { ...linked, customerId: target.id, customerName: target.name };
  });
}
