import { z } from "zod";
import { invalidInput } from "../domain/errors.js";
import { calendarPeriod, parsePeriod, type ReportPeriod } from "../domain/time/report-period.js";
import type { Outcome } from "../reply/reply.js";
import type { PipelineWho } from "../services/index.js";
import type { CommandContext, CommandDefinition } from "./types.js";
import { pipelineView } from "./views/pipeline.js";
import { runPipelineStages } from "./deal.js";

/** Whose pipeline as typed: the asker's, the team's, or a rep named by a mention or "@name". */
export type TypedWho = { kind: "me" } | { kind: "team" } | { kind: "rep"; typed: string };

export interface PipelineRequest {
  who: TypedWho;
  period: ReportPeriod;
}

const ME = new Set(["me", "mine", "my", "myself", "我", "我的", "自己"]);
const TEAM = new Set(["team", "团队", "我的团队", "本组", "小组", "团队的"]);
/** A Slack mention as a slash command receives it (<@U123|li.na>), or a typed "@name". */
const PERSON = /^(?:<@[UW][A-Z0-9]{2,20}(?:\|[^>]{0,80})?>|[@＠]\S{1,60})$/u;

/** The typed words; "my team" and "our team" are "team". */
function wordsOf(text: string): string[] {
  return text.normalize("NFKC").trim().replace(/\b(?:my|our)\s+team\b/giu, "team").split(/\s+/u).filter(Boolean);
}

/**
 * "/pipeline [me|@rep|team] [period]" in either order: "/pipeline", "/pipeline team this
 * quarter", "/pipeline @li.na last month", "/pipeline 团队 本季度". Without a period, this month.
 */
export function parsePipelineText(text: string, now: Date, timeZone: string): PipelineRequest {
  const words = wordsOf(text);
  let who: TypedWho = { kind: "me" };
  const rest: string[] = [];
  let named = false;
  for (const word of words) {
    const lower = word.toLowerCase();
    const found: TypedWho | undefined = ME.has(lower) ? { kind: "me" } : TEAM.has(lower) ? { kind: "team" } : PERSON.test(word) ? { kind: "rep", typed: word } : undefined;
    if (found && !named) {
      who = found;
      named = true;
    } else rest.push(word);
  }
  const phrase = rest.join(" ");
  if (!phrase) return { who, period: calendarPeriod("month", now, timeZone) };
  const period = parsePeriod(phrase, now, timeZone);
  if (!period) throw invalidInput("pipeline.badInput", { text: phrase.slice(0, 60) });
  return { who, period };
}

async function whoOf(ctx: CommandContext, typed: TypedWho): Promise<PipelineWho> {
  if (typed.kind !== "rep") return typed;
  const lookup = await ctx.services.findRep(ctx.rep.platform, typed.typed);
  if (lookup.kind === "found") return { kind: "rep", rep: lookup.rep };
  const person = typed.typed.slice(0, 60);
  if (lookup.kind === "ambiguous") throw invalidInput("pipeline.ambiguousRep", { person, names: ctx.f.list(lookup.candidates.map((r) => r.displayName)) });
  const known = lookup.known.slice(0, 15).map((r) => r.displayName);
  throw invalidInput("pipeline.unknownRep", { person, known: known.length > 0 ? ctx.f.list(known) : "—" });
}

/** The pipeline as a reply; plain questions ("what's closing this month", "win rate this quarter") show the same view. */
export async function showPipeline(ctx: CommandContext, request: { who: TypedWho; period?: ReportPeriod }): Promise<Outcome> {
  const period = request.period ?? calendarPeriod("month", ctx.now, ctx.timezone);
  const answer = await ctx.services.getPipelineFigures(ctx.rep, { who: await whoOf(ctx, request.who), period, now: ctx.now });
  return { kind: "message", message: pipelineView(ctx, answer, period) };
}

const textShape = z.string().max(200);

/** Chinese name of the command, for /crm 销售漏斗 and for help. */
export const PIPELINE_ALIASES: Readonly<Record<string, string>> = { 销售漏斗: "pipeline", 漏斗: "pipeline", 管道: "pipeline" };

export const pipelineCommand: CommandDefinition = {
  name: "pipeline",
  help: [{
    usage: ["/pipeline [me|@rep|team] [period]"],
    description: "help.pipeline",
    examples: ["/pipeline", "/pipeline team this quarter", "/pipeline @li.na last month", "/crm 销售漏斗 团队 本季度"],
  }],
  run: (ctx, text) => {
    // `/pipeline stages …` is the stages' own command (as `/crm pipeline stages`), not a scope.
    const stages = /^\s*(?:stages|阶段)(?:\s+([\s\S]*))?$/i.exec(text);
    if (stages) return runPipelineStages(ctx, stages[1] ?? "");
    const checked = textShape.safeParse(text);
    if (!checked.success) throw invalidInput("pipeline.badInput", { text: text.slice(0, 60) });
    return showPipeline(ctx, parsePipelineText(checked.data, ctx.now, ctx.timezone));
  },
};
