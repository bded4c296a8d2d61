import { readFile, rm } from "node:fs/promises";
import type { WebClient } from "@slack/web-api";
import type { ChartSpec, Logger, Message, OutgoingFile, RenderChart } from "../../src/core/index.js";

/**
 * What a message carries besides its text, uploaded after it with Slack's external upload
 * (files.getUploadURLExternal, the bytes POSTed to the upload URL, files.completeUploadExternal,
 * which the Web API client's filesUploadV2 does): charts drawn as PNG, and files (an export).
 */
export type Attachment =
  | { kind: "chart"; chart: ChartSpec; alt: string }
  | { kind: "file"; file: OutgoingFile; summary: string };

/** Where an attachment goes: a conversation, and a thread in it when the message was a thread reply. */
export interface UploadTarget {
  channel: string;
  thread?: string;
}

export interface Upload {
  title: string;
  /** The conversation the file was shared into, or undefined when it was not shared. */
  channel?: string;
  fileId?: string;
  /** Why not: Slack's error code, or the render's or the read's error. */
  error?: string;
}

/**
 * Slack refusing a destination (the bot is not in the channel, the channel is gone or closed
 * to it): the same file still reaches the person in their DM with the bot.
 */
const REFUSED_DESTINATION = new Set([
  "not_in_channel", "channel_not_found", "invalid_channel", "is_archived", "restricted_action",
  "posting_to_general_channel_denied", "ekm_access_denied", "team_access_not_granted",
]);

/** Slack shows at most this much of an image's description to screen readers. */
const MAX_ALT = 1_000;

/** The message's charts and files, in order; charts only when something can draw them. */
export function attachmentsOf(message: Message, withCharts = true): Attachment[] {
  return message.blocks.flatMap((b): Attachment[] => {
    if (b.type === "chart" && withCharts) return [{ kind: "chart", chart: b.chart, alt: b.alt }];
    if (b.type === "file") return [{ kind: "file", file: b.file, summary: b.summary }];
    return [];
  });
}

/** "Revenue trend · 2026" -> "revenue-trend-2026.png"; letters of any script stay, the rest become dashes. */
export function chartFilename(title: string): string {
  const stem = [...title.normalize("NFKC").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-+|-+$/g, "")].slice(0, 60).join("").replace(/-+$/, "");
  return `${stem || "chart"}.png`;
}

/** A temporary file's content is removed once it was sent (or could not be): it may hold personal data. */
async function discard(file: OutgoingFile, log: Logger): Promise<void> {
  if (!("path" in file.content)) return;
  await rm(file.content.path, { force: true }).catch((error: unknown) => log.warn({ err: error, file: file.filename }, "could not delete a sent file's temporary copy"));
}

export interface FileUploader {
  /**
   * Shares each attachment into `target`; where Slack refuses the target, or there is none (a
   * reply only one person saw: a file cannot be ephemeral), into the DM of `fallbackUser`.
   * Never throws: every failure is logged and reported. Temporary files are deleted after.
   */
  upload(attachments: readonly Attachment[], target: UploadTarget | undefined, fallbackUser: string | undefined): Promise<Upload[]>;
  /** The bot's DM channel with a user (conversations.open), for replies only they may see. */
  dmOf(user: string): Promise<string | undefined>;
}

export function createFileUploader(client: WebClient, log: Logger, renderChart?: RenderChart): FileUploader {
  interface Ready {
    bytes: Buffer;
    filename: string;
    title: string;
    alt?: string;
  }

  async function share(ready: Ready, target: UploadTarget): Promise<string | undefined> {
    const common = { file: ready.bytes, filename: ready.filename, title: ready.title, ...(ready.alt ? { alt_text: ready.alt.slice(0, MAX_ALT) } : {}) };
    const result = target.thread
      ? await client.filesUploadV2({ ...common, channel_id: target.channel, thread_ts: target.thread })
      : await client.filesUploadV2({ ...common, channel_id: target.channel });
    return result.files[0]?.files?.[0]?.id;
  }

  async function dmOf(user: string): Promise<string | undefined> {
    try {
      return (await client.conversations.open({ users: user })).channel?.id;
    } catch (error) {
      log.warn({ err: error, user }, "could not open the DM for a file");
      return undefined;
    }
  }

  /** The bytes to send, or why there are none. */
  async function prepare(attachment: Attachment): Promise<Ready | { error: string }> {
    if (attachment.kind === "chart") {
      const title = attachment.chart.title;
      if (!renderChart) return { error: "charts are not drawn here" };
      try {
        return { bytes: await renderChart(attachment.chart), filename: chartFilename(title), title, alt: attachment.alt };
      } catch (error) {
        log.warn({ err: error, chart: title }, "chart not rendered; the message keeps its text");
        return { error: error instanceof Error ? error.message : String(error) };
      }
    }
    const { file } = attachment;
    try {
      const bytes = "path" in file.content ? await readFile(file.content.path) : Buffer.from(file.content);
      return { bytes, filename: file.filename, title: file.title };
    } catch (error) {
      log.warn({ err: error, file: file.filename }, "file not read; the message keeps its summary");
      return { error: error instanceof Error ? error.message : String(error) };
    }
  }

  async function uploadOne(attachment: Attachment, target: UploadTarget | undefined, fallbackUser: string | undefined): Promise<Upload> {
    const title = attachment.kind === "chart" ? attachment.chart.title : attachment.file.title;
    const what = attachment.kind === "chart" ? { chart: title } : { file: attachment.file.filename };
    const ready = await prepare(attachment);
    if ("error" in ready) return { title, error: ready.error };
    let refused: string | undefined;
    if (target) {
      try {
        return { title, channel: target.channel, fileId: await share(ready, target) };
      } catch (error) {
        refused = slackError(error);
        if (!fallbackUser || !REFUSED_DESTINATION.has(refused)) {
          log.warn({ err: error, ...what, channel: target.channel }, `${attachment.kind} upload failed`);
          return { title, error: refused };
        }
        log.info({ ...what, channel: target.channel, reason: refused }, `Slack refused the ${attachment.kind} there; sending it to the user's DM`);
      }
    }
    const dm = fallbackUser ? await dmOf(fallbackUser) : undefined;
    if (!dm || dm === target?.channel) return { title, error: refused ?? "no destination" };
    try {
      return { title, channel: dm, fileId: await share(ready, { channel: dm }) };
    } catch (error) {
      log.warn({ err: error, ...what, channel: dm }, `${attachment.kind} upload to the DM failed`);
      return { title, error: slackError(error) };
    }
  }

  return {
    async upload(attachments, target, fallbackUser) {
      try {
        return await Promise.all(attachments.map((a) => uploadOne(a, target, fallbackUser)));
      } finally {
        await Promise.all(attachments.flatMap((a) => (a.kind === "file" ? [discard(a.file, log)] : [])));
      }
    },
    dmOf,
  };
}

function slackError(error: unknown): string {
  const e = error as { data?: { error?: string }; message?: string };
  return e.data?.error ?? e.message ?? String(error);
}
