import { pino, type Logger } from "pino";

/**
 * Structured logs. Anything that looks like a credential is redacted wherever it appears in
 * a logged object, so a token in an error or a config dump never reaches the log.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "crm-bot" },
      redact: {
        paths: [
          "token", "*.token", "botToken", "*.botToken", "appToken", "*.appToken", "signingSecret", "*.signingSecret",
          "secret", "*.secret", "password", "*.password", "authorization", "*.authorization",
          "headers.authorization", "*.headers.authorization", "access_token", "*.access_token", "databaseUrl", "*.databaseUrl",
          "dataEncryption", "*.dataEncryption",
        ],
        censor: "[redacted]",
      },
    },
    destination,
  );
}

export type { Logger };
