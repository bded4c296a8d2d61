import { Prisma } from "@prisma/client";
import { isNonPersonalField } from "../../domain/access/audit-actions.js";
import { nameKeys } from "../../domain/language/customer-name.js";
import { escapeLike, literalMentions, likeContaining, mentionPatterns, redactJson, redactMentions, type PersonIdentifiers } from "../../domain/language/personal-mentions.js";
import { createAuditStore } from "../audit.js";
import { wechatEventIdPrefixes } from "../customers/customer-messages.js";
import type { FieldCipher } from "../encryption/field-cipher.js";
import { LIVE } from "../live-rows.js";
import type { Db } from "../prisma.js";

export const ERASED_CONTACT_NAME = "Erased contact";
export const ERASED_BODY = "[erased]";
export const ERASED_DESTINATION = "erased";
export const ERASED_OUTBOX_ERROR = "the contact was erased";
export const ERASED_SURVEY_REASON = "the person's data was erased";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What an erasure is about: one contact, or a customer with all of its contacts. */
export type ErasureTarget = { kind: "contact"; id: string } | { kind: "customer"; id: string };

/** What an erasure takes (or took): the confirmation names these before anything happens. */
export interface ErasureCounts {
  contacts: number;
  interactions: number;
  /** Of the interactions: messages the person sent or received on WeChat or Slack. */
  messages: number;
  surveyComments: number;
  /** Outgoing messages still queued for the person, cancelled (never sent). */
  outbox: number;
}

export interface ErasurePreview {
  target: ErasureTarget;
  customer: { id: string; name: string };
  /** The contact, for a contact's erasure. */
  contact?: { id: string; name: string };
  /** Erased before: nothing is left to erase. */
  erasedAlready: boolean;
  counts: ErasureCounts;
}

export interface ErasureResult extends ErasureCounts {
  /** Inbox-channel notices ("this person's data was erased") queued in the same transaction. */
  noticeIds: string[];
  /** Audit rows whose detail still named the person, scrubbed. */
  auditRows: number;
}

/** A contact as the eraser needs it, its sealed details opened (store/encryption/field-cipher.ts). */
interface ContactFacts {
  id: string;
  customer_id: string;
  name: string;
  title: string | null;
  email: string | null;
  phone: string | null;
  wechat_open_id: string | null;
  slack_user_id: string | null;
  erased_at: Date | null;
}

interface SealedContactFacts extends Omit<ContactFacts, "email" | "phone" | "wechat_open_id"> {
  email_enc: string | null;
  phone_enc: string | null;
  wechat_open_id_enc: string | null;
  email_plaintext: string | null;
  phone_plaintext: string | null;
  wechat_open_id_plaintext: string | null;
}

const CONTACT_COLUMNS = Prisma.sql`id, customer_id, name, title, email_enc, phone_enc, wechat_open_id_enc,
  email_plaintext, phone_plaintext, wechat_open_id_plaintext, slack_user_id, erased_at`;

/** Who the erasure is about, gathered before anything is blanked. */
interface Subject {
  customerId: string;
  /** Every contact erased (one for a contact's erasure; all of a customer's for a customer's). */
  contactIds: string[];
  /** The whole customer goes (its name, all its texts), not one person among its contacts. */
  wholeCustomer: boolean;
  ids: PersonIdentifiers;
  /** Plain destinations of outgoing messages to the person (Slack user ids). */
  destinations: string[];
  /** Keyed hashes of sealed destinations (WeChat openids), under every key the cipher knows. */
  destinationHashes: string[];
  /**
   * Also search the whole audit log and outbox for the person's details (full scans: a request's
   * erasure, in a long transaction). WeChat's unfollow erasure runs inside the webhook's answer and
   * keeps to indexed look-ups: the log holds no personal values to begin with (audit-actions.ts).
   */
  thorough: boolean;
}

/** Keys of an audit detail that hold a person's words or details (older rows wrote them). */
const PERSONAL_KEYS = new Set([
  "name", "title", "email", "phone", "body", "text", "comment", "address", "about", "website", "alias", "aliases",
  "birthday", "anniversary", "wechatOpenId", "openId", "slackUserId", "fromName", "fromCustomerName", "contactName",
]);

