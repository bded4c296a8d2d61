import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { readPhone } from "../../domain/customers/phone-number.js";

/**
 * Encryption at rest of personal details (phones, emails, WeChat openids, addresses): AES-256-GCM
 * with a random 12-byte IV per value, and beside each value that is looked up a keyed hash
 * (HMAC-SHA256) of its normalised form, so equality look-ups never need the plaintext.
 *
 * One 32-byte data key (DATA_ENCRYPTION_KEY) yields three keys by HKDF: the cipher key, the
 * hash key and the key id. The hash key is derived from the data key, so it changes when the
 * key is rotated: a rotation usually follows a suspected leak, and a phone number's hash under a
 * leaked key is as good as the number (there are only ~10^11 numbers to try). So rotate-key
 * rehashes too, and while keys are being rotated a look-up asks for the hash under each key
 * (`lookups`: one HMAC per key, still one query).
 *
 * A sealed value is text: `v1.<key id>.<base64url(iv ‖ ciphertext ‖ tag)>`. The field it belongs
 * to is the GCM additional data, so a value copied into another column does not open there.
 */

/** Where a sealed value lives: the GCM additional data, so values cannot be moved between fields. */
export type SealedField =
  | "contacts.email" | "contacts.phone" | "contacts.wechat_open_id" | "customers.address" | "outbox.destination"
  // What an import keeps for a while (the uploaded file, the problem rows): bytes, sealed whole.
  | "import_file_chunks.bytes" | "import_runs.problem_csv" | "import_runs.problems"
  // A customer message waiting for the worker (store/delivery/inbound-messages.ts).
  | "inbound_messages.payload";

/** What a lookup hash is of; each kind is normalised its own way and hashed apart from the others. */
export type LookupKind = "email" | "phone" | "wechat" | "wechat-event" | "inbound-message";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** 128 bits of the HMAC: collisions among millions of values are out of reach, and the index stays small. */
const HASH_BYTES = 16;

/** The stored personal data cannot be read or written with the keys given (or none): one line for the operator. */
export class DataKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DataKeyError";
  }
}

export interface DataKey {
  /** A short public name of the key (8 hex characters of an HKDF output; reveals nothing of the key). */
  id: string;
  cipherKey: Buffer;
  hashKey: Buffer;
}

const derive = (master: Buffer, info: string, bytes: number): Buffer => Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), info, bytes));

/** The three keys of one 32-byte data key. */
export function dataKey(master: Buffer): DataKey {
  if (master.length !== 32) throw new DataKeyError(`a data encryption key is 32 bytes, this one is ${master.length}`);
  return {
    id: derive(master, "crm/key-id/v1", 4).toString("hex"),
    cipherKey: derive(master, "crm/field-encryption/v1", 32),
    hashKey: derive(master, "crm/lookup-hash/v1", 32),
  };
}

/** A value as it is hashed: emails trimmed and lower-cased, phones in E.164, openids as they are. */
export function normaliseForLookup(kind: LookupKind, value: string, phoneRegion: string): string {
  switch (kind) {
    case "email":
      return value.trim().toLowerCase();
    case "phone": {
      const reading = readPhone(value, phoneRegion);
      // A stored number that is not a valid one (from before validation, or an import) still
      // meets itself written another way: its digits, with the "+" if it had one.
      return reading.ok ? reading.e164 : value.trim().replace(/[^\d+]/g, "");
    }
    case "wechat":
    case "wechat-event":
    case "inbound-message":
      return value;
  }
}

/** The key id a sealed value was written with, or undefined when it is not a sealed value. */
export function keyIdOf(sealed: string): string | undefined {
  const [version, id, body] = sealed.split(".");
  return version === VERSION && id && body ? id : undefined;
}

/** How a sealed value written with `keyId` starts (for finding values under other keys in SQL). */
export const sealedPrefix = (keyId: string): string => `${VERSION}.${keyId}.`;

export interface FieldCipherOptions {
  /** Region of phone numbers written without a country code (DEFAULT_PHONE_REGION), for hashing. */
  phoneRegion?: string;
}

/**
 * Seals and opens personal details with the current key, opens values of older keys, and
 * computes lookup hashes. Without a current key every use fails with the reason given, so a
 * tool that never touches personal data still runs, and a bot whose keys are not checked yet
 * (Postgres was away at start) serves nothing personal until they are (`activate`).
 */
export class FieldCipher {
  private current: DataKey | undefined;
  private byId: ReadonlyMap<string, DataKey> = new Map();
  private readonly phoneRegion: string;
  private readonly missingKey: string;
  private readonly phones = new Map<string, string>();

  constructor(current: DataKey | undefined, old: readonly DataKey[] = [], options: FieldCipherOptions & { missingKey?: string } = {}) {
    this.phoneRegion = options.phoneRegion ?? "CN";
    this.missingKey = options.missingKey ?? "DATA_ENCRYPTION_KEY is not set: personal details cannot be read or written";
    if (current) this.activate(current, old);
    else this.current = undefined;
  }

  /** A cipher that refuses every use with `reason` until it is activated. */
  static unavailable(reason: string, options: FieldCipherOptions = {}): FieldCipher {
    return new FieldCipher(undefined, [], { ...options, missingKey: reason });
  }

  /**
   * Gives the cipher its keys (once they are known to fit the stored data). Two different keys
   * with one id could not be told apart: refused.
   */
  activate(current: DataKey, old: readonly DataKey[] = []): void {
    const byId = new Map<string, DataKey>();
    for (const key of [current, ...old]) {
      const same = byId.get(key.id);
      if (same && !same.cipherKey.equals(key.cipherKey)) throw new DataKeyError(`two different data encryption keys share the id ${key.id}: drop one of them from DATA_ENCRYPTION_OLD_KEYS`);
      if (!same) byId.set(key.id, key);
    }
    this.byId = byId;
    this.current = current;
  }

