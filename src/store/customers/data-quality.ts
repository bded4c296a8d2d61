import { UNTOUCHED_DAYS, type QualityField, type QualityFigures } from "../../domain/customers/data-quality.js";
import { liveOrders } from "../live-rows.js";
import { Prisma, type Db } from "../prisma.js";

/** A customer with the most problems, for the report's buttons. */
export interface QualityOffender {
  id: string;
  name: string;
  ownerName: string | null;
  missing: QualityField[];
  invalidPhones: number;
  invalidEmails: number;
  duplicatePairs: number;
  untouched: boolean;
  ordersWithoutProduct: number;
  /** How many kinds of problem it has. */
  problems: number;
}

/** Figures without the duplicate pairs, which come from the kept scan (store/customers/duplicates.ts). */
export type CountedFigures = Omit<QualityFigures, "duplicatePairs">;

// Phones and emails are sealed (encryption at rest): whether each is valid (isInvalidPhone,
// isInvalidEmail of domain/customers/data-quality.ts) is kept beside it on every write, and a blank one is
// stored as null (src/store/encryption/contact-secrets.ts).
const BAD_PHONE = Prisma.sql`phone_invalid`;
const BAD_EMAIL = Prisma.sql`email_invalid`;

/**
 * Completeness and validity of the customer data, in one pass over the customers with their
 * live contacts and orders grouped beside them (set-based: about a second at 100k customers).
 */
