import type { Stage } from "@prisma/client";
import { openContactSecrets, type ContactSecrets } from "../encryption/contact-secrets.js";
import type { FieldCipher } from "../encryption/field-cipher.js";
import { LIVE_INTERACTIONS_SQL } from "../live-rows.js";
import { poolOf, type Db } from "../prisma.js";

/** Everything the customer card shows, as one statement returns it (personal details opened). */
export interface CardData {
  id: string;
  name: string;
  stage: Stage;
  source: string | null;
  industry: string | null;
  website: string | null;
  address: string | null;
  about: string | null;
  tags: string[];
  ownerId: string | null;
  owner: { id: string; displayName: string } | null;
  aliases: string[];
  contacts: ({ id: string; name: string; title: string | null; slackUserId: string | null } & ContactSecrets)[];
  stats: { totalSpent: string; orderCount: number; firstOrderAt: Date | null; lastOrderAt: Date | null } | null;
  totals: { contacts: number; interactions: number; reminders: number; deals: number };
  timeline: { id: string; channel: string; direction: string; body: string; occurredAt: Date; authorName: string | null }[];
  reminders: { id: string; text: string; dueAt: Date; ownerName: string }[];
  deals: { id: string; title: string; amount: string | null; currency: string | null; expectedCloseAt: Date | null }[];
  surveys: {
    latest: { kind: string; score: number; answeredAt: Date } | null;
    csatAverage: number | null;
    csatCount: number;
    npsCount: number;
    unanswered: { status: string; closedReason: string | null; createdAt: Date } | null;
  };
  /**
   * Every contact's private details, removed contacts too (a note may mention any of them), for
   * hiding them from a reader who may not see them. Opened only when asked: most readers may.
   */
  hiddenDetails(): ContactSecrets[];
}

type Sealed = [string | null, string | null, string | null];

interface Row {
  id: string; name: string; stage: Stage; source: string | null; industry: string | null; website: string | null;
  address_enc: string | null; about: string | null; tags: string[]; owner_id: string | null; owner_name: string | null;
  aliases: string[];
  order_count: number | null; total_spent: string | null; first_order_at: Date | null; last_order_at: Date | null;
  contact_total: number; interaction_total: number; reminder_total: number; deal_total: number;
  contacts: { id: string; name: string; title: string | null; email_enc: string | null; phone_enc: string | null; wechat_open_id_enc: string | null; slack_user_id: string | null }[];
  timeline: { id: string; channel: string; direction: string; body: string; occurred_at: string; author_name: string | null }[];
  reminders: { id: string; text: string; due_at: string; owner_name: string }[];
  deals: { id: string; title: string; amount: string | null; currency: string | null; expected_close_at: string | null }[];
  newest_survey: { status: string; closed_reason: string | null; created_at: string } | null;
  latest_answer: { kind: string; score: number | null; answered_at: string | null } | null;
  csat_avg: number | null; csat_count: number; nps_count: number;
  sealed: Sealed[];
}

/**
 * The card in one statement (issue 17): it took 13 round trips in about six dependent steps,
 * and Prisma's per-query CPU was most of a card's cost. Each list is a correlated sub-select on
 * its customer_id index, cut and ordered as the separate reads were; the lists come back as JSON
 * so the whole card is one row. Interactions are read through the live-rows relation.
 */
