import { invalidInput } from "../domain/errors.js";
import type { Outcome } from "../reply/reply.js";
import { textMessage } from "../reply/reply.js";
import type { ActionHandler, CommandContext, CommandDefinition } from "./types.js";
import { shareButton } from "./views/share.js";

export const DEFAULT_TOP = 10;
export const MAX_TOP = 50;

export function parseTopText(text: string): number {
  const trimmed = text.trim();
  if (!trimmed) return DEFAULT_TOP;
  if (!/^\d+$/.test(trimmed)) throw invalidInput("top.badCount", { value: trimmed.slice(0, 40), max: MAX_TOP });
  const n = Number(trimmed);
  if (n < 1 || n > MAX_TOP) throw invalidInput("top.badCount", { value: trimmed, max: MAX_TOP });
  return n;
}

async function showTop(ctx: CommandContext, count: number): Promise<Outcome> {
  const ranked = await ctx.services.listTopCustomers(count);
  const base = ctx.services.settings.baseCurrency;
  if (ranked.length === 0) {
    const text = ctx.t("top.empty");
    return textMessage(text);
  }
  const title = ctx.t("top.title");
  return {
    kind: "message",
    message: {
      visibility: "private",
      summary: title,
      blocks: [
        { type: "header", text: title },
        {
          type: "list",
          items: ranked.map((c, i) => ({
            title: `${i + 1}. ${c.name}`,
            detail: ctx.t("top.item", {
              clv: ctx.f.money(c.clv, base),
              revenue: ctx.f.money(c.totalSpent, base),
              orders: ctx.f.number(c.orderCount, 0),
              owner: c.ownerName ?? ctx.t("card.noOwner"),
            }),
            button: { label: ctx.t("button.open"), action: { id: "customer.show", value: c.id } },
          })),
        },
        { type: "buttons", buttons: [shareButton(ctx, { id: "top.show", value: String(count) })] },
      ],
    },
  };
}

export const topCommand: CommandDefinition = {
  name: "top",
  help: [{ usage: ["/top [n]"], description: "help.top", examples: ["/top", "/top 5"] }],
  run: (ctx, text) => showTop(ctx, parseTopText(text)),
};

export const topActions: Record<string, ActionHandler> = {
  "top.show": (ctx, value) => showTop(ctx, parseTopText(value)),
};
