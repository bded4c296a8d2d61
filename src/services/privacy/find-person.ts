import { looksLikePhone } from "../../domain/customers/phone-number.js";
import type { CustomerSummary, PersonKey, PersonMatch } from "../../store/index.js";
import { resolveCustomer } from "../customers/resolve-customer.js";
import type { ServiceDeps } from "../deps.js";

/** How many people a privacy request is offered to pick from. */
const MAX_CHOICES = 8;

/** Who a privacy request (/crm erase, /crm export-person) names, or what to ask next. */
export type PersonSearch =
  | { kind: "contact"; contact: PersonMatch }
  | { kind: "customer"; customer: CustomerSummary }
  /** Several fit: the asker picks; `more` when there are others not among them. */
  | { kind: "choices"; contacts: PersonMatch[]; customers: CustomerSummary[]; more: boolean }
  /** Nobody fits; `within` is the customer of "Acme: Li Lei" when it was found (`person` what followed); `suggestions` look-alike customers. */
  | { kind: "none"; within?: CustomerSummary; person?: string; suggestions: CustomerSummary[] }
  /** "Acme: Li Lei" where Acme names several customers or none. */
  | { kind: "customer-unclear"; query: string; candidates: CustomerSummary[]; more: boolean };

/** "Acme: Li Lei", "阿里巴巴：王芳": the customer, then the person. */
const WITHIN = /^([^:：]+)[:：]\s*(.+)$/su;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;
/** A WeChat openid (28 characters of base64url) or a Slack user id. */
const PLATFORM_ID = /^(?:o[A-Za-z0-9_-]{20,40}|[UW][A-Z0-9]{8,})$/u;

/** What the typed words say about the person: an email, a phone, a platform id, or a name. */
export function personKeyOf(typed: string): PersonKey {
  const text = typed.trim();
  if (EMAIL.test(text)) return { by: "email", email: text };
  if (PLATFORM_ID.test(text)) return { by: "platform-id", id: text };
  if (looksLikePhone(text) && text.replace(/\D/g, "").length >= 7) return { by: "phone", phone: text };
  return { by: "name", name: text };
}

/**
 * Finds the contact (or, with `customers`, the customer) a typed request means: a contact by
 * name, email, phone or WeChat/Slack id across customers, "Customer: person" within one, or a
 * customer by the forgiving name match. Several that fit are offered, never guessed.
 */
export async function findPerson(deps: ServiceDeps, typed: string, options: { customers: boolean }): Promise<PersonSearch> {
  const text = typed.trim();
  const within = WITHIN.exec(text);
  if (within && !EMAIL.test(text)) {
    const [, customerPart = "", personPart = ""] = within;
    const resolution = await resolveCustomer(deps, customerPart.trim());
    if (resolution.kind === "ambiguous") return { kind: "customer-unclear", query: customerPart.trim(), candidates: resolution.candidates, more: resolution.more };
    if (resolution.kind === "none") return { kind: "customer-unclear", query: customerPart.trim(), candidates: [], more: false };
    const customer = resolution.customer;
    const key = personKeyOf(personPart);
    let found = await deps.store.personLookup.find(key, customer.id, MAX_CHOICES + 1);
    // Within one customer a first name is enough ("Acme: Li" for Li Lei).
    if (found.length === 0 && key.by === "name") found = await deps.store.personLookup.startingWith(customer.id, key.name, MAX_CHOICES + 1);
    if (found.length === 1) return { kind: "contact", contact: found[0]! };
    if (found.length === 0) return { kind: "none", within: customer, person: personPart.trim(), suggestions: [] };
    return { kind: "choices", contacts: found.slice(0, MAX_CHOICES), customers: [], more: found.length > MAX_CHOICES };
  }

  const key = personKeyOf(text);
  const contacts = await deps.store.personLookup.find(key, null, MAX_CHOICES + 1);
  if (key.by !== "name" || !options.customers) {
    if (contacts.length === 1) return { kind: "contact", contact: contacts[0]! };
    if (contacts.length === 0) return { kind: "none", suggestions: [] };
    return { kind: "choices", contacts: contacts.slice(0, MAX_CHOICES), customers: [], more: contacts.length > MAX_CHOICES };
  }
  const resolution = await resolveCustomer(deps, text);
  const customers = resolution.kind === "found" ? [resolution.customer] : resolution.kind === "ambiguous" ? resolution.candidates : [];
  if (contacts.length === 1 && customers.length === 0) return { kind: "contact", contact: contacts[0]! };
  if (contacts.length === 0 && customers.length === 1) return { kind: "customer", customer: customers[0]! };
  if (contacts.length === 0 && customers.length === 0) return { kind: "none", suggestions: resolution.kind === "none" ? resolution.suggestions : [] };
  const more = contacts.length > MAX_CHOICES || (resolution.kind === "ambiguous" && resolution.more);
  return { kind: "choices", contacts: contacts.slice(0, MAX_CHOICES), customers: customers.slice(0, MAX_CHOICES), more };
}
