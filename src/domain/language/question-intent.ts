/**
 * Plain questions reps type to the bot ("top 5 clients this quarter", "阿里巴巴的历史记录",
 * "who is at risk?") read into an intent, in English and Simplified Chinese, without any outside
 * service: the same text, time and zone always give the same answer.
 *
 * Each kind of question is a small set of whole-text patterns, so that a question only counts
 * when all of it is understood: "top of the morning", "reporter Acme" and "I am at risk of being
 * late" share words with questions but are not one. Unknown is the answer whenever a question
 * cannot be answered faithfully, and callers then show what the bot can do; a guess that answers
 * a different question would look like an answer.
 *
 * Rules decided here:
 * - Politeness around a question is ignored: "please", "pls", "can you show me", "请", "帮我看看",
 *   "一下", trailing "?"/"？"/"!" and sentence full stops (not the one of "Acme Ltd.").
 * - A period ("this quarter", "最近30天", found by report-period's findPeriod) is cut out before the
 *   question is read. Top and CSAT keep it; a report takes its kind from it ("report for this
 *   quarter" is the quarterly report, "上周报告" the weekly one); a segment ignores it ("new
 *   customers this month" is the new-customer segment). History has no period, and its name is
 *   read with nothing cut out, because companies are called "Year Up" or "今天国际".
 * - Top or segment: superlatives and ranking words ("top", "best", "biggest", "highest value",
 *   "most valuable", "前十大", "价值最高的", "大客户") and counts ("10 high value customers",
 *   "十个高价值客户") rank, so they are top; "high value customers" / "高价值客户" with neither is
 *   the high-value segment. In a ranking "value" means CLV. Only "high value" has a segment, so
 *   other size words ("big customers") rank.
 * - A count outside 1..MAX_TOP makes the question unknown rather than clamped: "top 500" cannot
 *   be shown, and 50 would look like the answer to it. A singular noun without a count asks for
 *   one ("who is our top customer", "哪个客户收入最高").
 * - Two measures that disagree ("highest revenue customers by orders"), a report kind that
 *   disagrees with its period ("weekly report last month") and a report of no calendar kind
 *   ("report", "report for the last 30 days") are unknown.
 * - Bare report adjectives are reports ("monthly", "weekly"); "daily report", "日报" are the digest,
 *   which is the daily summary.
 * - English segments take plural nouns: "new customer" is more likely the start of adding one.
 * - History needs a name: "history", "的历史", "order history", "你最近怎么样" and a name that is
 *   only a period ("本月的记录") are unknown. The name is returned as typed after NFKC, trimmed,
 *   without surrounding quotes; matching it to a customer happens elsewhere.
 * - Text longer than MAX_QUESTION_LENGTH is unknown: no such question is that long, and cutting it
 *   could cut a name in half. A `now` or zone that cannot place a period in time makes a
 *   question that names a period unknown (history, which takes none, is still read); nothing throws.
 *
 * Every pattern is anchored at the start and has at most one open-ended part, followed by a
 * bounded one, so matching time grows linearly with the text.
 */
import { findPeriod, parsePeriod, type ReportPeriod } from "../time/report-period.js";

export type RankMetric = "clv" | "revenue" | "orders";
export type SegmentName = "high-value" | "potential" | "new" | "churn-risk" | "lost";
export type ReportKind = "weekly" | "monthly" | "quarterly" | "yearly";
export type QuestionIntent =
  | { kind: "top"; count?: number; metric?: RankMetric; period?: ReportPeriod }
  | { kind: "history"; customer: string }
  | { kind: "segment"; segment: SegmentName }
  /** `last`: the last complete period ("上月报告", "report for last quarter"), else the current one. */
  | { kind: "report"; report: ReportKind; last?: boolean }
  | { kind: "csat"; period?: ReportPeriod }
  | { kind: "digest" }
  /** "what's closing this month", "本月要成交的单": the pipeline with what is expected to close in the period. */
  | { kind: "closing"; period?: ReportPeriod }
  /** "win rate this quarter", "本季度赢单率": the pipeline with the period's won, lost and win rate. */
  | { kind: "winRate"; period?: ReportPeriod }
  | { kind: "unknown" };

export const MAX_TOP = 50;
export const MAX_QUESTION_LENGTH = 500;

/** Reads a question typed to the bot; never throws. */
export function readQuestion(text: string, now: Date, timeZone: string): QuestionIntent {
  try {
    return read(text, now, timeZone);
  } catch {
    // Placing a period in time throws for an invalid `now` or zone; a period is then no answer.
    return unknown();
  }
}

