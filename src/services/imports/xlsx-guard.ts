import { createInflateRaw } from "node:zlib";
import { AppError } from "../../domain/errors.js";
import type { ImportSource } from "./import-source.js";

/**
 * Zip bombs: an XLSX file is a zip archive, and a few kilobytes can inflate to gigabytes that the
 * spreadsheet reader would hold (its shared strings are read whole). Before the reader sees the
 * file, its central directory is read (the sizes each entry claims: too many entries, too much
 * in all, or a compression ratio no spreadsheet has, and it is refused at once), then every entry
 * is inflated with a byte budget, since the claimed sizes can lie. Nothing is kept.
 */

export interface ZipLimits {
  /** Uncompressed bytes of all entries together. */
  maxUncompressed: number;
  maxEntries: number;
  /** Uncompressed ÷ compressed of one entry; spreadsheet XML compresses about 10:1, bombs 1000:1. */
  maxRatio: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

interface Entry {
  name: string;
  method: number;
  compressed: number;
  uncompressed: number;
  localOffset: number;
}

const refuse = (reason: string) => new AppError("INVALID_INPUT", "import.file.zipBomb", { reason }, `xlsx refused: ${reason}`);
const broken = (detail: string) => new AppError("INVALID_INPUT", "import.file.badXlsx", {}, `xlsx unreadable: ${detail}`);

async function entries(source: ImportSource, limits: ZipLimits): Promise<Entry[]> {
  // The end record is in the last 22 bytes plus at most a 64 KiB comment.
  const tailStart = Math.max(0, source.size - 22 - 0xffff);
  const tail = Buffer.from(await source.read(tailStart, source.size));
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0) throw broken("no end of central directory");
  const count = tail.readUInt16LE(at + 10);
  const size = tail.readUInt32LE(at + 12);
  const offset = tail.readUInt32LE(at + 16);
  // Zip64 (0xFFFF / 0xFFFFFFFF markers) is for archives far beyond any import's size limit.
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) throw refuse("zip64");
  if (count > limits.maxEntries) throw refuse(`${count} entries`);
  if (offset + size > source.size) throw broken("central directory outside the file");
  const directory = Buffer.from(await source.read(offset, offset + size));
  const list: Entry[] = [];
  let total = 0;
  for (let p = 0, n = 0; n < count; n++) {
    if (p + 46 > directory.length || directory.readUInt32LE(p) !== CENTRAL) throw broken("bad central directory entry");
    const entry: Entry = {
      method: directory.readUInt16LE(p + 10),
      compressed: directory.readUInt32LE(p + 20),
      uncompressed: directory.readUInt32LE(p + 24),
      localOffset: directory.readUInt32LE(p + 42),
      name: directory.toString("utf8", p + 46, p + 46 + directory.readUInt16LE(p + 28)),
    };
    p += 46 + directory.readUInt16LE(p + 28) + directory.readUInt16LE(p + 30) + directory.readUInt16LE(p + 32);
    total += entry.uncompressed;
    if (total > limits.maxUncompressed) throw refuse(`more than ${limits.maxUncompressed} bytes uncompressed`);
    if (entry.uncompressed > 1_000_000 && entry.uncompressed > limits.maxRatio * Math.max(1, entry.compressed)) throw refuse(`${entry.name} inflates ${Math.round(entry.uncompressed / Math.max(1, entry.compressed))}:1`);
    list.push(entry);
  }
  return list;
}

/** Inflates one entry, counting; throws once it passes `budget` bytes. Returns the bytes it had. */
async function inflatedSize(source: ImportSource, entry: Entry, budget: number): Promise<number> {
  const header = Buffer.from(await source.read(entry.localOffset, entry.localOffset + 30));
  if (header.length < 30 || header.readUInt32LE(0) !== LOCAL) throw broken(`no local header for ${entry.name}`);
  const start = entry.localOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (entry.method === 0) return entry.compressed;
  if (entry.method !== 8) throw broken(`compression method ${entry.method}`);
  const inflate = createInflateRaw();
  let seen = 0;
  const done = new Promise<number>((resolve, reject) => {
    inflate.on("data", (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > budget) {
        inflate.destroy();
        reject(refuse(`${entry.name} inflates past its budget`));
      }
    });
    inflate.on("end", () => resolve(seen));
    inflate.on("error", (error) => reject(broken(`${entry.name}: ${error.message}`)));
  });
  const step = 1 << 20;
  for (let at = start; at < start + entry.compressed; at += step) {
    const piece = await source.read(at, Math.min(start + entry.compressed, at + step));
    if (inflate.destroyed) break;
    // A stream destroyed over its budget never drains: its close ends the wait too.
    if (!inflate.write(piece)) await new Promise((r) => { inflate.once("drain", r); inflate.once("close", r); });
  }
  if (!inflate.destroyed) inflate.end();
  return done;
}

/** Refuses a zip that claims or turns out to hold more than the limits allow. */
export async function checkZip(source: ImportSource, limits: ZipLimits): Promise<void> {
  let left = limits.maxUncompressed;
  for (const entry of await entries(source, limits)) {
    // An entry may be no larger than it claimed (plus a little slack), nor than what is left.
    const budget = Math.min(left, Math.max(entry.uncompressed, 1) + 1024);
    left -= await inflatedSize(source, entry, budget);
  }
}
