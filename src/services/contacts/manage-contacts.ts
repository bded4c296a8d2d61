import { createHash } from "node:crypto";
import { dateInZone } from "../../domain/time/calendar-date.js";
import {
  CONTACT_FIELDS, ContactInputError, changedFields, checkContactFields, emailKey, monthDay,
  type ContactField, type ContactInput, type ContactValues, type FieldRules,
} from "../../domain/customers/contact-details.js";
import { AppError } from "../../domain/errors.js";
import { mayChange } from "../../domain/access/write-rights.js";
import type { ContactRow, CustomerSummary, Rep, Repositories } from "../../store/index.js";
import { maySeePrivate, type Audience } from "../audience.js";
import type { ServiceDeps } from "../deps.js";
import { auditedChange } from "../../domain/access/audit-actions.js";
import { recordRead } from "../audit/record-read.js";
import { scheduleAfterCommit } from "../delivery/schedule-after-commit.js";

/** How many contacts /contact lists a page (each with its buttons: Slack's 50 blocks allow a dozen). */
export const CONTACT_PAGE_SIZE = 10;

/** The team's region when DEFAULT_PHONE_REGION is not configured. */
const FALLBACK_REGION = "CN";

/**
 * A contact as a reader may see it. Email, phone, birthday and anniversary are private: null
 * unless the reader may see the customer's private details (maySeePrivate), never for a channel.
 */
export interface ContactView extends ContactValues {
  id: string;
  onWechat: boolean;
  onSlack: boolean;
}

export interface ContactListing {
  customer: CustomerSummary;
  showPrivate: boolean;
  /** The reader may add, edit and remove the customer's contacts (mayChange). */
  mayChange: boolean;
  forChannel: boolean;
  page: number;
  pageSize: number;
  total: number;
  items: ContactView[];
}

export type AddContactResult =
  | { kind: "added"; customer: CustomerSummary; contact: ContactView }
  /** The customer already has a live contact with this email or phone: nothing was added. */
  | { kind: "exists"; customer: CustomerSummary; contact: ContactView; same: "email" | "phone" };

export type EditContactResult =
  | { kind: "edited"; customer: CustomerSummary; contact: ContactView; changed: ContactField[] }
  | { kind: "unchanged"; customer: CustomerSummary; contact: ContactView }
  /** Someone changed the contact after the form was opened: nothing was written. */
  | { kind: "stale"; customer: CustomerSummary; contact: ContactView };

export type RemoveContactResult =
  | { kind: "removed"; customer: CustomerSummary; contact: ContactView }
  | { kind: "already"; customer: CustomerSummary; contact: ContactView };

export type RestoreContactResult =
  | { kind: "restored"; customer: CustomerSummary; contact: ContactView }
  | { kind: "already"; customer: CustomerSummary; contact: ContactView }
  /** Since the removal `other` took its email or phone: restoring would make a duplicate. */
  | { kind: "exists"; customer: CustomerSummary; contact: ContactView; other: ContactView; same: "email" | "phone" };

function view(row: ContactRow, showPrivate: boolean): ContactView {
  return {
    id: row.id,
    name: row.name,
    title: row.title,
    email: showPrivate ? row.email : null,
    phone: showPrivate ? row.phone : null,
    birthday: showPrivate ? row.birthday : null,
    anniversary: showPrivate ? row.anniversary : null,
    onWechat: row.wechatOpenId !== null,
    onSlack: row.slackUserId !== null,
  };
}

const stored = (row: ContactRow): ContactValues => ({
  name: row.name, title: row.title, email: row.email, phone: row.phone, birthday: row.birthday, anniversary: row.anniversary,
});

/**
 * What an edit form was opened on, as a short fingerprint of the fields it shows. Not updated_at:
 * survey bookkeeping touches a WeChat contact's row without changing anything a rep edits.
 */
function versionOf(row: ContactRow): string {
  const values = stored(row);
  return createHash("sha256").update(JSON.stringify(CONTACT_FIELDS.map((f) => values[f]))).digest("base64url").slice(0, 16);
}

function rulesOf(deps: ServiceDeps): FieldRules {
  return { region: deps.settings.defaultPhoneRegion ?? FALLBACK_REGION, today: dateInZone(deps.now(), deps.settings.timeZone) };
}