  get available(): boolean {
    return this.current !== undefined;
  }

  /** The id of the key new values are written with. */
  get keyId(): string {
    return this.key().id;
  }

  /** Ids of every key this cipher can read with, the current one first. */
  get keyIds(): string[] {
    return [...this.byId.keys()];
  }

  private key(): DataKey {
    if (!this.current) throw new DataKeyError(this.missingKey);
    return this.current;
  }

  seal(field: SealedField, plaintext: string): string {
    const key = this.key();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", key.cipherKey, iv);
    cipher.setAAD(Buffer.from(field, "utf8"));
    const body = Buffer.concat([iv, cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
    return `${VERSION}.${key.id}.${body.toString("base64url")}`;
  }

  sealOrNull(field: SealedField, plaintext: string | null | undefined): string | null {
    return plaintext === null || plaintext === undefined ? null : this.seal(field, plaintext);
  }

  /** The plaintext of a sealed value; throws when its key is not known or the value was altered. */
  open(field: SealedField, sealed: string): string {
    const [version, id, body] = sealed.split(".");
    if (version !== VERSION || !id || !body) throw new DataKeyError(`a stored ${field} value is not in the sealed format`);
    const key = this.byId.get(id);
    if (!key) {
      if (!this.current) throw new DataKeyError(this.missingKey);
      throw new DataKeyError(`a stored ${field} value was encrypted with key ${id}, which is neither DATA_ENCRYPTION_KEY (${this.current.id}) nor in DATA_ENCRYPTION_OLD_KEYS`);
    }
    const bytes = Buffer.from(body, "base64url");
    if (bytes.length < IV_BYTES + TAG_BYTES) throw new DataKeyError(`a stored ${field} value is too short to be sealed`);
    const decipher = createDecipheriv("aes-256-gcm", key.cipherKey, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(field, "utf8"));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString("utf8");
    } catch {
      throw new DataKeyError(`a stored ${field} value does not open with key ${id}: it was altered, or belongs to another field`);
    }
  }

  openOrNull(field: SealedField, sealed: string | null | undefined): string | null {
    return sealed === null || sealed === undefined ? null : this.open(field, sealed);
  }

  /**
   * Bytes sealed the same way: the ASCII prefix `v1.<key id>.` then iv ‖ ciphertext ‖ tag, so a
   * sealed file is as long as the file plus 40 bytes (no base64 for megabytes of upload).
   */
  sealBytes(field: SealedField, plain: Uint8Array): Buffer<ArrayBuffer> {
    const key = this.key();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", key.cipherKey, iv);
    cipher.setAAD(Buffer.from(field, "utf8"));
    return Buffer.concat([Buffer.from(`${VERSION}.${key.id}.`, "ascii"), iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  }

  openBytes(field: SealedField, sealed: Uint8Array): Buffer {
    const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    const second = bytes.indexOf(0x2e, bytes.indexOf(0x2e) + 1);
    const head = second > 0 && second < 40 ? bytes.subarray(0, second).toString("ascii") : "";
    const [version, id] = head.split(".");
    if (version !== VERSION || !id) throw new DataKeyError(`a stored ${field} value is not in the sealed format`);
    const key = this.byId.get(id);
    if (!key) throw new DataKeyError(this.current ? `a stored ${field} value was encrypted with key ${id}, which is neither DATA_ENCRYPTION_KEY (${this.current.id}) nor in DATA_ENCRYPTION_OLD_KEYS` : this.missingKey);
    const body = bytes.subarray(second + 1);
    if (body.length < IV_BYTES + TAG_BYTES) throw new DataKeyError(`a stored ${field} value is too short to be sealed`);
    const decipher = createDecipheriv("aes-256-gcm", key.cipherKey, body.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(field, "utf8"));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new DataKeyError(`a stored ${field} value does not open with key ${id}: it was altered, or belongs to another field`);
    }
  }

  /** The value was written with the current key (rotation leaves it alone). */
  isCurrent(sealed: string): boolean {
    return keyIdOf(sealed) === this.current?.id;
  }

  normalise(kind: LookupKind, value: string): string {
    if (kind !== "phone") return normaliseForLookup(kind, value, this.phoneRegion);
    // A phone is parsed by libphonenumber (tens of µs), and one written is hashed for its row
    // and again for each look-up of it: the last few thousand are remembered.
    let e164 = this.phones.get(value);
    if (e164 === undefined) {
      if (this.phones.size >= 4_096) this.phones.clear();
      e164 = normaliseForLookup(kind, value, this.phoneRegion);
      this.phones.set(value, e164);
    }
    return e164;
  }

  private hashWith(key: DataKey, kind: LookupKind, value: string): string {
    return createHmac("sha256", key.hashKey).update(`${kind}\u0000${this.normalise(kind, value)}`, "utf8").digest().subarray(0, HASH_BYTES).toString("base64url");
  }

  /** The lookup hash a value is stored with (current key); null for nothing or a blank. */
  lookup(kind: LookupKind, value: string | null | undefined): string | null {
    if (value === null || value === undefined || this.normalise(kind, value) === "") return null;
    return this.hashWith(this.key(), kind, value);
  }

  /** The value's hash under every key this cipher knows: what a stored row may carry during a rotation. */
  lookups(kind: LookupKind, value: string | null | undefined): string[] {
    if (value === null || value === undefined || this.normalise(kind, value) === "") return [];
    this.key();
    return [...this.byId.values()].map((key) => this.hashWith(key, kind, value));
  }
}
