import { customerValue } from "../domain/clv.js";
import type { Rep } from "../store/index.js";
import type { ServiceDeps } from "./deps.js";

export interface CustomerCard {
  id: string;
  name: string;
  stage: string;
  source: string | null;
  aliases: string[];
  owner: { id: string; name: string } | null;
  /** False when the viewer may not see the contacts' private details (email, phone). */
  showPrivate: boolean;
  contacts: { name: string; title: string | null; email: string | null; phone: string | null; onWechat: boolean }[];
  baseCurrency: string;
  revenue: number;
  orderCount: number;
  averageOrderValue: number;
  purchaseFrequency: number;
  clv: number;
  lifespanMonths: number;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
  interactions: { channel: string; direction: string; body: string; occurredAt: Date; authorName: string | null }[];
  reminders: { text: string; dueAt: Date; ownerName: string }[];
  deals: { title: string; amount: string | null; currency: string | null; expectedCloseAt: Date | null }[];
  satisfaction: {
    latest: { kind: string; score: number } | null;
    averageCsat: number | null;
    answered: number;
    /** The newest survey, when it is not answered: on its way, waiting, or ended without an answer. */
    pending: { status: string; reason: string | null; since: Date } | null;
  };
}

/** A rep sees private details of their own customers; admins and managers of all. */
export function maySeePrivate(viewer: Rep, ownerId: string | null): boolean {
  return viewer.role !== "REP" || ownerId === null || ownerId === viewer.id;
}

/** Everything on the customer card, assembled from indexed reads; the view is audit-logged. */
export async function getCustomerCard(deps: ServiceDeps, viewer: Rep, customerId: string): Promise<CustomerCard | null> {
  const { store, settings } = deps;
  const [detail, interactions, reminders, deals, surveys] = await Promise.all([
    store.customers.getDetail(customerId),
    store.interactions.latest(customerId, 5),
    store.followUps.openReminders(customerId, 5),
    store.followUps.openDeals(customerId, 5),
    store.surveys.summaryFor(customerId),
  ]);
  if (!detail) return null;
  const showPrivate = maySeePrivate(viewer, detail.ownerId);
  await store.audit.write({ actorId: viewer.id, action: "customer.view", entity: "customer", entityId: customerId, detail: { private: showPrivate } });

  const stats = detail.stats;
  const revenue = Number(stats?.totalSpent ?? 0);
  const orderCount = stats?.orderCount ?? 0;
  const value = customerValue({ totalSpent: revenue, orderCount, firstOrderAt: stats?.firstOrderAt ?? null }, deps.now(), settings.clvLifespanMonths);

  return {
    id: detail.id,
    name: detail.name,
    stage: detail.stage,
    source: detail.source,
    aliases: detail.aliases.map((a) => a.alias),
    owner: detail.owner ? { id: detail.owner.id, name: detail.owner.displayName } : null,
    showPrivate,
    contacts: detail.contacts.map((c) => ({
      name: c.name,
      title: c.title,
      email: showPrivate ? c.email : null,
      phone: showPrivate ? c.phone : null,
      onWechat: c.wechatOpenId !== null,
    })),
    baseCurrency: settings.baseCurrency,
    revenue,
    orderCount,
    averageOrderValue: value.averageOrderValue,
    purchaseFrequency: value.purchaseFrequency,
    clv: value.clv,
    lifespanMonths: settings.clvLifespanMonths,
    firstOrderAt: stats?.firstOrderAt ?? null,
    lastOrderAt: stats?.lastOrderAt ?? null,
    interactions: interactions.map((i) => ({ channel: i.channel, direction: i.direction, body: i.body, occurredAt: i.occurredAt, authorName: i.authorName })),
    reminders: reminders.map((r) => ({ text: r.text, dueAt: r.dueAt, ownerName: r.user.displayName })),
    deals: deals.map((d) => ({ title: d.title, amount: d.amount, currency: d.currency, expectedCloseAt: d.expectedCloseAt })),
    satisfaction: {
      latest: surveys.latest ? { kind: surveys.latest.kind, score: surveys.latest.score } : null,
      averageCsat: surveys.csatAverage,
      answered: surveys.csatCount,
      pending: surveys.unanswered ? { status: surveys.unanswered.status, reason: surveys.unanswered.closedReason, since: surveys.unanswered.createdAt } : null,
    },
  };
}
