import { z } from "zod";
import { AppError } from "../domain/errors.js";
import { invalidInput } from "../domain/errors.js";
import type { Block, Outcome } from "../reply/reply.js";
import { message, textMessage } from "../reply/reply.js";
import type { ActionHandler, CommandContext, CommandDefinition } from "./types.js";
import { noPageText, offsetOf, pageNote, pageNumber } from "./views/list-page.js";

function adminOnly(ctx: CommandContext): void {
  if (ctx.rep.role !== "ADMIN") throw new AppError("FORBIDDEN", "error.forbidden");
}

async function list(ctx: CommandContext, page = 1): Promise<Outcome> {
  adminOnly(ctx);
  const failed = await ctx.services.listFailedDeliveries(ctx.rep, page);
  const title = ctx.t("outbox.title");
  const at = { page, size: failed.pageSize, total: failed.total, shown: failed.messages.length };
  const blocks: Block[] = [{ type: "header", text: title }];
  if (failed.total === 0) blocks.push({ type: "text", text: ctx.t("outbox.empty") });
  else if (failed.messages.length === 0) blocks.push({ type: "text", text: noPageText(ctx, at) });
  else {
    blocks.push({
      type: "list",
      items: failed.messages.map((m) => ({
        title: ctx.f.dateTime(m.updatedAt),
        detail: ctx.t("outbox.item", { platform: m.platform, destination: m.destination, attempts: m.attempts, reason: m.lastError ?? "?" }),
        button: { label: ctx.t("button.retry"), action: { id: "outbox.retry", value: m.id } },
      })),
    });
    const note = pageNote(ctx, at, (next) => `/crm outbox ${next}`);
    if (note) blocks.push({ type: "context", text: note });
    if (offsetOf(page, failed.pageSize) + failed.messages.length < failed.total) {
      blocks.push({ type: "buttons", buttons: [{ label: ctx.t("button.more"), action: { id: "outbox.list", value: String(page + 1) } }] });
    }
  }
  return message(blocks, title);
}

/** "/crm outbox [page]": admins see what could not be delivered, and why. */
export const outboxCommand: CommandDefinition = {
  name: "outbox",
  slash: false,
  help: [{ usage: ["/crm outbox [page]"], description: "help.outbox", examples: ["/crm outbox", "/crm outbox 2"] }],
  run: (ctx, text) => {
    const typed = text.trim();
    const page = typed ? pageNumber(typed) : 1;
    if (!page) throw invalidInput("list.badPage", { text: typed.slice(0, 40) });
    return list(ctx, page);
  },
};

export const outboxActions: Record<string, ActionHandler> = {
  "outbox.list": (ctx, value) => list(ctx, pageNumber(value) ?? 1),
  "outbox.retry": async (ctx, value) => {
    const requeued = await ctx.services.retryDelivery(ctx.rep, z.uuid().parse(value));
    const text = ctx.t(requeued ? "outbox.requeued" : "outbox.notFailed");
    return textMessage(text);
  },
};
