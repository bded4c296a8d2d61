import { z } from "zod";
import { AppError } from "../domain/errors.js";
import type { Outcome } from "../reply/reply.js";
import { message, textMessage } from "../reply/reply.js";
import type { ActionHandler, CommandContext, CommandDefinition } from "./types.js";

function adminOnly(ctx: CommandContext): void {
  if (ctx.rep.role !== "ADMIN") throw new AppError("FORBIDDEN", "error.forbidden");
}

async function list(ctx: CommandContext): Promise<Outcome> {
  adminOnly(ctx);
  const failed = await ctx.services.listFailedDeliveries();
  const title = ctx.t("outbox.title");
  return message(
    [
      { type: "header", text: title },
      failed.length === 0
        ? { type: "text", text: ctx.t("outbox.empty") }
        : {
            type: "list",
            items: failed.map((m) => ({
              title: ctx.f.dateTime(m.updatedAt),
              detail: ctx.t("outbox.item", { platform: m.platform, destination: m.destination, attempts: m.attempts, reason: m.lastError ?? "?" }),
              button: { label: ctx.t("button.retry"), action: { id: "outbox.retry", value: m.id } },
            })),
          },
    ],
    title,
  );
}

/** "/crm outbox": admins see what could not be delivered, and why. */
export const outboxCommand: CommandDefinition = {
  name: "outbox",
  slash: false,
  help: [{ usage: ["/crm outbox"], description: "help.outbox", examples: ["/crm outbox"] }],
  run: (ctx) => list(ctx),
};

export const outboxActions: Record<string, ActionHandler> = {
  "outbox.retry": async (ctx, value) => {
    const requeued = await ctx.services.retryDelivery(ctx.rep, z.uuid().parse(value));
    const text = ctx.t(requeued ? "outbox.requeued" : "outbox.notFailed");
    return textMessage(text);
  },
};
