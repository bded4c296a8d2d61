import { z } from "zod";
import { AppError } from "../../domain/errors.js";
import type { Block, Button, ListItem, Outcome } from "../../reply/reply.js";
import { CARD_SECTIONS, type CardSectionPage } from "../../services/index.js";
import type { CommandContext } from "../types.js";
import { noPageText, offsetOf, pageNote, MAX_PAGE } from "./list-page.js";
import { contactListMessage } from "./contact-list.js";

/** What a card's "All contacts" (and the like) button carries: the customer, the section, the page. */
export const sectionValue = z.object({ id: z.uuid(), s: z.enum(CARD_SECTIONS), p: z.number().int().min(1).max(MAX_PAGE) });

const TITLES = { contacts: "card.section.contacts", reminders: "card.section.reminders", deals: "card.section.deals" } as const;

function item(ctx: CommandContext, entry: CardSectionPage["items"][number]): ListItem {
  const { t, f } = ctx;
  switch (entry.kind) {
    case "contact":
      return {
        title: entry.title ? `${entry.name} (${entry.title})` : entry.name,
        ...(entry.email || entry.phone || entry.onWechat ? { detail: [entry.email, entry.phone, entry.onWechat ? t("card.onWechat") : null].filter(Boolean).join(" · ") } : {}),
      };
    case "reminder":
      return { title: entry.text, detail: `${t("card.due", { when: f.dateTime(entry.dueAt) })} · ${entry.ownerName}` };
    case "deal": {
      const detail = [entry.amount && entry.currency ? f.money(entry.amount, entry.currency) : null, entry.expectedCloseAt ? f.date(entry.expectedCloseAt) : null].filter(Boolean).join(" · ");
      return { title: entry.title, ...(detail ? { detail } : {}) };
    }
  }
}

/** One of the card's lists in full, a page at a time, with a button to the next page and back to the card. */
export async function cardSectionMessage(ctx: CommandContext, raw: string): Promise<Outcome> {
  const { id, s, p } = sectionValue.parse(JSON.parse(raw));
  // All contacts is the contact list, with each contact's Edit and Remove buttons.
  if (s === "contacts") {
    const listing = await ctx.services.listContacts(ctx.rep, id, p);
    if (!listing) throw new AppError("NOT_FOUND", "customer.gone");
    return contactListMessage(ctx, listing);
  }
  const section = await ctx.services.getCardSection(ctx.rep, id, s, p);
  if (!section) throw new AppError("NOT_FOUND", "customer.gone");
  const title = ctx.t(TITLES[s], { name: section.customer.name });
  const at = { page: p, size: section.pageSize, total: section.total, shown: section.items.length };
  const blocks: Block[] = [{ type: "header", text: title }];
  const buttons: Button[] = [];
  if (section.items.length === 0) {
    blocks.push({ type: "text", text: section.total > 0 ? noPageText(ctx, at) : ctx.t(s === "reminders" ? "card.noReminders" : "card.noDeals") });
  } else {
    blocks.push({ type: "list", items: section.items.map((entry) => item(ctx, entry)) });
    const more = ctx.t("button.more");
    const note = pageNote(ctx, at, { button: more });
    if (note) blocks.push({ type: "context", text: note });
    if (offsetOf(p, section.pageSize) + section.items.length < section.total) {
      buttons.push({ label: more, action: { id: "customer.section", value: JSON.stringify({ id, s, p: p + 1 }) } });
    }
  }
  buttons.push({ label: ctx.t("button.open"), action: { id: "customer.show", value: id } });
  blocks.push({ type: "buttons", buttons });
  return { kind: "message", message: { visibility: "private", summary: title, blocks } };
}
