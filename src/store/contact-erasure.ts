import { nameKeys } from "../domain/customer-name.js";
import { createAuditStore } from "./audit.js";
import { LIVE } from "./live-rows.js";
import type { Db } from "./prisma.js";

export const ERASED_CONTACT_NAME = "Erased contact";
export const ERASED_BODY = "[erased]";
export const ERASED_DESTINATION = "erased";
export const ERASED_OUTBOX_ERROR = "the contact was erased";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * WeChat's rule on unfollow and erasure requests: the person's details and message bodies go,
 * the facts (that there were interactions, orders, scores) stay. Run `eraseContact` inside a
 * transaction; it locks the contact, so two erasures of one contact do the work once.
 */
export function createContactErasureStore(db: Db) {
  const audit = createAuditStore(db);
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

    /**
     * Blanks the contact, the bodies of their interactions (but `keepInteractionId`), their
     * survey comments, a lead customer that was only them, and the openid on outbox rows
     * (pending ones fail). Returns what it changed, or null when there is nothing (left) to erase.
     */
    async eraseContact(input: { contactId: string; actorId: string | null; reason: string; keepInteractionId?: string; at: Date }): Promise<{ interactions: number; outbox: number } | null> {
      const { contactId } = input;
      if (!UUID.test(contactId)) return null;
      const contact = (await db.$queryRaw<{ customer_id: string; wechat_open_id: string | null; erased_at: Date | null }[]>`
        SELECT customer_id, wechat_open_id, erased_at FROM contacts WHERE id = ${contactId}::uuid FOR UPDATE`)[0];
      if (!contact || contact.erased_at) return null;

      await db.contact.update({
        where: { id: contactId },
        data: {
          name: ERASED_CONTACT_NAME, title: null, email: null, phone: null, locale: null, birthday: null, anniversary: null,
          wechatOpenId: null, erasedAt: input.at,
        },
      });

      const keep = input.keepInteractionId && UUID.test(input.keepInteractionId) ? input.keepInteractionId : null;
      const interactions = await db.$executeRaw`
        UPDATE interactions SET body = ${ERASED_BODY}, permalink = NULL
        WHERE contact_id = ${contactId}::uuid AND id IS DISTINCT FROM ${keep}::uuid`;

      await db.survey.updateMany({ where: { contactId, comment: { not: null } }, data: { comment: null } });

      // A lead that was only this person is named after them: rename it.
      const customer = (await db.$queryRaw<{ id: string; stage: string }[]>`
        SELECT id, stage::text AS stage FROM customers WHERE id = ${contact.customer_id}::uuid FOR UPDATE`)[0];
      if (customer?.stage === "LEAD") {
        const others = await db.contact.count({ where: { customerId: customer.id, id: { not: contactId }, deletedAt: null } });
        const orders = await db.order.count({ where: { customerId: customer.id, ...LIVE } });
        if (others === 0 && orders === 0) {
          let name = `${ERASED_CONTACT_NAME} ${contactId.slice(0, 8)}`;
          let keys = nameKeys(name);
          const taken = await db.customer.count({ where: { normalizedName: keys.normalizedName, id: { not: customer.id } } });
          if (taken > 0) {
            name = `${ERASED_CONTACT_NAME} ${contactId}`;
            keys = nameKeys(name);
          }
          await db.customer.update({ where: { id: customer.id }, data: { name, ...keys } });
          // Other names the lead was known by are the person's too.
          await db.customerAlias.deleteMany({ where: { customerId: customer.id } });
        }
      }

      let outbox = 0;
      const openId = contact.wechat_open_id;
      if (openId) {
        outbox += await db.$executeRaw`
          UPDATE outbox SET status = 'FAILED', last_error = ${ERASED_OUTBOX_ERROR}, destination = ${ERASED_DESTINATION}, updated_at = now()
          WHERE platform = 'wechat' AND destination = ${openId} AND status IN ('PENDING', 'SENDING')`;
        outbox += await db.$executeRaw`
          UPDATE outbox SET destination = ${ERASED_DESTINATION}, updated_at = now()
          WHERE platform = 'wechat' AND destination = ${openId}`;
      }

      await audit.write({
        actorId: input.actorId, action: "contact.erase", entity: "contact", entityId: contactId,
        detail: { reason: input.reason, interactions, outbox },
      });
      return { interactions, outbox };
    },
  };
}

export type ContactErasureStore = ReturnType<typeof createContactErasureStore>;
