import type { Action, Button } from "../../reply/reply.js";
import type { CommandContext } from "../types.js";

/**
 * Actions whose result may be posted for everyone: they only read. "share" re-runs one of
 * these and makes the reply visible in the channel.
 */
export const SHAREABLE_ACTIONS = new Set(["customer.show", "history.first", "history.page", "top.show", "report.show", "segment.show", "help.show", "digest.show", "csat.show", "contact.list"]);

export function shareButton(ctx: Pick<CommandContext, "t">, action: Action): Button {
  return { label: ctx.t("button.share"), action: { id: "share", value: JSON.stringify(action) } };
}
