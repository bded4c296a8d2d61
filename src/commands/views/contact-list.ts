import { z } from "zod";
import { MAX_CONTACT_NAME, MAX_CONTACT_TITLE, MAX_EMAIL, MAX_PHONE_TEXT, type ContactField } from "../../domain/customers/contact-details.js";
import { displayPhone } from "../../domain/customers/phone-number.js";
import type { Block, Button, Form, ListItem, Outcome } from "../../reply/reply.js";
import type { ContactListing, ContactView } from "../../services/index.js";
import type { CommandContext } from "../types.js";
import { MAX_PAGE, noPageText, offsetOf, pageNote } from "./list-page.js";
import { shareButton } from "./share.js";

/** What a contact list's buttons carry: the customer and the page. */
export const listValue = z.object({ id: z.uuid(), p: z.number().int().min(1).max(MAX_PAGE) });

/** The line under a contact's name: private details (when shown) and where the person is reachable. */
export function contactDetail(ctx: Pick<CommandContext, "t">, c: Pick<ContactView, "email" | "phone" | "birthday" | "anniversary" | "onWechat" | "onSlack">): string | undefined {
  const parts = [
    c.email,
    c.phone ? displayPhone(c.phone) : null,
    c.birthday ? ctx.t("contact.birthday", { date: c.birthday }) : null,
    c.anniversary ? ctx.t("contact.anniversary", { date: c.anniversary }) : null,
    c.onWechat ? ctx.t("card.onWechat") : null,
    c.onSlack ? ctx.t("contact.onSlack") : null,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(" · ") : undefined;
}

export const contactTitle = (c: { name: string; title: string | null }): string => (c.title ? `${c.name} (${c.title})` : c.name);

/** A contact's Edit and Remove buttons; a contact on WeChat or Slack cannot be removed, so it has no Remove. */
export function contactButtons(ctx: Pick<CommandContext, "t">, c: { id: string; onWechat: boolean; onSlack: boolean }): Button[] {
  const buttons: Button[] = [{ label: ctx.t("contact.button.edit"), action: { id: "contact.edit", value: c.id } }];
  if (!c.onWechat && !c.onSlack) buttons.push({ label: ctx.t("contact.button.remove"), action: { id: "contact.remove", value: c.id }, style: "danger" });
  return buttons;
}

export function addContactButton(ctx: Pick<CommandContext, "t">, customerId: string, primary = true): Button {
  return { label: ctx.t("contact.button.add"), action: { id: "contact.addForm", value: customerId }, ...(primary ? { style: "primary" as const } : {}) };
}

/** One page of a customer's contacts, with Edit/Remove per contact and Add for a rep who may change them. */
export function contactListMessage(ctx: CommandContext, listing: ContactListing): Outcome {
  const { customer } = listing;
  const title = ctx.t("card.section.contacts", { name: customer.name });
  const blocks: Block[] = [{ type: "header", text: title }];
  const at = { page: listing.page, size: listing.pageSize, total: listing.total, shown: listing.items.length };
  const buttons: Button[] = [];
  if (listing.mayChange) buttons.push(addContactButton(ctx, customer.id));
  if (listing.items.length === 0) {
    blocks.push({ type: "text", text: listing.total > 0 ? noPageText(ctx, at) : ctx.t("card.noContacts") });
  } else {
    const items: ListItem[] = listing.items.map((c) => {
      const detail = contactDetail(ctx, c);
      return { title: contactTitle(c), ...(detail ? { detail } : {}), ...(listing.mayChange ? { buttons: contactButtons(ctx, c) } : {}) };
    });
    blocks.push({ type: "list", items });
    if (listing.mayChange && listing.items.some((c) => c.onWechat || c.onSlack)) blocks.push({ type: "context", text: ctx.t("contact.linkedNote") });
    if (listing.forChannel) blocks.push({ type: "context", text: ctx.t("card.privateShared") });
    else if (!listing.showPrivate) blocks.push({ type: "context", text: ctx.t("card.privateHidden", { owner: customer.ownerName ?? ctx.t("card.noOwner") }) });
    const more = ctx.t("button.more");
    const note = pageNote(ctx, at, { button: more });
    if (note) blocks.push({ type: "context", text: note });
    if (offsetOf(listing.page, listing.pageSize) + listing.items.length < listing.total) {
      buttons.push({ label: more, action: { id: "contact.list", value: JSON.stringify({ id: customer.id, p: listing.page + 1 }) } });
    }
  }
  buttons.push({ label: ctx.t("button.open"), action: { id: "customer.show", value: customer.id } });
  if (!listing.forChannel) buttons.push(shareButton(ctx, { id: "contact.list", value: JSON.stringify({ id: customer.id, p: listing.page }) }));
  blocks.push({ type: "buttons", buttons });
  return { kind: "message", message: { visibility: "private", summary: title, blocks } };
}

/** The state an edit form carries: the contact and the version of its fields the form showed. */
export const editState = z.object({ id: z.uuid(), v: z.string().max(40) });
export const addState = z.object({ customerId: z.uuid() });

const FIELD_LIMITS: Record<ContactField, number> = {
  name: MAX_CONTACT_NAME, title: MAX_CONTACT_TITLE, email: MAX_EMAIL, phone: MAX_PHONE_TEXT, birthday: 20, anniversary: 20,
};

/** The form's fields in order, prefilled from a contact when editing. */
function fields(ctx: CommandContext, contact?: ContactView): Form["fields"] {
  const initial = (value: string | null | undefined) => (value ? { initial: value } : {});
  return [
    { id: "name", label: ctx.t("contact.form.name"), kind: "text", placeholder: ctx.t("contact.form.nameHint"), maxLength: FIELD_LIMITS.name, ...initial(contact?.name) },
    { id: "title", label: ctx.t("contact.form.title"), kind: "text", optional: true, placeholder: ctx.t("contact.form.titleHint"), maxLength: FIELD_LIMITS.title, ...initial(contact?.title) },
    { id: "email", label: ctx.t("contact.form.email"), kind: "text", optional: true, placeholder: ctx.t("contact.form.emailHint"), maxLength: FIELD_LIMITS.email, ...initial(contact?.email) },
    { id: "phone", label: ctx.t("contact.form.phone"), kind: "text", optional: true, placeholder: ctx.t("contact.form.phoneHint"), maxLength: FIELD_LIMITS.phone, ...initial(contact?.phone ? displayPhone(contact.phone) : null) },
    { id: "birthday", label: ctx.t("contact.form.birthday"), kind: "text", optional: true, placeholder: ctx.t("contact.form.dateHint"), maxLength: FIELD_LIMITS.birthday, ...initial(contact?.birthday) },
    { id: "anniversary", label: ctx.t("contact.form.anniversary"), kind: "text", optional: true, placeholder: ctx.t("contact.form.dateHint"), maxLength: FIELD_LIMITS.anniversary, ...initial(contact?.anniversary) },
  ];
}

export function addContactForm(ctx: CommandContext, customerId: string): Form {
  return { id: "contact.addSubmit", title: ctx.t("contact.form.addTitle"), submitLabel: ctx.t("contact.form.add"), state: JSON.stringify({ customerId }), fields: fields(ctx) };
}

export function editContactForm(ctx: CommandContext, contact: ContactView, version: string): Form {
  return { id: "contact.editSubmit", title: ctx.t("contact.form.editTitle"), submitLabel: ctx.t("contact.form.save"), state: JSON.stringify({ id: contact.id, v: version }), fields: fields(ctx, contact) };
}
