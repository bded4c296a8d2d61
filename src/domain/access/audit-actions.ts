/**
 * Every action the audit log records, one line each: `<entity>.<verb>`, what the row's `entity`
 * column holds, and whether it is a read (someone saw data) or a write (someone changed it).
 * A new path that reads or changes a person's or customer's data adds its action here, and a
 * line to the table of test/e2e/audit-completeness.test.ts that drives it.
 *
 * What an audit row may hold: ids (customers, contacts, orders, users), which fields changed,
 * and before/after of non-personal values (stage, owner id, amounts, currencies, tags, dates).
 * Never a phone, email, WeChat id, address, a message's or note's text, or a person's name: a
 * customer's name is looked up by id when the log is read, so an erasure leaves nothing here.
 */
export const AUDIT_ACTIONS = {
  // Reads: one row per answer.
  /** The customer card, a page of one of its sections, or the edit form on it. */
  "customer.view": { entity: "customer", kind: "read" },
  /** A page of a customer's history (orders, notes, messages). */
  "customer.history": { entity: "customer", kind: "read" },
  /** A list answer naming customers (/top, /segment, duplicates, quality, look-alikes, questions); ids in customer_ids. */
  "customer.list": { entity: "customer", kind: "read" },
  /** A page of a customer's contacts. */
  "contact.list": { entity: "customer", kind: "read" },
  /** One contact, or the edit form on it (every private detail). */
  "contact.view": { entity: "contact", kind: "read" },
  /** An order's correction form (its terms). */
  "order.view": { entity: "order", kind: "read" },
  /** A note's correction form (its text). */
  "interaction.view": { entity: "interaction", kind: "read" },
  /** A customer's message posted into the Slack inbox (the bot relays; no actor). */
  "inbox.relay": { entity: "interaction", kind: "read" },
  /** The morning digest shown to a rep (/digest now), naming customers. */
  "digest.view": { entity: "digest", kind: "read" },
  /** /crm outbox: a page of failed messages, with their destinations (a WeChat openid). */
  "outbox.list": { entity: "outbox", kind: "read" },
  /** /crm audit: a page of the log. */
  "audit.view": { entity: "audit", kind: "read" },
  /** /crm audit's Export: the selected rows as a file. */
  "audit.export": { entity: "audit", kind: "read" },
  /** Everything held about a person, as a file (privacy). */
  "person.export": { entity: "contact", kind: "read" },
  /** /crm export or the operator's export: a file of customers, contacts, orders, interactions or surveys (kind, format, period, rows). */
  "export.run": { entity: "export", kind: "read" },

  // Writes: in the same transaction as the change.
  "customer.create": { entity: "customer", kind: "write" },
  "customer.rename": { entity: "customer", kind: "write" },
  "customer.assign": { entity: "customer", kind: "write" },
  "customer.stage": { entity: "customer", kind: "write" },
  /** One field set (/customer set …). */
  "customer.update": { entity: "customer", kind: "write" },
  "customer.tag": { entity: "customer", kind: "write" },
  "customer.untag": { entity: "customer", kind: "write" },
  /** The Edit form saved (several fields at once). */
  "customer.edit": { entity: "customer", kind: "write" },
  /** Another customer merged into this one. */
  "customer.merge": { entity: "customer", kind: "write" },
  /** A customer's personal data erased on request (privacy). */
  "customer.erase": { entity: "customer", kind: "write" },
  /** Two customers marked as not duplicates. */
  "duplicate.dismiss": { entity: "customer", kind: "write" },
  "contact.add": { entity: "contact", kind: "write" },
  "contact.edit": { entity: "contact", kind: "write" },
  "contact.remove": { entity: "contact", kind: "write" },
  "contact.restore": { entity: "contact", kind: "write" },
  /** A contact moved to another customer (/link): the row names the customer it joined. */
  "contact.link": { entity: "customer", kind: "write" },
  /** A contact's personal data erased (WeChat unfollow rule). */
  "contact.erase": { entity: "contact", kind: "write" },
  /** A person's personal data erased on request (privacy). */
  "person.erase": { entity: "contact", kind: "write" },
  /** Rows read from a file into the CRM (/crm import, npm run crm -- import): file name, counts. */
  "import.run": { entity: "import", kind: "write" },
  "order.create": { entity: "order", kind: "write" },
  "order.correct": { entity: "order", kind: "write" },
  "order.delete": { entity: "order", kind: "write" },
  /** A deleted order brought back (Undo). */
  "order.restore": { entity: "order", kind: "write" },
  /** A note logged, by command, form or in an inbox thread. */
  "interaction.create": { entity: "interaction", kind: "write" },
  "interaction.correct": { entity: "interaction", kind: "write" },
  "interaction.delete": { entity: "interaction", kind: "write" },
  "interaction.restore": { entity: "interaction", kind: "write" },
  /** A rep's answer sent to the customer on WeChat. */
  "inbox.reply": { entity: "interaction", kind: "write" },
  "reminder.create": { entity: "reminder", kind: "write" },
  /** Done, cancelled or moved. */
  "reminder.update": { entity: "reminder", kind: "write" },
  "survey.start": { entity: "survey", kind: "write" },
  "digest.subscribe": { entity: "digest_subscription", kind: "write" },
  "digest.change": { entity: "digest_subscription", kind: "write" },
  "digest.unsubscribe": { entity: "digest_subscription", kind: "write" },
  "outbox.retry": { entity: "outbox", kind: "write" },
  /** Someone used the bot for the first time and became a rep. */
  "user.register": { entity: "user", kind: "write" },
  "user.role": { entity: "user", kind: "write" },
  "team.create": { entity: "team", kind: "write" },
  "team.lead": { entity: "team", kind: "write" },
  "team.member.add": { entity: "team", kind: "write" },
  "team.member.remove": { entity: "team", kind: "write" },
  "team.delete": { entity: "team", kind: "write" },
  /** A Slack Connect channel allowed or disallowed for shared answers and digests. */
  "channel.allow": { entity: "channel", kind: "write" },
  "channel.disallow": { entity: "channel", kind: "write" },
  /** A team's or owner's WeChat conversations routed to an inbox channel, or back to the default. */
  "inbox.route": { entity: "inbox-route", kind: "write" },
  "inbox.unroute": { entity: "inbox-route", kind: "write" },
  /** A deal added (/deal add), moved between stages (won and lost included), edited or soft-deleted. */
  "deal.create": { entity: "deal", kind: "write" },
  "deal.move": { entity: "deal", kind: "write" },
  "deal.edit": { entity: "deal", kind: "write" },
  "deal.delete": { entity: "deal", kind: "write" },
  /** The pipeline's open stages set by an admin (/crm pipeline stages set). */
  "pipeline.stages": { entity: "pipeline", kind: "write" },
} as const satisfies Record<string, { entity: string; kind: "read" | "write" }>;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

