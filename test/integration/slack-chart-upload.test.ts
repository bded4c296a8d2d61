import { Writable } from "node:stream";
import { WebClient } from "@slack/web-api";
import { decode } from "fast-png";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chartFilename } from "../../adapters/slack/file-uploads.js";
import { createSlackSender } from "../../adapters/slack/slack-sender.js";
import { createChartRenderer, type ChartRenderer } from "../../src/charts/render-pool.js";
import type { Message, Sender } from "../../src/core/index.js";
import { createLogger } from "../../src/logger.js";
import type { ChartSpec } from "../../src/reply/chart-spec.js";
import { FakeSlackApi } from "../fakes/fake-slack-api.js";

/**
 * The outbox's Slack sender with chart messages, against the fake Slack API doing the real
 * three-step external upload (reserve, POST the bytes, complete), with PNGs from the real
 * render pool.
 */
const TOKEN = "xoxb-fake";
let slack: FakeSlackApi;
let pool: ChartRenderer;
let sender: Sender;
const logged: Record<string, unknown>[] = [];

beforeAll(async () => {
  slack = new FakeSlackApi(TOKEN);
  await slack.start();
  pool = createChartRenderer({ render: { width: 480, height: 300, scale: 1 } });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line) logged.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  sender = createSlackSender({ botToken: TOKEN, apiUrl: slack.apiUrl, renderChart: (spec) => pool.png(spec), log: createLogger("info", sink) });
});
afterAll(async () => {
  await pool.close();
  await slack.stop();
});

const trend: ChartSpec = {
  kind: "line",
  title: "Revenue trend",
  yTitle: "Revenue",
  valueFormat: "money",
  points: ["2026-09", "2026-10", "2026-11"].map((x, i) => ({ x, y: 120_000 + i * 15_000 })),
};
const ALT = "Revenue by month: 2026-09 CNY 120,000 · 2026-10 CNY 135,000 · 2026-11 CNY 150,000.";

function digest(charts: ChartSpec[], thread?: string): Message {
  return {
    visibility: "shared",
    summary: "Morning digest",
    blocks: [{ type: "header", text: "Morning digest" }, ...charts.map((chart) => ({ type: "chart" as const, chart, alt: ALT }))],
    ...(thread ? { thread } : {}),
  };
}

const posts = (channel: string) => slack.callsTo("chat.postMessage").filter((c) => c.body.channel === channel);

describe("a message with charts through the Slack sender", () => {
  it("is posted, then each chart is uploaded in three steps into the same channel", async () => {
    const segments: ChartSpec = { kind: "pie", title: "客户分层", points: [{ x: "高价值", y: 12 }, { x: "潜力", y: 30 }] };
    const before = slack.uploads.length;
    const sent = await sender.send("C0DIGEST", digest([trend, segments]), "outbox-1");

    expect(posts("C0DIGEST")).toHaveLength(1);
    expect(sent.externalId).toBe(slack.channels.get("C0DIGEST")?.[0]?.ts);
    // The text keeps the figures for clients that do not show the image.
    expect(JSON.stringify(posts("C0DIGEST")[0]!.body.blocks)).toContain("Revenue by month: 2026-09 CNY 120,000");

    const uploads = slack.uploads.slice(before);
    expect(uploads.map((u) => [u.filename, u.title, u.channel, u.thread]).sort()).toEqual([
      ["revenue-trend.png", "Revenue trend", "C0DIGEST", undefined],
      ["客户分层.png", "客户分层", "C0DIGEST", undefined],
    ]);
    for (const upload of uploads) {
      // Step 1 announced the length that step 2 delivered; step 3 shared it.
      expect(upload.bytes?.length).toBe(upload.length);
      const image = decode(upload.bytes!);
      expect([image.width, image.height]).toEqual([480, 300]);
      expect(upload.altText).toBe(ALT);
    }
    const reserved = slack.callsTo("files.getUploadURLExternal").slice(-2).map((c) => c.body.filename).sort();
    expect(reserved).toEqual(["revenue-trend.png", "客户分层.png"]);
    const completed = slack.callsTo("files.completeUploadExternal").slice(-2);
    expect(completed.map((c) => c.body.channel_id)).toEqual(["C0DIGEST", "C0DIGEST"]);
  });

  it("puts the charts of a thread reply into that thread, and a user's charts into their DM", async () => {
    const before = slack.uploads.length;
    await sender.send("C0DIGEST", digest([trend], "1700000000.000100"), "outbox-2");
    await sender.send("U0LINA", digest([trend]), "outbox-3");
    const [inThread, inDm] = slack.uploads.slice(before);
    expect([inThread?.channel, inThread?.thread]).toEqual(["C0DIGEST", "1700000000.000100"]);
    // A post to a user id lands in the bot's DM with them; the file follows it there.
    expect([inDm?.channel, inDm?.thread]).toEqual(["DU0LINA", undefined]);
  });

  it("still delivers the message once when Slack refuses the upload, and logs why", async () => {
    slack.notInChannel.add("C0LOCKED");
    const before = slack.uploads.length;
    const sent = await sender.send("C0LOCKED", digest([trend]), "outbox-4");

    expect(sent.externalId).toBeDefined();
    expect(posts("C0LOCKED")).toHaveLength(1);
    expect(slack.uploads.length).toBe(before);
    const refused = slack.callsTo("files.completeUploadExternal").at(-1);
    expect(refused?.body.channel_id).toBe("C0LOCKED");
    expect(logged.some((l) => l.msg === "chart upload failed" && l.channel === "C0LOCKED" && JSON.stringify(l.err).includes("not_in_channel"))).toBe(true);
  });

  it("still delivers the message when a chart cannot be drawn", async () => {
    const broken: ChartSpec = { ...trend, title: "Broken", points: [{ x: "2026-11", y: Number.POSITIVE_INFINITY }] };
    const reservedBefore = slack.callsTo("files.getUploadURLExternal").length;
    const sent = await sender.send("C0BROKEN", digest([broken]), "outbox-5");
    expect(sent.externalId).toBeDefined();
    expect(posts("C0BROKEN")).toHaveLength(1);
    expect(slack.callsTo("files.getUploadURLExternal")).toHaveLength(reservedBefore);
    expect(logged.some((l) => l.msg === "chart not rendered; the message keeps its text" && l.chart === "Broken")).toBe(true);
  });
});

