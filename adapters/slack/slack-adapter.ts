import type { IncomingMessage, ServerResponse } from "node:http";
import { App, HTTPReceiver, SocketModeReceiver, type RespondFn } from "@slack/bolt";
import type { Core, InboundEvent, Message, Outcome, RenderChart, Sightings } from "../../src/core/index.js";
import type { Logger } from "../../src/core/index.js";
import type { Route } from "../../src/core/index.js";
import { attachmentsOf, createFileUploader, type UploadTarget } from "./file-uploads.js";
import { fetchSharedFile, type SharedFileInfo } from "./file-downloads.js";
import { fileEvent, actionEvent, commandEvent, formEvent, logMessageEvent, textCommandEvent, threadMessageEvent, toActor } from "./inbound.js";
import { createProfileCache } from "./profiles.js";
import { HOME_VIEW_ID, renderMessage, renderModal } from "./render-blocks.js";
import { boltLogger } from "./bolt-logger.js";
import { createRequestGuard } from "./request-guard.js";

export interface SlackAdapterOptions {
  signingSecret: string;
  botToken: string;
  /** Set: Socket Mode instead of HTTP. */
  appToken?: string;
  apiUrl: string;
  core: Core;
  log: Logger;
  /**
   * How long a slash command may work before we acknowledge with "Working on it…" and send
   * the answer through response_url instead. Slack allows 3 s in all.
   */
  ackBudgetMs?: number;
  /** Draws chart blocks as PNG, uploaded after the reply (as files are); without it a chart stays its alt text. */
  renderChart?: RenderChart;
  /** Where the web processes of one install remember the signed requests they took (replays). */
  sightings: Sightings;
  /** IMPORT_MAX_BYTES: a file shared for an import is not downloaded past this size. */
  importMaxBytes?: number;
}

