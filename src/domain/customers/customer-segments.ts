/**
 * Named customer segments, RFM scores and churn rules: the thresholds, the classification of
 * one customer's facts, the stage moves that follow, and what counts as a complaint. The store
 * gathers the facts in Postgres (set-based, src/store/customers/segments.ts); everything that decides is
 * here, defined once.
 *
 * Rules decided here:
 * - Days are whole days of elapsed time (floor of 24-hour spans, no time zone), like report
 *   periods' "last N days". Windows are (now - N days, now]: an event exactly N days ago is out.
 * - Every fact is as of the scan's `now`: an order placed after it (a late run) counts nowhere.
 * - The buying rhythm (the median gap) is measured between purchase days, dates in the team's
 *   zone: orders of one day, or several backdated to one date, are one purchase occasion, so
 *   they cannot shrink the usual gap to nothing.
 * - One segment per customer, by priority: lost > churn-risk > new > high-value > potential.
 *   "Has bought" means at least one order. Churn-risk names the first rule that fired, in the
 *   order gap, slowing, complaints.
 * - RFM scores are quintiles 1..5 (5 best) among paying customers, from each customer's rank
 *   (ties share the lowest rank, as SQL rank() gives them): 1 + floor(5 × share of customers
 *   strictly below), at most 5. Equal values always get equal scores, and a value only scores
 *   high when it beats that share of customers: when most customers have one order, one order
 *   scores 1 rather than the middle. Recency ranks the latest order (more recent is better),
 *   frequency the order count, monetary the total spent.
 * - Stages: ACTIVE -> AT_RISK on churn-risk; ACTIVE/AT_RISK -> CHURNED when lost; AT_RISK ->
 *   ACTIVE once a buyer is neither (a customer who never bought stays where they are):
 *   "recovered" when they ordered after their latest move to AT_RISK, else "settled" (the
 *   complaints aged out or the windows moved on, nothing was bought). LEAD, PROSPECT and
 *   CHURNED are left to purchases (record-order: only a purchase fewer than LOST_AFTER_DAYS
 *   ago activates) and reps.
 */
import { z } from "zod";
import type { Stage } from "./customer-stage.js";
import type { SegmentName } from "../language/question-intent.js";

export type { SegmentName } from "../language/question-intent.js";

export const SEGMENT_RULES = Object.freeze({
  /** No purchase for this many days or more: lost. */
  LOST_AFTER_DAYS: 180,
  /** First purchase fewer than this many days ago: new. */
  NEW_DAYS: 30,
  /** Churn-risk when the days since the last order exceed this many median gaps. */
  GAP_FACTOR: 2,
  /** The two windows compared for slowing down, each this many days. */
  SLOWING_WINDOW_DAYS: 90,
  /** Complaints and low survey scores are counted over this many days... */
  COMPLAINT_WINDOW_DAYS: 30,
  /** ...and this many of them together make a churn risk. */
  COMPLAINTS_FOR_RISK: 2,
  /** A customer who never bought is potential with this many interactions... */
  ENGAGED_INTERACTIONS: 2,
  /** ...in this many days. */
  ENGAGED_WINDOW_DAYS: 90,
  /** High-value: frequency and monetary quintiles both at least this. */
  HIGH_QUINTILE: 4,
});

/** When the nightly scan runs, local time in the team's zone (DEFAULT_TIMEZONE). */
export const STAGE_SCAN_AT = "02:00";

/** Segment names as people and the plain-question parser say them, in /segment's order. */
export const SEGMENT_NAMES: readonly SegmentName[] = ["high-value", "potential", "new", "churn-risk", "lost"];

/** The database's Segment enum. */
export type SegmentCode = "HIGH_VALUE" | "POTENTIAL" | "NEW" | "CHURN_RISK" | "LOST";

export const SEGMENT_CODES: Readonly<Record<SegmentName, SegmentCode>> = Object.freeze({
  "high-value": "HIGH_VALUE",
  potential: "POTENTIAL",
  new: "NEW",
  "churn-risk": "CHURN_RISK",
  lost: "LOST",
});

