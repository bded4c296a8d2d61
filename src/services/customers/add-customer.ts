import { nameKeys, tidyDisplayName } from "../../domain/language/customer-name.js";
import type { CustomerSummary, Rep } from "../../store/index.js";
import type { ServiceDeps } from "../deps.js";

/**
 * Creates a customer owned by the rep, or answers with the existing one when the name is
 * already taken in any spelling ("Acme Ltd" after "ACME"). The create and its audit row
 * commit together.
 */
export async function addCustomer(deps: ServiceDeps, rep: Rep, name: string): Promise<{ created: boolean; customer: CustomerSummary }> {
  const display = tidyDisplayName(name);
  const keys = nameKeys(display);
  return deps.store.transaction(async (tx) => {
    const result = await tx.customers.create({ name: display, keys, ownerId: rep.id, stage: "LEAD", source: `${rep.platform}:command` });
    if (result.created) {
      // The name is the customer's own record, read by id when the log is: not copied here.
      await tx.audit.write({ actorId: rep.id, action: "customer.create", entityId: result.customer.id, detail: { stage: "LEAD", source: `${rep.platform}:command` } });
    }
    return result;
  });
}
