import type { RoleName } from "../access/access-scope.js";

/**
 * The words of /crm role and /crm team: role names in English and Chinese, people as Slack
 * writes a mention (<@U123|li.na>, <@U123>) or as typed (@li.na), and team names.
 */

/** Role words, lower case: "admin", "管理员", "经理" ... */
export const ROLE_WORDS: Readonly<Record<string, RoleName>> = {
  admin: "ADMIN", administrator: "ADMIN", 管理员: "ADMIN",
  manager: "MANAGER", 经理: "MANAGER", 主管: "MANAGER",
  rep: "REP", sales: "REP", salesperson: "REP", 销售: "REP", 销售代表: "REP",
};

export function roleFromWord(word: string): RoleName | undefined {
  return ROLE_WORDS[word.normalize("NFKC").trim().toLowerCase()];
}

/** A Slack user id as Slack writes it in a mention. */
const SLACK_MENTION = /^<@([UW][A-Z0-9]{2,20})(?:\|([^>]{0,80}))?>$/;

export interface Mention {
  /** The Slack user id ("U0123ABCD"). */
  slackUserId: string;
  /** The handle Slack put after the bar, if any ("li.na"). */
  handle?: string;
}

/** A Slack mention token, or undefined when the token is none. */
export function parseMention(token: string): Mention | undefined {
  const m = SLACK_MENTION.exec(token.trim());
  if (!m) return undefined;
  const handle = m[2]?.trim();
  return { slackUserId: m[1]!, ...(handle ? { handle } : {}) };
}

/** A word that names a person: a Slack mention or a name typed after "@" (or the full-width "＠"). */
export function isPersonToken(token: string): boolean {
  return token.startsWith("<@") || /^[@＠]\S/.test(token);
}

/**
 * Command text as words, a Slack mention (or any <…>) always one word even with a space inside,
 * so "East Coast <@U1|li.na> <@U2>" is four words.
 */
export function peopleWords(text: string): string[] {
  return text.match(/<[^>\s][^>]*>|\S+/g) ?? [];
}

/** Longest team name accepted (it appears in lists and messages). */
export const MAX_TEAM_NAME = 40;

/** The verbs of /crm team: a team may not be called by one, or "/crm team add add" would be unreadable. */
export const TEAM_VERBS = {
  create: ["add", "new", "create", "添加", "新建", "创建"],
  delete: ["delete", "删除"],
  lead: ["lead", "leader", "manager", "负责人", "组长", "经理"],
  addMembers: ["add", "添加", "加入"],
  removeMembers: ["remove", "移除", "移出"],
} as const;

const verbSet = (...lists: readonly (readonly string[])[]) => new Set<string>(lists.flat().map((w) => w.toLowerCase()));
/** A team name may not start with a verb that opens a command, nor end with one that follows a name. */
const LEADING_VERBS = verbSet(TEAM_VERBS.create, TEAM_VERBS.delete);
const TRAILING_VERBS = verbSet(TEAM_VERBS.lead, TEAM_VERBS.addMembers, TEAM_VERBS.removeMembers);

/** "East  Coast " -> "east coast": the key a team is unique and found by, in any case or width. */
export function teamNameKey(name: string): string {
  return name.normalize("NFKC").trim().replace(/\s+/g, " ").toLowerCase();
}

export type TeamNameProblem = "empty" | "tooLong" | "reserved" | "person";

/** A team name as kept (spaces tidied), or what is wrong with it. */
export function checkTeamName(typed: string): { ok: true; name: string; key: string } | { ok: false; problem: TeamNameProblem } {
  const name = typed.normalize("NFC").trim().replace(/\s+/g, " ");
  if (!name) return { ok: false, problem: "empty" };
  if ([...name].length > MAX_TEAM_NAME) return { ok: false, problem: "tooLong" };
  if (peopleWords(name).some(isPersonToken)) return { ok: false, problem: "person" };
  const key = teamNameKey(name);
  const words = key.split(" ");
  if (LEADING_VERBS.has(words[0]!) || TRAILING_VERBS.has(words.at(-1)!)) return { ok: false, problem: "reserved" };
  return { ok: true, name, key };
}
