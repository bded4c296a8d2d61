import { decode } from "fast-png";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGNING_SECRET, startBotUnderTest, type BotUnderTest } from "../support/bot.js";
import { SlackDriver, findButton } from "../support/slack-driver.js";
import { postToSlackEndpoint } from "../support/slack-requests.js";
import { eventually, type FakeFile } from "../fakes/fake-slack-api.js";

/**
 * Charts reach Slack as PNG files: the running bot (HTTP, Bolt, core, Postgres, Redis, the
 * chart render threads) answers /crm csat, then uploads the distribution through the fake
 * Slack's three-step external upload into the conversation where the answer was seen.
 */
const li = { id: "U0LINA", name: "li.na" };
const wang = { id: "U0WANG", name: "wang" };
const CSAT = [5, 5, 4, 4, 4, 3, 1];
const NPS = [10, 9, 6];
const CSAT_TITLE = "CSAT answers by score · in the last 30 days";
const NPS_TITLE = "NPS answers by score · in the last 30 days";
const CSAT_ALT = "CSAT answers by score in the last 30 days: 1: 1 · 2: 0 · 3: 1 · 4: 3 · 5: 2 (7 answers).";
const NPS_ALT = "NPS answers by score in the last 30 days: 0: 0 · 1: 0 · 2: 0 · 3: 0 · 4: 0 · 5: 0 · 6: 1 · 7: 0 · 8: 0 · 9: 1 · 10: 1 (3 answers).";

let t: BotUnderTest;
let slack: SlackDriver;
let events = 0;

beforeAll(async () => {
  t = await startBotUnderTest();
  slack = new SlackDriver(t.base, t.slack);
  t.slack.addUser({ id: li.id, name: li.name, realName: "Li Na", locale: "en-US", tz: "Asia/Shanghai" });
  t.slack.addUser({ id: wang.id, name: wang.name, realName: "王伟", locale: "zh-CN", tz: "Asia/Shanghai" });
  await slack.ask(li, "/customer", "add Chartwell Ltd");
  const answered = async (kind: string, scores: number[]) =>
    t.db.sql.query(
      `INSERT INTO surveys (id, customer_id, kind, status, platform, score, sent_at, answered_at)
       SELECT gen_random_uuid(), c.id, $1::"SurveyKind", 'ANSWERED', 'wechat', s, now() - interval '3 days', now() - interval '2 days'
       FROM customers c, unnest($2::int[]) AS s WHERE c.name = 'Chartwell Ltd'`,
      [kind, scores],
    );
  await answered("CSAT", CSAT);
  await answered("NPS", NPS);
}, 60_000);
afterAll(async () => {
  await t.stop();
});

/** Waits until `count` more files than `before` were shared, and returns the new ones. */
async function newUploads(before: number, count: number): Promise<FakeFile[]> {
  return eventually(() => t.slack.uploads.length >= before + count && t.slack.uploads.slice(before), 20_000);
}

function expectPng(file: FakeFile): void {
  expect(file.bytes?.length).toBe(file.length);
  const image = decode(file.bytes!);
  expect([image.width, image.height]).toEqual([1280, 800]);
}

/** A signed Events API callback, as Slack delivers DMs and mentions. */
async function deliverEvent(event: Record<string, unknown>): Promise<void> {
  const body = JSON.stringify({ token: "x", team_id: "T0001", api_app_id: "A0CRM", type: "event_callback", event_id: `EvCHART${++events}`, event_time: 1763600000, event: { team: "T0001", ...event } });
  const res = await postToSlackEndpoint(`${t.base}/slack/events`, body, "application/json", { secret: SIGNING_SECRET });
  expect(res.status).toBe(200);
}