export interface SlackAdapter {
  /** HTTP routes to mount (none in Socket Mode). */
  routes: Route[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The callback id of the "Log to CRM" message shortcut (slack-manifest.yaml). */
export const LOG_SHORTCUT_ID = "log_to_crm";

const TIMEOUT = Symbol("timeout");
const DEFAULT_IMPORT_MAX_BYTES = 20 * 1_048_576;

function responsePayload(message: Message) {
  return { response_type: message.visibility === "shared" ? ("in_channel" as const) : ("ephemeral" as const), ...renderMessage(message) };
}

/**
 * Slack in and out: payloads become neutral events for the core, outcomes become Block Kit
 * messages or modals. No business rule lives here.
 */
export function createSlackAdapter(options: SlackAdapterOptions): SlackAdapter {
  const { core, log } = options;
  const logger = boltLogger(log);
  const clientOptions = { slackApiUrl: options.apiUrl };
  const httpReceiver = options.appToken
    ? undefined
    : new HTTPReceiver({ signingSecret: options.signingSecret, endpoints: "/slack/events", logger, processBeforeResponse: false });
  const receiver = httpReceiver ?? new SocketModeReceiver({ appToken: options.appToken!, logger, installerOptions: { clientOptions } });
  const app = new App({ receiver, token: options.botToken, logger, clientOptions });
  const profiles = createProfileCache(app.client, log);
  const budget = options.ackBudgetMs ?? 2_500;
  const uploader = createFileUploader(app.client, log, options.renderChart);
  /** Chart and file uploads under way; stop() waits for them. */
  const uploads = new Set<Promise<void>>();

  /**
   * Uploads the message's charts and files after the reply, without holding up the listener (a
   * slash command's acknowledgement is already sent). `shownIn` is the conversation where
   * everyone saw the reply; a reply only `user` saw gets them in their DM, as files cannot be
   * ephemeral. The uploader logs every failure, falls back to the DM where Slack refuses, and
   * deletes a file's temporary copy once it is sent.
   */
  function shareFiles(message: Message, user: string, shownIn: UploadTarget | undefined): void {
    const attachments = attachmentsOf(message, options.renderChart !== undefined);
    if (attachments.length === 0) return;
    const task = uploader.upload(attachments, shownIn, user).then(
      () => undefined,
      (error: unknown) => log.error({ err: error }, "file upload failed"),
    );
    uploads.add(task);
    void task.finally(() => uploads.delete(task));
  }

  /** Where everyone saw a reply to a slash command or button: its channel when shared, nowhere when ephemeral. */
  const sharedIn = (message: Message, channelId: string | undefined): UploadTarget | undefined =>
    message.visibility === "shared" && channelId ? { channel: channelId } : undefined;

  const actorFor = async (userId: string, teamId: string | undefined, name: string | undefined) =>
    toActor(userId, teamId, name, await profiles.get(userId));

  /** Runs a core call; a throw here is a bug in the adapter, logged and never left floating. */
  async function handle(event: InboundEvent): Promise<Outcome> {
    return core.handle(event);
  }

  async function openForm(outcome: Extract<Outcome, { kind: "form" }>, triggerId: string, channelId?: string, fromHome = false): Promise<void> {
    await app.client.views.open({ trigger_id: triggerId, view: renderModal(outcome.form, { state: outcome.form.state, ...(channelId ? { channelId } : {}), ...(fromHome ? { fromHome } : {}) }) });
  }

  /**
   * The rep's Home is published again (the core queues it in the outbox, which spaces one rep's
   * publishes); a failure to queue is logged, the rep's action itself went through.
   */
  async function refreshHome(actor: Awaited<ReturnType<typeof actorFor>>): Promise<void> {
    const outcome = await handle({ type: "home", actor });
    if (outcome.kind === "message" && outcome.message.isError) log.warn({ component: "slack" }, "the Home could not be queued for publishing");
  }

  /**
   * A button pressed on the Home tab: there is no message to answer in (nor a response_url).
   * A form opens as anywhere else; a change to an item on the Home (a reminder done) shows in
   * the Home published again; anything else to read (a card) goes to the rep's DM.
   */
  async function deliverFromHome(outcome: Outcome, triggerId: string, user: string): Promise<void> {
    if (outcome.kind === "form") {
      await openForm(outcome, triggerId, undefined, true);
      return;
    }
    if ((outcome.kind === "message" || outcome.kind === "form-done") && !outcome.message.replaceOriginal) {
      await app.client.chat.postMessage({ channel: user, ...renderMessage(outcome.message) });
      shareFiles(outcome.message, user, undefined);
    }
  }

  async function deliver(outcome: Outcome, respond: RespondFn, triggerId: string | undefined, channelId: string | undefined, replaceOriginal: boolean, user: string): Promise<void> {
    if (outcome.kind === "form") {
      if (triggerId) await openForm(outcome, triggerId, channelId);
      return;
    }
    if (outcome.kind === "message" || outcome.kind === "form-done") {
      const payload = responsePayload(outcome.message);
      // A shared post is a new message in the channel; the private one it came from stays.
      // A reminder marked done replaces the message that carried its buttons.
      const replace = outcome.message.replaceOriginal === true || (replaceOriginal && payload.response_type === "ephemeral");
      await respond({ ...payload, replace_original: replace });
      shareFiles(outcome.message, user, sharedIn(outcome.message, channelId));
    }
  }

  app.command(/.*/, async ({ command, ack, respond }) => {
    const actor = await actorFor(command.user_id, command.team_id, command.user_name);
    const work = handle(commandEvent(actor, command));
    const first = await Promise.race([work, new Promise<typeof TIMEOUT>((r) => setTimeout(() => r(TIMEOUT), budget).unref())]);
    if (first === TIMEOUT) {
      await ack({ response_type: "ephemeral", text: core.translatorFor(actor)("working") });
      await deliver(await work, respond, command.trigger_id, command.channel_id, true, command.user_id);
      return;
    }
    if (first.kind === "form") {
      await ack();
      await openForm(first, command.trigger_id, command.channel_id);
      return;
    }
    if (first.kind === "message" || first.kind === "form-done") {
      await ack(responsePayload(first.message));
      shareFiles(first.message, command.user_id, sharedIn(first.message, command.channel_id));
    } else await ack();
  });

  app.action(/.*/, async ({ body, action, ack, respond }) => {
    await ack();
    if (body.type !== "block_actions" || (action.type !== "button" && action.type !== "static_select") || !("action_id" in action)) return;
    const actor = await actorFor(body.user.id, body.team?.id, body.user.name ?? body.user.username);
    // The message the button was on: a long task (an import) updates it with its progress.
    const messageTs = (body.message as { ts?: string } | undefined)?.ts ?? (body.container as { message_ts?: string } | undefined)?.message_ts;
    // A menu's choice is its value (render-blocks.ts renders Button.choices as a static select).
    const pressed = action.type === "static_select" ? { action_id: action.action_id, value: action.selected_option?.value ?? "" } : action;
    // A button on the Home tab: no channel, no message to replace.
    const onHome = (body.view as { type?: string; callback_id?: string } | undefined)?.type === "home" || (body.view as { callback_id?: string } | undefined)?.callback_id === HOME_VIEW_ID;
    const outcome = await handle(actionEvent(actor, pressed, onHome ? undefined : body.channel?.id, onHome ? undefined : messageTs));
    if (onHome) {
      await deliverFromHome(outcome, body.trigger_id, body.user.id);
      // A form changes nothing until it is submitted (the submission refreshes); a link, nothing.
      if (outcome.kind !== "form" && outcome.kind !== "none") await refreshHome(actor);
      return;
    }
    await deliver(outcome, respond, body.trigger_id, body.channel?.id, false, body.user.id);
  });

  app.shortcut(LOG_SHORTCUT_ID, async ({ shortcut, ack, client }) => {
    await ack();
    if (shortcut.type !== "message_action") return;
    const actor = await actorFor(shortcut.user.id, shortcut.team?.id, shortcut.user.name ?? shortcut.user.username);
    const permalink = await client.chat
      .getPermalink({ channel: shortcut.channel.id, message_ts: shortcut.message.ts })
      .then((r) => r.permalink)
      .catch((error: unknown) => {
        log.warn({ err: error }, "chat.getPermalink failed; logging the message without a link");
        return undefined;
      });
    const outcome = await handle(logMessageEvent(actor, shortcut.channel.id, shortcut.message, permalink));
    if (outcome.kind === "form") await openForm(outcome, shortcut.trigger_id, shortcut.channel.id);
  });

  app.view(/.*/, async ({ body, view, ack, client }) => {
    const actor = await actorFor(body.user.id, body.team?.id, body.user.name);
    const { event, channelId, fromHome } = formEvent(actor, view);
    const outcome = await handle(event);
    // What a form opened from the Home changed shows there (a new deal, an order...).
    if (fromHome && outcome.kind === "form-done") void refreshHome(actor).catch((error: unknown) => log.warn({ err: error }, "Home refresh failed"));
    if (outcome.kind === "form-errors") {
      const firstField = view.blocks.find((b) => b.type === "input")?.block_id ?? "";
      const errors = Object.fromEntries(Object.entries(outcome.errors).map(([field, text]) => [field === "_form" ? firstField : field, text]));
      await ack({ response_action: "errors", errors });
      return;
    }
    await ack();
    if (outcome.kind !== "form-done" && outcome.kind !== "message") return;
    const rendered = renderMessage(outcome.message);
    // In a channel the bot has not joined an ephemeral post fails; the DM always works.
    const posted = channelId
      ? await client.chat.postEphemeral({ channel: channelId, user: body.user.id, ...rendered }).then(
          () => true,
          (error: unknown) => {
            log.warn({ err: error, channelId }, "ephemeral confirmation failed; sending it as a direct message");
            return false;
          },
        )
      : false;
    if (!posted) await client.chat.postMessage({ channel: body.user.id, ...rendered });
    shareFiles(outcome.message, body.user.id, undefined);
  });

  // The rep opened the app's Home tab: their Home is published (through the outbox) as it is now.
  app.event("app_home_opened", async ({ event, context, body }) => {
    if (context.retryNum) return;
    if (event.tab !== "home") return;
    const actor = await actorFor(event.user, (body as { team_id?: string }).team_id, undefined);
    await refreshHome(actor);
  });

  // Direct messages and mentions: the same commands as plain text, answered in the thread.
  app.event("app_mention", async ({ event, context, say }) => {
    if (context.retryNum) return; // Slack retries when our ack was slow; the first delivery is handled.
    if (!event.user) return;
    const actor = await actorFor(event.user, event.team, undefined);
    const outcome = await handle(textCommandEvent(actor, event.text, event.channel, context.botUserId));
    if (outcome.kind !== "message") return;
    const thread = event.thread_ts ?? event.ts;
    await say({ ...renderMessage(outcome.message), thread_ts: thread });
    // The answer is in the thread for everyone there, so its charts are too.
    shareFiles(outcome.message, event.user, { channel: event.channel, thread });
  });

  app.message(async ({ message, context, say, client }) => {
    if (context.retryNum) return;
    // A file a person shared in their DM with the bot is an import (one file at a time: the first).
    if (message.subtype === "file_share" && message.channel_type === "im") {
      const shared = message as unknown as { user?: string; team?: string; bot_id?: string; channel: string; files?: SharedFileInfo[] };
      const first = shared.files?.[0];
      if (!shared.user || shared.bot_id || !first) return;
      const actor = await actorFor(shared.user, shared.team, undefined);
      const file = await fetchSharedFile(app.client, options.botToken, first, options.importMaxBytes ?? DEFAULT_IMPORT_MAX_BYTES, log);
      const outcome = await handle(fileEvent(actor, shared.channel, file));
      if (outcome.kind === "message") await say(renderMessage(outcome.message));
      return;
    }
    // Only people's own new messages: no bot posts, edits or joins.
    if (message.subtype !== undefined || !("user" in message) || !message.user || message.bot_id) return;
    const actor = await actorFor(message.user, message.team, undefined);
    if (message.channel_type === "im") {
      const outcome = await handle(textCommandEvent(actor, message.text ?? "", message.channel));
      if (outcome.kind === "message") {
        await say(renderMessage(outcome.message));
        shareFiles(outcome.message, message.user, { channel: message.channel });
      }
      return;
    }
    // A reply in a channel thread: a WeChat conversation's thread, perhaps (the core knows).
    if (!message.thread_ts || message.thread_ts === message.ts) return;
    const outcome = await handle(threadMessageEvent(actor, { channel: message.channel, thread_ts: message.thread_ts, ts: message.ts, text: message.text ?? "" }));
    if (outcome.kind === "message") {
      await client.chat.postEphemeral({ channel: message.channel, user: message.user, thread_ts: message.thread_ts, ...renderMessage(outcome.message) });
      shareFiles(outcome.message, message.user, undefined);
    }
  });

  app.error(async (error) => {
    log.error({ err: error }, "Slack listener failed");
  });

  // Socket Mode requests come over our own authenticated WebSocket, unsigned: nothing to check there.
  const guard = createRequestGuard({ signingSecret: options.signingSecret, sightings: options.sightings });
  async function receive(receiver: HTTPReceiver, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const verdict = await guard.check(req);
    if (verdict.kind === "refused") {
      log.warn({ component: "slack", status: verdict.status, reason: verdict.reason }, "Slack request refused");
      res.writeHead(verdict.status).end();
      return;
    }
    if (verdict.kind === "replay") {
      // Acknowledged, so a genuine late duplicate is not retried, and not run a second time.
      log.warn({ component: "slack" }, "replayed Slack request acknowledged and ignored");
      res.writeHead(200).end();
      return;
    }
    receiver.requestListener(req, res);
  }

  return {
    routes: httpReceiver
      ? [{ method: "POST", path: "/slack/events", handler: (req, res) => receive(httpReceiver, req, res) }]
      : [],
    async start() {
      if (!httpReceiver) await app.start();
    },
    async stop() {
      if (!httpReceiver) await app.stop();
      await Promise.all([...uploads]);
    },
  };
}
