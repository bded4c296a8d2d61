import { isInvalidEmail, isInvalidPhone } from "../../domain/customers/data-quality.js";
import type { FieldCipher } from "./field-cipher.js";

/**
 * A contact's personal details as the code sees them (plaintext), and as the contacts table
 * holds them: sealed, with a keyed hash for look-ups and, for emails and phones, whether the
 * data quality report counts them invalid (it cannot read them in SQL any more).
 */
export interface ContactSecrets {
  email: string | null;
  phone: string | null;
  wechatOpenId: string | null;
}

/** The sealed columns as Prisma selects them. */
export const SEALED_CONTACT_SELECT = { emailEnc: true, phoneEnc: true, wechatOpenIdEnc: true } as const;

export interface SealedContactColumns {
  emailEnc: string | null;
  phoneEnc: string | null;
  wechatOpenIdEnc: string | null;
}

/** A blank detail is no detail: stored as null, so "has an email" is `email_enc IS NOT NULL` in SQL. */
const present = (v: string | null | undefined): string | null | undefined => (v === undefined ? undefined : v === null || v.trim() === "" ? null : v);

/** The Prisma data that writes the details given (an absent one is left as it is; null clears). */
export function sealContactSecrets(cipher: FieldCipher, given: Partial<ContactSecrets>) {
  const values = { email: present(given.email), phone: present(given.phone), wechatOpenId: present(given.wechatOpenId) };
  return {
    ...(values.email !== undefined
      ? { emailEnc: cipher.sealOrNull("contacts.email", values.email), emailHash: cipher.lookup("email", values.email), emailInvalid: values.email !== null && isInvalidEmail(values.email) }
      : {}),
    ...(values.phone !== undefined
      ? { phoneEnc: cipher.sealOrNull("contacts.phone", values.phone), phoneHash: cipher.lookup("phone", values.phone), phoneInvalid: values.phone !== null && isInvalidPhone(values.phone) }
      : {}),
    ...(values.wechatOpenId !== undefined
      ? { wechatOpenIdEnc: cipher.sealOrNull("contacts.wechat_open_id", values.wechatOpenId), wechatOpenIdHash: cipher.lookup("wechat", values.wechatOpenId) }
      : {}),
  };
}

/**
 * The same as columns for raw SQL (snake_case), every one of them: for inserts outside Prisma
 * (a new WeChat sender, the seed, benchmarks, tests).
 */
export function sealedContactRow(cipher: FieldCipher, values: ContactSecrets) {
  const d = sealContactSecrets(cipher, values);
  return {
    email_enc: d.emailEnc ?? null, email_hash: d.emailHash ?? null, email_invalid: d.emailInvalid ?? false,
    phone_enc: d.phoneEnc ?? null, phone_hash: d.phoneHash ?? null, phone_invalid: d.phoneInvalid ?? false,
    wechat_open_id_enc: d.wechatOpenIdEnc ?? null, wechat_open_id_hash: d.wechatOpenIdHash ?? null,
  };
}

/** The plaintext of sealed columns read through Prisma. */
export function openContactSecrets(cipher: FieldCipher, row: SealedContactColumns): ContactSecrets {
  return {
    email: cipher.openOrNull("contacts.email", row.emailEnc),
    phone: cipher.openOrNull("contacts.phone", row.phoneEnc),
    wechatOpenId: cipher.openOrNull("contacts.wechat_open_id", row.wechatOpenIdEnc),
  };
}

/** A row read through Prisma with the sealed columns replaced by the plaintext. */
export function withContactSecrets<T extends SealedContactColumns>(cipher: FieldCipher, row: T): Omit<T, keyof SealedContactColumns> & ContactSecrets {
  const { emailEnc, phoneEnc, wechatOpenIdEnc, ...rest } = row;
  return { ...rest, ...openContactSecrets(cipher, { emailEnc, phoneEnc, wechatOpenIdEnc }) };
}