/**
 * Erasure on request and on WeChat's unfollow rule: a person's details and words go, the facts
 * (that there were interactions, orders, amounts, scores) stay. Run inside a transaction; rows are
 * locked first, so two erasures of one contact or customer do the work once.
 */
export function createContactErasureStore(db: Db, now: (() => Date) | undefined, cipher: FieldCipher) {
  const audit = createAuditStore(db, now);

  /** Details sealed, or still plaintext from before encryption (sealed at the bot's next start). */
  function opened(row: SealedContactFacts): ContactFacts {
    const { email_enc, phone_enc, wechat_open_id_enc, email_plaintext, phone_plaintext, wechat_open_id_plaintext, ...rest } = row;
    return {
      ...rest,
      email: cipher.openOrNull("contacts.email", email_enc) ?? email_plaintext,
      phone: cipher.openOrNull("contacts.phone", phone_enc) ?? phone_plaintext,
      wechat_open_id: cipher.openOrNull("contacts.wechat_open_id", wechat_open_id_enc) ?? wechat_open_id_plaintext,
    };
  }

  async function contactsWhere(where: Prisma.Sql, lock: boolean): Promise<ContactFacts[]> {
    const rows = await db.$queryRaw<SealedContactFacts[]>`
      SELECT ${CONTACT_COLUMNS} FROM contacts WHERE ${where} ORDER BY id ${lock ? Prisma.sql`FOR UPDATE` : Prisma.empty}`;
    return rows.map(opened);
  }

  async function lockContact(contactId: string): Promise<ContactFacts | undefined> {
    return (await contactsWhere(Prisma.sql`id = ${contactId}::uuid`, true))[0];
  }

  /**
   * Names, emails and phones the contact had before (edits, older audit rows wrote them): they may
   * still stand in notes and merge records written back then.
   */
  async function earlierIdentifiers(contactIds: readonly string[]): Promise<PersonIdentifiers> {
    const rows = await db.$queryRaw<{ detail: unknown }[]>`
      SELECT detail FROM audit_log WHERE entity = 'contact' AND entity_id = ANY(${[...contactIds]}::text[]) AND detail IS NOT NULL`;
    const names: string[] = [];
    const emails: string[] = [];
    const phones: string[] = [];
    for (const { detail } of rows) {
      for (const side of ["before", "after"] as const) {
        const values = (detail as Record<string, unknown> | null)?.[side];
        if (!values || typeof values !== "object") continue;
        const v = values as Record<string, unknown>;
        if (typeof v.name === "string") names.push(v.name);
        if (typeof v.email === "string") emails.push(v.email);
        if (typeof v.phone === "string") phones.push(v.phone);
      }
    }
    return { names, emails, phones, platformIds: [] };
  }

  function subjectOf(customerId: string, contacts: readonly ContactFacts[], extraNames: readonly string[], earlier: PersonIdentifiers, wholeCustomer: boolean, thorough = wholeCustomer): Subject {
    const live = contacts.filter((c) => !c.erased_at);
    const platformIds = live.flatMap((c) => [c.wechat_open_id, c.slack_user_id]).filter((v): v is string => !!v);
    return {
      customerId,
      contactIds: contacts.map((c) => c.id),
      wholeCustomer,
      thorough,
      destinations: live.flatMap((c) => (c.slack_user_id ? [c.slack_user_id] : [])),
      destinationHashes: live.flatMap((c) => cipher.lookups("wechat", c.wechat_open_id)),
      ids: {
        names: [...live.map((c) => c.name).filter((n) => n !== ERASED_CONTACT_NAME), ...extraNames, ...earlier.names],
        emails: [...live.flatMap((c) => (c.email ? [c.email] : [])), ...earlier.emails],
        phones: [...live.flatMap((c) => (c.phone ? [c.phone] : [])), ...earlier.phones],
        platformIds,
      },
    };
  }

  /** Pending outgoing messages to the person or about what is erased: never sent, visibly. */
  function queuedFor(subject: Subject): Prisma.Sql {
    const contacts = subject.contactIds;
    return Prisma.sql`o.status IN ('PENDING', 'SENDING') AND (
      o.destination = ANY(${subject.destinations}::text[]) OR o.destination_hash = ANY(${subject.destinationHashes}::text[])
      -- all-rows: a queued message about a deleted note is cancelled too
      OR EXISTS (SELECT 1 FROM interactions i WHERE i.id::text = o.payload->>'interactionId'
                 AND (i.contact_id = ANY(${contacts}::uuid[]) OR (${subject.wholeCustomer} AND i.customer_id = ${subject.customerId}::uuid)))
      OR EXISTS (SELECT 1 FROM surveys s WHERE s.id::text = o.payload->>'surveyId'
                 AND (s.contact_id = ANY(${contacts}::uuid[]) OR (${subject.wholeCustomer} AND s.customer_id = ${subject.customerId}::uuid)))
      OR EXISTS (SELECT 1 FROM inbox_threads t WHERE t.id::text = o.payload->>'threadId' AND t.contact_id = ANY(${contacts}::uuid[]))
      OR EXISTS (SELECT 1 FROM reminders r WHERE r.id::text = o.payload->>'reminderId'
                 AND r.dedupe_key LIKE ANY(${contacts.map((id) => `care:${id}:%`)}::text[]))
      OR (${subject.wholeCustomer} AND o.payload->>'customerId' = ${subject.customerId}))`;
  }

  async function count(subject: Subject): Promise<ErasureCounts> {
    const scope = subject.wholeCustomer
      ? Prisma.sql`(customer_id = ${subject.customerId}::uuid OR contact_id = ANY(${subject.contactIds}::uuid[]))`
      : Prisma.sql`contact_id = ANY(${subject.contactIds}::uuid[])`;
    const rows = await db.$queryRaw<{ interactions: number; messages: number; comments: number; outbox: number }[]>`
      SELECT
        -- all-rows: deleted entries still hold the person's text, so they are counted and erased too
        (SELECT count(*)::int FROM interactions WHERE ${scope}) AS interactions,
        (SELECT count(*)::int FROM interactions WHERE ${scope} AND channel IN ('WECHAT', 'SLACK') AND direction <> 'INTERNAL') AS messages,
        (SELECT count(*)::int FROM surveys WHERE ${scope} AND comment IS NOT NULL) AS comments,
        (SELECT count(*)::int FROM outbox o WHERE ${queuedFor(subject)}) AS outbox`;
    const r = rows[0]!;
    return { contacts: subject.contactIds.length, interactions: r.interactions, messages: r.messages, surveyComments: r.comments, outbox: r.outbox };
  }

  /** The contact row blanked; its interactions' words and its survey comments gone. */
  async function blankContact(contact: ContactFacts, at: Date, keepInteractionId: string | null): Promise<void> {
    await db.contact.update({
      where: { id: contact.id },
      data: {
        name: ERASED_CONTACT_NAME, title: null, locale: null, birthday: null, anniversary: null, slackUserId: null, erasedAt: at,
        // Sealed details, their look-up hashes, and plaintext not yet sealed (see field-cipher.ts).
        emailEnc: null, emailHash: null, emailInvalid: false, emailPlaintext: null,
        phoneEnc: null, phoneHash: null, phoneInvalid: false, phonePlaintext: null,
        wechatOpenIdEnc: null, wechatOpenIdHash: null, wechatOpenIdPlaintext: null,
      },
    });
    await db.$executeRaw`
      UPDATE interactions SET body = ${ERASED_BODY}, permalink = NULL
      WHERE contact_id = ${contact.id}::uuid AND id IS DISTINCT FROM ${keepInteractionId}::uuid`;
    await db.survey.updateMany({ where: { contactId: contact.id, comment: { not: null } }, data: { comment: null } });
    // A survey still open asks nobody any more (its question, if queued, is cancelled with the outbox).
    await db.survey.updateMany({
      where: { contactId: contact.id, status: { in: ["PENDING", "WAITING", "SENT"] } },
      data: { status: "CANCELLED", closedReason: ERASED_SURVEY_REASON, nextCheckAt: null },
    });
    // Care reminders would say the name on the day: they stop.
    await db.$executeRaw`
      UPDATE reminders SET status = 'CANCELLED', updated_at = now(),
             dedupe_key = CASE WHEN status = 'PENDING' THEN dedupe_key || ':cancelled:' || id ELSE dedupe_key END
      WHERE dedupe_key LIKE ${`care:${contact.id}:%`} AND status IN ('PENDING', 'FIRED')`;
    if (contact.wechat_open_id) {
      // Event ids are made of their sender (a keyed hash of it, or the openid itself before
      // encryption at rest): they become a digest (event-ids.ts), which retries still find.
      const prefixes = [...wechatEventIdPrefixes(cipher, contact.wechat_open_id), `${contact.wechat_open_id}:`].map((p) => `${escapeLike(p)}%`);
      await db.$executeRaw`
        UPDATE interactions SET source_id = 'erased:' || encode(sha256(convert_to(source_id, 'UTF8')), 'hex')
        WHERE source_platform = 'wechat' AND source_id LIKE ANY(${prefixes}::text[])`;
    }
  }

  /** A lead that was only this person is named after them: it gets a neutral name. */
  async function renameLoneLead(contact: ContactFacts): Promise<void> {
    const customer = (await db.$queryRaw<{ id: string; stage: string }[]>`
      SELECT id, stage::text AS stage FROM customers WHERE id = ${contact.customer_id}::uuid FOR UPDATE`)[0];
    if (customer?.stage !== "LEAD") return;
    const others = await db.contact.count({ where: { customerId: customer.id, id: { not: contact.id }, deletedAt: null } });
    const orders = await db.order.count({ where: { customerId: customer.id, ...LIVE } });
    if (others > 0 || orders > 0) return;
    await relabelCustomer(customer.id, (tail) => `${ERASED_CONTACT_NAME} ${tail}`, [contact.id.slice(0, 8), contact.id]);
  }

  /** Names a customer by a neutral label, with the first of `tails` that makes the name unique. */
  async function relabelCustomer(customerId: string, label: (tail: string) => string, tails: readonly string[], extra: Prisma.CustomerUpdateInput = {}): Promise<string> {
    for (const tail of tails) {
      const name = label(tail);
      const keys = nameKeys(name);
      const taken = await db.customer.count({ where: { normalizedName: keys.normalizedName, id: { not: customerId } } });
      if (taken > 0) continue;
      await db.customer.update({ where: { id: customerId }, data: { name, ...keys, ...extra } });
      // Other names the customer was known by are the person's too.
      await db.customerAlias.deleteMany({ where: { customerId } });
      return name;
    }
    throw new Error(`no free neutral name for customer ${customerId}`);
  }

  /**
   * Reads `column` of the rows `where` picks, redacts it in memory and writes back what changed.
   * Used for texts about the customer that are not the person's alone (a rep's note, a reminder).
   */
  async function redactColumn(table: string, key: string, column: string, where: Prisma.Sql, patterns: readonly RegExp[], json = false): Promise<number> {
    if (patterns.length === 0) return 0;
    const rows = await db.$queryRaw<{ key: string; value: unknown }[]>`
      SELECT ${Prisma.raw(`"${key}"`)}::text AS key, ${Prisma.raw(`"${column}"`)} AS value FROM ${Prisma.raw(`"${table}"`)}
      WHERE ${Prisma.raw(`"${column}"`)} IS NOT NULL AND ${where}`;
    const changed: { key: string; value: string }[] = [];
    for (const row of rows) {
      if (json) {
        const before = JSON.stringify(row.value);
        const after = JSON.stringify(redactJson(row.value, patterns));
        if (after !== before) changed.push({ key: row.key, value: after });
      } else if (typeof row.value === "string") {
        const after = redactMentions(row.value, patterns);
        if (after !== row.value) changed.push({ key: row.key, value: after });
      }
    }
    if (changed.length === 0) return 0;
    const cast = Prisma.raw(json ? "jsonb" : "text");
    await db.$executeRaw`
      UPDATE ${Prisma.raw(`"${table}"`)} AS t SET ${Prisma.raw(`"${column}"`)} = v.value::${cast}
      FROM unnest(${changed.map((c) => c.key)}::text[], ${changed.map((c) => c.value)}::text[]) AS v(key, value)
      WHERE t.${Prisma.raw(`"${key}"`)}::text = v.key`;
    return changed.length;
  }

  /** Mentions of the person in what the customer's record holds besides the person's own rows. */
  async function redactAroundCustomer(subject: Subject, patterns: readonly RegExp[]): Promise<void> {
    const of = Prisma.sql`customer_id = ${subject.customerId}::uuid`;
    await redactColumn("interactions", "id", "body", of, patterns);
    await redactColumn("surveys", "id", "comment", of, patterns);
    await redactColumn("reminders", "id", "text", of, patterns);
    await redactColumn("reminders", "id", "detail", of, patterns, true);
    await redactColumn("deals", "id", "title", of, patterns);
    await redactColumn("customers", "id", "about", Prisma.sql`id = ${subject.customerId}::uuid`, patterns);
    await redactColumn("customers", "id", "website", Prisma.sql`id = ${subject.customerId}::uuid`, patterns);
    // The address is sealed: opened, redacted, sealed again when it named the person.
    const sealed = await db.customer.findUnique({ where: { id: subject.customerId }, select: { addressEnc: true } });
    const address = cipher.openOrNull("customers.address", sealed?.addressEnc);
    if (address !== null && redactMentions(address, patterns) !== address) {
      await db.customer.update({ where: { id: subject.customerId }, data: { addressEnc: cipher.seal("customers.address", redactMentions(address, patterns)) } });
    }
    await redactColumn("customer_merges", "from_id", "from_name", Prisma.sql`into_id = ${subject.customerId}::uuid`, patterns);
    // The scan's reasons quote phones, emails and aliases; it finds the pair again if it still is one.
    const pairs = await db.$queryRaw<{ a: string; b: string; reasons: unknown }[]>`
      SELECT customer_a::text AS a, customer_b::text AS b, reasons FROM duplicate_pairs
      WHERE customer_a = ${subject.customerId}::uuid OR customer_b = ${subject.customerId}::uuid`;
    for (const pair of pairs) {
      const after = redactJson(pair.reasons, patterns);
      if (JSON.stringify(after) === JSON.stringify(pair.reasons)) continue;
      await db.$executeRaw`UPDATE duplicate_pairs SET reasons = ${JSON.stringify(after)}::jsonb WHERE customer_a = ${pair.a}::uuid AND customer_b = ${pair.b}::uuid`;
    }
    // An alias that names the person (a lead once called after them) goes with them.
    const aliases = await db.customerAlias.findMany({ where: { customerId: subject.customerId }, select: { id: true, alias: true } });
    const gone = aliases.filter((a) => redactMentions(a.alias, patterns) !== a.alias).map((a) => a.id);
    if (gone.length > 0) await db.customerAlias.deleteMany({ where: { id: { in: gone } } });
  }

  /** Everything the customer's record holds in words goes; the figures stay. */
  async function blankCustomer(subject: Subject, at: Date, label: (tail: string) => string): Promise<void> {
    const id = subject.customerId;
    await relabelCustomer(id, label, [id.slice(0, 4), id.slice(0, 8), id], { website: null, addressEnc: null, addressPlaintext: null, about: null, erasedAt: at });
    await db.$executeRaw`UPDATE interactions SET body = ${ERASED_BODY}, permalink = NULL WHERE customer_id = ${subject.customerId}::uuid`;
    await db.$executeRaw`UPDATE surveys SET comment = NULL WHERE customer_id = ${subject.customerId}::uuid AND comment IS NOT NULL`;
    // The customers merged into this one keep their merge record, not their names.
    await db.$executeRaw`UPDATE customer_merges SET from_name = ${ERASED_BODY} WHERE into_id = ${subject.customerId}::uuid`;
  }

  /** Queued messages cancelled, visibly; the person's address gone from every message to them. */
  async function cancelOutbox(subject: Subject, patterns: readonly RegExp[]): Promise<number> {
    const cancelled = await db.$executeRaw`
      UPDATE outbox o SET status = 'FAILED', last_error = ${ERASED_OUTBOX_ERROR}, updated_at = now()
      WHERE ${queuedFor(subject)}`;
    if (subject.destinationHashes.length > 0) {
      await db.$executeRaw`
        UPDATE outbox SET destination = ${ERASED_DESTINATION}, destination_enc = NULL, destination_hash = NULL, updated_at = now()
        WHERE destination_hash = ANY(${subject.destinationHashes}::text[])`;
    }
    if (subject.destinations.length > 0) {
      await db.$executeRaw`UPDATE outbox SET destination = ${ERASED_DESTINATION}, updated_at = now() WHERE destination = ANY(${subject.destinations}::text[])`;
    }
    // Payloads are ids; a message that carried words (older rows, a locale note) loses the person's.
    const strong = literalMentions({ names: [], emails: subject.ids.emails, phones: subject.ids.phones, platformIds: subject.ids.platformIds });
    if (subject.thorough && strong.length > 0) {
      const like = strong.map(likeContaining);
      await redactColumn("outbox", "id", "payload", Prisma.sql`payload::text ILIKE ANY(${like}::text[])`, patterns, true);
      await redactColumn("outbox", "id", "last_error", Prisma.sql`last_error ILIKE ANY(${like}::text[])`, patterns);
    }
    return cancelled;
  }

  /**
   * Audit details that name the person: the log is append-only, except that an erasure may change
   * a row's detail (and nothing else) after SET LOCAL crm.audit_redaction = 'on' (migration
   * 20261207150000_audit_trail). Rows about the erased records lose every personal value; any
   * other row that quotes the person's email, phone or platform id loses that.
   */
  async function scrubAudit(subject: Subject, patterns: readonly RegExp[]): Promise<number> {
    const idsOf = [...subject.contactIds, ...(subject.wholeCustomer ? [subject.customerId] : [])];
    const about = subject.wholeCustomer
      ? Prisma.sql`(customer_ids @> ARRAY[${subject.customerId}::uuid] OR entity_id = ${subject.customerId} OR detail->>'customerId' = ${subject.customerId})`
      : Prisma.sql`false`;
    const strong = literalMentions({ names: [], emails: subject.ids.emails, phones: subject.ids.phones, platformIds: subject.ids.platformIds }).map(likeContaining);
    const mentioned = idsOf.length > 0 ? idsOf.join("|") : "^$";
    const rows = subject.thorough
      ? await db.$queryRaw<{ id: bigint; at: Date; detail: unknown; related: boolean }[]>`
          SELECT id, at, detail, (${about} OR entity_id = ANY(${idsOf}::text[]) OR detail::text ~ ${mentioned}) AS related
          FROM audit_log
          WHERE detail IS NOT NULL AND (${about} OR entity_id = ANY(${idsOf}::text[]) OR detail::text ~ ${mentioned} OR detail::text ILIKE ANY(${strong}::text[]))`
      : await db.$queryRaw<{ id: bigint; at: Date; detail: unknown; related: boolean }[]>`
          SELECT id, at, detail, true AS related FROM audit_log
          WHERE entity = 'contact' AND entity_id = ANY(${subject.contactIds}::text[]) AND detail IS NOT NULL`;
    const changed: { id: bigint; at: Date; detail: string }[] = [];
    for (const row of rows) {
      const scrubbed = redactJson(row.related ? withoutPersonalValues(row.detail) : row.detail, patterns);
      const after = JSON.stringify(scrubbed);
      if (after !== JSON.stringify(row.detail)) changed.push({ id: row.id, at: row.at, detail: after });
    }
    if (changed.length === 0) return 0;
    await db.$executeRaw`SET LOCAL crm.audit_redaction = 'on'`;
    for (const row of changed) {
      await db.$executeRaw`UPDATE audit_log SET detail = ${row.detail}::jsonb WHERE id = ${row.id} AND at = ${row.at}`;
    }
    await db.$executeRaw`SET LOCAL crm.audit_redaction = 'off'`;
    return changed.length;
  }

  /**
   * Uploaded import files and problem rows are sealed, so nobody can tell which of them name the
   * person: all of them go (a file waiting for Import or in the queue is cancelled and has to be
   * shared again). A run already going keeps its file until it ends, a day at most.
   */
  async function dropImportLeftovers(at: Date): Promise<void> {
    await db.$executeRaw`UPDATE import_runs SET status = 'cancelled', finished_at = ${at} WHERE status IN ('previewed', 'queued')`;
    await db.$executeRaw`DELETE FROM import_file_chunks c USING import_runs r WHERE r.id = c.run_id AND r.status <> 'running'`;
    await db.$executeRaw`UPDATE import_runs SET problem_csv = NULL, problems = NULL WHERE status <> 'running' AND (problem_csv IS NOT NULL OR problems IS NOT NULL)`;
  }

  /** Tells each inbox-channel thread of the person, through the outbox, that their data is gone. */
  async function noticeThreads(subject: Subject, at: Date): Promise<string[]> {
    const rows = await db.$queryRaw<{ id: string }[]>`
      INSERT INTO outbox (id, platform, destination, payload, dedupe_key, next_attempt_at, updated_at)
      SELECT gen_random_uuid(), 'slack', t.channel, jsonb_build_object('type', 'privacy.erased', 'threadId', t.id::text),
             'privacy-erased:' || t.id::text, ${at}, now()
      FROM inbox_threads t WHERE t.contact_id = ANY(${subject.contactIds}::uuid[]) AND t.thread_ts IS NOT NULL
      ON CONFLICT (dedupe_key) DO NOTHING
      RETURNING id`;
    return rows.map((r) => r.id);
  }

  async function erase(subject: Subject, at: Date, options: { keepInteractionId: string | null; tellInbox: boolean; customerLabel?: (tail: string) => string; contacts: ContactFacts[] }): Promise<Omit<ErasureResult, "contacts" | "interactions" | "messages" | "surveyComments"> & { outbox: number }> {
    const patterns = mentionPatterns(subject.ids);
    for (const contact of options.contacts) {
      if (!contact.erased_at) await blankContact(contact, at, options.keepInteractionId);
    }
    if (subject.wholeCustomer) await blankCustomer(subject, at, options.customerLabel!);
    else await renameLoneLead(options.contacts[0]!);
    await redactAroundCustomer(subject, patterns);
    const outbox = await cancelOutbox(subject, patterns);
    // Their messages the worker has not recorded yet go too: they would bring the person back.
    await db.$executeRaw`DELETE FROM inbound_messages WHERE sender_hash = ANY(${subject.destinationHashes}::text[])`;
    await dropImportLeftovers(at);
    const auditRows = await scrubAudit(subject, patterns);
    const noticeIds = options.tellInbox ? await noticeThreads(subject, at) : [];
    return { outbox, auditRows, noticeIds };
  }

  return {
    /** The person unfollowed: nothing more is sent to them. The first time counts. */
    async flagUnsubscribed(contactId: string, at: Date): Promise<void> {
      if (!UUID.test(contactId)) return;
      await db.contact.updateMany({ where: { id: contactId, unsubscribedAt: null }, data: { unsubscribedAt: at } });
    },

    /** Following again lifts an earlier unfollow (not a later one: events may arrive out of order). */
    async clearUnsubscribed(contactId: string, at: Date): Promise<void> {
      if (!UUID.test(contactId)) return;
      await db.contact.updateMany({ where: { id: contactId, unsubscribedAt: { lte: at } }, data: { unsubscribedAt: null } });
    },

    /** What erasing the target would take, for the confirmation; null when it does not exist. */
    async preview(target: ErasureTarget): Promise<ErasurePreview | null> {
      if (!UUID.test(target.id)) return null;
      if (target.kind === "contact") {
        const contact = (await contactsWhere(Prisma.sql`id = ${target.id}::uuid`, false))[0];
        if (!contact) return null;
        const customer = await db.customer.findUnique({ where: { id: contact.customer_id }, select: { id: true, name: true } });
        if (!customer) return null;
        const subject = subjectOf(customer.id, [contact], [], { names: [], emails: [], phones: [], platformIds: [] }, false);
        return { target, customer, contact: { id: contact.id, name: contact.name }, erasedAlready: contact.erased_at !== null, counts: await count(subject) };
      }
      const customer = await db.customer.findUnique({ where: { id: target.id }, select: { id: true, name: true, erasedAt: true } });
      if (!customer) return null;
      const contacts = await contactsWhere(Prisma.sql`customer_id = ${target.id}::uuid`, false);
      const subject = subjectOf(customer.id, contacts, [], { names: [], emails: [], phones: [], platformIds: [] }, true);
      const counts = await count(subject);
      return { target, customer: { id: customer.id, name: customer.name }, erasedAlready: customer.erasedAt !== null, counts: { ...counts, contacts: contacts.filter((c) => !c.erased_at).length } };
    },

    /**
     * Erases one contact: the contact row blanked, the words of their interactions and their
     * survey comments gone, event ids that name them digested, mentions of them in the customer's
     * other texts (notes, reminders, deals, merge records, duplicate reasons, aliases) and in the
     * audit log scrubbed, queued messages to them cancelled and their address dropped from the
     * outbox, a lead that was only them renamed. `keepInteractionId`'s text stays (the unfollow
     * event itself). One audit row (`action`, "contact.erase" by default). Null when the contact
     * does not exist or was erased before.
     */
    async eraseContact(input: {
      contactId: string; actorId: string | null; reason: string; keepInteractionId?: string; at: Date;
      action?: "contact.erase" | "person.erase"; tellInbox?: boolean; thorough?: boolean;
    }): Promise<ErasureResult | null> {
      const { contactId } = input;
      if (!UUID.test(contactId)) return null;
      const contact = await lockContact(contactId);
      if (!contact || contact.erased_at) return null;
      const subject = subjectOf(contact.customer_id, [contact], [], await earlierIdentifiers([contactId]), false, input.thorough ?? false);
      const counts = await count(subject);
      const keep = input.keepInteractionId && UUID.test(input.keepInteractionId) ? input.keepInteractionId : null;
      const done = await erase(subject, input.at, { keepInteractionId: keep, tellInbox: input.tellInbox ?? false, contacts: [contact] });
      const interactions = keep ? Math.max(0, counts.interactions - 1) : counts.interactions;
      const result: ErasureResult = { ...counts, interactions, ...done };
      await audit.write({
        actorId: input.actorId, action: input.action ?? "contact.erase", entity: "contact", entityId: contactId, customerIds: [contact.customer_id],
        detail: { reason: redactMentions(input.reason, mentionPatterns(subject.ids)), customerId: contact.customer_id, ...tally(result) },
      });
      return result;
    },

    /**
     * Erases a customer and every contact of it: all of the above for each contact, and the
     * customer's name (a neutral `label`, unique by a longer tail of its id when taken), aliases,
     * website, address, about note, every interaction's words, survey comments and the names of
     * customers merged into it. Orders, amounts, counts, stats and scores stay. One audit row
     * "customer.erase". Null when the customer does not exist or was erased before.
     */
    async eraseCustomer(input: { customerId: string; actorId: string | null; reason: string; at: Date; label: (tail: string) => string }): Promise<ErasureResult | null> {
      if (!UUID.test(input.customerId)) return null;
      const customer = (await db.$queryRaw<{ id: string; name: string; erased_at: Date | null }[]>`
        SELECT id, name, erased_at FROM customers WHERE id = ${input.customerId}::uuid FOR UPDATE`)[0];
      if (!customer || customer.erased_at) return null;
      const contacts = await contactsWhere(Prisma.sql`customer_id = ${customer.id}::uuid`, true);
      const aliases = await db.customerAlias.findMany({ where: { customerId: customer.id }, select: { alias: true } });
      const merged = await db.customerMerge.findMany({ where: { intoId: customer.id }, select: { fromName: true } });
      const names = [customer.name, ...aliases.map((a) => a.alias), ...merged.map((m) => m.fromName)];
      const subject = subjectOf(customer.id, contacts, names, await earlierIdentifiers(contacts.map((c) => c.id)), true);
      const counts = await count(subject);
      const done = await erase(subject, input.at, { keepInteractionId: null, tellInbox: true, customerLabel: input.label, contacts });
      const result: ErasureResult = { ...counts, contacts: contacts.filter((c) => !c.erased_at).length, ...done };
      await audit.write({
        actorId: input.actorId, action: "customer.erase", entity: "customer", entityId: customer.id,
        detail: { reason: redactMentions(input.reason, mentionPatterns(subject.ids)), ...tally(result) },
      });
      return result;
    },
  };
}

/** The counts an erasure's audit row keeps (no personal value). */
function tally(result: ErasureResult) {
  return {
    contacts: result.contacts, interactions: result.interactions, messages: result.messages, surveyComments: result.surveyComments,
    outbox: result.outbox, auditRows: result.auditRows,
  };
}

/** An audit detail about an erased record: every personal value replaced, ids and business facts kept. */
function withoutPersonalValues(value: unknown, key = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutPersonalValues(v, key));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, withoutPersonalValues(v, k)]));
  }
  if (typeof value === "string" && PERSONAL_KEYS.has(key) && !isNonPersonalField(key) && !UUID.test(value)) return ERASED_BODY;
  return value;
}

export type ContactErasureStore = ReturnType<typeof createContactErasureStore>;
