import { z } from "zod";
import { foldText } from "../language/folded-text.js";

/** Letters and digits only, folded (case, width, accents): how a typed stage meets a name. */
const foldForMatch = (text: string): string => foldText(text).folded;

/**
 * The sales pipeline: an ordered list of open stages, each with the probability that a deal in it
 * is won, then the two closing stages (won, 100%; lost, 0%). Defined once, named in English and
 * Chinese; an admin may replace the open stages (`/crm pipeline stages …` or a config file), the
 * closing ones are always there. A deal's weighted value is its amount times its stage's
 * probability.
 */

export type StageOutcome = "won" | "lost";

export interface Stage {
  /** Stored in deals.stage and deal_stage_changes: lower-case letters, digits and "_". */
  key: string;
  names: { en: string; "zh-CN": string };
  /** 0 to 100. */
  probability: number;
  /** Set on the two closing stages only. */
  outcome?: StageOutcome;
}

export const WON: Stage = { key: "won", names: { en: "Won", "zh-CN": "赢单" }, probability: 100, outcome: "won" };
export const LOST: Stage = { key: "lost", names: { en: "Lost", "zh-CN": "输单" }, probability: 0, outcome: "lost" };

export const DEFAULT_OPEN_STAGES: readonly Stage[] = [
  { key: "qualification", names: { en: "Qualification", "zh-CN": "资格确认" }, probability: 10 },
  { key: "needs_analysis", names: { en: "Needs analysis", "zh-CN": "需求分析" }, probability: 25 },
  { key: "proposal", names: { en: "Proposal", "zh-CN": "方案报价" }, probability: 50 },
  { key: "negotiation", names: { en: "Negotiation", "zh-CN": "商务谈判" }, probability: 75 },
];

/** At most this many open stages: a pipeline longer than that is a checklist, not stages. */
export const MAX_OPEN_STAGES = 10;

const stageShape = z.object({
  key: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, "pipeline.stage.key"),
  names: z.object({ en: z.string().trim().min(1).max(40), "zh-CN": z.string().trim().min(1).max(40) }),
  probability: z.number().int("pipeline.stage.probability").min(1, "pipeline.stage.probability").max(99, "pipeline.stage.probability"),
});

/**
 * The open stages an admin may set: 1 to MAX_OPEN_STAGES, keys and names unique (in either
 * language, ignoring case and spacing), none named like a closing stage, probabilities from 1 to
 * 99 and never falling from one stage to the next (a later stage is closer to a win).
 */
export const openStagesSchema = z
  .array(stageShape)
  .min(1, "pipeline.stages.none")
  .max(MAX_OPEN_STAGES, "pipeline.stages.tooMany")
  .superRefine((stages, ctx) => {
    const seen = new Set<string>([...wordsOf(WON), ...wordsOf(LOST)]);
    stages.forEach((stage, i) => {
      const words = new Set(wordsOf(stage));
      if ([...words].some((w) => seen.has(w))) ctx.addIssue({ code: "custom", message: "pipeline.stage.duplicate", path: [i] });
      for (const w of words) seen.add(w);
      if (i > 0 && stage.probability < stages[i - 1]!.probability) ctx.addIssue({ code: "custom", message: "pipeline.stage.falling", path: [i, "probability"] });
    });
  });

/** Every way a stage is named: its key and its two names, folded. */
function wordsOf(stage: Pick<Stage, "key" | "names">): string[] {
  return [foldForMatch(stage.key), foldForMatch(stage.names.en), foldForMatch(stage.names["zh-CN"])];
}

export class Pipeline {
  readonly stages: readonly Stage[];
  private readonly byKey: ReadonlyMap<string, Stage>;

  constructor(open: readonly Stage[] = DEFAULT_OPEN_STAGES) {
    this.stages = [...openStagesSchema.parse(open.map(({ key, names, probability }) => ({ key, names, probability }))), WON, LOST];
    this.byKey = new Map(this.stages.map((s) => [s.key, s]));
  }

  get open(): readonly Stage[] {
    return this.stages.filter((s) => !s.outcome);
  }

  get first(): Stage {
    return this.stages[0]!;
  }

  stage(key: string): Stage | undefined {
    return this.byKey.get(key);
  }

  /** Where a stage stands: open stages 0, 1, 2 …; won after every open stage; lost at -1 (it ends the road). */
  rank(key: string): number {
    const stage = this.byKey.get(key);
    if (!stage) return -1;
    if (stage.outcome === "lost") return -1;
    return this.stages.indexOf(stage);
  }

  /** The stage after this open one (the last open stage is followed by won); none after a closing stage. */
  next(key: string): Stage | undefined {
    const stage = this.byKey.get(key);
    if (!stage || stage.outcome) return undefined;
    return this.stages[this.stages.indexOf(stage) + 1];
  }

  /**
   * The stage a typed word names: its key, or its name in either language, ignoring case,
   * spacing and punctuation ("Needs Analysis", "needs-analysis", "需求分析"); a unique start of a
   * name counts too ("nego", "谈判" does not: a start only).
   */
  find(typed: string): Stage | undefined {
    const word = foldForMatch(typed);
    if (!word) return undefined;
    const exact = this.stages.find((s) => wordsOf(s).includes(word));
    if (exact) return exact;
    const starts = this.stages.filter((s) => wordsOf(s).some((w) => w.startsWith(word)));
    return starts.length === 1 ? starts[0] : undefined;
  }
}