function read(text: unknown, now: Date, timeZone: string): QuestionIntent {
  if (typeof text !== "string" || text.length > MAX_QUESTION_LENGTH) return unknown();
  const question = tidy(text);
  if (!question) return unknown();
  const digest = readDigest(question);
  if (digest) return digest;
  let found: ReturnType<typeof findPeriod>;
  try {
    found = findPeriod(question, now, timeZone);
  } catch {
    // The question names a period that this `now` or zone cannot place in time, so only a
    // question that takes no period can still be answered.
    return readHistory(question, now, timeZone) ?? unknown();
  }
  const rest = found ? cutOut(question, found.index, found.length) : question;
  const period = found?.period;
  return readTop(rest, period)
    ?? readReport(rest, period)
    ?? readCsat(rest, period)
    ?? readPipeline(rest, period)
    ?? readSegment(rest)
    ?? readHistory(question, now, timeZone)
    ?? unknown();
}

function unknown(): QuestionIntent {
  return { kind: "unknown" };
}

function re(source: string): RegExp {
  return new RegExp(source, "iu");
}

// ---------------------------------------------------------------------------------------------
// Text

/** NFKC so that full-width digits, letters, spaces and "？" read as ASCII. */
function tidy(text: string): string {
  const spaced = text.normalize("NFKC").replace(/\s+/gu, " ").trim();
  return stripTrailing(stripLeading(spaced));
}

const LEAD_EN = re(String.raw`^(?:(?:please|pls|plz|kindly)[ ,]+)?(?:(?:can|could|would|will) you[ ,]+(?:(?:please|pls|plz)[ ,]+)?)?(?:(?:show|display|pull up|bring up|look up)(?: me| us)?[ ,]+|list(?: me| us)?(?: of)?[ ,]+|(?:tell|give|get|find|fetch|send) (?:me|us)[ ,]+|(?:let me|i(?:['’]d| would) like to|i want to|i wanna) (?:see|know|check)[ ,]+)?(?:(?:please|pls|plz)[ ,]+)?`);
/**
 * A one-character verb (看, 查) is only taken after 请/帮我/给我: at the very start it may begin
 * a name (查理科技).
 */
const LEAD_ZH = re(String.raw`^(?:(?:(?:请你?|麻烦你?|劳驾)(?:帮我|帮忙|给我|替我)?|帮我|帮忙|给我|替我|我想|我要)(?:看看|看一下|看下|查看|查询|查一下|查查|查下|显示|列出|列一下|找一下|调出|发一下|说说|知道|看|查|列|找|发|调)?|看看|看一下|看下|查看|查询|查一下|查查|查下|显示一下|显示|列出|列一下|找一下|调出|说说)(?:一下)? ?`);

function stripLeading(text: string): string {
  const afterEnglish = text.slice(LEAD_EN.exec(text)?.[0].length ?? 0);
  return afterEnglish.slice(LEAD_ZH.exec(afterEnglish)?.[0].length ?? 0);
}

/** After NFKC: "？", "！", "，" and "…" have become ASCII. */
const TRAILING_MARKS = new Set([..." ?!。,、;:~"]);
/** Latin words end the text only as whole words ("apples" does not end in "pls"). */
const TRAILING_WORDS = ["please", "pls", "plz", "thank you", "thanks", "thx"];
/** Not 吧, which ends names (网吧, 贴吧). */
const TRAILING_HAN = ["一下", "谢谢", "多谢", "吗", "呢", "啊", "呀"];
/** A full stop after these belongs to the name ("Acme Ltd.", "Acme Co."), not to the sentence. */
const ABBREVIATIONS = new Set(["ltd", "inc", "co", "corp", "llc", "plc", "gmbh", "ag", "sa", "bv", "nv", "pte", "pty", "kk", "bros", "intl", "st"]);

function stripTrailing(text: string): string {
  let end = text.length;
  for (;;) {
    const before = end;
    while (end > 0 && TRAILING_MARKS.has(text[end - 1] ?? "")) end--;
    if (text[end - 1] === "." && !endsWithAbbreviation(text, end - 1)) end--;
    for (const word of TRAILING_WORDS) {
      const start = end - word.length;
      if (start >= 0 && text.slice(start, end).toLowerCase() === word && !/[\p{L}\p{N}]/u.test(text[start - 1] ?? "")) end = start;
    }
    for (const word of TRAILING_HAN) if (text.endsWith(word, end)) end -= word.length;
    if (end === before) return text.slice(0, end);
  }
}