export const CARD_SQL = `
SELECT c.id::text AS id, c.name, c.stage::text AS stage, c.source, c.industry, c.website, c.address_enc, c.about, c.tags,
  c.owner_id::text AS owner_id, o.display_name AS owner_name,
  ARRAY(SELECT a.alias FROM customer_aliases a WHERE a.customer_id = c.id ORDER BY a.alias) AS aliases,
  s.order_count, s.total_spent::text AS total_spent, s.first_order_at, s.last_order_at,
  (SELECT count(*)::int FROM contacts k WHERE k.customer_id = c.id AND k.deleted_at IS NULL) AS contact_total,
  (SELECT count(*)::int FROM ${LIVE_INTERACTIONS_SQL} i WHERE i.customer_id = c.id) AS interaction_total,
  (SELECT count(*)::int FROM reminders r WHERE r.customer_id = c.id AND r.status IN ('PENDING', 'FIRED')) AS reminder_total,
  (SELECT count(*)::int FROM deals d WHERE d.customer_id = c.id AND d.status = 'OPEN' AND d.deleted_at IS NULL) AS deal_total,
  (SELECT coalesce(json_agg(k ORDER BY k.created_at, k.id), '[]'::json) FROM (
     SELECT k.id, k.name, k.title, k.email_enc, k.phone_enc, k.wechat_open_id_enc, k.slack_user_id, k.created_at
     FROM contacts k WHERE k.customer_id = c.id AND k.deleted_at IS NULL ORDER BY k.created_at, k.id LIMIT 10) k) AS contacts,
  (SELECT coalesce(json_agg(i ORDER BY i.occurred_at DESC, i.id DESC), '[]'::json) FROM (
     SELECT i.id, i.channel, i.direction, i.body, i.occurred_at, u.display_name AS author_name
     FROM ${LIVE_INTERACTIONS_SQL} i LEFT JOIN users u ON u.id = i.author_id
     WHERE i.customer_id = c.id ORDER BY i.occurred_at DESC, i.id DESC LIMIT 5) i) AS timeline,
  (SELECT coalesce(json_agg(r ORDER BY r.due_at, r.id), '[]'::json) FROM (
     SELECT r.id, r.text, r.due_at, u.display_name AS owner_name
     FROM reminders r JOIN users u ON u.id = r.user_id
     WHERE r.customer_id = c.id AND r.status IN ('PENDING', 'FIRED') ORDER BY r.due_at, r.id LIMIT 5) r) AS reminders,
  (SELECT coalesce(json_agg(d ORDER BY d.n), '[]'::json) FROM (
     SELECT d.id, d.title, d.amount::text AS amount, trim(d.currency::text) AS currency, d.expected_close_at,
            row_number() OVER (ORDER BY d.expected_close_at ASC NULLS LAST, d.created_at, d.id) AS n
     FROM deals d WHERE d.customer_id = c.id AND d.status = 'OPEN' AND d.deleted_at IS NULL
     ORDER BY d.expected_close_at ASC NULLS LAST, d.created_at, d.id LIMIT 5) d) AS deals,
  (SELECT row_to_json(v) FROM (SELECT v.status, v.closed_reason, v.created_at FROM surveys v
     WHERE v.customer_id = c.id ORDER BY v.created_at DESC LIMIT 1) v) AS newest_survey,
  (SELECT row_to_json(v) FROM (SELECT v.kind, v.score, v.answered_at FROM surveys v
     WHERE v.customer_id = c.id AND v.status = 'ANSWERED' ORDER BY v.answered_at DESC LIMIT 1) v) AS latest_answer,
  g.csat_avg, g.csat_count, g.nps_count,
  (SELECT coalesce(json_agg(json_build_array(k.email_enc, k.phone_enc, k.wechat_open_id_enc)), '[]'::json)
     FROM contacts k WHERE k.customer_id = c.id) AS sealed
FROM customers c
LEFT JOIN users o ON o.id = c.owner_id
LEFT JOIN customer_stats s ON s.customer_id = c.id
CROSS JOIN LATERAL (
  SELECT avg(v.score) FILTER (WHERE v.kind = 'CSAT')::float8 AS csat_avg,
         count(*) FILTER (WHERE v.kind = 'CSAT')::int AS csat_count,
         count(*) FILTER (WHERE v.kind = 'NPS')::int AS nps_count
  FROM surveys v WHERE v.customer_id = c.id AND v.status = 'ANSWERED') g
WHERE c.id = $1::uuid`;

/**
 * Who views the card, for its audit row: whether the view showed the private details is the
 * viewer's owner scope applied to the customer's owner (services/audience.ts privateScope, the
 * same rule maySeePrivate decides the card with), so the row is written by the same statement.
 */
export interface CardView {
  actorId: string;
  scope: { kind: "all" } | { kind: "none" } | { kind: "owners"; ownerIds: readonly string[] };
  /** A card made for a channel: the audit row says it was shared. */
  shared: boolean;
}

