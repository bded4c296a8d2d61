/**
 * Floor for the customer card's SQL (issue 17): one statement that returns the whole card and
 * writes its audit row, in one round trip through pg, with no service code around it. The card's
 * reads are the store's own statement (store/customers/customer-card.ts), wrapped in a CTE with
 * the audit insert; "private" is decided in SQL for the floor's single viewer (the owner), which
 * the bot decides in services/audience.ts. Only the personal details the card shows are opened.
 */
import type pg from "pg";
import { CARD_SQL } from "../../src/store/customers/customer-card.js";
import type { FieldCipher } from "../../src/store/encryption/field-cipher.js";

const SQL = `
WITH card AS (${CARD_SQL}),
audit AS (
  INSERT INTO audit_log (actor_id, action, entity, entity_id, customer_ids, detail, at)
  SELECT $2::uuid, 'customer.view', 'customer', card.id, ARRAY[card.id::uuid], jsonb_build_object('private', card.owner_id::uuid IS NOT DISTINCT FROM $2::uuid), now() FROM card
)
SELECT * FROM card`;

interface FloorRow {
  address_enc: string | null;
  contacts: { email_enc: string | null; phone_enc: string | null }[];
}

export async function cardStatementFloor(pool: pg.Pool, cipher: FieldCipher, customerId: string, viewerId: string): Promise<FloorRow | undefined> {
  const { rows } = await pool.query<FloorRow>({ name: "floor-card", text: SQL, values: [customerId, viewerId] });
  const row = rows[0];
  if (row) {
    cipher.openOrNull("customers.address", row.address_enc);
    for (const c of row.contacts.slice(0, 5)) {
      cipher.openOrNull("contacts.email", c.email_enc);
      cipher.openOrNull("contacts.phone", c.phone_enc);
    }
  }
  return row;
}