function endsWithAbbreviation(text: string, end: number): boolean {
  let start = end;
  while (start > 0 && /[A-Za-z]/.test(text[start - 1] ?? "")) start--;
  const word = text.slice(start, end).toLowerCase();
  // Initials: the "E." of "A.C.M.E."
  return ABBREVIATIONS.has(word) || (word.length === 1 && text[start - 1] === ".");
}

const CUT_BEFORE = ["the", "for", "in", "of", "over", "during", "within", "from", "since", "across"];

/**
 * The question without its period, and without the words that only tied the period in:
 * "report for this quarter" -> "report", "本季度的前十大客户" -> "前十大客户".
 */
function cutOut(text: string, index: number, length: number): string {
  let before = text.slice(0, index).trimEnd();
  // At most two words, as in "in the": an article, and before it a preposition.
  for (let i = 0; i < 2; i++) {
    const lower = before.toLowerCase();
    const word = CUT_BEFORE.find((w) => lower === w || lower.endsWith(` ${w}`));
    if (word) before = before.slice(0, before.length - word.length).trimEnd();
  }
  let after = text.slice(index + length).trimStart().replace(/^(?:['’]s\b|的|so far\b|to date\b) ?/iu, "");
  // "前十大客户(本季度)" leaves empty brackets.
  if (before.endsWith("(") && after.startsWith(")")) {
    before = before.slice(0, -1).trimEnd();
    after = after.slice(1).trimStart();
  }
  if (!before || !after) return before || after;
  // Chinese is written without spaces: "前十大本季度客户" joins back to "前十大客户".
  const joiner = /\p{sc=Han}/u.test(before.slice(-1)) || /\p{sc=Han}/u.test(after.slice(0, 1)) ? "" : " ";
  return `${before}${joiner}${after}`;
}

// ---------------------------------------------------------------------------------------------
// Digest

const DIGEST = [
  re(String.raw`^(?:(?:the|my|our|today|today['’]?s|this morning['’]s) )?(?:(?:morning|daily|day['’]s) )?(?:digest|briefing)(?: for today)?$`),
  re(String.raw`^(?:(?:the|my|our|today['’]?s) )?daily (?:report|summary)$`),
  re(String.raw`^(?:今日|今天|每日|每天|当日)?的?(?:简报|晨报|早报|日报)$`),
  re(String.raw`^(?:今日|今天|每日|每天)的?摘要$`),
];

function readDigest(text: string): QuestionIntent | undefined {
  return DIGEST.some((pattern) => pattern.test(text)) ? { kind: "digest" } : undefined;
}

// ---------------------------------------------------------------------------------------------
// Pipeline

const CLOSING = [
  re(String.raw`^(?:(?:what|which deals?|which ones)(?:['’]s| is| are)? )?(?:(?:my|our|the) )?(?:deals? )?(?:(?:are|is) )?(?:closing|(?:expected|due|set|going|about) to close)(?: soon)?$`),
  re(String.raw`^(?:(?:my|our|the) )?(?:closing|expected) deals$`),
  re(String.raw`^(?:我的|我们的)?(?:要|将要|即将|预计|快要|准备|能)?成交的(?:单子?|订单|商机|交易|生意)$`),
  re(String.raw`^(?:哪些|有哪些|哪几个)(?:单子?|商机|交易)(?:要|将要|即将|预计|快要|能)成交$`),
];
const WIN_RATE = [
  re(String.raw`^(?:(?:what|how)(?:['’]s| is| was| are) )?(?:(?:our|my|the) )?(?:win rate|win ratio|close rate|closing rate|win[- ]loss ratio)$`),
  re(String.raw`^(?:我的|我们的)?(?:赢单率|成交率|胜率|赢率)(?:是多少|多少|怎么样|如何)?$`),
];

function readPipeline(text: string, period: ReportPeriod | undefined): QuestionIntent | undefined {
  const kind = CLOSING.some((p) => p.test(text)) ? "closing" : WIN_RATE.some((p) => p.test(text)) ? "winRate" : undefined;
  if (!kind) return undefined;
  return period ? { kind, period } : { kind };
}

// ---------------------------------------------------------------------------------------------
// Top

const EN_COUNT = String.raw`\d+|twenty-five|twenty|twelve|eleven|fifteen|fifty|forty|thirty|one|two|three|four|five|six|seven|eight|nine|ten`;
const EN_COUNT_WORDS: Readonly<Record<string, number>> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, fifteen: 15, twenty: 20, "twenty-five": 25, thirty: 30, forty: 40, fifty: 50,
};
const ZH_COUNT = String.raw`\d+|[一二两三四五六七八九十]{1,3}`;
const ZH_DIGITS: Readonly<Record<string, number>> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

const EN_ASK = String.raw`(?:(?:who|what|which) (?:are|is|were|was) |(?:who|what)['’]s |list (?:of )?)?(?:(?:our|my|the|all) ){0,2}`;
const EN_RANK = String.raw`most valuable|highest[- ]?valued?|top[- ]value|highest[- ](?:revenue|spending|grossing|paying|clv|ltv)|(?:top|biggest)[- ](?:spending|grossing|paying)|top|best|biggest|largest|big`;
const EN_NOUN = "customers|customer|clients|client|accounts|account";
const EN_METRIC = "customer lifetime value|lifetime value|customer value|clv|ltv|value|revenue|sales|spending|spend|turnover|total spent|amount spent|number of orders|order count|order volume|orders|purchases";
const EN_HIGH_VALUE = "high[- ]?value";

const TOP_EN = re(String.raw`^${EN_ASK}(?:(?<rank>${EN_RANK})(?: ?(?<count>${EN_COUNT}))?|(?<countFirst>${EN_COUNT}) (?<rankAfter>${EN_RANK})|(?<countOnly>${EN_COUNT})(?= ${EN_HIGH_VALUE} ))(?: (?<highValue>${EN_HIGH_VALUE}))?(?: ?(?<noun>${EN_NOUN}|spenders|spender|客户))?(?: (?:by|on|in terms of|ranked by|sorted by|based on) (?<metric>${EN_METRIC}))?$`);
const TOP_EN_WITH_MOST = re(String.raw`^${EN_ASK}(?:(?<count>${EN_COUNT}) )?(?<noun>${EN_NOUN}) (?:with|by) (?:the )?(?:most|highest|biggest|largest|top) (?<metric>${EN_METRIC})$`);
const TOP_EN_RANKING = re(String.raw`^(?:(?:rank|ranking of|ranked) (?:(?:our|the|all) )?(?:customers|clients|accounts)|(?:(?:our|the) )?(?:customer|client|account) (?:ranking|rankings|leaderboard))(?: by (?<metric>${EN_METRIC}))?$`);
const TOP_EN_WHO = re(String.raw`^(?:who|which (?<noun>${EN_NOUN}))(?: (?:has|have|did))? (?<verb>spent|spends|spend|paid|pays|pay|ordered|orders|order) the most$`);

const ZH_METRIC = "客户终身价值|终身价值|生命周期价值|客户价值|价值|clv|ltv|消费金额|消费额|销售额|营业额|成交额|收入|营收|销售|消费|收益|金额|花费|花钱|订单数量|订单数|订单量|订单|下单次数|下单量|下单|购买次数|采购次数";
const ZH_ASK = "(?:谁是|哪些是|哪几家是|列出)?(?:我们|咱们|公司|我)?的?";
const ZH_TAIL = "(?:有哪些|有谁|是谁|是哪些|是哪几家|名单|列表|清单|排名|排行榜?)?";
const ZH_NOUN = "(?:客户|顾客)";
const ZH_MEASURE = "(?:个|家|名|位)";

const TOP_ZH = [
  // 前十大客户, 前5名客户, 按收入排名前十的客户, 前10位高价值客户
  re(String.raw`^${ZH_ASK}(?:按?(?<metric>${ZH_METRIC})(?:排名|排序|排行)?)?(?:排名|排行)?前(?<count>${ZH_COUNT})(?:名|大|位|个|家)?的?(?<highValue>高价值)?的?${ZH_NOUN}(?:按(?<metricAfter>${ZH_METRIC})(?:排名|排序|排行)?)?${ZH_TAIL}$`),
  // 十大客户, 大客户
  re(String.raw`^${ZH_ASK}(?:(?<count>${ZH_COUNT})${ZH_MEASURE}?)?大${ZH_NOUN}${ZH_TAIL}$`),
  // 收入最高的客户, 订单最多的10个客户, 价值最高的客户
  re(String.raw`^${ZH_ASK}(?<metric>${ZH_METRIC})最(?:高|多|大)的?(?:(?<count>${ZH_COUNT})${ZH_MEASURE})?${ZH_NOUN}${ZH_TAIL}$`),
  // 最有价值的客户, 最大的客户
  re(String.raw`^${ZH_ASK}最(?:(?<valuable>有价值|值钱)|大|重要|优质)的?(?:(?<count>${ZH_COUNT})${ZH_MEASURE})?${ZH_NOUN}${ZH_TAIL}$`),
  // 十个高价值客户: a count makes the segment a ranking.
  re(String.raw`^${ZH_ASK}(?<count>${ZH_COUNT})${ZH_MEASURE}(?<highValue>高价值)的?${ZH_NOUN}${ZH_TAIL}$`),
  // 哪个客户收入最高, 谁的订单最多
  re(String.raw`^(?:(?<one>哪个|哪家)|哪些|哪几个|哪几家|谁)${ZH_NOUN}?的?(?<metric>${ZH_METRIC})最(?:高|多|大)$`),
  // 客户排名, 客户收入排行榜
  re(String.raw`^${ZH_NOUN}(?:按?(?<metric>${ZH_METRIC}))?(?:排名|排行榜?|榜单)$`),
];

/** Undefined when the text is not a ranking question; unknown when it is one that cannot be answered. */
function readTop(text: string, period: ReportPeriod | undefined): QuestionIntent | undefined {
  const english = readTopEnglish(text);
  const ranking = english ?? readTopChinese(text);
  if (!ranking) return undefined;
  const { count, metrics } = ranking;
  if (count !== undefined && !(Number.isInteger(count) && count >= 1 && count <= MAX_TOP)) return unknown();
  const distinct = [...new Set(metrics.filter((m): m is RankMetric => m !== undefined))];
  if (distinct.length > 1) return unknown();
  const intent: Extract<QuestionIntent, { kind: "top" }> = { kind: "top" };
  if (count !== undefined) intent.count = count;
  if (distinct[0]) intent.metric = distinct[0];
  if (period) intent.period = period;
  return intent;
}

interface Ranking {
  /** NaN for a count that is written but not a number we read. */
  count: number | undefined;
  /** Every measure the question named or implied; they must agree. */
  metrics: Array<RankMetric | undefined>;
}

function readTopEnglish(text: string): Ranking | undefined {
  let g = TOP_EN.exec(text)?.groups;
  if (g) {
    const rank = (g.rank ?? g.rankAfter ?? "").toLowerCase();
    // "top 5" and "top" stand for "top customers"; "best" alone is not a question.
    if (!g.noun && rank !== "top") return undefined;
    const count = englishCount(g.count ?? g.countFirst ?? g.countOnly) ?? singular(g.noun);
    return {
      count,
      metrics: [rankMetric(rank), g.highValue ? "clv" : undefined, /spender/iu.test(g.noun ?? "") ? "revenue" : undefined, metricOf(g.metric)],
    };
  }
  g = TOP_EN_WITH_MOST.exec(text)?.groups;
  if (g) return { count: englishCount(g.count) ?? singular(g.noun), metrics: [metricOf(g.metric)] };
  g = TOP_EN_RANKING.exec(text)?.groups;
  if (g) return { count: undefined, metrics: [metricOf(g.metric)] };
  g = TOP_EN_WHO.exec(text)?.groups;
  if (g) return { count: singular(g.noun), metrics: [/order/iu.test(g.verb ?? "") ? "orders" : "revenue"] };
  return undefined;
}

function readTopChinese(text: string): Ranking | undefined {
  for (const pattern of TOP_ZH) {
    const g = pattern.exec(text)?.groups;
    if (!g) continue;
    return {
      count: g.one ? 1 : chineseCount(g.count),
      metrics: [metricOf(g.metric), metricOf(g.metricAfter), g.highValue || g.valuable ? "clv" : undefined],
    };
  }
  return undefined;
}

function rankMetric(rank: string): RankMetric | undefined {
  if (/valu|clv|ltv/u.test(rank)) return "clv";
  if (/revenue|spending|grossing|paying/u.test(rank)) return "revenue";
  return undefined;
}

function metricOf(word: string | undefined): RankMetric | undefined {
  if (word === undefined) return undefined;
  if (/order|purchase|订单|下单|购买|采购/iu.test(word)) return "orders";
  if (/valu|clv|ltv|价值/iu.test(word)) return "clv";
  return "revenue";
}

function englishCount(word: string | undefined): number | undefined {
  if (word === undefined) return undefined;
  return /^\d+$/u.test(word) ? Number(word) : EN_COUNT_WORDS[word.toLowerCase()] ?? Number.NaN;
}

/** "our top customer" asks for one. */
function singular(noun: string | undefined): number | undefined {
  return noun !== undefined && /^(?:customer|client|account|spender)$/iu.test(noun) ? 1 : undefined;
}

/** 一 to 九十九 as counts are written ("十", "十五", "二十", "五十"); NaN for anything else. */
function chineseCount(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (/^\d+$/u.test(text)) return Number(text);
  const ten = text.indexOf("十");
  if (ten === -1) return text.length === 1 ? ZH_DIGITS[text] ?? Number.NaN : Number.NaN;
  const tens = text.slice(0, ten);
  const ones = text.slice(ten + 1);
  if (tens.length > 1 || ones.length > 1) return Number.NaN;
  const tensValue = tens ? ZH_DIGITS[tens] : 1;
  const onesValue = ones ? ZH_DIGITS[ones] : 0;
  return tensValue === undefined || onesValue === undefined ? Number.NaN : tensValue * 10 + onesValue;
}

// ---------------------------------------------------------------------------------------------
// Reports

const REPORT_EN = re(String.raw`^(?:(?:the|our|my) )?(?:(?<adjective>weekly|monthly|quarterly|yearly|annual)(?: (?:sales |crm |team )?reports?)?|(?:sales |crm |team )?reports?)$`);
const REPORT_ZH = re(String.raw`^(?:(?<short>周|月|季|年)报|(?<long>周|周度|每周|月|月度|每月|季度|季|每季度|每季|年度|年|每年)的?(?:报告|报表|总结)|报告|报表)$`);

const REPORT_WORDS: Readonly<Record<string, ReportKind>> = {
  weekly: "weekly", monthly: "monthly", quarterly: "quarterly", yearly: "yearly", annual: "yearly",
  周: "weekly", 周度: "weekly", 每周: "weekly",
  月: "monthly", 月度: "monthly", 每月: "monthly",
  季: "quarterly", 季度: "quarterly", 每季度: "quarterly", 每季: "quarterly",
  年: "yearly", 年度: "yearly", 每年: "yearly",
};

const REPORT_OF_PERIOD: Readonly<Partial<Record<ReportPeriod["label"]["key"], ReportKind>>> = {
  thisWeek: "weekly", lastWeek: "weekly",
  thisMonth: "monthly", lastMonth: "monthly",
  thisQuarter: "quarterly", lastQuarter: "quarterly",
  thisYear: "yearly", lastYear: "yearly",
};

/**
 * A report's kind comes from its adjective or its period. The kind names the report, not the
 * span: which week the weekly report covers is the report's business.
 */
function readReport(text: string, period: ReportPeriod | undefined): QuestionIntent | undefined {
  const g = REPORT_EN.exec(text)?.groups ?? REPORT_ZH.exec(text)?.groups;
  if (!g) return undefined;
  const word = (g.adjective ?? g.short ?? g.long)?.toLowerCase();
  const named = word === undefined ? undefined : REPORT_WORDS[word];
  const ofPeriod = period && REPORT_OF_PERIOD[period.label.key];
  if (period && !ofPeriod) return unknown();
  if (named && ofPeriod && named !== ofPeriod) return unknown();
  const report = named ?? ofPeriod;
  if (!report) return unknown();
  return period?.label.key.startsWith("last") ? { kind: "report", report, last: true } : { kind: "report", report };
}

// ---------------------------------------------------------------------------------------------
// CSAT

const CSAT = [
  re(String.raw`^(?:(?:what|how)(?:['’]s| is| are| was| were) )?(?:(?:our|the|my) )?(?:customer |client )?(?:csat|nps|satisfaction|net promoter score)(?: (?:score|scores|rating|ratings|results?|survey results?|surveys?|level|trend))?(?: (?:doing|looking|trending))?$`),
  re(String.raw`^how (?:satisfied|happy) (?:are|were) (?:(?:our|the|my) )?(?:customers|clients)(?: with us)?$`),
  re(String.raw`^are (?:(?:our|the) )?(?:customers|clients) (?:happy|satisfied)$`),
  re(String.raw`^的?${ZH_NOUN}?(?:满意度|满意率|nps|净推荐值|csat)(?:评分|得分|分数|调查结果|调查|数据|情况)?(?:最近)?(?:怎么样|如何|多少|是多少|高不高|好不好)?$`),
  re(String.raw`^${ZH_NOUN}(?:满意|满不满意|是否满意)$`),
];

function readCsat(text: string, period: ReportPeriod | undefined): QuestionIntent | undefined {
  if (!CSAT.some((pattern) => pattern.test(text))) return undefined;
  return period ? { kind: "csat", period } : { kind: "csat" };
}

// ---------------------------------------------------------------------------------------------
// Segments

const EN_LIST = String.raw`(?:(?:who|what|which) (?:are|were) |(?:who|what)['’]re |list (?:of )?|any )?(?:(?:our|my|the|all) ){0,2}`;
const EN_PLURAL = "(?:customers|clients|accounts)";
const EN_WHO = String.raw`(?:who|which ${EN_PLURAL}|which ones)`;
const EN_CHURN = String.raw`(?:churn|leave(?: us)?)`;
const EN_OF_CHURNING = String.raw`(?: of (?:churning|churn|leaving(?: us)?|being lost))?`;
const ZH_LIST = "(?:哪些是|谁是|有哪些|列出|所有的?)?(?:我们|咱们)?的?";
const ZH_WHICH = `(?:谁|哪些${ZH_NOUN}|哪个${ZH_NOUN}|哪家${ZH_NOUN}|哪些|有哪些${ZH_NOUN})`;

const SEGMENTS: ReadonlyArray<readonly [RegExp, SegmentName]> = [
  [re(String.raw`^${EN_LIST}(?:${EN_HIGH_VALUE}|valuable) ${EN_PLURAL}$`), "high-value"],
  [re(String.raw`^${EN_LIST}(?:(?:potential|prospective) ${EN_PLURAL}|prospects)$`), "potential"],
  [re(String.raw`^${EN_LIST}(?:new|newly (?:signed|acquired|added)) ${EN_PLURAL}$`), "new"],
  [re(String.raw`^${EN_LIST}(?:lost|churned|former) ${EN_PLURAL}$`), "lost"],
  [re(String.raw`^${EN_WHO} (?:have we lost|did we lose|we(?:['’]ve| have)? lost|(?:has |have )?churned)$`), "lost"],
  [re(String.raw`^${EN_LIST}${EN_PLURAL} (?:we(?:['’]ve| have)? lost|(?:that|who) (?:have )?churned)$`), "lost"],
  [re(String.raw`^${EN_LIST}(?:at[- ]risk|churn[- ]risk|high[- ]risk|churning|risky) ${EN_PLURAL}$`), "churn-risk"],
  [re(String.raw`^${EN_LIST}${EN_PLURAL} (?:at (?:churn )?risk|in danger)${EN_OF_CHURNING}$`), "churn-risk"],
  [re(String.raw`^${EN_LIST}${EN_PLURAL} (?:(?:that|who) )?(?:(?:might|may|could|will|would) |(?:(?:are|is) )?(?:likely|about|going) to )${EN_CHURN}$`), "churn-risk"],
  // "who is at risk" is the standard short question; "at risk of being late" is about something else.
  [re(String.raw`^${EN_WHO}(?:['’]s| is| are)? (?:(?:currently|now|still) )?at (?:churn )?risk${EN_OF_CHURNING}$`), "churn-risk"],
  [re(String.raw`^${EN_WHO}(?: (?:might|may|could|will|would)| (?:is|are) (?:likely|about|going) to|['’]s (?:likely|about|going) to) ${EN_CHURN}$`), "churn-risk"],
  [re(String.raw`^${EN_WHO}(?:['’]s| is| are) churning$`), "churn-risk"],
  [re(String.raw`^churn[- ]?risk(?: list)?$`), "churn-risk"],

  [re(`^${ZH_LIST}高价值的?${ZH_NOUN}${ZH_TAIL}$`), "high-value"],
  [re(`^${ZH_LIST}(?:潜在的?${ZH_NOUN}|潜客|意向${ZH_NOUN})${ZH_TAIL}$`), "potential"],
  [re(`^${ZH_LIST}(?:(?:新|新增|新签)的?${ZH_NOUN}|新客)${ZH_TAIL}$`), "new"],
  [re(`^${ZH_LIST}(?:(?:已经?)?流失了?的?|(?:丢失|失去|丢掉)的)${ZH_NOUN}${ZH_TAIL}$`), "lost"],
  [re(`^(?:哪些${ZH_NOUN}|哪些|谁)(?:已经)?流失了$`), "lost"],
  [re(`^${ZH_LIST}(?:有?流失风险|高?风险|(?:可能|即将|快要|容易)流失)的?${ZH_NOUN}${ZH_TAIL}$`), "churn-risk"],
  [re(`^${ZH_WHICH}(?:有|存在|面临|可能有)流失(?:的?风险|可能)$`), "churn-risk"],
  [re(`^${ZH_WHICH}(?:可能|会|要|快要|即将|可能会|有可能)流失$`), "churn-risk"],
];

function readSegment(text: string): QuestionIntent | undefined {
  const hit = SEGMENTS.find(([pattern]) => pattern.test(text));
  return hit ? { kind: "segment", segment: hit[1] } : undefined;
}

// ---------------------------------------------------------------------------------------------
// History

const EN_HISTORY_WORD = "history|timeline|interaction history|interactions|activity history|activity timeline";
const HISTORY = [
  re(String.raw`^(?:the )?(?:(?:full|complete|whole|recent|latest) )?(?:${EN_HISTORY_WORD})(?: (?:of|for|with|on|about))? (?<name>.+)$`),
  re(String.raw`^(?<name>.+?)(?:['’]s)? (?:${EN_HISTORY_WORD})$`),
  re(String.raw`^what(?:['’]s| has| is| has been|['’]s been)? (?:happened|happening|going on|new|the latest) (?:with|to|at|for|on) (?<name>.+?)(?: lately| recently)?$`),
  re(String.raw`^(?<name>.+?)(?:的|之)?(?:历史记录|历史|(?:往来|互动|沟通|跟进|联系|交易|订单|通话|聊天|购买)?记录|时间线|近况|最新动态|最近动态|最新情况)$`),
  re(String.raw`^(?<name>.+?)(?:最近|近来|近期|这段时间)(?:怎么样了?|如何|情况(?:怎么样|如何)?|有什么(?:动态|进展|新情况|消息))$`),
];

/** What stands where a name would, in "order history", "the history", "你最近怎么样": not a customer. */
const NOT_NAMES = new Set([
  "", "a", "an", "the", "my", "our", "your", "it", "this", "that", "them", "they", "me", "you", "us", "we", "i", "all", "everything",
  "everyone", "everybody", "things", "customer", "customers", "client", "clients", "account", "accounts",
  "order", "orders", "chat", "message", "messages", "search", "browser", "browsing", "purchase", "purchases",
  "call", "calls", "payment", "payments", "transaction", "transactions", "interaction", "interactions",
  "activity", "login", "edit", "version", "change", "changes", "command", "commands", "survey", "surveys",
  "deal", "deals", "company", "history", "timeline", "full", "complete", "whole", "recent", "latest",
  "of", "for", "with", "on", "about", "to", "at",
  "你", "您", "我", "我们", "咱们", "他", "她", "它", "他们", "她们", "它们", "大家", "客户", "顾客",
  "所有客户", "这个客户", "那个客户", "该客户", "生意", "业务", "销售", "公司", "订单", "聊天", "消息",
  "搜索", "浏览", "操作", "登录", "系统", "通话", "沟通", "跟进", "联系", "交易", "付款", "支付", "购买",
  "互动", "往来", "修改", "变更", "满意度", "情况", "事情", "一切", "最近", "最新", "工作", "团队", "市场",
  "历史", "记录",
]);

const QUOTES: ReadonlyArray<readonly [string, string]> = [
  ['"', '"'], ["“", "”"], ["「", "」"], ["『", "』"], ["'", "'"], ["‘", "’"], ["《", "》"], ["«", "»"], ["„", "“"],
];

function readHistory(text: string, now: Date, timeZone: string): QuestionIntent | undefined {
  for (const pattern of HISTORY) {
    const name = pattern.exec(text)?.groups?.name;
    if (name === undefined) continue;
    const customer = cleanName(name);
    // A name that is a period ("本月的记录") asks about a time, which history does not take.
    if (!isName(customer) || parsePeriod(customer, now, timeZone)) return unknown();
    return { kind: "history", customer };
  }
  return undefined;
}

function cleanName(name: string): string {
  let clean = name.trim().replace(/(?:的|之)$/u, "").trim();
  for (const [open, close] of QUOTES) {
    if (clean.length >= open.length + close.length && clean.startsWith(open) && clean.endsWith(close)) {
      clean = clean.slice(open.length, clean.length - close.length).trim();
      break;
    }
  }
  return clean;
}

function isName(name: string): boolean {
  if (!/[\p{L}\p{N}]/u.test(name)) return false;
  const bare = name.toLowerCase().replace(/^(?:the|my|our|your|this|that) /u, "");
  return !NOT_NAMES.has(bare) && !NOT_NAMES.has(name.toLowerCase());
}
