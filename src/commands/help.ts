import type { Block, Outcome } from "../reply/reply.js";
import type { ActionHandler, CommandContext, CommandDefinition } from "./types.js";
import { shareButton } from "./views/share.js";

export function helpMessage(ctx: CommandContext, commands: readonly CommandDefinition[]): Outcome {
  const title = ctx.t("help.title");
  const blocks: Block[] = [{ type: "header", text: title }, { type: "text", text: ctx.t("help.intro") }];
  for (const command of commands) {
    for (const entry of command.help) {
      blocks.push({ type: "text", title: entry.usage.join("\n"), text: ctx.t(entry.description, { currency: ctx.services.settings.baseCurrency }) });
      if (entry.examples.length > 0) blocks.push({ type: "examples", label: ctx.t("examples.label"), examples: entry.examples });
    }
  }
  blocks.push({ type: "context", text: `${ctx.t("help.shortcut")} ${ctx.t("help.share")} ${ctx.t("help.inbox")}` });
  blocks.push({ type: "buttons", buttons: [shareButton(ctx, { id: "help.show", value: "" })] });
  return { kind: "message", message: { visibility: "private", summary: title, blocks } };
}

export function createHelp(commands: () => readonly CommandDefinition[]): { command: CommandDefinition; actions: Record<string, ActionHandler> } {
  const command: CommandDefinition = {
    name: "help",
    slash: false,
    help: [{ usage: ["/crm help"], description: "help.help", examples: [] }],
    run: async (ctx) => helpMessage(ctx, commands()),
  };
  return { command, actions: { "help.show": async (ctx) => helpMessage(ctx, commands()) } };
}
