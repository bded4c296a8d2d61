import { findPeriod, lastDays } from "../domain/time/report-period.js";
import { readQuestion, type QuestionIntent } from "../domain/language/question-intent.js";
import type { Outcome } from "../reply/reply.js";
import { showDigest } from "./digest.js";
import { showPipeline } from "./pipeline.js";
import { historyCommand } from "./history.js";
import { showReport } from "./report.js";
import { showSegment } from "./segment.js";
import { showCsat } from "./survey.js";
import { showTop } from "./top.js";
import type { CommandContext } from "./types.js";

/** Questions people can ask, in the reader's language, shown when one is not understood. */
const EXAMPLES = {
  en: ["top 5 clients this quarter", "top 10 by revenue this year", "history of Acme", "who is at risk", "high value customers", "monthly report", "CSAT last month", "what's closing this month", "win rate this quarter"],
  zh: ["本季度前十大客户", "今年收入最高的5个客户", "Acme的历史", "谁有流失风险", "高价值客户", "本月报告", "上个月满意度", "本月要成交的单", "本季度赢单率"],
} as const;

/** The question, read by domain/language/question-intent.ts, answered by the same views as the commands. */
export async function answer(ctx: CommandContext, intent: Exclude<QuestionIntent, { kind: "unknown" }>, text: string): Promise<Outcome> {
  switch (intent.kind) {
    case "top":
      return showTop(ctx, { ...(intent.count ? { count: intent.count } : {}), ...(intent.metric ? { metric: intent.metric } : {}), ...(intent.period ? { period: intent.period } : {}) });
    case "history":
      return historyCommand.run(ctx, intent.customer);
    case "segment":
      return showSegment(ctx, intent.segment);
    case "report":
      return showReport(ctx, intent.report, intent.last ? "last" : "current");
    case "csat": {
      if (!intent.period) return showCsat(ctx, lastDays(30, ctx.now), "");
      // Read from the same folded text the question was, so the share button repeats the period.
      const folded = text.normalize("NFKC");
      const found = findPeriod(folded, ctx.now, ctx.timezone);
      return showCsat(ctx, intent.period, found ? folded.slice(found.index, found.index + found.length) : "");
    }
    case "digest":
      return showDigest(ctx);
    case "closing":
    case "winRate":
      return showPipeline(ctx, { who: { kind: "me" }, ...(intent.period ? { period: intent.period } : {}) });
  }
}

/** What the bot can be asked, for a question it did not understand. */
export function capabilities(ctx: CommandContext, text: string): Outcome {
  const said = ctx.t("ask.unknown", { text: text.slice(0, 60) });
  const examples = ctx.locale.startsWith("zh") ? EXAMPLES.zh : EXAMPLES.en;
  return {
    kind: "message",
    message: {
      visibility: "private",
      summary: said,
      isError: true,
      blocks: [
        { type: "text", text: said },
        { type: "examples", label: ctx.t("ask.examples"), examples: [...examples] },
        { type: "context", text: ctx.t("ask.commands") },
      ],
    },
  };
}

/**
 * A plain question ("top 5 clients this quarter", "谁有流失风险"), answered without any outside
 * service; one that is not understood gets what can be asked instead.
 */
export async function askQuestion(ctx: CommandContext, text: string): Promise<Outcome> {
  const intent = readQuestion(text, ctx.now, ctx.timezone);
  if (intent.kind === "unknown") return capabilities(ctx, text);
  return answer(ctx, intent, text);
}

/** The question a text reads as, if any: for a command whose own syntax did not fit. */
export function questionIn(ctx: CommandContext, text: string): Exclude<QuestionIntent, { kind: "unknown" }> | undefined {
  const intent = readQuestion(text, ctx.now, ctx.timezone);
  return intent.kind === "unknown" ? undefined : intent;
}
