import type { WebClient } from "@slack/web-api";
import type { ChartSpec, Logger, Message, RenderChart } from "../../src/core/index.js";

export interface ChartBlock {
  chart: ChartSpec;
  alt: string;
}

/** Where a chart goes: a conversation, and a thread in it when the message was a thread reply. */
export interface UploadTarget {
  channel: string;
  thread?: string;
}

export interface ChartUpload {
  title: string;
  /** The conversation the file was shared into, or undefined when it was not shared. */
  channel?: string;
  fileId?: string;
  /** Why not: Slack's error code, or the render's error. */
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

export function chartsOf(message: Message): ChartBlock[] {
  return message.blocks.flatMap((b) => (b.type === "chart" ? [{ chart: b.chart, alt: b.alt }] : []));
}

/** "Revenue trend · 2026" -> "revenue-trend-2026.png"; letters of any script stay, the rest become dashes. */
export function chartFilename(title: string): string {
  const stem = [...title.normalize("NFKC").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-+|-+$/g, "")].slice(0, 60).join("").replace(/-+$/, "");
  return `${stem || "chart"}.png`;
}

export interface ChartUploader {
  /**
   * Renders each chart and shares it into `target`; where Slack refuses the target, into the
   * DM of `fallbackUser` instead. Never throws: every failure is logged and reported.
   */
  upload(charts: readonly ChartBlock[], target: UploadTarget | undefined, fallbackUser: string | undefined): Promise<ChartUpload[]>;
  /** The bot's DM channel with a user (conversations.open), for replies only they may see. */
  dmOf(user: string): Promise<string | undefined>;
}

export function createChartUploader(client: WebClient, renderChart: RenderChart, log: Logger): ChartUploader {
  async function share(png: Buffer, block: ChartBlock, target: UploadTarget): Promise<string | undefined> {
    const common = { file: png, filename: chartFilename(block.chart.title), title: block.chart.title, alt_text: block.alt.slice(0, MAX_ALT) };
    const result = target.thread
      ? await client.filesUploadV2({ ...common, channel_id: target.channel, thread_ts: target.thread })
      : await client.filesUploadV2({ ...common, channel_id: target.channel });
    return result.files[0]?.files?.[0]?.id;
  }

  async function dmOf(user: string): Promise<string | undefined> {
    try {
      return (await client.conversations.open({ users: user })).channel?.id;
    } catch (error) {
      log.warn({ err: error, user }, "could not open the DM for a chart");
      return undefined;
    }
  }

  async function uploadOne(block: ChartBlock, target: UploadTarget | undefined, fallbackUser: string | undefined): Promise<ChartUpload> {
    const title = block.chart.title;
    let png: Buffer;
    try {
      png = await renderChart(block.chart);
    } catch (error) {
      log.warn({ err: error, chart: title }, "chart not rendered; the message keeps its text");
      return { title, error: error instanceof Error ? error.message : String(error) };
    }
    let refused: string | undefined;
    if (target) {
      try {
        return { title, channel: target.channel, fileId: await share(png, block, target) };
      } catch (error) {
        refused = slackError(error);
        if (!fallbackUser || !REFUSED_DESTINATION.has(refused)) {
          log.warn({ err: error, chart: title, channel: target.channel }, "chart upload failed");
          return { title, error: refused };
        }
        log.info({ chart: title, channel: target.channel, reason: refused }, "Slack refused the chart there; sending it to the user's DM");
      }
    }
    const dm = fallbackUser ? await dmOf(fallbackUser) : undefined;
    if (!dm || dm === target?.channel) return { title, error: refused ?? "no destination" };
    try {
      return { title, channel: dm, fileId: await share(png, block, { channel: dm }) };
    } catch (error) {
      log.warn({ err: error, chart: title, channel: dm }, "chart upload to the DM failed");
      return { title, error: slackError(error) };
    }
  }

  return {
    upload: (charts, target, fallbackUser) => Promise.all(charts.map((c) => uploadOne(c, target, fallbackUser))),
    dmOf,
  };
}

function slackError(error: unknown): string {
  const e = error as { data?: { error?: string }; message?: string };
  return e.data?.error ?? e.message ?? String(error);
}
