import { qualityDrops, type QualityDrop, type QualityFigures } from "../../domain/customers/data-quality.js";
import type { QualityOffender, Rep } from "../../store/index.js";
import { freshDuplicateScan } from "../customers/find-duplicates.js";
import type { Audience } from "../audience.js";
import { recordListed } from "../audit/record-read.js";
import type { ServiceDeps } from "../deps.js";

/** How many of the worst customers the report names. */
const OFFENDERS_SHOWN = 8;

export interface QualityReport {
  /** "team": every customer (managers and admins); "own": the reader's own customers (reps). */
  scope: "team" | "own";
  figures: QualityFigures;
  /** The customers with the most kinds of problem, biggest spenders first among equals. */
  offenders: QualityOffender[];
  asOf: Date;
}

/** The figures of every customer, or one rep's. Duplicate pairs come from a current scan. */
async function figuresFor(deps: ServiceDeps, ownedBy?: string): Promise<{ figures: QualityFigures; offenders: QualityOffender[] }> {
  await freshDuplicateScan(deps);
  const [measured, duplicatePairs] = await Promise.all([deps.store.dataQuality.measure(deps.now(), OFFENDERS_SHOWN, ownedBy), deps.store.duplicates.countPairs(ownedBy)]);
  return { figures: { ...measured.figures, duplicatePairs }, offenders: measured.offenders };
}

/**
 * The data quality report. Managers and admins see the team's figures; a rep sees those of the
 * customers they own (what they can fix), so nobody's report lists others' customers to them.
 */
export async function getDataQuality(deps: ServiceDeps, viewer: Rep, audience: Audience = "rep"): Promise<QualityReport> {
  const own = viewer.role === "REP";
  const { figures, offenders } = await figuresFor(deps, own ? viewer.id : undefined);
  await recordListed(deps.store, viewer, "quality", offenders.map((o) => o.id), audience);
  return { scope: own ? "own" : "team", figures, offenders, asOf: deps.now() };
}

export interface QualityChange {
  /** The local day of the figures compared with. */
  since: string;
  drops: QualityDrop[];
}

/**
 * For the digest of a local day: what got worse since the figures an earlier digest kept (null
 * when nothing did, or no earlier digest kept any). The day's own figures are kept by its first
 * digest; retries and later digests of the day compare the same ones.
 */
export async function qualityChangeFor(deps: ServiceDeps, day: string): Promise<QualityChange | null> {
  const kept = await deps.store.dataQuality.snapshotBefore(day);
  const today = (await deps.store.dataQuality.snapshotOn(day)) ?? (await deps.store.dataQuality.snapshot(day, (await figuresFor(deps)).figures));
  if (!kept) return null;
  const drops = qualityDrops(kept.figures, today);
  return drops.length > 0 ? { since: kept.day, drops } : null;
}