export function segmentOfCode(code: SegmentCode): SegmentName {
  return SEGMENT_NAMES.find((name) => SEGMENT_CODES[name] === code)!;
}

/** Why a customer is in a segment, with the figures that decided it. */
export const segmentReason = z.discriminatedUnion("rule", [
  z.object({ rule: z.literal("lost"), daysSince: z.number() }),
  z.object({ rule: z.literal("gap"), daysSince: z.number(), medianGapDays: z.number() }),
  z.object({ rule: z.literal("slowing"), last90: z.number(), previous90: z.number() }),
  z.object({ rule: z.literal("complaints"), complaints: z.number(), lowScores: z.number() }),
  z.object({ rule: z.literal("new"), firstOrderDays: z.number() }),
  z.object({ rule: z.literal("rfm"), r: z.number(), f: z.number(), m: z.number() }),
  z.object({ rule: z.literal("engaged"), interactions: z.number() }),
]);
export type SegmentReason = z.infer<typeof segmentReason>;

/** Why a customer's stage moved: a segment's reason, buying again, no longer at risk, a purchase, or a rep. */
export const stageReason = z.union([
  segmentReason,
  z.object({ rule: z.literal("recovered"), daysSince: z.number() }),
  z.object({ rule: z.literal("settled"), daysSince: z.number() }),
  z.object({ rule: z.literal("purchase") }),
  /** A rep set it (/customer stage, the edit form): who, by name as it was then. */
  z.object({ rule: z.literal("manual"), by: z.string(), byId: z.string().optional() }),
]);
export type StageReason = z.infer<typeof stageReason>;

export interface Rfm {
  r: number;
  f: number;
  m: number;
}

/** What the rules look at for one customer, as of the scan. */
export interface CustomerFacts {
  orderCount: number;
  /** Whole days since the latest order; null without orders. */
  daysSinceLastOrder: number | null;
  daysSinceFirstOrder: number | null;
  /** Median of the days between consecutive purchase days; null with fewer than two such days. */
  medianGapDays: number | null;
  ordersLast90: number;
  ordersPrevious90: number;
  complaints30: number;
  lowScores30: number;
  /** Interactions of any kind in the engagement window (only looked at for non-buyers). */
  interactions90: number;
  /** Null for customers without orders. */
  rfm: Rfm | null;
  /** An order came after the customer's latest recorded move to AT_RISK (false with no such move). */
  boughtSinceAtRisk: boolean;
}

export interface Classification {
  segment: SegmentName;
  reason: SegmentReason;
}

const DAY_MS = 86_400_000;

/** Whole days from `from` to `now` (never negative: a future-dated order counts as today). */
export function wholeDays(from: Date, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - from.getTime()) / DAY_MS));
}

/** The quintile (1..5) of a value ranked `rank` of `count` (ties share the lowest rank). */
export function quintile(rank: number, count: number): number {
  if (count <= 1) return 1;
  return Math.min(5, 1 + Math.floor((5 * (rank - 1)) / (count - 1)));
}

function churnRisk(facts: CustomerFacts): SegmentReason | null {
  const since = facts.daysSinceLastOrder;
  if (since !== null && facts.orderCount >= 2 && facts.medianGapDays !== null && since > SEGMENT_RULES.GAP_FACTOR * facts.medianGapDays) {
    return { rule: "gap", daysSince: since, medianGapDays: Math.round(facts.medianGapDays * 10) / 10 };
  }
  const { ordersLast90: last90, ordersPrevious90: previous90 } = facts;
  if (previous90 >= 1 && 2 * last90 < previous90) return { rule: "slowing", last90, previous90 };
  if (facts.complaints30 + facts.lowScores30 >= SEGMENT_RULES.COMPLAINTS_FOR_RISK) {
    return { rule: "complaints", complaints: facts.complaints30, lowScores: facts.lowScores30 };
  }
  return null;
}

