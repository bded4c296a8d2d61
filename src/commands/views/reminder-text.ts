import { z } from "zod";
import type { ReminderView } from "../../services/index.js";
import type { RenderContext } from "../notification-types.js";

const followUpDetail = z.object({ quietDays: z.number().int() });
/** A deal nudge (store/deals/deals.ts planNudges): quiet for `days`, or past its expected close. */
const dealNudgeDetail = z.object({
  deal: z.discriminatedUnion("nudge", [
    z.object({ nudge: z.literal("stale"), title: z.string(), days: z.number().int() }),
    z.object({ nudge: z.literal("overdue"), title: z.string(), closeAt: z.string() }),
  ]),
});
const careDetail = z.object({ contactName: z.string(), occasion: z.enum(["birthday", "anniversary"]) });

/** What a reminder says: the rep's own words, or the bot's nudge in the reader's language. */
export function reminderText(ctx: RenderContext, reminder: ReminderView): string {
  const customer = reminder.customerName ?? "";
  if (reminder.kind === "FOLLOW_UP") {
    const deal = dealNudgeDetail.safeParse(reminder.detail);
    if (deal.success) {
      const d = deal.data.deal;
      return d.nudge === "stale"
        ? ctx.t("deal.nudge.stale", { title: d.title, customer, days: d.days })
        : ctx.t("deal.nudge.overdue", { title: d.title, customer, date: ctx.f.date(new Date(d.closeAt)) });
    }
    const detail = followUpDetail.safeParse(reminder.detail);
    if (detail.success) return ctx.t("remind.followUp", { customer, days: detail.data.quietDays });
  }
  if (reminder.kind === "CARE_DATE") {
    const detail = careDetail.safeParse(reminder.detail);
    if (detail.success) return ctx.t(detail.data.occasion === "birthday" ? "remind.care.birthday" : "remind.care.anniversary", { contact: detail.data.contactName, customer });
  }
  return ctx.t("remind.due", { text: reminder.text });
}