function check(deps: ServiceDeps, input: ContactInput): Partial<ContactValues> {
  const result = checkContactFields(input, rulesOf(deps));
  if (!result.ok) throw new ContactInputError(result.problems);
  return result.values;
}

/** The customer, for a write: gone means NOT_FOUND, not the rep's means FORBIDDEN naming the owner. */
async function writableCustomer(tx: Repositories, rep: Rep, customerId: string): Promise<CustomerSummary> {
  const customer = await tx.customers.getSummary(customerId);
  if (!customer) throw new AppError("NOT_FOUND", "customer.gone");
  if (!mayChange(rep, { ownerId: customer.ownerId })) {
    throw new AppError("FORBIDDEN", "contact.forbidden", { customer: customer.name, owner: customer.ownerName ?? "?" }, `rep ${rep.id} may not change contacts of ${customer.id}`);
  }
  return customer;
}

/** The contact, locked, and its customer the rep may change; removed or not (each caller decides). */
async function lockedContact(tx: Repositories, rep: Rep, contactId: string): Promise<{ row: ContactRow; customer: CustomerSummary }> {
  const row = await tx.contacts.lock(contactId);
  if (!row) throw new AppError("NOT_FOUND", "contact.gone");
  return { row, customer: await writableCustomer(tx, rep, row.customerId) };
}

/** Today's care dates of a contact just written; the hourly plan would make them too, later. */
async function planCare(deps: ServiceDeps, contactId: string): Promise<void> {
  const planned = await deps.store.reminders.planCareFor(contactId, deps.now(), deps.settings.timeZone);
  await scheduleAfterCommit(deps, planned.map((r) => ({ kind: "reminder", id: r.id, at: r.dueAt })));
}

const OCCASIONS = ["birthday", "anniversary"] as const;

/**
 * One page of a customer's live contacts, with private details as the reader may see them;
 * reading them is audit-logged like the card.
 */
export async function listContacts(deps: ServiceDeps, viewer: Rep, customerId: string, page: number, audience: Audience): Promise<ContactListing | null> {
  const customer = await deps.store.customers.getSummary(customerId);
  if (!customer) return null;
  const showPrivate = maySeePrivate(viewer, customer.ownerId, audience);
  const { items, total } = await deps.store.contacts.page(customerId, CONTACT_PAGE_SIZE, (page - 1) * CONTACT_PAGE_SIZE);
  await recordRead(deps.store, viewer, "contact.list", { entityId: customerId, audience, detail: { private: showPrivate, page, contactIds: items.map((c) => c.id) } });
  return {
    customer,
    showPrivate,
    mayChange: audience === "rep" && mayChange(viewer, { ownerId: customer.ownerId }),
    forChannel: audience === "channel",
    page,
    pageSize: CONTACT_PAGE_SIZE,
    total,
    items: items.map((row) => view(row, showPrivate)),
  };
}

/** One live contact and its customer, as the viewer may see it (null when gone or removed). */
export async function getContact(deps: ServiceDeps, viewer: Rep, contactId: string, audience: Audience): Promise<{ customer: CustomerSummary; contact: ContactView; mayChange: boolean } | null> {
  const row = await deps.store.contacts.get(contactId);
  if (!row || row.deletedAt) return null;
  const customer = await deps.store.customers.getSummary(row.customerId);
  if (!customer) return null;
  const showPrivate = maySeePrivate(viewer, customer.ownerId, audience);
  await recordRead(deps.store, viewer, "contact.view", { entityId: row.id, customerIds: [customer.id], audience, detail: { private: showPrivate } });
  return { customer, contact: view(row, showPrivate), mayChange: audience === "rep" && mayChange(viewer, { ownerId: customer.ownerId }) };
}

/**
 * Adds a contact to a customer the rep may change. Its email or phone already on a live contact
 * of the same customer answers with that contact and adds nothing (the customer's contacts lock
 * makes two reps adding one person at once end with one). Audited in the same transaction.
 */
