import { AppError } from "../../domain/errors.js";
import { mayChange } from "../../domain/access/write-rights.js";
import type { Rep } from "../../store/index.js";
import type { LinkedContact } from "../../store/customers/customer-merge.js";
import type { ServiceDeps } from "../deps.js";

interface Owned {
  name: string;
  ownerId: string | null;
}

export interface LinkContactResult extends LinkedContact {
  customerId: string;
  customerName: string;
}

/**
 * Links a contact (a WeChat sender who arrived as a lead, say) to an existing customer. A lead
 * that was only this contact is absorbed whole: its history, orders, deals, reminders and
 * surveys move to the customer and the lead is gone. It is audited.
 *
 * Linking hands a contact, its private details and its history from one customer to another,
 * so a rep needs both ends to be theirs (or nobody's, as a new WeChat lead is); admins and
 * managers may link anything. Otherwise FORBIDDEN ("link.forbidden") and nothing changes.
 * Throws CONFLICT ("link.already") when the contact already belongs to the customer.
 */
export async function linkContact(deps: ServiceDeps, rep: Rep, input: { contactId: string; customerId: string }): Promise<LinkContactResult> {
  return deps.store.transaction(async (tx) => {
    const authorize = async ({ from, to }: { from: Owned; to: Owned }) => {
      // The side the rep may not touch; the contact's current customer first, as it is the one given away.
      const foreign = [from, to].find((c) => !mayChange(rep, { ownerId: c.ownerId }));
      if (!foreign) return;
      const owner = await tx.users.findById(foreign.ownerId!);
      throw new AppError("FORBIDDEN", "link.forbidden", { customer: foreign.name, owner: owner?.displayName ?? "?" }, `rep ${rep.id} may not link a contact of ${foreign.name}`);
    };
    const linked = await tx.customerMerge.linkContact({ contactId: input.contactId, targetCustomerId: input.customerId, actorId: rep.id, authorize });
    const target = await tx.customers.getSummary(input.customerId);
    if (!target) throw new Error(`customer ${input.customerId} vanished while it was locked`);
    return { ...linked, customerId: target.id, customerName: target.name };
  });
}
