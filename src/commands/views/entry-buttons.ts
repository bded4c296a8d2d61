import { z } from "zod";
import type { Button } from "../../reply/reply.js";
import type { EntryKind } from "../../services/index.js";
import type { CommandContext } from "../types.js";

/** What a Correct, Delete or Undo button carries: the kind of entry and its id ("order:<uuid>"). */
export const entryRef = z
  .string()
  .max(60)
  .transform((value, ctx) => {
    const [kind, id] = value.split(":");
    const parsed = z.object({ kind: z.enum(["order", "interaction"]), id: z.uuid() }).safeParse({ kind, id });
    if (!parsed.success) {
      ctx.addIssue({ code: "custom", message: "bad entry reference" });
      return z.NEVER;
    }
    return parsed.data;
  });

export const entryValue = (kind: EntryKind, id: string): string => `${kind}:${id}`;

/** Correct and Delete for an entry the reader may change (the handlers check the rights again). */
export function entryButtons(ctx: Pick<CommandContext, "t">, kind: EntryKind, id: string): Button[] {
  const value = entryValue(kind, id);
  return [
    { label: ctx.t("button.correct"), action: { id: "entry.correct", value } },
    { label: ctx.t("button.delete"), action: { id: "entry.delete", value }, style: "danger" },
  ];
}

export function undoButton(ctx: Pick<CommandContext, "t">, kind: EntryKind, id: string): Button {
  return { label: ctx.t("button.undo"), action: { id: "entry.restore", value: entryValue(kind, id) } };
}