export function isAuditAction(name: string): name is AuditAction {
  return Object.hasOwn(AUDIT_ACTIONS, name);
}

/** Which list a customer.list row is, in its detail. */
export type AuditedList = "top" | "segment" | "duplicates" | "quality" | "likely-duplicates" | "candidates" | "stage-alert" | "pipeline" | "deals";

/**
 * Field values an audit row may show before and after: facts about the business, not about a
 * person. Any other field that changed is recorded by name only (`fields`).
 */
const NON_PERSONAL_FIELDS: ReadonlySet<string> = new Set([
  "stage", "owner", "ownerId", "owner_id", "tags", "industry", "source",
  "amount", "currency", "baseAmount", "rateToBase", "product", "orderedAt",
  "channel", "occurredAt", "deletedAt", "deletedById", "dueAt", "status", "kind",
]);

export function isNonPersonalField(field: string): boolean {
  return NON_PERSONAL_FIELDS.has(field);
}

/** A change as the audit log keeps it: the fields that changed, and the values it may show. */
export interface AuditedChange {
  fields: string[];
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const plain = (v: unknown): unknown => (v instanceof Date ? v.toISOString() : v);

/**
 * Before and after of a change, for the audit log: every field whose value differs is named;
 * only non-personal values appear (dates as ISO strings). `before` null: a creation.
 */
export function auditedChange(beforeValues: object | null, afterValues: object): AuditedChange {
  const before = beforeValues as Readonly<Record<string, unknown>> | null;
  const after = afterValues as Readonly<Record<string, unknown>>;
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after)])];
  const fields = keys.filter((k) => !same(plain(before?.[k]), plain(after[k])));
  const shown = (side: Readonly<Record<string, unknown>> | null) =>
    Object.fromEntries(fields.filter((f) => isNonPersonalField(f) && side && f in side).map((f) => [f, plain(side![f]) ?? null]));
  return { fields, before: shown(before), after: shown(after) };
}
