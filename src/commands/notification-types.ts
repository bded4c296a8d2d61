import type { CustomerCard, DigestContent, InboxThreadDetail, ReminderView, Services, StageAlert, SurveyView } from "../services/index.js";
import type { CommandContext } from "./types.js";

/** Who a notification is rendered for: a rep (their language and zone) or a channel (team defaults). */
export type RenderContext = Pick<CommandContext, "t" | "f" | "now">;

export type LoadedNotification =
  | { type: "reminder.due"; recipientId: string; reminder: ReminderView }
  | { type: "inbox.header"; detail: InboxThreadDetail }
  | { type: "inbox.message"; thread: string | undefined; detail: InboxThreadDetail; interaction: InteractionDetail }
  | { type: "inbox.reply-status"; thread: string | undefined; detail: InboxThreadDetail; interaction: InteractionDetail }
  | { type: "inbox.linked"; thread: string | undefined; customerName: string; repName: string }
  | { type: "wechat.reply"; interaction: InteractionDetail }
  /** Messages to customers carry their language; the owner's alert its reader. */
  | { type: "survey.ask"; locale: string; survey: SurveyView; via: "chat" | "template" | "buttons"; reminder: boolean }
  | { type: "survey.thanks"; locale: string; survey: SurveyView }
  | { type: "survey.opted-out"; locale: string }
  | { type: "survey.alert"; recipientId?: string; survey: SurveyView; thread: { channel: string; ts: string } | null; comment: boolean }
  /** A nightly scan's stage changes, to the owner of the customers. */
  | { type: "stage.alert"; recipientId: string; alert: StageAlert }
  /** A customer handed to the recipient, with its card as they see it; `by` who did it. */
  | { type: "customer.assigned"; recipientId: string; card: CustomerCard; by: string }
  /** A channel's digest, written in the language and zone it was subscribed with. */
  | { type: "digest"; locale: string; timezone: string; digest: DigestContent };

type InteractionDetail = NonNullable<Awaited<ReturnType<Services["getInteraction"]>>>;
