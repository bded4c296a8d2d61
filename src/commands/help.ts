import type { Block, Outcome } from "../reply/reply.js";
import type { ActionHandler, CommandContext, CommandDefinition, CommandHelp } from "./types.js";
import { shareButton } from "./views/share.js";

/**
 * Help comes in topics, one page each: Slack shows at most 50 blocks, and forty commands on one
 * page is more than anyone reads. A command missing from every topic lands in "more", so a new
 * command is never left out of help.
 */
type TopicId = "everyday" | "answers" | "data" | "admin" | "more";

const TOPICS: readonly { id: TopicId; words: readonly string[]; commands: readonly string[] }[] = [
  { id: "everyday", words: ["everyday", "日常"], commands: ["customer", "contact", "log", "order", "deal", "history", "remind", "survey", "home", "help"] },
  { id: "answers", words: ["answers", "reports", "报表", "问答"], commands: ["top", "report", "pipeline", "segment", "csat", "digest"] },
  { id: "data", words: ["data", "数据"], commands: ["link", "duplicates", "quality", "import", "export"] },
  { id: "admin", words: ["admin", "privacy", "管理", "隐私"], commands: ["erase", "export-person", "audit", "outbox", "role", "team", "whoami", "channel", "inbox", "pipeline-stages"] },
];
const MORE: TopicId = "more";

function topicsOf(commands: readonly CommandDefinition[]): { id: TopicId; commands: CommandDefinition[] }[] {
  const listed = new Set(TOPICS.flatMap((t) => t.commands));
  const topics = TOPICS.map((t) => ({ id: t.id, commands: commands.filter((c) => t.commands.includes(c.name)) }));
  const rest = commands.filter((c) => !listed.has(c.name) && c.help.length > 0);
  return [...topics, ...(rest.length > 0 ? [{ id: MORE, commands: rest }] : [])].filter((t) => t.commands.length > 0);
}

/**
 * One topic of help (the everyday commands unless `asked` names a topic or a command), with a
 * button for every other topic. `asked` is what followed "/crm help", or a topic's id.
 */
export function helpMessage(ctx: CommandContext, commands: readonly CommandDefinition[], asked = ""): Outcome {
  const topics = topicsOf(commands);
  const word = asked.trim().toLowerCase().replace(/^\//, "");
  const byCommand = word ? commands.find((c) => c.name === word && c.help.length > 0) : undefined;
  const named = word ? topics.find((t) => t.id === word || TOPICS.find((d) => d.id === t.id)?.words.includes(word)) : undefined;
  const topic = named ?? (byCommand ? topics.find((t) => t.commands.includes(byCommand)) : undefined) ?? topics[0]!;
  const shown = byCommand ? [byCommand] : topic.commands;
  const title = ctx.t("help.title");
  const blocks: Block[] = [{ type: "header", text: `${title}: ${ctx.t(`help.topic.${topic.id}`)}` }, { type: "text", text: ctx.t("help.intro") }];
  // One block per entry, its examples under the description.
  for (const command of shown) {
    for (const entry of command.help) {
      const description = ctx.t(entry.description, { currency: ctx.services.settings.baseCurrency });
      const examples = entry.examples.length > 0 ? `\n${ctx.t("examples.label")} ${entry.examples.join("   ")}` : "";
      blocks.push({ type: "text", title: entry.usage.join("\n"), text: `${description}${examples}` });
    }
  }
  const hint = word && !named && !byCommand ? `${ctx.t("help.unknownTopic", { word: asked.trim().slice(0, 40) })} ` : "";
  blocks.push({ type: "context", text: `${hint}${ctx.t("help.topics")} ${ctx.t("help.shortcut")} ${ctx.t("help.share")} ${ctx.t("help.inbox")}` });
  const others = topics.filter((t) => t.id !== topic.id || byCommand);
  blocks.push({
    type: "buttons",
    buttons: [
      ...others.map((t) => ({ label: ctx.t(`help.topic.${t.id}`), action: { id: "help.show", value: t.id } })),
      shareButton(ctx, { id: "help.show", value: byCommand ? byCommand.name : topic.id }),
    ],
  });
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
    help: [{ usage: ["/crm help [topic or command]"], description: "help.help", examples: ["/crm help answers", "/crm help import", "/crm 帮助 管理"] }],
    run: async (ctx, text) => helpMessage(ctx, commands(), text),
  };
  return { command, actions: { "help.show": async (ctx, value) => helpMessage(ctx, commands(), value) } };
}
