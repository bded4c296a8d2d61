/**
 * When surveys happen. The idle time and the cooldown are settings (SURVEY_AFTER_IDLE,
 * SURVEY_COOLDOWN_DAYS); the rest is fixed product behaviour.
 */
export const SURVEY_TIMING = {
  /** One reminder when the survey has gone unanswered this long. */
  remindAfterMs: 24 * 3_600_000,
  /** Then it expires. */
  expireAfterMs: 72 * 3_600_000,
  /** A survey that missed WeChat's window waits this long for the customer to write again. */
  waitForWindowMs: 7 * 24 * 3_600_000,
  /** A message this soon after a score without a comment is taken as the comment. */
  commentWindowMs: 30 * 60_000,
  /** The rep who answered the customer within this time served them (else the owner). */
  servedWithinMs: 7 * 24 * 3_600_000,
} as const;

/** Why a survey ended without an answer; reps read it in their language (i18n survey.reason.*). */
export const SURVEY_CLOSE_REASONS = ["no-answer", "window-closed", "opted-out", "unfollowed", "refused"] as const;
export type SurveyCloseReason = (typeof SURVEY_CLOSE_REASONS)[number];

/** "refused: errcode 43004 …": the reason code, with the platform's words kept after it. */
export function closeReason(code: SurveyCloseReason, detail?: string): string {
  return detail ? `${code}: ${detail}` : code;
}

export function readCloseReason(stored: string | null): { code: SurveyCloseReason; detail?: string } | null {
  if (!stored) return null;
  const [head = "", ...rest] = stored.split(": ");
  const code = SURVEY_CLOSE_REASONS.find((c) => c === head) ?? "refused";
  const detail = code === head ? rest.join(": ") : stored;
  return detail ? { code, detail } : { code };
}

/** The language a customer is asked in: theirs when known; on WeChat Chinese, else the team's. */
export function surveyLocale(platform: string, contactLocale: string | null, teamLocale: string): string {
  return contactLocale ?? (platform === "wechat" ? "zh-CN" : teamLocale);
}

/** "2h", "90m", "45s", "1d" -> milliseconds; undefined when it is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d{1,6})\s*(ms|s|m|h|d)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2]!.toLowerCase() as "ms" | "s" | "m" | "h" | "d"];
  const ms = Number(m[1]) * unit;
  return ms > 0 ? ms : undefined;
}
