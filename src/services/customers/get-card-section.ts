import type { Rep } from "../../store/index.js";
import { maySeePrivate, type Audience } from "../audience.js";
import type { ServiceDeps } from "../deps.js";
import { recordRead } from "../audit/record-read.js";

/** The card's lists that are cut to a few, with an "all" view of their own. */
export const CARD_SECTIONS = ["contacts", "reminders", "deals"] as const;
export type CardSection = (typeof CARD_SECTIONS)[number];

/** How many entries an "all" view of a card section shows a page. */
export const CARD_SECTION_PAGE_SIZE = 20;

export type CardSectionItem =
  | { kind: "contact"; name: string; title: string | null; email: string | null; phone: string | null; onWechat: boolean }
  | { kind: "reminder"; text: string; dueAt: Date; ownerName: string }
  | { kind: "deal"; title: string; amount: string | null; currency: string | null; expectedCloseAt: Date | null };

export interface CardSectionPage {
  customer: { id: string; name: string };
  section: CardSection;
  page: number;
  pageSize: number;
  total: number;
  items: CardSectionItem[];
}

/**
 * One page of a section of the customer card in full: every contact, open reminder or open
 * deal, where the card shows the first few. Private details follow the card's rule, and
 * reading them is audit-logged like the card.
 */
export async function getCardSection(deps: ServiceDeps, viewer: Rep, customerId: string, section: CardSection, page: number, audience: Audience = "rep"): Promise<CardSectionPage | null> {
  const { store } = deps;
  const customer = await store.customers.getSummary(customerId);
  if (!customer) return null;
  const take = CARD_SECTION_PAGE_SIZE;
  const skip = (page - 1) * take;
  const base = { customer: { id: customer.id, name: customer.name }, section, page, pageSize: take };
  const showPrivate = maySeePrivate(viewer, customer.ownerId, audience);
  // Every section is part of the card: its page is audited like the card.
  await recordRead(store, viewer, section === "contacts" ? "contact.list" : "customer.view", { entityId: customerId, audience, detail: { private: showPrivate, section, page } });
  switch (section) {
    case "contacts": {
      const { items, total } = await store.customers.contactsPage(customerId, take, skip);
      return {
        ...base,
        total,
        items: items.map((c) => ({ kind: "contact", name: c.name, title: c.title, email: showPrivate ? c.email : null, phone: showPrivate ? c.phone : null, onWechat: c.wechatOpenId !== null })),
      };
    }
    case "reminders": {
      const { items, total } = await store.followUps.openReminders(customerId, take, skip);
      return { ...base, total, items: items.map((r) => ({ kind: "reminder", text: r.text, dueAt: r.dueAt, ownerName: r.ownerName })) };
    }
    case "deals": {
      const { items, total } = await store.followUps.openDeals(customerId, take, skip);
      return { ...base, total, items: items.map((d) => ({ kind: "deal", title: d.title, amount: d.amount, currency: d.currency, expectedCloseAt: d.expectedCloseAt })) };
    }
  }
}
