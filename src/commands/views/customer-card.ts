import type { Block, Message } from "../../reply/reply.js";
import type { CustomerCard } from "../../services/index.js";
import type { CommandContext } from "../types.js";
import { shareButton } from "./share.js";
import { readCloseReason } from "../../domain/survey-policy.js";

/** Long notes are cut on the card; the full text is in /history. */
function excerpt(text: string, max = 140): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Where the newest unanswered survey stands, in the reader's words ("undeliverable: …"). */
export function surveyState(ctx: Pick<CommandContext, "t" | "f">, pending: { status: string; reason: string | null; since: Date }): string {
  const reason = readCloseReason(pending.reason);
  const why = reason ? ctx.t(`survey.reason.${reason.code}`, { detail: reason.detail ?? "" }) : "";
  const when = ctx.f.date(pending.since);
  switch (pending.status) {
    case "PENDING":
    case "SENT":
      return ctx.t("card.survey.open", { when });
    case "WAITING":
      return ctx.t("card.survey.waiting", { when });
    default:
      return ctx.t("card.survey.ended", { when, why });
  }
}

export function customerCardMessage(ctx: CommandContext, card: CustomerCard, notice?: string): Message {
  const { t, f } = ctx;
  const money = (n: number) => f.money(n, card.baseCurrency);
  const blocks: Block[] = [];
  if (notice) blocks.push({ type: "context", text: notice });
  blocks.push({ type: "header", text: card.name });
  blocks.push({
    type: "fields",
    fields: [
      { label: t("card.stage"), value: t(`stage.${card.stage as "LEAD"}`) },
      { label: t("card.owner"), value: card.owner?.name ?? t("card.noOwner") },
      { label: t("card.revenue"), value: money(card.revenue) },
      { label: t("card.orders"), value: f.number(card.orderCount, 0) },
      { label: t("card.aov"), value: card.orderCount > 0 ? money(card.averageOrderValue) : "—" },
      { label: t("card.frequency"), value: card.orderCount > 0 ? t("card.perMonth", { count: f.number(card.purchaseFrequency, 2) }) : "—" },
      { label: t("card.clv", { months: card.lifespanMonths }), value: money(card.clv) },
      { label: t("card.lastPurchase"), value: card.lastOrderAt ? `${f.date(card.lastOrderAt)} (${f.relative(card.lastOrderAt, ctx.now)})` : t("card.never") },
    ],
  });
  if (card.aliases.length > 0) blocks.push({ type: "context", text: `${t("card.aliases")}: ${f.list(card.aliases)}` });

  blocks.push({
    type: "list",
    title: t("card.contacts"),
    empty: t("card.noContacts"),
    items: card.contacts.map((c) => ({
      title: c.title ? `${c.name} (${c.title})` : c.name,
      detail: [c.email, c.phone, c.onWechat ? t("card.onWechat") : null].filter(Boolean).join(" · ") || undefined,
    })),
  });
  if (!card.showPrivate && card.contacts.length > 0) {
    blocks.push({ type: "context", text: t("card.privateHidden", { owner: card.owner?.name ?? t("card.noOwner") }) });
  }

  blocks.push({
    type: "list",
    title: t("card.recent"),
    empty: t("card.noInteractions"),
    items: card.interactions.map((i) => ({
      title: `${f.dateTime(i.occurredAt)} · ${t(`channel.${i.channel as "NOTE"}`)}${i.authorName ? ` · ${t("card.by", { name: i.authorName })}` : ""}`,
      detail: excerpt(i.body),
    })),
  });
  blocks.push({
    type: "list",
    title: t("card.reminders"),
    empty: t("card.noReminders"),
    items: card.reminders.map((r) => ({ title: r.text, detail: `${t("card.due", { when: f.dateTime(r.dueAt) })} · ${r.ownerName}` })),
  });
  if (card.deals.length > 0) {
    blocks.push({
      type: "list",
      title: t("card.deals"),
      items: card.deals.map((d) => ({
        title: d.title,
        detail: [d.amount && d.currency ? f.money(d.amount, d.currency) : null, d.expectedCloseAt ? f.date(d.expectedCloseAt) : null].filter(Boolean).join(" · ") || undefined,
      })),
    });
  }
  const s = card.satisfaction;
  blocks.push({
    type: "context",
    text: `${t("card.satisfaction")}: ${
      s.latest
        ? t("card.csatLatest", { kind: s.latest.kind, score: s.latest.score, average: s.averageCsat === null ? "—" : f.number(s.averageCsat, 1), count: s.answered })
        : t("card.csatNone")
    }${s.pending ? ` · ${surveyState(ctx, s.pending)}` : ""}`,
  });
  blocks.push({
    type: "buttons",
    buttons: [
      { label: t("button.logNote"), action: { id: "customer.logForm", value: card.id }, style: "primary" },
      { label: t("button.addOrder"), action: { id: "customer.orderForm", value: card.id } },
      { label: t("button.history"), action: { id: "history.first", value: card.id } },
      shareButton(ctx, { id: "customer.show", value: card.id }),
    ],
  });
  const summary = `${card.name} · ${t(`stage.${card.stage as "LEAD"}`)} · ${t("card.revenue")} ${money(card.revenue)}`;
  return { visibility: "private", summary, blocks };
}
