import type { RenderContext } from "../notification-types.js";

/** Where one page of a longer list sits: page numbers start at 1. */
export interface ListPage {
  page: number;
  size: number;
  /** Entries in the whole list. */
  total: number;
  /** Entries on this page. */
  shown: number;
}

/** The largest page number a rep may type; anything past it is not a page. */
export const MAX_PAGE = 10_000;

/** "2" after a list command: the page wanted, or undefined when the word is no page number. */
export function pageNumber(word: string | undefined): number | undefined {
  if (!word || !/^\d{1,5}$/.test(word)) return undefined;
  const page = Number(word);
  return page >= 1 && page <= MAX_PAGE ? page : undefined;
}

export const offsetOf = (page: number, size: number): number => (page - 1) * size;

/**
 * What a cut list says under it: "Showing 1–25 of 30 — /remind list 2 for more" (or "— “More”
 * below shows the next ones" where a button is the way on), the last page "Showing 26–30 of 30";
 * nothing when the whole list is on its one page.
 */
export function pageNote(ctx: Pick<RenderContext, "t">, at: ListPage, next: ((page: number) => string) | { button: string }): string | undefined {
  const from = offsetOf(at.page, at.size) + 1;
  const to = from + at.shown - 1;
  if (at.page === 1 && at.shown >= at.total) return undefined;
  if (to >= at.total) return ctx.t("list.range", { from, to, total: at.total });
  return typeof next === "function"
    ? ctx.t("list.rangeMore", { from, to, total: at.total, command: next(at.page + 1) })
    : ctx.t("list.rangeButton", { from, to, total: at.total, button: next.button });
}

/** A page past the end: says how many pages there are instead of showing an empty list. */
export function noPageText(ctx: Pick<RenderContext, "t">, at: Pick<ListPage, "page" | "size" | "total">): string {
  return ctx.t("list.noPage", { page: at.page, total: at.total, pages: Math.max(1, Math.ceil(at.total / at.size)) });
}
