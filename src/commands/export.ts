import { invalidInput } from "../domain/errors.js";
import { parseExportText } from "../domain/transfer/export-request.js";
import type { Outcome } from "../reply/reply.js";
import type { CommandDefinition } from "./types.js";
import { exportDoneMessage, exportQueuedMessage } from "./views/export.js";

/**
 * "/crm export <kind> [period] [csv|xlsx]" (导出): customers, contacts, orders, interactions or
 * surveys as a file in the rep's DM, headers in their language, times in their zone. Everyone
 * may export; private details (email, phone, WeChat id, address) are in it only for customers
 * the rep may see privately. A large export is written by a worker and arrives later.
 */
export const exportCommand: CommandDefinition = {
  name: "export",
  slash: false,
  help: [
    {
      usage: ["/crm export customers|contacts|orders|interactions|surveys [period] [csv|xlsx]"],
      description: "help.export",
      examples: ["/crm export orders this quarter xlsx", "/crm export customers", "/crm export interactions 2026", "/crm 导出 订单 本月 excel"],
    },
  ],
  async run(ctx, text): Promise<Outcome> {
    const parsed = parseExportText(text, ctx.now, ctx.timezone);
    if ("problem" in parsed) {
      const problem = parsed.problem;
      switch (problem.kind) {
        case "no-kind":
          throw invalidInput("export.usage");
        case "bad-kind":
          throw invalidInput("export.badKind", { word: problem.word });
        case "two-formats":
          throw invalidInput("export.twoFormats", { first: problem.words[0], second: problem.words[1] });
        case "bad-period":
          throw invalidInput("export.badPeriod", { text: problem.text });
      }
    }
    const request = { ...parsed.request, locale: ctx.locale, timeZone: ctx.timezone };
    const answer = await ctx.services.requestExport(ctx.rep, request);
    const message = answer.kind === "file" ? exportDoneMessage(ctx, request, answer.file) : exportQueuedMessage(ctx, request, answer.rows);
    return { kind: "message", message };
  },
};

/** Command words of /crm export in Chinese. */
export const EXPORT_ALIASES: Readonly<Record<string, string>> = { 导出: "export", 导出数据: "export" };
