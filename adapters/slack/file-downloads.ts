import type { WebClient } from "@slack/web-api";
import type { Logger } from "../../src/core/index.js";

/**
 * A file a person shared with the bot (an import), fetched from Slack: `url_private_download`
 * with the bot token as a bearer (files:read), never more than `maxBytes` (the size Slack states
 * is checked first, and the body is cut off past it), within a time limit. Slack answers a
 * request it does not accept with an HTML login page and status 200, which is no file either.
 */

/** What the core gets: the bytes, or why not. */
export interface FetchedFile {
  name: string;
  size?: number;
  bytes?: Uint8Array;
  refused?: "too-big" | "unreadable";
}

/** The fields of a `files` entry of a message event (or of files.info) that matter here. */
export interface SharedFileInfo {
  id: string;
  name?: string;
  title?: string;
  size?: number;
  url_private_download?: string;
  url_private?: string;
}

const DOWNLOAD_TIMEOUT_MS = 60_000;

async function readCapped(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array | "too-big"> {
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return "too-big";
    }
    parts.push(value);
  }
  return Buffer.concat(parts);
}

export async function fetchSharedFile(client: WebClient, token: string, entry: SharedFileInfo, maxBytes: number, log: Logger): Promise<FetchedFile> {
  let file = entry;
  // Entries of files from other workspaces or hidden by a limit carry no URL: files.info has it.
  if (!file.url_private_download && !file.url_private) {
    const info = await client.files.info({ file: entry.id }).catch((error: unknown) => {
      log.warn({ err: error, file: entry.id }, "files.info failed for a shared file");
      return undefined;
    });
    if (info?.file) file = { ...entry, ...(info.file as SharedFileInfo) };
  }
  const name = file.name ?? file.title ?? "file";
  if (file.size !== undefined && file.size > maxBytes) return { name, size: file.size, refused: "too-big" };
  const url = file.url_private_download ?? file.url_private;
  if (!url) return { name, refused: "unreadable" };
  try {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS), redirect: "follow" });
    if (!response.ok || !response.body || /text\/html/i.test(response.headers.get("content-type") ?? "")) {
      log.warn({ file: entry.id, status: response.status }, "a shared file could not be downloaded");
      await response.body?.cancel().catch(() => undefined);
      return { name, refused: "unreadable" };
    }
    const bytes = await readCapped(response.body, maxBytes);
    return bytes === "too-big" ? { name, size: file.size ?? maxBytes + 1, refused: "too-big" } : { name, size: bytes.length, bytes };
  } catch (error) {
    log.warn({ err: error, file: entry.id }, "a shared file could not be downloaded");
    return { name, refused: "unreadable" };
  }
}
