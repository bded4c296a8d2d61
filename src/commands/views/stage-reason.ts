import { SEGMENT_RULES, stageReason, type StageReason } from "../../domain/customers/customer-segments.js";
import type { RenderContext } from "../notification-types.js";

type Reader = Pick<RenderContext, "t" | "f">;

/** "1 day", "62 days", "1.5 days", "62天": the catalogue picks the plural form. */
export function daysText(ctx: Reader, days: number): string {
  return ctx.t("segment.days", { count: Math.round(days * 10) / 10 });
}

/** A median gap: under a day (several orders a day) says so rather than "0 days". */
function gapText(ctx: Reader, days: number): string {
  return days < 1 ? ctx.t("segment.underADay") : daysText(ctx, days);
}

/**
 * Why a customer is in a segment or moved stage, in one line of the reader's language. A stored
 * reason this version does not know reads as nothing rather than breaking the message.
 */
export function stageReasonText(ctx: Reader, raw: unknown): string {
  const parsed = stageReason.safeParse(raw);
  if (!parsed.success) return "";
  const reason: StageReason = parsed.data;
  switch (reason.rule) {
    case "gap":
      return ctx.t("segment.reason.gap", { since: daysText(ctx, reason.daysSince), gap: gapText(ctx, reason.medianGapDays) });
    case "slowing":
      return ctx.t("segment.reason.slowing", { last90: reason.last90, previous90: reason.previous90, days: SEGMENT_RULES.SLOWING_WINDOW_DAYS });
    case "complaints":
      return ctx.t("segment.reason.complaints", { complaints: reason.complaints, lowScores: reason.lowScores, days: SEGMENT_RULES.COMPLAINT_WINDOW_DAYS });
    case "lost":
      return ctx.t("segment.reason.lost", { since: daysText(ctx, reason.daysSince) });
    case "new":
      return reason.firstOrderDays === 0 ? ctx.t("segment.reason.newToday") : ctx.t("segment.reason.new", { since: daysText(ctx, reason.firstOrderDays) });
    case "rfm":
      return ctx.t("segment.reason.rfm", { r: reason.r, f: reason.f, m: reason.m });
    case "engaged":
      return ctx.t("segment.reason.engaged", { count: reason.interactions, days: SEGMENT_RULES.ENGAGED_WINDOW_DAYS });
    case "recovered":
      return ctx.t("segment.reason.recovered", { since: daysText(ctx, reason.daysSince) });
    case "settled":
      return ctx.t("segment.reason.settled", { since: daysText(ctx, reason.daysSince) });
    case "purchase":
      return ctx.t("segment.reason.purchase");
    case "manual":
      return ctx.t("segment.reason.manual", { name: reason.by });
  }
}