export async function addContact(deps: ServiceDeps, rep: Rep, customerId: string, input: ContactInput): Promise<AddContactResult> {
  const values = check(deps, { ...input, name: input.name ?? "" }) as ContactValues;
  const full: ContactValues = { name: values.name, title: values.title ?? null, email: values.email ?? null, phone: values.phone ?? null, birthday: values.birthday ?? null, anniversary: values.anniversary ?? null };
  const result = await deps.store.transaction(async (tx): Promise<AddContactResult> => {
    const customer = await writableCustomer(tx, rep, customerId);
    await tx.contacts.lockCustomerContacts(customerId);
    const same = await tx.contacts.findSame(customerId, { email: emailKey(full.email), phone: full.phone });
    if (same) return { kind: "exists", customer, contact: view(same, true), same: same.same };
    const row = await tx.contacts.create(customerId, full);
    await tx.audit.write({ actorId: rep.id, action: "contact.add", entityId: row.id, customerIds: [customerId], detail: { customerId, ...auditedChange(null, full) } });
    return { kind: "added", customer, contact: view(row, true) };
  });
  if (result.kind === "added" && (full.birthday || full.anniversary)) await planCare(deps, result.contact.id);
  return result;
}

/**
 * Changes the fields given (only those: an edit of one never undoes another's). `openedVersion`
 * is the contact's version when the form was opened: a contact changed since is not overwritten
 * ("stale"), so two reps editing at once never lose one's change silently. A moved birthday or anniversary cancels the old date's pending reminder and plans the
 * new one; a new name follows into pending ones. One audit row with before and after.
 */
export async function editContact(deps: ServiceDeps, rep: Rep, contactId: string, input: ContactInput, openedVersion?: string): Promise<EditContactResult> {
  const values = check(deps, input);
  const result = await deps.store.transaction(async (tx): Promise<EditContactResult> => {
    const { row, customer } = await lockedContact(tx, rep, contactId);
    if (row.deletedAt) throw new AppError("NOT_FOUND", "contact.gone");
    if (openedVersion !== undefined && versionOf(row) !== openedVersion) return { kind: "stale", customer, contact: view(row, true) };
    const before = stored(row);
    const after: ContactValues = { ...before, ...values };
    const changed = changedFields(before, after);
    if (changed.length === 0) return { kind: "unchanged", customer, contact: view(row, true) };
    if (changed.includes("email") || changed.includes("phone")) {
      await tx.contacts.lockCustomerContacts(row.customerId);
      const same = await tx.contacts.findSame(row.customerId, { email: changed.includes("email") ? emailKey(after.email) : null, phone: changed.includes("phone") ? after.phone : null }, row.id);
      if (same) {
        throw new AppError("CONFLICT", same.same === "email" ? "contact.emailTaken" : "contact.phoneTaken", { name: same.name, customer: customer.name, field: same.same });
      }
    }
    const changes = Object.fromEntries(changed.map((f) => [f, after[f]])) as Partial<ContactValues>;
    const updated = await tx.contacts.update(row.id, changes);
    const moved = OCCASIONS.filter((o) => changed.includes(o) && monthDay(before[o]) !== monthDay(after[o]));
    await tx.reminders.cancelCareDates(row.id, row.customerId, moved);
    if (changed.includes("name")) await tx.reminders.renameCareDates(row.id, row.customerId, after.name);
    await tx.audit.write({
      actorId: rep.id, action: "contact.edit", entityId: row.id, customerIds: [row.customerId],
      detail: { customerId: row.customerId, ...auditedChange(Object.fromEntries(changed.map((f) => [f, before[f]])), changes) },
    });
    return { kind: "edited", customer, contact: view(updated, true), changed };
  });
  if (result.kind === "edited" && result.changed.some((f) => f === "birthday" || f === "anniversary")) await planCare(deps, contactId);
  return result;
}

/**
 * Removes a contact (soft: the row stays for undo and the history that names it) and stops its
 * care reminders. A contact linked to WeChat or Slack is refused: the person's messages and
 * survey answers arrive through it (found by openid or Slack user id), so removing it would
 * leave the inbox writing to a contact nobody can see; it can be edited, or moved with /link.
 */
