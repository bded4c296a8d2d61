import { WebClient } from "@slack/web-api";
import { DeliveryError, type Logger, type Message, type RenderChart, type Sender } from "../../src/core/index.js";
import { attachmentsOf, createFileUploader } from "./file-uploads.js";
import { renderHome, renderMessage, threadKey } from "./render-blocks.js";
import { escapeMrkdwn } from "./escape.js";
import { uploadFromDisk } from "./streamed-upload.js";

const METADATA_EVENT = "crm_outbox_message";

/** Slack errors that no retry can fix: the outbox marks the message failed with the code. */
const PERMANENT = new Set([
  "channel_not_found", "not_in_channel", "is_archived", "user_not_found", "user_disabled", "cannot_dm_bot",
  "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "no_permission", "missing_scope",
  "msg_too_long", "msg_blocks_too_long", "invalid_blocks", "invalid_blocks_format", "no_text", "restricted_action",
  "team_access_not_granted", "ekm_access_denied",
]);

export interface SlackSenderOptions {
  botToken: string;
  apiUrl: string;
  /** Draws chart blocks as PNG (then uploaded after the message); without it a chart stays its alt text. */
  renderChart?: RenderChart;
  /** Where failed chart and file uploads are reported. */
  log: Logger;
  /** How long a call may take before it counts as unanswered (the send may still have arrived). */
  timeoutMs?: number;
}

/**
 * Sends outbox messages to Slack. The Web API client's own retries are off: the outbox owns
 * retries, and needs each failure classified (temporary, rate-limited with Slack's
 * Retry-After, or permanent) to decide.
 */
export function createSlackSender(options: SlackSenderOptions): Sender {
  const client = new WebClient(options.botToken, {
    slackApiUrl: options.apiUrl,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    timeout: options.timeoutMs ?? 10_000,
  });
  const uploader = createFileUploader(client, options.log, options.renderChart);
  /** Permalinks of the threads the message's buttons open; a thread Slack cannot link is left a plain button. */
  async function threadLinks(message: Message): Promise<Map<string, string>> {
    const links = new Map<string, string>();
    for (const block of message.blocks) {
      // Buttons of a list's items too (a conversation waiting on the Home).
      const buttons = block.type === "buttons" ? block.buttons : block.type === "list" ? block.items.flatMap((i) => [...(i.button ? [i.button] : []), ...(i.buttons ?? [])]) : [];
      for (const b of buttons) {
        if (!b.opens || links.has(threadKey(b.opens))) continue;
        const found = await client.chat.getPermalink({ channel: b.opens.channel, message_ts: b.opens.thread }).catch(() => undefined);
        if (found?.permalink) links.set(threadKey(b.opens), found.permalink);
      }
    }
    return links;
  }

  return {
    async send(destination: string, message: Message, key: string) {
      if (message.surface === "home") {
        // The rep's Home tab, replaced whole: nothing is posted, so there is no ts to keep.
        try {
          await client.views.publish({ user_id: destination, view: renderHome(message, await threadLinks(message)) });
        } catch (error) {
          throw classify(error);
        }
        return {};
      }
      let posted: { ts?: string; channel?: string };
      try {
        posted = await client.chat.postMessage({
          channel: destination,
          ...renderMessage(message, await threadLinks(message)),
          ...(message.thread ? { thread_ts: message.thread } : {}),
          // Slack message metadata carries the outbox id, so a retry can find what arrived.
          metadata: { event_type: METADATA_EVENT, event_payload: { outbox_id: key } },
        });
      } catch (error) {
        throw classify(error);
      }
      const attachments = attachmentsOf(message, options.renderChart !== undefined);
      if (attachments.length > 0) {
        // After the post and outside its error handling: the message is delivered (its text
        // carries the figures), so a failed upload is only logged (the uploader never throws)
        // and the outbox does not post the message again. A user id's DM has a channel id of
        // its own, which the post answered with; files are shared by channel id.
        await uploader.upload(attachments, { channel: posted.channel ?? destination, ...(message.thread ? { thread: message.thread } : {}) }, undefined);
      }
      return posted.ts ? { externalId: posted.ts } : {};
    },

    /** Files from disk (an export), each with the message's text as its comment; streamed, never read whole. */
    async sendFiles(destination: string, message: Message) {
      try {
        // A user id stands for the bot's DM with that user; files are shared by channel id.
        const channel = /^[UW]/.test(destination) ? (await client.conversations.open({ users: destination })).channel?.id : destination;
        if (!channel) throw new DeliveryError("permanent", "no DM channel with the user");
        const comment = escapeMrkdwn(message.summary);
        for (const block of message.blocks) {
          if (block.type !== "file") continue;
          if (!("path" in block.file.content)) throw new DeliveryError("permanent", "sendFiles takes files on disk");
          await uploadFromDisk(client, channel, { path: block.file.content.path, filename: block.file.filename, title: block.file.title }, comment);
        }
      } catch (error) {
        throw error instanceof DeliveryError ? error : classify(error);
      }
    },

    async edit(channel: string, ts: string, message: Message) {
      try {
        await client.chat.update({ channel, ts, ...renderMessage(message) });
      } catch (error) {
        throw classify(error);
      }
    },

    /** Looks through the destination's latest messages for one carrying this outbox id. */
    async findSent(destination: string, key: string, thread?: string) {
      try {
        // A user id stands for the bot's DM with that user; history needs the DM's channel id.
        const channel = /^[UW]/.test(destination) ? (await client.conversations.open({ users: destination })).channel?.id : destination;
        if (!channel) return undefined;
        // Replies in a thread are not in the channel's history; the thread has them.
        const history = thread
          ? await client.conversations.replies({ channel, ts: thread, limit: 200, include_all_metadata: true })
          : await client.conversations.history({ channel, limit: 100, include_all_metadata: true });
        const found = history.messages?.find((m) => m.metadata?.event_type === METADATA_EVENT && (m.metadata.event_payload as Record<string, unknown> | undefined)?.outbox_id === key);
        return found ? { externalId: found.ts } : undefined;
      } catch (error) {
        throw classify(error, "platform");
      }
    },
  };
}

/**
 * `limitScope` is what a 429 of the call covers: chat.postMessage's limit is the channel's (one
 * message a second); the other methods' tiers are per method per workspace, so a 429 there
 * holds back every send on the token.
 */
function classify(error: unknown, limitScope: "destination" | "platform" = "destination"): DeliveryError {
  const e = error as { code?: string; retryAfter?: number; data?: { error?: string }; statusCode?: number; original?: Error };
  switch (e.code) {
    case "slack_webapi_rate_limited_error":
      return new DeliveryError("rate-limited", "ratelimited", (e.retryAfter ?? 1) * 1000, undefined, limitScope);
    case "slack_webapi_platform_error": {
      const code = e.data?.error ?? "unknown_error";
      if (code === "ratelimited") return new DeliveryError("rate-limited", code, 1_000, undefined, limitScope);
      return new DeliveryError(PERMANENT.has(code) ? "permanent" : "temporary", code);
    }
    case "slack_webapi_http_error":
      return new DeliveryError(e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500 && e.statusCode !== 408 ? "permanent" : "temporary", `HTTP ${e.statusCode ?? "?"}`);
    case "slack_webapi_request_error":
      // No answer (a timeout, a cut connection): Slack may have posted it all the same.
      return new DeliveryError("temporary", e.original?.message ?? "no answer", undefined, undefined, limitScope, true);
    default:
      return new DeliveryError("temporary", e.original?.message ?? (error instanceof Error ? error.message : String(error)));
  }
}
