import { randomUUID } from "node:crypto";
import { nameKeys } from "../../domain/language/customer-name.js";
import { erasedSourceId } from "../delivery/event-ids.js";
import { sealedContactRow } from "../encryption/contact-secrets.js";
import type { FieldCipher } from "../encryption/field-cipher.js";
import type { Db } from "../prisma.js";
import { unroll } from "../analytics/rollups.js";
import { markSurveyReply, refreshWaits } from "../delivery/wechat-waits.js";

export interface StoredCustomerMessage {
  interactionId: string;
  created: boolean;
  customerId: string;
  contactId: string;
  /** The sender was new: a contact and a lead were made for them. */
  newLead: boolean;
}

/**
 * The webhook's hot path, in raw SQL (see DESIGN's measured facts): find or create the
 * contact by platform id (a new sender becomes a lead of their own, see createLead), then insert
 * the interaction once per platform message id. Concurrent deliveries of the same message, or of
 * two first messages of one new sender, end in one contact and one row.
 */
export function createCustomerMessageStore(db: Db, cipher: FieldCipher) {
  return {
    async record(message: { platform: string; senderId: string; senderName?: string; id: string; at: Date; kind: string; body: string; source?: string }): Promise<StoredCustomerMessage> {
      // Encryption at rest: the sender is found by the keyed hash of their openid (under every
      // key while keys rotate), and an event's id, which WeChat makes of the openid, is stored
      // with that replaced by a keyed hash of it (wechatEventId).
      const input = { ...message, id: wechatEventId(cipher, message.senderId, message.id) };
      const senderHashes = cipher.lookups("wechat", input.senderId);
      // A late retry of a message already stored changes nothing, even if its sender was erased since.
      // An erased sender's events are kept under a digest of their id (contact-erasure.ts): a late retry finds it.
      // all-rows: found by its platform id, deleted or not, so a retry never stores it twice.
      const seen = await db.$queryRaw<{ id: string; customer_id: string; contact_id: string | null }[]>`
        SELECT id, customer_id, contact_id FROM interactions WHERE source_platform = ${input.platform} AND source_id IN (${input.id}, ${erasedSourceId(input.id)})`;
      if (seen[0]?.contact_id) return { interactionId: seen[0].id, created: false, customerId: seen[0].customer_id, contactId: seen[0].contact_id, newLead: false };
      // No deleted_at filter: a contact with an openid cannot be removed (services/contacts/manage-contacts.ts).
      const existing = await db.$queryRaw<{ id: string; customer_id: string }[]>`
        SELECT id, customer_id FROM contacts WHERE wechat_open_id_hash = ANY(${senderHashes}::text[]) FOR SHARE`;
      let contact: { id: string; customer_id: string } | undefined = existing[0];
      let newLead = false;
      if (!contact) {
        // Two first messages of one new sender may race: the second waits here for the first
        // to commit, then finds its contact (READ COMMITTED: the next statement sees it).
        await db.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`crm:new-sender:${input.platform}:${input.senderId}`}, 0))`;
        contact = (await db.$queryRaw<{ id: string; customer_id: string }[]>`SELECT id, customer_id FROM contacts WHERE wechat_open_id_hash = ANY(${senderHashes}::text[])`)[0];
        if (!contact) {
          ({ contact, newLead } = await createLead(db, cipher, input, senderHashes));
        }
      }
      const rows = await db.$queryRaw<{ id: string }[]>`
        INSERT INTO interactions (id, customer_id, contact_id, channel, direction, body, source_platform, source_id, occurred_at)
        VALUES (gen_random_uuid(), ${contact.customer_id}::uuid, ${contact.id}::uuid, 'WECHAT', 'INBOUND', ${input.body},
                ${input.platform}, ${input.id}, ${input.at})
        ON CONFLICT (source_platform, source_id) DO NOTHING
        RETURNING id`;
      if (rows[0]) {
        await db.$executeRaw`
          INSERT INTO customer_stats (customer_id, interaction_count, last_interaction_at)
          VALUES (${contact.customer_id}::uuid, 1, ${input.at})
          ON CONFLICT (customer_id) DO UPDATE SET
            interaction_count = customer_stats.interaction_count + 1,
            last_interaction_at = GREATEST(customer_stats.last_interaction_at, EXCLUDED.last_interaction_at)`;
        // Analytics: a message as it arrives touches no rollup (its hour is open) and only its
        // contact's waits (a lock of its own, no shared hot row).
        await unroll(db, "interactionHours", [input.at]);
        if (!input.kind.startsWith("event:")) await refreshWaits(db, { contactId: contact.id, at: input.at, direction: "INBOUND" });
        return { interactionId: rows[0].id, created: true, customerId: contact.customer_id, contactId: contact.id, newLead };
      }
      // all-rows: the row the conflict found, deleted or not.
      const found = await db.$queryRaw<{ id: string }[]>`
        SELECT id FROM interactions WHERE source_platform = ${input.platform} AND source_id = ${input.id}`;
      return { interactionId: found[0]!.id, created: false, customerId: contact.customer_id, contactId: contact.id, newLead };
    },

    /** The message just recorded answers, comments on or opts out of a survey: nobody owes it a reply. */
    markSurveyReply: (reply: Parameters<typeof markSurveyReply>[1]) => markSurveyReply(db, reply),
  };
}

/**
 * How an event of a WeChat sender is stored: WeChat gives events no MsgId, so the adapter makes
 * one of "<openid>:<CreateTime>:<kind>"; the openid in it becomes "~" and its keyed hash (a hash
 * of its own kind, so event ids do not repeat the contact's look-up hash). Ids without the openid
 * (a MsgId) stay as they are.
 */
export function wechatEventId(cipher: FieldCipher, senderId: string, id: string): string {
  if (!senderId || !id.includes(senderId)) return id;
  return id.split(senderId).join(`~${cipher.lookup("wechat-event", senderId)}`);
}

/** How the stored ids of one sender's events start, under each key (for erasure). */
export function wechatEventIdPrefixes(cipher: FieldCipher, senderId: string): string[] {
  return cipher.lookups("wechat-event", senderId).map((hash) => `~${hash}:`);
}

/** How much of the sender's id a new lead's name shows: the short tail first, longer while taken. */
const TAIL_LENGTHS = [6, 10, 16];

/**
 * A new sender's lead and contact. The person is the openid (the contact's sealed
 * `wechat_open_id_enc`, found by `wechat_open_id_hash`); the lead's name is only a label:
 * "WeChat user <tail>" (or their nickname, keyed with the tail). Names are unique, and two
 * openids may share their last six characters or differ only in letter case, which names fold
 * away: a name that is taken is never joined, the next one tries a longer tail, then the longest
 * with a random suffix, so `/customer <tail>` can always tell the two apart.
 * Call with the sender's advisory lock held.
 */
async function createLead(
  db: Db,
  cipher: FieldCipher,
  input: { platform: string; senderId: string; senderName?: string; source?: string },
  senderHashes: readonly string[],
): Promise<{ contact: { id: string; customer_id: string }; newLead: boolean }> {
  const nickname = input.senderName?.trim();
  const tails = TAIL_LENGTHS.filter((n) => n < input.senderId.length).map((n) => input.senderId.slice(-n));
  // The whole openid never goes into a name (it is stored sealed): when every tail is taken, the
  // longest one with a random suffix still makes a new lead.
  const candidates = [...tails, `${tails.at(-1) ?? ""} ${randomUUID().slice(0, 8)}`.trim()];
  const sealed = sealedContactRow(cipher, { email: null, phone: null, wechatOpenId: input.senderId });
  for (const tail of candidates) {
    const name = nickname || `WeChat user ${tail}`;
    const keys = nameKeys(nickname ? `${nickname} ${tail}` : name);
    const customer = (await db.$queryRaw<{ id: string }[]>`
      INSERT INTO customers (id, name, normalized_name, pinyin, pinyin_initials, stage, source, updated_at)
      VALUES (gen_random_uuid(), ${name}, ${keys.normalizedName}, ${keys.pinyin}, ${keys.pinyinInitials}, 'LEAD',
              ${input.source ?? input.platform}, now())
      ON CONFLICT (normalized_name) DO NOTHING
      RETURNING id`)[0];
    if (!customer) continue;
    const contact = (await db.$queryRaw<{ id: string; customer_id: string }[]>`
      INSERT INTO contacts (id, customer_id, name, wechat_open_id_enc, wechat_open_id_hash, updated_at)
      VALUES (gen_random_uuid(), ${customer.id}::uuid, ${name}, ${sealed.wechat_open_id_enc}, ${sealed.wechat_open_id_hash}, now())
      ON CONFLICT (wechat_open_id_hash) DO NOTHING
      RETURNING id, customer_id`)[0];
    if (contact) return { contact, newLead: true };
    // The openid got its contact by another way meanwhile (a link, an import): use that one.
    await db.$executeRaw`DELETE FROM customers WHERE id = ${customer.id}::uuid`;
    const other = (await db.$queryRaw<{ id: string; customer_id: string }[]>`SELECT id, customer_id FROM contacts WHERE wechat_open_id_hash = ANY(${[...senderHashes]}::text[])`)[0];
    if (other) return { contact: other, newLead: false };
  }
  throw new Error(`no lead could be made for a ${input.platform} sender`);
}