describe("the fake Slack's external upload", () => {
  const client = () => new WebClient(TOKEN, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
  const errorOf = (promise: Promise<unknown>) => promise.then(() => "ok", (e: { data?: { error?: string } }) => e.data?.error);

  it("refuses to share a file it never got the bytes of, an unknown id, or one shared already", async () => {
    const reserved = await client().files.getUploadURLExternal({ filename: "a.png", length: 3 });
    expect(reserved.upload_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/upload\/F\d+$/);
    expect(await errorOf(client().files.completeUploadExternal({ files: [{ id: reserved.file_id! }], channel_id: "C1" }))).toBe("file_not_found");
    expect(await errorOf(client().files.completeUploadExternal({ files: [{ id: "F404" }], channel_id: "C1" }))).toBe("file_not_found");

    expect((await fetch(reserved.upload_url!, { method: "POST", body: new Uint8Array([1, 2, 3]) })).status).toBe(200);
    expect(await errorOf(client().files.completeUploadExternal({ files: [{ id: reserved.file_id!, title: "A" }], channel_id: "C1" }))).toBe("ok");
    expect(await errorOf(client().files.completeUploadExternal({ files: [{ id: reserved.file_id! }], channel_id: "C1" }))).toBe("file_not_found");
  });

  it("answers a body of another length than announced with a non-200, and unknown channels as Slack does", async () => {
    const reserved = await client().files.getUploadURLExternal({ filename: "b.png", length: 10 });
    const res = await fetch(reserved.upload_url!, { method: "POST", body: new Uint8Array(4) });
    expect(res.status).toBe(400);
    expect(await errorOf(client().files.getUploadURLExternal({ filename: "c.png", length: 0 }))).toBe("missing_argument");

    slack.unknownChannels.add("C0GONE");
    const ok = await client().files.getUploadURLExternal({ filename: "d.png", length: 2 });
    await fetch(ok.upload_url!, { method: "POST", body: new Uint8Array(2) });
    expect(await errorOf(client().files.completeUploadExternal({ files: [{ id: ok.file_id! }], channel_id: "C0GONE" }))).toBe("channel_not_found");
  });
});

describe("chart file names", () => {
  it.each([
    ["Revenue trend", "revenue-trend.png"],
    ["CSAT answers by score · in the last 30 days", "csat-answers-by-score-in-the-last-30-days.png"],
    ["CSAT 评分分布 · 本月", "csat-评分分布-本月.png"],
    ["../../etc/passwd", "etc-passwd.png"],
    ["★★★", "chart.png"],
  ])("%s -> %s", (title, name) => {
    expect(chartFilename(title)).toBe(name);
  });
});