/** The one segment a customer is in, and why; null for an ordinary customer. */
export function classifyCustomer(facts: CustomerFacts): Classification | null {
  const since = facts.daysSinceLastOrder;
  if (facts.orderCount > 0 && since !== null) {
    if (since >= SEGMENT_RULES.LOST_AFTER_DAYS) return { segment: "lost", reason: { rule: "lost", daysSince: since } };
    const risk = churnRisk(facts);
    if (risk) return { segment: "churn-risk", reason: risk };
    const first = facts.daysSinceFirstOrder;
    if (first !== null && first < SEGMENT_RULES.NEW_DAYS) return { segment: "new", reason: { rule: "new", firstOrderDays: first } };
    const rfm = facts.rfm;
    if (rfm && rfm.f >= SEGMENT_RULES.HIGH_QUINTILE && rfm.m >= SEGMENT_RULES.HIGH_QUINTILE) {
      return { segment: "high-value", reason: { rule: "rfm", r: rfm.r, f: rfm.f, m: rfm.m } };
    }
    return null;
  }
  if (facts.orderCount === 0 && facts.interactions90 >= SEGMENT_RULES.ENGAGED_INTERACTIONS) {
    return { segment: "potential", reason: { rule: "engaged", interactions: facts.interactions90 } };
  }
  return null;
}

/** Stages a purchase makes ACTIVE (record-order), with a { rule: "purchase" } change and no alert. */
export const ACTIVATED_BY_PURCHASE: readonly Stage[] = ["LEAD", "PROSPECT", "CHURNED"];

/**
 * Whether a purchase made at `orderedAt` activates (ACTIVATED_BY_PURCHASE): only one recent
 * enough that the customer would not be lost by it. A backdated order from longer ago would make
 * a churned customer active for one night and the scan would move them straight back, with an alert.
 */
export function purchaseActivates(orderedAt: Date, now: Date): boolean {
  return wholeDays(orderedAt, now) < SEGMENT_RULES.LOST_AFTER_DAYS;
}

