import type { Block, Button, ListItem, Message } from "../../reply/reply.js";
import type { HomeView } from "../../services/index.js";
import type { Locale } from "../../i18n/index.js";
import type { RenderContext } from "../notification-types.js";
import { stageReasonText } from "./stage-reason.js";
import { reminderText } from "./reminder-text.js";

type HomeContext = RenderContext & { locale: Locale };

/** The quick buttons at the top of the Home: the forms the bot already has, and one for a deal. */
export function quickButtons(ctx: Pick<RenderContext, "t">): Button[] {
  return [
    { label: ctx.t("home.button.find"), action: { id: "home.find", value: "" }, style: "primary" },
    { label: ctx.t("home.button.log"), action: { id: "home.log", value: "" } },
    { label: ctx.t("home.button.order"), action: { id: "home.order", value: "" } },
    { label: ctx.t("home.button.deal"), action: { id: "home.deal", value: "" } },
  ];
}

/** "and 3 more" under a list cut at the Home's size. */
function moreLine(ctx: HomeContext, shown: number, total: number, hint: string): Block[] {
  if (total <= shown) return [];
  return [{ type: "context", text: hint ? ctx.t("home.more", { count: total - shown, hint }) : ctx.t("home.moreOnly", { count: total - shown }) }];
}

/**
 * A rep's Home: the same blocks on Slack's Home tab (published, `surface: "home"`) and in the
 * demo's terminal (/crm home). Every customer-written string stays plain text for the adapter
 * to escape. Within 100 Slack blocks: four lists of at most HOME_LIST_SIZE items.
 */
export function homeView(ctx: HomeContext, rep: { displayName: string }, home: HomeView): Message {
  const title = ctx.t("home.title", { name: rep.displayName });
  const blocks: Block[] = [
    { type: "header", text: title },
    { type: "context", text: ctx.t("home.updated", { time: ctx.f.dateTime(ctx.now) }) },
    { type: "buttons", buttons: quickButtons(ctx) },
    { type: "divider" },
  ];

  const reminders: ListItem[] = home.reminders.items.map((r) => {
    const overdue = r.dueAt.getTime() <= ctx.now.getTime();
    const when = ctx.t(overdue ? "home.reminder.overdue" : "home.reminder.due", { when: ctx.f.weekdayDateTime(r.dueAt) });
    return {
      title: reminderText(ctx, r),
      detail: r.customerName ? `${when} · ${r.customerName}` : when,
      buttons: [
        { label: ctx.t("button.done"), action: { id: "reminder.done", value: r.id }, style: "primary" },
        { label: ctx.t("button.snoozeHour"), action: { id: "reminder.snooze", value: r.id } },
      ],
    };
  });
  blocks.push({ type: "list", title: ctx.t("home.reminders.title", { count: home.reminders.total }), items: reminders, empty: ctx.t("home.reminders.none") });
  blocks.push(...moreLine(ctx, reminders.length, home.reminders.total, "/remind list"));
  blocks.push({ type: "divider" });

  const atRisk: ListItem[] = home.atRisk.items.map((c) => {
    const reason = stageReasonText(ctx, c.reason);
    const since = c.since ? ctx.t("home.atRisk.since", { when: ctx.f.date(c.since) }) : "";
    return {
      title: c.name,
      ...(reason || since ? { detail: [since, reason].filter(Boolean).join(" · ") } : {}),
      button: { label: ctx.t("button.open"), action: { id: "customer.show", value: c.id } },
    };
  });
  blocks.push({ type: "list", title: ctx.t("home.atRisk.title", { count: home.atRisk.total }), items: atRisk, empty: ctx.t("home.atRisk.none") });
  blocks.push(...moreLine(ctx, atRisk.length, home.atRisk.total, "/segment churn-risk"));
  blocks.push({ type: "divider" });

  const { deals } = home;
  if (deals.count === 0) {
    blocks.push({ type: "list", title: ctx.t("home.deals.title", { count: 0 }), items: [], empty: ctx.t("home.deals.none") });
  } else {
    blocks.push(
      { type: "text", title: ctx.t("home.deals.title", { count: deals.count }), text: ctx.t("home.deals.total", { count: deals.count, weighted: ctx.f.money(deals.weighted.toFixed(2), deals.currency) }) },
      {
        type: "fields",
        fields: deals.stages.map((s) => ({
          label: ctx.t("home.deals.stage", { stage: s.names[ctx.locale], probability: s.probability }),
          value: ctx.t("home.deals.figures", { count: s.count, amount: ctx.f.money(s.amount.total.toFixed(2), deals.currency), weighted: ctx.f.money(s.weighted.toFixed(2), deals.currency) }),
        })),
      },
    );
    if (deals.withoutAmount > 0) blocks.push({ type: "context", text: ctx.t("home.deals.withoutAmount", { count: deals.withoutAmount }) });
  }
  blocks.push({ type: "divider" });

  const waiting: ListItem[] = home.waiting.items.map((w) => ({
    title: w.contactName && w.contactName !== w.customerName ? `${w.customerName} · ${w.contactName}` : w.customerName,
    detail: ctx.t("home.waiting.since", { when: ctx.f.relative(w.since, ctx.now) }),
    ...(w.thread
      ? { button: { label: ctx.t("home.waiting.open"), action: { id: "link.open", value: "thread" }, opens: { channel: w.thread.channel, thread: w.thread.ts } } }
      : { button: { label: ctx.t("button.open"), action: { id: "customer.show", value: w.customerId } } }),
  }));
  blocks.push({ type: "list", title: ctx.t("home.waiting.title", { count: home.waiting.total }), items: waiting, empty: ctx.t("home.waiting.none") });
  blocks.push(...moreLine(ctx, waiting.length, home.waiting.total, ""));

  return { visibility: "private", summary: title, blocks, surface: "home" };
}
