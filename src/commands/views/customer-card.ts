import type { Block, Button, Message } from "../../reply/reply.js";
import type { CardSection, CustomerCard } from "../../services/index.js";
import type { CommandContext } from "../types.js";
import { shareButton } from "./share.js";
import { readCloseReason } from "../../domain/surveys/survey-policy.js";
import { addContactButton, contactButtons, contactDetail, contactTitle } from "./contact-list.js";

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

/** The buttons that open a cut section of the card in full ("All contacts"). */
const SECTION_BUTTONS: Readonly<Record<CardSection, "button.allContacts" | "button.allReminders" | "button.allDeals">> = {
  contacts: "button.allContacts", reminders: "button.allReminders", deals: "button.allDeals",
};

/** Industry, tags, website and address on one line, and the about note, when they are set. */
function profileBlocks(ctx: Pick<CommandContext, "t" | "f">, card: CustomerCard): Block[] {
  const { t, f } = ctx;
  const parts = [
    card.industry ? `${t("card.industry")}: ${card.industry}` : null,
    card.tags.length > 0 ? `${t("card.tags")}: ${f.list(card.tags)}` : null,
    card.website,
    card.address ? `${t("card.address")}: ${card.address}` : null,
  ].filter((p): p is string => p !== null);
  const blocks: Block[] = parts.length > 0 ? [{ type: "context", text: parts.join(" · ") }] : [];
  if (card.about) blocks.push({ type: "context", text: `${t("card.about")}: ${excerpt(card.about, 300)}` });
  return blocks;
}

export function customerCardMessage(ctx: Pick<CommandContext, "t" | "f" | "now">, card: CustomerCard, notice?: string): Message {
  const { t, f } = ctx;
  const money = (n: number) => f.money(n, card.baseCurrency);
  const blocks: Block[] = [];
  const sectionButtons: Button[] = [];
  /** A list cut to its first few says so, and how to see it all (a shared card has no buttons). */
  const cut = (section: CardSection, shown: number, total: number): void => {
    if (total <= shown) return;
    if (card.forChannel) {
      blocks.push({ type: "context", text: t("list.first", { shown, total }) });
      return;
    }
    const label = t(SECTION_BUTTONS[section]);
    blocks.push({ type: "context", text: t("card.cut", { shown, total, button: label }) });
    sectionButtons.push({ label, action: { id: "customer.section", value: JSON.stringify({ id: card.id, s: section, p: 1 }) } });
  };
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
      { label: t("card.clv", { months: card.lifespanMonths }), value: card.clvEarlyEstimate ? `${money(card.clv)} (${t("clv.early")})` : money(card.clv) },
      { label: t("card.lastPurchase"), value: card.lastOrderAt ? `${f.date(card.lastOrderAt)} (${f.relative(card.lastOrderAt, ctx.now)})` : t("card.never") },
    ],
  });
  if (card.clvEarlyEstimate) blocks.push({ type: "context", text: t("clv.earlyNote", { months: card.minObservationMonths }) });
  if (card.aliases.length > 0) blocks.push({ type: "context", text: `${t("card.aliases")}: ${f.list(card.aliases)}` });
  blocks.push(...profileBlocks(ctx, card));

  blocks.push({
    type: "list",
    title: t("card.contacts"),
    // A rep who may add one is told where: the card's Add contact button.
    empty: card.mayEditContacts ? t("contact.noneYet", { button: t("contact.button.add") }) : t("card.noContacts"),
    items: card.contacts.map((c) => {
      const detail = contactDetail(ctx, { ...c, birthday: null, anniversary: null });
      return { title: contactTitle(c), ...(detail ? { detail } : {}), ...(card.mayEditContacts ? { buttons: contactButtons(ctx, c) } : {}) };
    }),
  });
  cut("contacts", card.contacts.length, card.totals.contacts);
  if (card.forChannel && card.contacts.length > 0) {
    blocks.push({ type: "context", text: t("card.privateShared") });
  } else if (!card.showPrivate && card.contacts.length > 0) {
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
  if (card.totals.interactions > card.interactions.length) {
    blocks.push({ type: "context", text: t("list.firstMore", { shown: card.interactions.length, total: card.totals.interactions, command: `/history ${card.name}` }) });
  }
  blocks.push({
    type: "list",
    title: t("card.reminders"),
    empty: t("card.noReminders"),
    items: card.reminders.map((r) => ({ title: r.text, detail: `${t("card.due", { when: f.dateTime(r.dueAt) })} · ${r.ownerName}` })),
  });
  cut("reminders", card.reminders.length, card.totals.reminders);
  if (card.deals.length > 0) {
    blocks.push({
      type: "list",
      title: t("card.deals"),
      items: card.deals.map((d) => ({
        title: d.title,
        detail: [d.amount && d.currency ? f.money(d.amount, d.currency) : null, d.expectedCloseAt ? f.date(d.expectedCloseAt) : null].filter(Boolean).join(" · ") || undefined,
      })),
    });
    cut("deals", card.deals.length, card.totals.deals);
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
      // In the card's own row, so its first button stays Log a note (the terminal numbers them in order).
      ...(card.mayEditContacts ? [addContactButton(ctx, card.id, false)] : []),
      ...(card.mayEdit ? [{ label: t("button.edit"), action: { id: "customer.edit", value: card.id } }] : []),
      shareButton(ctx, { id: "customer.show", value: card.id }),
      ...sectionButtons,
    ],
  });
  const summary = `${card.name} · ${t(`stage.${card.stage as "LEAD"}`)} · ${t("card.revenue")} ${money(card.revenue)}`;
  return { visibility: "private", summary, blocks };
}
