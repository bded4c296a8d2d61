import { z } from "zod";

/**
 * What an outbox row asks to say, as data: rendered when it is delivered, in its reader's
 * language (commands/notifications.ts), and acted on afterwards (services/settle-delivery.ts).
 */
export const notificationPayload = z.discriminatedUnion("type", [
  z.object({ type: z.literal("reminder.due"), reminderId: z.uuid() }),
  /** The header of a WeChat conversation's thread in the Slack inbox channel. */
  z.object({ type: z.literal("inbox.header"), threadId: z.uuid() }),
  /**
   * A customer's WeChat message, mirrored into its thread; `interactionIds` when the post carries
   * several of the conversation's messages that waited for the same send slot, in order.
   */
  z.object({ type: z.literal("inbox.message"), threadId: z.uuid(), interactionId: z.uuid(), interactionIds: z.array(z.uuid()).min(1).max(20).optional() }),
  /** What became of a rep's reply to the customer, said in the thread. */
  z.object({ type: z.literal("inbox.reply-status"), threadId: z.uuid(), interactionId: z.uuid() }),
  /** The thread's contact was linked to a customer. */
  z.object({ type: z.literal("inbox.linked"), threadId: z.uuid(), customerId: z.uuid(), repId: z.uuid() }),
  /** A rep's reply, to the customer on WeChat. */
  z.object({ type: z.literal("wechat.reply"), interactionId: z.uuid(), threadId: z.uuid().optional() }),
  /**
   * A survey's question to the customer: a WeChat chat message, a WeChat template message (the
   * window is closed), or a Slack message with score buttons; `reminder` for the one reminder.
   */
  z.object({ type: z.literal("survey.ask"), surveyId: z.uuid(), via: z.enum(["chat", "template", "buttons"]), reminder: z.boolean().optional() }),
  /** Thanks for an answer, once. */
  z.object({ type: z.literal("survey.thanks"), surveyId: z.uuid() }),
  /** Confirms to a customer that they get no more surveys. */
  z.object({ type: z.literal("survey.opted-out"), locale: z.string().max(10) }),
  /** A low score, to the owner at once; `comment` when it is the comment that followed. */
  z.object({ type: z.literal("survey.alert"), surveyId: z.uuid(), comment: z.boolean().optional() }),
  /** The customers of one owner that a nightly stage scan moved, read from their change rows. */
  z.object({ type: z.literal("stage.alert"), ownerId: z.uuid(), scanAt: z.iso.datetime() }),
  /**
   * A channel's morning digest for its run at `firedAt` (the schedule's time, on the local date
   * `runDate`), built when delivered, as of that time, so a retry says the same.
   */
  z.object({ type: z.literal("digest"), subscriptionId: z.uuid(), runDate: z.iso.date(), firedAt: z.iso.datetime() }),
  /**
   * Slack Connect: a subscription's digest was held back (its channel is shared with other
   * organisations, or could not be checked), told to its subscriber once per spell.
   */
  z.object({ type: z.literal("digest.withheld"), subscriptionId: z.uuid(), runDate: z.iso.date(), why: z.enum(["external", "unseen"]), channelName: z.string().max(80).optional(), reason: z.string().max(80).optional() }),
  /** Privacy on request: the thread's person had their personal data erased (/crm erase); said in the thread. */
  z.object({ type: z.literal("privacy.erased"), threadId: z.uuid() }),
  /** A customer was handed to a rep (/customer assign, the edit form): their DM, with the card. */
  z.object({ type: z.literal("customer.assigned"), customerId: z.uuid(), ownerId: z.uuid(), byId: z.uuid() }),
  /** Roles and teams: an admin changed the recipient's role (/crm role); their DM says what they may see now. */
  z.object({ type: z.literal("user.role"), userId: z.uuid(), from: z.enum(["ADMIN", "MANAGER", "REP"]), to: z.enum(["ADMIN", "MANAGER", "REP"]), byId: z.uuid() }),
  /** An export a worker wrote could not be made after its last attempt: the asker's DM. */
  z.object({ type: z.literal("export.failed"), runId: z.uuid() }),
  /**
   * An export a worker wrote, to the asker's DM with the file. Never an outbox row: the file is a
   * temporary one on the worker's machine, so that worker renders this and uploads it itself.
   */
  z.object({
    type: z.literal("export.ready"),
    runId: z.uuid(),
    file: z.object({ path: z.string().max(4_096), filename: z.string().max(200), mimeType: z.string().max(200), rows: z.number().int().nonnegative() }),
  }),
  /** Imports: a run ended (done or failed); the rep's DM with the counts and the problem rows as a CSV kept with the run. */
  z.object({ type: z.literal("import.done"), runId: z.uuid() }),
  /**
   * The rep's Slack Home tab, published again (views.publish) as it is when delivered: a row
   * waiting to go stands for every refresh asked meanwhile (services/home/request-home-publish.ts).
   */
  z.object({ type: z.literal("home.publish"), repId: z.uuid() }),
]);

export type NotificationPayload = z.infer<typeof notificationPayload>;
