import type { RepProfile, Rep, TimelineCursor, CustomerSummary } from "../store/index.js";
import { addCustomer } from "./add-customer.js";
import type { ServiceDeps } from "./deps.js";
import { getCustomerCard } from "./get-customer-card.js";
import { listHistory } from "./list-history.js";
import { listTopCustomers } from "./list-top-customers.js";
import { recordInteraction, type InteractionInput } from "./record-interaction.js";
import { recordOrder, type OrderInput } from "./record-order.js";
import { registerRep } from "./register-rep.js";
import { resolveCustomer, resolveLeadingCustomer } from "./resolve-customer.js";

/** The use-cases with their dependencies bound, as commands and adapters call them. */
export function createServices(deps: ServiceDeps) {
  return {
    settings: deps.settings,
    now: () => deps.now(),
    registerRep: (profile: RepProfile) => registerRep(deps, profile),
    resolveCustomer: (query: string) => resolveCustomer(deps, query),
    resolveLeadingCustomer: (words: readonly string[]) => resolveLeadingCustomer(deps, words),
    getCustomer: (id: string): Promise<CustomerSummary | null> => deps.store.customers.getSummary(id),
    addCustomer: (rep: Rep, name: string) => addCustomer(deps, rep, name),
    getCustomerCard: (viewer: Rep, customerId: string) => getCustomerCard(deps, viewer, customerId),
    recordInteraction: (rep: Rep, input: InteractionInput) => recordInteraction(deps, rep, input),
    recordOrder: (rep: Rep, input: OrderInput) => recordOrder(deps, rep, input),
    listHistory: (customerId: string, after?: TimelineCursor) => listHistory(deps, customerId, after),
    listTopCustomers: (limit: number) => listTopCustomers(deps, limit),
  };
}

export type Services = ReturnType<typeof createServices>;
export type { ServiceDeps } from "./deps.js";
export type { CustomerSummary, Rep, TimelineCursor, TimelineEntry } from "../store/index.js";
export type { CustomerCard } from "./get-customer-card.js";
export type { CustomerResolution } from "./resolve-customer.js";
export { HISTORY_PAGE_SIZE } from "./list-history.js";
