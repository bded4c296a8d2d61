import { z } from "zod";
import { invalidInput } from "../domain/errors.js";
import { MAX_TEAM_NAME, TEAM_VERBS, isPersonToken, peopleWords } from "../domain/language/people-words.js";
import type { Outcome } from "../reply/reply.js";
import type { Rep } from "../services/index.js";
import { validate } from "./parse.js";
import type { CommandContext, CommandDefinition } from "./types.js";
import { memberNotes, teamMessage, teamsMessage } from "./views/people.js";

/** At most this many people in one add or remove. */
const MAX_PEOPLE = 25;

const is = (word: string | undefined, verbs: readonly string[]): boolean => word !== undefined && verbs.includes(word.normalize("NFKC").toLowerCase());

export type TeamRequest =
  | { kind: "list" }
  | { kind: "show"; team: string }
  | { kind: "create"; team: string; lead?: string }
  | { kind: "delete"; team: string }
  | { kind: "lead"; team: string; person: string }
  | { kind: "add" | "remove"; team: string; people: string[] };

const teamName = z.string().trim().min(1, "team.name.empty").max(MAX_TEAM_NAME, "team.name.tooLong");
const people = z.array(z.string().max(120, "role.personTooLong")).min(1, "team.missingPeople").max(MAX_PEOPLE, "team.tooManyPeople");

/**
 * The forms of /crm team, read from its words (a Slack mention is one word):
 *   (nothing)                      every team
 *   add|添加 <name> [@manager]     a new team
 *   delete|删除 <name>             a team gone
 *   <name> lead|负责人 @manager    its lead
 *   <name> add|添加 @rep …         members in (moved from another team)
 *   <name> remove|移除 @rep …      members out
 *   <name>                         one team
 * People are written as mentions or "@name"; a team may not be called by one of the verbs.
 */
export function readTeamRequest(text: string): TeamRequest {
  const words = peopleWords(text.trim());
  if (words.length === 0) return { kind: "list" };
  const [first, ...rest] = words;
  if (is(first, TEAM_VERBS.create) && rest.length > 0) {
    const persons = rest.filter(isPersonToken);
    if (persons.length > 1) throw invalidInput("team.oneLead");
    const team = validate(teamName, rest.filter((w) => !isPersonToken(w)).join(" "));
    return persons[0] ? { kind: "create", team, lead: persons[0] } : { kind: "create", team };
  }
  if (is(first, TEAM_VERBS.delete) && rest.length > 0) {
    if (rest.some(isPersonToken)) throw invalidInput("team.deleteNoPeople");
    return { kind: "delete", team: validate(teamName, rest.join(" ")) };
  }
  const isVerb = (word: string | undefined) => is(word, TEAM_VERBS.lead) || is(word, TEAM_VERBS.addMembers) || is(word, TEAM_VERBS.removeMembers);
  const firstPerson = words.findIndex(isPersonToken);
  if (firstPerson === -1) {
    // "East add" with nobody named; a lone verb names no team.
    if (isVerb(words.at(-1)) || is(first, TEAM_VERBS.create) || is(first, TEAM_VERBS.delete)) {
      throw invalidInput(words.length > 1 ? "team.missingPeople" : "team.name.empty");
    }
    return { kind: "show", team: validate(teamName, words.join(" ")) };
  }
  const verb = words[firstPerson - 1];
  const after = words.slice(firstPerson);
  const stray = after.find((w) => !isPersonToken(w));
  if (stray) throw invalidInput("team.peopleOnly", { word: stray.slice(0, 30) });
  if (!isVerb(verb)) throw invalidInput("team.missingVerb", { word: (verb ?? after[0]!).slice(0, 30) });
  const team = validate(teamName, words.slice(0, firstPerson - 1).join(" "));
  if (is(verb, TEAM_VERBS.lead)) {
    if (after.length !== 1) throw invalidInput("team.oneLead");
    return { kind: "lead", team, person: after[0]! };
  }
  return { kind: is(verb, TEAM_VERBS.addMembers) ? "add" : "remove", team, people: validate(people, after) };
}

async function resolveAll(ctx: CommandContext, typed: readonly string[]): Promise<Rep[]> {
  const found: Rep[] = [];
  for (const person of typed) found.push(await ctx.services.resolvePerson(ctx.rep, person));
  return found;
}

async function runTeam(ctx: CommandContext, text: string): Promise<Outcome> {
  const request = readTeamRequest(text);
  const { services, rep } = ctx;
  switch (request.kind) {
    case "list":
      return teamsMessage(ctx, await services.listTeams(rep));
    case "show":
      return teamMessage(ctx, await services.getTeam(rep, request.team));
    case "create": {
      const lead = request.lead ? await services.resolvePerson(rep, request.lead) : undefined;
      const team = await services.createTeam(rep, { name: request.team, ...(lead ? { lead } : {}) });
      const note = lead ? ctx.t("team.created.led", { team: team.name, name: lead.displayName }) : ctx.t("team.created", { team: team.name });
      return teamMessage(ctx, team, [note]);
    }
    case "delete": {
      const team = await services.deleteTeam(rep, request.team);
      const text = ctx.t("team.deleted", { team: team.name, count: team.members.length });
      return { kind: "message", message: { visibility: "private", summary: text, blocks: [{ type: "text", text }] } };
    }
    case "lead": {
      const lead = await services.resolvePerson(rep, request.person);
      const result = await services.setTeamLead(rep, { team: request.team, lead });
      const note = !result.changed
        ? ctx.t("team.lead.already", { team: result.team.name, name: lead.displayName })
        : result.previous
          ? ctx.t("team.lead.replaced", { team: result.team.name, name: lead.displayName, previous: result.previous })
          : ctx.t("team.lead.set", { team: result.team.name, name: lead.displayName });
      return teamMessage(ctx, result.team, [note]);
    }
    case "add":
    case "remove": {
      const persons = await resolveAll(ctx, request.people);
      const result = request.kind === "add"
        ? await services.addTeamMembers(rep, { team: request.team, people: persons })
        : await services.removeTeamMembers(rep, { team: request.team, people: persons });
      return teamMessage(ctx, result.team, memberNotes(ctx, result.team, result.outcomes));
    }
  }
}

/** "/crm team …" (团队): admins only. */
export const teamCommand: CommandDefinition = {
  name: "team",
  slash: false,
  help: [
    {
      usage: ["/crm team", "/crm team <name>", "/crm team add <name> [@manager]", "/crm team <name> lead @manager", "/crm team <name> add @rep …", "/crm team <name> remove @rep …", "/crm team delete <name>"],
      description: "help.team",
      examples: ["/crm team add East @maria", "/crm team East add @li.na @tom", "/crm 团队 华东 添加 @李娜", "/crm team East"],
    },
  ],
  run: runTeam,
};

/** Command words of /crm team in Chinese. */
export const TEAM_ALIASES: Readonly<Record<string, string>> = { 团队: "team", 小组: "team", teams: "team" };
