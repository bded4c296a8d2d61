import { randomUUID } from "node:crypto";
import type pg from "pg";
import { FieldCipher, dataKey, sealedContactRow, type LookupKind } from "../../src/store/index.js";
import { TEST_DATA_ENCRYPTION_KEY } from "./env.js";

/**
 * Encryption at rest for tests: the cipher of the test key (the one every test bot gets), the
 * keyed hashes rows are found by in SQL assertions, and contacts written straight into the
 * table the way the store writes them.
 */

let cipher: FieldCipher | undefined;

/** The cipher of TEST_DATA_ENCRYPTION_KEY (DEFAULT_PHONE_REGION CN, the default). */
export function testCipher(): FieldCipher {
  cipher ??= new FieldCipher(dataKey(Buffer.from(TEST_DATA_ENCRYPTION_KEY, "base64")));
  return cipher;
}

/** The keyed hash a value is stored under (contacts.wechat_open_id_hash, email_hash, phone_hash). */
export function lookupHash(kind: LookupKind, value: string): string {
  return testCipher().lookup(kind, value)!;
}

/** The hash of a WeChat openid: `WHERE wechat_open_id_hash = $1` finds its contact. */
export const openIdHash = (openId: string): string => lookupHash("wechat", openId);

/** A contact inserted in SQL, details sealed as the store seals them; returns its id. */
export async function insertContact(
  sql: pg.Pool,
  values: { customerId: string; name?: string; title?: string | null; email?: string | null; phone?: string | null; wechatOpenId?: string | null; id?: string },
): Promise<string> {
  const id = values.id ?? randomUUID();
  const s = sealedContactRow(testCipher(), { email: values.email ?? null, phone: values.phone ?? null, wechatOpenId: values.wechatOpenId ?? null });
  await sql.query(
    `INSERT INTO contacts (id, customer_id, name, title, email_enc, email_hash, email_invalid, phone_enc, phone_hash, phone_invalid,
                           wechat_open_id_enc, wechat_open_id_hash, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now(), now())`,
    [id, values.customerId, values.name ?? "Someone", values.title ?? null, s.email_enc, s.email_hash, s.email_invalid, s.phone_enc, s.phone_hash, s.phone_invalid, s.wechat_open_id_enc, s.wechat_open_id_hash],
  );
  return id;
}

/** A contact's details opened, by id (null when there is no such contact). */
export async function contactDetails(sql: pg.Pool, id: string): Promise<{ email: string | null; phone: string | null; wechatOpenId: string | null } | null> {
  const { rows } = await sql.query<{ email_enc: string | null; phone_enc: string | null; wechat_open_id_enc: string | null }>(
    "SELECT email_enc, phone_enc, wechat_open_id_enc FROM contacts WHERE id = $1",
    [id],
  );
  const r = rows[0];
  if (!r) return null;
  const c = testCipher();
  return { email: c.openOrNull("contacts.email", r.email_enc), phone: c.openOrNull("contacts.phone", r.phone_enc), wechatOpenId: c.openOrNull("contacts.wechat_open_id", r.wechat_open_id_enc) };
}
