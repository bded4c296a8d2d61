import { nameKeys } from "../domain/customer-name.js";
import type { Db } from "./prisma.js";
import { unroll } from "./rollups.js";
import { markSurveyReply, refreshWaits } from "./wechat-waits.js";

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
 * contact by platform id (a new sender becomes a lead named after the last six characters of
 * the id), then insert the interaction once per platform message id. Concurrent deliveries of
 * the same message, or of two first messages of one new sender, end in one contact and one row.
 */
export function createCustomerMessageStore(db: Db) {
  return {
    async record(input: { platform: string; senderId: string; senderName?: string; id: string; at: Date; kind: string; body: string; source?: string }): Promise<StoredCustomerMessage> {
      // A late retry of a message already stored changes nothing, even if its sender was erased since.
      const seen = await db.$queryRaw<{ id: string; customer_id: string; contact_id: string | null }[]>`
        SELECT id, customer_id, contact_id FROM interactions WHERE source_platform = ${input.platform} AND source_id = ${input.id}`;
      if (seen[0]?.contact_id) return { interactionId: seen[0].id, created: false, customerId: seen[0].customer_id, contactId: seen[0].contact_id, newLead: false };
      const existing = await db.$queryRaw<{ id: string; customer_id: string }[]>`
        SELECT id, customer_id FROM contacts WHERE wechat_open_id = ${input.senderId} FOR SHARE`;
      let contact = existing[0];
      let newLead = false;
      if (!contact) {
        const tail = input.senderId.slice(-6);
        const name = input.senderName?.trim() || `WeChat user ${tail}`;
        // The id's tail is part of the key, so two senders with one nickname stay two leads and
        // "/customer 3bGY9x" finds the lead by it.
        const keys = nameKeys(input.senderName?.trim() ? `${name} ${tail}` : name);
        const created = await db.$queryRaw<{ id: string; customer_id: string }[]>`
          WITH customer AS (
            INSERT INTO customers (id, name, normalized_name, pinyin, pinyin_initials, stage, source, updated_at)
            VALUES (gen_random_uuid(), ${name}, ${keys.normalizedName}, ${keys.pinyin}, ${keys.pinyinInitials}, 'LEAD',
                    ${input.source ?? input.platform}, now())
            ON CONFLICT (normalized_name) DO UPDATE SET updated_at = customers.updated_at
            RETURNING id
          )
          INSERT INTO contacts (id, customer_id, name, wechat_open_id, updated_at)
          SELECT gen_random_uuid(), customer.id, ${name}, ${input.senderId}, now() FROM customer
          ON CONFLICT (wechat_open_id) DO NOTHING
          RETURNING id, customer_id`;
        contact = created[0] ?? (await db.$queryRaw<{ id: string; customer_id: string }[]>`SELECT id, customer_id FROM contacts WHERE wechat_open_id = ${input.senderId}`)[0];
        newLead = created.length > 0;
        if (!contact) throw new Error(`contact for ${input.platform} sender vanished`);
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
      const found = await db.$queryRaw<{ id: string }[]>`
        SELECT id FROM interactions WHERE source_platform = ${input.platform} AND source_id = ${input.id}`;
      return { interactionId: found[0]!.id, created: false, customerId: contact.customer_id, contactId: contact.id, newLead };
    },

    /** The message just recorded answers, comments on or opts out of a survey: nobody owes it a reply. */
    markSurveyReply: (reply: Parameters<typeof markSurveyReply>[1]) => markSurveyReply(db, reply),
  };
}
