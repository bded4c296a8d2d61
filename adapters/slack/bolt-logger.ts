import type { Logger as BoltLogger, LogLevel } from "@slack/bolt";
import type { Logger } from "../../src/core/index.js";

/** Bolt's logging through our pino logger, so its lines are structured like ours. */
export function boltLogger(log: Logger): BoltLogger {
  const child = log.child({ component: "bolt" });
  let level = "info" as LogLevel;
  // Bolt logs plain strings, which pino's path-based redaction cannot see into.
  const join = (msg: unknown[]) =>
    msg
      .map((m) => (typeof m === "string" ? m : m instanceof Error ? m.message : JSON.stringify(m)))
      .join(" ")
      .replace(/\bx(?:ox[abpre]|app)-[A-Za-z0-9-]+/g, "[redacted]");
  return {
    debug: (...msg: unknown[]) => child.debug(join(msg)),
    info: (...msg: unknown[]) => child.info(join(msg)),
    warn: (...msg: unknown[]) => child.warn(join(msg)),
    error: (...msg: unknown[]) => child.error(join(msg)),
    setLevel: (l) => (level = l),
    getLevel: () => level,
    setName: () => undefined,
  };
}
