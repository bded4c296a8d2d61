import { takeTagFilters } from "../domain/customers/customer-fields.js";
import { SEGMENT_NAMES, type SegmentName } from "../domain/customers/customer-segments.js";
import { invalidInput } from "../domain/errors.js";
import type { Outcome } from "../reply/reply.js";
import type { ActionHandler, CommandContext, CommandDefinition } from "./types.js";
import { pageNumber } from "./views/list-page.js";
import { segmentMessage, segmentOverviewMessage } from "./views/segment.js";

/** Every way a rep may name a segment, after tidying (lower case, spaces and _ as -). */
const NAMES: Readonly<Record<string, SegmentName>> = {
  "high-value": "high-value", highvalue: "high-value", valuable: "high-value", vip: "high-value", vips: "high-value", 高价值: "high-value",
  potential: "potential", lead: "potential", leads: "potential", prospects: "potential", 潜力: "potential", 潜在: "potential", 潜客: "potential",
  new: "new", 新: "new", 新客: "new", 新客户: "new",
  "churn-risk": "churn-risk", churn: "churn-risk", churning: "churn-risk", "at-risk": "churn-risk", risk: "churn-risk", 流失风险: "churn-risk", 有流失风险: "churn-risk",
  lost: "lost", churned: "lost", 已流失: "lost", 流失: "lost",
};

/** The names listed when one is not understood. */
const KNOWN = `${SEGMENT_NAMES.join(", ")} (高价值, 潜力, 新客户, 流失风险, 已流失)`;

/**
 * "/segment churn-risk", "/segment at risk", "/segment 流失风险客户": the segment named, or
 * undefined for bare /segment. A trailing "customers"/"客户" is allowed.
 */
export function parseSegmentText(text: string): SegmentName | undefined {
  const typed = text.normalize("NFKC").trim();
  if (!typed) return undefined;
  const key = typed
    .toLowerCase()
    .replace(/[\s_]+/g, "-")
    .replace(/-?(?:customers|clients|segment)$/, "")
    .replace(/(?:的)?(?:客户|分群)$/, "");
  if (!Object.hasOwn(NAMES, key)) throw invalidInput("segment.unknown", { name: typed.slice(0, 40), list: KNOWN });
  return NAMES[key];
}

/**
 * "/segment churn-risk 2": the segment named and the page of it (a trailing number), page 1 when
 * none; "tag vip" (标签 vip) anywhere keeps only customers with that tag.
 */
export function parseSegmentRequest(text: string): { segment: SegmentName | undefined; page: number; tags?: string[] } {
  const { text: rest, tags } = takeTagFilters(text);
  const filter = tags.length > 0 ? { tags } : {};
  const paged = /^(.*\S)\s+(\d+)$/.exec(rest);
  const page = pageNumber(paged?.[2]);
  if (paged && page) return { segment: parseSegmentText(paged[1]!), page, ...filter };
  return { segment: parseSegmentText(rest), page: 1, ...filter };
}

/** One segment (a page of it), or every segment's size; also what a plain question about a segment answers. */
export async function showSegment(ctx: CommandContext, segment: SegmentName | undefined, page = 1, tags: readonly string[] = []): Promise<Outcome> {
  if (!segment) return segmentOverviewMessage(ctx, await ctx.services.segmentCounts(tags));
  return segmentMessage(ctx, await ctx.services.listSegment(ctx.rep, segment, page, tags));
}

function showRequested(ctx: CommandContext, text: string): Promise<Outcome> {
  const { segment, page, tags } = parseSegmentRequest(text);
  return showSegment(ctx, segment, page, tags ?? []);
}

export const segmentCommand: CommandDefinition = {
  name: "segment",
  help: [{ usage: ["/segment [high-value|potential|new|churn-risk|lost] [page]", "/segment [name] tag <tag>"], description: "help.segment", examples: ["/segment churn-risk", "/segment 高价值", "/segment churn-risk 2", "/segment", "/segment churn-risk tag vip"] }],
  run: showRequested,
};

export const segmentActions: Record<string, ActionHandler> = {
  "segment.show": showRequested,
};
