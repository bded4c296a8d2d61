import { SIMILAR_NAMES_FROM } from "../../domain/customers/duplicate-reasons.js";
import { displayPhone } from "../../domain/customers/phone-number.js";
import type { Block, Button, ListItem, Outcome } from "../../reply/reply.js";
import type { DuplicateListing, DuplicatePairView, LikelyDuplicate, MergedCustomers, MergePreview, PairSide, ShownReason } from "../../services/index.js";
import type { CommandContext } from "../types.js";
import { noPageText, offsetOf, pageNote } from "./list-page.js";

/** Slack shows 75 characters of a button's text. */
const label = (text: string) => (text.length > 75 ? `${text.slice(0, 74)}…` : text);

export function reasonText(ctx: Pick<CommandContext, "t">, reason: ShownReason): string {
  if ("hidden" in reason) return ctx.t(reason.kind === "phone" ? "duplicates.reason.phoneHidden" : "duplicates.reason.emailHidden");
  switch (reason.kind) {
    case "phone":
      return ctx.t("duplicates.reason.phone", { phone: displayPhone(reason.phone) });
    case "email":
      return ctx.t("duplicates.reason.email", { email: reason.email.trim() });
    case "pinyin":
      return ctx.t("duplicates.reason.pinyin", { pinyin: reason.pinyin });
    case "alias":
      return ctx.t("duplicates.reason.alias", { alias: reason.alias });
    case "similar":
      return ctx.t("duplicates.reason.similar", { percent: Math.round(reason.similarity * 100) });
  }
}

/** The values of the merge buttons: who goes into whom. */
export const mergeValue = (fromId: string, intoId: string) => `${fromId}:${intoId}`;

function sideText(ctx: CommandContext, side: PairSide): string {
  return ctx.t("duplicates.side", { name: side.name, owner: side.ownerName ?? ctx.t("card.noOwner"), orders: side.orders, interactions: side.interactions });
}

function pairItem(ctx: CommandContext, pair: DuplicatePairView): ListItem {
  const [kept, other] = pair.keep === "a" ? [pair.a, pair.b] : [pair.b, pair.a];
  const detail = [sideText(ctx, pair.a), sideText(ctx, pair.b), pair.reasons.map((r) => reasonText(ctx, r)).join(" · ")];
  const buttons: Button[] = [];
  if (pair.mayMerge) {
    buttons.push(
      { label: label(ctx.t("merge.button.confirm", { name: kept.name })), action: { id: "duplicates.mergeAsk", value: mergeValue(other.id, kept.id) }, style: "primary" },
      { label: label(ctx.t("merge.button.confirm", { name: other.name })), action: { id: "duplicates.mergeAsk", value: mergeValue(kept.id, other.id) } },
      { label: ctx.t("duplicates.button.dismiss"), action: { id: "duplicates.dismiss", value: `${pair.a.id}:${pair.b.id}` } },
    );
  } else {
    const owners = [...new Set([pair.a.ownerName, pair.b.ownerName].filter((n): n is string => n !== null))];
    detail.push(ctx.t("duplicates.notYours", { owners: ctx.f.list(owners) }));
  }
  buttons.push({ label: label(ctx.t("button.openName", { name: pair.a.name })), action: { id: "customer.show", value: pair.a.id } });
  buttons.push({ label: label(ctx.t("button.openName", { name: pair.b.name })), action: { id: "customer.show", value: pair.b.id } });
  return { title: ctx.t("duplicates.pair", { a: pair.a.name, b: pair.b.name }), detail: detail.join("\n"), buttons };
}

