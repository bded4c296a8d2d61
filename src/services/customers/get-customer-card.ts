import type { Rep } from "../../store/index.js";
import { maySeePrivate, privateScope, withoutDetails, type Audience } from "../audience.js";
import type { CustomerProfile } from "../../domain/customers/customer-fields.js";
import { mayChange } from "../../domain/access/write-rights.js";
import { valueOfCustomer } from "./customer-value.js";
import type { ServiceDeps } from "../deps.js";

/** Contacts on the card: each brings two buttons, and Slack shows at most 50 blocks. */
export const CARD_CONTACTS = 5;

export interface CustomerCard extends CustomerProfile {
  id: string;
  name: string;
  stage: string;
  /** The viewer may change the customer itself (name, stage, owner, fields): the card's Edit button. */
  mayEdit: boolean;
  aliases: string[];
  owner: { id: string; name: string } | null;
  /** False when the viewer may not see the contacts' private details (email, phone). */
  showPrivate: boolean;
  /** Made for a channel (a shared card): no private details, whoever shared it. */
  forChannel: boolean;
  contacts: { id: string; name: string; title: string | null; email: string | null; phone: string | null; onWechat: boolean; onSlack: boolean }[];
  /** The viewer may add, edit and remove the contacts (mayChange on the customer); never on a shared card. */
  mayEditContacts: boolean;
  baseCurrency: string;
  revenue: number;
  orderCount: number;
  averageOrderValue: number;
  purchaseFrequency: number;
  clv: number;
  /** The purchase history is shorter than the observation window: the CLV is an early estimate. */
  clvEarlyEstimate: boolean;
  lifespanMonths: number;
  minObservationMonths: number;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
  interactions: { channel: string; direction: string; body: string; occurredAt: Date; authorName: string | null }[];
  reminders: { text: string; dueAt: Date; ownerName: string }[];
  deals: { title: string; amount: string | null; currency: string | null; expectedCloseAt: Date | null }[];
  /** How long each list on the card is in full: the card shows the first few and says so. */
  totals: { contacts: number; interactions: number; reminders: number; deals: number };
  satisfaction: {
    latest: { kind: string; score: number } | null;
    averageCsat: number | null;
    answered: number;
    /** The newest survey, when it is not answered: on its way, waiting, or ended without an answer. */
    pending: { status: string; reason: string | null; since: Date } | null;
  };
}

/**
 * Everything on the customer card, assembled from indexed reads; the view is audit-logged. For
 * a reader who may not see the customer's private details (maySeePrivate: a channel, or a rep
 * outside the owner's scope), the card has none (emails, phones, the address), and notes that
 * mention a contact's details have them hidden.
 */
export async function getCustomerCard(deps: ServiceDeps, viewer: Rep, customerId: string, audience: Audience = "rep"): Promise<CustomerCard | null> {
  const { store, settings } = deps;
  const forChannel = audience === "channel";
  // One statement for the whole card and its audit row; the row's "private" is the same rule
  // as a set of owners (privateScope), applied to the customer's owner in SQL.
  const scope = privateScope(viewer, audience);
  const detail = await store.customerCard.read(customerId, { actorId: viewer.id, scope: scope.kind === "owners" ? { kind: "owners", ownerIds: scope.ownerIds } : scope, shared: forChannel });
  if (!detail) return null;
  const showPrivate = maySeePrivate(viewer, detail.ownerId, audience);
  // Every contact's, not only the ten on the card: a note may mention any of them. Hidden from
  // whoever may not see the private details (a channel, a rep outside the owner's scope).
  const hidden = showPrivate ? [] : detail.hiddenDetails();
  const body = (text: string) => (showPrivate ? text : withoutDetails(text, hidden));
  const { timeline: interactions, reminders, deals, surveys } = detail;

  const stats = detail.stats;
  const revenue = Number(stats?.totalSpent ?? 0);
  const orderCount = stats?.orderCount ?? 0;
  const value = valueOfCustomer(deps, stats);

  return {
    id: detail.id,
    name: detail.name,
    stage: detail.stage,
    source: detail.source,
    industry: detail.industry,
    website: detail.website,
    // A private detail like a contact's email or phone (maySeePrivate).
    address: showPrivate ? detail.address : null,
    // A note like any other: in a channel, a contact's details in it are hidden.
    about: detail.about === null ? null : body(detail.about),
    tags: detail.tags,
    mayEdit: !forChannel && mayChange(viewer, { ownerId: detail.ownerId }),
    aliases: detail.aliases,
    owner: detail.owner ? { id: detail.owner.id, name: detail.owner.displayName } : null,
    showPrivate,
    forChannel,
    // A few, each with its Edit and Remove buttons; /contact and "All contacts" list them all.
    contacts: detail.contacts.slice(0, CARD_CONTACTS).map((c) => ({
      id: c.id,
      name: c.name,
      title: c.title,
      email: showPrivate ? c.email : null,
      phone: showPrivate ? c.phone : null,
      onWechat: c.wechatOpenId !== null,
      onSlack: c.slackUserId !== null,
    })),
    mayEditContacts: !forChannel && mayChange(viewer, { ownerId: detail.ownerId }),
    baseCurrency: settings.baseCurrency,
    revenue,
    orderCount,
    averageOrderValue: value.averageOrderValue,
    purchaseFrequency: value.purchaseFrequency,
    clv: value.clv,
    clvEarlyEstimate: value.earlyEstimate,
    lifespanMonths: settings.clvLifespanMonths,
    minObservationMonths: settings.clvMinObservationMonths,
    firstOrderAt: stats?.firstOrderAt ?? null,
    lastOrderAt: stats?.lastOrderAt ?? null,
    interactions: interactions.map((i) => ({ channel: i.channel, direction: i.direction, body: body(i.body), occurredAt: i.occurredAt, authorName: i.authorName })),
    reminders: reminders.map((r) => ({ text: r.text, dueAt: r.dueAt, ownerName: r.ownerName })),
    deals: deals.map((d) => ({ title: d.title, amount: d.amount, currency: d.currency, expectedCloseAt: d.expectedCloseAt })),
    totals: detail.totals,
    satisfaction: {
      latest: surveys.latest ? { kind: surveys.latest.kind, score: surveys.latest.score } : null,
      averageCsat: surveys.csatAverage,
      answered: surveys.csatCount,
      pending: surveys.unanswered ? { status: surveys.unanswered.status, reason: surveys.unanswered.closedReason, since: surveys.unanswered.createdAt } : null,
    },
  };
}
