import type { Formatter, Locale, MessageKey, Translate } from "../i18n/index.js";
import type { Outcome } from "../reply/reply.js";
import type { Services } from "../services/index.js";
import type { Rep } from "../services/index.js";

/** Who is asking, in which language and time zone, and what they may call. */
export interface CommandContext {
  rep: Rep;
  platform: string;
  locale: Locale;
  timezone: string;
  now: Date;
  t: Translate;
  f: Formatter;
  services: Services;
  /** The conversation a command was typed in (a Slack channel or DM id), when known. */
  channel?: string;
  /** The message whose button was pressed, when the platform says (an import updates it with its progress). */
  message?: { channel: string; ts: string };
}

export interface CommandHelp {
  /** Usage lines such as "/customer <name>". */
  usage: string[];
  description: MessageKey;
  examples: string[];
  /**
   * The first words after the command that select this entry ("add", "添加" for /customer add),
   * so an error shows the usage and examples of what was typed. Left out on the command's main entry.
   */
  words?: string[];
}

export interface CommandDefinition {
  /** The word after the slash: "customer" for /customer. */
  name: string;
  /** False for commands reached only through /crm (no slash command of their own). */
  slash?: boolean;
  help: CommandHelp[];
  run(ctx: CommandContext, text: string): Promise<Outcome>;
}

/** A button press: the handler validates `value` again, it came back from a client. */
export type ActionHandler = (ctx: CommandContext, value: string) => Promise<Outcome>;

/** A submitted form: field values by id and the state the form was opened with. */
export type FormHandler = (ctx: CommandContext, values: Readonly<Record<string, string>>, state: string) => Promise<Outcome>;
