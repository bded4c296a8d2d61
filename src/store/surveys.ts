import type { SurveyKind, SurveyStatus, SurveyTrigger } from "@prisma/client";
import type { FieldCipher } from "./encryption/field-cipher.js";
import { LIVE, liveInteractions } from "./live-rows.js";
import type { Db } from "./prisma.js";

/** A survey's contact as the survey rules need it, read under a row lock. */
export interface SurveyContact {
  id: string;
  customerId: string;
  name: string;
  wechatOpenId: string | null;
  slackUserId: string | null;
  locale: string | null;
  unsubscribedAt: Date | null;
  erasedAt: Date | null;
  surveyOptOutAt: Date | null;
  ownerId: string | null;
}

export interface SurveyRow {
  id: string;
  customerId: string;
  contactId: string | null;
  servedById: string | null;
  kind: SurveyKind;
  status: SurveyStatus;
  trigger: SurveyTrigger;
  platform: string;
  via: string | null;
  locale: string;
  score: number | null;
  comment: string | null;
  sentAt: Date | null;
  remindedAt: Date | null;
  answeredAt: Date | null;
  waitingSince: Date | null;
  closedReason: string | null;
  nextCheckAt: Date | null;
  createdAt: Date;
}

/** A survey with the names its messages mention. */
export interface SurveyView extends SurveyRow {
  customerName: string;
  contactName: string | null;
  wechatOpenId: string | null;
  slackUserId: string | null;
  ownerId: string | null;
  servedByName: string | null;
}

/** The facts WeChat's customer-service window runs on, for one contact. */
export interface WindowFacts {
  /** The customer's latest message to us. */
  lastInboundAt: Date | null;
  /** What we sent them since: rep replies and survey messages (WeChat allows five). */
  outboundSince: number;
}

export interface SurveyStatsRow {
  kind: SurveyKind;
  /** Surveys that reached a customer in the period ... */
  asked: number;
  /** ... and how many of those were answered. */
  answered: number;
  /** Answers given in the period, per score (CSAT 1-5, NPS 0-10). */
  distribution: Record<number, number>;
}

const OPEN: SurveyStatus[] = ["PENDING", "WAITING", "SENT"];

const columns = {
  id: true, customerId: true, contactId: true, servedById: true, kind: true, status: true, trigger: true, platform: true, via: true, locale: true,
  score: true, comment: true, sentAt: true, remindedAt: true, answeredAt: true, waitingSince: true, closedReason: true, nextCheckAt: true, createdAt: true,
} as const;

/**
 * Surveys, and the survey facts of contacts. Every state change is a conditional UPDATE, so a
 * job that runs twice, or two workers at once, move a survey once.
 */
