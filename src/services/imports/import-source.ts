import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { basename } from "node:path";

/**
 * The bytes of a file to import, wherever they are (a file on the server, an upload held in
 * memory, the pieces a chat upload was stored in), read as a stream from the start, as often as
 * needed, or by range (an XLSX file's directory is at its end).
 */
export interface ImportSource {
  name: string;
  size: number;
  stream(): AsyncIterable<Uint8Array>;
  read(start: number, end: number): Promise<Uint8Array>;
}

export async function fileSource(path: string): Promise<ImportSource> {
  const { size } = await stat(path);
  return {
    name: basename(path),
    size,
    stream: () => createReadStream(path, { highWaterMark: 1 << 20 }),
    async read(start, end) {
      const handle = await open(path, "r");
      try {
        const buffer = Buffer.alloc(Math.max(0, end - start));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
        return buffer.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    },
  };
}

/** Bytes already in memory (a chat upload, capped by IMPORT_MAX_BYTES), handed out in 1 MiB pieces. */
export function bytesSource(name: string, bytes: Uint8Array): ImportSource {
  return {
    name,
    size: bytes.length,
    async *stream() {
      for (let at = 0; at < bytes.length; at += 1 << 20) yield bytes.subarray(at, Math.min(bytes.length, at + (1 << 20)));
    },
    read: async (start, end) => bytes.subarray(start, end),
  };
}
