import type { NotificationPayload } from "../domain/notification-payload.js";
import type { RoleName } from "../domain/access/access-scope.js";
import type { HomeView, ImportRunRow, AccessDescription, CustomerCard, DigestContent, InboxThreadDetail, ReminderView, Services, StageAlert, SurveyView } from "../services/index.js";
import type { CommandContext } from "./types.js";

/** Who a notification is rendered for: a rep (their language and zone) or a channel (team defaults). */
export type RenderContext = Pick<CommandContext, "t" | "f" | "now">;

export type LoadedNotification =
  | { type: "reminder.due"; recipientId: string; reminder: ReminderView }
  | { type: "inbox.header"; detail: InboxThreadDetail }
  | { type: "inbox.message"; thread: string | undefined; detail: InboxThreadDetail; interaction: InteractionDetail; more?: InteractionDetail[] }
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
  /** Roles and teams: the recipient's new role, who set it, and what they may see now. */
  | { type: "user.role"; recipientId: string; from: RoleName; to: RoleName; by: string; access: AccessDescription }
  /** Slack Connect: the recipient's digest subscription is held back; `channel` as it is shown. */
  | { type: "digest.withheld"; recipientId: string; channel: string; why: "external" | "unseen"; reason: string }
  /** Privacy on request: the inbox thread's person was erased; said in the thread. */
  | { type: "privacy.erased"; thread: string | undefined }
  /** An export a worker wrote (with its file), or could not write; to the rep who asked. */
  | { type: "export.ready"; recipientId: string; run: ExportRunView; file: ExportedFile }
  | { type: "export.failed"; recipientId: string; run: ExportRunView }
  /** Imports: a run ended; to the rep who started it, with the problem rows as a file. */
  | { type: "import.done"; recipientId: string; run: ImportRunRow }
  /** The rep's Home, read for their zone when it is published. */
  | { type: "home.publish"; recipientId: string; home: HomeView; repName: string }
  /** A channel's digest, written in the language and zone it was subscribed with. */
  | { type: "digest"; locale: string; timezone: string; digest: DigestContent };

type ExportRunView = NonNullable<Awaited<ReturnType<Services["getExportRun"]>>>;
type ExportedFile = Extract<NotificationPayload, { type: "export.ready" }>["file"];
type InteractionDetail = NonNullable<Awaited<ReturnType<Services["getInteraction"]>>>;
