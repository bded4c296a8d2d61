import type { Block, Button, Message } from "../../reply/reply.js";
import type { InboxThreadDetail, WindowState } from "../../services/index.js";
import type { LoadedNotification, RenderContext } from "../notification-types.js";
import type { CommandContext } from "../types.js";

type InboxNotification = Extract<LoadedNotification, { type: `inbox.${string}` | "wechat.reply" }>;

/** How long WeChat will still take our messages in this conversation, in the reader's words. */
export function windowText(ctx: Pick<CommandContext, "t" | "f" | "now">, window: WindowState): string {
  if (!window.closesAt) return ctx.t("inbox.window.none");
  if (window.open) return ctx.t("inbox.window.open", { when: ctx.f.relative(window.closesAt, ctx.now), left: window.messagesLeft });
  if (window.closesAt.getTime() > ctx.now.getTime()) return ctx.t("inbox.window.quota");
  return ctx.t("inbox.window.closed", { when: ctx.f.relative(window.closesAt, ctx.now) });
}

/** Why WeChat refused a reply, from the reason the outbox recorded (errcode first). */
export function refusalText(ctx: Pick<CommandContext, "t">, reason: string): string {
  if (/\b45015\b/.test(reason)) return ctx.t("inbox.reason.window");
  if (/\b45047\b/.test(reason)) return ctx.t("inbox.reason.quota");
  if (/\b(43004|40003)\b/.test(reason) || /erased/.test(reason)) return ctx.t("inbox.reason.unsubscribed");
  return ctx.t("inbox.reason.other", { reason: reason.slice(0, 200) });
}

function threadButtons(ctx: RenderContext, detail: InboxThreadDetail): Button[] {
  return [
    { label: ctx.t("button.reply"), action: { id: "inbox.reply", value: detail.thread.id }, style: "primary" },
    ...(detail.customer.stage === "LEAD" ? [{ label: ctx.t("button.link"), action: { id: "inbox.link", value: detail.thread.id } }] : []),
    { label: ctx.t("button.open"), action: { id: "customer.show", value: detail.customer.id } },
  ];
}

function header(ctx: RenderContext, detail: InboxThreadDetail): Message {
  const { customer, window, thread } = detail;
  const owner = customer.owner;
  const blocks: Block[] = [
    owner
      ? { type: "mention", people: [{ platform: owner.platform, id: owner.externalId, name: owner.displayName }], text: ctx.t("inbox.header.new", { customer: customer.name }) }
      : { type: "text", text: ctx.t("inbox.header.noOwner", { customer: customer.name }) },
    {
      type: "fields",
      fields: [
        { label: ctx.t("inbox.field.customer"), value: customer.name },
        { label: ctx.t("inbox.field.stage"), value: ctx.t(`stage.${customer.stage}`) },
        { label: ctx.t("inbox.field.owner"), value: owner?.displayName ?? ctx.t("inbox.noOwner") },
        { label: ctx.t("inbox.field.clv"), value: ctx.f.money(customer.clv, customer.currency) },
        { label: ctx.t("inbox.field.window"), value: windowText(ctx, window) },
      ],
    },
  ];
  if (thread.contact.unsubscribedAt) blocks.push({ type: "context", text: ctx.t("inbox.unsubscribed") });
  blocks.push({ type: "buttons", buttons: threadButtons(ctx, detail) });
  return { visibility: "shared", summary: ctx.t("inbox.header.summary", { customer: customer.name }), blocks };
}

/** The inbox channel's messages (team language and zone) and a rep's reply as the customer gets it. */
export function renderInboxNotification(ctx: RenderContext, loaded: InboxNotification): Message {
  switch (loaded.type) {
    case "inbox.header":
      return header(ctx, loaded.detail);
    case "inbox.message": {
      const { interaction, detail } = loaded;
      // Messages that waited for the same send slot share one post, each with its own time.
      const messages = [interaction, ...(loaded.more ?? [])];
      return {
        visibility: "shared",
        summary: `${detail.customer.name}: ${messages.map((m) => m.body).join(" / ")}`.slice(0, 300),
        ...(loaded.thread ? { thread: loaded.thread } : {}),
        blocks: [
          ...messages.flatMap((m): Block[] => [
            { type: "text", text: m.body },
            { type: "context", text: ctx.t("inbox.message.context", { customer: detail.customer.name, when: ctx.f.dateTime(m.occurredAt) }) },
          ]),
          { type: "buttons", buttons: threadButtons(ctx, detail).slice(0, 1) },
        ],
      };
    }
    case "inbox.reply-status": {
      const { interaction, detail } = loaded;
      const author = interaction.author?.displayName ?? "";
      const title = interaction.undelivered
        ? ctx.t("inbox.reply.failed", { reason: refusalText(ctx, interaction.undelivered) })
        : ctx.t("inbox.reply.sent", { rep: author, customer: detail.customer.name });
      return {
        visibility: "shared",
        summary: title,
        isError: interaction.undelivered !== null,
        ...(loaded.thread ? { thread: loaded.thread } : {}),
        blocks: [{ type: "text", title, text: interaction.body }],
      };
    }
    case "inbox.linked": {
      const text = ctx.t("inbox.linked", { rep: loaded.repName, customer: loaded.customerName });
      return { visibility: "shared", summary: text, ...(loaded.thread ? { thread: loaded.thread } : {}), blocks: [{ type: "text", text }] };
    }
    case "wechat.reply":
      // What the customer reads: the rep's words, nothing else.
      return { visibility: "private", summary: loaded.interaction.body, blocks: [{ type: "text", text: loaded.interaction.body }] };
  }
}
