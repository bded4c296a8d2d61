import { z } from "zod";
import { MAX_TAG_LENGTH, takeTagFilters } from "../domain/customers/customer-fields.js";
import { invalidInput } from "../domain/errors.js";
import type { RankMetric } from "../domain/language/question-intent.js";
import { parsePeriod, type ReportPeriod } from "../domain/time/report-period.js";
import type { Button, Outcome } from "../reply/reply.js";
import { textMessage } from "../reply/reply.js";
import type { ActionHandler, CommandContext, CommandDefinition } from "./types.js";
import { periodLabel, spanText } from "./views/report.js";
import { shareButton } from "./views/share.js";

export const DEFAULT_TOP = 10;
export const MAX_TOP = 50;

export interface TopOptions {
  count?: number;
  metric?: RankMetric;
  period?: ReportPeriod;
  /** Only customers with all of these tags ("tag vip", "标签 vip"). */
  tags?: string[];
}

/** "by revenue", "by orders", "by clv" / "by value", and 按收入, 按订单, 按价值 (Chinese needs no spaces around it). */
const METRIC = /(?:^|\s)by\s+(\S+)(?=\s|$)|按\s*(终身价值|客户价值|价值|收入|销售额|金额|订单数|订单|[^\s\d]+)/iu;
const METRIC_WORDS: Readonly<Record<string, RankMetric>> = {
  clv: "clv", value: "clv", ltv: "clv", revenue: "revenue", sales: "revenue", orders: "orders", order: "orders",
  价值: "clv", 终身价值: "clv", 客户价值: "clv", 收入: "revenue", 销售额: "revenue", 金额: "revenue", 订单: "orders", 订单数: "orders",
};

/**
 * "/top [n] [by clv|revenue|orders] [period]", in any order after the count: "/top 5 by revenue
 * this quarter", "/top by orders last 90 days", "/top 10 本季度 按收入". A leading number is the
 * count unless the whole rest reads as a period ("/top 30 days" is the last 30 days).
 */
export function parseTopText(text: string, now: Date = new Date(), timeZone = "UTC"): TopOptions {
  const filters = takeTagFilters(text.trim());
  let rest = filters.text;
  const options: TopOptions = filters.tags.length > 0 ? { tags: filters.tags } : {};
  const metric = METRIC.exec(rest);
  if (metric) {
    const word = (metric[1] ?? metric[2] ?? "").toLowerCase();
    const known = METRIC_WORDS[word];
    if (!known) throw invalidInput("top.badMetric", { metric: word.slice(0, 40) });
    options.metric = known;
    rest = `${rest.slice(0, metric.index)} ${rest.slice(metric.index + metric[0].length)}`.trim();
  }
  if (!options.metric) {
    // "/top 5 revenue" reads as well as "/top 5 by revenue".
    const words = rest.split(/\s+/);
    const bare = words.findIndex((w) => METRIC_WORDS[w.toLowerCase()] !== undefined);
    if (bare >= 0) {
      options.metric = METRIC_WORDS[words[bare]!.toLowerCase()]!;
      rest = words.filter((_, i) => i !== bare).join(" ");
    }
  }
  if (!rest) return options;
  const whole = parsePeriod(rest, now, timeZone);
  if (whole) return { ...options, period: whole };
  const [first = "", ...others] = rest.split(/\s+/);
  const tail = others.join(" ");
  if (/^[+-]?\d[\d.,e+-]*$/i.test(first) || (!tail && !options.metric)) {
    if (!/^\d+$/.test(first) || Number(first) < 1 || Number(first) > MAX_TOP) throw invalidInput("top.badCount", { value: first.slice(0, 40), max: MAX_TOP });
    options.count = Number(first);
    if (!tail) return options;
    const period = parsePeriod(tail, now, timeZone);
    if (!period) throw invalidInput("top.badInput", { text: tail.slice(0, 60) });
    return { ...options, period };
  }
  throw invalidInput("top.badInput", { text: rest.slice(0, 60) });
}

const TITLES: Readonly<Record<RankMetric, "top.title" | "top.title.revenue" | "top.title.orders">> = {
  clv: "top.title", revenue: "top.title.revenue", orders: "top.title.orders",
};

const BASIS: Readonly<Record<RankMetric, "top.basis.clv" | "top.basis.revenue" | "top.basis.orders">> = {
  clv: "top.basis.clv", revenue: "top.basis.revenue", orders: "top.basis.orders",
};

/**
 * The ranking as a reply; the plain-question handler shows the same view. Without a measure,
 * a ranking over a period ("top 5 clients this quarter") ranks by that period's revenue, and a
 * lifetime one by CLV; the reply says which, and for which span.
 */
