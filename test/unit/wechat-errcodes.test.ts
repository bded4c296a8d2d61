import { describe, expect, it } from "vitest";
import { classifyWechatError } from "../../adapters/wechat/errcodes.js";

describe("WeChat customer-service errcodes for the outbox", () => {
  it.each([45015, 45047, 40003, 43004, 48001, 40164, 40037, 43101])("gives up on %i with the code as the reason", (code) => {
    const e = classifyWechatError(code, "msg");
    expect(e.kind).toBe("permanent");
    expect(e.reason).toContain(`errcode ${code} msg`);
  });

  it.each([
    [45015, "outside-window"],
    [45047, "outside-window"],
    [40003, "recipient-gone"],
    [43004, "recipient-gone"],
    [43101, "recipient-gone"],
    [48001, undefined],
    [40037, undefined],
  ])("says what refusal %i means for a later message: %s", (code, refusal) => {
    expect(classifyWechatError(code).refusal).toBe(refusal);
  });

  it.each([40001, 40014, 42001])("retries %i soon, after the token refresh", (code) => {
    expect(classifyWechatError(code)).toMatchObject({ kind: "rate-limited", retryAfterMs: 1_000 });
  });

  it("waits a minute for the minute quota and until Beijing midnight for the daily one", () => {
    expect(classifyWechatError(45011)).toMatchObject({ kind: "rate-limited", retryAfterMs: 60_000 });
    // 2026-11-20 10:00 in Beijing (02:00 UTC): midnight Beijing is 16:00 UTC, 14 hours away.
    expect(classifyWechatError(45009, "", new Date("2026-11-20T02:00:00Z")).retryAfterMs).toBe(14 * 3_600_000);
    // 23:30 in Beijing (15:30 UTC): half an hour.
    expect(classifyWechatError(45009, "", new Date("2026-11-20T15:30:00Z")).retryAfterMs).toBe(30 * 60_000);
    // 00:30 in Beijing (16:30 UTC the day before): the next midnight, 23.5 hours away.
    expect(classifyWechatError(45009, "", new Date("2026-11-20T16:30:00Z")).retryAfterMs).toBe(23.5 * 3_600_000);
  });

  it("retries system busy and unknown codes with backoff", () => {
    expect(classifyWechatError(-1, "system error").kind).toBe("temporary");
    expect(classifyWechatError(99999).kind).toBe("temporary");
  });
});
