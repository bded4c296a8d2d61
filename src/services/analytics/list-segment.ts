import type { Stage } from "../../domain/customers/customer-stage.js";
import {
  SEGMENT_CODES, SEGMENT_NAMES, segmentReason, stageReason, type SegmentName, type SegmentReason, type StageReason,
} from "../../domain/customers/customer-segments.js";
import type { Rep } from "../../store/index.js";
import type { Audience } from "../audience.js";
import { recordListed } from "../audit/record-read.js";
import type { ServiceDeps } from "../deps.js";
import { scoreSegmentsIfNeeded } from "./score-segments.js";

/** How many customers /segment and the stage alert list by name. */
export const SEGMENT_LIST_SIZE = 15;

export interface SegmentCustomer {
  id: string;
  name: string;
  ownerName: string | null;
  totalSpent: number;
  orderCount: number;
  /** Null when the stored reason is not one this version knows. */
  reason: SegmentReason | null;
}

export interface SegmentCounts {
  /** When the last scan scored customers; null when none has run yet. */
  scoredAt: Date | null;
  counts: Record<SegmentName, number>;
  /** Counted among customers with all of these tags only (none: everyone). */
  tags?: string[];
}

export interface SegmentListing {
  segment: SegmentName;
  /** Listed among customers with all of these tags only (none: everyone). */
  tags?: string[];
  scoredAt: Date | null;
  count: number;
  /** The page listed (from 1), `pageSize` customers a page. */
  page: number;
  pageSize: number;
  /** The biggest spenders first, at most SEGMENT_LIST_SIZE. */
  customers: SegmentCustomer[];
}

/**
 * Customers per segment. Asked before any customer was ever scored (start-up's first scoring
 * not done yet, or running in no process), the first scoring runs now: segments are there when
 * asked, not after the next night.
 */
export async function segmentCounts(deps: ServiceDeps, tags: readonly string[] = []): Promise<SegmentCounts> {
  let { scoredAt, counts } = await deps.store.segments.counts(tags);
  if (scoredAt === null) {
    const first = await scoreSegmentsIfNeeded(deps);
    ({ scoredAt, counts } = await deps.store.segments.counts(tags));
    // An install without customers has nothing to score, and is scored all the same.
    scoredAt ??= first?.at ?? null;
  }
  return { scoredAt, tags: [...tags], counts: Object.fromEntries(SEGMENT_NAMES.map((name) => [name, counts[SEGMENT_CODES[name]] ?? 0])) as Record<SegmentName, number> };
}

/**
 * A segment as the last scoring left it (the nightly scan, or the customer's own latest write):
 * its size and its biggest spenders (one page of them), with why.
 */
export async function listSegment(deps: ServiceDeps, viewer: Rep, segment: SegmentName, page = 1, tags: readonly string[] = [], audience: Audience = "rep"): Promise<SegmentListing> {
  const offset = (page - 1) * SEGMENT_LIST_SIZE;
  // The counts first: they score a never-scored install before its members are read.
  const summary = await segmentCounts(deps, tags);
  const members = await deps.store.segments.members(SEGMENT_CODES[segment], SEGMENT_LIST_SIZE, offset, tags);
  await recordListed(deps.store, viewer, "segment", members.map((m) => m.id), audience, { segment, page });
  return {
    segment,
    tags: [...tags],
    scoredAt: summary.scoredAt,
    count: summary.counts[segment],
    page,
    pageSize: SEGMENT_LIST_SIZE,
    customers: members.map((m) => {
      const reason = segmentReason.safeParse(m.reason);
      return { ...m, reason: reason.success ? reason.data : null };
    }),
  };
}

export interface StageAlertEntry {
  customerId: string;
  name: string;
  from: Stage;
  to: Stage;
  reason: StageReason | null;
}

export interface StageAlert {
  ownerId: string;
  scanAt: Date;
  /** The first SEGMENT_LIST_SIZE moves, at risk first, then churned, then recovered. */
  entries: StageAlertEntry[];
  total: number;
  /** How many moved to each stage, for pointing at the rest. */
  byStage: Partial<Record<Stage, number>>;
}

/** What one scan moved for one owner, for their alert; null when nothing is left to say. */
export async function getStageAlert(deps: ServiceDeps, ownerId: string, scanAt: Date): Promise<StageAlert | null> {
  const { entries, byStage } = await deps.store.segments.stageAlert(ownerId, scanAt, SEGMENT_LIST_SIZE);
  const total = Object.values(byStage).reduce((sum, n) => sum + n, 0);
  if (total === 0) return null;
  return {
    ownerId,
    scanAt,
    total,
    byStage,
    entries: entries.map((e) => {
      const reason = stageReason.safeParse(e.reason);
      return { customerId: e.customerId, name: e.name, from: e.fromStage, to: e.toStage, reason: reason.success ? reason.data : null };
    }),
  };
}
