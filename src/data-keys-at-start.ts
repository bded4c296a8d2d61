import type { Config } from "./config.js";
import type { Logger } from "./logger.js";
import { DataKeyError, FieldCipher, keyFileWarning, openDataKeys, type PrismaClient } from "./store/index.js";

/** How long a bot that started without Postgres waits between tries of the key check. */
const RETRY_MS = 3_000;

export interface KeyCheck {
  /** Seals and opens personal details once the keys are checked; refuses every use before. */
  cipher: FieldCipher;
  /** Stops waiting for Postgres (shutdown). */
  stop(): void;
}

/**
 * The data encryption keys at a bot's start (src/store/encryption/data-keys.ts has the rule). With Postgres
 * answering, a refusal throws DataKeyError before anything is served. A bot that starts while
 * Postgres is away (it serves probes, not ready) checks once Postgres answers; until then the
 * cipher holds personal details back, and a refusal then goes to `onRefused` (the process
 * exits), so nothing is ever written with a key that does not fit the stored data.
 */
export async function checkKeysAtStart(
  prisma: PrismaClient,
  config: Config,
  log: Logger,
  options: { onRefused: (error: DataKeyError) => void; keyFile?: string },
): Promise<KeyCheck> {
  const cipher = FieldCipher.unavailable("personal details are held back until Postgres answers and the data encryption keys are checked", { phoneRegion: config.defaultPhoneRegion });
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const attempt = async (): Promise<void> => {
    const opened = await openDataKeys(prisma, config.dataEncryption, {
      generate: true,
      phoneRegion: config.defaultPhoneRegion,
      ...(options.keyFile ? { keyFile: options.keyFile } : {}),
      onProgress: (p) => log.info(p, `encrypting personal details stored in plain text: ${p.table}, ${p.done} rows so far`),
    });
    cipher.activate(opened.current, opened.old);
    const warning = keyFileWarning(opened);
    if (warning) log.warn({ keyId: opened.current.id }, warning);
    if (opened.sealed) log.info({ rows: opened.sealed, keyId: opened.current.id }, "encrypted the personal details stored in plain text before encryption at rest");
  };
  try {
    await attempt();
  } catch (error) {
    if (error instanceof DataKeyError) throw error;
    log.warn({ err: error }, "could not check the data encryption keys (Postgres not reachable?); personal details are held back until it answers");
    const retry = () => {
      timer = setTimeout(() => {
        attempt().then(
          () => log.info("data encryption keys checked"),
          (again: unknown) => {
            if (stopped) return;
            if (again instanceof DataKeyError) {
              log.fatal(again.message);
              options.onRefused(again);
            } else retry();
          },
        );
      }, RETRY_MS);
      timer.unref();
    };
    retry();
  }
  return {
    cipher,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
