import { SEGMENT_NAMES, SEGMENT_RULES, STAGE_SCAN_AT, type SegmentName } from "../../domain/customers/customer-segments.js";
import type { Block, Outcome } from "../../reply/reply.js";
import type { SegmentCounts, SegmentListing } from "../../services/index.js";
import type { CommandContext } from "../types.js";
import { noPageText, offsetOf, pageNote } from "./list-page.js";
import { shareButton } from "./share.js";
import { stageReasonText } from "./stage-reason.js";

export const segmentLabel = (ctx: Pick<CommandContext, "t">, segment: SegmentName): string => ctx.t(`segment.name.${segment}`);

/** What puts a customer in a segment, with the thresholds it is decided by. */
export function segmentAbout(ctx: Pick<CommandContext, "t">, segment: SegmentName): string {
  const r = SEGMENT_RULES;
  switch (segment) {
    case "high-value":
      return ctx.t("segment.about.high-value", { min: r.HIGH_QUINTILE });
    case "potential":
      return ctx.t("segment.about.potential", { count: r.ENGAGED_INTERACTIONS, days: r.ENGAGED_WINDOW_DAYS });
    case "new":
      return ctx.t("segment.about.new", { days: r.NEW_DAYS });
    case "churn-risk":
      return ctx.t("segment.about.churn-risk", { factor: r.GAP_FACTOR, slowDays: r.SLOWING_WINDOW_DAYS, complaints: r.COMPLAINTS_FOR_RISK, complaintDays: r.COMPLAINT_WINDOW_DAYS });
    case "lost":
      return ctx.t("segment.about.lost", { days: r.LOST_AFTER_DAYS });
  }
}

function message(title: string, blocks: Block[]): Outcome {
  return { kind: "message", message: { visibility: "private", summary: title, blocks } };
}

/** Before the first nightly scan there is nothing to show, and an empty list would mislead. */
function notScoredYet(ctx: CommandContext): Outcome {
  const text = ctx.t("segment.notYet", { time: STAGE_SCAN_AT });
  return message(text, [{ type: "text", text }]);
}

/** " tag vip tag key-account": how a tag filter is typed back into a command or a button. */
const tagWords = (tags: readonly string[] = []): string => tags.map((t) => ` tag ${t}`).join("");

/** "Only customers tagged vip.", under the title of a filtered list. */
function taggedNote(ctx: CommandContext, tags: readonly string[] = []): Block[] {
  return tags.length > 0 ? [{ type: "context", text: ctx.t("segment.tagged", { tags: ctx.f.list([...tags]) }) }] : [];
}

function asOf(ctx: CommandContext, scoredAt: Date): Block {
  return { type: "context", text: ctx.t("segment.asOf", { when: ctx.f.dateTime(scoredAt), time: STAGE_SCAN_AT }) };
}

/** One segment: its size, a page of the biggest spenders with why they are in it, and when it was computed. */
export function segmentMessage(ctx: CommandContext, listing: SegmentListing): Outcome {
  if (!listing.scoredAt) return notScoredYet(ctx);
  const base = ctx.services.settings.baseCurrency;
  const title = ctx.t("segment.title", { segment: segmentLabel(ctx, listing.segment), count: listing.count });
  const blocks: Block[] = [{ type: "header", text: title }, ...taggedNote(ctx, listing.tags), { type: "text", text: segmentAbout(ctx, listing.segment) }];
  const at = { page: listing.page, size: listing.pageSize, total: listing.count, shown: listing.customers.length };
  const offset = offsetOf(listing.page, listing.pageSize);
  const named = `${listing.segment}${tagWords(listing.tags)}`;
  const next = (page: number) => `/segment ${named} ${page}`;
  const buttons = [shareButton(ctx, { id: "segment.show", value: listing.page > 1 ? `${named} ${listing.page}` : named })];
  if (listing.customers.length === 0) {
    blocks.push({ type: "text", text: listing.count > 0 && listing.page > 1 ? noPageText(ctx, at) : ctx.t("segment.empty") });
  } else {
    blocks.push({
      type: "list",
      items: listing.customers.map((c, i) => {
        const figures = ctx.t("segment.item", { revenue: ctx.f.money(c.totalSpent, base), orders: ctx.f.number(c.orderCount, 0), owner: c.ownerName ?? ctx.t("card.noOwner") });
        const why = stageReasonText(ctx, c.reason);
        return {
          title: `${offset + i + 1}. ${c.name}`,
          detail: why ? `${why} · ${figures}` : figures,
          button: { label: ctx.t("button.open"), action: { id: "customer.show", value: c.id } },
        };
      }),
    });
    const note = pageNote(ctx, at, next);
    if (note) blocks.push({ type: "context", text: note });
    if (offset + listing.customers.length < listing.count) buttons.unshift({ label: ctx.t("button.more"), action: { id: "segment.show", value: `${named} ${listing.page + 1}` } });
  }
  blocks.push(asOf(ctx, listing.scoredAt));
  blocks.push({ type: "buttons", buttons });
  return message(title, blocks);
}

/** Bare /segment: every segment with its size, and a button to list it. */
export function segmentOverviewMessage(ctx: CommandContext, summary: SegmentCounts): Outcome {
  if (!summary.scoredAt) return notScoredYet(ctx);
  const title = ctx.t("segment.overview");
  const blocks: Block[] = [
    { type: "header", text: title },
    ...taggedNote(ctx, summary.tags),
    {
      type: "list",
      items: SEGMENT_NAMES.map((segment) => ({
        title: ctx.t("segment.count", { segment: segmentLabel(ctx, segment), count: ctx.f.number(summary.counts[segment], 0) }),
        detail: segmentAbout(ctx, segment),
        button: { label: ctx.t("segment.button.show"), action: { id: "segment.show", value: `${segment}${tagWords(summary.tags)}` } },
      })),
    },
    asOf(ctx, summary.scoredAt),
  ];
  const total = SEGMENT_NAMES.reduce((sum, segment) => sum + summary.counts[segment], 0);
  if (total > 0) {
    // The mix as a pie: each named segment's share of the customers that are in one.
    const points = SEGMENT_NAMES.filter((segment) => summary.counts[segment] > 0).map((segment) => ({ x: segmentLabel(ctx, segment), y: summary.counts[segment] }));
    const alt = points.map((p) => `${p.x} ${ctx.f.number(p.y, 0)} (${ctx.f.number((100 * p.y) / total, 1)}%)`).join(" · ");
    blocks.push({ type: "chart", chart: { kind: "pie", title: ctx.t("segment.chart.title"), points }, alt: ctx.t("segment.chart.alt", { mix: alt }) });
  }
  blocks.push({ type: "buttons", buttons: [shareButton(ctx, { id: "segment.show", value: tagWords(summary.tags).trim() })] });
  return message(title, blocks);
}