/** /crm duplicates: a page of pairs, each with why and what can be done. */
export function duplicatesMessage(ctx: CommandContext, listing: DuplicateListing): Outcome {
  const title = ctx.t("duplicates.title");
  const blocks: Block[] = [{ type: "header", text: title }];
  const at = { page: listing.page, size: listing.pageSize, total: listing.total, shown: listing.pairs.length };
  if (listing.total === 0) {
    blocks.push({ type: "text", text: ctx.t("duplicates.empty", { percent: Math.round(SIMILAR_NAMES_FROM * 100) }) });
  } else if (listing.pairs.length === 0) {
    blocks.push({ type: "text", text: noPageText(ctx, at) });
  } else {
    blocks.push({ type: "text", text: ctx.t("duplicates.summary", { total: listing.total }) });
    blocks.push({ type: "list", items: listing.pairs.map((p) => pairItem(ctx, p)) });
    const note = pageNote(ctx, at, (next) => `/crm duplicates ${next}`);
    if (note) blocks.push({ type: "context", text: note });
  }
  blocks.push({ type: "context", text: ctx.t("duplicates.scanned", { when: ctx.f.dateTime(listing.scan.scannedAt), ms: listing.scan.tookMs }) });
  if (offsetOf(listing.page, listing.pageSize) + listing.pairs.length < listing.total) {
    blocks.push({ type: "buttons", buttons: [{ label: ctx.t("button.more"), action: { id: "duplicates.list", value: String(listing.page + 1) } }] });
  }
  return { kind: "message", message: { visibility: "private", summary: title, blocks } };
}

/** Before a merge from a button: both records, what moves, and a button that does it. */
export function mergeConfirmMessage(ctx: CommandContext, preview: MergePreview): Outcome {
  const { from, into } = preview;
  const title = ctx.t("merge.confirm.title", { from: from.name, into: into.name });
  const side = (s: MergePreview["from"]) => ctx.t("merge.confirm.side", { name: s.name, orders: s.orders, interactions: s.interactions, contacts: s.contacts });
  const blocks: Block[] = [
    { type: "text", text: title },
    { type: "text", text: `${side(from)}\n${side(into)}` },
    { type: "context", text: ctx.t("merge.confirm.text", { from: from.name, into: into.name }) },
    {
      type: "buttons",
      buttons: [
        { label: label(ctx.t("merge.button.confirm", { name: into.name })), action: { id: "duplicates.merge", value: mergeValue(from.id, into.id) }, style: "danger" },
        { label: ctx.t("button.cancel"), action: { id: "duplicates.cancel", value: "" } },
      ],
    },
  ];
  return { kind: "message", message: { visibility: "private", summary: title, blocks } };
}

/** What a merge did, with the kept customer's card a press away. */
export function mergeDoneMessage(ctx: CommandContext, result: MergedCustomers): Outcome {
  const m = result.moved;
  const text = ctx.t("merge.done", {
    from: result.from.name,
    into: result.into.name,
    orders: m.orders,
    interactions: m.interactions,
    contacts: m.contacts,
    others: m.deals + m.reminders + m.surveys + m.stageChanges + m.aliases,
  });
  return {
    kind: "message",
    message: {
      visibility: "private",
      summary: text,
      blocks: [{ type: "text", text }, { type: "buttons", buttons: [{ label: label(ctx.t("button.openName", { name: result.into.name })), action: { id: "customer.show", value: result.into.id } }] }],
    },
  };
}

/** Adding a name that looks like customers already there: them first, and "Add anyway". */
export function likelyDuplicatesMessage(ctx: CommandContext, name: string, likely: readonly LikelyDuplicate[]): Outcome {
  const text = ctx.t("customer.add.likely", { name });
  const blocks: Block[] = [
    { type: "text", text },
    {
      type: "list",
      items: likely.map((c) => ({
        title: c.name,
        detail: `${reasonText(ctx, c.reason)} · ${ctx.t(`stage.${c.stage}`)} · ${ctx.t("card.owner")}: ${c.ownerName ?? ctx.t("card.noOwner")}`,
        button: { label: label(ctx.t("button.openName", { name: c.name })), action: { id: "customer.show", value: c.id } },
      })),
    },
    { type: "buttons", buttons: [{ label: label(ctx.t("button.addAnyway", { name })), action: { id: "customer.addAnyway", value: name }, style: "danger" }] },
  ];
  return { kind: "message", message: { visibility: "private", summary: text, blocks } };
}
