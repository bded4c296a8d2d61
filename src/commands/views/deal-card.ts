import type { Pipeline, Stage } from "../../domain/deals/pipeline.js";
import type { Block, Button, ListItem } from "../../reply/reply.js";
import type { ListedDeal } from "../../services/index.js";
import type { CommandContext } from "../types.js";

/** A stage's name in the reader's language; a key the pipeline no longer has is shown as stored. */
export function stageName(ctx: Pick<CommandContext, "locale">, stage: Pick<Stage, "names"> | undefined, key: string): string {
  if (!stage) return key;
  return ctx.locale === "zh-CN" ? stage.names["zh-CN"] : stage.names.en;
}

/** "Proposal (50%)". */
export function stageLabel(ctx: Pick<CommandContext, "locale" | "t">, pipeline: Pipeline, key: string): string {
  const stage = pipeline.stage(key);
  return ctx.t("deal.stageWithProbability", { stage: stageName(ctx, stage, key), probability: stage?.probability ?? 0 });
}

/** The lines that describe a deal: stage and probability, amount, expected close, owner, last activity. */
export function dealDetail(ctx: CommandContext, pipeline: Pipeline, deal: ListedDeal): string {
  const parts = [
    stageLabel(ctx, pipeline, deal.stage),
    deal.amount !== null && deal.currency ? ctx.f.money(deal.amount, deal.currency) : ctx.t("deal.noAmount"),
    deal.expectedCloseAt ? ctx.t("deal.closes", { date: ctx.f.date(deal.expectedCloseAt) }) : ctx.t("deal.noClose"),
  ];
  const who = [
    ctx.t("deal.owner", { name: deal.ownerName ?? ctx.t("card.noOwner") }),
    ctx.t("deal.lastActivity", { when: ctx.f.date(deal.lastActivityAt ?? deal.createdAt) }),
  ];
  return `${parts.join(" · ")}\n${who.join(" · ")}`;
}

/** The buttons under a deal: next stage, a menu of every stage, won, lost, edit, delete (open deals); a closed one can be reopened or deleted. */
export function dealButtons(ctx: CommandContext, pipeline: Pipeline, deal: ListedDeal): Button[] {
  const buttons: Button[] = [];
  const next = pipeline.next(deal.stage);
  const open = !pipeline.stage(deal.stage)?.outcome;
  if (open && next && !next.outcome) buttons.push({ label: ctx.t("deal.button.next", { stage: stageName(ctx, next, next.key) }).slice(0, 75), action: { id: "deal.next", value: `${deal.id}|${next.key}` }, style: "primary" });
  const choices = pipeline.stages.filter((s) => s.key !== deal.stage && !(s.outcome === "lost")).map((s) => ({ label: stageName(ctx, s, s.key), value: `${deal.id}|${s.key}` }));
  if (choices.length > 0) buttons.push({ label: ctx.t("deal.button.stage"), action: { id: "deal.stage", value: "" }, choices });
  if (open) {
    buttons.push({ label: ctx.t("deal.button.won"), action: { id: "deal.won", value: deal.id } });
    buttons.push({ label: ctx.t("deal.button.lost"), action: { id: "deal.lostForm", value: deal.id } });
    buttons.push({ label: ctx.t("deal.button.edit"), action: { id: "deal.editForm", value: deal.id } });
  }
  if (deal.stage === "won") buttons.push({ label: ctx.t("deal.button.recordOrder"), action: { id: "deal.order", value: deal.id } });
  buttons.push({
    label: ctx.t("deal.button.delete"), action: { id: "deal.delete", value: deal.id }, style: "danger",
    confirm: { title: ctx.t("deal.confirmDelete.title"), text: ctx.t("deal.confirmDelete.text", { title: deal.title }), yes: ctx.t("deal.button.delete"), no: ctx.t("button.cancel") },
  });
  return buttons;
}

export function dealItem(ctx: CommandContext, pipeline: Pipeline, deal: ListedDeal, withCustomer: boolean): ListItem {
  const title = withCustomer ? `${deal.title} · ${deal.customerName}` : deal.title;
  return { title, detail: dealDetail(ctx, pipeline, deal), buttons: dealButtons(ctx, pipeline, deal) };
}

/** One deal as a message: what happened (`line`), then the deal with its buttons. */
export function dealBlocks(ctx: CommandContext, pipeline: Pipeline, deal: ListedDeal, line: string): Block[] {
  return [
    { type: "text", text: line },
    { type: "list", items: [dealItem(ctx, pipeline, deal, true)] },
  ];
}

/** A list of deals under a title; `more` when there are more than shown. */
export function dealListBlocks(ctx: CommandContext, pipeline: Pipeline, title: string, deals: readonly ListedDeal[], options: { withCustomer: boolean; total: number; empty: string }): Block[] {
  const blocks: Block[] = [{ type: "header", text: title }];
  if (deals.length === 0) return [...blocks, { type: "text", text: options.empty }];
  blocks.push({ type: "list", items: deals.map((d) => dealItem(ctx, pipeline, d, options.withCustomer)) });
  if (options.total > deals.length) blocks.push({ type: "context", text: ctx.t("deal.more", { shown: deals.length, total: options.total }) });
  return blocks;
}
