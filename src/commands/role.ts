import { z } from "zod";
import { invalidInput } from "../domain/errors.js";
import { ROLE_WORDS, parseMention, peopleWords, roleFromWord } from "../domain/language/people-words.js";
import type { Outcome } from "../reply/reply.js";
import { validate } from "./parse.js";
import type { CommandContext, CommandDefinition } from "./types.js";
import { roleChangeMessage, rolesMessage, whoamiMessage } from "./views/people.js";

/** Longest text accepted for a person (a mention is about 40 characters, a name fewer). */
const MAX_PERSON = 120;

const roleRequest = z.object({
  person: z.string().trim().min(1, "role.missingPerson").max(MAX_PERSON, "role.personTooLong"),
  role: z.enum(["ADMIN", "MANAGER", "REP"]),
});

/** A person as typed, for a message: a Slack mention as "@handle" (its raw form reads badly). */
function shownPerson(typed: string): string {
  const mention = parseMention(typed);
  return (mention ? `@${mention.handle ?? mention.slackUserId}` : typed).slice(0, 60);
}

/**
 * "@li.na manager", "manager @li.na", "Li Na 经理": the role word first or last, the person the
 * rest. Undefined role: no role word at either end (the word there is named in the answer).
 */
export function readRoleRequest(text: string): { person: string; role: "ADMIN" | "MANAGER" | "REP" } {
  const words = peopleWords(text.trim());
  if (words.length === 0) throw invalidInput("role.usage");
  const last = roleFromWord(words.at(-1)!);
  const first = words.length > 1 ? roleFromWord(words[0]!) : undefined;
  const role = last ?? first;
  if (!role) {
    if (words.length === 1) throw invalidInput("role.missingRole", { person: shownPerson(words[0]!) });
    throw invalidInput("role.unknownRole", { word: words.at(-1)!.slice(0, 30), roles: Object.keys(ROLE_WORDS).join(", ") });
  }
  const person = (last ? words.slice(0, -1) : words.slice(1)).join(" ");
  return validate(roleRequest, { person, role });
}

async function runRole(ctx: CommandContext, text: string): Promise<Outcome> {
  if (!text.trim()) return rolesMessage(ctx, await ctx.services.listRoles(ctx.rep));
  const request = readRoleRequest(text);
  const person = await ctx.services.resolvePerson(ctx.rep, request.person);
  return roleChangeMessage(ctx, await ctx.services.setRole(ctx.rep, person, request.role), request.role);
}

/** "/crm role @user admin|manager|rep" (角色): admins only. */
export const roleCommand: CommandDefinition = {
  name: "role",
  slash: false,
  help: [
    {
      usage: ["/crm role @user admin|manager|rep", "/crm role"],
      description: "help.role",
      examples: ["/crm role @li.na manager", "/crm 角色 @王伟 管理员", "/crm role"],
    },
  ],
  run: runRole,
};

/** "/crm whoami" (我是谁): anyone, about themselves. */
export const whoamiCommand: CommandDefinition = {
  name: "whoami",
  slash: false,
  help: [{ usage: ["/crm whoami"], description: "help.whoami", examples: ["/crm whoami", "/crm 我是谁"] }],
  async run(ctx, text) {
    if (text.trim()) throw invalidInput("whoami.usage");
    return whoamiMessage(ctx, await ctx.services.describeAccess(ctx.rep));
  },
};

/** Command words of /crm role and /crm whoami in Chinese. */
export const ROLE_ALIASES: Readonly<Record<string, string>> = { 角色: "role", 我是谁: "whoami", "who-am-i": "whoami" };