export async function showTop(ctx: CommandContext, options: TopOptions = {}): Promise<Outcome> {
  const period = options.period;
  const metric = options.metric ?? (period ? "revenue" : "clv");
  const count = options.count ?? DEFAULT_TOP;
  // One more than shown (not shown, not audited) says whether the ranking goes on, without counting every customer.
  const tags = options.tags ?? [];
  const fetched = await ctx.services.listTopCustomers(ctx.rep, { count, lookAhead: 1, metric, ...(period ? { period: { from: period.from, to: period.to } } : {}), ...(tags.length > 0 ? { tags } : {}) });
  const ranked = fetched.slice(0, count);
  const more = moreOf(ctx, options, count, fetched.length > count);
  const base = ctx.services.settings.baseCurrency;
  const label = period ? periodLabel(ctx, period) : undefined;
  const taggedNote = tags.length > 0 ? ctx.t("top.tagged", { tags: ctx.f.list(tags) }) : undefined;
  if (ranked.length === 0) {
    const empty = label ? ctx.t("top.emptyPeriod", { period: label }) : ctx.t("top.empty");
    return textMessage(taggedNote ? `${empty} ${taggedNote}` : empty);
  }
  const title = label ? ctx.t(metric === "clv" ? "top.title.clvPeriod" : "top.title.period", { title: ctx.t(TITLES[metric]), period: label }) : ctx.t(TITLES[metric]);
  const owner = (name: string | null) => name ?? ctx.t("card.noOwner");
  const clv = (c: { clv: number; earlyEstimate: boolean }) => (c.earlyEstimate ? `${ctx.f.money(c.clv, base)} (${ctx.t("clv.early")})` : ctx.f.money(c.clv, base));
  const early = ranked.some((c) => c.earlyEstimate);
  return {
    kind: "message",
    message: {
      visibility: "private",
      summary: title,
      blocks: [
        { type: "header", text: title },
        ...(period && label ? [{
          type: "context" as const,
          text: ctx.t(BASIS[metric], { period: label, span: spanText(ctx, { from: period.from, to: period.to }, period.to.getTime() > ctx.now.getTime() ? ctx.now : undefined) }),
        }] : []),
        ...(taggedNote ? [{ type: "context" as const, text: taggedNote }] : []),
        {
          type: "list",
          items: ranked.map((c, i) => ({
            title: `${i + 1}. ${c.name}`,
            detail: c.inPeriod
              ? ctx.t("top.itemPeriod", {
                revenue: ctx.f.money(c.inPeriod.revenue, base), orders: ctx.f.number(c.inPeriod.orders, 0), clv: clv(c), owner: owner(c.ownerName),
              })
              : ctx.t("top.item", { clv: clv(c), revenue: ctx.f.money(c.totalSpent, base), orders: ctx.f.number(c.orderCount, 0), owner: owner(c.ownerName) }),
            button: { label: ctx.t("button.open"), action: { id: "customer.show", value: c.id } },
          })),
        },
        ...(early ? [{ type: "context" as const, text: ctx.t("clv.earlyNote", { months: ctx.services.settings.clvMinObservationMonths }) }] : []),
        ...(more ? [{ type: "context" as const, text: more.text }] : []),
        { type: "buttons", buttons: [...(more?.button ? [more.button] : []), shareButton(ctx, { id: "top.show", value: JSON.stringify(shareValue(options)) })] },
      ],
    },
  };
}

/** A cut ranking says so: "Showing the top 10 — “More” below shows the top 20", up to MAX_TOP. */
function moreOf(ctx: CommandContext, options: TopOptions, count: number, cut: boolean): { text: string; button?: Button } | undefined {
  if (!cut) return undefined;
  if (count >= MAX_TOP) return { text: ctx.t("top.moreMax", { count, max: MAX_TOP }) };
  const next = Math.min(count * 2, MAX_TOP);
  const label = ctx.t("button.more");
  return {
    text: ctx.t("top.more", { count, next, button: label }),
    button: { label, action: { id: "top.show", value: JSON.stringify(shareValue({ ...options, count: next })) } },
  };
}

/** What the share button re-runs: the period is kept as its instants, so a shared list shows what the rep saw. */
function shareValue(options: TopOptions) {
  return {
    ...(options.count ? { n: options.count } : {}),
    ...(options.metric ? { m: options.metric } : {}),
    ...(options.period ? { p: { k: options.period.label.key, d: options.period.label.days, f: options.period.from.getTime(), t: options.period.to.getTime() } } : {}),
    ...(options.tags?.length ? { g: options.tags } : {}),
  };
}

const shared = z.object({
  n: z.number().int().min(1).max(MAX_TOP).optional(),
  m: z.enum(["clv", "revenue", "orders"]).optional(),
  p: z.object({
    k: z.enum(["today", "yesterday", "thisWeek", "lastWeek", "thisMonth", "lastMonth", "thisQuarter", "lastQuarter", "thisYear", "lastYear", "lastDays"]),
    d: z.number().int().positive().optional(),
    f: z.number().int(),
    t: z.number().int(),
  }).optional(),
  g: z.array(z.string().min(1).max(MAX_TAG_LENGTH)).max(10).optional(),
});

function readShared(value: string): TopOptions {
  // Buttons made before periods existed carry the bare count.
  if (/^\d+$/.test(value)) return parseTopText(value);
  const v = shared.parse(JSON.parse(value));
  return {
    ...(v.n ? { count: v.n } : {}),
    ...(v.m ? { metric: v.m } : {}),
    ...(v.g ? { tags: v.g } : {}),
    ...(v.p ? { period: { label: { key: v.p.k, ...(v.p.d ? { days: v.p.d } : {}) }, from: new Date(v.p.f), to: new Date(v.p.t), previous: { from: new Date(v.p.f), to: new Date(v.p.f) } } } : {}),
  };
}

export const topCommand: CommandDefinition = {
  name: "top",
  help: [{ usage: ["/top [n]", "/top [n] [by clv|revenue|orders] [period] [tag <tag>]"], description: "help.top", examples: ["/top 5 by revenue this quarter", "/top by orders last 90 days", "/top 10 本季度 按收入", "/top 10 tag vip"] }],
  run: (ctx, text) => showTop(ctx, parseTopText(text, ctx.now, ctx.timezone)),
};

export const topActions: Record<string, ActionHandler> = {
  "top.show": (ctx, value) => showTop(ctx, readShared(value)),
};
