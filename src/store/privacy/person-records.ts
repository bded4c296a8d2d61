import { SEALED_CONTACT_SELECT, openContactSecrets } from "../encryption/contact-secrets.js";
import type { FieldCipher } from "../encryption/field-cipher.js";
import type { Db } from "../prisma.js";

/** Everything the CRM holds about one person (a data subject access request), as stored. */
export interface PersonRecord {
  contact: {
    id: string; name: string; title: string | null; email: string | null; phone: string | null;
    wechatOpenId: string | null; slackUserId: string | null; locale: string | null;
    birthday: string | null; anniversary: string | null;
    unsubscribedAt: Date | null; surveyOptOutAt: Date | null; removedAt: Date | null; createdAt: Date; updatedAt: Date;
  };
  customer: {
    id: string; name: string; stage: string; ownerName: string | null; industry: string | null; website: string | null;
    address: string | null; tags: string[]; createdAt: Date;
  };
  /** Messages the person sent or received, and notes logged about them, oldest first (all-rows: deleted ones too, marked). */
  interactions: {
    id: string; occurredAt: Date; channel: string; direction: string; body: string; authorName: string | null;
    undelivered: string | null; deletedAt: Date | null;
  }[];
  surveys: {
    id: string; kind: string; status: string; platform: string; via: string | null; score: number | null; comment: string | null;
    sentAt: Date | null; answeredAt: Date | null; closedReason: string | null; createdAt: Date;
  }[];
  /** Outgoing messages to the person or about their messages and surveys. */
  outbox: { id: string; platform: string; type: string | null; status: string; createdAt: Date; sentAt: Date | null; lastError: string | null }[];
  /** Audit rows about the person: their contact, their messages, reads of their details. */
  audit: { id: string; at: Date; action: string; actorName: string | null; entity: string; entityId: string | null; detail: unknown }[];
}

const day = (d: Date | null): string | null => (d ? d.toISOString().slice(0, 10) : null);

/** Sealed details are opened here (store/encryption/field-cipher.ts): the export is the plaintext the person is owed. */
export function createPersonRecordStore(db: Db, cipher: FieldCipher) {
  return {
    /** The whole record of a contact (erased or removed ones too: what is left is what is held). */
    async read(contactId: string): Promise<PersonRecord | null> {
      const contact = await db.contact.findUnique({
        where: { id: contactId },
        select: {
          id: true, name: true, title: true, ...SEALED_CONTACT_SELECT, slackUserId: true, locale: true,
          birthday: true, anniversary: true, unsubscribedAt: true, surveyOptOutAt: true, deletedAt: true, createdAt: true, updatedAt: true,
          customer: {
            select: {
              id: true, name: true, stage: true, industry: true, website: true, addressEnc: true, tags: true, createdAt: true,
              owner: { select: { displayName: true } },
            },
          },
        },
      });
      if (!contact) return null;
      const secrets = openContactSecrets(cipher, contact);
      const [interactions, surveys, outbox, audit] = await Promise.all([
        db.$queryRaw<PersonRecord["interactions"]>`
          SELECT i.id, i.occurred_at AS "occurredAt", i.channel::text AS channel, i.direction::text AS direction, i.body,
                 u.display_name AS "authorName", i.undelivered, i.deleted_at AS "deletedAt"
          -- all-rows: a person's export holds everything still stored about them, deleted entries marked
          FROM interactions i LEFT JOIN users u ON u.id = i.author_id
          WHERE i.contact_id = ${contactId}::uuid ORDER BY i.occurred_at, i.id`,
        db.$queryRaw<PersonRecord["surveys"]>`
          SELECT id, kind::text AS kind, status::text AS status, platform, via, score, comment, sent_at AS "sentAt",
                 answered_at AS "answeredAt", closed_reason AS "closedReason", created_at AS "createdAt"
          FROM surveys WHERE contact_id = ${contactId}::uuid ORDER BY created_at, id`,
        db.$queryRaw<PersonRecord["outbox"]>`
          SELECT o.id, o.platform, o.payload->>'type' AS type, o.status::text AS status, o.created_at AS "createdAt", o.sent_at AS "sentAt", o.last_error AS "lastError"
          FROM outbox o
          WHERE o.destination_hash = ANY(${cipher.lookups("wechat", secrets.wechatOpenId)}::text[])
             OR o.destination = ANY(${contact.slackUserId ? [contact.slackUserId] : []}::text[])
             -- all-rows: messages about deleted entries are still held about the person
             OR EXISTS (SELECT 1 FROM interactions i WHERE i.contact_id = ${contactId}::uuid AND i.id::text = o.payload->>'interactionId')
             OR EXISTS (SELECT 1 FROM surveys s WHERE s.contact_id = ${contactId}::uuid AND s.id::text = o.payload->>'surveyId')
          ORDER BY o.created_at, o.id`,
        db.$queryRaw<{ id: bigint; at: Date; action: string; actorName: string | null; entity: string; entityId: string | null; detail: unknown }[]>`
          SELECT a.id, a.at, a.action, u.display_name AS "actorName", a.entity, a.entity_id AS "entityId", a.detail
          FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
          WHERE (a.entity = 'contact' AND a.entity_id = ${contactId})
             OR a.detail->>'contactId' = ${contactId}
             -- all-rows: audit rows about deleted entries are about the person too
             OR a.entity_id IN (SELECT id::text FROM interactions WHERE contact_id = ${contactId}::uuid)
          ORDER BY a.at, a.id`,
      ]);
      const c = contact.customer;
      return {
        contact: {
          id: contact.id, name: contact.name, title: contact.title, email: secrets.email, phone: secrets.phone,
          wechatOpenId: secrets.wechatOpenId, slackUserId: contact.slackUserId, locale: contact.locale,
          birthday: day(contact.birthday), anniversary: day(contact.anniversary),
          unsubscribedAt: contact.unsubscribedAt, surveyOptOutAt: contact.surveyOptOutAt, removedAt: contact.deletedAt,
          createdAt: contact.createdAt, updatedAt: contact.updatedAt,
        },
        customer: {
          id: c.id, name: c.name, stage: c.stage, ownerName: c.owner?.displayName ?? null, industry: c.industry, website: c.website,
          address: cipher.openOrNull("customers.address", c.addressEnc), tags: c.tags, createdAt: c.createdAt,
        },
        interactions,
        surveys,
        outbox,
        audit: audit.map((a) => ({ ...a, id: a.id.toString() })),
      };
    },
  };
}

export type PersonRecordStore = ReturnType<typeof createPersonRecordStore>;
