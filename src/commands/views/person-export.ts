import type { MessageKey } from "../../i18n/index.js";
import type { Block, Message, OutgoingFile } from "../../reply/reply.js";
import type { PersonRecord } from "../../services/index.js";
import type { CommandContext } from "../types.js";

const encoder = new TextEncoder();

/** Dates as ISO strings; everything else as it is stored. */
function jsonOf(record: PersonRecord, meta: { exportedAt: Date; exportedBy: string }): string {
  return JSON.stringify({ exportedAt: meta.exportedAt, exportedBy: meta.exportedBy, ...record }, null, 2);
}

/** "personal-data-3f2a9c1b-2026-12-07": the contact's id, never their name (file names show in Slack's file list). */
function stem(record: PersonRecord, at: Date): string {
  return `personal-data-${record.contact.id.slice(0, 8)}-${at.toISOString().slice(0, 10)}`;
}

/** One line per value, "label: value", the value on the same line (newlines in it kept indented). */
function line(label: string, value: string | null | undefined, none: string): string {
  const shown = value === null || value === undefined || value === "" ? none : value;
  return `${label}: ${shown.replace(/\r?\n/g, "\n    ")}`;
}

/** The same record as readable text, with the asker's language for every label. */
function textOf(ctx: CommandContext, record: PersonRecord, meta: { exportedAt: Date; exportedBy: string }): string {
  const { t, f } = ctx;
  const none = t("exportPerson.text.none");
  const when = (d: Date | null) => (d ? f.dateTime(d) : null);
  const c = record.contact;
  const out: string[] = [
    t("exportPerson.text.title", { name: c.name }),
    t("exportPerson.text.exported", { when: f.dateTime(meta.exportedAt), by: meta.exportedBy }),
    "",
    `== ${t("exportPerson.text.contact")} ==`,
    line(t("exportPerson.field.id"), c.id, none),
    line(t("exportPerson.field.name"), c.name, none),
    line(t("exportPerson.field.title"), c.title, none),
    line(t("exportPerson.field.email"), c.email, none),
    line(t("exportPerson.field.phone"), c.phone, none),
    line(t("exportPerson.field.wechat"), c.wechatOpenId, none),
    line(t("exportPerson.field.slack"), c.slackUserId, none),
    line(t("exportPerson.field.locale"), c.locale, none),
    line(t("exportPerson.field.birthday"), c.birthday, none),
    line(t("exportPerson.field.anniversary"), c.anniversary, none),
    line(t("exportPerson.field.unsubscribed"), when(c.unsubscribedAt), none),
    line(t("exportPerson.field.surveyOptOut"), when(c.surveyOptOutAt), none),
    line(t("exportPerson.field.removed"), when(c.removedAt), none),
    line(t("exportPerson.field.created"), when(c.createdAt), none),
    line(t("exportPerson.field.updated"), when(c.updatedAt), none),
    "",
    `== ${t("exportPerson.text.customer")} ==`,
    line(t("customer.field.name"), record.customer.name, none),
    line(t("customer.field.stage"), t(`stage.${record.customer.stage}` as MessageKey), none),
    line(t("customer.field.owner"), record.customer.ownerName, none),
    line(t("customer.field.industry"), record.customer.industry, none),
    line(t("customer.field.website"), record.customer.website, none),
    line(t("customer.field.address"), record.customer.address, none),
    line(t("customer.field.tags"), record.customer.tags.join(", "), none),
    "",
    `== ${t("exportPerson.text.interactions", { count: record.interactions.length })} ==`,
    ...(record.interactions.length === 0 ? [none] : record.interactions.map((i) => {
      const head = [f.dateTime(i.occurredAt), t(`channel.${i.channel}` as MessageKey), t(`exportPerson.direction.${i.direction}` as MessageKey), ...(i.authorName ? [i.authorName] : [])].join(" · ");
      const notes = [...(i.undelivered ? [t("exportPerson.text.undelivered", { reason: i.undelivered })] : []), ...(i.deletedAt ? [t("exportPerson.text.deleted")] : [])];
      return `${head}: ${i.body.replace(/\r?\n/g, "\n    ")}${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`;
    })),
    "",
    `== ${t("exportPerson.text.surveys", { count: record.surveys.length })} ==`,
    ...(record.surveys.length === 0 ? [none] : record.surveys.map((s) => t("exportPerson.text.survey", {
      when: f.dateTime(s.answeredAt ?? s.sentAt ?? s.createdAt), kind: s.kind, status: s.status.toLowerCase(),
      score: s.score === null ? none : String(s.score), comment: s.comment ?? none,
    }))),
    "",
    `== ${t("exportPerson.text.outbox", { count: record.outbox.length })} ==`,
    ...(record.outbox.length === 0 ? [none] : record.outbox.map((o) => `${f.dateTime(o.createdAt)} · ${o.platform} · ${o.type ?? "?"} · ${o.status.toLowerCase()}${o.lastError ? ` (${o.lastError})` : ""}`)),
    "",
    `== ${t("exportPerson.text.audit", { count: record.audit.length })} ==`,
    ...(record.audit.length === 0 ? [none] : record.audit.map((a) => `${f.dateTime(a.at)} · ${a.action} · ${a.actorName ?? t("exportPerson.text.bot")}${a.detail ? ` · ${JSON.stringify(a.detail)}` : ""}`)),
    "",
  ];
  return out.join("\n");
}

/** The answer to /crm export-person: what was found, and the record as two files (JSON and text). */
export function personExportMessage(ctx: CommandContext, record: PersonRecord): Message {
  const meta = { exportedAt: ctx.now, exportedBy: ctx.rep.displayName };
  const base = stem(record, ctx.now);
  const name = record.contact.name;
  const json: OutgoingFile = { filename: `${base}.json`, title: ctx.t("exportPerson.file.jsonTitle", { name }), mimeType: "application/json", content: encoder.encode(jsonOf(record, meta)) };
  const text: OutgoingFile = { filename: `${base}.txt`, title: ctx.t("exportPerson.file.textTitle", { name }), mimeType: "text/plain; charset=utf-8", content: encoder.encode(textOf(ctx, record, meta)) };
  const summary = ctx.t("exportPerson.done", {
    name, customer: record.customer.name, interactions: record.interactions.length, surveys: record.surveys.length, outbox: record.outbox.length, audit: record.audit.length,
  });
  const blocks: Block[] = [
    { type: "text", text: summary },
    { type: "file", file: json, summary: ctx.t("exportPerson.file.jsonSummary", { filename: json.filename }) },
    { type: "file", file: text, summary: ctx.t("exportPerson.file.textSummary", { filename: text.filename }) },
  ];
  return { visibility: "private", summary, blocks };
}