/** Where the nightly scan moves a customer's stage, and why; null to leave it. */
export function stageMove(stage: Stage, facts: CustomerFacts, classification: Classification | null): { to: Stage; reason: StageReason } | null {
  const segment = classification?.segment;
  if (segment === "lost") return stage === "ACTIVE" || stage === "AT_RISK" ? { to: "CHURNED", reason: classification!.reason } : null;
  if (segment === "churn-risk") return stage === "ACTIVE" ? { to: "AT_RISK", reason: classification!.reason } : null;
  if (stage === "AT_RISK" && facts.orderCount > 0 && facts.daysSinceLastOrder !== null) {
    const daysSince = facts.daysSinceLastOrder;
    return { to: "ACTIVE", reason: facts.boughtSinceAtRisk ? { rule: "recovered", daysSince } : { rule: "settled", daysSince } };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Complaints and low scores

/*
 * Complaint keywords as regular expressions that mean the same in JavaScript and in Postgres
 * (ARE): only groups (?:), alternation, bracket classes without escapes, ?, + and \s. The text is
 * NFKC-normalised and lower-cased first, on both sides. English words start at a non-letter,
 * written (?:^|[^a-z]) because \b means a word boundary in JavaScript and a backspace in
 * Postgres. Near-misses ("没有投诉", "no complaints", "垃圾邮件") are cut out of the text before
 * the keywords are looked for, so "no complaints, but the delivery was terrible" still counts.
 */
const en = (words: string): string => `(?:^|[^a-z])(?:${words})`;
const spaced = (pattern: string): string => pattern.replaceAll(" ", "\\s+");

const COMPLAINT_TERMS = [
  "投诉", "差评", "差劲", "(?:太|很|真|好|非常|特别|超级?|质量|服务|态度)差", "不满意", "(?:很|非常|特别|十分|极其?)不满",
  "失望", "垃圾", "骗子", "坑人", "态度恶劣", "(?:要求|申请|我要|必须|坚持)退款", "退钱", "维权", "消协",
  en("complain"),
  en("(?:terrible|awful|horrible|appalling|dreadful|lousy|poor) (?:service|support|quality|product|experience|delivery|communication)"),
  en("(?:service|support|quality|product|experience|delivery) (?:is|was|has been) (?:terrible|awful|horrible|appalling|dreadful|a joke)"),
  en("worst (?:service|support|experience|company|supplier|vendor|product|delivery)"),
  en("unacceptable"), en("disappoint"), en("dissatisf"), en("unsatisf"), en("unhappy"),
  en("not (?:very |too |at all )?(?:happy|satisfied|pleased)"),
  en("rip(?:ped)?[- ]?off"), en("scam"), en("fed up"), en("money back"),
  en("(?:want|need|demand|request|requesting|expect|get|give me) (?:a |my |our |the )?(?:full )?refund"),
  en("refund (?:me|us|my|our)"),
];

const NOT_COMPLAINT_TERMS = [
  "(?:^|[^有])(?:没有|没|无|不是|不会|不用|并不|不必|零|未)(?:任何)?投诉", "投诉(?:已经?|都已经?)(?:解决|处理)",
  "(?:没有|没|不给|不会给?|不是|不打|无)差评", "不(?:是|算)?(?:太|很|特别|非常)差",
  "(?:没有|没|并没有|并无|无)不满意?", "(?:没有|没|不|并不|从不|不会)(?:感到|觉得)?失望", "不会让(?:你|您|人)失望",
  "(?:不用|不要|不需要|无需|不必|不)(?:要求|申请)?(?:退款|退钱)", "垃圾(?:邮件|箱|短信|桶|分类)", "差(?:不多|价)",
  en("no complaints?"), en("not (?:a )?complain"), en("nothing to complain"), en("(?:can(?:no|['’])?t|couldn['’]?t) complain"),
  en("never complain"), en("without (?:any )?complaints?"), en("no reason to complain"),
  en("complaint (?:has been |was |is )?(?:resolved|handled|sorted|closed)"),
  en("not (?:at all )?disappoint"), en("(?:won['’]?t|will not|never|didn['’]?t|did not) disappoint"),
  en("not (?:unhappy|dissatisfied|unsatisfied)"), en("no (?:need for a )?refund"), en("(?:don['’]?t|do not) (?:need|want) (?:a |the )?refund"),
];

/**
 * Every complaint match contains one of these plain words, so a text without any of them is no
 * complaint: a cheap first test (Postgres runs the full patterns only on the few texts that pass).
 */
export const COMPLAINT_HINT_PATTERN = [
  "投诉", "差", "不满", "失望", "垃圾", "骗子", "坑人", "恶劣", "退款", "退钱", "维权", "消协",
  "complain", "terrible", "awful", "horrible", "appalling", "dreadful", "lousy", "poor", "joke", "worst", "unacceptable",
  "disappoint", "satisf", "happy", "pleased", "rip", "scam", "fed", "money", "refund",
].join("|");

/** A text (prepared as complaintText does) that contains any of these is a complaint... */
export const COMPLAINT_PATTERN = COMPLAINT_TERMS.map(spaced).join("|");
/** ...once every match of this has been replaced by a space. */
export const NOT_COMPLAINT_PATTERN = NOT_COMPLAINT_TERMS.map(spaced).join("|");

const hint = new RegExp(COMPLAINT_HINT_PATTERN);
const complaint = new RegExp(COMPLAINT_PATTERN);
const notComplaint = new RegExp(NOT_COMPLAINT_PATTERN, "g");

/** The form both sides match in: NFKC (full-width letters) and lower case. */
export function complaintText(body: string): string {
  return body.normalize("NFKC").toLowerCase();
}

/** Whether a customer's inbound message reads as a complaint. */
export function isComplaint(body: string): boolean {
  const text = complaintText(body);
  return hint.test(text) && complaint.test(text.replace(notComplaint, " "));
}
