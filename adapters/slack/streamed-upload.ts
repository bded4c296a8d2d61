import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { pipeline } from "node:stream/promises";
import type { WebClient } from "@slack/web-api";

export interface DiskFile {
  path: string;
  filename: string;
  title: string;
}

/**
 * Shares a file from disk into a conversation by Slack's external upload, streaming its bytes:
 * files.getUploadURLExternal with the file's length, the bytes POSTed raw to the upload URL
 * straight from disk, files.completeUploadExternal with `comment` as the message beside it.
 * The Web API client's filesUploadV2 reads the whole file into memory first, which a
 * million-row export (a few hundred megabytes) should not need. Throws Slack's error (a
 * platform error from the client, or an Error naming the upload URL's status).
 */
export async function uploadFromDisk(client: WebClient, channel: string, file: DiskFile, comment: string): Promise<string | undefined> {
  const { size } = await stat(file.path);
  const reserved = await client.files.getUploadURLExternal({ filename: file.filename, length: size });
  if (!reserved.upload_url || !reserved.file_id) throw new Error("files.getUploadURLExternal gave no upload URL");
  await postFile(reserved.upload_url, file.path, size);
  const done = await client.files.completeUploadExternal({ files: [{ id: reserved.file_id, title: file.title }], channel_id: channel, initial_comment: comment });
  return done.files?.[0]?.id ?? reserved.file_id;
}

/** 10 minutes for the bytes: a few hundred megabytes on a slow uplink. */
const UPLOAD_TIMEOUT_MS = 600_000;

async function postFile(url: string, path: string, size: number): Promise<void> {
  const target = new URL(url);
  const request = target.protocol === "https:" ? httpsRequest : httpRequest;
  await new Promise<void>((resolve, reject) => {
    const req = request(target, { method: "POST", headers: { "content-type": "application/octet-stream", "content-length": size }, timeout: UPLOAD_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        if (res.statusCode === 200) resolve();
        else reject(Object.assign(new Error(`upload URL answered ${res.statusCode}: ${Buffer.concat(chunks).toString("utf8").slice(0, 200)}`), { statusCode: res.statusCode }));
      });
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("upload timed out")));
    req.on("error", reject);
    pipeline(createReadStream(path), req).catch(reject);
  });
}
