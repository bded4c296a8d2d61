import { z } from "zod";
import { AppError } from "../domain/errors.js";
import { mayChange } from "../domain/access/write-rights.js";
import type { Block, ListItem, Outcome } from "../reply/reply.js";
import { HISTORY_PAGE_SIZE } from "../services/index.js";
import type { TimelineCursor, TimelineEntry } from "../services/index.js";
import { withCustomer } from "./customer-picker.js";
import { MAX_NAME_LENGTH } from "./customer.js";
import { leadingQuoted, validate } from "./parse.js";
import type { ActionHandler, CommandContext, CommandDefinition } from "./types.js";
import { shareButton } from "./views/share.js";
import { entryButtons } from "./views/entry-buttons.js";
import { stageName } from "./views/deal-card.js";
import type { Pipeline } from "../domain/deals/pipeline.js";

/** "customerId|ISO time|entry id|entries shown so far": where the next page starts. */
const pageValue = z
  .string()
  .max(200)
  .transform((v, ctx) => {
    const [customerId, at, id, shown] = v.split("|");
    const parsed = z.object({ customerId: z.uuid(), at: z.iso.datetime(), id: z.uuid(), shown: z.coerce.number().int().min(0) }).safeParse({ customerId, at, id, shown });
    if (!parsed.success) {
      ctx.addIssue({ code: "custom", message: "bad page cursor" });
      return z.NEVER;
    }
    return parsed.data;
  });

function entryItem(ctx: CommandContext, e: TimelineEntry, pipeline: Pipeline): ListItem {
  const stageNameOf = (key: string) => stageName(ctx, pipeline.stage(key), key);
  const when = ctx.f.dateTime(e.at);
  if (e.kind === "deal") {
    const title = e.from === null ? ctx.t("deal.history.created", { title: e.title, to: stageNameOf(e.to) }) : ctx.t("deal.history.moved", { title: e.title, from: stageNameOf(e.from), to: stageNameOf(e.to) });
    return { title: `${when} · ${title}`, ...(e.authorName ? { detail: ctx.t("card.by", { name: e.authorName }) } : {}) };
  }
  if (e.kind === "order") {
    const amount = ctx.f.money(e.amount, e.currency);
    const title = e.product ? ctx.t("history.orderProduct", { amount, product: e.product }) : ctx.t("history.order", { amount });
    return { title: `${when} · ${title}`, ...(e.authorName ? { detail: ctx.t("card.by", { name: e.authorName }) } : {}) };
  }
  const who = e.authorName ? ` · ${ctx.t("card.by", { name: e.authorName })}` : "";
  return { title: `${when} · ${ctx.t(`channel.${e.channel as "NOTE"}`)}${who}`, detail: e.body };
}

export async function historyPage(ctx: CommandContext, customerId: string, after?: TimelineCursor, shownBefore = 0): Promise<Outcome> {
  const customer = await ctx.services.getCustomer(customerId);
  if (!customer) throw new AppError("NOT_FOUND", "customer.gone");
  const [page, pipeline] = await Promise.all([ctx.services.listHistory(ctx.rep, customerId, after), ctx.services.getPipeline()]);
  const title = ctx.t("history.title", { name: customer.name });
  const blocks: Block[] = [{ type: "header", text: title }];
  if (page.entries.length === 0 && shownBefore === 0) {
    blocks.push({ type: "text", text: ctx.t("history.empty", { name: customer.name }) });
  } else {
    // An entry the reader may change is followed by its Correct and Delete buttons (a rep's own
    // notes and orders, their customers' entries, everything for managers and admins). Messages
    // exchanged with the customer have none: they stay as they were sent.
    const changeable = (e: TimelineEntry) =>
      e.kind !== "deal" && ctx.services.audience === "rep" && (e.kind === "order" || e.direction === "INTERNAL") && mayChange(ctx.rep, { ownerId: customer.ownerId, authorId: e.authorId });
    let items: ListItem[] = [];
    for (const e of page.entries) {
      items.push(entryItem(ctx, e, pipeline));
      if (!changeable(e) || e.kind === "deal") continue;
      blocks.push({ type: "list", items }, { type: "buttons", buttons: entryButtons(ctx, e.kind, e.id) });
      items = [];
    }
    if (items.length > 0) blocks.push({ type: "list", items });
    const from = shownBefore + 1;
    const to = shownBefore + page.entries.length;
    // The total counts entries added since the first page too; never say fewer than were shown.
    const total = Math.max(page.total, to + (page.next ? 1 : 0));
    const showing = ctx.t("history.showing", { from, to, total });
    blocks.push({ type: "context", text: `${showing} ${page.next ? ctx.t("history.more", { button: ctx.t("button.more") }) : ctx.t("history.end")}` });
  }
  const buttons = [];
  if (page.next) {
    const value = [customerId, page.next.at.toISOString(), page.next.id, shownBefore + page.entries.length].join("|");
    buttons.push({ label: ctx.t("button.more"), action: { id: "history.page", value } });
  }
  buttons.push({ label: ctx.t("button.open"), action: { id: "customer.show", value: customerId } });
  buttons.push(
    after
      ? shareButton(ctx, { id: "history.page", value: [customerId, after.at.toISOString(), after.id, shownBefore].join("|") })
      : shareButton(ctx, { id: "history.first", value: customerId }),
  );
  blocks.push({ type: "buttons", buttons });
  return { kind: "message", message: { visibility: "private", summary: title, blocks } };
}

export const historyCommand: CommandDefinition & { withCustomer: (ctx: CommandContext, c: { id: string }) => Promise<Outcome> } = {
  name: "history",
  help: [{ usage: ["/history <customer>"], description: "help.history", examples: ["/history Acme", "/history 阿里巴巴"] }],
  withCustomer: (ctx, c) => historyPage(ctx, c.id),
  async run(ctx, text) {
    const name = validate(
      z.string().trim().min(1, "customer.missingName").max(MAX_NAME_LENGTH, "customer.nameTooLong"),
      leadingQuoted(text)?.name ?? text,
      { usage: "/history <customer>" },
    );
    return withCustomer(ctx, name, { command: "history", rest: "" }, (c) => historyPage(ctx, c.id));
  },
};

export const historyActions: Record<string, ActionHandler> = {
  "history.first": (ctx, value) => historyPage(ctx, z.uuid().parse(value)),
  "history.page": (ctx, value) => {
    const { customerId, at, id, shown } = pageValue.parse(value);
    return historyPage(ctx, customerId, { at: new Date(at), id }, shown);
  },
};

export { HISTORY_PAGE_SIZE };