export function createSurveyStore(db: Db, cipher: FieldCipher) {
  return {
    /** The contact, locked until the transaction ends: two requests cannot both start a survey. */
    async lockContact(contactId: string): Promise<SurveyContact | null> {
      const rows = await db.$queryRaw<(Omit<SurveyContact, "wechatOpenId"> & { wechatOpenIdEnc: string | null })[]>`
        SELECT c.id, c.customer_id AS "customerId", c.name, c.wechat_open_id_enc AS "wechatOpenIdEnc", c.slack_user_id AS "slackUserId", c.locale,
               c.unsubscribed_at AS "unsubscribedAt", c.erased_at AS "erasedAt", c.survey_opt_out_at AS "surveyOptOutAt", cu.owner_id AS "ownerId"
        FROM contacts c JOIN customers cu ON cu.id = c.customer_id
        WHERE c.id = ${contactId}::uuid
        FOR UPDATE OF c`;
      if (!rows[0]) return null;
      const { wechatOpenIdEnc, ...contact } = rows[0];
      return { ...contact, wechatOpenId: cipher.openOrNull("contacts.wechat_open_id", wechatOpenIdEnc) };
    },

    /** The customer's contacts a survey can reach: on WeChat or on Slack. */
    async reachableContacts(customerId: string): Promise<{ id: string; name: string; wechatOpenId: string | null; slackUserId: string | null }[]> {
      const rows = await db.contact.findMany({
        where: { customerId, erasedAt: null, deletedAt: null, OR: [{ wechatOpenIdHash: { not: null } }, { slackUserId: { not: null } }] },
        orderBy: { updatedAt: "desc" },
        select: { id: true, name: true, wechatOpenIdEnc: true, slackUserId: true },
        take: 10,
      });
      return rows.map(({ wechatOpenIdEnc, ...c }) => ({ ...c, wechatOpenId: cipher.openOrNull("contacts.wechat_open_id", wechatOpenIdEnc) }));
    },

    async contactBySlackUser(slackUserId: string): Promise<{ id: string; customerId: string } | null> {
      return db.contact.findUnique({ where: { slackUserId }, select: { id: true, customerId: true } });
    },

    /** A Slack Connect person becomes a contact of the customer (or stays the one they are). */
    async addSlackContact(input: { customerId: string; slackUserId: string; name: string }): Promise<{ id: string; customerId: string }> {
      return db.contact.upsert({
        where: { slackUserId: input.slackUserId },
        create: { customerId: input.customerId, slackUserId: input.slackUserId, name: input.name },
        update: {},
        select: { id: true, customerId: true },
      });
    },

    async openFor(contactId: string): Promise<SurveyRow | null> {
      return db.survey.findFirst({ where: { contactId, status: { in: OPEN } }, orderBy: { createdAt: "desc" }, select: columns });
    },

    /** The latest survey the contact got (or is getting), for the cooldown. */
    async latestFor(contactId: string): Promise<SurveyRow | null> {
      return db.survey.findFirst({ where: { contactId, status: { not: "UNDELIVERABLE" } }, orderBy: { createdAt: "desc" }, select: columns });
    },

    /** An answer given after `since` that has no comment yet: a follow-up message may supply it. */
    async awaitingComment(contactId: string, since: Date): Promise<SurveyRow | null> {
      return db.survey.findFirst({ where: { contactId, status: "ANSWERED", comment: null, answeredAt: { gte: since } }, orderBy: { answeredAt: "desc" }, select: columns });
    },

    async create(input: {
      customerId: string; contactId: string; servedById: string | null; kind: SurveyKind; trigger: SurveyTrigger; platform: string; via: string | null;
      locale: string; status: "PENDING" | "WAITING"; waitingSince?: Date; nextCheckAt?: Date;
    }): Promise<SurveyRow> {
      return db.survey.create({ data: { ...input }, select: columns });
    },

    async get(id: string): Promise<SurveyView | null> {
      const row = await db.survey.findUnique({
        where: { id },
        select: {
          ...columns,
          contact: { select: { name: true, wechatOpenIdEnc: true, slackUserId: true, customer: { select: { name: true, ownerId: true } } } },
          servedBy: { select: { displayName: true } },
        },
      });
      if (!row) return null;
      const { contact, servedBy, ...survey } = row;
      const customer = contact?.customer ?? (await db.customer.findUnique({ where: { id: row.customerId }, select: { name: true, ownerId: true } }));
      return {
        ...survey,
        customerName: customer?.name ?? "",
        contactName: contact?.name ?? null,
        wechatOpenId: cipher.openOrNull("contacts.wechat_open_id", contact?.wechatOpenIdEnc),
        slackUserId: contact?.slackUserId ?? null,
        ownerId: customer?.ownerId ?? null,
        servedByName: servedBy?.displayName ?? null,
      };
    },

    /** PENDING -> SENT once its question was delivered; the timer runs from here. */
    async markSent(id: string, at: Date, nextCheckAt: Date): Promise<boolean> {
      const { count } = await db.survey.updateMany({ where: { id, status: "PENDING" }, data: { status: "SENT", sentAt: at, nextCheckAt } });
      return count > 0;
    },

    /** PENDING -> WAITING: it missed the window and goes out when the customer next writes. */
    async markWaiting(id: string, since: Date, giveUpAt: Date): Promise<boolean> {
      const { count } = await db.survey.updateMany({ where: { id, status: "PENDING" }, data: { status: "WAITING", waitingSince: since, nextCheckAt: giveUpAt } });
      return count > 0;
    },

    /** WAITING surveys of a contact that is writing again: back to PENDING, to be sent as `via`. */
    async wake(contactId: string, via: string): Promise<SurveyRow[]> {
      const waiting = await db.survey.findMany({ where: { contactId, status: "WAITING" }, select: { id: true } });
      if (waiting.length === 0) return [];
      await db.survey.updateMany({ where: { id: { in: waiting.map((w) => w.id) }, status: "WAITING" }, data: { status: "PENDING", via, nextCheckAt: null } });
      return db.survey.findMany({ where: { id: { in: waiting.map((w) => w.id) }, status: "PENDING" }, select: columns });
    },

    async setVia(id: string, via: string): Promise<void> {
      await db.survey.updateMany({ where: { id, status: "PENDING" }, data: { via } });
    },

    /** Ends an open survey without an answer, with the reason. */
    async close(id: string, status: "EXPIRED" | "UNDELIVERABLE" | "CANCELLED", reason: string, from: readonly SurveyStatus[] = OPEN): Promise<boolean> {
      const { count } = await db.survey.updateMany({ where: { id, status: { in: [...from] } }, data: { status, closedReason: reason.slice(0, 500), nextCheckAt: null } });
      return count > 0;
    },

    /** Ends every open survey of a contact (opted out, unfollowed); returns how many. */
    async closeOpenFor(contactId: string, reason: string): Promise<number> {
      const { count } = await db.survey.updateMany({ where: { contactId, status: { in: OPEN } }, data: { status: "CANCELLED", closedReason: reason, nextCheckAt: null } });
      return count;
    },

    /** SENT -> ANSWERED; false when it was answered (or closed) meanwhile. */
    async answer(id: string, input: { score: number; comment: string | null; interactionId: string | null; at: Date }): Promise<boolean> {
      const { count } = await db.survey.updateMany({
        where: { id, status: "SENT" },
        data: { status: "ANSWERED", score: input.score, comment: input.comment, answerInteractionId: input.interactionId, answeredAt: input.at, nextCheckAt: null },
      });
      return count > 0;
    },

    async addComment(id: string, comment: string): Promise<boolean> {
      const { count } = await db.survey.updateMany({ where: { id, status: "ANSWERED", comment: null }, data: { comment } });
      return count > 0;
    },

    /** Takes the survey's due timer (only one job gets it); the caller sets the next one. */
    async claimTimer(id: string, now: Date): Promise<SurveyRow | null> {
      const rows = await db.$queryRaw<{ id: string }[]>`
        UPDATE surveys SET next_check_at = NULL WHERE id = ${id}::uuid AND next_check_at <= ${now} RETURNING id`;
      if (!rows[0]) return null;
      return db.survey.findUnique({ where: { id }, select: columns });
    },

    async setTimer(id: string, at: Date | null): Promise<void> {
      await db.survey.update({ where: { id }, data: { nextCheckAt: at } });
    },

    /** SENT and not reminded yet: record the reminder (once). */
    async markReminded(id: string, at: Date, nextCheckAt: Date): Promise<boolean> {
      const { count } = await db.survey.updateMany({ where: { id, status: "SENT", remindedAt: null }, data: { remindedAt: at, nextCheckAt } });
      return count > 0;
    },

    async timersDueBefore(until: Date, take: number, after?: string): Promise<{ id: string; nextCheckAt: Date }[]> {
      const rows = await db.survey.findMany({
        where: { nextCheckAt: { lte: until }, ...(after ? { id: { gt: after } } : {}) },
        orderBy: { id: "asc" },
        take,
        select: { id: true, nextCheckAt: true },
      });
      return rows.flatMap((r) => (r.nextCheckAt ? [{ id: r.id, nextCheckAt: r.nextCheckAt }] : []));
    },

    async setOptOut(contactId: string, at: Date): Promise<void> {
      await db.contact.updateMany({ where: { id: contactId, surveyOptOutAt: null }, data: { surveyOptOutAt: at, surveyCheckAt: null } });
    },

    /** A rep answered: the conversation counts as quiet at `at` unless it goes on. */
    async setSurveyCheck(contactId: string, at: Date): Promise<void> {
      await db.contact.updateMany({ where: { id: contactId, surveyOptOutAt: null }, data: { surveyCheckAt: at } });
    },

    /** The customer wrote again: an armed check moves to `at`. */
    async pushSurveyCheck(contactId: string, at: Date): Promise<boolean> {
      const { count } = await db.contact.updateMany({ where: { id: contactId, surveyCheckAt: { not: null, lt: at } }, data: { surveyCheckAt: at } });
      return count > 0;
    },

    /** Takes the contact's due survey check (only one job gets it). */
    async claimSurveyCheck(contactId: string, now: Date): Promise<boolean> {
      const rows = await db.$queryRaw<{ id: string }[]>`
        UPDATE contacts SET survey_check_at = NULL WHERE id = ${contactId}::uuid AND survey_check_at <= ${now} RETURNING id`;
      return rows.length > 0;
    },

    async surveyChecksDueBefore(until: Date, take: number, after?: string): Promise<{ id: string; surveyCheckAt: Date }[]> {
      const rows = await db.contact.findMany({
        where: { surveyCheckAt: { lte: until }, ...(after ? { id: { gt: after } } : {}) },
        orderBy: { id: "asc" },
        take,
        select: { id: true, surveyCheckAt: true },
      });
      return rows.flatMap((r) => (r.surveyCheckAt ? [{ id: r.id, surveyCheckAt: r.surveyCheckAt }] : []));
    },

    /**
     * The rep who last answered this contact (a delivered reply since `since`); they served the
     * customer, so the survey credits them.
     */
    async lastReplier(contactId: string, since: Date): Promise<string | null> {
      const row = await db.interaction.findFirst({
        where: { contactId, direction: "OUTBOUND", channel: "WECHAT", authorId: { not: null }, undelivered: null, occurredAt: { gte: since }, ...LIVE },
        orderBy: { occurredAt: "desc" },
        select: { authorId: true },
      });
      return row?.authorId ?? null;
    },

    /** The customer's latest message, and what we sent them since (replies and survey messages). */
    async windowFacts(contactId: string): Promise<WindowFacts> {
      const rows = await db.$queryRaw<{ last_inbound_at: Date | null; outbound_since: number }[]>`
        WITH last_in AS (
          SELECT max(occurred_at) AS at FROM (
            SELECT occurred_at FROM ${liveInteractions} i WHERE contact_id = ${contactId}::uuid AND direction = 'INBOUND' ORDER BY occurred_at DESC LIMIT 1
          ) l
        )
        SELECT last_in.at AS last_inbound_at,
               (SELECT count(*)::int FROM ${liveInteractions} i
                 WHERE i.contact_id = ${contactId}::uuid AND i.direction = 'OUTBOUND' AND i.channel = 'WECHAT'
                   AND i.undelivered IS NULL AND i.occurred_at > COALESCE(last_in.at, '-infinity'))
             + (SELECT count(*)::int FROM surveys s, LATERAL (VALUES (s.sent_at), (s.reminded_at)) AS m(at)
                 WHERE s.contact_id = ${contactId}::uuid AND s.platform = 'wechat' AND s.via = 'chat' AND m.at > COALESCE(last_in.at, '-infinity'))
               AS outbound_since
        FROM last_in`;
      return { lastInboundAt: rows[0]?.last_inbound_at ?? null, outboundSince: rows[0]?.outbound_since ?? 0 };
    },

    /** Latest answer and the CSAT average over every answer, for the card. */
    async summaryFor(customerId: string): Promise<{
      latest: { kind: SurveyKind; score: number; answeredAt: Date } | null;
      csatAverage: number | null;
      csatCount: number;
      npsCount: number;
      /** The newest survey when it has no answer (yet): waiting, expired or undeliverable, and why. */
      unanswered: { status: SurveyStatus; closedReason: string | null; createdAt: Date } | null;
    }> {
      const [newest, latest, agg] = await Promise.all([
        db.survey.findFirst({ where: { customerId }, orderBy: { createdAt: "desc" }, select: { status: true, closedReason: true, createdAt: true } }),
        db.survey.findFirst({ where: { customerId, status: "ANSWERED" }, orderBy: { answeredAt: "desc" }, select: { kind: true, score: true, answeredAt: true } }),
        db.$queryRaw<{ csat_avg: number | null; csat_count: number; nps_count: number }[]>`
          SELECT avg(score) FILTER (WHERE kind = 'CSAT')::float8 AS csat_avg,
                 count(*) FILTER (WHERE kind = 'CSAT')::int AS csat_count,
                 count(*) FILTER (WHERE kind = 'NPS')::int AS nps_count
          FROM surveys WHERE customer_id = ${customerId}::uuid AND status = 'ANSWERED'`,
      ]);
      const a = agg[0];
      return {
        latest: latest && latest.score !== null && latest.answeredAt ? { kind: latest.kind, score: latest.score, answeredAt: latest.answeredAt } : null,
        csatAverage: a?.csat_avg ?? null,
        csatCount: a?.csat_count ?? 0,
        npsCount: a?.nps_count ?? 0,
        unanswered: newest && newest.status !== "ANSWERED" ? newest : null,
      };
    },

    /**
     * Survey figures for [from, to), counted in Postgres: per kind, the surveys that reached a
     * customer in the period and how many of those were answered (the response rate), and the
     * answers given in the period per score.
     */
    async stats(from: Date, to: Date): Promise<SurveyStatsRow[]> {
      const [reach, answers] = await Promise.all([
        db.$queryRaw<{ kind: SurveyKind; asked: number; answered: number }[]>`
          SELECT kind, count(*)::int AS asked, count(*) FILTER (WHERE status = 'ANSWERED')::int AS answered
          FROM surveys WHERE sent_at >= ${from} AND sent_at < ${to} GROUP BY kind`,
        db.$queryRaw<{ kind: SurveyKind; score: number; n: number }[]>`
          SELECT kind, score, count(*)::int AS n
          FROM surveys WHERE status = 'ANSWERED' AND answered_at >= ${from} AND answered_at < ${to} GROUP BY kind, score`,
      ]);
      const byKind = new Map<SurveyKind, SurveyStatsRow>();
      const entry = (kind: SurveyKind) => {
        let e = byKind.get(kind);
        if (!e) byKind.set(kind, (e = { kind, asked: 0, answered: 0, distribution: {} }));
        return e;
      };
      for (const r of reach) Object.assign(entry(r.kind), { asked: r.asked, answered: r.answered });
      for (const r of answers) entry(r.kind).distribution[r.score] = r.n;
      return [...byKind.values()];
    },
  };
}

export type SurveyStore = ReturnType<typeof createSurveyStore>;
