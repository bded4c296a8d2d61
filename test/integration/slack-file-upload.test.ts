import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebClient } from "@slack/web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attachmentsOf, createFileUploader, type FileUploader } from "../../adapters/slack/file-uploads.js";
import type { Message } from "../../src/core/index.js";
import { createLogger } from "../../src/logger.js";
import { FakeSlackApi } from "../fakes/fake-slack-api.js";

/**
 * File blocks through the Slack adapter's uploader, against the fake Slack API doing the real
 * external upload (files.getUploadURLExternal, the bytes POSTed, files.completeUploadExternal):
 * the bytes arrive whole, a temporary file is deleted after, and a file goes where its reply was
 * seen, or to the asker's DM.
 */
const TOKEN = "xoxb-fake";
let slack: FakeSlackApi;
let uploader: FileUploader;
let dir: string;

beforeAll(async () => {
  slack = new FakeSlackApi(TOKEN);
  await slack.start();
  const client = new WebClient(TOKEN, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
  uploader = createFileUploader(client, createLogger("silent"));
  dir = mkdtempSync(join(tmpdir(), "crm-slack-files-"));
});
afterAll(async () => {
  await slack.stop();
  rmSync(dir, { recursive: true, force: true });
});

function exportMessage(content: Uint8Array | { path: string }, filename = "personal-data.json"): Message {
  return {
    visibility: "private",
    summary: "Everything held about Li Lei",
    blocks: [
      { type: "text", text: "Everything held about Li Lei" },
      { type: "file", file: { filename, title: "Personal data of Li Lei (JSON)", mimeType: "application/json", content }, summary: `File ${filename}` },
    ],
  };
}

describe("files a reply carries, in Slack", () => {
  it("uploads bytes into the asker's DM when the reply was private", async () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ name: "Li Lei", phone: "+8613800138000" }));
    const before = slack.uploads.length;
    const [done] = await uploader.upload(attachmentsOf(exportMessage(bytes)), undefined, "U0ADMIN");
    expect(done).toMatchObject({ channel: "DU0ADMIN" });
    const [file] = slack.uploads.slice(before);
    expect(file).toMatchObject({ filename: "personal-data.json", title: "Personal data of Li Lei (JSON)", channel: "DU0ADMIN" });
    expect(JSON.parse(file!.bytes!.toString("utf8"))).toEqual({ name: "Li Lei", phone: "+8613800138000" });
  });

  it("reads a temporary file, shares it into the conversation that saw the reply, and deletes it", async () => {
    const path = join(dir, "audit-export.csv");
    writeFileSync(path, "at,action\n2026-12-07,customer.view\n");
    const before = slack.uploads.length;
    await uploader.upload(attachmentsOf(exportMessage({ path }, "audit.csv")), { channel: "C0SALES", thread: "1700000000.000100" }, "U0ADMIN");
    const [file] = slack.uploads.slice(before);
    expect(file).toMatchObject({ filename: "audit.csv", channel: "C0SALES", thread: "1700000000.000100" });
    expect(file!.bytes!.toString("utf8")).toBe("at,action\n2026-12-07,customer.view\n");
    expect(existsSync(path)).toBe(false);
  });

  it("falls back to the DM where Slack refuses the channel, and deletes the temporary file even when nothing could be sent", async () => {
    slack.notInChannel.add("C0LOCKED");
    const before = slack.uploads.length;
    await uploader.upload(attachmentsOf(exportMessage(new TextEncoder().encode("{}"))), { channel: "C0LOCKED" }, "U0ADMIN");
    expect(slack.uploads.slice(before).map((f) => f.channel)).toEqual(["DU0ADMIN"]);

    const path = join(dir, "lost.json");
    writeFileSync(path, "{}");
    const [failed] = await uploader.upload(attachmentsOf(exportMessage({ path })), { channel: "C0LOCKED" }, undefined);
    expect(failed).toMatchObject({ error: "not_in_channel" });
    expect(existsSync(path)).toBe(false);
  });

  it("leaves charts to a renderer: without one only the files are uploaded", () => {
    const message: Message = {
      visibility: "shared",
      summary: "x",
      blocks: [
        { type: "chart", chart: { kind: "bar", title: "Revenue", points: [{ x: "a", y: 1 }] }, alt: "Revenue: a 1." },
        { type: "file", file: { filename: "a.txt", title: "A", mimeType: "text/plain", content: new Uint8Array([65]) }, summary: "A" },
      ],
    };
    expect(attachmentsOf(message, false).map((a) => a.kind)).toEqual(["file"]);
    expect(attachmentsOf(message).map((a) => a.kind)).toEqual(["chart", "file"]);
  });
});
