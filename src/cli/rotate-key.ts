import { DataKeyError, FieldCipher, createPrisma, openDataKeys, resealAll, retireUnusedKeys, valuesByKey, type ResealCounts } from "../store/index.js";
import { CliUsageError, type CliCommand, type CliContext } from "./types.js";

const number = (n: number): string => n.toLocaleString("en");

/**
 * `npm run crm -- rotate-key`: every stored phone, email, WeChat id and address re-encrypted
 * (and rehashed) under DATA_ENCRYPTION_KEY, reading the old values with the keys in
 * DATA_ENCRYPTION_OLD_KEYS; plaintext left from before encryption at rest is sealed on the way.
 * In batches, each in its own transaction, beside running bots (restart them with the new key
 * first, so they write with it); stopped anywhere, run it again and it carries on. A key no
 * value uses any more is retired, and then may be dropped from DATA_ENCRYPTION_OLD_KEYS.
 */
async function rotateKey(ctx: CliContext, args: string[]): Promise<number> {
  if (args.length > 0) throw new CliUsageError(`rotate-key takes no arguments (got ${args[0]}): the keys come from DATA_ENCRYPTION_KEY and DATA_ENCRYPTION_OLD_KEYS.`);
  const settings = ctx.config.dataEncryption;
  if (!settings.key) {
    ctx.err.write("rotate-key needs the new key in DATA_ENCRYPTION_KEY (make one with: openssl rand -base64 32) and the key it replaces in DATA_ENCRYPTION_OLD_KEYS.\n");
    return 1;
  }
  const phoneRegion = ctx.config.defaultPhoneRegion;
  const prisma = createPrisma({ url: ctx.config.databaseUrl, poolMax: 2, connectionTimeoutMs: 10_000 });
  try {
    let opened;
    try {
      // The same check as a bot's start: every key in use must be given; the new one is registered.
      opened = await openDataKeys(prisma, settings, { generate: false, phoneRegion });
    } catch (error) {
      if (!(error instanceof DataKeyError)) throw error;
      ctx.err.write(`${error.message}\n`);
      return 1;
    }
    const cipher = new FieldCipher(opened.current, opened.old, { phoneRegion });
    ctx.err.write(`Re-encrypting personal details under key ${cipher.keyId}${opened.old.length > 0 ? `, reading keys ${opened.old.map((k) => k.id).join(", ")}` : ""}…\n`);
    const counts: ResealCounts = await resealAll(prisma, cipher, (p) => ctx.err.write(`  ${p.table}: ${number(p.done)} rows\n`));
    const byKey = await valuesByKey(prisma);
    const retired = await retireUnusedKeys(prisma, cipher.keyId);
    const left = Object.entries(byKey).filter(([id]) => id !== cipher.keyId);
    const lines = [
      `Re-encrypted under key ${cipher.keyId}: ${number(counts.contacts)} contacts, ${number(counts.customers)} customers, ${number(counts.outbox)} outgoing messages.`,
      ...(opened.sealed ? [`Encrypted first: ${number(opened.sealed)} rows still holding plain text from before encryption at rest.`] : []),
      `Values under key ${cipher.keyId}: ${number(byKey[cipher.keyId] ?? 0)}.`,
      ...(retired.length > 0 ? [`Retired key ${retired.join(", ")}: no value uses it; it can be removed from DATA_ENCRYPTION_OLD_KEYS.`] : []),
      ...left.map(([id, n]) => `Still under key ${id}: ${number(n)} values, written while this ran by a bot with the old key? Restart every bot with DATA_ENCRYPTION_KEY set to the new key, then run rotate-key again.`),
    ];
    ctx.out.write(`${lines.join("\n")}\n`);
    return left.length > 0 ? 1 : 0;
  } finally {
    await prisma.$disconnect();
  }
}

export const rotateKeyCommand: CliCommand = {
  name: "rotate-key",
  summary: "re-encrypt stored phones, emails, WeChat ids and addresses under DATA_ENCRYPTION_KEY (old keys in DATA_ENCRYPTION_OLD_KEYS)",
  usage: "",
  run: rotateKey,
};