const VIEWED_CARD_SQL = `
WITH card AS (${CARD_SQL}),
seen AS (
  SELECT card.*, CASE $3::text WHEN 'all' THEN true WHEN 'none' THEN false
                 ELSE card.owner_id IS NULL OR card.owner_id::uuid = ANY($4::uuid[]) END AS private
  FROM card),
audit AS (
  INSERT INTO audit_log (actor_id, action, entity, entity_id, customer_ids, detail, at)
  SELECT $2::uuid, 'customer.view', 'customer', seen.id, ARRAY[seen.id::uuid],
         CASE WHEN $5::boolean THEN jsonb_build_object('private', seen.private, 'shared', true) ELSE jsonb_build_object('private', seen.private) END,
         $6::timestamptz
  FROM seen)
SELECT * FROM seen`;

const date = (v: string | Date): Date => (v instanceof Date ? v : new Date(v));
const dateOrNull = (v: string | Date | null): Date | null => (v === null ? null : date(v));

/** The customer card's reads (services/customers/get-customer-card.ts). */
export function createCustomerCardStore(db: Db, cipher: FieldCipher, now: () => Date = () => new Date()) {
  async function query(customerId: string, view: CardView | undefined): Promise<Row | undefined> {
    const [name, text, values] = view
      ? ["crm-customer-card-viewed", VIEWED_CARD_SQL, [customerId, view.actorId, view.scope.kind, view.scope.kind === "owners" ? [...view.scope.ownerIds] : [], view.shared, now()]]
      : ["crm-customer-card", CARD_SQL, [customerId]];
    // Through pg itself where there is a pool (a prepared statement, no Prisma per-row work);
    // inside a transaction, through the transaction's client.
    const pool = poolOf(db);
    if (pool) return (await pool.query<Row>({ name, text, values })).rows[0];
    return (await db.$queryRawUnsafe<Row[]>(text, ...values))[0];
  }

  return {
    /** The card; with `view`, its audit row ("customer.view") is written by the same statement. */
    async read(customerId: string, view?: CardView): Promise<CardData | null> {
      const r = await query(customerId, view);
      if (!r) return null;
      const open = (s: Sealed) => openContactSecrets(cipher, { emailEnc: s[0], phoneEnc: s[1], wechatOpenIdEnc: s[2] });
      const latest = r.latest_answer;
      return {
        id: r.id, name: r.name, stage: r.stage, source: r.source, industry: r.industry, website: r.website,
        address: cipher.openOrNull("customers.address", r.address_enc),
        about: r.about, tags: r.tags, ownerId: r.owner_id,
        owner: r.owner_id === null || r.owner_name === null ? null : { id: r.owner_id, displayName: r.owner_name },
        aliases: r.aliases,
        contacts: r.contacts.map((k) => ({ id: k.id, name: k.name, title: k.title, slackUserId: k.slack_user_id, ...open([k.email_enc, k.phone_enc, k.wechat_open_id_enc]) })),
        stats: r.order_count === null ? null : { totalSpent: r.total_spent ?? "0", orderCount: r.order_count, firstOrderAt: r.first_order_at, lastOrderAt: r.last_order_at },
        totals: { contacts: r.contact_total, interactions: r.interaction_total, reminders: r.reminder_total, deals: r.deal_total },
        timeline: r.timeline.map((i) => ({ id: i.id, channel: i.channel, direction: i.direction, body: i.body, occurredAt: date(i.occurred_at), authorName: i.author_name })),
        reminders: r.reminders.map((x) => ({ id: x.id, text: x.text, dueAt: date(x.due_at), ownerName: x.owner_name })),
        deals: r.deals.map((d) => ({ id: d.id, title: d.title, amount: d.amount, currency: d.currency, expectedCloseAt: dateOrNull(d.expected_close_at) })),
        surveys: {
          latest: latest && latest.score !== null && latest.answered_at ? { kind: latest.kind, score: latest.score, answeredAt: date(latest.answered_at) } : null,
          csatAverage: r.csat_avg,
          csatCount: r.csat_count,
          npsCount: r.nps_count,
          unanswered: r.newest_survey && r.newest_survey.status !== "ANSWERED"
            ? { status: r.newest_survey.status, closedReason: r.newest_survey.closed_reason, createdAt: date(r.newest_survey.created_at) }
            : null,
        },
        hiddenDetails: () => r.sealed.map(open),
      };
    },
  };
}

export type CustomerCardStore = ReturnType<typeof createCustomerCardStore>;