export function createDataQualityStore(db: Db) {
  return {
    /**
     * The figures for every customer, or those `ownedBy` one rep, as of `now`, and the worst
     * `take` customers (most kinds of problem, the biggest spenders first).
     */
    async measure(now: Date, take: number, ownedBy?: string): Promise<{ figures: CountedFigures; offenders: QualityOffender[] }> {
      const cutoff = new Date(now.getTime() - UNTOUCHED_DAYS * 86_400_000);
      const scope = ownedBy ? Prisma.sql`WHERE c.owner_id = ${ownedBy}::uuid` : Prisma.empty;
      const rows = await db.$queryRaw<{ totals: Record<string, number>; offenders: Record<string, unknown>[] | null }[]>`
        WITH k AS (
          SELECT customer_id, count(*)::int AS contacts,
                 count(*) FILTER (WHERE email_enc IS NOT NULL OR phone_enc IS NOT NULL)::int AS reachable,
                 count(*) FILTER (WHERE ${BAD_PHONE})::int AS bad_phones,
                 count(*) FILTER (WHERE ${BAD_EMAIL})::int AS bad_emails
          FROM contacts WHERE deleted_at IS NULL GROUP BY customer_id
        ), o AS (
          SELECT customer_id, count(*)::int AS n FROM ${liveOrders} o WHERE nullif(btrim(product), '') IS NULL GROUP BY customer_id
        ), d AS (
          SELECT id, count(*)::int AS n FROM (SELECT customer_a AS id FROM duplicate_pairs UNION ALL SELECT customer_b FROM duplicate_pairs) p GROUP BY id
        ), flags AS MATERIALIZED (
          SELECT c.id, c.name, u.display_name AS owner_name, coalesce(s.total_spent, 0) AS spent,
                 c.owner_id IS NULL AS no_owner,
                 coalesce(k.contacts, 0) = 0 AS no_contact,
                 coalesce(k.reachable, 0) = 0 AS no_reach,
                 nullif(btrim(c.industry), '') IS NULL AS no_industry,
                 (c.stage IN ('LEAD', 'PROSPECT') AND coalesce(s.order_count, 0) > 0) AS stage_lags,
                 coalesce(k.bad_phones, 0) AS bad_phones, coalesce(k.bad_emails, 0) AS bad_emails,
                 coalesce(d.n, 0) AS pairs,
                 (c.created_at < ${cutoff} AND coalesce(greatest(s.last_order_at, s.last_interaction_at) < ${cutoff}, true)) AS untouched,
                 coalesce(o.n, 0) AS productless
          FROM customers c
          LEFT JOIN users u ON u.id = c.owner_id
          LEFT JOIN customer_stats s ON s.customer_id = c.id
          LEFT JOIN k ON k.customer_id = c.id
          LEFT JOIN o ON o.customer_id = c.id
          LEFT JOIN d ON d.id = c.id
          ${scope}
        ), scored AS (
          SELECT *, (no_owner::int + no_contact::int + no_reach::int + no_industry::int + stage_lags::int + (bad_phones > 0)::int
                     + (bad_emails > 0)::int + (pairs > 0)::int + untouched::int + (productless > 0)::int) AS problems
          FROM flags
        )
        SELECT
          (SELECT jsonb_build_object(
             'customers', count(*), 'owner', count(*) FILTER (WHERE NOT no_owner), 'contact', count(*) FILTER (WHERE NOT no_contact),
             'reach', count(*) FILTER (WHERE NOT no_reach), 'industry', count(*) FILTER (WHERE NOT no_industry),
             'stage', count(*) FILTER (WHERE NOT stage_lags), 'invalidPhones', coalesce(sum(bad_phones), 0),
             'invalidEmails', coalesce(sum(bad_emails), 0), 'untouched', count(*) FILTER (WHERE untouched),
             'ordersWithoutProduct', coalesce(sum(productless), 0)) FROM flags) AS totals,
          (SELECT jsonb_agg(t) FROM (
             SELECT id, name, owner_name, no_owner, no_contact, no_reach, no_industry, stage_lags, bad_phones, bad_emails, pairs, untouched, productless, problems
             FROM scored WHERE problems > 0 ORDER BY problems DESC, spent DESC, name LIMIT ${take}) t) AS offenders`;
      const t = rows[0]!.totals;
      const figures: CountedFigures = {
        customers: t.customers ?? 0,
        complete: { owner: t.owner ?? 0, contact: t.contact ?? 0, reach: t.reach ?? 0, industry: t.industry ?? 0, stage: t.stage ?? 0 },
        invalidPhones: Number(t.invalidPhones ?? 0),
        invalidEmails: Number(t.invalidEmails ?? 0),
        untouched: t.untouched ?? 0,
        ordersWithoutProduct: Number(t.ordersWithoutProduct ?? 0),
      };
      const offenders = (rows[0]!.offenders ?? []).map((r): QualityOffender => {
        const missing: QualityField[] = [];
        if (r.no_owner) missing.push("owner");
        if (r.no_contact) missing.push("contact");
        if (r.no_reach) missing.push("reach");
        if (r.no_industry) missing.push("industry");
        if (r.stage_lags) missing.push("stage");
        return {
          id: r.id as string,
          name: r.name as string,
          ownerName: (r.owner_name as string | null) ?? null,
          missing,
          invalidPhones: r.bad_phones as number,
          invalidEmails: r.bad_emails as number,
          duplicatePairs: r.pairs as number,
          untouched: r.untouched as boolean,
          ordersWithoutProduct: r.productless as number,
          problems: r.problems as number,
        };
      });
      return { figures, offenders };
    },

    /**
     * Keeps the figures of a local day unless that day has some already, and returns the day's
     * (so every digest of the day, retries included, compares the same figures).
     */
    async snapshot(day: string, figures: QualityFigures): Promise<QualityFigures> {
      await db.$executeRaw`
        INSERT INTO data_quality_snapshots (day, figures, taken_at) VALUES (${day}::date, ${JSON.stringify(figures)}::jsonb, now())
        ON CONFLICT (day) DO NOTHING`;
      const rows = await db.$queryRaw<{ figures: QualityFigures }[]>`SELECT figures FROM data_quality_snapshots WHERE day = ${day}::date`;
      return rows[0]!.figures;
    },

    /** The figures kept for a local day, if any. */
    async snapshotOn(day: string): Promise<QualityFigures | null> {
      const rows = await db.$queryRaw<{ figures: QualityFigures }[]>`SELECT figures FROM data_quality_snapshots WHERE day = ${day}::date`;
      return rows[0]?.figures ?? null;
    },

    /** The latest figures kept before a local day, and their day. */
    async snapshotBefore(day: string): Promise<{ day: string; figures: QualityFigures } | null> {
      const rows = await db.$queryRaw<{ day: string; figures: QualityFigures }[]>`
        SELECT day::text AS day, figures FROM data_quality_snapshots WHERE day < ${day}::date ORDER BY day DESC LIMIT 1`;
      return rows[0] ?? null;
    },
  };
}

export type DataQualityStore = ReturnType<typeof createDataQualityStore>;