export async function removeContact(deps: ServiceDeps, rep: Rep, contactId: string): Promise<RemoveContactResult> {
  return deps.store.transaction(async (tx): Promise<RemoveContactResult> => {
    const { row, customer } = await lockedContact(tx, rep, contactId);
    if (row.deletedAt) return { kind: "already", customer, contact: view(row, true) };
    if (row.wechatOpenId || row.slackUserId) {
      throw new AppError("CONFLICT", "contact.linked", { name: row.name, platform: row.wechatOpenId ? "wechat" : "slack" }, `contact ${row.id} is linked to a platform`);
    }
    const at = deps.now();
    await tx.contacts.remove(row.id, at);
    const cancelled = await tx.reminders.cancelCareDates(row.id, row.customerId, OCCASIONS);
    await tx.audit.write({
      actorId: rep.id, action: "contact.remove", entityId: row.id, customerIds: [row.customerId],
      detail: { customerId: row.customerId, ...auditedChange({ deletedAt: null }, { deletedAt: at }), careRemindersCancelled: cancelled },
    });
    return { kind: "removed", customer, contact: view(row, true) };
  });
}

/** Undoes a removal (the Undo button), unless another contact took its email or phone meanwhile. */
export async function restoreContact(deps: ServiceDeps, rep: Rep, contactId: string): Promise<RestoreContactResult> {
  const result = await deps.store.transaction(async (tx): Promise<RestoreContactResult> => {
    const { row, customer } = await lockedContact(tx, rep, contactId);
    if (!row.deletedAt) return { kind: "already", customer, contact: view(row, true) };
    await tx.contacts.lockCustomerContacts(row.customerId);
    const same = await tx.contacts.findSame(row.customerId, { email: emailKey(row.email), phone: row.phone }, row.id);
    if (same) return { kind: "exists", customer, contact: view(row, true), other: view(same, true), same: same.same };
    await tx.contacts.restore(row.id);
    await tx.audit.write({
      actorId: rep.id, action: "contact.restore", entityId: row.id, customerIds: [row.customerId],
      detail: { customerId: row.customerId, ...auditedChange({ deletedAt: row.deletedAt }, { deletedAt: null }) },
    });
    return { kind: "restored", customer, contact: view(row, true) };
  });
  if (result.kind === "restored") await planCare(deps, contactId);
  return result;
}

/** The contact as an edit form starts from: every field, for a rep who may change it. */
export async function contactForEdit(deps: ServiceDeps, rep: Rep, contactId: string): Promise<{ customer: CustomerSummary; contact: ContactView; version: string }> {
  const row = await deps.store.contacts.get(contactId);
  if (!row || row.deletedAt) throw new AppError("NOT_FOUND", "contact.gone");
  const customer = await deps.store.customers.getSummary(row.customerId);
  if (!customer) throw new AppError("NOT_FOUND", "customer.gone");
  if (!mayChange(rep, { ownerId: customer.ownerId })) {
    throw new AppError("FORBIDDEN", "contact.forbidden", { customer: customer.name, owner: customer.ownerName ?? "?" });
  }
  // The form shows every private detail: reading them is logged like the card.
  await recordRead(deps.store, rep, "contact.view", { entityId: row.id, customerIds: [customer.id], detail: { private: true, form: "edit" } });
  return { customer, contact: view(row, true), version: versionOf(row) };
}

/** Contacts of a customer whose name (or email, or phone) is what a rep typed: for "/contact edit Acme Li Lei". */
export async function findContacts(deps: ServiceDeps, customerId: string, typed: string): Promise<{ id: string; name: string; title: string | null }[]> {
  const fold = (text: string) => text.normalize("NFKC").toLowerCase().replace(/\s+/gu, " ").trim();
  const wanted = fold(typed);
  if (!wanted) return [];
  const all: ContactRow[] = [];
  // A customer's contacts are few; pages of the card's size keep any one read small.
  for (let skip = 0; ; skip += 100) {
    const { items, total } = await deps.store.contacts.page(customerId, 100, skip);
    all.push(...items);
    if (skip + 100 >= total || items.length === 0) break;
  }
  const digits = wanted.replace(/\D/g, "");
  const exact = all.filter((c) => fold(c.name) === wanted || (c.email !== null && fold(c.email) === wanted) || (digits.length >= 6 && c.phone !== null && c.phone.replace(/\D/g, "").endsWith(digits)));
  const found = exact.length > 0 ? exact : all.filter((c) => fold(c.name).startsWith(wanted) || fold(c.name).split(" ").includes(wanted));
  return found.map((c) => ({ id: c.id, name: c.name, title: c.title }));
}
