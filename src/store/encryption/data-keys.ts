import { randomBytes } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { DataKeyError, FieldCipher, dataKey, type DataKey, type FieldCipherOptions } from "./field-cipher.js";
import { plaintextLeft, sealPlaintext, type ResealProgress } from "./key-rotation.js";
import type { PrismaClient } from "../prisma.js";

/**
 * Which data encryption keys a process uses, and the start-up rule around them.
 *
 * DATA_ENCRYPTION_KEY is the key. Without it, a database that holds no personal details yet (a
 * fresh install, the demo, a test that does not care) gets a key generated into
 * `.data/data-encryption-key` (git-ignored), used from then on while the variable stays unset,
 * with a warning at every start to move it into DATA_ENCRYPTION_KEY and keep it apart from the
 * backups. So personal details are never stored in plain text, and there is one code path.
 * A database that holds encrypted details (or plaintext ones from before encryption at rest)
 * is never given a new key: the bot refuses to start, in one line naming the variable.
 *
 * The keys that wrote the stored values are registered by id in data_keys (never the keys
 * themselves): a key not retired that the process was not given refuses the start, rather than
 * failing on the first card shown.
 */

/** Where a key generated for a keyless install is kept, relative to the working directory. */
export const GENERATED_KEY_FILE = ".data/data-encryption-key";

export interface KeySettings {
  /** DATA_ENCRYPTION_KEY, 32 bytes. */
  key?: Buffer;
  /** DATA_ENCRYPTION_OLD_KEYS: readable during a rotation. */
  oldKeys: readonly Buffer[];
}

export type KeySource = "environment" | "file" | "generated";

export interface OpenedKeys {
  current: DataKey;
  old: DataKey[];
  source: KeySource;
  /** The generated key's file, when the key came from one. */
  file?: string;
  /** Rows whose plaintext (from before encryption at rest) was sealed at this start. */
  sealed?: number;
}

/** The 32 bytes a key file holds (one base64 line), or a refusal naming the file. */
function readKeyFile(file: string): Buffer | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8").trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new DataKeyError(`DATA_ENCRYPTION_KEY is not set and ${file} cannot be read (${(error as Error).message})`);
  }
  const bytes = Buffer.from(text, "base64");
  if (bytes.length !== 32) throw new DataKeyError(`DATA_ENCRYPTION_KEY is not set and ${file} does not hold a 32-byte base64 key: set DATA_ENCRYPTION_KEY`);
  return bytes;
}

/**
 * A new key in `file`; when another process made one first (a web and a worker starting
 * together), that one. Written whole to a file of its own, then linked into place: the link
 * fails if the file exists, and a reader never sees it half written.
 */
function generateKeyFile(file: string): Buffer {
  const draft = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(draft, `${randomBytes(32).toString("base64")}\n`, { flag: "wx", mode: 0o600 });
    linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw new DataKeyError(`DATA_ENCRYPTION_KEY is not set and no key could be written to ${file} (${(error as Error).message})`);
  } finally {
    try {
      unlinkSync(draft);
    } catch {
      // never written
    }
  }
  return readKeyFile(file)!;
}

/**
 * The keys as configured, without asking the database: for tools (the operator's command line)
 * that open the store lazily. DATA_ENCRYPTION_KEY, else the generated key file if there is one,
 * else a cipher that says what is missing when personal data is touched.
 */
export function cipherFromSettings(settings: KeySettings, options: FieldCipherOptions & { keyFile?: string } = {}): FieldCipher {
  const file = options.keyFile ?? GENERATED_KEY_FILE;
  const master = settings.key ?? readKeyFile(file);
  if (!master) return FieldCipher.unavailable("DATA_ENCRYPTION_KEY is not set: personal details (phones, emails, WeChat ids, addresses) cannot be read or written", options);
  return new FieldCipher(dataKey(master), settings.oldKeys.map(dataKey), options);
}

