import { z } from "zod";
import { invalidInput } from "../domain/errors.js";
import { parsePeriod } from "../domain/time/report-period.js";
import type { ReportKind, ReportWhich } from "../domain/time/report-spans.js";
import type { Outcome } from "../reply/reply.js";
import type { ActionHandler, CommandContext, CommandDefinition } from "./types.js";
import { reportView } from "./views/report.js";
import { shareButton } from "./views/share.js";

export interface ReportRequest {
  kind: ReportKind;
  which: ReportWhich;
}

const KINDS: Readonly<Record<string, ReportKind>> = {
  weekly: "weekly", week: "weekly", monthly: "monthly", month: "monthly", quarterly: "quarterly", quarter: "quarterly", yearly: "yearly", year: "yearly", annual: "yearly",
  周报: "weekly", 月报: "monthly", 季报: "quarterly", 季度报告: "quarterly", 年报: "yearly", 年度报告: "yearly",
};
const LAST = new Set(["last", "previous", "prev", "上期", "上一期"]);

/** What a period phrase names as a report: "this month" is the monthly report so far, 上季度 the last quarter. */
const BY_LABEL: Readonly<Record<string, ReportRequest>> = {
  thisWeek: { kind: "weekly", which: "current" }, lastWeek: { kind: "weekly", which: "last" },
  thisMonth: { kind: "monthly", which: "current" }, lastMonth: { kind: "monthly", which: "last" },
  thisQuarter: { kind: "quarterly", which: "current" }, lastQuarter: { kind: "quarterly", which: "last" },
  thisYear: { kind: "yearly", which: "current" }, lastYear: { kind: "yearly", which: "last" },
};

/**
 * "/report monthly", "/report monthly last", "/report 月报", "/report 本季度", "/report last
 * quarter", "/report 上月". Bare /report is the monthly report.
 */
export function parseReportText(text: string, now: Date = new Date(), timeZone = "UTC"): ReportRequest {
  const trimmed = text.trim();
  if (!trimmed) return { kind: "monthly", which: "current" };
  const words = trimmed.toLowerCase().split(/\s+/);
  const kinds = words.filter((w) => KINDS[w]);
  const lasts = words.filter((w) => LAST.has(w));
  if (kinds.length === 1 && kinds.length + lasts.length === words.length && lasts.length <= 1) {
    return { kind: KINDS[kinds[0]!]!, which: lasts.length ? "last" : "current" };
  }
  const period = parsePeriod(trimmed, now, timeZone);
  const named = period ? BY_LABEL[period.label.key] : undefined;
  if (named) return named;
  throw invalidInput("report.badKind", { text: trimmed.slice(0, 60) });
}

/** The report as a reply; the plain-question handler shows the same view. */
export async function showReport(ctx: CommandContext, kind: ReportKind, which: ReportWhich = "current"): Promise<Outcome> {
  const report = await ctx.services.getReport(kind, which, { timeZone: ctx.timezone, now: ctx.now });
  const message = reportView(ctx, report);
  message.blocks.push({ type: "buttons", buttons: [shareButton(ctx, { id: "report.show", value: `${kind}:${which}` })] });
  return { kind: "message", message };
}

const shared = z.string().max(40).transform((value, zctx) => {
  const [kind, which] = value.split(":");
  const parsed = z.object({ kind: z.enum(["weekly", "monthly", "quarterly", "yearly"]), which: z.enum(["current", "last"]) }).safeParse({ kind, which });
  if (!parsed.success) {
    zctx.addIssue({ code: "custom", message: "bad report" });
    return z.NEVER;
  }
  return parsed.data;
});

export const reportCommand: CommandDefinition = {
  name: "report",
  help: [{
    usage: ["/report weekly|monthly|quarterly|yearly [last]"],
    description: "help.report",
    examples: ["/report monthly", "/report quarterly last", "/report 月报"],
  }],
  run: async (ctx, text) => {
    const request = parseReportText(text, ctx.now, ctx.timezone);
    return showReport(ctx, request.kind, request.which);
  },
};

export const reportActions: Record<string, ActionHandler> = {
  "report.show": async (ctx, value) => {
    const { kind, which } = shared.parse(value);
    return showReport(ctx, kind, which);
  },
};
