import type { InboxThreadDetail, ReminderView, Services } from "../services/index.js";
import type { CommandContext } from "./types.js";

/** Who a notification is rendered for: a rep (their language and zone) or a channel (team defaults). */
export type RenderContext = Pick<CommandContext, "t" | "f" | "now">;

export type LoadedNotification =
  | { type: "reminder.due"; recipientId: string; reminder: ReminderView }
  | { type: "inbox.header"; detail: InboxThreadDetail }
  | { type: "inbox.message"; thread: string | undefined; detail: InboxThreadDetail; interaction: InteractionDetail }
  | { type: "inbox.reply-status"; thread: string | undefined; detail: InboxThreadDetail; interaction: InteractionDetail }
  | { type: "inbox.linked"; thread: string | undefined; customerName: string; repName: string }
  | { type: "wechat.reply"; interaction: InteractionDetail };

type InteractionDetail = NonNullable<Awaited<ReturnType<Services["getInteraction"]>>>;
