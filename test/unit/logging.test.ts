import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { boltLogger } from "../../adapters/slack/bolt-logger.js";
import { createLogger } from "../../src/logger.js";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}

describe("logs never carry credentials", () => {
  it("redacts token, secret and password fields in logged objects", () => {
    const { lines, stream } = capture();
    const log = createLogger("info", stream);
    log.info({ slack: { botToken: "xoxb-fake-log-token", signingSecret: "abc123" }, password: "hunter2", databaseUrl: "postgresql://u:p@h/db" }, "config");
    const out = lines.join("");
    for (const secret of ["xoxb-fake-log-token", "abc123", "hunter2", "u:p@h"]) expect(out).not.toContain(secret);
    expect(out).toContain("[redacted]");
  });

  it("redacts Slack tokens inside Bolt's plain-text log lines", () => {
    const { lines, stream } = capture();
    boltLogger(createLogger("info", stream)).error("auth failed for xoxb-fake-log-token and xapp-1-A1");
    const out = lines.join("");
    expect(out).not.toMatch(/xoxb-fake-log-token|xapp-1-A1/);
    expect(out).toContain("auth failed for [redacted] and [redacted]");
  });
});