/** Ids of the keys stored values were written with and that are not retired. */
export async function activeKeyIds(db: PrismaClient): Promise<string[]> {
  const rows = await db.$queryRaw<{ key_id: string }[]>`SELECT key_id FROM data_keys WHERE retired_at IS NULL ORDER BY first_used_at, key_id`;
  return rows.map((r) => r.key_id);
}

/**
 * The start-up rule: works out the key (environment, key file, or a new one for a database
 * without personal details when `generate` is allowed), checks it against the keys the stored
 * values were written with, registers it, and seals plaintext left from before encryption at
 * rest. Throws DataKeyError (one line for the operator) when the process may not start.
 */
export async function openDataKeys(
  db: PrismaClient,
  settings: KeySettings,
  options: FieldCipherOptions & { keyFile?: string; generate: boolean; register?: boolean; onProgress?: (p: ResealProgress) => void },
): Promise<OpenedKeys> {
  const file = options.keyFile ?? GENERATED_KEY_FILE;
  const active = await activeKeyIds(db);
  const plaintext = await plaintextLeft(db);
  let source: KeySource = "environment";
  let master = settings.key;
  if (!master) {
    master = readKeyFile(file);
    source = "file";
  }
  if (!master) {
    if (active.length > 0) {
      throw new DataKeyError(`DATA_ENCRYPTION_KEY is not set, but this database holds personal details encrypted with key ${active.join(", ")}: set DATA_ENCRYPTION_KEY to that key`);
    }
    if (plaintext) {
      throw new DataKeyError("DATA_ENCRYPTION_KEY is not set, and this database holds personal details in plain text from before encryption at rest: set DATA_ENCRYPTION_KEY (make one with: openssl rand -base64 32) and start again to encrypt them");
    }
    if (!options.generate) throw new DataKeyError("DATA_ENCRYPTION_KEY is not set (make one with: openssl rand -base64 32)");
    master = generateKeyFile(file);
    source = "generated";
  }
  const current = dataKey(master);
  const old = settings.oldKeys.map(dataKey);
  const known = new Set([current.id, ...old.map((k) => k.id)]);
  const unknown = active.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    const given = source === "environment" ? `DATA_ENCRYPTION_KEY (key ${current.id})` : `DATA_ENCRYPTION_KEY is not set, and the key in ${file} (key ${current.id})`;
    throw new DataKeyError(
      `${given} is not the key this database's personal details were encrypted with (key ${unknown.join(", ")}): set DATA_ENCRYPTION_KEY to that key, or to rotate, put it in DATA_ENCRYPTION_OLD_KEYS and run npm run crm -- rotate-key`,
    );
  }
  if (options.register !== false) {
    // Registered before the first value is written with it, so a later start knows it is in use.
    await db.$executeRaw`INSERT INTO data_keys (key_id) VALUES (${current.id}) ON CONFLICT (key_id) DO UPDATE SET retired_at = NULL`;
  }
  const opened: OpenedKeys = { current, old, source, ...(source !== "environment" ? { file } : {}) };
  if (plaintext && options.register !== false) {
    const cipher = new FieldCipher(current, old, { ...(options.phoneRegion ? { phoneRegion: options.phoneRegion } : {}) });
    opened.sealed = await sealPlaintext(db, cipher, options.onProgress);
  }
  return opened;
}

/** The warning a process without DATA_ENCRYPTION_KEY logs at every start (never the key itself). */
export function keyFileWarning(opened: OpenedKeys): string | undefined {
  if (opened.source === "environment") return undefined;
  const made = opened.source === "generated" ? "generated a data encryption key into" : "using the data encryption key in";
  return `DATA_ENCRYPTION_KEY is not set: ${made} ${opened.file} (key ${opened.current.id}). Copy that file's line into DATA_ENCRYPTION_KEY and keep it apart from database backups: without it the stored phones, emails, WeChat ids and addresses cannot be read.`;
}
