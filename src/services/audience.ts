import { inScope, ownerScope, type OwnerScope, type Person } from "../domain/access/access-scope.js";

/**
 * Who reads an answer: the rep who asked ("rep", their own rights), or everyone in a
 * conversation it is shared into ("channel"). A channel is the least-privileged reader there
 * is: anyone may be in it, so it never gets private contact details (email, phone, WeChat id),
 * whoever shared the answer. Services made for a channel (createServices(deps, "channel"))
 * leave them out, so no view can show them by forgetting a check.
 */
export type Audience = "rep" | "channel";

/**
 * The one rule for private details (email, phone, WeChat id, address, and those details where a
 * note or message mentions them): a rep sees them for their own customers and unowned ones, a
 * manager also for customers of the members of teams they lead, an admin for all
 * (domain/access/access-scope.ts); a channel for none. `viewer` is a Rep as the store loads it, with the
 * members of the teams they lead.
 */
export function maySeePrivate(viewer: Person, ownerId: string | null, audience: Audience = "rep"): boolean {
  if (audience === "channel") return false;
  return inScope(viewer, ownerId);
}

/** Whoever reads a channel (the WeChat inbox, a digest, a shared answer): nobody in particular. */
export const CHANNEL_READER: Person = { id: "", role: "REP", teamRepIds: [] };

/**
 * The same rule as a set of owners, for readers that filter many customers in SQL (exports):
 * "none" for a channel, else all owners or exactly these plus unowned customers.
 */
export function privateScope(viewer: Person, audience: Audience = "rep"): OwnerScope | { kind: "none" } {
  return audience === "channel" ? { kind: "none" } : ownerScope(viewer);
}

/** A contact's private details, as stored. */
export interface ContactDetails {
  email: string | null;
  phone: string | null;
  wechatOpenId: string | null;
}

/** What stands in for a private detail in text shown to a channel. */
export const HIDDEN_DETAIL = "•••";

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The patterns a contact's details appear as in free text (a logged note, a customer's own
 * message): the email and WeChat id as they are, the phone by its digits with any spaces, dots,
 * dashes or brackets between them, with or without its international prefix.
 */
function detailPatterns(contacts: readonly ContactDetails[]): RegExp[] {
  const patterns: RegExp[] = [];
  for (const c of contacts) {
    if (c.email?.trim()) patterns.push(new RegExp(escape(c.email.trim()), "giu"));
    if (c.wechatOpenId?.trim()) patterns.push(new RegExp(escape(c.wechatOpenId.trim()), "gu"));
    const digits = (c.phone ?? "").replace(/\D/g, "");
    // Fewer digits than a real number would hide ordinary figures.
    if (digits.length >= 6) {
      const spaced = (d: string) => d.split("").join("[\\s.()-]*");
      patterns.push(new RegExp(`\\+?${spaced(digits)}`, "gu"));
      // "+86 138 0013 8000" is written "13800138000" at home: try the number without a 1-3 digit country code.
      if ((c.phone ?? "").trim().startsWith("+")) {
        for (let cc = 1; cc <= 3 && digits.length - cc >= 7; cc++) patterns.push(new RegExp(spaced(digits.slice(cc)), "gu"));
      }
    }
  }
  return patterns;
}

/** A text with every private detail of these contacts replaced, for a channel to read. */
export function withoutDetails(text: string, contacts: readonly ContactDetails[]): string {
  let out = text;
  for (const pattern of detailPatterns(contacts)) out = out.replace(pattern, HIDDEN_DETAIL);
  return out;
}
