import { invalidInput } from "../domain/errors.js";
import type { Outcome } from "../reply/reply.js";
import type { ActionHandler, CommandContext, CommandDefinition } from "./types.js";
import { dataQualityMessage } from "./views/data-quality.js";

async function show(ctx: CommandContext): Promise<Outcome> {
  return dataQualityMessage(ctx, await ctx.services.getDataQuality(ctx.rep));
}

/**
 * "/crm quality" (数据质量): managers and admins get the team's figures, a rep those of their
 * own customers (what they can fix, and no list of colleagues' customers to them).
 */
export const qualityCommand: CommandDefinition = {
  name: "quality",
  slash: false,
  help: [{ usage: ["/crm quality"], description: "help.quality", examples: ["/crm quality", "/crm 数据质量"] }],
  run: (ctx, text) => {
    if (text.trim()) throw invalidInput("quality.usage");
    return show(ctx);
  },
};

/** Command words of /crm quality in Chinese. */
export const QUALITY_ALIASES: Readonly<Record<string, string>> = { 数据质量: "quality", 质量: "quality" };

export const qualityActions: Record<string, ActionHandler> = {
  "quality.show": (ctx) => show(ctx),
};
