import { nameKeys } from "../../domain/language/customer-name.js";
import type { CustomerSummary } from "../../store/index.js";
import type { ServiceDeps } from "../deps.js";

/**
 * The one customer a whole text names exactly (its name, an alias or the pinyin, with case,
 * spacing and company suffixes forgiven), if there is exactly one. No prefix or look-alike
 * matching: a text that merely resembles a name ("acm", "who is at risk") names nobody, so a
 * bare line can be told apart from a question.
 */
export async function findCustomerByName(deps: ServiceDeps, text: string): Promise<CustomerSummary | undefined> {
  const keys = nameKeys(text);
  // One letter or character is too little to be taken for anyone's name.
  if ([...keys.normalizedName].length < 2) return undefined;
  const candidates = await deps.store.customers.findExact(keys, 2);
  return candidates.length === 1 ? candidates[0] : undefined;
}
