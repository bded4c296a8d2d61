/**
 * What the data quality report measures, and when quality "fell" between two days. The counts
 * are made in SQL (src/store/customers/data-quality.ts) with the patterns below.
 */

/** A customer with no interaction and no order for this many days (and older than that) is untouched. */
export const UNTOUCHED_DAYS = 90;

/** The fields whose completeness is reported, in the report's order. */
export const QUALITY_FIELDS = ["owner", "contact", "reach", "industry", "stage"] as const;
export type QualityField = (typeof QUALITY_FIELDS)[number];

/**
 * A phone number is invalid when it is written with anything but digits, spaces, brackets,
 * dots, dashes and one leading "+", or has fewer than 7 or more than 15 digits (E.164's most).
 * Postgres and JavaScript read these patterns alike.
 */
export const PHONE_SHAPE = "^[+]?[0-9 ().-]+$";
export const PHONE_MIN_DIGITS = 7;
export const PHONE_MAX_DIGITS = 15;
/** An email needs one "@", no spaces, and a domain with a dot. */
export const EMAIL_SHAPE = "^[^@[:space:]]+@[^@[:space:].]+([.][^@[:space:].]+)+$";

export function isInvalidPhone(phone: string): boolean {
  const text = phone.trim();
  if (!text) return false;
  const digits = text.replace(/[^0-9]/g, "").length;
  return !new RegExp(PHONE_SHAPE).test(text) || digits < PHONE_MIN_DIGITS || digits > PHONE_MAX_DIGITS;
}

export function isInvalidEmail(email: string): boolean {
  const text = email.trim();
  return text !== "" && !new RegExp(EMAIL_SHAPE.replace(/\[:space:\]/g, "\\s")).test(text);
}

/** The figures of one report (the team's, or one rep's customers). */
export interface QualityFigures {
  customers: number;
  /** Customers that have each field. `reach`: a contact with an email or phone; `stage`: not a lead or prospect who already bought. */
  complete: Record<QualityField, number>;
  invalidPhones: number;
  invalidEmails: number;
  duplicatePairs: number;
  untouched: number;
  ordersWithoutProduct: number;
}

/** A share as a whole percent (100 with no customers: nothing is missing). */
export function percentOf(part: number, whole: number): number {
  return whole === 0 ? 100 : Math.round((100 * part) / whole);
}

export type QualityMeasure = QualityField | "invalidPhones" | "invalidEmails" | "duplicatePairs" | "untouched" | "ordersWithoutProduct";

export interface QualityDrop {
  measure: QualityMeasure;
  /** Percent for the fields and for untouched (a share of the customers, which grows by itself as customers age); counts for the rest. */
  before: number;
  after: number;
  unit: "percent" | "count";
}

/**
 * What got worse from one day's figures to the next: a field complete for a smaller share of
 * the customers (whole percent), a larger share untouched, or more invalid values, duplicate
 * pairs or orders without a product. Empty when nothing fell.
 */
export function qualityDrops(before: QualityFigures, after: QualityFigures): QualityDrop[] {
  const drops: QualityDrop[] = [];
  for (const field of QUALITY_FIELDS) {
    const was = percentOf(before.complete[field], before.customers);
    const now = percentOf(after.complete[field], after.customers);
    if (now < was) drops.push({ measure: field, before: was, after: now, unit: "percent" });
  }
  const wasUntouched = 100 - percentOf(before.customers - before.untouched, before.customers);
  const nowUntouched = 100 - percentOf(after.customers - after.untouched, after.customers);
  if (nowUntouched > wasUntouched) drops.push({ measure: "untouched", before: wasUntouched, after: nowUntouched, unit: "percent" });
  for (const measure of ["invalidPhones", "invalidEmails", "duplicatePairs", "ordersWithoutProduct"] as const) {
    if (after[measure] > before[measure]) drops.push({ measure, before: before[measure], after: after[measure], unit: "count" });
  }
  return drops;
}
