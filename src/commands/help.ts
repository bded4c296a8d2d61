import type { Block, Outcome } from "../reply/reply.js";
import type { ActionHandler, CommandContext, CommandDefinition, CommandHelp } from "./types.js";
import { shareButton } from "./views/share.js";

export function helpMessage(ctx: CommandContext, commands: readonly CommandDefinition[]): Outcome {
  const title = ctx.t("help.title");
  const blocks: Block[] = [{ type: "header", text: title }, { type: "text", text: ctx.t("help.intro") }];
  // One block per entry, its examples under the description: Slack shows at most 50 blocks, and
  // an entry and its examples as two blocks each no longer fit once commands have many forms.
  for (const command of commands) {
    for (const entry of command.help) {
      const description = ctx.t(entry.description, { currency: ctx.services.settings.baseCurrency });
      const examples = entry.examples.length > 0 ? `\n${ctx.t("examples.label")} ${entry.examples.join("   ")}` : "";
      blocks.push({ type: "text", title: entry.usage.join("\n"), text: `${description}${examples}` });
    }
  }
  blocks.push({ type: "context", text: `${ctx.t("help.shortcut")} ${ctx.t("help.share")} ${ctx.t("help.inbox")}` });
  blocks.push({ type: "buttons", buttons: [shareButton(ctx, { id: "help.show", value: "" })] });
  return { kind: "message", message: { visibility: "private", summary: title, blocks } };
}

/** Help in short form: the first usage line of every entry, in help's order. */
export function commandList(commands: readonly CommandDefinition[]): string[] {
  return commands.flatMap((c) => c.help.map((entry) => entry.usage[0]!)).filter(Boolean);
}

/** A command nobody handles ("/foo", "/crm foo"): says so, and lists the ones there are. */
export function unknownCommandMessage(ctx: Pick<CommandContext, "t">, typed: string, commands: readonly CommandDefinition[]): Outcome {
  const text = ctx.t("command.unknown", { command: typed.slice(0, 40) });
  return {
    kind: "message",
    message: { visibility: "private", summary: text, isError: true, blocks: [{ type: "text", text }, { type: "examples", label: ctx.t("help.commands"), examples: commandList(commands) }] },
  };
}

/**
 * The help entry that text typed after a command is about: the one whose words start it
 * ("add Acme" is /customer add), else the command's main entry.
 */
export function helpEntryFor(command: CommandDefinition, text: string): CommandHelp | undefined {
  const first = text.trim().split(/\s+/)[0]?.toLowerCase() ?? "";
  return command.help.find((entry) => first && entry.words?.includes(first)) ?? command.help.find((entry) => !entry.words) ?? command.help[0];
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
