/**
 * The one error type of the bot. `message` is for logs; `userKey` and `params` name the
 * catalogue message a user sees, in their language. Anything else thrown is an internal error
 * and the user sees only a generic apology.
 */
export type ErrorCode =
  | "INVALID_INPUT" // the user typed something we cannot use; nothing was changed
  | "NOT_FOUND"
  | "AMBIGUOUS"
  | "FORBIDDEN"
  | "CONFLICT"
  | "UNAVAILABLE"; // a dependency is down; try again later

export type MessageParams = Readonly<Record<string, string | number>>;

export class AppError extends Error {
  override readonly name = "AppError";
  constructor(
    readonly code: ErrorCode,
    readonly userKey: string,
    readonly params: MessageParams = {},
    logMessage?: string,
  ) {
    super(logMessage ?? `${code}: ${userKey}`);
  }
}

export function invalidInput(userKey: string, params: MessageParams = {}): AppError {
  return new AppError("INVALID_INPUT", userKey, params);
}

/**
 * Why a platform did not take an outgoing message, as the outbox needs to know it: try again
 * later (with the platform's own wait when it gave one), or give up with the reason.
 */
export type DeliveryFailureKind =
  | "temporary"
  | "rate-limited"
  | "permanent"
  /** Something it depends on is not delivered yet (a thread's header): wait, without using up an attempt. */
  | "not-ready";

/**
 * What a permanent refusal means for the cause of the message: the platform only lets us write
 * inside a window that is closed now (WeChat 45015/45047: it opens again when the customer
 * writes), or the recipient cannot be reached at all.
 */
export type DeliveryRefusal = "outside-window" | "recipient-gone";

export class DeliveryError extends Error {
  override readonly name = "DeliveryError";
  constructor(
    readonly kind: DeliveryFailureKind,
    /** The platform's error code or a short reason ("channel_not_found", "HTTP 503"). */
    readonly reason: string,
    /** For rate-limited: how long the platform asked us to wait. */
    readonly retryAfterMs?: number,
    readonly refusal?: DeliveryRefusal,
    /**
     * What a rate limit covers: the one destination (a Slack channel's one message a second), or
     * every send on the platform's token (a method's workspace limit, WeChat's account quotas).
     */
    readonly scope: "destination" | "platform" = "destination",
    /**
     * The platform gave no answer (a timeout, a connection cut mid-request): it may have taken
     * the message. The next attempt asks it first, as after a worker died mid-send.
     */
    readonly uncertain = false,
  ) {
    super(`${kind}: ${reason}`);
  }
}