describe("/crm csat in Slack", () => {
  it("answers privately and uploads the distributions as PNGs into the rep's DM; a period without answers uploads nothing", async () => {
    const before = t.slack.uploads.length;
    const reserved = t.slack.callsTo("files.getUploadURLExternal").length;
    const empty = await slack.ask(li, "/crm", "csat last year");
    expect(empty.text).toContain("No surveys were sent or answered last year.");
    expect(empty.text).not.toContain("answers by score");

    const reply = await slack.ask(li, "/crm", "csat");
    expect(reply.responseType).toBe("ephemeral");
    // Clients without the image (and screen readers) get the counts as text.
    expect(reply.text).toContain(CSAT_ALT);
    expect(reply.text).toContain(NPS_ALT);

    const files = await newUploads(before, 2);
    // Only the answered period's two charts: the empty period reserved no upload at all.
    expect(files).toHaveLength(2);
    expect(t.slack.callsTo("files.getUploadURLExternal")).toHaveLength(reserved + 2);
    const opened = t.slack.callsTo("conversations.open").map((c) => c.body.users);
    expect(opened).toContain(li.id);
    const byTitle = new Map(files.map((f) => [f.title, f]));
    for (const [title, alt] of [[CSAT_TITLE, CSAT_ALT], [NPS_TITLE, NPS_ALT]] as const) {
      const file = byTitle.get(title);
      expect(file, title).toBeDefined();
      // A private answer's chart cannot be ephemeral: it goes to the bot's DM with the rep, at top level.
      expect([file!.channel, file!.thread]).toEqual(["DU0LINA", undefined]);
      expect(file!.altText).toBe(alt);
      expectPng(file!);
    }
    expect(byTitle.get(CSAT_TITLE)!.filename).toBe("csat-answers-by-score-in-the-last-30-days.png");
  }, 40_000);

  it("labels the charts in the reader's language", async () => {
    const before = t.slack.uploads.length;
    const reply = await slack.ask(wang, "/crm", "满意度");
    expect(reply.text).toContain("最近 30 天的 CSAT 评分分布：1 分 1 份 · 2 分 0 份 · 3 分 1 份 · 4 分 3 份 · 5 分 2 份（共 7 份回答）。");
    const files = await newUploads(before, 2);
    expect(files.map((f) => f.title).sort()).toEqual(["CSAT 评分分布 · 最近 30 天", "NPS 评分分布 · 最近 30 天"]);
    expect(files.every((f) => f.channel === "DU0WANG")).toBe(true);
    files.forEach(expectPng);
  }, 40_000);

  it("shares the charts in the channel when the answer is shared there, or in the DM when Slack refuses the channel", async () => {
    const asked = t.slack.uploads.length;
    const { blocks } = await slack.ask(li, "/crm", "csat");
    const share = findButton(blocks, "share");
    // The private answer's own charts go to the DM first; wait for them so they are not counted below.
    expect((await newUploads(asked, 2)).map((f) => f.channel)).toEqual(["DU0LINA", "DU0LINA"]);

    const before = t.slack.uploads.length;
    const { http } = await slack.press(li, share, "C0SALES");
    expect(http.status).toBe(200);
    const shared = await newUploads(before, 2);
    expect(shared.map((f) => [f.channel, f.thread])).toEqual([["C0SALES", undefined], ["C0SALES", undefined]]);

    t.slack.notInChannel.add("C0PRIVATE");
    const refusedBefore = t.slack.uploads.length;
    await slack.press(li, share, "C0PRIVATE");
    const fallback = await newUploads(refusedBefore, 2);
    expect(fallback.map((f) => f.channel)).toEqual(["DU0LINA", "DU0LINA"]);
    const refusals = t.slack.callsTo("files.completeUploadExternal").filter((c) => c.body.channel_id === "C0PRIVATE");
    expect(refusals).toHaveLength(2);
  }, 60_000);

  it("answers a DM in that DM and a mention in its thread, charts included", async () => {
    let before = t.slack.uploads.length;
    await deliverEvent({ type: "message", channel: "D0LINACHAT", channel_type: "im", user: li.id, text: "csat", ts: "1763600100.000100" });
    const inDm = await newUploads(before, 2);
    expect(inDm.map((f) => [f.channel, f.thread])).toEqual([["D0LINACHAT", undefined], ["D0LINACHAT", undefined]]);
    inDm.forEach(expectPng);

    before = t.slack.uploads.length;
    await deliverEvent({ type: "app_mention", channel: "C0SALES", user: li.id, text: "<@UBOT> csat", ts: "1763600200.000200" });
    const inThread = await newUploads(before, 2);
    expect(inThread.map((f) => [f.channel, f.thread])).toEqual([["C0SALES", "1763600200.000200"], ["C0SALES", "1763600200.000200"]]);
    const answer = t.slack.callsTo("chat.postMessage").find((c) => c.body.thread_ts === "1763600200.000200");
    expect(JSON.stringify(answer?.body.blocks)).toContain("CSAT answers by score in the last 30 days");
  }, 60_000);
});
